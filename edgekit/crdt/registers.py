"""Registers: last-writer-wins and multi-value.

``LWWRegister`` keeps the write with the largest ``(timestamp, replica)``:
simple, small, and it silently drops every concurrent write but one (the
default get/set of the talk's key-value store). The caller supplies the
timestamp, so which clock decides stays visible.

``MVRegister`` keeps every write that no other write has seen: concurrent
writes survive as siblings for the reader to resolve, and a write that has
seen the siblings replaces them. Its state is a dotted version vector set:
each sibling's dot plus one causal context (``edgekit.clocks.dvv``), the
"opaque causal context" a client may pass back with its next write.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit.clocks.dvv import CausalContext, Dot

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
from .dotstore import DotStore

__all__ = ["LWWRegister", "MVRegister"]


@dataclass(frozen=True)
class LWWRegister(StateCRDT):
    """The write with the largest (timestamp, replica) wins; the others are lost.

    >>> a = LWWRegister().assign("A", "red", timestamp=10)
    >>> b = LWWRegister().assign("B", "blue", timestamp=12)
    >>> (a | b).value, (b | a).value
    ('blue', 'blue')
    """

    payload: object = None
    timestamp: float | None = None  # None: never written (the bottom element)
    replica: str = ""

    @property
    def value(self):
        return self.payload

    def _rank(self) -> tuple:
        # The value itself breaks a (timestamp, replica) tie, which only a replica that reuses
        # a timestamp can cause, so that merge stays a deterministic join.
        if self.timestamp is None:
            return (0,)
        return (1, self.timestamp, self.replica, sort_key(self.payload))

    def assign_delta(self, replica: str, value, timestamp) -> LWWRegister:
        """The new write alone (for a register the state is as small as a delta)."""
        check_replica(replica)
        check_timestamp(timestamp)
        check_element(value, "value")  # hashable (== and hash follow the state) and JSON: fail now
        return LWWRegister(value, timestamp, replica)

    def assign(self, replica: str, value, timestamp) -> LWWRegister:
        """Write ``value``; it loses to any write already seen with a larger (timestamp, replica)."""
        return self | self.assign_delta(replica, value, timestamp)

    def _join(self, other: LWWRegister) -> LWWRegister:
        return other if other._rank() > self._rank() else self

    def _leq(self, other: LWWRegister) -> bool:
        return self._rank() <= other._rank()

    def _json(self) -> dict:
        if self.timestamp is None:
            return {}
        return {"value": to_plain(self.payload), "timestamp": self.timestamp, "replica": self.replica}

    @classmethod
    def _from_json(cls, d: dict) -> LWWRegister:
        if "timestamp" not in d:
            return cls()
        return cls().assign(d.get("replica"), from_plain(d.get("value"), "value"), d.get("timestamp"))


@dataclass(frozen=True)
class MVRegister(DotStore):
    """Keeps every write not causally overwritten: concurrent writes become siblings.

    >>> base = MVRegister().assign("A", "red")
    >>> a, b = base.assign("A", "green"), base.assign("B", "blue")   # concurrent
    >>> sorted((a | b).value)
    ['blue', 'green']
    >>> (a | b).assign("A", "teal").value                            # saw both: replaces both
    frozenset({'teal'})
    """

    entries: frozenset[tuple[Dot, object]] = frozenset()  # (dot, value) per sibling
    context: CausalContext = CausalContext()

    @property
    def value(self) -> frozenset:
        return frozenset(v for _, v in self.entries)

    def assign_delta(self, replica: str, value, context: CausalContext | None = None) -> MVRegister:
        """One sibling with a fresh dot; the context says which old siblings it overwrites."""
        check_replica(replica)
        check_element(value, "value")
        if context is not None and not isinstance(context, CausalContext):
            raise TypeError(f"context={brief(context)}: expected a CausalContext from a read's .context")
        dot = self.context.next_dot(replica)
        seen = self.context if context is None else context
        overwritten = {d for d in self._map if d in seen}
        return MVRegister(frozenset([(dot, value)]), CausalContext.from_dots(overwritten | {dot}))

    def assign(self, replica: str, value, context: CausalContext | None = None) -> MVRegister:
        """Write ``value`` at ``replica``, overwriting the siblings seen here (or, with
        ``context`` from an earlier read, only those that read saw)."""
        return self | self.assign_delta(replica, value, context)
