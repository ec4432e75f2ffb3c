"""Replicated stores in the simulator: CP stores stay linearizable under faults, AP converges."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.checkers import Operation, check_linearizable
from edgekit.consistency import (
    WORLD,
    Available,
    Dynamo,
    Primary,
    Quorum,
    Workload,
    binned_consistency,
    cap_compare,
    cap_faults,
    consistency_by_lag,
    pacelc_sweep,
    run_store,
)
from edgekit.consistency.quorum import QuorumReplica, _newest
from edgekit.consistency.replica import Round
from edgekit.sim import (
    Crash,
    Cut,
    FaultModel,
    Heal,
    LatencyModel,
    LinkFaults,
    Network,
    Restart,
    Simulator,
    transatlantic_cut,
)
from edgekit.sim.node import Node

SITES = ["IAD", "LHR", "FRA", "NRT", "SYD"]
SMALL = Workload(duration_ms=2_000, think_ms=60, read_fraction=0.6)


def random_faults(seed: int, protect: str | None) -> FaultModel:
    """Loss, duplication, reordering, (one-way) partitions and crashes; ``protect`` never crashes."""
    rng = random.Random(seed)
    events = []
    for _ in range(rng.randint(0, 3)):
        a = tuple(rng.sample(SITES, rng.randint(1, 2)))
        b = tuple(s for s in SITES if s not in a)
        t = rng.uniform(0, 1_800)
        events += [Cut(t, a, b, directed=rng.random() < 0.3), Heal(t + rng.uniform(100, 1_200), a, b)]
    for _ in range(rng.randint(0, 3)):
        node = rng.choice([s for s in SITES if s != protect])
        t = rng.uniform(0, 1_800)
        events += [Crash(t, node), Restart(t + rng.uniform(50, 800), node)]
    links = LinkFaults(loss=rng.choice([0, 0.02, 0.1]), duplicate=rng.choice([0, 0.05]), reorder=rng.choice([0, 0.1]))
    return FaultModel(links, timeline=tuple(events))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1))
def test_primary_is_linearizable_under_faults(seed):
    res = run_store("primary", SITES, random_faults(seed, protect="IAD"), SMALL, seed=seed)
    assert res.primary == "IAD"
    verdict = res.check()
    assert verdict.ok, verdict.explain()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1))
def test_quorum_is_linearizable_under_faults(seed):
    res = run_store("quorum", SITES, random_faults(seed, protect=None), SMALL, seed=seed)
    verdict = res.check()
    assert verdict.ok, verdict.explain()


def test_primary_majority_acks_and_multi_key_histories_are_linearizable():
    wl = Workload(duration_ms=2_000, think_ms=50, keys=3)
    for seed in range(5):
        res = run_store(Primary(acks="majority"), SITES, random_faults(seed, "IAD"), wl, seed=seed)
        assert res.model == "kv" and res.check().ok
        res = run_store("quorum", SITES, random_faults(seed, None), wl, seed=seed)
        assert res.check().ok


# --- ABD's write-back, in a scripted scenario ------------------------------------------------
#
# A writes "new"; a cut (20-31 ms) leaves it only on A. C reads from {C, A} and sees "new"; B then reads
# from {B, C}. Without the write-back B sees the old value after C saw the new: not linearizable.

PLACES = {"A": (0.0, 0.0), "B": (0.0, 10.0), "C": (10.0, 0.0)}
RTT = {frozenset("AB"): 20.0, frozenset("AC"): 20.0, frozenset("BC"): 40.0}


class Script(Node):
    """A client that calls its replica at fixed times and records Operations."""

    def __init__(self, replica, steps, log):
        self.replica, self.steps, self.log, self.calls = replica, steps, log, {}

    def on_start(self, ctx):
        for i, (t, op, value) in enumerate(self.steps):
            ctx.set_timer(t, (i, op, value))

    def on_timer(self, ctx, tag):
        i, op, value = tag
        self.calls[i] = (ctx.now, op, value)
        ctx.send(self.replica, ("req", i, op, "k0", value))

    def on_message(self, ctx, src, msg):
        call, op, value = self.calls[msg[1]]
        out = msg[2][1] if op == "read" else None
        self.log.append(Operation(self.replica, call, ctx.now, (op, value), out))


class NoWriteBack(QuorumReplica):
    def read(self, key):
        return _newest((yield Round(self.peers, self.majority, ("get", key))))


def scripted_abd(replica_cls):
    def rtt(a, b):
        name = {v: k for k, v in PLACES.items()}
        return RTT[frozenset(name[(a.lat, a.lon)] + name[(b.lat, b.lon)])]

    fm = FaultModel(timeline=(Cut(21, "A", "B"), Cut(21, "A", "C"), Heal(31, "A", "C")))
    net = Network(Simulator(seed=0), LatencyModel(rtt=rtt), fm)
    log = []
    for r in "ABC":
        net.add_node(r, replica_cls(list("ABC")), place=PLACES[r])
    scripts = {"A": [(0, "write", "new")], "C": [(32, "read", None)], "B": [(100, "read", None)]}
    for r, steps in scripts.items():
        net.add_node(f"client@{r}", Script(r, steps, log), place=PLACES[r])
    net.start()
    net.sim.run(until=1_000)
    return sorted(log, key=lambda o: o.call)


def test_abd_write_back_prevents_new_old_inversion():
    log = scripted_abd(QuorumReplica)
    assert [o.output for o in log if o.input[0] == "read"] == ["new", "new"]
    assert check_linearizable(log, "register").ok
    broken = scripted_abd(NoWriteBack)
    assert [o.output for o in broken if o.input[0] == "read"] == ["new", None]
    assert not check_linearizable(broken, "register").ok


# --- the AP store ------------------------------------------------------------------------------

ATLANTIC = ["IAD", "ORD", "JFK", "LHR", "FRA"]


def test_available_store_stays_available_and_converges_after_heal():
    fm = FaultModel(timeline=transatlantic_cut(500, 2_000))
    res = run_store("available", ATLANTIC, fm, Workload(duration_ms=2_500, think_ms=50), seed=7)
    assert all(s.availability == 1.0 for s in res.per_site.values())
    assert res.converged()
    values = {site: d["k0"][1] for site, d in res.final.items()}
    assert len(set(values.values())) == 1
    assert sum(s.stale_reads for s in res.per_site.values()) > 0
    assert not res.check().ok  # the partition lets sides read different "latest" values


def test_available_store_diverges_while_cut():
    fm = FaultModel(timeline=transatlantic_cut(100, None))  # never heals
    res = run_store("available", ATLANTIC, fm, Workload(duration_ms=2_000, think_ms=50), seed=3)
    assert not res.converged()
    assert res.converged(["IAD", "ORD", "JFK"]) and res.converged(["LHR", "FRA"])


def test_cp_store_is_unavailable_on_the_minority_side():
    fm = FaultModel(timeline=transatlantic_cut(0, None))
    res = run_store("quorum", ATLANTIC, fm, Workload(duration_ms=2_000, think_ms=50), seed=1)
    assert res.per_site["LHR"].availability == 0 == res.per_site["FRA"].ok
    assert all(res.per_site[s].availability == 1.0 for s in ("IAD", "ORD", "JFK"))
    assert res.check().ok


def test_primary_latency_is_the_trip_to_the_primary():
    res = run_store(Primary(primary="LHR"), ["LHR", "FRA", "SYD"], None, SMALL, seed=2)
    s = res.per_site
    assert s["SYD"].p50_ms > 5 * s["FRA"].p50_ms  # every operation crosses to London and back


def test_cp_stores_never_read_stale():
    for kind in ("primary", "quorum"):
        res = run_store(kind, SITES, None, SMALL, seed=5)
        assert sum(s.stale_reads for s in res.per_site.values()) == 0


def test_dynamo_partial_quorums_read_stale_and_strict_quorums_do_not():
    wl = Workload(duration_ms=3_000, think_ms=40, read_fraction=0.6)
    sloppy = run_store(Dynamo(3, 1, 1), ["LHR", "NRT", "SYD", "FRA"], None, wl, seed=1)
    lags = consistency_by_lag(sloppy.ops)
    assert lags and not all(ok for _, ok in lags)
    strict = run_store(Dynamo(3, 2, 2), ["LHR", "NRT", "SYD", "FRA"], None, wl, seed=1)
    assert all(ok for _, ok in consistency_by_lag(strict.ops))
    # Partial quorums answer from the nearest replica: faster than strict ones.
    assert sloppy.per_site["FRA"].p50_ms < strict.per_site["FRA"].p50_ms


def scripted_dynamo(read_repair: bool) -> dict:
    """AMS misses a W=1 write while cut off; after the heal FRA reads with R=1. What does each hold?"""
    sites = ["LHR", "FRA", "AMS"]
    fm = FaultModel(timeline=(Cut(0, "AMS", ("LHR", "FRA")), Heal(100, "AMS", ("LHR", "FRA"))))
    net = Network(Simulator(seed=0), LatencyModel(), fm)
    replicas = Dynamo(3, 1, 1, read_repair=read_repair).build(sites)
    log = []
    for s, rep in zip(sites, replicas, strict=True):
        net.add_node(s, rep, place=s)
    net.add_node("client@LHR", Script("LHR", [(10, "write", "v")], log), place="LHR")
    net.add_node("client@FRA", Script("FRA", [(200, "read", None)], log), place="FRA")
    net.start()
    net.sim.run(until=1_000)
    assert [op.output for op in log if op.input[0] == "read"] == ["v"]
    return {s: rep.get("k0")[1] for s, rep in zip(sites, replicas, strict=True)}


def test_dynamo_read_repair_fixes_replicas_that_answer_late():
    assert scripted_dynamo(read_repair=False) == {"LHR": "v", "FRA": "v", "AMS": None}
    # FRA answered first (R=1); AMS's old answer came later and was repaired.
    assert scripted_dynamo(read_repair=True) == {"LHR": "v", "FRA": "v", "AMS": "v"}


def test_same_seed_same_run():
    fm = random_faults(3, None)
    a = run_store("quorum", SITES, fm, SMALL, seed=3)
    b = run_store("quorum", SITES, fm, SMALL, seed=3)
    assert a.ops == b.ops and a.final == b.final
    assert a.ops != run_store("quorum", SITES, fm, SMALL, seed=4).ops


def test_timeouts_are_open_operations():
    fm = FaultModel(timeline=(Crash(0, "LHR"),))
    res = run_store("quorum", ["IAD", "LHR", "JFK"], fm, Workload(duration_ms=1_500, timeout_ms=300), seed=1)
    mine = [op for op in res.history if op.client.startswith("LHR")]
    assert mine and all(op.pending or repr(op.output) == "UNKNOWN" for op in mine)
    assert len({op.client for op in mine}) == len(mine)  # a fresh client after every timeout
    assert res.per_site["LHR"].availability == 0 and math.isnan(res.per_site["LHR"].p50_ms)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: run_store("paxos", SITES), r"kind='paxos'"),
        (lambda: run_store("quorum", ["LHR", "XXX"]), r"code='XXX'"),
        (lambda: run_store("quorum", ["LHR", "LHR"]), r"each PoP once"),
        (lambda: run_store("quorum", []), r"at least one"),
        (lambda: run_store(Dynamo(5, 1, 1), ["LHR", "FRA"]), r"n=5"),
        (lambda: Dynamo(3, 4, 1), r"r=4"),
        (lambda: Dynamo(3, 1, 1, holders=("LHR",)), r"holders"),
        (lambda: run_store(Primary(primary="SYD"), ["LHR", "FRA"]), r"primary='SYD'"),
        (lambda: Primary(acks="some"), r"acks='some'"),
        (lambda: Available(anti_entropy_ms=0), r"anti_entropy_ms=0"),
        (lambda: Workload(read_fraction=1.5), r"read_fraction=1.5"),
        (lambda: Workload(duration_ms=-1), r"duration_ms=-1"),
        (lambda: Workload(keys=0), r"keys=0"),
    ],
)
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_types():
    with pytest.raises(TypeError, match="sites="):
        run_store("quorum", "LHR")
    with pytest.raises(TypeError, match="faults="):
        run_store("quorum", SITES, faults="cut")
    with pytest.raises(TypeError, match="kind="):
        run_store(Quorum, SITES)


# --- chapter 3's scenarios -------------------------------------------------------------------


def test_cap_compare_measures_the_cut_window():
    cmp = cap_compare("transatlantic cut")
    assert cmp.window == (500.0, 2_500.0)
    rows = {r["site"]: r for r in cmp.rows()}
    assert rows["LHR"]["cp_availability"] == 0 and rows["LHR"]["ap_availability"] == 1
    assert rows["IAD"]["cp_availability"] == 1
    assert cmp.ap.converged() and cmp.cp.check().ok
    assert cap_compare("no partition").window == (0.0, math.inf)


def test_cap_faults_bad_input():
    with pytest.raises(ValueError, match="cut='Mars cut off'"):
        cap_faults("Mars cut off")
    with pytest.raises(ValueError, match=r"\['XXX'\] not among"):
        cap_faults(["XXX"])
    with pytest.raises(ValueError, match="both sides"):
        cap_faults(list(WORLD))


def test_pacelc_sweep_strict_quorums_are_never_stale_and_cost_latency():
    pts = pacelc_sweep([(3, 1, 1), (3, 2, 2)], holders=("LHR", "IAD", "NRT"))
    sloppy, strict = pts
    assert strict.stale_share == 0 < sloppy.stale_share
    assert strict.read_p50_ms > 2 * sloppy.read_p50_ms
    assert sloppy.label == "N=3 R=1 W=1"


def test_binned_consistency_rises_with_time_since_the_write():
    pts = pacelc_sweep([(3, 1, 1)], holders=("LHR", "IAD", "NRT"))
    bins = binned_consistency(pts[0].run, [0, 20, 100, 400])
    assert bins[0][1] < bins[-1][1] == 1.0
    assert sum(b[2] for b in bins) == len(consistency_by_lag(pts[0].run.ops))


def test_store_staleness_covers_what_the_history_alone_proves():
    # The checker sees only intervals and values and counts a read stale only when it is
    # definitely behind; the store's tags see every miss. With perfect clocks the first is a
    # subset of the second, read by read, and never counts more versions.
    from edgekit.checkers.staleness import staleness

    fm = FaultModel(timeline=transatlantic_cut(500, 2_500))
    for kind in ("available", Dynamo(3, 1, 1)):
        res = run_store(kind, WORLD, fm, SMALL, seed=2)
        mine = {(o.client, o.call): o for o in res.ops if o.op == "read" and o.ok}
        proven = [s for s in staleness(res.history) if s.stale]
        assert proven
        for s in proven:
            o = mine[(s.read.client, s.read.call)]
            assert o.stale and s.versions_behind <= o.versions_behind
