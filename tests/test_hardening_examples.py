"""Issue 12's examples for the core packages, one test each: crafted input never corrupts state,
errors are ValueError/TypeError naming the parameter, and nothing runs without a budget.

Each of these failed before the fix it guards (a wrong answer, an obscure exception, or hours).
"""

import json
import math

import pytest

from edgekit import coordination, geo
from edgekit.checkers import (
    Operation,
    check_linearizable,
    minimal_counterexample,
    parse_jepsen_log,
    parse_porcupine_kv,
)
from edgekit.clocks import HLC, VectorClock
from edgekit.consistency import (
    WARS,
    Exponential,
    Pareto,
    Workload,
    pbs_consistency,
    run_store,
    t_visibility,
)
from edgekit.crdt import (
    BloomFilter,
    CountMinSketch,
    GCounter,
    GSet,
    HyperLogLog,
    LWWElementSet,
    MVRegister,
    ORMap,
    ORSet,
)
from edgekit.sim import from_jsonl

CONTEXT = {"vv": {"A": 1}, "cloud": []}

# -- 1. silent corruption: accepted input that breaks an invariant --------------------------


@pytest.mark.parametrize("cls", [ORSet, MVRegister])
@pytest.mark.parametrize("entries, why", [
    ([["A", 0, "x"]], "counter=0"),
    ([["A", -1, "x"]], "counter=-1"),
    ([["A", 0.5, "x"]], "counter=0.5"),
    ([["A", True, "x"]], "counter=True"),
    ([["A", 1, "x"], ["A", 1, "y"]], "tags two entries"),
])
def test_dot_stores_refuse_bad_dots(cls, entries, why):
    """Before: accepted, and then ``s | Type() != s`` (the state changed when merged with nothing)."""
    with pytest.raises((ValueError, TypeError), match=why):
        cls.from_json({"type": cls.__name__, "entries": entries, "context": CONTEXT})


def test_ormap_refuses_bad_key_dots():
    keys = {"entries": [["A", 0, "k"]], "context": CONTEXT}
    with pytest.raises(ValueError, match="counter=0"):
        ORMap.from_json({"type": "ORMap", "keys": keys, "values": {"k": GCounter().to_json()}})


def test_bloom_filter_refuses_bits_beyond_m():
    """Before: accepted 16 bits for m=8, a false-positive rate of 64.0, and == and <= disagreed."""
    d = BloomFilter(m=8, k=1).to_json()
    d["bits"] = "//8="  # two bytes, all ones: 16 bits for a filter of 8
    with pytest.raises(ValueError, match="bits"):
        BloomFilter.from_json(d)
    assert BloomFilter(m=8, k=1).add("x").false_positive_rate() <= 1


def test_lww_element_set_refuses_the_string_false():
    """Before: ``bool("false")`` is True, so the element was present."""
    with pytest.raises(TypeError, match="present='false'"):
        LWWElementSet.from_json({"type": "LWWElementSet", "entries": [["x", 1, "A", "false"]]})


def test_vector_clock_keys_1_and_string_1_cannot_lose_an_entry():
    """Before: {1: 1, "1": 2} went to JSON as {"1": ...} with one entry silently gone."""
    with pytest.raises(TypeError, match="key 1"):
        VectorClock.from_json({1: 1, "1": 2})
    with pytest.raises(ValueError, match="one JSON key"):
        VectorClock({1: 1, "1": 2}).to_json()
    assert VectorClock.from_json({"1": 2}).to_json() == {"1": 2}


@pytest.mark.parametrize("args, match", [((math.nan, 0), "l=nan"), ((math.inf, 0), "l=inf"),
                                         ((1.0, -1), "c=-1"), ((1.0, 0.5), "c=0.5")])
def test_hlc_refuses_nan_and_a_negative_counter(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        HLC(*args)
    assert HLC(-math.inf, 0).tick(5) == HLC(5, 0)  # -inf stays allowed: the simulations' "before anything"


def _log(tmp_path, text, name="h.log"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_jepsen_completion_must_match_its_invocation(tmp_path):
    """Before: an ``:invoke :read`` closed by an ``:ok :write 3`` was read as a read of nil."""
    p = _log(tmp_path, "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:write\t3\n")
    with pytest.raises(ValueError, match=r"h\.log, line 2: process 0 completes :write but invoked :read"):
        parse_jepsen_log(p)
    p = _log(tmp_path, "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t2\n")
    with pytest.raises(ValueError, match="line 2: .*expected the same argument"):
        parse_jepsen_log(p)


def test_porcupine_completion_key_must_match(tmp_path):
    """Before: the completion's key was ignored, so a get of "a" answered for "b" was a get of "a"."""
    p = _log(tmp_path, '{:process 0, :type :invoke, :f :get, :key "a", :value nil}\n'
                       '{:process 0, :type :ok, :f :get, :key "b", :value "x"}\n', "kv.txt")
    with pytest.raises(ValueError, match=r"kv\.txt, line 2: .*expected the same argument"):
        parse_porcupine_kv(p)


def test_coordination_refuses_what_would_make_nan_or_negative_costs():
    """Before: weights of 1e308 gave NaN means; a negative RTT function gave negative costs."""
    with pytest.raises(ValueError, match=r"clients\['LHR'\]=1e\+308"):
        coordination.primary_ranking(["IAD", "FRA"], {"LHR": 1e308, "SYD": 1e308})
    ranked = coordination.primary_ranking(["IAD", "FRA"], {"LHR": 1e299, "SYD": 1e299})
    assert all(0 < ms < math.inf for _, ms in ranked)
    with pytest.raises(ValueError, match=r"rtt\('LHR', 'IAD'\) returned -5"):
        coordination.primary_write_ms("LHR", "IAD", ["IAD", "FRA"], rtt=lambda a, b: -5)
    with pytest.raises(ValueError, match="returned nan"):
        coordination.quorum_write_ms("LHR", ["IAD", "FRA"], rtt=lambda a, b: math.nan)


def test_pbs_refuses_nan_latencies_and_negative_parameters():
    """Before: NaN samples and negative Pareto/Exponential parameters gave 'probabilities'."""
    nan_legs = WARS(*[lambda rng: math.nan] * 4)
    with pytest.raises(ValueError, match="latency.w: a sample of nan"):
        pbs_consistency(3, 1, 1, latency=nan_legs, trials=10)
    with pytest.raises(ValueError, match="xm=-1"):
        Pareto(-1, 2)
    with pytest.raises(ValueError, match="rate=-2"):
        Exponential(-2)


# -- 2. obscure errors and hangs ----------------------------------------------------------


def test_pbs_with_one_replica_works():
    """Before: ``pbs_consistency(1, 1, 1)``, valid input, raised a TypeError from inside."""
    assert pbs_consistency(1, 1, 1, trials=1000) == 1.0
    assert t_visibility(1, 1, 1, trials=1000) == 0.0


def test_infinite_budgets_and_refractive_indices_are_value_errors():
    """Before: OverflowError from math.floor(inf), ZeroDivisionError from a speed of 0."""
    with pytest.raises(ValueError, match="budget_ms=inf"):
        coordination.round_trips_within(math.inf, 10)
    with pytest.raises(ValueError, match="refractive_index=inf"):
        geo.min_rtt_ms("LHR", "JFK", refractive_index=math.inf)
    with pytest.raises(ValueError, match="rtt_ms=inf"):
        geo.max_distance_km(math.inf)


def test_ormap_whose_key_has_no_value_is_refused():
    """Before: accepted, and ``get`` raised KeyError."""
    keys = ORSet().add("A", "k").to_json()
    del keys["type"]
    with pytest.raises(ValueError, match="key 'k' has no entry in values"):
        ORMap.from_json({"type": "ORMap", "keys": keys, "values": {}})


def _deep(n):
    x = "leaf"
    for _ in range(n):
        x = [x]
    return x


def test_deeply_nested_json_is_a_value_error():
    """Before: RecursionError."""
    with pytest.raises(ValueError, match="nested more than"):
        GSet.from_json({"type": "GSet", "elements": [_deep(5000)]})
    nested: dict = GCounter().to_json()
    for _ in range(2000):
        keys = ORSet().add("A", "k").to_json()
        del keys["type"]
        nested = {"type": "ORMap", "keys": keys, "values": {"k": nested}}
    with pytest.raises(ValueError, match="nested more than"):
        ORMap.from_json(nested)


def test_from_jsonl_of_a_bad_line_names_the_line():
    """Before: ``from_jsonl('{}')`` raised KeyError: 'time'."""
    with pytest.raises(ValueError, match="text: line 1: .*expected an object with keys"):
        from_jsonl("{}")
    with pytest.raises(ValueError, match="text: line 2: not a JSON object"):
        from_jsonl('{"time": 1, "kind": "x", "node": null, "peer": null, "msg_id": null, "data": null}\n{')


def test_minimal_counterexample_of_a_malformed_op_is_a_value_error():
    """Before: TypeError "cannot unpack non-iterable int object" from deep inside the search."""
    with pytest.raises(ValueError, match=r"input=\('cas', 5\)"):
        minimal_counterexample([Operation(1, 0, 1, ("cas", 5), True)], "cas-register")


def test_vector_clock_of_a_list_of_pairs_says_what_to_pass():
    """Before: AttributeError: 'list' object has no attribute 'items'."""
    with pytest.raises(TypeError, match=r"entries=\[\('A', 1\)\].*dict\(pairs\)"):
        VectorClock([("A", 1)])


def test_zero_rate_distributions_are_value_errors():
    """Before: ZeroDivisionError at sampling time."""
    with pytest.raises(ValueError, match="rate=0"):
        Exponential(0)
    with pytest.raises(ValueError, match="alpha=0"):
        Pareto(1, 0)


def test_a_non_utf8_log_names_its_path(tmp_path):
    """Before: UnicodeDecodeError without the file's name."""
    p = tmp_path / "latin1.log"
    p.write_bytes("INFO  jepsen.util - 0\t:invoke\t:read\tnil  caf\xe9\n".encode("latin-1"))
    for parse in (parse_jepsen_log, parse_porcupine_kv):
        with pytest.raises(ValueError, match=r"path='.*latin1\.log': not UTF-8"):
            parse(p)


# -- 3. budgets ----------------------------------------------------------------------------


def _writes(n):
    return [Operation(i, 0, 10, ("write", i)) for i in range(n)]


@pytest.mark.parametrize("n", [16, 18, 25])
def test_concurrent_writes_and_a_read_nobody_wrote_are_decided_at_once(n):
    """Before: 16 writes took 2.5 s, 18 took 12 s and 295 MB, 25 would take hours."""
    res = check_linearizable(_writes(n) + [Operation("r", 11, 12, ("read", None), 999)], "register")
    assert res.ok is False and res.states_explored == 0  # no value any order can produce: no search
    assert [op.client for op in res.counterexample] == ["r"] and "read -> 999" in res.explain()


@pytest.mark.parametrize("n", [16, 18, 25])
def test_concurrent_writes_and_impossible_reads_stop_at_the_budget_as_unknown(n):
    """Reads of 3 and then 5 after every write returned: each value exists, no order gives both.
    The search would try every order of the writes; the budget stops it and says so."""
    history = _writes(n) + [Operation("r", 11, 12, ("read", None), 3), Operation("r", 13, 14, ("read", None), 5)]
    res = check_linearizable(history, "register", max_states=20_000)
    assert res.ok is None and not res and res.states_explored <= 20_000
    assert "max_states=20,000" in res.reason and res.explain().startswith("Unknown")
    assert res.counterexample == [] and res.linearization is None
    from edgekit.checkers import BudgetExhausted

    with pytest.raises(BudgetExhausted, match="max_states"):
        minimal_counterexample(history, "register", max_states=20_000)
    assert check_linearizable(history, "register", max_seconds=0.001, max_states=None).ok in (None, False)


def test_default_budget_bounds_the_search():
    history = _writes(16) + [Operation("r", 11, 12, ("read", None), 3), Operation("r", 13, 14, ("read", None), 5)]
    res = check_linearizable(history, "register")
    assert res.ok is None and res.states_explored <= 250_000  # 524,288 states without a budget


def test_twelve_writes_fit_the_budget_and_are_explained():
    history = _writes(12) + [Operation("r", 11, 12, ("read", None), 3), Operation("r", 13, 14, ("read", None), 5)]
    res = check_linearizable(history, "register")
    assert res.ok is False and res.counterexample_is_minimal
    assert sorted(op.output for op in res.counterexample if op.input[0] == "read") == [3, 5]


def test_run_results_check_takes_the_budget():
    res = run_store("available", ["IAD", "LHR"], workload=Workload(duration_ms=500), seed=1)
    assert res.check(max_states=1).ok is None
    assert res.check().ok in (True, False)


@pytest.mark.timeout(120)  # a hang guard, not a timing assert: the old parser needed most of an hour
def test_jepsen_parsing_is_linear_on_a_long_line(tmp_path):
    """Before: ``(.*?)\\s*$`` backtracked quadratically: 8 kB of spaces and an x took 4.5 s, so this
    200 kB line would take about 45 minutes; now it is refused at once."""
    p = _log(tmp_path, "INFO  jepsen.util - 0\t:invoke\t:write\t1" + " " * 200_000 + "x\n")
    with pytest.raises(ValueError, match="value"):
        parse_jepsen_log(p)


def test_absurd_sketch_and_counter_sizes_are_refused():
    with pytest.raises(ValueError, match="counts\\['A'\\]"):
        GCounter.from_json({"type": "GCounter", "counts": {"A": 10**400}})
    d = HyperLogLog(p=4).to_json()
    d["registers"] = "/////////////////////w=="  # sixteen registers of 255: past a 60-bit hash tail
    with pytest.raises(ValueError, match="a rank of 255"):
        HyperLogLog.from_json(d)
    with pytest.raises(ValueError, match="width\\*depth"):
        CountMinSketch(width=1 << 20, depth=32)  # 33 million cells: gigabytes on the first add before
    with pytest.raises(ValueError, match="trials=10000000"):
        pbs_consistency(3, 1, 1, trials=10_000_000)


def test_a_state_that_passes_is_the_state_it_was():
    s = ORSet().add("A", "x").add("B", "y").remove("x")
    back = ORSet.from_json(json.loads(json.dumps(s.to_json())))
    assert back == s and back | ORSet() == back
