"""Dots, version vectors and dotted causal contexts: the clocks that CRDTs carry.

A *dot* ``(replica, n)`` names the n-th event of one replica, for example the
n-th write it made. A *version vector* ``{replica: n}`` names a set of dots
that has no gaps: every dot ``(r, 1) ... (r, n)`` for each entry. A *dotted
version vector* (Preguiça, Baquero, Almeida, Fonte, Gonçalves, "Dotted Version
Vectors", 2010) is a version vector plus a dot outside it: it can say "this
write, made after everything in the vector" without the vector having to be
contiguous. ``CausalContext`` generalises that extra dot to a *dot cloud*: a
version vector for each replica's contiguous prefix plus the few dots seen out
of order (Almeida, Shoker, Baquero, "Delta state replicated data types",
2018). Dot clouds shrink back into the vector as gaps fill, so a context stays
as small as a version vector in the common case.

CRDTs use a causal context to remember *which writes they have seen* without
keeping the writes themselves: an OR-Set that forgets an element keeps its dot
in the context, so merging an older replica cannot bring the element back,
and no per-element tombstone is needed. A multi-value register's siblings and
its one shared context are a *dotted version vector set* (Almeida et al.,
"Scalable and Accurate Causality Tracking for Eventually Consistent Stores",
2014), the "opaque causal context" a client gets back with a read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from .._checks import brief

__all__ = ["Dot", "VersionVector", "CausalContext", "check_replica", "check_count", "dot_from_json", "MAX_COUNT"]

MAX_COUNT = 2**53 - 1
"""The largest count on the wire: every JSON reader (a JavaScript one included) keeps it exact."""


def check_replica(replica) -> str:
    """Validate a replica id: a non-empty string (JSON object keys are strings)."""
    if not isinstance(replica, str):
        raise TypeError(f"replica={brief(replica)}: expected a non-empty string such as 'A'")
    if not replica:
        raise ValueError("replica='': expected a non-empty string such as 'A'")
    return replica


def check_count(n, name: str = "n", low: int = 0) -> int:
    """A count on the wire: an integer from ``low`` to ``MAX_COUNT`` (not a bool, not a float)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name}={brief(n)}: expected an integer from {low} to 2**53 - 1")
    if not low <= n <= MAX_COUNT:
        raise ValueError(f"{name}={brief(n)}: expected an integer from {low} to 2**53 - 1")
    return n


@dataclass(frozen=True, order=True)
class Dot:
    """The ``counter``-th event of ``replica``.

    >>> Dot("A", 3)
    Dot('A', 3)
    """

    replica: str
    counter: int

    def __post_init__(self) -> None:
        if type(self.replica) is not str or type(self.counter) is not int or self.counter < 1:
            check_replica(self.replica)
            check_count(self.counter, "counter", low=1)

    def __repr__(self) -> str:
        return f"Dot({self.replica!r}, {self.counter})"


@dataclass(frozen=True)
class VersionVector:
    """A gap-free set of dots: for each replica, every counter from 1 up to its entry.

    >>> v = VersionVector().increment("A").increment("A").increment("B")
    >>> v.get("A"), Dot("B", 1) in v, Dot("B", 2) in v
    (2, True, False)
    """

    entries: tuple[tuple[str, int], ...] = ()  # sorted by replica, counters > 0

    @classmethod
    def of(cls, counters: dict[str, int]) -> VersionVector:
        if not isinstance(counters, dict):
            raise TypeError(f"counters={brief(counters)}: expected a dict of replica -> counter")
        for r, n in counters.items():
            if type(n) is not int:
                check_count(n, f"counters[{brief(r)}]")
        return cls(tuple(sorted((r, n) for r, n in counters.items() if n > 0)))

    @cached_property
    def _map(self) -> dict[str, int]:
        return dict(self.entries)

    def get(self, replica: str) -> int:
        return self._map.get(replica, 0)

    def increment(self, replica: str) -> VersionVector:
        check_replica(replica)
        return VersionVector.of({**self._map, replica: self.get(replica) + 1})

    def __contains__(self, dot: Dot) -> bool:
        return dot.counter <= self._map.get(dot.replica, 0)

    def merge(self, other: VersionVector) -> VersionVector:
        """Entry-wise maximum: the union of the two sets of dots."""
        _same(self, other)
        merged = dict(self._map)
        for r, n in other.entries:
            if n > merged.get(r, 0):
                merged[r] = n
        return VersionVector.of(merged)

    __or__ = merge

    def __le__(self, other: VersionVector) -> bool:
        return all(n <= other.get(r) for r, n in self.entries)

    def __lt__(self, other: VersionVector) -> bool:
        return self <= other and self != other

    def concurrent(self, other: VersionVector) -> bool:
        """Neither vector has seen everything the other has."""
        return not self <= other and not other <= self

    def to_json(self) -> dict[str, int]:
        return dict(self.entries)

    @classmethod
    def from_json(cls, d) -> VersionVector:
        if not isinstance(d, dict):
            raise TypeError(f"version vector={brief(d)}: expected a dict of replica -> counter")
        for r, n in d.items():
            check_count(n, f"version vector[{brief(check_replica(r))}]")
        return cls.of(d)


@dataclass(frozen=True)
class CausalContext:
    """A set of dots stored as a version vector plus a cloud of dots seen out of order.

    >>> c = CausalContext.from_dots([Dot("A", 1), Dot("A", 3)])
    >>> c.vv.get("A"), sorted(c.cloud)
    (1, [Dot('A', 3)])
    >>> c.add(Dot("A", 2))        # the gap fills: the cloud folds into the vector
    CausalContext(vv={'A': 3}, cloud=[])
    """

    vv: VersionVector = VersionVector()
    cloud: frozenset[Dot] = frozenset()  # dots not covered by vv; never contiguous with it

    def __repr__(self) -> str:
        return f"CausalContext(vv={self.vv.to_json()}, cloud={sorted(self.cloud)})"

    @classmethod
    def from_dots(cls, dots: Iterable[Dot]) -> CausalContext:
        if isinstance(dots, (str, bytes)) or not isinstance(dots, Iterable):
            raise TypeError(f"dots={brief(dots)}: expected an iterable of Dot")
        dots = list(dots)
        for d in dots:
            _dot(d, "dots")
        return cls._compact({}, set(dots))

    @staticmethod
    def _compact(vv: dict[str, int], cloud: set[Dot]) -> CausalContext:
        # Fold cloud dots into the vector while they extend a replica's prefix.
        by_replica: dict[str, list[int]] = {}
        for d in cloud:
            by_replica.setdefault(d.replica, []).append(d.counter)
        rest = set()
        for r, counters in by_replica.items():
            top = vv.get(r, 0)
            for n in sorted(counters):
                if n == top + 1:
                    top = n
                elif n > top:
                    rest.add(Dot(r, n))
            vv[r] = top
        return CausalContext(VersionVector.of(vv), frozenset(rest))

    def __contains__(self, dot: Dot) -> bool:
        return dot in self.vv or dot in self.cloud

    def dots(self) -> Iterator[Dot]:
        """Every dot in the context (as many as the counters add up to: for tests and small demos)."""
        for r, n in self.vv.entries:
            for i in range(1, n + 1):
                yield Dot(r, i)
        yield from sorted(self.cloud)

    def max_counter(self, replica: str) -> int:
        return max([self.vv.get(replica)] + [d.counter for d in self.cloud if d.replica == replica])

    def next_dot(self, replica: str) -> Dot:
        """A dot for ``replica``'s next event: one past every dot of it this context has seen."""
        check_replica(replica)
        return Dot(replica, self.max_counter(replica) + 1)

    def add(self, dot: Dot) -> CausalContext:
        _dot(dot, "dot")
        return CausalContext._compact(dict(self.vv.entries), set(self.cloud) | {dot})

    def merge(self, other: CausalContext) -> CausalContext:
        """The union of the two sets of dots, compacted."""
        _same(self, other)
        if other == self:
            return self
        return CausalContext._compact(dict(self.vv.merge(other.vv).entries), set(self.cloud) | other.cloud)

    __or__ = merge

    def __le__(self, other: CausalContext) -> bool:
        # other is compact, so a prefix of self's vector is covered only by other's vector.
        return self.vv <= other.vv and all(d in other for d in self.cloud)

    def to_json(self) -> dict:
        return {"vv": self.vv.to_json(), "cloud": [[d.replica, d.counter] for d in sorted(self.cloud)]}

    @classmethod
    def from_json(cls, d) -> CausalContext:
        if not isinstance(d, dict) or set(d) != {"vv", "cloud"}:
            raise TypeError(f"causal context={brief(d)}: expected a dict with keys 'vv' and 'cloud'")
        vv = VersionVector.from_json(d["vv"])
        if not isinstance(d["cloud"], list):
            raise TypeError(f"causal context cloud={brief(d['cloud'])}: expected a list of [replica, counter]")
        return cls._compact(dict(vv.entries), {dot_from_json(x, "causal context dot") for x in d["cloud"]})


def _dot(d, name: str) -> Dot:
    if not isinstance(d, Dot):
        raise TypeError(f"{name}: {brief(d)} is not a Dot; expected Dot(replica, counter)")
    return d


def _same(a, other) -> None:
    if type(other) is not type(a):
        raise TypeError(f"other={brief(other)}: cannot merge a {type(a).__name__} with a {type(other).__name__}")


def dot_from_json(x, name: str = "dot") -> Dot:
    """A dot from its JSON form ``[replica, counter]``: a replica id and a counter from 1."""
    if not (isinstance(x, list) and len(x) == 2):
        raise TypeError(f"{name}={brief(x)}: expected [replica, counter]")
    check_count(x[1], f"{name}={brief(x)}: its counter", low=1)
    return Dot(check_replica(x[0]), x[1])
