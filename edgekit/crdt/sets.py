"""Sets without causal metadata: G-Set, 2P-Set and the LWW-element-set.

- ``GSet``: add only; merge is union (the talk's running example).
- ``TwoPSet``: an add set and a remove set ("tombstones"); an element is in
  when added and never removed, so a removed element can never come back.
- ``LWWElementSet``: each element carries its latest add or remove with a
  caller-supplied timestamp; the later one wins (Shapiro et al. 2011, and
  Roshi, Bourgon's own LWW-element-set over Redis). It depends on clocks: a
  replica whose clock runs ahead wins even against a later real-time write.

``ORSet`` (in ``orset.py``) is the add-wins set that needs neither
tombstones nor clocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .._checks import brief
from .base import (
    StateCRDT,
    check_element,
    check_replica,
    check_timestamp,
    from_plain,
    sort_key,
    to_plain,
)

__all__ = ["GSet", "TwoPSet", "LWWElementSet"]


def _elements(items, name: str) -> frozenset:
    if not isinstance(items, list):
        raise TypeError(f"{name}={brief(items)}: expected a list of elements")
    return frozenset(check_element(from_plain(x, name), name) for x in items)


def _sorted_plain(s: frozenset) -> list:
    return [to_plain(x) for x in sorted(s, key=sort_key)]


@dataclass(frozen=True)
class GSet(StateCRDT):
    """A grow-only set: merge is union.

    >>> (GSet().add(1).add(2) | GSet().add(2).add(3)).value == {1, 2, 3}
    True
    """

    elements: frozenset = frozenset()

    @property
    def value(self) -> frozenset:
        return self.elements

    def add_delta(self, x) -> GSet:
        return GSet(frozenset([check_element(x)]))

    def add(self, x) -> GSet:
        return self | self.add_delta(x)

    def _join(self, other: GSet) -> GSet:
        return GSet(self.elements | other.elements)

    def _leq(self, other: GSet) -> bool:
        return self.elements <= other.elements

    def _json(self) -> dict:
        return {"elements": _sorted_plain(self.elements)}

    @classmethod
    def _from_json(cls, d: dict) -> GSet:
        return cls(_elements(d.get("elements"), "elements"))


@dataclass(frozen=True)
class TwoPSet(StateCRDT):
    """Two G-Sets: added and removed. Remove wins, forever.

    >>> s = TwoPSet().add("x").remove("x").add("x")
    >>> s.value
    frozenset()
    """

    added: frozenset = frozenset()
    removed: frozenset = frozenset()  # tombstones: kept forever so a merge cannot resurrect

    @property
    def value(self) -> frozenset:
        return self.added - self.removed

    def add_delta(self, x) -> TwoPSet:
        return TwoPSet(frozenset([check_element(x)]), frozenset())

    def remove_delta(self, x) -> TwoPSet:
        # No "must be present" precondition: removing first simply bans the element.
        return TwoPSet(frozenset(), frozenset([check_element(x)]))

    def add(self, x) -> TwoPSet:
        return self | self.add_delta(x)

    def remove(self, x) -> TwoPSet:
        return self | self.remove_delta(x)

    def _join(self, other: TwoPSet) -> TwoPSet:
        return TwoPSet(self.added | other.added, self.removed | other.removed)

    def _leq(self, other: TwoPSet) -> bool:
        return self.added <= other.added and self.removed <= other.removed

    def _json(self) -> dict:
        return {"added": _sorted_plain(self.added), "removed": _sorted_plain(self.removed)}

    @classmethod
    def _from_json(cls, d: dict) -> TwoPSet:
        return cls(_elements(d.get("added"), "added"), _elements(d.get("removed"), "removed"))


@dataclass(frozen=True)
class LWWElementSet(StateCRDT):
    """Each element's latest (timestamp, replica) add or remove wins; on an exact tie, remove.

    >>> s = LWWElementSet().add("A", "x", timestamp=1).remove("B", "x", timestamp=2)
    >>> s.value, s.add("A", "x", timestamp=3).value == {"x"}
    (frozenset(), True)
    """

    # element -> (timestamp, replica, present); the max of (timestamp, replica, removed) wins
    entries: frozenset = frozenset()

    @cached_property
    def _map(self) -> dict:
        return {x: (t, r, p) for x, t, r, p in self.entries}

    @property
    def value(self) -> frozenset:
        return frozenset(x for x, (_, _, present) in self._map.items() if present)

    def _write(self, replica: str, x, timestamp, present: bool) -> LWWElementSet:
        check_replica(replica)
        check_element(x)
        check_timestamp(timestamp)
        return LWWElementSet(frozenset([(x, timestamp, replica, present)]))

    def add_delta(self, replica: str, x, timestamp) -> LWWElementSet:
        return self._write(replica, x, timestamp, True)

    def remove_delta(self, replica: str, x, timestamp) -> LWWElementSet:
        return self._write(replica, x, timestamp, False)

    def add(self, replica: str, x, timestamp) -> LWWElementSet:
        return self | self.add_delta(replica, x, timestamp)

    def remove(self, replica: str, x, timestamp) -> LWWElementSet:
        return self | self.remove_delta(replica, x, timestamp)

    @staticmethod
    def _rank(entry: tuple) -> tuple:
        t, r, present = entry
        return (t, r, not present)

    def _join(self, other: LWWElementSet) -> LWWElementSet:
        merged = dict(self._map)
        for x, e in other._map.items():
            if x not in merged or self._rank(e) > self._rank(merged[x]):
                merged[x] = e
        return LWWElementSet(frozenset((x, *e) for x, e in merged.items()))

    def _leq(self, other: LWWElementSet) -> bool:
        theirs = other._map
        return all(x in theirs and self._rank(e) <= self._rank(theirs[x]) for x, e in self._map.items())

    def _json(self) -> dict:
        rows = sorted(self.entries, key=lambda e: sort_key(e[0]))
        return {"entries": [[to_plain(x), t, r, p] for x, t, r, p in rows]}

    @classmethod
    def _from_json(cls, d: dict) -> LWWElementSet:
        rows = d.get("entries")
        if not isinstance(rows, list):
            raise TypeError(f"entries={brief(rows)}: expected a list of [element, timestamp, replica, present]")
        s = cls()
        for row in rows:
            if not (isinstance(row, list) and len(row) == 4):
                raise TypeError(f"entry={brief(row)}: expected [element, timestamp, replica, present]")
            x, t, r, present = row
            if not isinstance(present, bool):
                raise TypeError(f"entry={brief(row)}: present={brief(present)}: expected true or false")
            s = s | s._write(r, from_plain(x), t, present)
        return s
