"""Crafted JSON into every CRDT's ``from_json``: whatever is accepted obeys the laws and round-trips.

The inputs are real states' JSON with a few random mutations (a leaf replaced by an odd value
such as 0, -1, 2**60, NaN, "false" or a deep list; a list entry duplicated and changed; a key
dropped; an entry added) plus JSON made from nothing. ``from_json`` may refuse with a
ValueError or TypeError; anything it accepts must be a lawful state: merging with the bottom
element or itself changes nothing, merge is commutative and associative with other states,
``<=`` agrees with merge, and ``to_json`` -> ``from_json`` gives the same value back.
"""

import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgekit.clocks.dvv import Dot
from edgekit.crdt import TYPES, BloomFilter, CountMinSketch, HyperLogLog, dotstore
from edgekit.crdt.catalog import SPECS

ODD = st.sampled_from([0, -1, 1, 2, 1.5, 2**53, 2**60, 10**400, float("nan"), float("inf"), True, False,
                       None, "", "A", "x", "false", "true", "type", [], {}, [["A", 1]], "AA==", "////"]
                      ).map(copy.deepcopy)  # a fresh list each time: mutations must not share one
LEAF = st.one_of(ODD, st.integers(-3, 5), st.text(max_size=4))
JSON = st.recursive(LEAF, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6) | ODD.filter(
    lambda k: isinstance(k, str)), c, max_size=3), max_leaves=8)


def _deep(n: int) -> list:
    x: list = []
    for _ in range(n):
        x = [x]
    return x


def valid_state(name: str, seed: int, steps: int = 8):
    """A state real replicas reach: random operations at three replicas, merged now and then."""
    spec, rng = SPECS[name], random.Random(seed)
    reps = [spec.bottom] * 3
    for _ in range(steps):
        i = rng.randrange(3)
        if rng.random() < 0.7:
            reps[i] = rng.choice(spec.ops)(reps[i], f"r{i}", rng)
        else:
            reps[i] = reps[i] | reps[rng.randrange(3)]
    return reps[0] | reps[1] if rng.random() < 0.5 else reps[0]


def _paths(d, prefix=()):
    yield prefix
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _paths(v, prefix + (i,))


def _get(d, path):
    for k in path:
        d = d[k]
    return d


@st.composite
def crafted(draw, name: str):
    """A real state's JSON, mutated a few times; or random JSON with the right type tag."""
    if draw(st.integers(0, 9)) == 0:
        d = draw(st.dictionaries(st.text(max_size=8), JSON, max_size=4))
        d["type"] = name
        return d
    d = json.loads(json.dumps(valid_state(name, draw(st.integers(0, 10**6))).to_json()))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(d) if p and p != ("type",)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(d, path[:-1]), path[-1]
        how = draw(st.sampled_from(["replace", "nudge", "duplicate", "drop", "add"]))
        numbers = [p for p in paths if type(_get(d, p)) is int and abs(_get(d, p)) < 2**60]
        if how == "nudge" and numbers:  # a count, counter or timestamp off by a little
            path = draw(st.sampled_from(numbers))
            n = _get(d, path)
            _get(d, path[:-1])[path[-1]] = draw(st.sampled_from([0, -1, n - 1, n + 1, n + 0.5, 2**53, True]))
        elif how in ("replace", "nudge"):
            parent[key] = draw(JSON)
        elif how == "duplicate" and isinstance(parent, list):
            twin = copy.deepcopy(parent[key])
            if isinstance(twin, list) and twin:  # the same dot (or element) with another payload
                twin[-1] = draw(JSON)
            parent.append(twin)
        elif how == "drop" and isinstance(parent, dict):
            del parent[key]
        elif how == "add" and isinstance(parent, (list, dict)):
            if isinstance(parent, list):
                parent.append(draw(JSON))
            else:
                parent[draw(st.text(max_size=3))] = draw(JSON)
    paths = [p for p in _paths(d) if p and p != ("type",)]
    if paths and draw(st.integers(0, 7)) == 0:  # last, so that no mutation above walks into it
        path = draw(st.sampled_from(paths))
        _get(d, path[:-1])[path[-1]] = _deep(draw(st.sampled_from([40, 200, 3000])))
    return d


def _like(x, name: str):
    """The bottom element of ``x``'s shape (sketches come in sizes)."""
    if isinstance(x, BloomFilter):
        return BloomFilter(x.m, x.k)
    if isinstance(x, HyperLogLog):
        return HyperLogLog(x.p)
    if isinstance(x, CountMinSketch):
        return CountMinSketch(x.width, x.depth)
    return SPECS[name].bottom


def _grown(x, name: str, seed: int, writer: str):
    """Another lawful state of ``x``'s shape: operations applied to its bottom by ``writer``.

    Its own writer: a dot names one event of one replica, so two states in which the same
    replica id made different writes are not two states of one system (see ``dotstore``)."""
    rng, s = random.Random(seed), _like(x, name)
    for _ in range(rng.randint(0, 5)):
        s = rng.choice(SPECS[name].ops)(s, writer, rng)
    return s


def check_lawful(name: str, d, seed: int) -> None:
    """``from_json(d)`` refuses with ValueError/TypeError, or gives a state that obeys the laws."""
    cls = TYPES[name]
    try:
        x = cls.from_json(d)
    except (ValueError, TypeError):
        return
    bottom, y, z = _like(x, name), _grown(x, name, seed, "writer-y"), _grown(x, name, seed + 1, "writer-z")
    shown = json.dumps(x.to_json())[:300]
    assert x | bottom == x and bottom | x == x, f"merging with the bottom changes {shown}"
    assert x | x == x, f"not idempotent on {shown}"
    try:
        assert x | y == y | x, f"not commutative on {shown}"
        assert (x | y) | z == x | (y | z), f"not associative on {shown}"
        assert x <= x | y and y <= x | y and (x <= y) == (x | y == y), f"<= disagrees with merge on {shown}"
    except TypeError:  # an ORMap key holding another CRDT type than the one the ops put there
        assert name == "ORMap"
    back = cls.from_json(json.loads(json.dumps(x.to_json())))
    assert back == x and hash(back) == hash(x) and back.to_json() == x.to_json(), f"no round trip for {shown}"


@pytest.mark.parametrize("name", sorted(TYPES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_from_json_accepts_only_lawful_states(name, data):
    check_lawful(name, data.draw(crafted(name)), data.draw(st.integers(0, 10**6)))


@pytest.mark.parametrize("name", sorted(TYPES))
def test_valid_states_are_accepted(name):
    """The fuzz does not pass by refusing everything: real states' JSON is accepted."""
    for seed in range(20):
        x = valid_state(name, seed)
        assert TYPES[name].from_json(json.loads(json.dumps(x.to_json()))) == x


def test_the_fuzz_catches_a_removed_dot_check(monkeypatch):
    """With the dot validation removed (counters of 0 or -1 accepted again, as before the fix:
    both the check in ``from_json`` and the one in ``Dot`` itself), the same property fails, so
    the fuzz can see the defect it guards against."""
    monkeypatch.setattr(dotstore, "dot_from_json", lambda x, name="dot": Dot(x[0], x[1]))
    monkeypatch.setattr(Dot, "__post_init__", lambda self: None)

    @settings(max_examples=400, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def fuzz_orset(data):
        check_lawful("ORSet", data.draw(crafted("ORSet")), data.draw(st.integers(0, 10**6)))

    with pytest.raises(AssertionError, match="bottom|idempotent|commutative|associative|round trip|<="):
        fuzz_orset()
