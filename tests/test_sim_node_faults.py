"""The node faults the edge system needs from the simulator: a lost disk, a slow node, calmer links."""

from __future__ import annotations

import pytest

from edgekit.sim import (
    Crash,
    DiskLoss,
    FaultModel,
    LatencyModel,
    LinkFaults,
    Network,
    Restart,
    Simulator,
    Slow,
)
from edgekit.sim.node import Node


class Disk(Node):
    """Keeps what it receives on a "disk"; answers ``slow`` ms late."""

    def __init__(self):
        self.disk, self.starts, self.slow_ms = [], 0, 0.0

    def on_start(self, ctx):
        self.starts += 1

    def on_message(self, ctx, src, msg):
        self.disk.append(msg)

    def on_disk_loss(self):
        self.disk.clear()

    def on_slow(self, extra_ms):
        self.slow_ms = extra_ms


def _net(timeline=(), default=None):
    sim = Simulator(seed=1)
    net = Network(sim, LatencyModel(rtt=lambda a, b: 10.0), FaultModel(default or LinkFaults(), timeline=timeline))
    a, b = Disk(), Disk()
    net.add_node("a", a, place=(0.0, 0.0))
    net.add_node("b", b, place=(10.0, 10.0))
    return sim, net, a, b


def test_a_lost_disk_wipes_the_store_and_the_node_starts_again_at_once():
    sim, net, a, b = _net(timeline=(DiskLoss(50.0, "b"),))
    net.start()
    net.context("a").send("b", "x")
    sim.run(until=40.0)
    assert b.disk == ["x"] and b.starts == 1
    sim.run(until=60.0)
    assert b.disk == [] and b.starts == 2 and net.context("b").up
    assert [r.kind for r in net.history if r.node == "b" and r.kind in ("crash", "disk_loss", "restart")] == [
        "crash", "disk_loss", "restart"]


def test_a_node_that_is_down_loses_its_disk_and_stays_down():
    sim, net, a, b = _net(timeline=(Crash(10.0, "b"), DiskLoss(20.0, "b"), Restart(30.0, "b")))
    b.disk.append("old")
    net.start()
    sim.run(until=25.0)
    assert b.disk == [] and not net.context("b").up
    sim.run(until=35.0)
    assert net.context("b").up and b.starts == 2


def test_slow_calls_the_node_and_prints():
    sim, net, a, b = _net(timeline=(Slow(5.0, "b", 200.0), Slow(9.0, "b")))
    net.start()
    sim.run(until=6.0)
    assert b.slow_ms == 200.0
    sim.run(until=10.0)
    assert b.slow_ms == 0.0
    assert str(Slow(5.0, "LHR/r1", 20.0)) == "t=5 ms: slow LHR/r1 by 20 ms"
    assert str(DiskLoss(7.0, "LHR/r1")) == "t=7 ms: diskloss LHR/r1"


def test_nodes_without_a_disk_or_slowness_say_so():
    sim = Simulator(seed=1)
    net = Network(sim)
    net.add_node("n", Node(), place=(0.0, 0.0))
    with pytest.raises(ValueError, match="no disk to lose"):
        net.lose_disk("n")
    with pytest.raises(ValueError, match="cannot be made slow"):
        net.slow("n", 5.0)
    with pytest.raises(ValueError, match="extra_ms=-1"):
        Slow(0.0, "n", -1.0)
    with pytest.raises(ValueError, match="extra_ms=nan"):
        Slow(0.0, "n", float("nan"))


def test_set_links_makes_every_link_perfect_from_now_on():
    sim, net, a, b = _net(default=LinkFaults(loss=1.0))
    net.start()
    ctx = net.context("a")
    for _ in range(5):
        ctx.send("b", "lost")
    net.set_links()
    for _ in range(5):
        ctx.send("b", "kept")
    sim.run()
    assert b.disk == ["kept"] * 5
    net.set_links(LinkFaults(loss=1.0), links={("a", "b"): LinkFaults()})
    ctx.send("b", "kept again")
    sim.run()
    assert b.disk[-1] == "kept again"
    with pytest.raises(ValueError, match="names no node"):
        net.set_links(links={("a", "nowhere"): LinkFaults()})


def test_pinned_links_keep_their_own_faults_through_set_links():
    sim, net, a, b = _net(default=LinkFaults(loss=1.0))
    net.pin_links([("a", "b")])
    net.start()
    net.context("a").send("b", "kept")
    net.context("b").send("a", "lost")
    net.set_links(LinkFaults(loss=1.0))
    net.context("a").send("b", "kept too")
    sim.run()
    assert b.disk == ["kept", "kept too"] and a.disk == []
    with pytest.raises(ValueError, match="nowhere"):
        net.pin_links([("a", "nowhere")])
