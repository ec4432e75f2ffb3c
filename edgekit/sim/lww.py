"""Last-writer-wins under clock skew: one register, two PoPs, wall-clock or HLC timestamps.

A client at site ``a`` writes ``v1``; the write is stamped and sent to site
``b``. A client at ``b`` reads ``v1`` there and ``think_ms`` later writes
``v2``: a write that *happened after* ``v1``. Each replica keeps the write
with the larger ``(timestamp, site)`` (the rule of ``edgekit.crdt.LWWRegister``).

- ``mode="wall"``: timestamps are the local physical clock. If ``a``'s
  clock runs ahead by more than the time between the two writes (one-way
  latency + ``think_ms``), ``v1`` carries the larger stamp and ``v2`` is
  silently dropped on *both* replicas, although every client saw it succeed.
- ``mode="hlc"``: timestamps are hybrid logical clocks. When ``b`` receives
  ``v1`` its HLC jumps to ``v1``'s stamp, so ``v2`` is stamped larger
  whatever the skew: causality is kept, and ``l`` stays within the skew of
  ``b``'s wall clock.

>>> wall = lww_run(skew_ms=250, mode="wall", rtt=lambda p, q: 200.0)
>>> wall.final, wall.lost
({'a': 'v1', 'b': 'v1'}, ('v2',))
>>> lww_run(skew_ms=250, mode="hlc", rtt=lambda p, q: 200.0).final
{'a': 'v2', 'b': 'v2'}
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import brief, check_number
from ..clocks.hlc import HLC
from ..clocks.physical import PhysicalClock
from .core import Simulator
from .faults import FaultModel
from .history import Record
from .latency import LatencyModel, resolve_place
from .network import Network
from .node import Node

__all__ = ["LWWReplica", "Write", "LWWOutcome", "lww_run", "loss_threshold_ms", "MODES"]

MODES = ("wall", "hlc")


@dataclass(frozen=True)
class Write:
    """One client write: where, what, when (true and on the local clock) and its LWW stamp."""

    site: str
    value: str
    true_ms: float
    wall_ms: float
    stamp: tuple  # (timestamp, counter): (wall, 0) or the HLC's (l, c)


@dataclass(frozen=True)
class LWWOutcome:
    mode: str
    skew_ms: float
    places: dict  # site -> place code
    writes: tuple[Write, ...]
    final: dict  # site -> value it holds at the end
    history: tuple[Record, ...]

    @property
    def lost(self) -> tuple[str, ...]:
        """Acknowledged writes that no replica holds and no causally later write replaced.

        In this story ``v2`` happened after ``v1`` (b read v1 first), so replacing
        ``v1`` is right; only ``v2`` can be lost."""
        return () if "v2" in self.final.values() else ("v2",)

    @property
    def stamps(self) -> dict:
        """value -> its (timestamp, counter) stamp."""
        return {w.value: w.stamp for w in self.writes}


class LWWReplica(Node):
    """A register replica: stamps local writes, sends them to ``peers``, keeps the largest stamp."""

    def __init__(self, mode: str, peers: list, first: tuple | None = None, reply: tuple | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode={brief(mode)}: expected 'wall' or 'hlc'")
        self.mode, self.peers, self.first, self.reply = mode, peers, first, reply
        self.value, self.key = None, None  # key = (stamp, site) of the value held
        self.hlc = HLC(float("-inf"), 0)
        self.replied = False

    def on_start(self, ctx) -> None:
        if self.first:
            at_ms, value = self.first
            ctx.set_timer(at_ms, value)

    def _stamp(self, ctx) -> tuple:
        if self.mode == "wall":
            return (ctx.clock(), 0)
        self.hlc = self.hlc.tick(ctx.clock())
        return (self.hlc.l, self.hlc.c)

    def on_timer(self, ctx, value) -> None:
        stamp = self._stamp(ctx)
        ctx.record("write", value=value, stamp=list(stamp), wall=ctx.clock())
        self._keep(value, (stamp, ctx.node_id))
        for p in self.peers:
            ctx.send(p, ("put", value, stamp, ctx.node_id))

    def on_message(self, ctx, src, msg) -> None:
        _, value, stamp, writer = msg
        if self.mode == "hlc":
            self.hlc = self.hlc.receive(HLC(*stamp), ctx.clock())
        self._keep(value, (tuple(stamp), writer))
        ctx.record("read", value=self.value)
        if self.reply and not self.replied:
            self.replied = True
            think_ms, new_value = self.reply
            ctx.set_timer(think_ms, new_value)

    def _keep(self, value, key) -> None:
        if self.key is None or key > self.key:
            self.value, self.key = value, key


def lww_run(skew_ms: float = 250.0, mode: str = "wall", a: str = "LHR", b: str = "SYD", think_ms: float = 20.0,
            seed: int = 0, rtt=None) -> LWWOutcome:
    """Run the two-write story with ``a``'s clock ``skew_ms`` ahead of ``b``'s."""
    if mode not in MODES:
        raise ValueError(f"mode={brief(mode)}: expected 'wall' or 'hlc'")
    check_number(skew_ms, "skew_ms", -3_600_000, 3_600_000)  # within an hour
    check_number(think_ms, "think_ms", 0)
    resolve_place(a, "a"), resolve_place(b, "b")
    sim = Simulator(seed=seed)
    faults = FaultModel(clocks={"a": PhysicalClock(offset_ms=skew_ms)})
    net = Network(sim, LatencyModel(rtt=rtt), faults)
    net.add_node("a", LWWReplica(mode, ["b"], first=(0.0, "v1")), place=a)
    net.add_node("b", LWWReplica(mode, ["a"], reply=(think_ms, "v2")), place=b)
    net.start()
    sim.run()
    writes = tuple(
        Write(r.node, r.data["value"], r.time, r.data["wall"], tuple(r.data["stamp"]))
        for r in net.history if r.kind == "write"
    )
    final = {n: net.context(n).node.value for n in ("a", "b")}
    return LWWOutcome(mode, float(skew_ms), {"a": a, "b": b}, writes, final, tuple(net.history))


def loss_threshold_ms(a: str = "LHR", b: str = "SYD", think_ms: float = 20.0, rtt=None) -> float:
    """The skew above which wall-clock LWW drops ``v2``: one-way latency a -> b plus ``think_ms``."""
    check_number(think_ms, "think_ms", 0)
    resolve_place(a, "a"), resolve_place(b, "b")
    return LatencyModel(rtt=rtt).base_one_way_ms(a, b) + think_ms
