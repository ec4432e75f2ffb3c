"""The value types a site can store, and how a client write becomes a new CRDT state.

A client write names a key and an argument; the front end turns it into the
write's own effect, its *delta* (a timestamped value, a new dot, a counter
entry), with the type's delta mutator (``assign_delta``, ``increment_delta``,
``add_delta``...), and stores ``base | delta`` on the key's replicas, where
``base`` is what the site knows of the key. Every write is *inflationary*: the
new state is at least the state it started from, so storing it in place of the
old one loses nothing.

The argument of write number ``i`` in a run is ``i`` itself, so each write is
recognisable in the final state (``op(i)`` says what it does):

==========  ============================  =========================================  ==========
name        CRDT                          write number ``i`` does                     reads first
==========  ============================  =========================================  ==========
lww         ``LWWRegister`` (default)     assign ``i`` at the site's clock reading    no
mv          ``MVRegister``                assign ``i``, replacing the siblings seen   yes
gcounter    ``GCounter``                  add 1                                       yes
pncounter   ``PNCounter``                 add 1, or subtract 1 when ``i % 4 == 3``     yes
orset       ``ORSet``                     add ``i % 8``, or remove it when ``i % 3 == 2``  yes
==========  ============================  =========================================  ==========

*Reads first*: the write's effect depends on what the writer has seen (the
siblings an MV write replaces, the adds a remove removes, the count a reader
sees right after), so a site that does not hold the key fetches it from
upstream before writing (``edgekit.edge.site``). An LWW write replaces
whatever is there, seen or not.

Types whose mutator mints a fresh dot or counter entry for the acting replica
(``uses_actor``) need an actor id that never reuses a dot; see ``Site`` for how
it picks one (an actor lease).

>>> t = VALUE_TYPES["gcounter"]
>>> d1 = t.delta(None, "LHR.1", 0, None)
>>> t.delta(d1, "LHR.1", 1, None).value, t.op(1)
(2, ('increment', 1))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from edgekit.crdt import GCounter, LWWRegister, MVRegister, ORSet, PNCounter

__all__ = ["ValueType", "VALUE_TYPES", "join", "leq"]


def join(a, b):
    """``a | b``, skipping the work when the two are the same object (the common case)."""
    if a is b or b is None:
        return a
    if a is None:
        return b
    return a | b


def _lww_join(a, b):
    # The register's join keeps the larger (timestamp, replica, value): compare the first two
    # directly and leave only exact ties to the type (this is the hot path of every sync).
    if a is b or b is None:
        return a
    if a is None:
        return b
    ta, tb = a.timestamp, b.timestamp
    if ta is None:  # the bottom: never written
        return b
    if tb is None:
        return a
    if ta != tb:
        return a if ta > tb else b
    if a.replica != b.replica:
        return a if a.replica > b.replica else b
    return a | b


def _lww_leq(a, b) -> bool:
    # The register's order, on (timestamp, replica) first: see _lww_join.
    if a is b:
        return True
    if b is None or a is None:
        return a is None
    ta, tb = a.timestamp, b.timestamp
    if ta is None or tb is None:  # the bottom is below everything
        return ta is None
    if ta != tb or a.replica != b.replica:
        return (ta, a.replica) < (tb, b.replica)
    return a <= b


def leq(a, b) -> bool:
    """``a <= b`` where None is the bottom: does state ``b`` reflect everything in ``a``?"""
    if a is b or a is None:
        return True
    return b is not None and a <= b


def _lww_delta(base, actor, i, timestamp):
    return LWWRegister(i, timestamp, actor)  # what assign_delta builds, for a trusted int payload


def _mv_delta(base, actor, i, timestamp):
    return (base or MVRegister()).assign_delta(actor, i)


def _g_delta(base, actor, i, timestamp):
    return (base or GCounter()).increment_delta(actor, 1)


def _pn_delta(base, actor, i, timestamp):
    base = base or PNCounter()
    return base.decrement_delta(actor, 1) if i % 4 == 3 else base.increment_delta(actor, 1)


def _orset_delta(base, actor, i, timestamp):
    base = base or ORSet()
    x = i % 8
    return base.remove_delta(x) if i % 3 == 2 else base.add_delta(actor, x)


def _assign(i):
    return ("assign", i)


def _count(i):
    return ("increment", 1)


def _pn_count(i):
    return ("decrement", 1) if i % 4 == 3 else ("increment", 1)


def _set_op(i):
    return ("remove", i % 8) if i % 3 == 2 else ("add", i % 8)


@dataclass(frozen=True)
class ValueType:
    """One storable type: its CRDT class, its write, its join, and what its writes need."""

    name: str
    cls: type
    delta: Callable  # (base state or None, actor, write number, timestamp) -> the write's delta
    op: Callable  # write number -> what the client asked, e.g. ("increment", 1): for checkers
    join: Callable  # (a or None, b or None) -> a | b
    leq: Callable  # (a or None, b or None) -> a <= b
    uses_clock: bool = False  # the write needs a timestamp from the site's clock
    uses_actor: bool = False  # the write mints dots/counters for the actor: ids must be fresh
    reads_first: bool = False  # the write's effect depends on what the writer has seen

    def write(self, base, actor, i, timestamp=None) -> tuple:
        """``(new state, delta)`` of write number ``i`` applied to ``base`` by ``actor``."""
        d = self.delta(base, actor, i, timestamp)
        return self.join(base, d), d


VALUE_TYPES: dict[str, ValueType] = {
    t.name: t
    for t in (
        ValueType("lww", LWWRegister, _lww_delta, _assign, _lww_join, _lww_leq, uses_clock=True),
        ValueType("mv", MVRegister, _mv_delta, _assign, join, leq, uses_actor=True, reads_first=True),
        ValueType("gcounter", GCounter, _g_delta, _count, join, leq, uses_actor=True, reads_first=True),
        ValueType("pncounter", PNCounter, _pn_delta, _pn_count, join, leq, uses_actor=True, reads_first=True),
        ValueType("orset", ORSet, _orset_delta, _set_op, join, leq, uses_actor=True, reads_first=True),
    )
}
