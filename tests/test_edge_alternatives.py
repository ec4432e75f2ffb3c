"""The designs the talk rejects: a single write primary and a gossip mesh, on the simulated planet."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgekit.edge import Topology
from edgekit.edge.context import FakeContext
from edgekit.edge.lab import Observer, Workload, random_faults, site_isolated
from edgekit.edge.lab.gossip import (
    Deltas,
    Digest,
    DigestReply,
    GossipConfig,
    GossipPeer,
    GossipSystem,
)
from edgekit.edge.lab.harness import WireMeter
from edgekit.edge.lab.primary import Append, PrimaryConfig, PrimaryPoP, PrimarySystem, central_site
from edgekit.edge.values import VALUE_TYPES
from edgekit.sim import FaultModel, LinkFaults

SITES = ("LHR", "FRA", "IAD", "SYD", "NRT")


def workload(seed: int, ops: int = 600, write_fraction: float = 0.3) -> Workload:
    return Workload(SITES, keys=12, ops=ops, rates=60.0, write_fraction=write_fraction, seed=seed)


def chaos(seed: int, until_ms: float) -> FaultModel:
    """Random cuts, crashes and regional cuts (all heal), over lossy, duplicating, reordering links."""
    topo = Topology.flat(list(SITES), root=SITES[0])  # only for the fault generator's node lists
    events = random_faults(random.Random(seed), topo, until_ms, count=3)
    events = tuple(e for e in events if getattr(e, "node", None) != f"root:{SITES[0]}")
    return FaultModel(LinkFaults(loss=0.05, duplicate=0.05, reorder=0.1, reorder_ms=50.0), timeline=events)


def observer() -> Observer:
    vt = VALUE_TYPES["lww"]
    return Observer(SITES, record_ops=True, probe_every=5, leq=vt.leq, join=vt.join)


# -- the single primary ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_primary_never_serves_a_stale_read_at_itself_and_loses_no_acknowledged_write(seed):
    w = workload(seed)
    obs = observer()
    run = PrimarySystem(SITES, primary="FRA", seed=seed, faults=chaos(seed, w.duration_ms), observer=obs)
    run.drive(w)
    assert run.settle()
    at_primary = [op for op in obs.ops if op.kind == "read" and op.site == "FRA" and op.ok]
    assert at_primary and all(op.stale_ms == 0 for op in at_primary)
    lost = run.lost_writes()
    assert lost.checked > 0 and lost.lost == 0, lost
    top = run.nodes["FRA"]
    assert all(n.applied == len(top.log) for n in run.nodes.values())  # every replica caught up
    for key in w.key_names():
        assert all(run.state(s, key) == run.authority(key) for s in SITES)


def test_primary_reads_at_the_primary_are_never_stale_anywhere_but_cost_a_round_trip():
    obs = observer()
    run = PrimarySystem(SITES, primary="FRA", config=PrimaryConfig(reads="primary"), seed=3, observer=obs)
    run.drive(workload(3))
    run.settle()
    reads = [op for op in obs.ops if op.kind == "read" and op.ok]
    assert reads and all(op.stale_ms == 0 for op in reads)
    syd = [op.latency_ms for op in reads if op.site == "SYD"]
    assert min(syd) > 100  # Sydney to Frankfurt and back


def test_an_isolated_pop_fails_its_writes_and_keeps_reading_locally():
    w = workload(1)
    faults = FaultModel(timeline=site_isolated("SYD", 0.0, w.duration_ms * 2))
    obs = observer()
    run = PrimarySystem(SITES, primary="FRA", seed=1, faults=faults, observer=obs)
    run.drive(w)
    syd = [op for op in obs.ops if op.site == "SYD"]
    assert all(not op.ok for op in syd if op.kind == "write")
    assert all(op.ok for op in syd if op.kind == "read")
    run.settle()
    assert run.lost_writes().lost == 0


def test_replica_applies_the_log_in_order_and_ignores_gaps_and_duplicates():
    vt = VALUE_TYPES["lww"]
    obs = Observer(["LHR"], leq=vt.leq, join=vt.join)
    rep = PrimaryPoP("LHR", "FRA", ("FRA", "LHR"), PrimaryConfig(), obs, WireMeter())
    ctx = FakeContext("LHR")
    e1, e2, e3 = (("k", vt.write(None, "FRA", i, float(i))[0]) for i in (1, 2, 3))
    rep.on_message(ctx, "FRA", Append(2, (e3,), 3))  # a gap: ignored
    assert rep.applied == 0 and rep.state_of("k") is None
    rep.on_message(ctx, "FRA", Append(0, (e1, e2), 2))
    rep.on_message(ctx, "FRA", Append(0, (e1, e2), 2))  # a duplicate: changes nothing
    assert rep.applied == 2 and rep.state_of("k").value == 2
    rep.on_message(ctx, "FRA", Append(1, (e2, e3), 3))  # overlapping: only the new entry applies
    assert rep.applied == 3 and rep.state_of("k").value == 3
    rep.on_message(ctx, "FRA", Append(3, (), 3))  # a heartbeat: the replica reports its progress
    assert ctx.sent[-1][1].applied == 3


def test_the_primary_goes_where_requests_are():
    assert central_site(["LHR", "FRA", "SYD"]) == "FRA"
    assert central_site(["LHR", "SYD"], {"LHR": 1, "SYD": 10}) == "SYD"


# -- the gossip mesh ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_gossip_converges_after_faults_heal_and_writes_stop(seed):
    w = workload(seed)
    run = GossipSystem(SITES, GossipConfig(fanout=1), seed=seed, faults=chaos(seed, w.duration_ms),
                       observer=observer())
    run.drive(w)
    assert run.settle()
    for key in w.key_names():
        first = run.state(SITES[0], key)
        assert all(run.state(s, key) == first for s in SITES), key
    assert run.lost_writes().lost == 0


def test_gossip_peer_sampling_is_round_robin_over_a_shuffle():
    peer = GossipPeer("LHR", SITES, GossipConfig(fanout=2), observer(), WireMeter())
    rng = random.Random(7)
    picked = peer.next_peers(rng) + peer.next_peers(rng)
    assert len(picked) == 4 and set(picked) == set(SITES) - {"LHR"}  # every peer once per pass


def _exchange(a: GossipPeer, b: GossipPeer, ctx_a, ctx_b, drop: int) -> None:
    """One push/pull reconciliation, with message number ``drop`` (1-3) lost, 0 for none."""
    syn = Digest(dict(a.clock))
    if drop == 1:
        return
    b.on_message(ctx_b, a.node_id, syn)
    reply = ctx_b.sent.pop()[1]
    assert isinstance(reply, DigestReply)
    if drop == 2:
        return
    a.on_message(ctx_a, b.node_id, reply)
    if ctx_a.sent:
        back = ctx_a.sent.pop()[1]
        assert isinstance(back, Deltas)
        if drop != 3:
            b.on_message(ctx_b, a.node_id, back)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["lww", "mv", "gcounter", "orset"]),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2), st.integers(0, 3)),
                min_size=1, max_size=30))
def test_gossip_converges_under_any_order_of_exchanges_with_drops(value_type, script):
    """Writes and reconciliations in any order, some messages lost: a final full round converges."""
    names = ("LHR", "FRA", "IAD", "SYD")
    vt = VALUE_TYPES[value_type]
    obs = Observer(names, leq=vt.leq, join=vt.join)
    cfg = GossipConfig(value_type=value_type)
    peers = [GossipPeer(n, names, cfg, obs, WireMeter()) for n in names]
    ctxs = [FakeContext(n) for n in names]
    for step, (i, j, key, drop) in enumerate(script):
        ctxs[i].now = float(step)
        peers[i].write(ctxs[i], f"k{key}", step + 1)
        if i != j:
            _exchange(peers[i], peers[j], ctxs[i], ctxs[j], drop)
    for a in range(len(peers)):  # heal: everyone reconciles with everyone, nothing lost
        for b in range(len(peers)):
            if a != b:
                _exchange(peers[a], peers[b], ctxs[a], ctxs[b], 0)
    for key in ("k0", "k1", "k2"):  # compare states, not reprs: a frozenset's repr order varies
        assert all(p.state_of(key) == peers[0].state_of(key) for p in peers), key
    assert all(p.clock == peers[0].clock for p in peers)


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make, match", [
    (lambda: GossipConfig(fanout=0), "fanout=0"),
    (lambda: GossipConfig(fanout=1.5), "fanout=1.5"),
    (lambda: GossipConfig(interval_ms=0), "interval_ms=0"),
    (lambda: PrimaryConfig(reads="nearest"), "reads='nearest'"),
    (lambda: PrimaryConfig(heartbeat_ms=-1), "heartbeat_ms=-1"),
    (lambda: PrimaryConfig(batch=0), "batch=0"),
    (lambda: PrimarySystem(SITES, primary="CDG"), "primary='CDG'"),
    (lambda: PrimarySystem(("LHR", "LHR")), "each site once"),
    (lambda: GossipSystem(("LHR", "XXX")), "XXX"),
    (lambda: GossipSystem(SITES, GossipConfig(value_type="blob")), "value_type='blob'"),
])
def test_bad_configuration_is_a_clear_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_config_of_the_wrong_kind_is_a_type_error():
    with pytest.raises(TypeError, match="PrimaryConfig"):
        PrimarySystem(SITES, config=GossipConfig())
    with pytest.raises(TypeError, match="GossipConfig"):
        GossipSystem(SITES, PrimaryConfig())


def test_a_workload_from_other_sites_is_refused():
    run = GossipSystem(("LHR", "FRA"))
    with pytest.raises(ValueError, match="not sites of this run"):
        run.drive(Workload(("LHR", "SYD"), keys=2, ops=5))
