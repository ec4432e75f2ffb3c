"""The observed-remove set (add-wins), built from dots and a causal context.

Every add tags the element with a fresh dot ``(replica, n)``. A remove
deletes the dots it can see, and nothing else: an add it has not seen (a
concurrent one) keeps its dot and the element survives. That is the whole
of "add wins".

The set remembers which dots it has *seen* in a causal context (a version
vector plus a dot cloud, ``edgekit.clocks.dvv``). A dot that the context has
seen but the set no longer holds was removed, so when an older replica that
still holds it is merged in, the dot is dropped rather than resurrected. This
replaces per-element tombstones: the context grows with the number of
replicas, not with the number of removed elements. (An OR-Set that merges by
plain union of tagged adds, without such a context, brings removed elements
back: the classic bug that ``tests/test_crdt_spec.py`` guards against.)

Design after Almeida, Shoker, Baquero, "Delta state replicated data types"
(2018), the "add-wins set" with delta mutators.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit.clocks.dvv import CausalContext, Dot

from .base import check_element, check_replica
from .dotstore import DotStore

__all__ = ["ORSet"]


@dataclass(frozen=True)
class ORSet(DotStore):
    """An add-wins set: a remove deletes only the adds it has seen.

    >>> a = ORSet().add("A", "x")
    >>> b = a.remove("x")                  # B saw A's add and removed it
    >>> c = a.add("C", "x")                # C re-adds x concurrently
    >>> (b | c).value, (b | a).value       # the unseen add survives; the seen one does not
    (frozenset({'x'}), frozenset())
    """

    entries: frozenset[tuple[Dot, object]] = frozenset()  # (dot, element); a dot tags one add
    context: CausalContext = CausalContext()  # every dot this replica has seen

    @property
    def value(self) -> frozenset:
        return frozenset(x for _, x in self.entries)

    def dots_of(self, x) -> frozenset[Dot]:
        """The dots of the adds of ``x`` this replica still holds."""
        return frozenset(d for d, y in self.entries if y == x)

    def add_delta(self, replica: str, x) -> ORSet:
        """A fresh dot for ``x``; the older dots of ``x`` it replaces go in the context."""
        check_replica(replica)
        check_element(x)
        dot = self.context.next_dot(replica)
        return ORSet(frozenset([(dot, x)]), CausalContext.from_dots(self.dots_of(x) | {dot}))

    def remove_delta(self, x) -> ORSet:
        """No entries, and a context holding exactly the dots of ``x`` seen here."""
        check_element(x)
        return ORSet(frozenset(), CausalContext.from_dots(self.dots_of(x)))

    def add(self, replica: str, x) -> ORSet:
        """Add ``x`` at ``replica``."""
        return self | self.add_delta(replica, x)

    def remove(self, x) -> ORSet:
        """Remove the adds of ``x`` seen so far (removing an absent element changes nothing)."""
        return self | self.remove_delta(x)
