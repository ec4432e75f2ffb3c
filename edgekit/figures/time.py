"""Figures for chapter 2: space-time diagrams, last-writer-wins on a map, NTP uncertainty by distance."""

from __future__ import annotations

import plotly.graph_objects as go

from edgekit import geo
from edgekit.figures import style
from edgekit.sim.causality import Causality, Event
from edgekit.sim.lww import LWWOutcome
from edgekit.sim.ntp import SyncResult

from .._checks import brief

__all__ = ["STAMPS", "stamp_text", "event_texts", "spacetime_title", "spacetime_figure", "lww_map",
           "uncertainty_figure"]

STAMPS = {
    "wall": "wall clock (ms)",
    "lamport": "Lamport clock",
    "vector": "vector clock",
    "hlc": "hybrid logical clock (l, c)",
    "true": "true time (ms, no node can read it)",
}
_KIND_SYMBOL = {"send": "triangle-right", "deliver": "circle", "local": "square"}
_HIGHLIGHT = style.color(5)  # vermillion, always with thicker lines and larger markers


def stamp_text(e: Event, stamp: str, nodes: list) -> str:
    """The text of one event's timestamp in the chosen clock."""
    if stamp == "wall":
        return f"{e.wall:.0f}"
    if stamp == "true":
        return f"{e.time:.0f}"
    if stamp == "lamport":
        return str(e.lamport)
    if stamp == "vector":
        return "[" + ",".join(str(e.vector[n]) for n in nodes) + "]"
    if stamp == "hlc":
        return f"({e.hlc.l:.0f},{e.hlc.c})"
    raise ValueError(f"stamp={brief(stamp)}: expected one of {list(STAMPS)}")


def _of_kind(ev: list[Event], kind: str) -> list[Event]:
    return [e for e in ev if e.kind == kind or (kind == "local" and e.kind not in _KIND_SYMBOL)]


def event_texts(cz: Causality, stamp: str, nodes: list) -> dict[str, list[str]]:
    """The labels of the event traces of ``spacetime_figure`` ("local", "send", "deliver"), in trace order.

    A widget switching clocks only needs these: it can relabel the figure without rebuilding it.
    """
    return {k: [_label(e) + stamp_text(e, stamp, nodes) for e in _of_kind(cz.events, k)]
            for k in ("local", "send", "deliver")}


def spacetime_title(stamp: str) -> str:
    if not isinstance(stamp, str) or stamp not in STAMPS:
        raise ValueError(f"stamp={brief(stamp)}: expected one of {list(STAMPS)}")
    return f"Space-time diagram, events labelled with the {STAMPS[stamp]}"


def _label(e: Event) -> str:
    """Local events carry their name (a, b, ...) before the timestamp."""
    data = e.record.data
    return f"<b>{data['label']}</b> " if e.kind == "local" and isinstance(data, dict) and "label" in data else ""


def _event_name(e: Event) -> str:
    r = e.record
    if r.kind == "local":
        return f"local {r.data.get('label', '')}".strip()
    if r.kind == "send":
        return f"send {r.data} → {r.peer}"
    if r.kind == "deliver":
        return f"receive {r.data} ← {r.peer}"
    return r.kind


def spacetime_figure(cz: Causality, stamp: str = "wall", nodes: list | None = None, highlight: tuple | None = None,
                     offsets: dict | None = None, title: str | None = None) -> go.Figure:
    """A Lamport space-time diagram: one line per node, true time across, arrows for messages.

    Events carry the chosen timestamp as a label. ``highlight=(i, j)`` marks events i and j
    and draws the causal path between them (if any) thick, in vermillion.
    """
    if stamp not in STAMPS:
        raise ValueError(f"stamp={brief(stamp)}: expected one of {list(STAMPS)}")
    ev = cz.events
    nodes = list(nodes) if nodes is not None else list(dict.fromkeys(e.node for e in ev))
    y = {n: -k for k, n in enumerate(nodes)}
    path, marked = [], set()
    if highlight is not None:
        i, j = highlight
        path = cz.path(i, j) or cz.path(j, i) or []
        marked = {i, j} | set(path)
    t_end = max((e.time for e in ev), default=0.0) * 1.05 + 10
    fig = go.Figure()
    annots: list[dict] = []  # set once at the end: plotly re-validates the list on every add_annotation
    for n in nodes:  # node lanes
        off = (offsets or {}).get(n)
        fig.add_trace(go.Scatter(x=[0, t_end], y=[y[n]] * 2, mode="lines", line=dict(color="#999", width=1),
                                 hoverinfo="skip", showlegend=False))
        label = f"{n}" + (f"  (clock {off:+.0f} ms)" if off else "")
        annots.append(dict(x=0, y=y[n], text=label, showarrow=False, xanchor="right", xshift=-8, font=dict(size=14)))
    on_path = set(zip(path[:-1], path[1:], strict=True)) if len(path) > 1 else set()
    for s, d in cz.messages():  # message arrows, named at their middle
        hot = (s, d) in on_path
        xs, ys, xd, yd = ev[s].time, y[ev[s].node], ev[d].time, y[ev[d].node]
        annots.append(dict(x=xd, y=yd, ax=xs, ay=ys, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                           arrowhead=3, arrowsize=1.2, arrowwidth=4 if hot else 1.5,
                           arrowcolor=_HIGHLIGHT if hot else style.color(0), text=""))
        annots.append(dict(x=(xs + xd) / 2, y=(ys + yd) / 2, text=f"<i>{ev[s].record.data}</i>", showarrow=False,
                           font=dict(size=12, color="#555"), bgcolor="rgba(255,255,255,0.8)"))
    for a, b in on_path:  # local steps on the path
        if ev[a].node == ev[b].node:
            fig.add_trace(go.Scatter(x=[ev[a].time, ev[b].time], y=[y[ev[a].node]] * 2, mode="lines",
                                     line=dict(color=_HIGHLIGHT, width=5), hoverinfo="skip", showlegend=False))
    texts = event_texts(cz, stamp, nodes)
    for k, kind in enumerate(("local", "send", "deliver")):
        sel = _of_kind(ev, kind)
        if not sel:
            continue
        fig.add_trace(go.Scatter(
            x=[e.time for e in sel], y=[y[e.node] for e in sel], mode="markers+text", text=texts[kind],
            textposition=["top center" if e.index % 2 == 0 else "bottom center" for e in sel],
            textfont=dict(size=12),
            customdata=[[f"e{e.index}", _event_name(e), f"{e.time:.1f}", f"{e.wall:.1f}", e.lamport,
                         stamp_text(e, "vector", nodes), stamp_text(e, "hlc", nodes)] for e in sel],
            hovertemplate=("%{customdata[0]} %{customdata[1]}<br>true %{customdata[2]} ms · wall %{customdata[3]}"
                           "<br>Lamport %{customdata[4]} · vector %{customdata[5]} · HLC %{customdata[6]}"
                           "<extra></extra>"),
            marker=dict(symbol=_KIND_SYMBOL.get(kind, "square"), size=[16 if e.index in marked else 11 for e in sel],
                        color=[_HIGHLIGHT if e.index in marked else style.color(k) for e in sel],
                        line=dict(width=1, color="#000")),
            name={"local": "local event", "send": "send", "deliver": "receive"}[kind],
        ))
    if highlight is not None:
        for tag, k in zip(("from", "to"), highlight, strict=True):
            e = ev[k]
            annots.append(dict(x=e.time, y=y[e.node], text=f"<b>{tag}</b>", showarrow=True, arrowhead=0, ax=0, ay=-34,
                               font=dict(size=16, color=_HIGHLIGHT)))
    style.apply(fig, title or spacetime_title(stamp), height=420)
    fig.update_xaxes(title="true time (ms)", range=[-t_end * 0.02, t_end], zeroline=False)
    fig.update_yaxes(visible=False, range=[-len(nodes) + 0.4, 0.6])
    fig.update_layout(margin=dict(l=190), legend=dict(orientation="h", y=-0.2, x=0.5, xanchor="center"),
                      annotations=annots)
    return fig


def lww_map(out: LWWOutcome) -> go.Figure:
    """The two-write story on a map: each site's clock, each write's stamp, what every replica kept."""
    pa, pb = geo.place(out.places["a"]), geo.place(out.places["b"])
    w = {x.value: x for x in out.writes}
    ok = not out.lost

    def fmt(s):
        return f"{s[0]:.0f}" if out.mode == "wall" else f"({s[0]:.0f}, {s[1]})"

    fig = go.Figure()
    fig.add_trace(go.Scattergeo(lat=[pa.lat, pb.lat], lon=[pa.lon, pb.lon], mode="lines",
                                line=dict(width=2, color=style.color(0), dash="dot"), name="replication",
                                hoverinfo="skip"))
    texts = [
        f"<b>{pa.code}</b>, clock {out.skew_ms:+.0f} ms<br>writes v1 at true 0 ms<br>stamp {fmt(w['v1'].stamp)}"
        f"<br>keeps <b>{out.final['a']}</b>",
        f"<b>{pb.code}</b>, clock exact<br>reads v1, then writes v2<br>at true {w['v2'].true_ms:.0f} ms, "
        f"stamp {fmt(w['v2'].stamp)}<br>keeps <b>{out.final['b']}</b>",
    ]
    fig.add_trace(go.Scattergeo(
        lat=[pa.lat, pb.lat], lon=[pa.lon, pb.lon], mode="markers+text", text=[pa.code, pb.code],
        textposition=["top center", "bottom center"], textfont=dict(size=14),
        marker=dict(size=16, symbol=["circle", "square"], color=[style.color(1), style.color(2)],
                    line=dict(width=1, color="#000")),
        name="replicas", hovertext=texts, hoverinfo="text",
    ))
    # The story beside the map, on white, where no coastline runs through the words.
    for text, x, anchor, col in ((texts[0], 0.0, "left", 1), (texts[1], 1.0, "right", 2)):
        fig.add_annotation(text=text, x=x, y=0.5, xref="paper", yref="paper", xanchor=anchor, showarrow=False,
                           align="left", font=dict(size=15), bgcolor="#ffffff", bordercolor=style.color(col),
                           borderwidth=2, borderpad=6)
    clock = "wall clocks" if out.mode == "wall" else "HLC"
    verdict = "both replicas keep v2, the later write" if ok else "v2 is silently lost: both replicas keep v1"
    style.world_map(fig, f"Last writer wins with {clock}, {pa.code} clock {out.skew_ms:+.0f} ms: {verdict}",
                    height=480)
    fig.update_layout(showlegend=False)
    return fig


def _lifts(xs: list[float], near: float = 1_000.0) -> list[int]:
    """Pixel heights for labels above points: neighbours closer than ``near`` (in x) take turns at
    three heights, so a crowded run of labels stays readable."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    lift, k = [18] * len(xs), 0
    for prev, i in zip(order, order[1:], strict=False):
        k = k + 1 if xs[i] - xs[prev] < near else 0
        lift[i] = (18, 40, 62)[k % 3]
    return lift


def uncertainty_figure(rows: list[SyncResult], server: str) -> go.Figure:
    """NTP's error bound (δ/2) and the actual error against distance to the time server."""
    fig = go.Figure()
    km = [r.km for r in rows]
    fig.add_trace(go.Scatter(
        x=km, y=[r.bound_ms for r in rows], mode="markers", text=[r.client for r in rows],
        marker=dict(symbol="triangle-up", size=12, color=style.color(5)), name="bound the client knows: δ/2",
    ))
    for r, lift in zip(rows, _lifts(km), strict=True):
        fig.add_annotation(x=r.km, y=r.bound_ms, text=r.client, ax=0, ay=-lift, showarrow=True, arrowwidth=1,
                           arrowcolor="#999", arrowhead=0, standoff=6, font=dict(size=14))
    fig.add_trace(go.Scatter(
        x=km, y=[abs(r.error_ms) for r in rows], mode="markers",
        marker=dict(symbol="circle", size=10, color=style.color(0)), name="actual |error| (hidden from the client)",
    ))
    for r in rows:  # each client's error sits somewhere below its bound
        fig.add_trace(go.Scatter(x=[r.km, r.km], y=[abs(r.error_ms), r.bound_ms], mode="lines",
                                 line=dict(color="#bbb", width=1, dash="dot"), hoverinfo="skip", showlegend=False))
    style.apply(fig, f"Synchronising to a time server at {server}: uncertainty grows with distance", height=460)
    fig.update_xaxes(title=f"great-circle distance to {server} (km)", range=[-600, 1.06 * max(km + [1.0])])
    fig.update_yaxes(title="clock offset uncertainty (ms)", rangemode="tozero")
    fig.update_layout(legend=dict(x=0.01, y=0.99))
    return fig
