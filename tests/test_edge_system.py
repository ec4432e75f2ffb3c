"""The whole edge system on the simulated planet: faults, convergence, no lost writes, determinism."""

from __future__ import annotations

import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from edgekit.clocks import PhysicalClock
from edgekit.edge import EdgeConfig, EdgeSystem, Topology
from edgekit.edge.lab import Workload, random_faults, run_edge, site_isolated, upstream_down
from edgekit.edge.lab.checks import check_copies, check_touched
from edgekit.sim import Crash, FaultModel, LinkFaults, to_jsonl

SITES = ("LHR", "CDG", "FRA", "SYD", "NRT", "IAD", "GRU", "JNB")
TYPES = ("lww", "mv", "gcounter", "pncounter", "orset")


def _converged(system: EdgeSystem) -> list:
    """(replica, key) where a site's copy differs from the root's after one read round per level."""
    for _ in range(system.topology.depth):
        system.read_round()
    root = system.topology.root
    return check_copies(system.site_copies(), lambda key: system.state(root, key), system.config.value_type)


@pytest.mark.parametrize("seed", range(40))
def test_no_acknowledged_write_is_lost_under_random_faults(seed):
    rng = random.Random(seed)
    workload = Workload(SITES, keys=12, ops=700, rates=60.0, write_fraction=0.4, seed=seed)
    topo = Topology.tree(SITES) if seed % 2 else Topology.flat(SITES)
    config = EdgeConfig(replicas=3, n=2, write_quorum=1 + seed % 2, capacity=3,
                        hub_capacity=6 if seed % 3 else None, epoch_ms=rng.choice([50.0, 120.0]),
                        value_type=TYPES[seed % len(TYPES)], read_miss="block" if seed % 4 == 0 else "missing",
                        clock="hlc" if seed % 5 == 0 else "physical")
    faults = FaultModel(
        LinkFaults(loss=0.1, duplicate=0.1, reorder=0.2, reorder_ms=300.0),
        timeline=random_faults(rng, topo, workload.duration_ms, count=6, config=config),
    )
    system = EdgeSystem(topo, config, seed=seed, faults=faults, record_reads=True)
    system.drive(workload)
    system.settle()
    verdict = system.lost_writes()  # before any read round touches a copy
    assert verdict.checked > 50
    assert verdict.ok, verdict
    assert _converged(system) == []
    assert check_touched(((r.split("/")[0], k) for r, k, _ in system.site_copies()), system.history) == []


def test_counters_count_every_acknowledged_increment():
    w = Workload(SITES, keys=5, ops=1_500, rates=80.0, write_fraction=0.5, seed=11)
    faults = FaultModel(LinkFaults(loss=0.1, duplicate=0.2), timeline=site_isolated("SYD", 2_000, 6_000))
    system = EdgeSystem(Topology.tree(SITES), EdgeConfig(capacity=2, epoch_ms=80, value_type="gcounter"),
                        seed=11, faults=faults)
    system.drive(w)
    system.settle()
    acked: dict = {}
    for op in system.history:  # the oracle: one increment per acknowledged write, counted here
        acked[op.key] = acked.get(op.key, 0) + (op.status == "ok")
    assert sum(acked.values()) > 200
    assert all(op.status != "info" for op in system.history)  # nothing indeterminate here
    for key, n in acked.items():
        assert system.state(system.topology.root, key).value == n
    assert _converged(system) == []


def test_same_seed_same_history_byte_for_byte():
    w = Workload(SITES[:4], keys=10, ops=300, rates=50.0, write_fraction=0.3, seed=7)
    faults = FaultModel(LinkFaults(loss=0.05, duplicate=0.05), timeline=site_isolated("LHR", 1_000, 2_000))
    runs = [run_edge(w, EdgeConfig(epoch_ms=200), faults=faults, seed=s, record="all", record_ops=True)
            for s in (3, 3, 4)]
    a, b, c = (to_jsonl(r.history) for r in runs)
    assert a == b and a != c
    assert runs[0].summary() == runs[1].summary()
    assert [op.to_json() for op in runs[0].ops] == [op.to_json() for op in runs[1].ops]


def test_an_isolated_site_keeps_serving_and_catches_up():
    w = Workload(("LHR", "SYD"), keys=20, ops=800, rates=200.0, write_fraction=0.3, zipf_s=0.0, seed=1)
    faults = FaultModel(timeline=site_isolated("SYD", 0.0, 1_500.0))
    run = run_edge(w, EdgeConfig(epoch_ms=100), topology="flat", faults=faults, record_ops=True)
    syd = [op for op in run.ops if op.site == "SYD"]
    assert all(op.ok and op.latency_ms < 2.0 for op in syd)  # local, inside the request
    during = [op.stale_ms for op in syd if op.kind == "read" and 500 < op.time < 1_400]
    after = [op.stale_ms for op in syd if op.kind == "read" and op.time > 1_800]
    assert max(during) > 300.0 and max(after) < max(during)  # stale while cut off, then it catches up
    assert run.lost.lost == 0


def test_a_crashed_upstream_only_delays():
    w = Workload(("LHR", "CDG", "FRA"), keys=4, ops=500, rates=100.0, write_fraction=0.5, seed=5)
    topo = Topology.tree(w.sites)
    hub = topo.hubs[0]
    run = run_edge(w, EdgeConfig(epoch_ms=100), topology=topo,
                   faults=FaultModel(timeline=upstream_down(hub, 200.0, 1_200.0)), seed=5)
    assert run.failed == 0 and run.lost.lost == 0
    assert run.summary()["write_ms"]["max"] < 2.0  # writes never wait for the upstream


def test_a_crashed_site_fails_its_clients_and_loses_nothing():
    w = Workload(("LHR", "SYD"), keys=4, ops=400, rates=100.0, write_fraction=0.5, seed=6)
    topo = Topology.flat(w.sites)
    faults = FaultModel(timeline=upstream_down("LHR", 500.0, 1_000.0))  # the PoP itself goes down
    run = run_edge(w, EdgeConfig(epoch_ms=100), topology=topo, faults=faults, seed=6)
    assert run.failed > 0 and run.lost.lost == 0


def test_read_miss_served_missing_or_blocking():
    topo = Topology.flat(["LHR", "SYD"], root="LHR")
    for mode in ("missing", "block"):
        system = EdgeSystem(topo, EdgeConfig(epoch_ms=500, read_miss=mode), seed=1)
        system.call("LHR", "write", "k", 1)
        system.sim.run(until=1_200)  # LHR's write reaches the root
        out = system.call("SYD", "read", "k")
        if mode == "missing":
            assert out.state is None and out.latency_ms < 1.0
            system.sim.run(until=3_000)
            assert system.state("SYD", "k").value == 1  # the object appeared later
        else:
            assert out.value == 1 and out.latency_ms > 100.0  # a round trip to LHR


def test_hlc_keeps_a_later_write_that_a_slow_clock_would_lose():
    topo = Topology.flat(["LHR", "SYD"], root="LHR")
    values = {}
    for clock in ("physical", "hlc"):
        faults = FaultModel(clocks={"SYD": PhysicalClock(offset_ms=-60_000)})
        system = EdgeSystem(topo, EdgeConfig(epoch_ms=200, clock=clock), seed=1, faults=faults)
        system.call("LHR", "write", "k", 1)
        system.sim.run(until=2_000)
        system.call("SYD", "read", "k")
        system.sim.run(until=4_000)
        assert system.call("SYD", "read", "k").value == 1  # SYD saw LHR's write ...
        system.call("SYD", "write", "k", 2)  # ... and then overwrote it
        system.settle()
        values[clock] = system.state("root:LHR", "k").value
    assert values == {"physical": 1, "hlc": 2}


def test_eviction_waits_for_acknowledgement():
    w = Workload(("LHR", "SYD"), keys=40, ops=600, rates=100.0, write_fraction=0.7, zipf_s=0.0, seed=3)
    faults = FaultModel(timeline=site_isolated("LHR", 0.0, 2_500.0))
    run = run_edge(w, EdgeConfig(capacity=4, epoch_ms=100), topology="flat", faults=faults)
    assert run.overflows > 0  # every key was pinned: over capacity rather than lose a write
    assert run.evictions > 0 and run.lost.lost == 0


def test_settle_refuses_to_report_on_a_system_that_never_went_quiet():
    # A crash that starts after settle has healed everything and never ends: the sites keep
    # asking a dead root. settle must say so, not return as if the copies had converged.
    w = Workload(("LHR", "SYD"), keys=3, ops=20, rates=50.0, write_fraction=0.5, seed=1)
    topo = Topology.flat(w.sites, root="FRA")
    end = max(t for t, *_ in w)
    system = EdgeSystem(topo, EdgeConfig(epoch_ms=100), seed=1,
                        faults=FaultModel(timeline=(Crash(end + 1.0, topo.root),)))
    system.drive(w)
    with pytest.raises(RuntimeError, match=r"quiet\(\): still syncing after 200 epochs"):
        system.settle()


def test_workload_sites_must_be_in_the_topology():
    system = EdgeSystem(Topology.flat(["LHR"]), EdgeConfig())
    with pytest.raises(ValueError, match="not sites of this topology"):
        system.drive(Workload(("SYD",), ops=5))
    with pytest.raises(ValueError, match="topology='ring'"):
        run_edge(Workload(("LHR",), ops=5), topology="ring")


def test_summary_has_the_comparison_numbers():
    run = run_edge(Workload(SITES, keys=30, ops=2_000, rates=100.0, seed=1), EdgeConfig(epoch_ms=250),
                   probe_every=10)
    s = run.summary()
    assert s["lost_writes"] == 0 and s["client_ops"] == 2_000
    assert s["messages_per_op"] > 0 and s["bytes_per_op"] > s["messages_per_op"]
    assert s["visibility_ms"]["n"] > 0 and s["visibility_ms"]["p50"] > 0
    assert set(run.latency_by_site("write")) == set(SITES)


_SCRIPT = """
import hashlib
from edgekit.edge import EdgeConfig
from edgekit.edge.lab import Workload, run_edge, site_isolated
from edgekit.sim import Crash, FaultModel, LinkFaults, to_jsonl
w = Workload(("LHR", "CDG", "SYD", "NRT"), keys=20, ops=400, rates=80.0, write_fraction=0.3, seed=2)
faults = FaultModel(LinkFaults(loss=0.1, duplicate=0.1), timeline=site_isolated("SYD", 500, 2_000))
run = run_edge(w, EdgeConfig(epoch_ms=150, capacity=4, value_type="orset"), faults=faults, seed=2,
               record="all")
print(hashlib.sha256(to_jsonl(run.history).encode()).hexdigest(), run.lost.lost)
"""


def test_same_history_in_processes_with_different_string_hashing():
    import os
    import subprocess
    import sys

    out = set()
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        res = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True,
                             check=True)
        out.add(res.stdout)
    assert len(out) == 1 and out.pop().split()[1] == "0"


@given(seed=st.integers(0, 10_000), value_type=st.sampled_from(TYPES), flat=st.booleans(),
       capacity=st.sampled_from([2, 5, None]), epoch_ms=st.sampled_from([40.0, 90.0, 300.0]),
       loss=st.sampled_from([0.0, 0.2]), faults=st.integers(0, 5), tiny_hubs=st.booleans())
@settings(max_examples=30, deadline=None)
# A hub (capacity 4) smaller than its two children's 8 keys: fetched keys were evicted before
# the children asked again, every epoch, and settle gave up with LHR and FRA behind.
@example(seed=0, value_type="mv", flat=False, capacity=2, epoch_ms=300.0, loss=0.0, faults=0, tiny_hubs=False)
def test_random_systems_lose_nothing_and_converge(seed, value_type, flat, capacity, epoch_ms, loss, faults,
                                                  tiny_hubs):
    """Also with upstream stores of capacity 1 (``tiny_hubs``): the docs claim convergence for any hub
    capacity >= 1, since a hub answers a key it lacks by asking above at once."""
    rng = random.Random(seed)
    sites = tuple(rng.sample(SITES, 5))
    w = Workload(sites, keys=8, ops=300, rates=50.0, write_fraction=0.5, seed=seed)
    topo = Topology.flat(sites) if flat else Topology.tree(sites)
    fm = FaultModel(LinkFaults(loss=loss, duplicate=loss, reorder=loss),
                    timeline=random_faults(rng, topo, w.duration_ms, count=faults))
    system = EdgeSystem(topo, EdgeConfig(capacity=capacity, epoch_ms=epoch_ms, value_type=value_type,
                                         hub_capacity=1 if tiny_hubs else capacity and 2 * capacity),
                        seed=seed, faults=fm)
    system.drive(w)
    system.settle()
    assert system.lost_writes().ok
    assert _converged(system) == []


def test_a_round_closes_when_its_timer_rounds_below_the_deadline():
    # Found by the state machine: a tick set for 605.3997740543433 fired at 605.3997740543432
    # (now + (at - now) in floats), closed nothing and never came back: quiet() gave up.
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=40.0, read_miss="block", gather_ms=50.0,
                     miss_timeout_ms=600.0)
    faults = FaultModel(LinkFaults(loss=0.3, duplicate=0.3, reorder=0.3, reorder_ms=300.0))
    system = EdgeSystem(Topology.flat(("LHR", "FRA", "SYD", "NRT")), cfg, seed=0, faults=faults)
    system.sim.run(until=4.899774054343256)
    system.invoke("LHR", "read", "k0")
    system.sim.run(until=system.sim.now + 16.0)
    system.invoke("LHR", "read", "k0")
    system.settle()
    assert not system.busy()
