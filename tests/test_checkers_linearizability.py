"""check_linearizable: hand-made cases, bad input, and agreement with the brute-force oracle."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.checkers import (
    UNKNOWN,
    Model,
    Operation,
    check_linearizable,
    check_linearizable_bruteforce,
    get_model,
    minimal_counterexample,
    precedes,
)
from edgekit.checkers.generate import corrupt, random_history
from edgekit.checkers.linearizability import search

INF = math.inf


def w(client, call, ret, v):
    return Operation(client, call, ret, ("write", v), None)


def r(client, call, ret, v):
    return Operation(client, call, ret, ("read", None), v)


def cas(client, call, ret, old, new, out):
    return Operation(client, call, ret, ("cas", (old, new)), out)


# --- hand-made histories ------------------------------------------------------------------


def test_sequential_read_of_last_write():
    assert check_linearizable([w(1, 0, 1, 5), r(2, 2, 3, 5)], "register").ok


def test_stale_read_after_a_completed_write_is_caught():
    h = [w(1, 0, 1, 1), w(1, 2, 3, 2), r(2, 4, 5, 1)]
    res = check_linearizable(h, "register")
    assert not res.ok and not res
    assert {op.input for op in res.counterexample} == {("write", 2), ("read", None)}


def test_concurrent_read_may_see_old_or_new_value():
    h = [w(1, 0, 10, 1), r(2, 2, 3, None), r(3, 4, 5, 1)]
    assert check_linearizable(h, "register").ok
    # ... but not new and then old again (r3 entirely after r2)
    h = [w(1, 0, 10, 1), r(2, 2, 3, 1), r(3, 4, 5, None)]
    assert not check_linearizable(h, "register").ok


def test_touching_intervals_are_concurrent():
    # the write returns at 5 exactly when the read is called: either order is allowed
    assert check_linearizable([w(1, 0, 5, 1), r(2, 5, 6, None)], "register").ok
    assert not check_linearizable([w(1, 0, 5, 1), r(2, 5.001, 6, None)], "register").ok


def test_pending_write_may_take_effect_late_or_never():
    h = [w(1, 0, INF, 1), r(2, 5, 6, None), r(3, 7, 8, 1)]
    assert check_linearizable(h, "register").ok
    assert check_linearizable([w(1, 0, INF, 1), r(2, 5, 6, None)], "register").ok
    # once seen, it cannot be undone
    assert not check_linearizable(h + [r(4, 9, 10, None)], "register").ok


def test_unknown_read_accepts_any_value():
    assert check_linearizable([w(1, 0, 1, 1), r(2, 2, 3, UNKNOWN)], "register").ok


def test_cas_semantics():
    assert check_linearizable([w(1, 0, 1, 1), cas(2, 2, 3, 1, 2, True), r(3, 4, 5, 2)]).ok
    assert not check_linearizable([w(1, 0, 1, 1), cas(2, 2, 3, 0, 2, True)]).ok
    assert check_linearizable([w(1, 0, 1, 1), cas(2, 2, 3, 0, 2, False), r(3, 4, 5, 1)]).ok
    assert not check_linearizable([w(1, 0, 1, 1), cas(2, 2, 3, 1, 2, False)]).ok
    # an indeterminate cas may or may not have happened
    for seen in (1, 2):
        assert check_linearizable([w(1, 0, 1, 1), cas(2, 2, INF, 1, 2, UNKNOWN), r(3, 4, 5, seen)]).ok
    assert not check_linearizable([w(1, 0, 1, 1), cas(2, 2, INF, 0, 2, UNKNOWN), r(3, 4, 5, 2)]).ok


def test_kv_is_checked_per_key_and_missing_key_reads_empty():
    def op(c, a, b, inp, out=None):
        return Operation(c, a, b, inp, out)

    h = [
        op(1, 0, 1, ("get", "k"), ""),
        op(1, 2, 3, ("append", ("k", "x"))),
        op(2, 4, 5, ("append", ("k", "y"))),
        op(3, 6, 7, ("get", "k"), "xy"),
        op(3, 8, 9, ("put", ("j", "z"))),
        op(2, 10, 11, ("get", "j"), "z"),
    ]
    res = check_linearizable(h, "kv")
    assert res.ok and set(res.witness) == {"k", "j"}
    bad = h + [op(4, 12, 13, ("get", "k"), "yx")]
    res = check_linearizable(bad, "kv")
    assert not res.ok and res.failed_part == "k"
    assert "key 'k'" in res.explain()


def test_witness_is_a_real_linearization():
    rng = random.Random(7)
    for _ in range(200):
        h = random_history(rng, "cas-register", clients=4, ops=12, p_pending=0.2, p_unknown=0.2)
        res = check_linearizable(h, "cas-register")
        assert res.ok
        order = res.linearization
        pos = {id(op): k for k, op in enumerate(order)}
        assert all(id(op) in pos for op in h if op.ret < INF and op.output is not UNKNOWN)
        for a in order:
            for b in order:
                if precedes(a, b):
                    assert pos[id(a)] < pos[id(b)]
        state = get_model("cas-register").init
        for op in order:
            ok, state = get_model("cas-register").step(state, op.input, op.output)
            assert ok


def test_user_defined_model():
    # a counter: incr returns the new value
    def step(state, inp, out):
        return (out is UNKNOWN or out == state + 1), state + 1

    counter = Model("counter", 0, step)
    incr = ("incr", None)
    h = [Operation(1, 0, 5, incr, 2), Operation(2, 1, 3, incr, 1)]
    assert check_linearizable(h, counter).ok
    assert not check_linearizable([Operation(1, 0, 1, incr, 2), Operation(2, 2, 3, incr, 1)], counter).ok


def test_explanation_in_plain_words():
    res = check_linearizable([w("alice", 0, 1, 1), w("alice", 2, 3, 2), r("bob", 4, 5, 1)], "register")
    text = str(res)
    assert "Not linearizable" in text and "client bob: read -> 1" in text
    assert "write 2" in text and "before" in text
    ok = check_linearizable([w(1, 0, 1, 1)], "register")
    assert "Linearizable" in str(ok) and ok.counterexample == []


def test_empty_history_is_linearizable():
    assert check_linearizable([], "kv").ok


# --- bad input ----------------------------------------------------------------------------


def test_unknown_model_name():
    with pytest.raises(ValueError, match="model='queue'"):
        check_linearizable([], "queue")


def test_ret_before_call():
    with pytest.raises(ValueError, match="ret=1"):
        Operation(1, 2, 1, ("read", None), None)


@pytest.mark.parametrize(
    "inp, model",
    [
        (("cas", 3), "cas-register"),
        (("cas", (1, 2)), "register"),
        (("incr", 1), "cas-register"),
        (("get", 3), "kv"),
        (("put", "k"), "kv"),
    ],
)
def test_malformed_inputs(inp, model):
    with pytest.raises(ValueError, match="input="):
        check_linearizable([Operation(1, 0, 1, inp, None)], model)


def test_malformed_operation_fields():
    with pytest.raises(ValueError, match="input="):
        Operation(1, 0, 1, "read", None)
    with pytest.raises(TypeError, match="call="):
        Operation(1, "0", 1, ("read", None), None)
    with pytest.raises(TypeError, match=r"history\[1\]"):
        check_linearizable([w(1, 0, 1, 1), ("write", 2)], "register")
    with pytest.raises(ValueError, match="output="):
        check_linearizable([cas(1, 0, 1, 0, 1, "yes")], "cas-register")


def test_unhashable_state_in_user_model():
    with pytest.raises(TypeError, match="init=.*hashable"):  # caught when the model is made
        Model("list", [], lambda s, i, o: (True, s + [i]))
    bad = Model("list", (), lambda s, i, o: (True, list(s) + [i]))  # a later state is a list
    with pytest.raises(TypeError, match="hashable"):
        check_linearizable([Operation(1, 0, 1, ("x", 1))], bad)


def test_counterexample_of_linearizable_history_is_an_error():
    with pytest.raises(ValueError, match="linearizable"):
        minimal_counterexample([w(1, 0, 1, 1)], "register")


# --- against the brute-force oracle --------------------------------------------------------


def _assert_counterexample_is_minimal(res):
    model, core = res.model, res.counterexample
    rest = [op for op in res.failed_ops if all(op is not c for c in core)]
    assert not search(core, model)[0], "the counterexample must fail on its own"
    assert not search(core, model, rest)[0], "... and with the rest of the history as context"
    for op in core:
        smaller = [c for c in core if c is not op]
        context = [o for o in res.failed_ops if all(o is not c for c in smaller)]
        assert search(smaller, model, context)[0], "1-minimal: dropping any one makes it orderable"


@st.composite
def histories(draw):
    model = draw(st.sampled_from(["register", "cas-register", "kv"]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    h = random_history(
        rng,
        model,
        clients=draw(st.integers(1, 4)),
        ops=draw(st.integers(0, 8)),
        p_pending=draw(st.sampled_from([0.0, 0.15, 0.3])),
        p_unknown=draw(st.sampled_from([0.0, 0.15, 0.3])),
    )
    if draw(st.booleans()):
        h = corrupt(rng, h, draw(st.integers(1, 2)))
    return model, h


@settings(max_examples=1500, deadline=None)
@given(histories())
def test_agrees_with_bruteforce(case):
    model, h = case
    res = check_linearizable(h, model)
    assert res.ok == check_linearizable_bruteforce(h, model)
    if not res.ok:
        _assert_counterexample_is_minimal(res)


def test_agrees_with_bruteforce_on_thousands_of_seeded_histories():
    rng = random.Random(2024)
    verdicts = {True: 0, False: 0}
    for _ in range(3000):
        model = rng.choice(["register", "cas-register", "kv"])
        h = random_history(rng, model, clients=rng.randint(1, 5), ops=rng.randint(0, 9), p_pending=0.2, p_unknown=0.2)
        assert check_linearizable(h, model).ok, "the generator makes linearizable histories"
        if rng.random() < 0.6:
            h = corrupt(rng, h, rng.randint(1, 3))
        ok = check_linearizable(h, model).ok
        assert ok == check_linearizable_bruteforce(h, model), h
        verdicts[ok] += 1
    assert min(verdicts.values()) > 500  # both verdicts are well represented


def test_bruteforce_refuses_long_histories():
    with pytest.raises(ValueError, match="at most"):
        check_linearizable_bruteforce([w(1, k, k + 0.5, k) for k in range(20)], "register")
