"""Small reusable workloads: random chatter, and a scripted exchange between PoPs on four continents.

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

from collections.abc import Mapping

from .._checks import brief, check_hashable, check_items, check_seed, naming
from .core import Simulator
from .faults import FaultModel, check_time
from .latency import LatencyModel, resolve_place
from .network import Network
from .node import Node

__all__ = ["Chatter", "chatter_run", "Scripted", "exchange_run", "EXCHANGE_SITES", "EXCHANGE_PLAN",
           "EXCHANGE_CLOCKS", "EXCHANGE_ORDER"]


class Chatter(Node):
    """Every ~``period_ms``: send to a random peer (or do a local step); forward some messages."""

    def __init__(self, peers, period_ms: float = 100.0, p_send: float = 0.7, p_forward: float = 0.3,
                 max_sends: int | None = None) -> None:
        self.peers = check_items(peers, "peers", object, "an iterable of node ids")
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


MAX_CHATTER_MS = 3_600_000.0  # an hour of simulated chatter: minutes of real time


def chatter_run(seed: int, places, until_ms: float = 5_000.0, faults: FaultModel | None = None,
                latency: LatencyModel | None = None, rtt=None, record="all", **chatter) -> Network:
    """Run ``Chatter`` nodes named ``n0, n1, ...`` at ``places`` for ``until_ms``; returns the network."""
    if check_time("until_ms", until_ms) > MAX_CHATTER_MS:  # chatter never stops by itself: a bound, not None
        raise ValueError(f"until_ms={brief(until_ms)}: expected at most {MAX_CHATTER_MS:,.0f} ms of chatter")
    places = [resolve_place(p, f"places[{i}]") for i, p in enumerate(check_items(
        places, "places", object, "a list of PoP codes, Places or (lat, lon) pairs"))]
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


class Scripted(Node):
    """Follows a plan: ``{trigger: [(delay_ms, action, arg), ...]}``.

    A trigger is ``"start"`` or the label of a message received; an action is
    ``"local"`` (record a local event named ``arg``) or ``"send"`` (``arg`` is
    ``(dst, label)``). Every action waits ``delay_ms`` on a timer, so local
    work takes time the way it does on a real machine.
    """

    def __init__(self, plan: dict) -> None:
        if not isinstance(plan, dict):
            raise TypeError(f"plan={brief(plan)}: expected a dict {{trigger: [(delay_ms, action, arg), ...]}}")
        for trigger, steps in plan.items():
            for step in check_items(steps, f"plan[{brief(trigger)}]", tuple, "a list of (delay_ms, action, arg)"):
                if (len(step) != 3 or not isinstance(step[1], str) or step[1] not in ("local", "send")
                        or isinstance(step[0], bool) or not isinstance(step[0], (int, float)) or not step[0] >= 0):
                    raise ValueError(f"plan[{brief(trigger)}] step {brief(step)}: expected (delay_ms >= 0, 'local'|'send', arg)")
        self.plan = plan

    def _follow(self, ctx, trigger) -> None:
        for delay, action, arg in self.plan.get(trigger, ()):
            ctx.set_timer(delay, (action, arg))

    def on_start(self, ctx) -> None:
        self._follow(ctx, "start")

    def on_message(self, ctx, src, msg) -> None:
        self._follow(ctx, msg)

    def on_timer(self, ctx, tag) -> None:
        action, arg = tag
        if action == "local":
            ctx.record("local", label=arg)
        else:
            dst, label = arg
            ctx.send(dst, label)


# Chapter 2's exchange: London writes and tells New York, which tells São Paulo; Tokyo acts on
# its own and tells London; São Paulo answers Tokyo. Enough causality to trace and enough
# concurrency to find.
EXCHANGE_SITES = {"LHR": "LHR", "JFK": "JFK", "GRU": "GRU", "NRT": "NRT"}
EXCHANGE_PLAN = {
    "LHR": {"start": [(0, "local", "a"), (20, "send", ("JFK", "m1"))], "m3": [(20, "local", "b")]},
    "JFK": {"m1": [(15, "local", "c"), (30, "send", ("GRU", "m2"))]},
    "GRU": {"start": [(30, "local", "d")], "m2": [(20, "send", ("NRT", "m4"))]},
    "NRT": {"start": [(10, "local", "e"), (40, "send", ("LHR", "m3"))], "m4": [(20, "local", "f")]},
}
EXCHANGE_ORDER = ["NRT", "LHR", "JFK", "GRU"]  # lanes top to bottom: each message but one crosses one lane
# New York's clock runs 120 ms behind and Tokyo's 60 ms ahead: enough to make wall clocks lie.
EXCHANGE_CLOCKS = {"JFK": (-120.0, 0.0), "NRT": (60.0, 0.0)}


def exchange_run(seed: int = 0, clocks: dict | None = None, jitter: str = "none", record="all") -> Network:
    """Run chapter 2's scripted exchange between LHR, JFK, GRU and NRT; returns the network.

    ``clocks`` maps a site to ``(offset_ms, drift_ppm)`` (default ``EXCHANGE_CLOCKS``).

    >>> net = exchange_run()
    >>> [(r.node, r.kind, r.data) for r in net.history if r.kind in ("send", "local")][:3]
    [('LHR', 'local', {'label': 'a'}), ('NRT', 'local', {'label': 'e'}), ('LHR', 'send', 'm1')]
    """
    from ..clocks.physical import PhysicalClock

    clocks = EXCHANGE_CLOCKS if clocks is None else clocks
    if not isinstance(clocks, Mapping):
        raise TypeError(f"clocks={brief(clocks)}: expected a dict of site to (offset_ms, drift_ppm), or None")
    models = {}
    for site, od in clocks.items():
        with naming(f"clocks[{brief(site)}]"):
            if not isinstance(od, (tuple, list)) or len(od) != 2:
                raise TypeError(f"{brief(od)}: expected (offset_ms, drift_ppm)")
            models[check_hashable(site, "site", "a site code")] = PhysicalClock(*od)
    faults = FaultModel(clocks=models)
    sim = Simulator(seed=check_seed(seed))
    net = Network(sim, latency=LatencyModel(jitter=jitter, jitter_ms=5.0), faults=faults, record=record)
    for node_id, code in EXCHANGE_SITES.items():
        net.add_node(node_id, Scripted(EXCHANGE_PLAN[node_id]), place=code)
    net.start()
    sim.run()
    return net
