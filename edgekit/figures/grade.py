"""Chapter 6's figure: a graded run as a space-time diagram, the offending message highlighted.

One lane per node (the learner's PoP on top, then its upstream, the root, and the other
PoPs that had clients in the run), true time across. Client operations are markers on their
PoP's lane, labelled with what the client was told; each message is an arrow from send to
arrival (two arrows for a duplicate); a lost message stops half way at a cross. Crashes
shade their node's lane until the restart, cuts shade the time they last. The message the
grader's diagnosis points at is drawn thick, in vermillion.
"""

from __future__ import annotations

import plotly.graph_objects as go

from edgekit.figures import style
from edgekit.grade.checks import fmt
from edgekit.grade.scenario import ROOT

__all__ = ["run_figure", "lanes"]

_HOT = style.color(5)  # vermillion: the offending message
_MSG = style.color(0)
_DROP = "#999"


def lanes(scenario) -> list[str]:
    """The nodes drawn, top to bottom."""
    out = [scenario.learner]
    if scenario.upstream is not None:
        out.append(scenario.upstream)
        if scenario.upstream != ROOT:
            out.append(ROOT)
        out += sorted({o.site for o in scenario.ops} - set(out))
    return out


def _label(entries: dict) -> str:
    return ", ".join(f"{k}: {'∅' if v is None else v.value}" for k, v in entries.items()) or "empty"


def run_figure(scenario, trace, highlight: int | None = None, key: str | None = None,
               title: str | None = None, until: float | None = None) -> go.Figure:
    """The run in ``trace`` as a space-time diagram (see the module docstring)."""
    names = lanes(scenario)
    y = {n: -i for i, n in enumerate(names)}
    times = [m.time for m in trace.messages] + [o.time for o in trace.ops] + [1.0]
    t_end = until if until is not None else max(times) * 1.03 + 20
    fig = go.Figure()
    annots: list[dict] = []
    shapes: list[dict] = []
    for n in names:
        fig.add_trace(go.Scatter(x=[0, t_end], y=[y[n]] * 2, mode="lines", line=dict(color="#bbb", width=1),
                                 hoverinfo="skip", showlegend=False))
        annots.append(dict(x=0, y=y[n], text=f"<b>{n}</b>", showarrow=False, xanchor="right", xshift=-8,
                           font=dict(size=13)))
    down = {}
    for f in trace.faults:
        if f.kind == "crash":
            down[f.nodes[0]] = f.time
        elif f.kind == "restart" and f.nodes[0] in down and f.nodes[0] in y:
            yy = y[f.nodes[0]]
            shapes.append(dict(type="rect", x0=down.pop(f.nodes[0]), x1=f.time, y0=yy - 0.12, y1=yy + 0.12,
                               fillcolor="rgba(213,94,0,0.25)", line=dict(width=0)))
        elif f.kind == "cut":
            down[f.nodes] = f.time
        elif f.kind == "heal" and f.nodes in down and all(n in y for n in f.nodes):
            ys = sorted(y[n] for n in f.nodes)
            shapes.append(dict(type="rect", x0=down.pop(f.nodes), x1=f.time, y0=ys[0], y1=ys[1],
                               fillcolor="rgba(150,150,150,0.18)", line=dict(width=0)))
    lost_x, lost_y, lost_text = [], [], []
    shown = [m for m in trace.messages if m.src in y and m.dst in y and m.time <= t_end
             and (key is None or key in m.entries or m.id == highlight)]
    mine = [m for m in shown if scenario.learner in (m.src, m.dst)]
    for m in shown:
        hot = m.id == highlight
        colour, width = (_HOT, 4) if hot else ((_MSG, 1.5) if m.delivered else (_DROP, 1.5))
        text = f"#{m.sync_id} {{{_label(m.entries)}}}"
        if m.delivered:
            for t in m.delivered:
                annots.append(dict(x=t, y=y[m.dst], ax=m.time, ay=y[m.src], xref="x", yref="y", axref="x",
                                   ayref="y", showarrow=True, arrowhead=3, arrowsize=1.1, arrowwidth=width,
                                   arrowcolor=colour, text=""))
            mid_t = (m.time + m.delivered[0]) / 2
        else:
            mid_t = m.time + 20
            fig.add_trace(go.Scatter(x=[m.time, mid_t], y=[y[m.src], (y[m.src] + y[m.dst]) / 2], mode="lines",
                                     line=dict(color=colour, width=width, dash="dot"), hoverinfo="skip",
                                     showlegend=False))
            lost_x.append(mid_t)
            lost_y.append((y[m.src] + y[m.dst]) / 2)
            lost_text.append(f"{m.src} → {m.dst} {text}: {m.dropped}")
        if hot or (len(mine) <= 6 and m in mine):  # label the learner's messages while they are few
            annots.append(dict(x=mid_t, y=(y[m.src] + y[m.dst]) / 2, text=("<b>" if hot else "") + text
                               + ("</b>" if hot else ""), showarrow=False,
                               font=dict(size=11, color=_HOT if hot else "#555"), bgcolor="rgba(255,255,255,0.8)"))
    if lost_x:
        fig.add_trace(go.Scatter(x=lost_x, y=lost_y, mode="markers", name="lost message",
                                 marker=dict(symbol="x", size=12, color=_DROP), text=lost_text,
                                 hovertemplate="%{text}<extra></extra>"))
    for kind, symbol, k in (("write", "diamond", 2), ("read", "circle", 1)):
        ops = [o for o in trace.ops if o.kind == kind and o.site in y and o.time <= t_end
               and (not o.probe or (o.site == scenario.learner and (key is None or o.key == key)))]
        if not ops:
            continue
        text = [(f"{o.key} +{o.n}" if kind == "write" else f"{o.key}→{'∅' if o.value is None else o.value.value}")
                if o.ok else "down" for o in ops]
        fig.add_trace(go.Scatter(
            x=[o.time for o in ops], y=[y[o.site] for o in ops], mode="markers+text", text=text,
            textposition="top center", textfont=dict(size=11), name=f"client {kind}",
            marker=dict(symbol=symbol, size=11, color=style.color(k), line=dict(width=1, color="#000")),
            customdata=[fmt(o.value) if o.ok else "unavailable" for o in ops],
            hovertemplate="%{x:.0f} ms: %{text}<br>told %{customdata}<extra></extra>"))
    style.apply(fig, title or "A graded run", height=max(320, 160 + 90 * len(names)))
    fig.update_xaxes(title="time (ms)", range=[-t_end * 0.02, t_end], zeroline=False)
    fig.update_yaxes(visible=False, range=[-len(names) + 0.5, 0.7])
    fig.update_layout(margin=dict(l=110, t=90), annotations=annots, shapes=shapes,
                      legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"))
    return fig
