"""Every public name of the core sub-packages with one valid call, for the bad-input probe."""

import operator
import random
import tempfile
from pathlib import Path

from edgekit import coordination, geo
from edgekit.checkers import (
    Operation,
    check_linearizable,
    check_linearizable_bruteforce,
    describe,
    get_model,
    is_open,
    minimal_counterexample,
    monotonic_reads,
    parse_jepsen_log,
    parse_porcupine_kv,
    precedes,
    read_your_writes,
    session_violations,
    staleness,
    staleness_summary,
)
from edgekit.checkers.explain import explain, letters
from edgekit.checkers.generate import corrupt, random_history
from edgekit.checkers.history import validate_history
from edgekit.checkers.models import Model, validated
from edgekit.checkers.search import Budget, search, unacceptable
from edgekit.clocks import (
    HLC,
    CausalContext,
    Dot,
    LamportClock,
    PhysicalClock,
    VectorClock,
    VersionVector,
    concurrent,
    happens_before,
    lamport_key,
    ntp_error_bound_ms,
    ntp_sample,
    synchronise,
)
from edgekit.clocks.dvv import check_count, check_replica, dot_from_json
from edgekit.consistency import (
    WARS,
    Available,
    Dynamo,
    Exponential,
    Mixture,
    Pareto,
    Primary,
    Workload,
    binned_consistency,
    cap_compare,
    cap_faults,
    closed_form_consistency,
    consistency_by_lag,
    pacelc_sweep,
    pbs_consistency,
    run_store,
    staleness_thresholds,
    store_spec,
    t_visibility,
)
from edgekit.consistency.caveats import (
    consistency_map,
    new_old_inversion,
    skewed_coordinator,
    writes_during_cut,
)
from edgekit.consistency.pbs import leg_samples
from edgekit.consistency.staleness import OpRecord, read_staleness, site_stats
from edgekit.crdt import (
    BloomFilter,
    CountMinSketch,
    GCounter,
    GSet,
    HyperLogLog,
    LWWElementSet,
    LWWRegister,
    MVRegister,
    ORMap,
    ORSet,
    PNCounter,
    TwoPSet,
    laws,
)
from edgekit.crdt.base import (
    check_amount,
    check_depth,
    check_element,
    check_timestamp,
    from_plain,
    sort_key,
    to_plain,
)
from edgekit.crdt.experiments import compare_sets, mv_story, sketch_accuracy, wire_bytes, wire_sizes
from edgekit.crdt.lattice import describe as describe_state
from edgekit.crdt.lattice import hasse, join_closure
from edgekit.crdt.sketches import hash64


def _w(c, call, ret, v):
    return Operation(c, call, ret, ("write", v))


def _r(c, call, ret, v):
    return Operation(c, call, ret, ("read", None), v)


HISTORY = [_w(1, 0, 2, 1), _r(2, 1, 3, 1), _w(1, 4, 5, 2), _r(2, 6, 7, 2)]
BAD_HISTORY = [_w(1, 0, 1, 1), _w(2, 2, 3, 2), _r(3, 4, 5, 1)]
OPREC = [OpRecord("IAD", "IAD", "write", "k0", "a", 0.0, 10.0, True, (5, "IAD"), None),
         OpRecord("LHR", "LHR", "read", "k0", None, 50.0, 51.0, True, (0, ""), None)]
SMALL = Workload(duration_ms=200.0, think_ms=50.0, timeout_ms=100.0)


def _states(rng):
    return rng.randint(0, 9)


def _jepsen(tmp):
    p = tmp / "ok.log"
    p.write_text("INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\n")
    return p


def _porcupine(tmp):
    p = tmp / "ok.txt"
    p.write_text('{:process 0, :type :invoke, :f :put, :key "k", :value "v"}\n'
                 '{:process 0, :type :ok, :f :put, :key "k", :value "v"}\n')
    return p


def probes(tmp=None):
    """(name, callable, args, kwargs): a valid call of every public function, class and method."""
    tmp = Path(tempfile.mkdtemp(prefix="edgekit-probe-")) if tmp is None else tmp
    g, o, m, c = GCounter().increment("A"), ORSet().add("A", "x"), MVRegister().assign("A", 1), CausalContext()
    res_bad = check_linearizable(BAD_HISTORY, "register")
    out = [
        # geo and coordination
        ("geo.place", geo.place, ("LHR",), {}),
        ("geo.great_circle_km", geo.great_circle_km, ("LHR", (0, 0)), {}),
        ("geo.min_rtt_ms", geo.min_rtt_ms, ("LHR", "JFK", "fiber"), {"refractive_index": 1.5}),
        ("geo.max_distance_km", geo.max_distance_km, (10.0, "fiber"), {"refractive_index": 1.5}),
        ("geo.measured_rtt_ms", geo.measured_rtt_ms, ("LHR", "JFK"), {}),
        ("geo.estimate_rtt_ms", geo.estimate_rtt_ms, ("LHR", "JFK"), {}),
        ("coordination.nearest", coordination.nearest, ("LHR", ["IAD", "FRA"]), {"rtt": lambda a, b: 5.0}),
        ("coordination.local_write_ms", coordination.local_write_ms, ("LHR",), {}),
        ("coordination.primary_write_ms", coordination.primary_write_ms, ("LHR", "IAD", ["IAD", "FRA"]),
         {"rtt": lambda a, b: 5.0}),
        ("coordination.quorum_write_ms", coordination.quorum_write_ms, ("LHR", ["IAD", "FRA", "SYD"]),
         {"rtt": lambda a, b: 5.0}),
        ("coordination.write_costs", coordination.write_costs, (["IAD", "FRA"], "IAD", ["LHR"]), {}),
        ("coordination.primary_ranking", coordination.primary_ranking, (["IAD", "FRA"], {"LHR": 2.0}),
         {"rtt": lambda a, b: 5.0}),
        ("coordination.best_primary", coordination.best_primary, (["IAD", "FRA"], {"LHR": 2.0}), {}),
        ("coordination.round_trips_within", coordination.round_trips_within, (100.0, 7.0), {}),
        ("geo.rtt_range_ms", geo.rtt_range_ms, ("LHR", "JFK", 0.1, 0.9), {}),
        ("coordination.write_ms", coordination.write_ms, ("LHR", ["IAD", "FRA"], "IAD", "all"),
         {"rtt": lambda a, b: 5.0}),
        ("coordination.design_grid", coordination.design_grid,
         (coordination.write_costs(["IAD", "FRA"], "IAD", ["LHR"]),), {}),
        ("coordination.primary_win_shares", coordination.primary_win_shares,
         (["IAD", "FRA"], {"LHR": 2.0}, 5, 0, "all"), {}),
        # clocks
        ("PhysicalClock", PhysicalClock, (5.0, 20.0), {}),
        ("PhysicalClock.read", PhysicalClock(5.0).read, (10.0,), {}),
        ("PhysicalClock.error", PhysicalClock(5.0).error, (10.0,), {}),
        ("PhysicalClock.adjusted", PhysicalClock(5.0).adjusted, (1.0,), {}),
        ("ntp_error_bound_ms", ntp_error_bound_ms, (10.0,), {}),
        ("ntp_sample", ntp_sample, (PhysicalClock(5.0), PhysicalClock(), 100.0, 10.0, 12.0, 1.0), {}),
        ("synchronise", synchronise, (PhysicalClock(5.0), PhysicalClock(), 100.0, 10.0, 12.0), {}),
        ("LamportClock", LamportClock, (3,), {}),
        ("LamportClock.receive", LamportClock(3).receive, (5,), {}),
        ("lamport_key", lamport_key, (3, "A"), {}),
        ("VectorClock", VectorClock, ({"A": 1},), {}),
        ("VectorClock.from_json", VectorClock.from_json, ({"A": 1},), {}),
        ("VectorClock.merge", VectorClock({"A": 1}).merge, (VectorClock({"B": 1}),), {}),
        ("VectorClock.tick", VectorClock().tick, ("A",), {}),
        ("happens_before", happens_before, (VectorClock(), VectorClock({"A": 1})), {}),
        ("concurrent", concurrent, (VectorClock({"B": 1}), VectorClock({"A": 1})), {}),
        ("HLC", HLC, (5.0, 1), {}),
        ("HLC.tick", HLC(5.0).tick, (6.0,), {}),
        ("HLC.receive", HLC(5.0).receive, (HLC(7.0, 2), 6.0), {}),
        ("HLC.pack", HLC(5, 1).pack, (16,), {}),
        ("Dot", Dot, ("A", 1), {}),
        ("dot_from_json", dot_from_json, (["A", 1],), {}),
        ("check_replica", check_replica, ("A",), {}),
        ("VersionVector.of", VersionVector.of, ({"A": 1},), {}),
        ("VersionVector.from_json", VersionVector.from_json, ({"A": 1},), {}),
        ("VersionVector.increment", VersionVector().increment, ("A",), {}),
        ("VersionVector.merge", VersionVector().merge, (VersionVector.of({"A": 1}),), {}),
        ("CausalContext.from_dots", CausalContext.from_dots, ([Dot("A", 1)],), {}),
        ("CausalContext.from_json", CausalContext.from_json, ({"vv": {"A": 1}, "cloud": [["B", 3]]},), {}),
        ("CausalContext.add", c.add, (Dot("A", 1),), {}),
        ("CausalContext.merge", c.merge, (CausalContext(),), {}),
        ("CausalContext.next_dot", c.next_dot, ("A",), {}),
        # crdt values and their mutators
        ("GCounter.of", GCounter.of, ({"A": 1},), {}),
        ("GCounter.increment", g.increment, ("A", 2), {}),
        ("GCounter.increment_delta", g.increment_delta, ("A", 2), {}),
        ("GCounter.merge", g.merge, (GCounter(),), {}),
        ("PNCounter.increment", PNCounter().increment, ("A", 2), {}),
        ("PNCounter.decrement", PNCounter().decrement, ("A", 2), {}),
        ("PNCounter.decrement_delta", PNCounter().decrement_delta, ("A", 2), {}),
        ("GSet.add", GSet().add, ("x",), {}),
        ("TwoPSet.remove", TwoPSet().remove, ("x",), {}),
        ("LWWElementSet.add", LWWElementSet().add, ("A", "x", 1.0), {}),
        ("LWWElementSet.remove", LWWElementSet().remove, ("A", "x", 1.0), {}),
        ("ORSet.add", o.add, ("A", "y"), {}),
        ("ORSet.remove", o.remove, ("x",), {}),
        ("ORSet.dots_of", o.dots_of, ("x",), {}),
        ("LWWRegister.assign", LWWRegister().assign, ("A", "v", 1.0), {}),
        ("MVRegister.assign", m.assign, ("A", 2), {"context": m.context}),
        ("ORMap.put", ORMap().put, ("A", "k", g), {}),
        ("ORMap.update", ORMap().update, ("A", "k", lambda s: s.increment("A"), GCounter()), {}),
        ("ORMap.remove", ORMap().remove, ("k",), {}),
        ("ORMap.get", ORMap().get, ("k",), {}),
        ("BloomFilter", BloomFilter, (64, 3), {}),
        ("BloomFilter.add", BloomFilter().add, ("x",), {}),
        ("BloomFilter.add_all", BloomFilter().add_all, (["x"],), {}),
        ("HyperLogLog", HyperLogLog, (8,), {}),
        ("HyperLogLog.add_all", HyperLogLog().add_all, (["x"],), {}),
        ("CountMinSketch", CountMinSketch, (16, 2), {}),
        ("CountMinSketch.add", CountMinSketch().add, ("A", "x", 2), {}),
        ("CountMinSketch.estimate", CountMinSketch().add("A", "x").estimate, ("x",), {}),
        ("hash64", hash64, ("x", 1), {}),
        ("check_amount", check_amount, (1,), {}),
        ("check_element", check_element, ("x",), {}),
        ("check_timestamp", check_timestamp, (1.0,), {}),
        ("to_plain", to_plain, ((1, "a"),), {}),
        ("from_plain", from_plain, ([1, "a"],), {}),
        ("sort_key", sort_key, ((1, "a"),), {}),
        ("join_closure", join_closure, ([GSet().add(1), GSet().add(2)], 8), {}),
        ("hasse", hasse, ([GSet().add(1), GSet().add(2)], 8), {}),
        ("lattice.describe", describe_state, (o,), {}),
        ("compare_sets", compare_sets, (), {"clock_offset_ms": {"B": 5.0}}),
        ("sketch_accuracy", sketch_accuracy, ((50,), 0, 6, 256, 16, 2), {}),
        ("wire_sizes", wire_sizes, ((2,), 0), {}),
        ("wire_bytes", wire_bytes, (g,), {}),
        ("laws.check", laws.check, (_states,), {"merge": max, "trials": 5, "seed": 1, "replicas": 2}),
        ("laws.convergent", laws.convergent, (_states,), {"merge": max, "trials": 5, "drop": 0.1, "duplicate": 0.1}),
        ("laws.idempotent", laws.idempotent, (_states,), {"merge": max, "trials": 5}),
        ("laws.commutative", laws.commutative, (_states,), {"merge": max, "trials": 5}),
        ("laws.associative", laws.associative, (_states,), {"merge": max, "trials": 5}),
        ("laws.monotonic", laws.monotonic, (_states,), {"merge": max, "leq": operator.le, "trials": 5}),
        ("check_depth", check_depth, ({"a": [1]},), {}),  # name and limit: set by the kit itself
        ("check_count", check_count, (3,), {}),
        ("laws.every_merge_order", laws.every_merge_order, ([{1}, {2}],), {"merge": set.union}),
        ("laws.show", laws.show, (g, 40), {}),
        # checkers
        ("Operation", Operation, (1, 0.0, 1.0, ("write", 1), None), {}),
        ("describe", describe, (HISTORY[0],), {}),
        ("is_open", is_open, (HISTORY[0],), {}),
        ("precedes", precedes, (HISTORY[0], HISTORY[2]), {}),
        ("get_model", get_model, ("kv",), {}),
        ("validate_history", validate_history, (HISTORY,), {}),
        ("check_linearizable", check_linearizable, (HISTORY, "register"), {}),
        ("check_linearizable_bruteforce", check_linearizable_bruteforce, (HISTORY, "register"), {}),
        ("minimal_counterexample", minimal_counterexample, (BAD_HISTORY, "register"), {}),
        ("search", search, (HISTORY, get_model("register")), {}),
        ("unacceptable", unacceptable, (HISTORY, HISTORY, get_model("register")), {}),
        ("Budget", Budget, (100, 5.0), {}),
        ("Model", Model, ("counter", 0, lambda s, i, o: (True, s + 1)), {"partition": None}),
        ("validated", validated, (HISTORY, "register"), {}),
        ("explain", explain, (res_bad,), {}),
        ("letters", letters, (HISTORY,), {}),
        ("parse_jepsen_log", parse_jepsen_log, (_jepsen(tmp),), {}),
        ("parse_porcupine_kv", parse_porcupine_kv, (_porcupine(tmp),), {}),
        ("read_your_writes", read_your_writes, (HISTORY,), {}),
        ("monotonic_reads", monotonic_reads, (HISTORY,), {}),
        ("session_violations", session_violations, (HISTORY,), {}),
        ("staleness", staleness, (HISTORY,), {}),
        ("staleness_summary", staleness_summary, (HISTORY,), {}),
        ("random_history", random_history, (random.Random(1), "kv", 2, 4, 0.1, 0.1), {}),
        ("corrupt", corrupt, (random.Random(1), HISTORY, 1), {}),
        # consistency
        ("Pareto", Pareto, (1.0, 2.0), {}),
        ("Exponential", Exponential, (1.0,), {}),
        ("Mixture", Mixture, (0.5, Pareto(1.0, 2.0), Exponential(1.0)), {}),
        ("WARS", WARS, (Exponential(1.0),) * 4, {}),
        ("closed_form_consistency", closed_form_consistency, (3, 1, 1, 2), {}),
        ("leg_samples", leg_samples, ("lnkd-ssd", 50, 0), {}),
        ("consistency_map", consistency_map, (None, "Europe cut off"), {}),
        ("skewed_coordinator", skewed_coordinator, (-300.0, "SYD", 1), {}),
        ("new_old_inversion", new_old_inversion, ("dynamo", True), {}),
        ("writes_during_cut", writes_during_cut, ("quorum", "SYD", "Europe cut off"), {}),
        ("mv_story", mv_story, (), {}),
        ("pbs_consistency", pbs_consistency, (3, 1, 1, [0.0, 1.0], "lnkd-ssd", 200, 0, True), {}),
        ("staleness_thresholds", staleness_thresholds, (3, 1, 1, "lnkd-disk", 200, 0, True), {}),
        ("t_visibility", t_visibility, (3, 1, 1, 0.9, "lnkd-ssd", 200, 0), {}),
        ("Primary", Primary, ("IAD", "all"), {}),
        ("Dynamo", Dynamo, (3, 1, 1), {}),
        ("Available", Available, (100.0,), {}),
        ("Workload", Workload, (200.0, 0.5, 50.0, 100.0, 2), {}),
        ("store_spec", store_spec, ("quorum",), {}),
        ("run_store", run_store, ("quorum", ["IAD", "LHR"], None, SMALL, 1), {"settle_ms": 100.0}),
        ("cap_faults", cap_faults, ("transatlantic cut",), {}),
        ("read_staleness", read_staleness, (OPREC,), {}),
        ("consistency_by_lag", consistency_by_lag, (OPREC,), {}),
        ("site_stats", site_stats, (["IAD", "LHR"], OPREC), {}),
        ("binned_consistency", binned_consistency, ([], [0.0, 10.0]), {}),
        ("cap_compare", cap_compare, (["LHR"], ["LHR", "IAD"], "quorum", "available", SMALL, 0), {}),
        ("pacelc_sweep", pacelc_sweep, ([(2, 1, 1)], ["LHR", "IAD"], None, SMALL, 0), {}),
    ]
    return out

