"""Dot stores: the state shape shared by ORSet and MVRegister (and ORMap's keys).

A dot store holds entries tagged with dots, ``(dot, payload)``, plus a causal
context: every dot the replica has seen (``edgekit.clocks.dvv``). Its join
keeps an entry that both sides hold, or that one side holds and the other has
never seen; an entry the other side has seen but no longer holds was
removed there, and stays removed (Almeida, Shoker, Baquero 2018, "causal
CRDTs"). A subclass is a frozen dataclass with fields ``entries`` and
``context``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from edgekit.clocks.dvv import CausalContext, Dot

from .base import StateCRDT, check_element, check_replica, from_plain, to_plain

__all__ = ["DotStore", "join_dotted", "leq_dotted"]


def join_dotted(a: dict[Dot, object], ca: CausalContext, b: dict[Dot, object], cb: CausalContext):
    """Join two (dot -> payload, context) pairs: keep a dot that both hold, or that one holds
    and the other has never seen; a dot seen by the other but gone there was removed."""
    out = {d: p for d, p in a.items() if d in b or d not in cb}
    out.update((d, p) for d, p in b.items() if d not in ca)
    return out, ca.merge(cb)


def leq_dotted(a: dict[Dot, object], ca: CausalContext, b: dict[Dot, object], cb: CausalContext) -> bool:
    """``(a, ca) <= (b, cb)``: b has seen every dot a has, and b keeps a dot only if a does
    or a never saw it."""
    return ca <= cb and all(d in a for d in b if d in ca)


def _rows(entries: Iterable[tuple[Dot, object]]) -> list:
    return sorted(([d.replica, d.counter, to_plain(p)] for d, p in entries), key=lambda e: (e[0], e[1]))


def _parse(rows, context: CausalContext) -> list[tuple[Dot, object]]:
    """Entries ``[[replica, counter, payload], ...]`` whose dots the context has seen."""
    if not isinstance(rows, list):
        raise TypeError(f"entries={rows!r}: expected a list of [replica, counter, payload]")
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3):
            raise TypeError(f"entry={row!r}: expected [replica, counter, payload]")
        dot = Dot(check_replica(row[0]), row[1])
        if dot not in context:
            raise ValueError(f"entry={row!r}: its dot is not in the causal context")
        out.append((dot, check_element(from_plain(row[2]))))
    return out


class DotStore(StateCRDT):
    """Join, order and JSON for a frozen dataclass with ``entries`` and ``context`` fields."""

    entries: frozenset
    context: CausalContext

    @cached_property
    def _map(self) -> dict[Dot, object]:
        return dict(self.entries)

    def _join(self, other):
        if other is self:
            return self
        entries, context = join_dotted(self._map, self.context, other._map, other.context)
        return type(self)(frozenset(entries.items()), context)

    def _leq(self, other) -> bool:
        return leq_dotted(self._map, self.context, other._map, other.context)

    def _json(self) -> dict:
        return {"entries": _rows(self.entries), "context": self.context.to_json()}

    @classmethod
    def _from_json(cls, d: dict):
        context = CausalContext.from_json(d.get("context"))
        return cls(frozenset(_parse(d.get("entries"), context)), context)
