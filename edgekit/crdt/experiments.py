"""Small seeded experiments behind chapter 4's tables and figures (plain records, no plotting).

- ``compare_sets``: one concurrent shopping-list history played on an OR-Set, a
  2P-Set and an LWW-element-set, with a replica whose clock runs ahead.
- ``sketch_accuracy``: three replicas each see part of a stream, merge their
  sketches, and the merged estimate is compared with the truth.
- ``wire_sizes``: bytes of JSON for a whole state against a delta, as the
  number of replicas (counters) or elements (sets) grows.
- ``mv_story``: a multi-value register at two PoPs, step by step, with the dotted
  version vectors (dots and causal context) that decide what each write replaces.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from .._checks import brief, check_int
from .base import StateCRDT
from .counters import GCounter
from .orset import ORSet
from .registers import MVRegister
from .sets import LWWElementSet, TwoPSet
from .sketches import BloomFilter, CountMinSketch, HyperLogLog

__all__ = ["MVStep", "mv_story", "SHOPPING", "compare_sets", "SketchPoint", "sketch_accuracy", "WireSize", "wire_sizes", "wire_bytes"]

# (step, replica, element, real time ms). Replica B's clock runs 1000 ms ahead of real time,
# so the LWW-element-set ranks B's removes above A's later adds.
SHOPPING = (
    ("add", "A", "milk", 100),
    ("sync",),
    ("remove", "B", "milk", 150),  # B removes the milk it has seen ...
    ("add", "A", "milk", 200),  # ... while A, not yet synced, adds milk again: concurrent
    ("add", "A", "eggs", 210),
    ("sync",),
    ("remove", "B", "eggs", 300),  # B removes eggs after seeing them
    ("sync",),
    ("add", "A", "eggs", 400),  # A adds eggs back, after seeing the remove: a later add
    ("sync",),
)
CLOCK_OFFSET_MS = {"A": 0, "B": 1000}


def _sizes(name: str, sizes, high: int) -> None:
    if isinstance(sizes, (str, bytes, dict)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"{name}={brief(sizes)}: expected a list of ints such as (10, 100)")
    for i, n in enumerate(sizes):
        check_int(n, f"{name}[{i}]", 1, high)


def _steps(history) -> None:
    """Each step ``("sync",)`` or ``(op, replica, element, ms)`` with op "add" or "remove"."""
    if isinstance(history, (str, bytes, dict)) or not hasattr(history, "__iter__"):
        raise TypeError(f"history={brief(history)}: expected a list of steps like ('add', 'A', 'milk', 100)")
    for step in history:
        ok = isinstance(step, tuple) and (step == ("sync",) or (
            len(step) == 4 and step[0] in ("add", "remove") and step[1] in ("A", "B")
            and not isinstance(step[3], bool) and isinstance(step[3], (int, float)) and -1e12 < step[3] < 1e12))
        if not ok:
            raise ValueError(f"history step {brief(step)}: expected ('sync',) or ('add' or 'remove', "
                             "'A' or 'B', element, ms)")


def compare_sets(history=SHOPPING, clock_offset_ms=None) -> dict[str, list[dict[str, frozenset]]]:
    """Each set type's values at both replicas after every step of ``history``.

    >>> final = {name: steps[-1]["A"] for name, steps in compare_sets().items()}
    >>> sorted(final["ORSet"]), sorted(final["TwoPSet"]), sorted(final["LWWElementSet"])
    (['eggs', 'milk'], [], [])
    """
    offsets = CLOCK_OFFSET_MS if clock_offset_ms is None else clock_offset_ms
    if not isinstance(offsets, dict) or not all(
            isinstance(r, str) and not isinstance(t, bool) and isinstance(t, (int, float)) and -1e12 < t < 1e12
            for r, t in offsets.items()):
        raise TypeError(f"clock_offset_ms={brief(clock_offset_ms)}: expected a dict replica -> offset in ms, "
                        "such as {'B': 1000}")
    _steps(history)
    mutate = {
        "ORSet": lambda s, op, r, x, t: s.add(r, x) if op == "add" else s.remove(x),
        "TwoPSet": lambda s, op, r, x, t: s.add(x) if op == "add" else s.remove(x),
        "LWWElementSet": lambda s, op, r, x, t: getattr(s, op)(r, x, t + offsets.get(r, 0)),
    }
    out = {}
    for name, cls in (("ORSet", ORSet), ("TwoPSet", TwoPSet), ("LWWElementSet", LWWElementSet)):
        reps = {"A": cls(), "B": cls()}
        steps = []
        for step in history:
            if step[0] == "sync":
                both = reps["A"] | reps["B"]
                reps = {"A": both, "B": both}
            else:
                op, r, x, t = step
                reps[r] = mutate[name](reps[r], op, r, x, t)
            steps.append({r: s.value for r, s in reps.items()})
        out[name] = steps
    return out


@dataclass(frozen=True)
class SketchPoint:
    sketch: str
    truth: int  # true distinct count (HLL, Bloom) or true number of events (count-min)
    estimate: float
    bytes: int  # the merged sketch on the wire

    @property
    def relative_error(self) -> float:
        return (self.estimate - self.truth) / self.truth if self.truth else 0.0


def sketch_accuracy(sizes=(100, 300, 1000, 3000, 10000), seed: int = 0, p: int = 10,
                    bloom_m: int = 1 << 15, cms_width: int = 128, replicas: int = 3) -> list[SketchPoint]:
    """Merged-sketch estimates against the truth; each replica sees an overlapping part of the stream.

    >>> pts = sketch_accuracy(sizes=(500,), seed=1)
    >>> sorted({pt.sketch for pt in pts})
    ['Bloom filter', 'Count-min', 'HyperLogLog']
    """
    _sizes("sizes", sizes, 100_000)
    check_int(seed, "seed", -2**63, 2**63)
    check_int(replicas, "replicas", 1, 16)
    check_int(p, "p", 4, 16)
    check_int(bloom_m, "bloom_m", 8, 1 << 24)
    check_int(cms_width, "cms_width", 2, 1 << 16)
    rng = random.Random(seed)
    out = []
    for n in sizes:
        items = [f"user-{rng.getrandbits(40)}" for _ in range(n)]
        hlls, blooms, cms = [], [], CountMinSketch(width=cms_width, depth=4)
        for r in range(replicas):
            # each replica sees about half the users; together they see all of them
            part = [x for i, x in enumerate(items) if i % replicas == r or rng.random() < 0.4]
            hlls.append(HyperLogLog(p).add_all(part))
            blooms.append(BloomFilter(m=bloom_m, k=4).add_all(part))
        h, b = hlls[0], blooms[0]
        for i in range(1, replicas):
            h, b = h | hlls[i], b | blooms[i]
        out.append(SketchPoint("HyperLogLog", n, h.value, wire_bytes(h)))
        out.append(SketchPoint("Bloom filter", n, b.value, wire_bytes(b)))
        # count-min: a skewed stream of page views, counted where each view happened; the
        # estimate is the sum of every page's estimate, so it shows the total overcount
        views: dict[tuple[str, str], int] = {}
        for _ in range(n):
            key = (f"r{rng.randrange(replicas)}", f"page-{int(rng.paretovariate(0.8))}")
            views[key] = views.get(key, 0) + 1
        for (r, page), count in sorted(views.items()):
            cms = cms.add(r, page, count)
        pages = {page for _, page in views}
        out.append(SketchPoint("Count-min", n, sum(cms.estimate(x) for x in pages), wire_bytes(cms)))
    return out


def wire_bytes(x) -> int:
    """Bytes on the wire: the length of the JSON text of ``x.to_json()``."""
    if not isinstance(x, StateCRDT):
        raise TypeError(f"x={brief(x)}: expected a CRDT value such as GCounter()")
    return len(json.dumps(x.to_json()))


@dataclass(frozen=True)
class WireSize:
    type: str
    x: int  # replicas (counters, registers) or elements (sets)
    state_bytes: int
    delta_bytes: int


def wire_sizes(counts=(1, 2, 5, 10, 20, 50), seed: int = 0) -> list[WireSize]:
    """Whole state against one update's delta, for a growing counter, set and register.

    >>> rows = wire_sizes(counts=(50,))
    >>> all(r.delta_bytes * 5 < r.state_bytes for r in rows)
    True
    """
    _sizes("counts", counts, 1_000)
    check_int(seed, "seed", -2**63, 2**63)
    rng = random.Random(seed)
    out = []
    for n in counts:
        c = GCounter()
        for i in range(n):
            c = c.increment(f"pop-{i:03d}", rng.randint(1, 1000))
        out.append(WireSize("GCounter", n, wire_bytes(c), wire_bytes(c.increment_delta("pop-000"))))
        s = ORSet()
        for i in range(n * 10):
            s = s.add(f"pop-{rng.randrange(10):03d}", f"item-{i}")
        out.append(WireSize("ORSet", n * 10, wire_bytes(s), wire_bytes(s.add_delta("pop-000", "new"))))
        r = MVRegister()
        for i in range(n):
            r = r.assign(f"pop-{i:03d}", rng.randint(0, 9))
        out.append(WireSize("MVRegister", n, wire_bytes(r), wire_bytes(r.assign_delta("pop-000", 42))))
    return out


@dataclass(frozen=True)
class MVStep:
    """One step of ``mv_story``: what happened, at which replica, and the register it left there."""

    replica: str
    what: str
    state: MVRegister
    came_from: tuple[int, ...] = ()  # indices of earlier steps merged in (a sync arrow each)


def mv_story() -> tuple[MVStep, ...]:
    """London and Sydney write one key concurrently; a client resolves the siblings with the context it
    read while Sydney writes again. Each write's dot and context decide what it replaces.

    >>> sorted(mv_story()[-1].state.value)
    ['navy', 'teal']
    """
    red = MVRegister().assign("LHR", "red")
    blue, green = red.assign("LHR", "blue"), red.assign("SYD", "green")  # concurrent: neither saw the other
    both = blue | green
    teal = both.assign("LHR", "teal", context=both.context)  # a client read both, then wrote teal
    navy = green.assign("SYD", "navy")  # Sydney, not yet synced, overwrites green only
    return (
        MVStep("LHR", "write red", red),
        MVStep("SYD", "sync", red, (0,)),
        MVStep("LHR", "write blue", blue, (0,)),
        MVStep("SYD", "write green", green, (1,)),
        MVStep("LHR", "sync: siblings", both, (2, 3)),
        MVStep("LHR", "read both, write teal", teal, (4,)),
        MVStep("SYD", "write navy", navy, (3,)),
        MVStep("LHR", "sync", teal | navy, (5, 6)),
    )
