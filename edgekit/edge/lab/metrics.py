"""Numbers from a run's records: percentiles, the lost-write check, a one-dict summary.

Everything here reads plain records (lists of floats, ``Visibility``,
acknowledged write states) and returns plain values, so the same functions
measure the edge system and the alternatives it is compared with.

>>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50), percentile([5.0, 1.0, 3.0], 100)
(3.0, 5.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ..._checks import brief
from ..values import leq as plain_leq
from .checks import LostWrites

__all__ = ["LostWrites", "check_lost_writes", "percentile", "distribution"]


def _sample(xs, name: str = "xs") -> list:
    """``xs`` as a list of finite-or-infinite numbers; NaN (which sorts nowhere) is refused."""
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{name}={brief(xs)}: expected a list of numbers (ms)")
    out = list(xs)
    for x in out:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"{name}: {brief(x)} is not a number; expected a list of numbers (ms)")
        if x != x:
            raise ValueError(f"{name}: contains NaN; expected numbers (a NaN has no place in a sorted sample)")
    return out


def percentile(xs: Sequence[float], q: float) -> float | None:
    """The nearest-rank ``q``-th percentile (``q`` in [0, 100]); None for no data."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 <= q <= 100:
        raise ValueError(f"q={brief(q)}: expected a percentile in [0, 100]")
    s = sorted(_sample(xs))
    if not s:
        return None
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def distribution(xs: Sequence[float]) -> dict:
    """Count, mean and the usual percentiles of ``xs`` (ms); a NaN in ``xs`` is a ValueError.

    >>> distribution([2.0, 1.0, 3.0])["max"]
    3.0
    """
    s = sorted(_sample(xs))
    if not s:
        return {"n": 0, "mean": None, "p50": None, "p90": None, "p99": None, "max": None}
    n = len(s)

    def at(q):
        return s[max(0, math.ceil(q / 100 * n) - 1)]

    return {"n": n, "mean": sum(s) / n, "p50": at(50), "p90": at(90), "p99": at(99), "max": s[-1]}


def check_lost_writes(acked: Mapping[str, list], joins: Mapping[str, list],
                      root_state: Callable, site_states: Callable, leq=plain_leq) -> LostWrites:
    """For the alternative designs: every acknowledged write in the authoritative copy and in
    every copy that holds its key, after they settled.

    ``acked[key]`` lists the states the writes produced (as their clients were told),
    ``joins[key][-1]`` is their join (a copy holds all of them exactly when it holds the join),
    ``root_state(key)`` is the authoritative state and ``site_states(key)`` yields
    ``(node, state)`` for the nodes holding the key.
    """
    for name, m in (("acked", acked), ("joins", joins)):
        if not isinstance(m, Mapping):
            raise TypeError(f"{name}={brief(m)}: expected a mapping of key to a list of states")
    for name, f in (("root_state", root_state), ("site_states", site_states), ("leq", leq)):
        if not callable(f):
            raise TypeError(f"{name}={brief(f)}: expected a function")
    missing = [k for k in acked if k not in joins]
    if missing:
        raise ValueError(f"acked={brief(acked)}: keys {brief(missing)} have no entry in joins={brief(joins)}; "
                         "expected a join for every acknowledged key")
    checked = lost = 0
    problems: list = []
    for key, writes in acked.items():
        checked += len(writes)
        everything = joins[key][-1]
        root = root_state(key)
        behind = [] if leq(everything, root) else [("the authoritative copy", root)]
        behind += [(s, st) for s, st in site_states(key) if not leq(everything, st)]
        if not behind:
            continue
        missing = set()
        for node, st in behind:
            missing.update(i for i, w in enumerate(writes) if not leq(w, st))
            if len(problems) < 20:
                problems.append(f"{key}: {node} misses an acknowledged write")
        lost += len(missing)
    return LostWrites(checked, len(acked), lost, 0, tuple(problems), (("lost", lost),) if lost else ())
