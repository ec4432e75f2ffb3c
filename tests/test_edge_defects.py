"""Regression tests for the four defects of issue 11 (each failed on the code before the fix).

The versions that failed, against the API of that time, are in the commit that added this
file (strict xfail); these are the same scenarios on the system as it is now: replicas are
nodes, faults are on the timeline, clients get their answers as replies.
"""

from __future__ import annotations

from edgekit.edge import EdgeConfig, EdgeSystem, Topology, placement
from edgekit.sim import Crash, FaultModel, LinkFaults, Restart, Slow


def test_1_a_replica_down_at_sync_time_does_not_launder_a_write():
    cfg = EdgeConfig(replicas=2, n=1, capacity=1, epoch_ms=100.0)
    holder = f"LHR/r{placement('k0', 2, 1)[0]}"
    faults = FaultModel(timeline=(Crash(20.0, holder), Restart(400.0, holder)))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=1, faults=faults)
    system.sim.run(until=10.0)
    out = system.call("LHR", "write", "k0")
    assert out.ok
    system.sim.run(until=450.0)  # several epochs while the one replica with k0 was down
    others = [k for k in (f"x{i}" for i in range(50)) if f"LHR/r{placement(k, 2, 1)[0]}" == holder][:3]
    for k in others:  # LRU pressure on the replica that holds k0
        system.call("LHR", "write", k)
    system.settle()  # the protocol's own epochs: no repair pass
    assert system.lost_writes().ok
    assert out.written <= system.state("root:FRA", "k0")


def _evicting_site(value_type):
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=100.0, value_type=value_type)
    return EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=2, record_reads=True)


def _write(system, key, i):
    out = system.call("LHR", "write", key, i)
    system.quiet()  # synced: clean, so evictable
    return out


def test_2_an_mv_write_replaces_the_sibling_its_site_wrote_before():
    system = _evicting_site("mv")
    _write(system, "k0", 1)
    _write(system, "k1", 2)  # evicts k0
    assert system.state("LHR", "k0") is None
    _write(system, "k0", 3)  # the same site writes k0 again: it had seen 1
    system.settle()
    assert system.state("root:FRA", "k0").value == frozenset({3})
    assert system.lost_writes().ok


def test_2_removing_an_element_the_site_added_removes_it():
    system = _evicting_site("orset")
    _write(system, "k0", 1)  # adds 1
    _write(system, "k1", 4)  # evicts k0
    _write(system, "k0", 17)  # 17 % 3 == 2: removes 17 % 8 == 1
    system.settle()
    assert 1 not in system.state("root:FRA", "k0").value


def test_2_a_counter_read_right_after_a_write_shows_every_increment_of_the_site():
    system = _evicting_site("gcounter")
    for i in (1, 2):
        _write(system, "k0", i)
    _write(system, "k1", 3)  # evicts k0
    assert system.call("LHR", "write", "k0", 4).value == 3
    assert system.call("LHR", "read", "k0").value == 3


def test_2_a_write_that_must_read_first_fails_rather_than_write_blind():
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=100.0, value_type="gcounter", miss_timeout_ms=500.0)
    faults = FaultModel(timeline=site_isolated_events("LHR", 1_000.0, 5_000.0))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=2, faults=faults)
    system.sim.run(until=2_000.0)
    out = system.call("LHR", "write", "k0")  # LHR does not hold k0 and cannot ask
    assert not out.ok and not out.maybe and out.latency_ms >= 500.0
    lww = EdgeSystem(Topology.flat(["LHR"], root="FRA"), EdgeConfig(capacity=1), seed=2, faults=faults)
    lww.sim.run(until=2_000.0)
    assert lww.call("LHR", "write", "k0").ok  # an LWW write replaces whatever is there: local


def site_isolated_events(site, a, b):
    from edgekit.edge.lab import site_isolated

    return site_isolated(site, a, b)


def test_3_a_blocking_read_answers_what_its_sync_brought():
    # LHR's link to the root reorders; the read's one-key fetch may be answered after the next
    # epoch's sync settled k0, and LHR's writes evict k0 in between. The client must get 7.
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=100.0, read_miss="block")
    for seed in range(12):
        fm = FaultModel(links={("LHR", "root:SIN"): LinkFaults(reorder=1.0, reorder_ms=400.0)})
        system = EdgeSystem(Topology.flat(["LHR", "SYD"], root="SIN"), cfg, seed=seed, faults=fm)
        system.sim.run(until=10.0)
        system.call("SYD", "write", "k0", 7)
        system.quiet()
        answers = []
        system.invoke("LHR", "read", "k0", done=answers.append)  # a miss: blocks on a one-key sync
        for i in range(120):
            system.sim.run(until=system.sim.now + 5.0)
            system.invoke("LHR", "write", f"w{i}")
        system.quiet()
        assert [op.state.value for op in answers] == [7], seed


def test_4_the_gather_timer_starts_at_the_first_reply_and_the_client_gets_the_merge():
    cfg = EdgeConfig(replicas=2, n=2, gather_ms=75.0, epoch_ms=10_000.0)
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=3)
    net = system.net
    system.sim.run(until=1_000.0)
    system.call("LHR", "write", "k", 1)
    net.crash("LHR/r0")
    system.call("LHR", "write", "k", 2)  # replica 1 only
    net.restart("LHR/r0")
    net.slow("LHR/r0", 50.0)  # stale, answers first (at about 50 ms)
    net.slow("LHR/r1", 100.0)  # fresh, answers within 75 ms of the first reply
    out = system.call("LHR", "read", "k")
    assert out.value == 2 and 100.0 < out.latency_ms < 101.0
    assert system.state("LHR/r0", "k").value == 2  # read repair
    net.slow("LHR/r1", 200.0)  # now later than the first reply + 75 ms: neither merged nor repaired
    net.crash("LHR/r0")
    system.call("LHR", "write", "k", 3)
    net.restart("LHR/r0")
    out = system.call("LHR", "read", "k")
    assert out.value == 2 and 125.0 < out.latency_ms < 126.0  # stale, at the timer: the talk's trade


def test_4_slow_on_the_timeline():
    faults = FaultModel(timeline=(Slow(0.0, "LHR/r0", 30.0), Slow(5_000.0, "LHR/r0")))
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), EdgeConfig(replicas=1, n=1), seed=3, faults=faults)
    system.sim.run(until=1_000.0)
    assert system.call("LHR", "read", "k").latency_ms > 30.0
    system.sim.run(until=6_000.0)
    assert system.call("LHR", "read", "k").latency_ms < 1.0
