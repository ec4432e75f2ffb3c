"""The value types a site can store, and how a client write becomes a new CRDT state.

A client write names a key and an argument; the site turns it into a new
state of the key's CRDT with the type's own mutator (``assign``, ``increment``,
``add``...). Every write here is *inflationary*: the new state is at least the
state it started from, so storing it in place of the old one loses nothing.

The argument of write number ``i`` in a run is ``i`` itself, so each write is
recognisable in the final state:

==========  ============================  =========================================
name        CRDT                          write number ``i`` does
==========  ============================  =========================================
lww         ``LWWRegister`` (default)     assign ``i`` at the site's clock reading
mv          ``MVRegister``                assign ``i``, replacing the siblings seen
gcounter    ``GCounter``                  add 1
pncounter   ``PNCounter``                 add 1, or subtract 1 when ``i % 4 == 3``
orset       ``ORSet``                     add element ``i % 8``, or remove it when ``i % 3 == 2``
==========  ============================  =========================================

Types whose mutator mints a fresh dot or counter entry for the acting
replica (``uses_actor``) need an actor id that never reuses a dot; see
``Site`` for how it picks one (an "actor lease").

>>> t = VALUE_TYPES["gcounter"]
>>> s = t.write(None, "LHR.1", 0, None)
>>> t.write(s, "LHR.1", 1, None).value
2
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


def _lww_write(cur, actor, i, timestamp):
    new = LWWRegister(i, timestamp, actor)  # what assign_delta builds, for a trusted int payload
    return _lww_join(cur, new)


def _mv_write(cur, actor, i, timestamp):
    return (cur or MVRegister()).assign(actor, i)


def _g_write(cur, actor, i, timestamp):
    return (cur or GCounter()).increment(actor, 1)


def _pn_write(cur, actor, i, timestamp):
    cur = cur or PNCounter()
    return cur.decrement(actor, 1) if i % 4 == 3 else cur.increment(actor, 1)


def _orset_write(cur, actor, i, timestamp):
    cur = cur or ORSet()
    x = i % 8
    return cur.remove(x) if i % 3 == 2 else cur.add(actor, x)


@dataclass(frozen=True)
class ValueType:
    """One storable type: its CRDT class, its write, its join, and what its writes need."""

    name: str
    cls: type
    write: Callable  # (current state or None, actor, write number, timestamp) -> new state
    join: Callable  # (a or None, b or None) -> a | b
    leq: Callable  # (a or None, b or None) -> a <= b
    uses_clock: bool = False  # the write needs a timestamp from the site's clock
    uses_actor: bool = False  # the write mints dots/counters for the actor: ids must be fresh


VALUE_TYPES: dict[str, ValueType] = {
    t.name: t
    for t in (
        ValueType("lww", LWWRegister, _lww_write, _lww_join, _lww_leq, uses_clock=True),
        ValueType("mv", MVRegister, _mv_write, join, leq, uses_actor=True),
        ValueType("gcounter", GCounter, _g_write, join, leq, uses_actor=True),
        ValueType("pncounter", PNCounter, _pn_write, join, leq, uses_actor=True),
        ValueType("orset", ORSet, _orset_write, join, leq, uses_actor=True),
    )
}
