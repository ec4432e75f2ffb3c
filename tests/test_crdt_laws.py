"""Laws of every state-based type: Hypothesis properties, the laws module, deltas, convergence."""

import operator
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.crdt import laws
from edgekit.crdt.catalog import SPECS
from edgekit.crdt.counterexamples import IntSum, LastArrival, NaiveORSet

NAMES = sorted(SPECS)
DELTA_NAMES = sorted(n for n, s in SPECS.items() if s.deltas)
REPLICAS = ("A", "B", "C")

# A history: ops at replicas (op index, seed) and merges from one replica into another.
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("op"), st.integers(0, 2), st.integers(0, 5), st.integers(0, 2**16)),
        st.tuples(st.just("merge"), st.integers(0, 2), st.integers(0, 2)),
    ),
    max_size=14,
)


def run(spec, actions):
    """Replica states after ``actions``, plus every state any replica passed through."""
    reps = [spec.bottom] * 3
    seen = [spec.bottom]
    for a in actions:
        if a[0] == "op":
            _, r, i, seed = a
            reps[r] = spec.ops[i % len(spec.ops)](reps[r], REPLICAS[r], random.Random(seed))
            seen.append(reps[r])
        else:
            reps[a[2]] = reps[a[2]] | reps[a[1]]
            seen.append(reps[a[2]])
    return reps, seen


PROPS = settings(max_examples=40, deadline=None)


@pytest.mark.parametrize("name", NAMES)
@PROPS
@given(actions=ACTIONS)
def test_join_is_commutative_associative_idempotent(name, actions):
    (a, b, c), _ = run(SPECS[name], actions)
    assert a | b == b | a
    assert (a | b) | c == a | (b | c)
    assert a | a == a
    assert hash(a | b) == hash(b | a)


@pytest.mark.parametrize("name", NAMES)
@PROPS
@given(actions=ACTIONS, data=st.data())
def test_order_agrees_with_join_and_merge_is_monotonic(name, actions, data):
    _, seen = run(SPECS[name], actions)
    a = data.draw(st.sampled_from(seen))
    b = data.draw(st.sampled_from(seen))
    j = a | b
    assert a <= j and b <= j
    assert (a <= b) == (j == b)
    assert SPECS[name].bottom <= a


@pytest.mark.parametrize("name", NAMES)
@PROPS
@given(actions=ACTIONS)
def test_every_replica_state_only_grows(name, actions):
    spec = SPECS[name]
    reps = [spec.bottom] * 3
    for a in actions:
        before = list(reps)
        if a[0] == "op":
            reps[a[1]] = spec.ops[a[2] % len(spec.ops)](reps[a[1]], REPLICAS[a[1]], random.Random(a[3]))
        else:
            reps[a[2]] = reps[a[2]] | reps[a[1]]
        assert all(x <= y for x, y in zip(before, reps, strict=True))


@pytest.mark.parametrize("name", DELTA_NAMES)
@PROPS
@given(actions=ACTIONS, r=st.integers(0, 2), i=st.integers(0, 5), seed=st.integers(0, 2**16))
def test_joining_a_delta_equals_the_full_mutator(name, actions, r, i, seed):
    spec = SPECS[name]
    states, _ = run(spec, actions)
    s = states[r]
    k = i % len(spec.ops)
    full = spec.ops[k](s, REPLICAS[r], random.Random(seed))
    delta = spec.deltas[k](s, REPLICAS[r], random.Random(seed))
    assert s | delta == full
    assert type(delta) is type(s)


@pytest.mark.parametrize("name", NAMES)
def test_laws_module_passes_every_type(name):
    spec = SPECS[name]
    report = laws.check(ops=spec.ops, bottom=spec.bottom, trials=60, seed=3)
    assert report.ok, str(report)
    assert [r.law for r in report.results] == ["commutative", "associative", "idempotent", "monotonic", "convergent"]


@pytest.mark.parametrize("name", DELTA_NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deltas_converge_with_drops_duplicates_and_reordering(name, seed):
    spec = SPECS[name]
    result = laws.convergent(ops=spec.deltas, bottom=spec.bottom, deltas=True, seed=seed, trials=60,
                             drop=0.3, duplicate=0.3)
    assert result.ok, result.message


@pytest.mark.parametrize("name", NAMES)
def test_states_converge_over_many_seeds(name):
    spec = SPECS[name]
    for seed in range(4):
        result = laws.convergent(ops=spec.ops, bottom=spec.bottom, seed=seed, trials=20, replicas=4)
        assert result.ok, result.message


# --- the checker itself: it must catch broken merges and say what is wrong --------------------


def test_integer_addition_is_caught_as_not_idempotent():
    report = laws.check(ops=[lambda s, r, rng: s.increment(r, rng.randint(1, 3))], bottom=IntSum())
    assert not report.ok
    assert not report["idempotent"].ok and report["commutative"].ok and report["associative"].ok
    msg = report["idempotent"].message
    assert msg.startswith("merge is not idempotent: a = IntSum(n=")
    assert "duplicated message" in msg
    assert not report["convergent"].ok


def test_last_arrival_is_caught_as_not_commutative():
    report = laws.check(ops=[lambda s, r, rng: s.assign(r, rng.choice("ab"))], bottom=LastArrival())
    assert not report["commutative"].ok
    assert "a | b = " in report["commutative"].message and "but b | a = " in report["commutative"].message


def test_naive_or_set_passes_the_laws_which_is_why_specs_matter():
    ops = [lambda s, r, rng: s.add(r, rng.choice("xy")), lambda s, r, rng: s.remove(rng.choice("xy"))]
    assert laws.check(ops=ops, bottom=NaiveORSet(), trials=60).ok


def test_plain_functions_and_a_shrunk_counterexample():
    avg = laws.check(states=lambda rng: rng.randint(0, 9), merge=lambda a, b: (a + b) / 2)
    assert not avg["associative"].ok and avg["commutative"].ok
    add = laws.idempotent(states=lambda rng: rng.randint(0, 9), merge=operator.add)
    assert add.message == "merge is not idempotent: a = 1, a | a = 2, not a (a duplicated message changes the state)"
    assert add.example == (1,)
    assert laws.check(states=lambda rng: frozenset(rng.sample(range(6), 3)), merge=operator.or_).ok


def test_same_seed_same_report():
    def bad():
        return str(laws.check(states=lambda rng: rng.randint(0, 99), merge=lambda a, b: a - b, seed=7))

    assert bad() == bad()


def test_a_type_without_eq_is_told_to_define_it():
    class NoEq:
        def __init__(self, v=0):
            self.v = v

        def merge(self, other):
            return NoEq(max(self.v, other.v))

    report = laws.check(states=lambda rng: NoEq(rng.randint(0, 5)))
    assert not report.ok and "does not define ==" in str(report)


def test_a_type_without_order_skips_monotonic_and_says_so():
    report = laws.check(states=lambda rng: frozenset([rng.randint(0, 3)]), merge=lambda a, b: a | b,
                        leq=None)
    assert report.ok  # frozensets do have <=
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Max:
        v: int = 0

        def merge(self, other):
            return Max(max(self.v, other.v))

    report = laws.check(states=lambda rng: Max(rng.randint(0, 5)))
    assert report.ok and report["monotonic"].skipped
    assert "not checked" in str(report)


def test_a_crashing_merge_is_reported_not_raised():
    report = laws.check(states=lambda rng: rng.randint(0, 3), merge=lambda a, b: a // (b - b))
    assert not report.ok and "ZeroDivisionError" in str(report)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="states=None and ops=None"):
        laws.check()
    with pytest.raises(ValueError, match="bottom=None"):
        laws.check(ops=[lambda s, r, rng: s])
    with pytest.raises(TypeError, match="ops="):
        laws.check(ops=[], bottom=0)
    with pytest.raises(ValueError, match="drop=1.5"):
        laws.convergent(states=lambda rng: 1, merge=max, drop=1.5)


def test_every_merge_order_shows_union_converges_and_addition_does_not():
    sets = [{1, 2, 3}, {1, 3, 4}, {1, 4, 5, 6}]
    results = laws.every_merge_order(sets, merge=set.union)
    assert {frozenset(r) for r in results} == {frozenset(range(1, 7))}
    sums = laws.every_merge_order([3, 4, 5], merge=operator.add)
    assert set(sums) == {12, 15, 16, 17}
    assert len(laws.every_merge_order([1, 2, 3], duplicate=False, merge=max)) == 6


def test_ormap_delta_put_after_a_remove_matches_the_full_put():
    """Found by Hypothesis: put, remove, put at one replica, where the catalog's full put once
    incremented the visible (empty) counter and its delta the hidden one."""
    spec = SPECS["ORMap"]
    states, _ = run(spec, [("op", 1, 0, 1), ("op", 1, 1, 1)])
    s = states[1]
    full = spec.ops[0](s, "B", random.Random(1))
    assert s | spec.deltas[0](s, "B", random.Random(1)) == full
