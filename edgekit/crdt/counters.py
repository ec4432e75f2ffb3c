"""Counters: G-Counter (grow only) and PN-Counter (up and down), with delta mutators.

Summing numbers is not a merge: merging the same update twice counts it twice
(integer addition is not idempotent). A G-Counter keeps one count per
replica, each changed only by its own replica, and merges by taking the
maximum of each entry, which is idempotent; the value is the sum of entries.
A PN-Counter is two G-Counters, one for increments and one for decrements
(Shapiro, Preguiça, Baquero, Zawirski, "A comprehensive study of Convergent
and Commutative Replicated Data Types", 2011).

Delta mutators (Almeida, Shoker, Baquero, 2018) return only the entry that
changed: ``s | s.increment_delta(r, n) == s.increment(r, n)``, and the delta
is one entry on the wire however many replicas the counter has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .._checks import brief
from .base import StateCRDT, check_amount, check_count, check_replica

__all__ = ["GCounter", "PNCounter"]


@dataclass(frozen=True)
class GCounter(StateCRDT):
    """A grow-only counter: merge takes each replica's maximum, value is the sum.

    >>> a = GCounter().increment("A", 2)
    >>> b = GCounter().increment("B")
    >>> (a | b).value, (a | b | b).value
    (3, 3)
    """

    counts: tuple[tuple[str, int], ...] = ()  # sorted by replica, all counts > 0

    @classmethod
    def of(cls, counts: dict[str, int]) -> GCounter:
        if not isinstance(counts, dict):
            raise TypeError(f"counts={brief(counts)}: expected a dict of replica -> count")
        for r, n in counts.items():
            if type(n) is not int:
                check_count(n, f"counts[{brief(r)}]")
        return cls(tuple(sorted((r, n) for r, n in counts.items() if n > 0)))

    @cached_property
    def _map(self) -> dict[str, int]:
        return dict(self.counts)

    def get(self, replica: str) -> int:
        """How much ``replica`` has added."""
        return self._map.get(replica, 0)

    @property
    def value(self) -> int:
        return sum(n for _, n in self.counts)

    def increment_delta(self, replica: str, n: int = 1) -> GCounter:
        """Only the entry ``increment`` changes."""
        check_replica(replica)
        check_amount(n)
        return GCounter.of({replica: check_count(self.get(replica) + n, f"count of {replica!r} after adding {n}")})

    def increment(self, replica: str, n: int = 1) -> GCounter:
        """Add ``n`` on behalf of ``replica``."""
        return self | self.increment_delta(replica, n)

    def _join(self, other: GCounter) -> GCounter:
        if not other.counts or other is self:
            return self
        merged = dict(self._map)
        for r, n in other.counts:
            if n > merged.get(r, 0):
                merged[r] = n
        return GCounter.of(merged)

    def _leq(self, other: GCounter) -> bool:
        return all(n <= other.get(r) for r, n in self.counts)

    def _json(self) -> dict:
        return {"counts": dict(self.counts)}

    @classmethod
    def _from_json(cls, d: dict) -> GCounter:
        counts = d.get("counts")
        if not isinstance(counts, dict):
            raise TypeError(f"counts={brief(counts)}: expected a dict of replica -> count")
        for r, n in counts.items():
            check_replica(r)
            check_amount(n, f"counts[{r!r}]")
        return cls.of(counts)


@dataclass(frozen=True)
class PNCounter(StateCRDT):
    """A counter that goes up and down: two G-Counters, value = increments - decrements.

    >>> c = PNCounter().increment("A", 5).decrement("B", 2)
    >>> c.value
    3
    """

    p: GCounter = GCounter()
    n: GCounter = GCounter()

    @property
    def value(self) -> int:
        return self.p.value - self.n.value

    def increment_delta(self, replica: str, n: int = 1) -> PNCounter:
        return PNCounter(self.p.increment_delta(replica, n), GCounter())

    def decrement_delta(self, replica: str, n: int = 1) -> PNCounter:
        return PNCounter(GCounter(), self.n.increment_delta(replica, n))

    def increment(self, replica: str, n: int = 1) -> PNCounter:
        return PNCounter(self.p.increment(replica, n), self.n)

    def decrement(self, replica: str, n: int = 1) -> PNCounter:
        return PNCounter(self.p, self.n.increment(replica, n))

    def _join(self, other: PNCounter) -> PNCounter:
        return PNCounter(self.p | other.p, self.n | other.n)

    def _leq(self, other: PNCounter) -> bool:
        return self.p <= other.p and self.n <= other.n

    def _json(self) -> dict:
        return {"p": dict(self.p.counts), "n": dict(self.n.counts)}

    @classmethod
    def _from_json(cls, d: dict) -> PNCounter:
        return cls(GCounter._from_json({"counts": d.get("p")}), GCounter._from_json({"counts": d.get("n")}))
