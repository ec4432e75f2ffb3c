"""Chapter 5's pictures of tiers: where a request's time goes, and a PoP's store as an LRU cache.

Builders take the plain records of ``edgekit.edge.lab.ladder`` and ``.capacity`` and return a
``go.Figure``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from edgekit.figures import style

__all__ = ["ladder_figure", "lru_figure"]


def ladder_figure(rungs: Sequence) -> go.Figure:
    """Each tier's cost on one log axis (a tick per decade), with the 10%-90% band of each route."""
    rungs = list(rungs)
    if not rungs:
        raise ValueError("rungs=[]: expected the result of edgekit.edge.lab.ladder.request_ladder()")
    labels = [f"{r.label}: <b>{_ms(r.ms)}</b>" + (f" ({_ms(r.low)}–{_ms(r.high)})" if r.high > r.low else "")
              for r in rungs]
    fig = go.Figure(go.Bar(
        y=labels, x=[r.ms for r in rungs], orientation="h",
        error_x=dict(type="data", symmetric=False, array=[r.high - r.ms for r in rungs],
                     arrayminus=[r.ms - r.low for r in rungs], thickness=2, width=8, color="#000"),
        marker=dict(color=[style.color(0 if r.high < 1 else 1 if r.high < 20 else 5) for r in rungs],
                    pattern_shape=["" if r.high < 1 else "/" if r.high < 20 else "x" for r in rungs]),
        customdata=[r.how for r in rungs], hovertemplate="%{y}<br>%{customdata}<extra></extra>"))
    top = max(r.high for r in rungs)
    fig.update_xaxes(type="log", dtick=1, range=[-2, math.log10(top) + 0.2], title="ms (log: a tick per decade)")
    fig.update_yaxes(autorange="reversed")
    return style.apply(fig, "Where a request's time goes: microseconds here, hundreds of ms away", height=440)


def _ms(v: float) -> str:
    return f"{v * 1000:.0f} µs" if v < 0.1 else f"{v:.1f} ms" if v < 10 else f"{v:.0f} ms"


def lru_figure(steps: Sequence) -> go.Figure:
    """Keys (rows) by step (columns): held and clean, held and dirty (pinned), or evicted in that step."""
    steps = list(steps)
    if not steps:
        raise ValueError("steps=[]: expected the result of edgekit.edge.lab.capacity.lru_story()")
    keys = sorted({k for s in steps for k in (*s.held, *s.evicted)})
    cols = [f"{s.number}. {s.label}" for s in steps]
    kinds = (("held, clean (evictable)", "circle", style.color(0)),
             ("held, dirty (pinned until a sync covers it)", "square", style.color(1)),
             ("evicted in this step", "x-thin-open", "#777"))
    fig = go.Figure()
    for j, (name, symbol, colour) in enumerate(kinds):
        xs, ys = [], []
        for s, col in zip(steps, cols, strict=True):
            pick = ([k for k in s.held if k not in s.dirty], list(s.dirty), list(s.evicted))[j]
            xs += [col] * len(pick)
            ys += pick
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=name,
                                 marker=dict(symbol=symbol, size=18, color=colour, line=dict(width=3, color=colour))))
    for s, col in zip(steps, cols, strict=True):
        over = s.over_capacity
        fig.add_annotation(x=col, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"{len(s.held)}/{s.capacity}" + (" over!" if over else ""),
                           font=dict(color=style.color(5) if over else "#333", size=15))
    fig.update_yaxes(categoryorder="array", categoryarray=keys[::-1], title="key")
    fig.update_xaxes(categoryorder="array", categoryarray=cols, tickangle=-30)
    style.apply(fig, f"A PoP holds {steps[0].capacity} keys: clean ones are evicted, dirty ones are pinned",
                height=600)
    fig.update_layout(legend=dict(orientation="h", y=1.16, x=0), margin=dict(t=150))
    return fig
