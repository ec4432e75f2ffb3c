"""Small reusable workloads: random chatter between nodes, for tests, figures and benchmarks.

``Chatter`` nodes wake up on a random timer, sometimes send a message to a
random peer, sometimes just do a local step (recorded as ``"local"``), and
forward some of what they receive: a random execution with plenty of
causality and plenty of concurrency.

>>> net = chatter_run(seed=3, places=[(51.5, -0.1), (40.7, -74.0), (1.35, 103.8)],
...                   until_ms=2_000, rtt=lambda a, b: 80.0)
>>> s = net.stats
>>> s.sent, s.delivered, s.dropped   # one message is still in flight at 2 s
(55, 54, 0)
"""

from __future__ import annotations

from .core import Simulator
from .faults import FaultModel
from .latency import LatencyModel
from .network import Network
from .node import Node

__all__ = ["Chatter", "chatter_run"]


class Chatter(Node):
    """Every ~``period_ms``: send to a random peer (or do a local step); forward some messages."""

    def __init__(self, peers, period_ms: float = 100.0, p_send: float = 0.7, p_forward: float = 0.3,
                 max_sends: int | None = None) -> None:
        self.peers = list(peers)
        self.period_ms = period_ms
        self.p_send = p_send
        self.p_forward = p_forward
        self.max_sends = max_sends
        self.sends = 0

    def on_start(self, ctx) -> None:
        ctx.set_timer(ctx.rng.random() * self.period_ms, "tick")

    def _budget(self) -> bool:
        return self.max_sends is None or self.sends < self.max_sends

    def on_timer(self, ctx, tag) -> None:
        others = [p for p in self.peers if p != ctx.node_id]
        if others and self._budget() and ctx.rng.random() < self.p_send:
            self.sends += 1
            ctx.send(ctx.rng.choice(others), {"from": ctx.node_id, "n": self.sends})
        else:
            ctx.record("local", n=self.sends)
        if self._budget():
            ctx.set_timer(ctx.rng.expovariate(1.0 / self.period_ms), "tick")

    def on_message(self, ctx, src, msg) -> None:
        others = [p for p in self.peers if p not in (ctx.node_id, src)]
        if others and self._budget() and ctx.rng.random() < self.p_forward:
            self.sends += 1
            ctx.send(ctx.rng.choice(others), {"from": ctx.node_id, "n": self.sends, "fwd": msg["n"]})


def chatter_run(seed: int, places, until_ms: float = 5_000.0, faults: FaultModel | None = None,
                latency: LatencyModel | None = None, rtt=None, record="all", **chatter) -> Network:
    """Run ``Chatter`` nodes named ``n0, n1, ...`` at ``places`` for ``until_ms``; returns the network."""
    sim = Simulator(seed=seed)
    if latency is None:
        latency = LatencyModel(rtt=rtt)
    net = Network(sim, latency=latency, faults=faults, record=record)
    names = [f"n{i}" for i in range(len(places))]
    for i, place in enumerate(places):
        name = names[i]
        net.add_node(name, Chatter(names, **chatter), place=place)
    net.start()
    sim.run(until=until_ms)
    return net
