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
from dataclasses import dataclass

from ..values import leq as plain_leq

__all__ = ["LostWrites", "check_lost_writes", "percentile", "distribution"]


def percentile(xs: Sequence[float], q: float) -> float | None:
    """The nearest-rank ``q``-th percentile (``q`` in [0, 100]); None for no data."""
    if not 0 <= q <= 100:
        raise ValueError(f"q={q!r}: expected a percentile in [0, 100]")
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def distribution(xs: Sequence[float]) -> dict:
    """Count, mean and the usual percentiles of ``xs`` (ms)."""
    if not xs:
        return {"n": 0, "mean": None, "p50": None, "p90": None, "p99": None, "max": None}
    s = sorted(xs)
    n = len(s)

    def at(q):
        return s[max(0, math.ceil(q / 100 * n) - 1)]

    return {"n": n, "mean": sum(s) / n, "p50": at(50), "p90": at(90), "p99": at(99), "max": s[-1]}


@dataclass(frozen=True)
class LostWrites:
    """The verdict of the lost-write check: ``lost == 0`` is the property the design promises."""

    checked: int  # acknowledged writes
    keys: int  # keys they went to
    lost: int  # writes missing at the root or at a site that holds their key
    lost_at_root: int
    lagging: tuple  # up to 20 (key, node) pairs where a copy misses an acknowledged write

    @property
    def ok(self) -> bool:
        return self.lost == 0


def check_lost_writes(acked: Mapping[str, list], joins: Mapping[str, list],
                      root_state: Callable, site_states: Callable, leq=plain_leq) -> LostWrites:
    """Check that every acknowledged write is in the root's state and in every site holding its key.

    ``acked[key]`` lists the states the writes produced, ``joins[key][-1]`` is their join (a
    copy holds all of them exactly when it holds the join), ``root_state(key)`` is the root's
    state and ``site_states(key)`` yields ``(site, state)`` for the sites holding the key.
    """
    checked = lost = at_root = 0
    lagging: list[tuple] = []
    for key, writes in acked.items():
        checked += len(writes)
        everything = joins[key][-1]
        root = root_state(key)
        behind = [] if leq(everything, root) else [("root", root)]
        behind += [(s, st) for s, st in site_states(key) if not leq(everything, st)]
        if not behind:
            continue
        missing = set()
        for node, st in behind:
            for i, w in enumerate(writes):
                if not leq(w, st):
                    missing.add(i)
                    if node == "root":
                        at_root += 1
            if len(lagging) < 20:
                lagging.append((key, node))
        lost += len(missing)
    return LostWrites(checked, len(acked), lost, at_root, tuple(lagging))
