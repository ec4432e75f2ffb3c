"""The bench the alternatives run on: nodes at PoPs, the same clients, the same meter and checks.

The talk rejects two designs before it picks hub and spoke: a single write
primary (``edgekit.edge.lab.primary``) and a gossip mesh (``edgekit.edge.lab.gossip``).
To compare them with ``EdgeSystem`` fairly they must meet the same clients,
the same network, the same faults and the same referee. ``Bench`` provides
those: one node per PoP on an ``edgekit.sim.Network`` at its real place, the
``Workload`` driven in as one simulator event per client operation, an
``Observer`` (the run's oracle, from ``edgekit.edge.lab.observe``) told about every
operation and every change of a node's state, a ``WireMeter`` counting WAN
messages and their JSON bytes, and ``settle`` + ``lost_writes`` at the end.

A design is a subclass that adds its nodes and says when it is *quiet*
(nothing left to propagate). Its nodes subclass ``BenchNode``: they serve
``read(ctx, key)`` and ``write(ctx, key, i)`` and report the outcome to the
observer themselves, at once or when a reply comes back.

>>> import json
>>> m = WireMeter()
>>> class Msg:
...     def to_json(self): return {"type": "Hello", "n": 1}
>>> m.count(Msg()); (m.messages, m.bytes) == (1, len(json.dumps({"type": "Hello", "n": 1})))
True
"""

from __future__ import annotations

import json
import math

from edgekit.sim import FaultModel, LatencyModel, Network, Simulator
from edgekit.sim.node import Node

from ..._checks import brief
from ..messages import Outcome
from ..topology import _check_sites, site_place
from ..values import VALUE_TYPES
from .metrics import LostWrites, check_lost_writes
from .observe import Observer

__all__ = ["Bench", "BenchNode", "WireMeter", "FAILED", "check_positive", "progress_iter"]

FAILED = Outcome(False, None, None)  # what a client gets from a PoP that cannot serve it


def check_positive(name: str, v, *, integer: bool = False, what: str = "") -> None:
    """ValueError naming ``name`` unless ``v`` is a finite number (an integer if asked) > 0."""
    kind = "an integer" if integer else "a finite number"
    ok = not isinstance(v, bool) and isinstance(v, int if integer else (int, float))
    if not ok or not v > 0 or v == math.inf:
        raise ValueError(f"{name}={brief(v)}: expected {kind} > 0{what}")


def progress_iter(items, desc: str, on: bool = False, unit: str = "run"):
    """``items``, wrapped in a progress bar (``tqdm.auto``) when ``on``: for runs that take seconds."""
    if not on:
        return items
    # Imported only when asked: the core needs nothing outside the standard library.
    from tqdm.auto import tqdm

    return tqdm(list(items), desc=desc, unit=unit)


class WireMeter:
    """WAN messages sent and their bytes: ``len(json.dumps(msg.to_json()))``, as for sync messages."""

    __slots__ = ("messages", "bytes", "measure_bytes")

    def __init__(self, measure_bytes: bool = True) -> None:
        self.messages = self.bytes = 0
        self.measure_bytes = measure_bytes

    def count(self, msg) -> None:
        self.messages += 1
        if self.measure_bytes:
            self.bytes += len(json.dumps(msg.to_json()))


class BenchNode(Node):
    """A PoP (or the primary) in an alternative design: local store, observer, metered sends."""

    def __init__(self, node_id: str, value_type: str, local_ms: float, observer, meter: WireMeter) -> None:
        self.node_id = node_id
        self.vtype = VALUE_TYPES[value_type]
        self.join = self.vtype.join
        self.local_ms = local_ms
        self.obs = observer
        self.meter = meter
        self.store: dict = {}  # key -> CRDT state: this node's disk, it survives crashes

    def state_of(self, key):
        return self.store.get(key)

    def held_keys(self) -> list[str]:
        return list(self.store)

    def local_reply_ms(self, ctx) -> float:
        """One round trip to storage inside the PoP, drawn as a ``Site`` draws a replica's reply."""
        return self.local_ms * (0.5 + ctx.rng.random())

    def merge_in(self, ctx, key, value) -> bool:
        """Join ``value`` into the store; tell the observer and return True when the state grew."""
        cur = self.store.get(key)
        m = self.join(cur, value)
        if m is cur or m == cur:
            return False
        self.store[key] = m
        self.obs.seen(ctx.now, self.node_id, key, m)
        return True

    def send(self, ctx, dst, msg) -> None:
        self.meter.count(msg)
        ctx.send(dst, msg)

    def read(self, ctx, key: str) -> None:  # pragma: no cover - every design overrides it
        raise NotImplementedError

    def write(self, ctx, key: str, i: int) -> None:  # pragma: no cover
        raise NotImplementedError


class Bench:
    """A simulated planet for one alternative design; subclasses add nodes and define ``quiet``."""

    step_ms = 1_000.0  # how far settle runs between two looks at ``quiet``

    def __init__(self, sites, *, value_type: str = "lww", seed: int = 0, faults: FaultModel | None = None,
                 latency: LatencyModel | None = None, record="none", observer: Observer | None = None,
                 measure_bytes: bool = True) -> None:
        sites = _check_sites(sites)  # a non-empty sequence of distinct, known PoPs
        if not isinstance(value_type, str) or value_type not in VALUE_TYPES:
            raise ValueError(f"value_type={brief(value_type)}: expected one of {tuple(VALUE_TYPES)}")
        self.site_ids = sites
        self.value_type = value_type
        vt = VALUE_TYPES[value_type]
        self.sim = Simulator(seed=seed)
        self.net = Network(self.sim, latency=latency, faults=faults, record=record)
        self.meter = WireMeter(measure_bytes)
        self.observer = observer if observer is not None else Observer(self.site_ids, leq=vt.leq, join=vt.join)
        self.nodes: dict[str, BenchNode] = {}
        self.contexts: dict = {}
        self.writes = 0
        self.end_ms: float | None = None

    def add(self, node_id: str, node: BenchNode) -> None:
        self.nodes[node_id] = node
        self.contexts[node_id] = self.net.add_node(node_id, node, place=site_place(node_id))

    def state(self, node_id: str, key: str):
        """What ``node_id`` holds for ``key``, or None."""
        if node_id not in self.nodes:
            raise ValueError(f"node={brief(node_id)}: not in this run; expected one of {list(self.nodes)}")
        return self.nodes[node_id].state_of(key)

    # -- clients ------------------------------------------------------------------------------

    def invoke(self, site: str, kind: str, key: str, arg=None) -> None:
        """Start one client operation at ``site`` now (as ``EdgeSystem.invoke`` does)."""
        node, ctx = self.nodes[site], self.contexts[site]
        if not ctx.up:  # the PoP is down: its client gets an error (as in ``drive``)
            (self.observer.write if kind == "write" else self.observer.read)(self.sim.now, site, key, FAILED)
        elif kind == "write":
            if arg is None:
                self.writes += 1
                arg = self.writes
            node.write(ctx, key, arg)
        else:
            node.read(ctx, key)

    def drive(self, workload, progress: bool = False) -> None:
        """Run ``workload``'s operations in simulated time until the last one has been issued."""
        missing = [s for s in workload.sites if s not in self.site_ids]
        if missing:
            raise ValueError(f"workload sites {missing}: not sites of this run; expected some of {list(self.site_ids)}")
        sim, keys, obs = self.sim, workload.key_names(), self.observer
        handles = [(self.nodes[s], self.contexts[s]) for s in workload.sites]
        ops, t0, done = iter(workload), sim.now, [0]

        def fire(t, si, ki, is_write):
            node, ctx = handles[si]
            if not ctx.up:  # the PoP is down: its clients get an error
                (obs.write if is_write else obs.read)(sim.now, node.node_id, keys[ki], FAILED)
            elif is_write:
                self.writes += 1
                node.write(ctx, keys[ki], self.writes)
            else:
                node.read(ctx, keys[ki])
            done[0] += 1
            nxt = next(ops, None)
            if nxt is None:
                self.end_ms = sim.now
            else:
                sim.call_at(t0 + nxt[0], fire, *nxt)

        first = next(ops, None)
        if first is None:
            return
        sim.call_at(t0 + first[0], fire, *first)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=workload.ops, unit="op", unit_scale=True, mininterval=0.5)
        self.end_ms = None
        shown = 0
        while self.end_ms is None:
            sim.run(until=sim.now + 5 * self.step_ms)
            if bar is not None:
                bar.update(done[0] - shown)
                shown = done[0]
        if bar is not None:
            bar.close()

    # -- the end ------------------------------------------------------------------------------

    def quiet(self) -> bool:  # pragma: no cover - every design overrides it
        """Whether nothing is left to propagate or to answer."""
        raise NotImplementedError

    def settle(self, max_steps: int = 300) -> bool:
        """End every fault, then run until ``quiet`` (True) or ``max_steps`` steps pass (False)."""
        self.net.heal()
        for node_id, ctx in self.contexts.items():
            if not ctx.up:
                self.net.restart(node_id)
        for _ in range(max_steps):
            self.sim.run(until=self.sim.now + self.step_ms)
            if self.quiet():
                return True
        return False

    def authority(self, key):
        """The copy the lost-write check holds to first (the primary's; for a mesh, the join)."""
        raise NotImplementedError  # pragma: no cover

    def lost_writes(self) -> LostWrites:
        """Acknowledged writes missing from the authoritative copy or from a node holding the key."""
        obs = self.observer

        def copies(key):
            for n, node in self.nodes.items():
                st = node.state_of(key)
                if st is not None:
                    yield n, st

        return check_lost_writes(obs.acked, obs.acked_joins, self.authority, copies, leq=obs.leq)
