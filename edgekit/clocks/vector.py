"""Vector clocks: happens-before, exactly (Fidge, 1988; Mattern, 1989).

A vector clock maps each process to how many of its events are known. Rules:
before a local event or a send, a process adds one to its own entry; a
message carries the vector; on receipt the process takes the entry-wise
maximum, then adds one to its own entry. Then for events a and b,

    a happened before b   if and only if   V(a) < V(b)

(every entry <=, at least one <), and a and b are *concurrent* when neither
vector is <= the other. Unlike Lamport clocks this characterises causality
exactly, at the price of one entry per process. The numbers are those of a
version vector (``edgekit.clocks.dvv.VersionVector``); a vector clock stamps
every event, a version vector only the writes a replica has seen.

>>> a = VectorClock().tick("A")                 # A does something
>>> b = VectorClock().tick("B")                 # B, concurrently
>>> c = b.merge(a).tick("B")                    # B hears from A
>>> happens_before(a, c), concurrent(a, b), happens_before(b, a)
(True, True, False)
>>> c
VectorClock({'A': 1, 'B': 2})
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from .._checks import brief
from .dvv import check_count

__all__ = ["VectorClock", "happens_before", "concurrent"]


class VectorClock:
    """An immutable vector clock; ``tick`` and ``merge`` return new clocks."""

    __slots__ = ("_v", "_hash")

    def __init__(self, entries: Mapping[Hashable, int] | None = None) -> None:
        if entries is not None and not isinstance(entries, Mapping):
            raise TypeError(f"entries={brief(entries)}: expected a mapping of node -> count such as "
                            "{'A': 2} (for a list of pairs, pass dict(pairs))")
        v = {}
        for node, n in (entries or {}).items():
            check_count(n, f"entries[{brief(node)}]")
            if n:
                v[node] = n  # zero entries are implicit: VectorClock({'A': 0}) == VectorClock()
        self._v = v
        self._hash = None

    @classmethod
    def _of(cls, v: dict) -> VectorClock:
        c = cls.__new__(cls)
        c._v = v
        c._hash = None
        return c

    def __getitem__(self, node: Hashable) -> int:
        return self._v.get(node, 0)

    def items(self):
        return sorted(self._v.items(), key=lambda kv: str(kv[0]))

    def tick(self, node: Hashable) -> VectorClock:
        """A local event or a send at ``node``: its entry grows by one."""
        if not isinstance(node, Hashable):
            raise TypeError(f"node={brief(node)}: expected a node id such as 'A' or 3")
        v = dict(self._v)
        v[node] = v.get(node, 0) + 1
        return VectorClock._of(v)

    def merge(self, other: VectorClock) -> VectorClock:
        """The entry-wise maximum (what a receiver knows after reading a message)."""
        if not isinstance(other, VectorClock):
            raise TypeError(f"other={brief(other)}: expected a VectorClock")
        v = dict(self._v)
        for node, n in other._v.items():
            if n > v.get(node, 0):
                v[node] = n
        return VectorClock._of(v)

    __or__ = merge

    def __le__(self, other: VectorClock) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        ov = other._v
        return all(n <= ov.get(node, 0) for node, n in self._v.items())

    def __lt__(self, other: VectorClock) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return self != other and self <= other

    def __ge__(self, other: VectorClock) -> bool:
        return other <= self if isinstance(other, VectorClock) else NotImplemented

    def __gt__(self, other: VectorClock) -> bool:
        return other < self if isinstance(other, VectorClock) else NotImplemented

    def __eq__(self, other) -> bool:
        return isinstance(other, VectorClock) and self._v == other._v

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._v.items()))
        return self._hash

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {n}" for k, n in self.items())
        return f"VectorClock({{{inner}}})"

    def __str__(self) -> str:
        return "[" + " ".join(f"{k}:{n}" for k, n in self.items()) + "]"

    def to_json(self) -> dict:
        """``{node: count}`` with node ids as strings (JSON keys), so 1 and "1" cannot both be nodes."""
        out = {str(k): n for k, n in self.items()}
        if len(out) < len(self._v):
            same = sorted({str(k) for k in self._v if sum(str(j) == str(k) for j in self._v) > 1})
            raise ValueError(f"{self!r}: nodes that differ only in type (written as {same}) "
                             "would become one JSON key; expected distinct names")
        return out

    @classmethod
    def from_json(cls, d) -> VectorClock:
        if not isinstance(d, dict):
            raise TypeError(f"vector clock={brief(d)}: expected a dict of node -> count")
        for node, n in d.items():
            if not isinstance(node, str):
                raise TypeError(f"vector clock key {brief(node)}: expected a string (JSON keys are strings)")
            check_count(n, f"vector clock[{brief(node)}]")
        return cls(d)


def happens_before(a: VectorClock, b: VectorClock) -> bool:
    """Whether the event stamped ``a`` happened before the event stamped ``b``."""
    if not isinstance(a, VectorClock) or not isinstance(b, VectorClock):
        raise TypeError(f"happens_before(a={brief(a)}, b={brief(b)}): expected two VectorClocks")
    return a < b


def concurrent(a: VectorClock, b: VectorClock) -> bool:
    """Neither happened before the other (and they are not the same event)."""
    if not isinstance(a, VectorClock) or not isinstance(b, VectorClock):
        raise TypeError(f"concurrent(a={brief(a)}, b={brief(b)}): expected two VectorClocks")
    return not a <= b and not b <= a
