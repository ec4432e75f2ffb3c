"""Chapter 4's figures: a lattice as a Hasse diagram, sketch error, state and delta sizes."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from edgekit.crdt.experiments import MVStep, SketchPoint, WireSize
from edgekit.crdt.lattice import Hasse, describe

from . import style

__all__ = ["hasse_figure", "sketch_figure", "wire_size_figure", "REPLICA_SYMBOLS"]

REPLICA_SYMBOLS = ("circle", "square", "diamond")


def _layout(h: Hasse) -> list[tuple[float, float]]:
    """x spread evenly within each rank, y = rank (bottom at the bottom)."""
    by_rank: dict[int, list[int]] = {}
    for i, r in enumerate(h.rank):
        by_rank.setdefault(r, []).append(i)
    pos = [(0.0, 0.0)] * len(h.nodes)
    for r, idx in by_rank.items():
        for k, i in enumerate(idx):
            pos[i] = (k - (len(idx) - 1) / 2, float(r))
    return pos


def _hasse_traces(h: Hasse, marks: dict[str, int] | None = None) -> list[dict]:
    """The diagram's traces as plain dicts: edges, states, one per replica."""
    marks = marks or {}
    pos = _layout(h)
    ex, ey = [], []
    for i, j in h.edges:
        ex += [pos[i][0], pos[j][0], None]
        ey += [pos[i][1], pos[j][1], None]
    labels = [describe(s) for s in h.nodes]
    traces = [
        dict(x=ex, y=ey, mode="lines", line=dict(color="#999999", width=1.5), hoverinfo="skip",
             name="covers (a < b, nothing between)"),
        dict(x=[p[0] for p in pos], y=[p[1] for p in pos], mode="markers+text",
             text=[t.replace(" seen ", "<br>seen ") for t in labels], textposition="bottom center",
             textfont=dict(size=11), hovertext=labels, hoverinfo="text",
             marker=dict(size=10, color="#ffffff", line=dict(color="#555555", width=1.5)), name="state"),
    ]
    for k, (replica, node) in enumerate(sorted(marks.items())):
        # left of its state, side by side when replicas share one; symbol + colour + label
        x, y = pos[node]
        traces.append(dict(
            x=[x - 0.3 + 0.09 * k], y=[y], mode="markers+text", text=[replica],
            textposition="top center", name=f"replica {replica}",
            marker=dict(size=15, symbol=REPLICA_SYMBOLS[k % 3], color=style.color(k)),
        ))
    return traces


def _hasse_xrange(h: Hasse) -> list[float]:
    """Room for the widest rank and its labels."""
    widest = max([h.rank.count(r) for r in set(h.rank)] + [3])
    return [-widest / 2 - 0.2, widest / 2 + 0.2]


def _hasse_title(h: Hasse) -> str:
    note = "" if h.complete else " (cut off: more joins exist)"
    return f"The lattice of the states seen so far{note}"


def hasse_figure(h: Hasse, marks: dict[str, int] | None = None, title: str | None = None) -> go.Figure:
    """The lattice ``h`` with each replica's current state marked (``marks``: replica -> node)."""
    fig = go.Figure([go.Scatter(**t) for t in _hasse_traces(h, marks)])
    style.apply(fig, title or _hasse_title(h), height=460)
    fig.update_xaxes(visible=False, range=_hasse_xrange(h))
    fig.update_yaxes(title="rank (longest chain up from the bottom)", dtick=1, zeroline=False,
                     range=[-0.7, max(h.rank, default=0) + 0.4])
    return fig


def sketch_figure(points: Sequence[SketchPoint]) -> go.Figure:
    """Merged sketch estimate against the truth (log-log, left) and its relative error (right)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("estimate against truth", "relative error"),
                        horizontal_spacing=0.12)
    truths = sorted({p.truth for p in points})
    fig.add_trace(go.Scatter(x=truths, y=truths, mode="lines", name="estimate = truth",
                             line=dict(color="#000000", dash="dot")), row=1, col=1)
    fig.add_hline(y=0, line=dict(color="#000000", dash="dot", width=1), row=1, col=2)
    for k, name in enumerate(dict.fromkeys(p.sketch for p in points)):
        pts = [p for p in points if p.sketch == name]
        common = dict(mode="markers+lines", legendgroup=name,
                      marker=dict(symbol=style.symbol(k), size=11, color=style.color(k)),
                      line=dict(dash=style.dash(k), color=style.color(k)),
                      customdata=[[100 * p.relative_error, p.bytes] for p in pts],
                      hovertemplate=name + ": truth %{x}, estimate off by %{customdata[0]:+.1f}%, "
                                           "%{customdata[1]} bytes<extra></extra>")
        fig.add_trace(go.Scatter(x=[p.truth for p in pts], y=[p.estimate for p in pts], name=name, **common),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=[p.truth for p in pts], y=[100 * p.relative_error for p in pts], name=name,
                                 showlegend=False, **common), row=1, col=2)
    style.apply(fig, "Merged sketches (3 replicas): estimate against truth", height=440)
    fig.update_xaxes(type="log", dtick=1, title_text="truth (distinct users; count-min: events)")
    fig.update_yaxes(type="log", dtick=1, title_text="estimate", row=1, col=1)
    fig.update_yaxes(title_text="error (%)", ticksuffix="%", row=1, col=2)
    return fig


def wire_size_figure(rows: Sequence[WireSize]) -> go.Figure:
    """Bytes of JSON for the whole state (solid) against one update's delta (dashed)."""
    fig = go.Figure()
    for k, t in enumerate(dict.fromkeys(r.type for r in rows)):
        rs = [r for r in rows if r.type == t]
        unit = "elements" if t == "ORSet" else "replicas"
        for kind, attr, dash in (("state", "state_bytes", "solid"), ("delta", "delta_bytes", "dash")):
            fig.add_trace(go.Scatter(
                x=[r.x for r in rs], y=[getattr(r, attr) for r in rs], mode="lines+markers",
                name=f"{t} {kind}", line=dict(color=style.color(k), dash=dash),
                marker=dict(symbol=style.symbol(k), size=9),
                hovertemplate=f"{t} {kind}: %{{x}} {unit}, %{{y}} bytes<extra></extra>",
            ))
    style.apply(fig, "On the wire: whole state against one delta", height=440)
    fig.update_xaxes(type="log", dtick=1, title="replicas that wrote (ORSet: elements)")
    fig.update_yaxes(type="log", dtick=1, title="bytes of JSON")
    return fig


def _dvv_text(step: MVStep) -> str:
    sib = "<br>".join(f"{v} · ({d.replica},{d.counter})" for d, v in sorted(step.state.entries, key=str))
    vv = ", ".join(f"{r}:{n}" for r, n in step.state.context.vv.to_json().items())
    cloud = "".join(f" +({d.replica},{d.counter})" for d in sorted(step.state.context.cloud, key=str))
    return f"<b>{step.what}</b><br>{sib}<br><i>context {{{vv}}}{cloud}</i>"


def dvv_figure(story: Sequence[MVStep]) -> go.Figure:
    """A multi-value register's dotted version vectors, step by step: one lane per replica, each box a
    state (siblings as ``value · (replica, counter)``, then the causal context), arrows for syncs."""
    lanes = list(dict.fromkeys(s.replica for s in story))
    y = {r: -1.6 * i for i, r in enumerate(lanes)}
    fig = go.Figure()
    for r in lanes:
        fig.add_shape(type="line", x0=-0.5, x1=len(story) - 0.5, y0=y[r], y1=y[r], line=dict(color="#bbb", width=2))
        fig.add_annotation(x=-0.55, y=y[r], text=f"<b>{r}</b>", showarrow=False, xanchor="right",
                           font=dict(size=16))
    for i, st in enumerate(story):
        for j in st.came_from:
            src = story[j]
            if src.replica != st.replica:  # a sync message from the other replica
                fig.add_annotation(x=i, y=y[st.replica], ax=j, ay=y[src.replica], xref="x", yref="y", axref="x",
                                   ayref="y", showarrow=True, arrowhead=3, arrowsize=1.4, arrowwidth=2,
                                   arrowcolor=style.color(1), standoff=36, startstandoff=30, text="")
        fig.add_annotation(x=i, y=y[st.replica], text=_dvv_text(st), showarrow=False, align="left",
                           bgcolor="#ffffff", bordercolor=style.color(0), borderwidth=1.5, borderpad=4,
                           font=dict(size=12))
    fig.update_xaxes(visible=False, range=[-1.2, len(story) - 0.4])
    fig.update_yaxes(visible=False, range=[min(y.values()) - 0.7, 0.7])
    fig.add_annotation(text="orange arrows: a sync delivers one replica's state to the other", showarrow=False,
                       xref="paper", yref="paper", x=0, y=-0.02, xanchor="left", font=dict(size=13))
    return style.apply(fig, "A multi-value register's dotted version vectors: dots name writes, the context "
                            "says what each write saw", height=460)
