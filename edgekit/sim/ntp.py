"""NTP across the simulated planet: the farther the time server, the less a clock can know.

Each client PoP runs a few NTP exchanges with one server over the simulated
network: one-way delay is half the estimated RTT, made unequal by route
``asymmetry`` (real paths differ by direction), plus queueing jitter drawn
independently for each message. From its four timestamps the client
computes the offset estimate θ and the round-trip delay δ
(``edgekit.clocks.physical``) and keeps the sample with the smallest δ, as
NTP's clock filter does. The estimate is wrong by half the difference of the
two one-way delays, which the client cannot see; it only knows the bound
δ/2, and δ grows with distance.

>>> far = lambda a, b: 300.0 if max(a.lon, b.lon) > 100 else 10.0   # SYD is far, AMS near
>>> rows = ntp_survey("FRA", ["AMS", "SYD"], exchanges=4, jitter_ms=0, rtt=far)
>>> [(r.client, round(r.bound_ms), abs(r.error_ms) <= r.bound_ms) for r in rows]
[('AMS', 5, True), ('SYD', 150, True)]
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .._checks import brief, check_int, check_items, check_number, check_seed
from ..clocks.physical import PhysicalClock, ntp_error_bound_ms
from .core import Simulator
from .faults import FaultModel
from .latency import LatencyModel, resolve_place
from .network import Network
from .node import Node

__all__ = ["NtpServer", "NtpClient", "SyncResult", "ntp_survey"]


class NtpServer(Node):
    """Answers ("req", t1) with ("resp", t1, t2, t3): receive and transmit times on its clock."""

    def on_message(self, ctx, src, msg) -> None:
        t2 = ctx.clock()
        ctx.send(src, ("resp", msg[1], t2, ctx.clock()))


class NtpClient(Node):
    """Polls ``server`` ``exchanges`` times, ``every_ms`` apart; records each (θ, δ, true offset)."""

    def __init__(self, server, exchanges: int = 8, every_ms: float = 1_000.0, server_clock=None) -> None:
        self.server, self.exchanges, self.every_ms = server, exchanges, every_ms
        self.server_clock = server_clock or PhysicalClock()
        self.sent = 0

    def on_start(self, ctx) -> None:
        ctx.set_timer(0, "poll")

    def on_timer(self, ctx, tag) -> None:
        ctx.send(self.server, ("req", ctx.clock()))
        self.sent += 1
        if self.sent < self.exchanges:
            ctx.set_timer(self.every_ms, "poll")

    def on_message(self, ctx, src, msg) -> None:
        _, t1, t2, t3 = msg
        t4 = ctx.clock()
        theta = ((t2 - t1) + (t3 - t4)) / 2
        delta = (t4 - t1) - (t3 - t2)
        true = self.server_clock.read(ctx.now) - ctx.clock_model.read(ctx.now)  # no drift: constant
        ctx.record("ntp", offset=theta, delay=delta, true_offset=true)


@dataclass(frozen=True)
class SyncResult:
    """The best (smallest-delay) NTP sample of one client."""

    client: str
    km: float
    delay_ms: float  # δ of the best sample
    error_ms: float  # θ - true offset: what the client gets wrong
    bound_ms: float  # δ / 2: what the client knows it might get wrong
    samples: int


def ntp_survey(server: str, clients, exchanges: int = 8, jitter_ms: float = 3.0, asymmetry: float = 0.2,
               seed: int = 0, rtt=None) -> list[SyncResult]:
    """Synchronise every client PoP to ``server`` over the simulated network; one row per client."""
    from .. import geo

    resolve_place(server, "server")
    clients = check_items(clients, "clients", str, "a list of PoP codes")
    if not clients:
        raise ValueError("clients=[]: expected at least one PoP code")
    for i, c in enumerate(clients):
        resolve_place(c, f"clients[{i}]")
    check_int(exchanges, "exchanges", 1, 10_000)
    check_number(jitter_ms, "jitter_ms", 0)
    rng = random.Random(check_seed(seed))
    # Clients start up to 500 ms off; the error does not depend on it, only on path asymmetry.
    offsets = {c: PhysicalClock(offset_ms=rng.uniform(-500, 500)) for c in clients}
    sim = Simulator(seed=seed)
    jitter = "exponential" if jitter_ms > 0 else "none"
    net = Network(sim, LatencyModel(jitter=jitter, jitter_ms=jitter_ms, asymmetry=asymmetry, rtt=rtt),
                  FaultModel(clocks=tuple(offsets.items())), record="ops")
    net.add_node("server", NtpServer(), place=server)
    for c in clients:
        if c == server:
            raise ValueError(f"clients contains the server {brief(server)}: expected other PoPs")
        net.add_node(c, NtpClient("server", exchanges), place=c)
    net.start()
    sim.run()
    best: dict = {}
    count: dict = {}
    for r in net.history:
        if r.kind == "ntp":
            count[r.node] = count.get(r.node, 0) + 1
            if r.node not in best or r.data["delay"] < best[r.node].data["delay"]:
                best[r.node] = r
    sp = resolve_place(server)
    rows = []
    for c in clients:
        d = best[c].data
        rows.append(SyncResult(c, geo.great_circle_km(sp, resolve_place(c)), d["delay"],
                               d["offset"] - d["true_offset"], ntp_error_bound_ms(d["delay"]), count[c]))
    return rows
