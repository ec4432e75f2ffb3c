"""The four designs on one workload: deterministic records, the same clients, no lost writes, clear errors."""

import json

import pytest

from edgekit.edge.lab.compare import (
    SCENARIOS,
    TOPOLOGIES,
    RunRecord,
    Setup,
    compare,
    fault_timeline,
    run,
    upstream_of,
)
from edgekit.edge.lab.propagation import follow_write
from edgekit.edge.lab.stepper import site_inside, sync_walkthrough
from edgekit.sim import Crash, Cut

SMALL = Setup(sites=("LHR", "FRA", "IAD", "ORD", "SYD", "NRT"), rates=80.0, keys=15, ops=500, isolated="SYD")


@pytest.fixture(scope="module")
def calm():
    return compare(setup=SMALL, seed=5)


def test_compare_runs_all_four_designs_on_the_same_clients(calm):
    assert [r.topology for r in calm] == list(TOPOLOGIES)
    assert all(isinstance(r, RunRecord) for r in calm)
    # the same workload: the same number of reads and writes reached every design
    assert len({(r.reads, r.writes) for r in calm}) == 1
    assert calm[0].reads + calm[0].writes == SMALL.ops
    for r in calm:
        assert set(r.read_ms) == set(SMALL.sites) and r.lost_writes == 0 and r.converged


def test_same_seed_same_records_other_seed_other_records(calm):
    assert compare(setup=SMALL, seed=5) == calm
    assert compare(setup=SMALL, seed=6) != calm


def test_what_each_design_is_known_for(calm):
    by = {r.topology: r for r in calm}
    edge = ("gossip", "flat", "tree")
    assert all(by[t].write_all["p50"] < 1.0 for t in edge)  # local writes
    assert by["primary"].write_all["p50"] > 50 * by["flat"].write_all["p50"]  # a trip to the primary
    assert by["flat"].messages_per_op < min(by["primary"].messages_per_op, by["gossip"].messages_per_op)


@pytest.mark.parametrize("scenario", SCENARIOS[1:])
def test_no_acknowledged_write_is_lost_once_faults_heal(scenario):
    for r in compare(scenario=scenario, setup=SMALL, seed=2):
        assert r.checked_writes > 0
        assert r.lost_writes == 0 and r.converged, (scenario, r.topology)


def test_a_partitioned_primary_refuses_writes_while_the_edge_keeps_serving():
    slow = Setup(**{**SMALL.__dict__, "rates": 20.0})  # 4 s of clients: the cut outlasts the write timeout
    recs = {r.topology: r for r in compare(scenario="region_cut", setup=slow, seed=1)}
    assert recs["primary"].failed_writes > 0
    assert all(recs[t].failed_reads + recs[t].failed_writes == 0 for t in ("gossip", "flat", "tree"))


def test_reads_at_the_primary_are_never_stale():
    rec = run("primary", setup=Setup(**{**SMALL.__dict__, "primary_reads": "primary"}), seed=1)
    assert rec.stale_fraction == 0 and rec.read_all["p50"] > 10


def test_fault_timelines_are_shared_except_the_node_each_design_depends_on():
    cut = {t: fault_timeline(t, "region_cut", SMALL) for t in TOPOLOGIES}
    assert len(set(cut.values())) == 1 and isinstance(cut["flat"][0], Cut)
    down = {t: fault_timeline(t, "upstream_down", SMALL)[0] for t in TOPOLOGIES}
    assert all(isinstance(e, Crash) for e in down.values())
    assert down["flat"].node == upstream_of("flat", SMALL) and down["flat"].node.startswith("root:")
    assert down["primary"].node == down["gossip"].node in SMALL.sites
    assert fault_timeline("tree", "none", SMALL) == ()


@pytest.mark.parametrize("call, match", [
    (lambda: compare(["primary", "mesh"], setup=SMALL), r"topologies\[1\]='mesh'"),
    (lambda: compare(scenario="earthquake", setup=SMALL), "scenario='earthquake'"),
    (lambda: run("ring", setup=SMALL), "topology='ring'"),
    (lambda: Setup(fanout=0), "fanout=0"),
    (lambda: Setup(epoch_ms=0), "epoch_ms=0"),
    (lambda: Setup(isolated="BRU"), "isolated='BRU'"),
    (lambda: Setup(region="Antarctica"), "region='Antarctica'"),
    (lambda: Setup(fault_from=0.7, fault_to=0.2), "fault_from=0.7"),
    (lambda: Setup(value_type="blob"), "value_type='blob'"),
    (lambda: Setup(primary_reads="any"), "reads='any'"),
    (lambda: Setup(ops=0), "ops=0"),
    (lambda: Setup(write_fraction=1.5), "write_fraction=1.5"),
])
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- one write followed -----------------------------------------------------------------------


def test_follow_write_starts_at_the_origin_and_every_hop_delivers_it():
    p = follow_write("tree", SMALL, origin="SYD", key="k0", at_ms=500.0)
    assert p.holders[0].node == "SYD" and p.holders[0].seen_ms == 0.0
    seen = {h.node: h.seen_ms for h in p.holders}
    for hop in p.hops:
        assert hop.sent_ms <= hop.arrived_ms == seen[hop.dst]
        assert seen[hop.src] is not None and seen[hop.src] <= hop.sent_ms
    assert p.hops[0].dst.startswith("hub:")  # a tree climbs through the regional hub first


def test_follow_write_through_a_primary_reaches_every_replica():
    p = follow_write("primary", SMALL, origin="SYD", at_ms=500.0)
    assert p.reached == len(SMALL.sites)
    assert {h.role for h in p.holders} == {"primary", "replica"}


@pytest.mark.parametrize("kwargs, match", [
    (dict(origin="CDG"), "origin='CDG'"),
    (dict(key="k99"), "key='k99'"),
    (dict(at_ms=1e9), "at_ms="),
])
def test_follow_write_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        follow_write("flat", SMALL, **kwargs)


def test_follow_write_needs_a_register():
    with pytest.raises(ValueError, match="value_type='gcounter'"):
        follow_write("flat", Setup(**{**SMALL.__dict__, "value_type": "gcounter"}))


# -- the protocol stepped by hand -------------------------------------------------------------


@pytest.mark.parametrize("value_type", ["lww", "mv", "orset", "pncounter"])
def test_after_each_completed_sync_the_touched_keys_are_equal_on_both_sides(value_type):
    for step in sync_walkthrough(value_type=value_type):
        root = step.states["root:FRA"]
        requests = [m for m in step.messages if m.kind == "SyncRequest"]
        if not requests:
            continue
        last = requests[-1]  # states are taken after the step: the last site to sync is the witness
        site = step.states[last.src]
        for key in last.entries:
            assert site.get(key) == root.get(key), (step.number, last.src, key)


def test_walkthrough_sizes_are_the_json_sizes():
    for step in sync_walkthrough():
        for m in step.messages:
            assert m.bytes > sum(m.entry_bytes.values())
            for k, v in m.entries.items():
                assert m.entry_bytes[k] == (0 if v is None else len(json.dumps(v)))


def test_walkthrough_bad_script():
    with pytest.raises(ValueError, match="expected \\(site, 'read' or 'write', key\\)"):
        sync_walkthrough([[("SYD", "delete", "cart")]])
    with pytest.raises(ValueError, match="site='CDG'"):
        sync_walkthrough([[("CDG", "read", "cart")]])


def test_inside_a_site_the_client_gets_the_merge_and_the_stale_replica_is_repaired():
    inside = site_inside(slow=(0, 1), slow_ms=20.0)  # the fresh replicas answer later, within the timer
    assert not inside.stale_answer and inside.repairs == 1 and inside.latency_ms > 20.0
    assert sum(r.holds_key for r in inside.replicas) == 3
    assert [r.index for r in inside.replicas if r.repaired] == [2]
    late = site_inside(slow=(0, 1), slow_ms=200.0)  # later than the first reply + 75 ms: not merged
    assert late.stale_answer and late.repairs == 0 and 75.0 < late.latency_ms < 80.0
    assert [r.index for r in late.replicas if r.late] == [0, 1]
    calm = site_inside()
    assert not calm.stale_answer and calm.repairs == 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=0), "n=0"),
    (dict(replicas=2, n=3), "n=3"),
    (dict(missed_by=3), "missed_by=3"),
    (dict(slow=(9,)), "slow="),
])
def test_site_inside_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        site_inside(**kwargs)
