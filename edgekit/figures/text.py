"""Chapter 4's text CRDT figures: the trace benchmark against its peers, and two editors' edits."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from edgekit.crdt.text import TwoEditors

from . import style

__all__ = ["trace_benchmark_figure", "two_editors_figure", "PEERS"]

# Bars in this order; the chunked list (no CRDT) is drawn as the floor line, not a bar.
PEERS = ("edgekit", "loro", "automerge", "automerge-per-edit", "pycrdt")
FLOORS = ("chunked-list", "list")  # the first one present
LABELS = {
    "edgekit": "edgekit Text (Python)",
    "loro": "Loro (Rust)",
    "automerge": "automerge (Rust)",
    "automerge-per-edit": "automerge, a change per edit",
    "pycrdt": "pycrdt / Yrs (Rust)",
}
METRICS = (
    ("cpu_s", "time"),
    ("rss_growth_bytes", "memory growth"),
    ("encoded_history_bytes", "encoded size (full history)"),
)
PATTERNS = ("", "/", "x", ".", "-")


def trace_benchmark_figure(record: dict) -> go.Figure:
    """Time, memory growth and encoded size per implementation as ratios to automerge (log scale).

    ``record`` is the JSON that benchmarks/text_trace.py writes (medians under
    ``results.implementations``). The
    dashed line in each panel is the floor for Python, a chunked list of
    characters with no CRDT at all; in the size panel, the UTF-8 text itself.
    A peer without a figure for a panel (no encoding with history) has no bar there.
    """
    run = record["results"]
    results = run["implementations"]
    base = results[run.get("baseline", "automerge")]
    peers = [p for p in PEERS if p in results]
    floor_peer = next((p for p in FLOORS if p in results), None)
    fig = make_subplots(rows=1, cols=len(METRICS), subplot_titles=[title for _, title in METRICS],
                        horizontal_spacing=0.07)
    for col, (key, _title) in enumerate(METRICS, start=1):
        ratios = []
        for k, peer in enumerate(peers):
            if results[peer].get(key) is None:
                continue
            ratio = results[peer][key] / base[key]
            ratios.append(ratio)
            fig.add_trace(go.Bar(
                x=[LABELS.get(peer, peer)], y=[ratio], name=LABELS.get(peer, peer), legendgroup=peer,
                showlegend=col == 1, marker=dict(color=style.color(k), pattern_shape=PATTERNS[k % len(PATTERNS)]),
                text=[f"{ratio:.2f}x"], textposition="outside", cliponaxis=False,
                hovertemplate=f"{peer}: %{{y:.2f}}x automerge ({_raw(key, results[peer][key])})<extra></extra>",
            ), row=1, col=col)
        fig.add_hline(y=1.0, line=dict(color="#888888", dash="dot", width=1), row=1, col=col)
        floor = None
        if floor_peer:
            floor_key = "encoded_no_history_bytes" if key == "encoded_history_bytes" else key
            floor = results[floor_peer][floor_key] / base[key]
        what = "plain text" if key == "encoded_history_bytes" else floor_peer
        axis = "" if col == 1 else str(col)
        if floor and floor >= 0.01:
            ratios.append(floor)
            fig.add_hline(y=floor, line=dict(color="#000000", dash="dash"), row=1, col=col)
            # placed by hand: plotly puts hline annotations on log axes at the wrong height
            fig.add_annotation(x=1, xref=f"x{axis} domain", y=math.log10(floor), yref=f"y{axis}",
                               text=f"{what} {floor:.2f}x", showarrow=False, xanchor="right",
                               yanchor="bottom", font=dict(size=13), bgcolor="rgba(255,255,255,0.8)")
        elif floor is not None:
            fig.add_annotation(x=0.5, xref=f"x{axis} domain", y=1.0, yref=f"y{axis} domain",
                               text=f"{what}: under 0.01x", showarrow=False, font=dict(size=13))
        lo, hi = min(ratios) / 1.8, max(ratios) * 2.0
        fig.update_yaxes(type="log", range=[math.log10(lo), math.log10(hi)], row=1, col=col)
    trace = run.get("trace", {})
    title = (f"{trace.get('name', 'trace').removesuffix('.json.gz')}: {trace.get('edits', 0):,} edits, "
             f"ratio to automerge (lower is better; medians of {run.get('repeats', '?')})")
    style.apply(fig, title, height=520)
    fig.update_yaxes(title_text="ratio to automerge (log scale)", row=1, col=1)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(legend=dict(orientation="h", y=-0.08), bargap=0.25)
    return fig


def _raw(key, value):
    if key == "cpu_s":
        return f"{value:.2f} s"
    return f"{value / 1e6:.1f} MB" if key == "rss_growth_bytes" else f"{value / 1e3:.0f} kB"


AUTHORS = ("start", "alice", "bob")
AUTHOR_STYLE = {"start": ("#bbbbbb", "square"), "alice": (style.color(0), "circle"),
                "bob": (style.color(1), "diamond")}


def two_editors_figure(demo: TwoEditors) -> go.Figure:
    """Each stage of the two-editors story as a row of characters, marked by who typed them."""
    rows = [
        ("Alice, offline", list(demo.alice_pieces)),
        ("Bob, offline", list(demo.bob_pieces)),
        ("both, after syncing", list(demo.merged_pieces)),
        ("by position, no CRDT", [("?", demo.naive)]),
    ]
    fig = go.Figure()
    shown = set()
    for y, (_label, pieces) in enumerate(rows):
        x = 0
        for who, text in pieces:
            color, symbol = AUTHOR_STYLE.get(who, ("#000000", "x-thin-open"))
            name = {"start": "shared start", "?": "replayed by index (no marks)"}.get(who, f"typed by {who}")
            fig.add_trace(go.Scatter(
                x=list(range(x, x + len(text))), y=[-y] * len(text),
                mode="text" if who == "?" else "markers+text",
                text=[ch if ch != " " else "·" for ch in text], textfont=dict(size=15),
                marker=dict(size=22, symbol=symbol, color=color, opacity=0.35,
                            line=dict(width=1, color=color)),
                name=name, legendgroup=who, showlegend=who not in shown, hoverinfo="skip",
            ))
            shown.add(who)
            x += len(text)
    style.apply(fig, f"Two editors at once: {demo.start!r}", height=340)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(tickvals=[-y for y in range(len(rows))], ticktext=[label for label, _ in rows],
                     zeroline=False, showgrid=False, range=[-len(rows) + 0.5, 0.5])
    fig.update_layout(legend=dict(orientation="h", y=-0.05))
    return fig
