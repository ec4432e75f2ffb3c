"""The lattice a few states live in: join closure, Hasse diagram, and short state labels.

A Hasse diagram draws a partial order with an edge from ``a`` up to ``b``
when ``a < b`` and nothing lies strictly between them. For a handful of CRDT
states (what three replicas have been through), ``hasse`` closes them under
join (every state a merge could produce from them) and computes the covering
edges and a rank per node for drawing (the length of the longest chain below).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .._checks import brief, check_int
from .base import StateCRDT, sort_key
from .counters import GCounter, PNCounter
from .orset import ORSet
from .registers import LWWRegister, MVRegister
from .sets import GSet, TwoPSet

__all__ = ["Hasse", "join_closure", "hasse", "describe"]


MAX_NODES = 256  # a Hasse diagram is for looking at: its edges take nodes**3 comparisons


def _state(s):
    if not isinstance(s, StateCRDT):
        raise TypeError(f"states: {brief(s)} is not a CRDT value; expected values such as GSet().add('x')")
    return s


def join_closure(states: Iterable, limit: int = 32) -> tuple[list, bool]:
    """``states`` and every join of them, in discovery order; ``False`` if cut off at ``limit``."""
    check_int(limit, "limit", 1, MAX_NODES)
    if isinstance(states, (str, bytes, dict)) or not hasattr(states, "__iter__"):
        raise TypeError(f"states={brief(states)}: expected a list of CRDT values of one type")
    nodes = list(dict.fromkeys(_state(s) for s in states))
    if len({type(s) for s in nodes}) > 1:
        raise TypeError(f"states: {sorted({type(s).__name__ for s in nodes})}: expected values of one CRDT type")
    known = set(nodes)
    i = 0
    while i < len(nodes):
        for j in range(i):
            joined = nodes[i] | nodes[j]
            if joined not in known:
                if len(nodes) >= limit:
                    return nodes, False
                known.add(joined)
                nodes.append(joined)
        i += 1
    return nodes, True


@dataclass(frozen=True)
class Hasse:
    nodes: tuple  # states
    edges: tuple[tuple[int, int], ...]  # (lower, upper) covering pairs, by node index
    rank: tuple[int, ...]  # longest chain below each node
    complete: bool  # False: more joins exist than were drawn


def hasse(states: Iterable, limit: int = 32) -> Hasse:
    """The Hasse diagram of the join closure of ``states``.

    >>> h = hasse([GSet(), GSet().add("x"), GSet().add("y")])
    >>> len(h.nodes), len(h.edges), max(h.rank)
    (4, 4, 2)
    """
    nodes, complete = join_closure(states, limit)
    n = len(nodes)
    less = [[i != j and nodes[i] <= nodes[j] for j in range(n)] for i in range(n)]
    edges = tuple(
        (i, j)
        for i in range(n)
        for j in range(n)
        if less[i][j] and not any(less[i][k] and less[k][j] for k in range(n))
    )
    rank = [0] * n
    for _ in range(n):  # longest path by relaxation; n rounds suffice in a DAG of n nodes
        changed = False
        for i, j in edges:
            if rank[j] < rank[i] + 1:
                rank[j] = rank[i] + 1
                changed = True
        if not changed:
            break
    return Hasse(tuple(nodes), edges, tuple(rank), complete)


def _set(xs) -> str:
    return "{" + ",".join(str(x) for x in sorted(xs, key=sort_key)) + "}"


def _counts(c: GCounter) -> str:
    return " ".join(f"{r}{n}" for r, n in c.counts)


def _ctx(ctx) -> str:
    return " ".join(f"{r}{n}" for r, n in ctx.vv.entries) + "".join(f" +{d.replica}{d.counter}" for d in sorted(ctx.cloud))


def describe(x) -> str:
    """A short label for a state, e.g. ``A2 B1`` for a G-Counter or ``{x,y}`` for a G-Set.

    >>> describe(ORSet().add("A", "x").add("B", "y").remove("x"))
    '{y:B1} seen A1 B1'
    """
    if isinstance(x, GCounter):
        return _counts(x) or "0"
    if isinstance(x, PNCounter):
        return f"+[{_counts(x.p)}] -[{_counts(x.n)}]"
    if isinstance(x, GSet):
        return _set(x.elements)
    if isinstance(x, TwoPSet):
        return f"+{_set(x.added)} -{_set(x.removed)}"
    if isinstance(x, (ORSet, MVRegister)):
        tagged = sorted(f"{v}:{d.replica}{d.counter}" for d, v in x.entries)
        return "{" + ",".join(tagged) + "} seen " + (_ctx(x.context) or "nothing")
    if isinstance(x, LWWRegister):
        return "never written" if x.timestamp is None else f"{x.payload!r} @{x.timestamp} by {x.replica}"
    text = str(x.to_json()) if isinstance(x, StateCRDT) else brief(x)
    return text if len(text) <= 60 else text[:57] + "..."
