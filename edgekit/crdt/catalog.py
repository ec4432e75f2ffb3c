"""Every state-based type with random operations: what law checks, tests and demos run.

Each ``Spec`` lists operations as functions ``(state, replica, rng) ->
state`` and, for types with delta mutators, the matching delta functions:
called with an equal ``rng`` they make the same choice, so
``s | spec.deltas[i](s, r, Random(k)) == spec.ops[i](s, r, Random(k))``.

>>> from edgekit.crdt import laws
>>> laws.check(ops=SPECS["ORSet"].ops, bottom=ORSet(), trials=20).ok
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .counters import GCounter, PNCounter
from .maps import ORMap
from .orset import ORSet
from .registers import LWWRegister, MVRegister
from .sets import GSet, LWWElementSet, TwoPSet
from .sketches import BloomFilter, CountMinSketch, HyperLogLog

__all__ = ["Spec", "SPECS", "ELEMENTS"]

ELEMENTS = ("x", "y", "z", "w")  # few elements, so adds and removes of the same one collide


@dataclass(frozen=True)
class Spec:
    """A type, its bottom, random operations and (if it has them) matching delta operations."""

    name: str
    bottom: object
    ops: tuple[Callable, ...]
    deltas: tuple[Callable, ...] | None = None
    op_names: tuple[str, ...] = ()


def _pair(method: str, args: Callable) -> tuple[Callable, Callable]:
    """An op calling ``state.method(*args(replica, rng))`` and its ``method_delta`` twin."""

    def op(s, r, rng):
        return getattr(s, method)(*args(r, rng))

    def delta(s, r, rng):
        return getattr(s, method + "_delta")(*args(r, rng))

    op.__name__, delta.__name__ = method, method + "_delta"
    return op, delta


def _spec(cls, *pairs: tuple[str, Callable], deltas: bool = True) -> Spec:
    made = [_pair(m, a) for m, a in pairs]
    return Spec(cls.__name__, cls(), tuple(o for o, _ in made),
                tuple(d for _, d in made) if deltas else None, tuple(m for m, _ in pairs))


def _elem(rng) -> str:
    return rng.choice(ELEMENTS)


def _map_value(key: str, s: ORMap, r: str, rng, delta: bool):
    """A small change to the CRDT under ``key`` (GCounter under "n", ORSet under "s"), made to the
    value the map holds, hidden by a remove or not, as ``ORMap.update`` does: a change made to
    the visible (empty) value would be joined into the hidden one and partly vanish."""
    if key == "n":
        current = s._map.get("n", GCounter())
        return current.increment_delta(r, rng.randint(1, 3)) if delta else current.increment(r, rng.randint(1, 3))
    current = s._map.get("s", ORSet())
    return current.add_delta(r, _elem(rng)) if delta else current.add(r, _elem(rng))


def _map_spec() -> Spec:
    def put(s, r, rng, delta=False):
        key = rng.choice(("n", "s"))
        value = _map_value(key, s, r, rng, delta)
        return s.put_delta(r, key, value) if delta else s.put(r, key, value)

    def remove(s, r, rng, delta=False):
        key = rng.choice(("n", "s"))
        return s.remove_delta(key) if delta else s.remove(key)

    return Spec("ORMap", ORMap(), (put, remove),
                (lambda s, r, rng: put(s, r, rng, True), lambda s, r, rng: remove(s, r, rng, True)),
                ("put", "remove"))


def _timestamp(rng) -> int:
    return rng.randint(0, 20)  # a small range, so equal timestamps (ties) happen


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        _spec(GCounter, ("increment", lambda r, rng: (r, rng.randint(0, 3)))),
        _spec(PNCounter, ("increment", lambda r, rng: (r, rng.randint(0, 3))),
              ("decrement", lambda r, rng: (r, rng.randint(0, 3)))),
        _spec(GSet, ("add", lambda r, rng: (_elem(rng),))),
        _spec(TwoPSet, ("add", lambda r, rng: (_elem(rng),)), ("remove", lambda r, rng: (_elem(rng),))),
        _spec(LWWElementSet, ("add", lambda r, rng: (r, _elem(rng), _timestamp(rng))),
              ("remove", lambda r, rng: (r, _elem(rng), _timestamp(rng)))),
        _spec(ORSet, ("add", lambda r, rng: (r, _elem(rng))), ("remove", lambda r, rng: (_elem(rng),))),
        _spec(LWWRegister, ("assign", lambda r, rng: (r, _elem(rng), _timestamp(rng)))),
        _spec(MVRegister, ("assign", lambda r, rng: (r, _elem(rng)))),
        _map_spec(),
        _spec(BloomFilter, ("add", lambda r, rng: (rng.randrange(40),)), deltas=False),
        _spec(HyperLogLog, ("add", lambda r, rng: (rng.randrange(40),)), deltas=False),
        _spec(CountMinSketch, ("add", lambda r, rng: (r, _elem(rng), rng.randint(1, 3))), deltas=False),
    )
}
"""Every state-based type by name, with random operations for laws and tests."""
