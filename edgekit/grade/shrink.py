"""Shrinking: the smallest run that still fails the same way, as Hypothesis shrinks its examples.

A scenario's operations and faults are a list of independent choices. ``shrink`` removes
them in chunks, halving the chunk size when nothing can go (Zeller's ddmin), keeping a
removal only if the run still fails *the same way*: the same check and the same
misconception, so shrinking cannot wander off to another bug. Then it tries one simpler
value per choice (a write of +1, a fault that lasts less, or that hits an earlier message,
which may let more operations go), and starts over until nothing changes. The result is
1-minimal for removals: taking away any single operation or fault makes the failure go away.

Every run is deterministic, so the same failing scenario always shrinks to the same one.
A budget of runs and seconds bounds the search; what it returns always fails.

>>> fails = lambda s: sum(o.n for o in s.ops) >= 3      # fails with at least 3 increments
>>> from edgekit.grade.scenario import Op, Scenario
>>> big = Scenario(1, 0, "LHR", None, ops=tuple(Op(float(t), "LHR", "write", "a", 1) for t in range(9)))
>>> small = shrink(big, fails)
>>> small.size, sum(o.n for o in small.ops)
(3, 3)
"""

from __future__ import annotations

import time
from dataclasses import replace

from .scenario import Crash, Cut, Drop, Duplicate, Hold, Op

__all__ = ["shrink", "MAX_RUNS", "MAX_SECONDS"]

MAX_RUNS = 400
MAX_SECONDS = 6.0


def _simpler(item) -> list:
    """Candidates one step simpler than ``item`` (an operation or a fault)."""
    if isinstance(item, Op) and item.kind == "write" and item.n > 1:
        return [replace(item, n=1)]
    out = []
    if isinstance(item, (Drop, Duplicate, Hold)) and item.nth > 1:
        out.append(replace(item, nth=item.nth - 1))  # an earlier message: fewer operations may do
    if isinstance(item, (Duplicate, Hold)) and item.extra_ms > 50:
        out.append(replace(item, extra_ms=50.0))
    if out:
        return out
    if isinstance(item, (Cut, Crash)) and item.until - item.at > 100:
        return [replace(item, until=item.at + (item.until - item.at) // 2)]
    return []


def shrink(scenario, fails, max_runs: int = MAX_RUNS, max_seconds: float = MAX_SECONDS):
    """The smallest variant of ``scenario`` found for which ``fails(variant)`` is still true."""
    deadline = time.perf_counter() + max_seconds
    runs = [0]

    def build(items):
        return replace(scenario, ops=tuple(x for k, x in items if k == "op"),
                       faults=tuple(x for k, x in items if k == "fault"))

    def still(items) -> bool:
        if runs[0] >= max_runs or time.perf_counter() > deadline:
            return False
        runs[0] += 1
        return fails(build(items))

    items = [("op", o) for o in scenario.ops] + [("fault", f) for f in scenario.faults]
    while True:
        before = list(items)
        items = _ddmin(items, still)
        items = _simplify(items, still)
        if items == before:
            return build(items)


def _ddmin(items: list, still) -> list:
    """Remove chunks of choices while the run still fails (Zeller's ddmin)."""
    n = 2
    while len(items) > 1:
        size = -(-len(items) // n)
        for start in range(0, len(items), size):
            candidate = items[:start] + items[start + size:]
            if still(candidate):
                items, n = candidate, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
    if len(items) == 1 and still([]):
        items = []
    return items


def _simplify(items: list, still) -> list:
    """Replace choices by simpler ones while the run still fails."""
    changed = True
    while changed:
        changed = False
        for i, (kind, x) in enumerate(items):
            for y in _simpler(x):
                candidate = items[:i] + [(kind, y)] + items[i + 1:]
                if still(candidate):
                    items, changed = candidate, True
                    break
    return items
