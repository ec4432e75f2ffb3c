"""Causality in a history: node events, happens-before as graph reachability, clock stamps.

The *events* of a run are what nodes did: sends, deliveries, timers and the
records nodes made themselves (network-side records such as drops are not
node events). Lamport's happens-before is the smallest relation that
contains (1) the order of events at each node and (2) each send before its
deliveries, and is transitive. ``Causality`` computes it directly by graph
reachability, an oracle that needs no clock, and separately replays the
clock rules of ``edgekit.clocks`` over the same events, so each can be
checked against the other and drawn side by side.

>>> from edgekit.sim.workloads import chatter_run
>>> net = chatter_run(seed=2, places=[(0, 0), (0, 90), (0, 180)], until_ms=600, rtt=lambda a, b: 100.0)
>>> cz = Causality.from_network(net)
>>> e = cz.events
>>> all(cz.happens_before(i, j) == happens_before(e[i].vector, e[j].vector)
...     for i in range(len(e)) for j in range(len(e)))
True
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from .._checks import brief, check_items
from ..clocks.hlc import HLC
from ..clocks.lamport import LamportClock
from ..clocks.physical import PhysicalClock
from ..clocks.vector import VectorClock, happens_before
from .history import Record

__all__ = ["Event", "Causality", "NOT_NODE_EVENTS", "happens_before"]

# Records the network or the fault model makes, not a node.
NOT_NODE_EVENTS = frozenset({"drop", "duplicate", "crash", "restart", "cut", "heal"})
_PERFECT = PhysicalClock()
# Before its first event a node's HLC has heard of no time at all (clocks may read < 0 early on).
_HLC0 = HLC(-math.inf, 0)


@dataclass(frozen=True)
class Event:
    """A node event with every kind of timestamp the chapter compares."""

    index: int
    record: Record
    wall: float  # the node's physical clock reading (true time through offset and drift)
    lamport: int
    vector: VectorClock
    hlc: HLC

    @property
    def node(self) -> Hashable:
        return self.record.node

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def time(self) -> float:
        """True (simulated) time, which no node can read."""
        return self.record.time

    def label(self) -> str:
        r = self.record
        what = {"send": f"send to {r.peer}", "deliver": f"receive from {r.peer}"}.get(r.kind, r.kind)
        return f"e{self.index} {r.node}: {what}"


class Causality:
    """Happens-before among a history's node events, and their Lamport, vector and HLC stamps."""

    def __init__(self, history: Iterable[Record], clocks: Mapping[Hashable, PhysicalClock] | None = None,
                 exclude: Iterable[str] = ()) -> None:
        history = check_items(history, "history", Record, "an iterable of Records (e.g. net.history)")
        if clocks is not None and not isinstance(clocks, Mapping):
            raise TypeError(f"clocks={brief(clocks)}: expected a mapping of node to PhysicalClock, or None")
        clocks = dict(clocks or {})
        skip = NOT_NODE_EVENTS | frozenset(check_items(exclude, "exclude", str, "an iterable of event kinds"))  # e.g. exclude=("timer",) for tidier diagrams
        events: list[Event] = []
        preds: list[tuple[int, ...]] = []
        last: dict[Hashable, int] = {}  # node -> index of its latest event
        sent: dict[int, int] = {}  # msg_id -> index of the send event
        lam: dict[Hashable, LamportClock] = {}
        vec: dict[Hashable, VectorClock] = {}
        hyb: dict[Hashable, HLC] = {}
        for r in history:
            if r.kind in skip or r.node is None:
                continue
            i, n = len(events), r.node
            p = [last[n]] if n in last else []
            pt = clocks.get(n, _PERFECT).read(r.time)
            L, V, H = lam.get(n, LamportClock()), vec.get(n, VectorClock()), hyb.get(n, _HLC0)
            src = sent.get(r.msg_id) if r.kind == "deliver" else None
            if src is not None:
                s = events[src]
                p.append(src)
                L, V, H = L.receive(s.lamport), V.merge(s.vector).tick(n), H.receive(s.hlc, pt)
            else:  # sends and local events tick alike (a delivery whose send was not recorded too)
                L, V, H = L.tick(), V.tick(n), H.tick(pt)
            if r.kind == "send":
                sent[r.msg_id] = i
            lam[n], vec[n], hyb[n] = L, V, H
            events.append(Event(i, r, pt, L.time, V, H))
            preds.append(tuple(p))
            last[n] = i
        self.events = events
        self.preds = preds
        # anc[j]: bit i set when event i happened before event j (history order is topological).
        anc: list[int] = []
        for ps in preds:
            a = 0
            for q in ps:
                a |= anc[q] | (1 << q)
            anc.append(a)
        self._anc = anc

    @classmethod
    def from_network(cls, net, exclude: Iterable[str] = ()) -> Causality:
        """Events of ``net.history`` stamped with each node's own physical clock."""
        if not all(hasattr(net, a) for a in ("history", "nodes", "context")):
            raise TypeError(f"net={brief(net)}: expected a Network (with .history, .nodes and .context)")
        return cls(net.history, {n: net.context(n).clock_model for n in net.nodes}, exclude)

    def __len__(self) -> int:
        return len(self.events)

    def _check(self, i, name: str) -> int:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.events):
            raise ValueError(f"{name}={brief(i)}: expected an event index in [0, {len(self.events) - 1}]")
        return i

    def happens_before(self, i: int, j: int) -> bool:
        """Whether event ``i`` happened before event ``j`` (reachability: the oracle)."""
        return bool(self._anc[self._check(j, "j")] >> self._check(i, "i") & 1)

    def concurrent(self, i: int, j: int) -> bool:
        return i != j and not self.happens_before(i, j) and not self.happens_before(j, i)

    def relation(self, i: int, j: int) -> str:
        """"before", "after", "concurrent" or "same", read as: event i is ... event j."""
        if self._check(i, "i") == self._check(j, "j"):
            return "same"
        if self.happens_before(i, j):
            return "before"
        return "after" if self.happens_before(j, i) else "concurrent"

    def path(self, i: int, j: int) -> list[int] | None:
        """A shortest causal chain of events from ``i`` to ``j``, or None when i did not happen before j."""
        if not self.happens_before(i, j):
            return None
        # Walk back from j along direct predecessors that still descend from i: breadth-first
        # over at most the events between them, fewest hops first.
        came: dict[int, int] = {j: -1}
        frontier = [j]
        while i not in came:
            nxt = []
            for k in frontier:
                for q in self.preds[k]:
                    if q not in came and (q == i or self._anc[q] >> i & 1):
                        came[q] = k
                        nxt.append(q)
            frontier = nxt
        out, k = [], i
        while k != -1:
            out.append(k)
            k = came[k]
        return out

    def messages(self) -> list[tuple[int, int]]:
        """(send event, delivery event) pairs."""
        return [(ps[-1], j) for j, ps in enumerate(self.preds)
                if self.events[j].kind == "deliver" and ps and self.events[ps[-1]].kind == "send"
                and self.events[ps[-1]].record.msg_id == self.events[j].record.msg_id]
