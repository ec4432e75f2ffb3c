"""Merges that look reasonable and are wrong: for teaching, and to test that the checks catch them.

- ``IntSum``: a counter whose merge adds (the talk's integer-addition example):
  commutative and associative, but not idempotent, so a repeated message counts twice.
- ``LastArrival``: a register whose merge keeps whatever arrived last: not
  commutative, so replicas that hear the same writes in another order disagree.
- ``NaiveORSet``: an OR-Set whose merge is a plain union of tagged adds and
  that keeps no record of removed tags. Union is a perfectly lawful merge, so
  every law holds, yet a removed element comes back when an older replica is
  merged in: the classic OR-Set bug, caught only by comparing with the
  specification (see ``tests/test_crdt_spec.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IntSum", "LastArrival", "NaiveORSet"]


@dataclass(frozen=True)
class IntSum:
    """Merge by addition: duplicates double-count.

    >>> a = IntSum(2)
    >>> a.merge(a)
    IntSum(n=4)
    """

    n: int = 0

    @property
    def value(self) -> int:
        return self.n

    def increment(self, replica: str, n: int = 1) -> IntSum:
        return IntSum(self.n + n)

    def merge(self, other: IntSum) -> IntSum:
        return IntSum(self.n + other.n)


@dataclass(frozen=True)
class LastArrival:
    """Merge keeps the incoming value: the order of arrival decides."""

    value: object = None

    def assign(self, replica: str, value) -> LastArrival:
        return LastArrival(value)

    def merge(self, other: LastArrival) -> LastArrival:
        return other if other.value is not None else self


@dataclass(frozen=True)
class NaiveORSet:
    """Tagged adds merged by union, removes forgotten: a removed element can come back.

    >>> a = NaiveORSet().add("A", "x")
    >>> b = a.remove("x")
    >>> b.value, b.merge(a).value          # merging the older replica resurrects x
    (frozenset(), frozenset({'x'}))
    """

    entries: frozenset = frozenset()  # (element, replica, counter)
    counters: tuple = ()  # (replica, counter): the next tag numbers

    @property
    def value(self) -> frozenset:
        return frozenset(x for x, _, _ in self.entries)

    def add(self, replica: str, x) -> NaiveORSet:
        n = dict(self.counters).get(replica, 0) + 1
        counters = tuple(sorted({**dict(self.counters), replica: n}.items()))
        return NaiveORSet(self.entries | {(x, replica, n)}, counters)

    def remove(self, x) -> NaiveORSet:
        return NaiveORSet(frozenset(e for e in self.entries if e[0] != x), self.counters)

    def merge(self, other: NaiveORSet) -> NaiveORSet:
        counters = dict(self.counters)
        for r, n in other.counters:
            counters[r] = max(n, counters.get(r, 0))
        return NaiveORSet(self.entries | other.entries, tuple(sorted(counters.items())))
