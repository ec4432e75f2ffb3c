"""Timelines of histories: one row per client, a bar from each call to its return.

The operations that cannot be ordered (a counterexample from
``edgekit.checkers``) are drawn hatched, in vermillion, and lettered A, B, C as
in the explanation text; operations that never returned or whose outcome is
unknown are dotted and run to the right edge. Colour is never the only cue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import plotly.graph_objects as go

from edgekit.checkers.explain import letters
from edgekit.checkers.history import Operation, describe, interval, is_open, validate_history
from edgekit.checkers.linearizability import LinearizabilityResult

from .._checks import brief
from . import style

__all__ = ["history_timeline", "counterexample_timeline"]

PLAIN = style.OKABE_ITO[0]  # blue
OPEN = style.OKABE_ITO[4]  # sky blue
BAD = style.OKABE_ITO[5]  # vermillion


def _rows(ops: list[Operation]) -> list[str]:
    first: dict = {}
    for op in sorted(ops, key=lambda o: o.call):
        first.setdefault(op.client, op.call)
    return [f"client {c}" for c in first]


def history_timeline(
    history: Iterable[Operation],
    highlight: Iterable[Operation] = (),
    title: str | None = None,
) -> go.Figure:
    """A timeline of ``history``; operations in ``highlight`` hatched and lettered A, B, C ...

    >>> fig = history_timeline([Operation("a", 0, 2, ("write", 1))])
    >>> fig.data[0].name
    'operation'
    """
    ops = validate_history(history)
    marked = list(highlight)
    name = letters(sorted(marked, key=lambda o: o.call))
    ends = [op.ret for op in ops if op.ret < math.inf] + [op.call for op in ops]
    lo, hi = (min(ends), max(ends)) if ends else (0.0, 1.0)
    edge = hi + max(0.05 * (hi - lo), 1e-9 + 0.5)  # where open operations are cut off
    groups: dict[str, list[Operation]] = {"operation": [], "never returned / outcome unknown": [], "cannot be ordered": []}
    for op in ops:
        if id(op) in name:
            groups["cannot be ordered"].append(op)
        elif is_open(op):
            groups["never returned / outcome unknown"].append(op)
        else:
            groups["operation"].append(op)
    look = {
        "operation": (PLAIN, "", 0.75),
        "never returned / outcome unknown": (OPEN, ".", 0.6),
        "cannot be ordered": (BAD, "/", 0.95),
    }
    fig = go.Figure()
    for group, members in groups.items():
        colour, pattern, opacity = look[group]
        ends_at = [edge if op.ret == math.inf else op.ret for op in members]
        patterns = ["x" if group == "cannot be ordered" and is_open(op) else pattern for op in members]
        fig.add_trace(
            go.Bar(
                name=group,
                orientation="h",
                base=[op.call for op in members],
                x=[max(end - op.call, 1e-9) for op, end in zip(members, ends_at, strict=True)],
                y=[f"client {op.client}" for op in members],
                text=[describe(op) for op in members],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                hovertext=[f"client {op.client}: {describe(op)}<br>{interval(op)}" for op in members],
                hoverinfo="text",
                marker=dict(color=colour, opacity=opacity, pattern=dict(shape=patterns, fgcolor="white"),
                            line=dict(color="black", width=1.5 if group == "cannot be ordered" else 0.5)),
                width=0.6,
                showlegend=True,
            )
        )
    if marked:
        core = groups["cannot be ordered"]
        fig.add_trace(
            go.Scatter(
                name="lettered as in the explanation",
                x=[op.call for op in core],
                y=[f"client {op.client}" for op in core],
                mode="markers+text",
                marker=dict(symbol="star", size=16, color=BAD, line=dict(color="black", width=1)),
                text=[f"<b>{name[id(op)]}</b>" for op in core],  # the bar itself says what the operation is
                textposition="middle left",
                textfont=dict(size=style.FONT_SIZE + 2),
                cliponaxis=False,
                hoverinfo="skip",
            )
        )
    rows = _rows(ops)
    style.apply(fig, title, height=150 + 56 * max(len(rows), 2))
    fig.update_layout(
        barmode="overlay",
        bargap=0.45,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        margin=dict(t=110 if title else 70),
    )
    fig.update_xaxes(title="time (ms)", range=[lo - 0.06 * (edge - lo), edge])  # room for the letters
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows)), title=None)
    return fig


def counterexample_timeline(
    result: LinearizabilityResult, context: str = "window", title: str | None = None
) -> go.Figure:
    """The operations of a failed check, the counterexample hatched and lettered.

    ``context``: ``"window"`` (also the operations overlapping the counterexample's
    time span), ``"all"`` (the whole failing part) or ``"none"``.
    """
    if context not in ("window", "all", "none"):
        raise ValueError(f"context={brief(context)}: expected 'window', 'all' or 'none'")
    if result.ok is not False:
        why = "the history is linearizable" if result.ok else "the check ran out of budget (unknown)"
        raise ValueError(f"result: {why}, so there is no counterexample to draw")
    core = result.counterexample
    if context == "none":
        shown = list(core)
    elif context == "all":
        shown = list(result.failed_ops)
    else:
        start = min(op.call for op in core)
        stop = max((op.ret for op in core if op.ret < math.inf), default=max(op.call for op in core))
        shown = [op for op in result.failed_ops if op.call <= stop and op.ret >= start]
    if title is None:
        where = "" if result.failed_part is None else f" (key {result.failed_part!r})"
        title = f"{len(core)} operations that cannot be ordered{where}"
    return history_timeline(shown, highlight=core, title=title)
