"""Dot stores: the state shape shared by ORSet and MVRegister (and ORMap's keys).

A dot store holds entries tagged with dots, ``(dot, payload)``, plus a causal
context: every dot the replica has seen (``edgekit.clocks.dvv``). Its join
keeps an entry that both sides hold, or that one side holds and the other has
never seen; an entry the other side has seen but no longer holds was
removed there, and stays removed (Almeida, Shoker, Baquero 2018, "causal
CRDTs"). A subclass is a frozen dataclass with fields ``entries`` and
``context``.

Replica ids are trusted: a dot names one event of one replica, so two
writers that share an id (or a crafted state that reuses a dot with another
payload) make states that no single system could reach, and the laws no
longer hold between them. ``from_json`` checks what one state can check
(each dot once, counters from 1, every dot in the context); that ids are
unique across writers is the deployment's promise.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from edgekit.clocks.dvv import CausalContext, Dot, dot_from_json

from .._checks import brief
from .base import StateCRDT, check_element, from_plain, to_plain

__all__ = ["DotStore"]


def _join_dotted(a: dict[Dot, object], ca: CausalContext, b: dict[Dot, object], cb: CausalContext):
    """Join two (dot -> payload, context) pairs: keep a dot that both hold, or that one holds
    and the other has never seen; a dot seen by the other but gone there was removed."""
    out = {d: p for d, p in a.items() if d in b or d not in cb}
    out.update((d, p) for d, p in b.items() if d not in ca)
    return out, ca.merge(cb)


def _leq_dotted(a: dict[Dot, object], ca: CausalContext, b: dict[Dot, object], cb: CausalContext) -> bool:
    """``(a, ca) <= (b, cb)``: b has seen every dot a has, and b keeps a dot only if a does
    or a never saw it."""
    return ca <= cb and all(d in a for d in b if d in ca)


def _rows(entries: Iterable[tuple[Dot, object]]) -> list:
    return sorted(([d.replica, d.counter, to_plain(p)] for d, p in entries), key=lambda e: (e[0], e[1]))


def _parse(rows, context: CausalContext) -> list[tuple[Dot, object]]:
    """Entries ``[[replica, counter, payload], ...]``: each dot once, a counter from 1, and seen
    by the context (otherwise merging with the bottom value would change the state)."""
    if not isinstance(rows, list):
        raise TypeError(f"entries={brief(rows)}: expected a list of [replica, counter, payload]")
    out: dict[Dot, object] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3):
            raise TypeError(f"entry={brief(row)}: expected [replica, counter, payload]")
        dot = dot_from_json(row[:2], "entry dot")
        if dot in out:
            raise ValueError(f"entry={brief(row)}: dot {dot} tags two entries; expected one entry per dot")
        if dot not in context:
            raise ValueError(f"entry={brief(row)}: its dot is not in the causal context")
        out[dot] = check_element(from_plain(row[2], "entry payload"), "entry payload")
    return list(out.items())


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
        entries, context = _join_dotted(self._map, self.context, other._map, other.context)
        return type(self)(frozenset(entries.items()), context)

    def _leq(self, other) -> bool:
        return _leq_dotted(self._map, self.context, other._map, other.context)

    def _json(self) -> dict:
        return {"entries": _rows(self.entries), "context": self.context.to_json()}

    @classmethod
    def _from_json(cls, d: dict):
        context = CausalContext.from_json(d.get("context"))
        return cls(frozenset(_parse(d.get("entries"), context)), context)
