"""Faults inside a PoP and inside an upstream: replicas that crash, are cut off, are slow, lose a disk.

What the write quorum buys: with a write on two disks no single lost disk loses it; with one,
the kit shows that it does. What clusters buy upstream: one replica's crash does not stop sync.
"""

from __future__ import annotations

import pytest

from edgekit.edge import EdgeConfig, EdgeSystem, Topology, placement
from edgekit.edge.lab.faults import disk_lost, replica_down, replica_slow
from edgekit.sim import DiskLoss, FaultModel, Slow


def _holder(key: str, cfg: EdgeConfig) -> str:
    return f"LHR/r{placement(key, cfg.replicas, cfg.n)[0]}"


def _lose_a_disk_before_the_sync(write_quorum: int):
    """A write, then the disk of one of the key's replicas, before any epoch could sync it."""
    cfg = EdgeConfig(replicas=3, n=2, write_quorum=write_quorum, epoch_ms=1_000.0)
    faults = FaultModel(timeline=disk_lost(_holder("k0", cfg), 20.0))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=1, faults=faults)
    system.sim.run(until=5.0)
    out = system.call("LHR", "write", "k0")
    system.settle()
    return out, system.lost_writes()


def test_a_write_on_two_disks_survives_the_loss_of_one():
    out, verdict = _lose_a_disk_before_the_sync(2)
    assert out.ok and verdict.ok


def test_a_write_on_one_disk_is_lost_with_it_and_the_check_says_so():
    cfg = EdgeConfig(replicas=3, n=2, write_quorum=1, epoch_ms=1_000.0)
    other = f"LHR/r{placement('k0', 3, 2)[1]}"
    # The key's second replica is down for the write: the first alone stores it, then loses its disk.
    faults = FaultModel(timeline=(*replica_down(other, 1.0, 30.0), *disk_lost(_holder("k0", cfg), 20.0)))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=1, faults=faults)
    system.sim.run(until=5.0)
    assert system.call("LHR", "write", "k0").ok  # acknowledged by one replica: w = 1
    system.settle()
    verdict = system.lost_writes()
    assert verdict.lost == 1 and "k0: write 1" in verdict.problems[0]


@pytest.mark.parametrize("tier", ["hub", "root"])
def test_one_upstream_replica_down_does_not_stop_sync(tier):
    cfg = EdgeConfig(replicas=3, n=2, write_quorum=1, epoch_ms=100.0)
    topo = Topology.from_parents({"LHR": "hub:FRA", "hub:FRA": "root:IAD", "root:IAD": None})
    cluster = "hub:FRA" if tier == "hub" else "root:IAD"
    down = f"{cluster}/r{placement('k0', 3, 2)[0]}"  # the key's lead replica up there
    system = EdgeSystem(topo, cfg, seed=2, faults=FaultModel(timeline=replica_down(down, 0.0, 60_000.0)))
    system.sim.run(until=10.0)
    system.call("LHR", "write", "k0")
    system.sim.run(until=3_000.0)  # a few epochs, with the replica still down
    site = [system.replicas[r] for r in system.clusters["LHR"]]
    assert not any(r.interest.dirty for r in site)  # acknowledged above, on the replica that is up
    assert system.state("root:IAD", "k0").value == 1
    assert system.call("LHR", "read", "k9").ok  # a key nobody wrote: still answered


def test_with_every_write_on_both_copies_a_replica_down_fails_its_writes_and_loses_nothing():
    cfg = EdgeConfig(replicas=2, n=2, write_quorum=2, epoch_ms=100.0)
    faults = FaultModel(timeline=replica_down("LHR/r1", 100.0, 2_000.0))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=3, faults=faults)
    system.sim.run(until=500.0)
    out = system.call("LHR", "write", "k0")
    assert not out.ok and out.maybe  # stored on one of two: not acknowledged, maybe applied
    assert system.call("LHR", "read", "k0").value == out.written.value  # it was stored, though
    system.settle()
    assert system.lost_writes().ok


def test_a_site_crash_takes_its_front_end_down_not_its_disks():
    cfg = EdgeConfig(epoch_ms=5_000.0)
    faults = FaultModel(timeline=replica_down("LHR", 100.0, 1_000.0))  # the front end
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=4, faults=faults)
    system.sim.run(until=10.0)
    written = system.call("LHR", "write", "k0")
    system.sim.run(until=200.0)
    assert not system.call("LHR", "read", "k0").ok  # its clients get errors
    system.sim.run(until=1_100.0)
    assert system.call("LHR", "read", "k0").value == written.value  # the disks kept it
    system.settle()
    assert system.lost_writes().ok


def test_a_slow_replica_costs_latency_and_a_cut_off_one_is_repaired_afterwards():
    cfg = EdgeConfig(replicas=2, n=2, epoch_ms=10_000.0)
    faults = FaultModel(timeline=(*replica_slow("LHR/r0", 0.0, 1_000.0, 30.0),))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=5, faults=faults)
    system.sim.run(until=10.0)
    assert system.call("LHR", "read", "k").latency_ms > 30.0  # waits for the slow one, within the timer
    system.sim.run(until=1_500.0)
    system.net.cut("LHR/r1", "*")
    system.call("LHR", "write", "k0")
    system.net.heal("LHR/r1", "*")
    assert system.state("LHR/r1", "k0") is None
    system.call("LHR", "read", "k0")
    assert system.state("LHR/r1", "k0") is not None  # read repair


def test_the_fault_timeline_names_replicas_and_refuses_what_is_not_modelled():
    topo = Topology.flat(["LHR"], root="FRA")
    with pytest.raises(ValueError, match="only a site's replicas lose disks"):
        EdgeSystem(topo, faults=FaultModel(timeline=(DiskLoss(5.0, "root:FRA/r0"),)))
    with pytest.raises(ValueError, match="not in this system"):
        EdgeSystem(topo, faults=FaultModel(timeline=(DiskLoss(5.0, "LHR/r7"),)))
    with pytest.raises(ValueError, match="only replicas are made slow"):
        EdgeSystem(topo, faults=FaultModel(timeline=(Slow(5.0, "LHR", 10.0),)))
    assert str(DiskLoss(5.0, "LHR/r1")) == "t=5 ms: diskloss LHR/r1"
