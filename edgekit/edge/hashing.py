"""Rendezvous (highest random weight) hashing: which N replicas of a site hold a key.

Every instance in a PoP computes a key's replicas by itself, with no ownership
table to keep in sync: score each replica with a hash of (key, replica) and
take the N highest scores (Thaler and Ravishankar, "Using name-based mappings
to increase hit rates", 1998). Removing a replica moves only the keys it held;
every other key keeps its replicas.

The hash is ``hashlib.blake2b``, not Python's ``hash()``, whose string hashing
is salted per process: two processes must agree on the answer.

>>> rendezvous("cart:42", ["r0", "r1", "r2", "r3"], 2)
('r2', 'r1')
>>> rendezvous("cart:42", ["r0", "r1", "r2"], 2)   # r3 gone: cart:42 does not move
('r2', 'r1')
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b

from .._checks import brief, check_items

__all__ = ["rendezvous", "score", "placement", "placement_table", "CACHE_KEYS"]


def score(key: str, replica: str) -> int:
    """The weight of ``replica`` for ``key``: 64 bits of blake2b over both names."""
    if not isinstance(key, str) or not isinstance(replica, str):
        raise TypeError(f"key={brief(key)}, replica={brief(replica)}: expected two strings")
    h = blake2b(f"{key}\x00{replica}".encode(), digest_size=8)
    return int.from_bytes(h.digest(), "big")


def rendezvous(key: str, replicas: Sequence[str], n: int) -> tuple[str, ...]:
    """The ``n`` replicas with the highest scores for ``key``, best first."""
    if isinstance(replicas, str) or not isinstance(replicas, Sequence):
        raise TypeError(f"replicas={brief(replicas)}: expected a list of replica names")
    check_items(replicas, "replicas", str, "a non-empty list of replica names")
    if not replicas:
        raise ValueError("replicas=[]: expected a non-empty list of replica names")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(replicas):
        raise ValueError(f"n={brief(n)}: expected an integer between 1 and {len(replicas)} (the replicas)")
    ranked = sorted(replicas, key=lambda r: (score(key, r), r), reverse=True)
    return tuple(ranked[:n])


_PLACEMENTS: dict[tuple[int, int], dict[str, tuple[int, ...]]] = {}
CACHE_KEYS = 1 << 18  # placements remembered per (replicas, n); a full table starts again empty


MAX_REPLICAS = 1024  # storage processes in one cluster: far past any site; bounds the names made per key


def placement(key: str, replicas: int, n: int) -> tuple[int, ...]:
    """Indices of the ``n`` replicas (of ``r0 .. r{replicas-1}``) that hold ``key``, best first.

    Replica names are local to a site, so one table serves every site. The table is a cache
    bounded by ``CACHE_KEYS`` keys: a run over more keys recomputes some (the answer never changes).

    >>> placement("cart:42", 4, 2)
    (2, 1)
    """
    try:
        table = _PLACEMENTS.get((replicas, n))
    except TypeError:  # replicas or n unhashable: refused just below
        table = None
    if table is None:
        if isinstance(replicas, bool) or not isinstance(replicas, int) or not 1 <= replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas={brief(replicas)}: expected an integer from 1 to {MAX_REPLICAS}")
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= replicas:
            raise ValueError(f"n={brief(n)}: expected an integer between 1 and {replicas} (the replicas)")
        if not isinstance(key, str):
            raise TypeError(f"key={brief(key)}: expected a string")
        table = _PLACEMENTS[(replicas, n)] = {}
    try:
        idx = table.get(key)
    except TypeError:  # an unhashable key: refused just below
        idx = None
    if idx is None:
        if not isinstance(key, str):
            raise TypeError(f"key={brief(key)}: expected a string")
        if len(table) >= CACHE_KEYS:
            table.clear()  # in place: a site holding the table keeps using the same object
        names = [f"r{i}" for i in range(replicas)]
        idx = table[key] = tuple(int(r[1:]) for r in rendezvous(key, names, n))
    return idx


def placement_table(replicas: int, n: int) -> dict:
    """The (bounded) cache ``placement`` fills for ``(replicas, n)``: ``table.get(key)`` is the hot path."""
    placement("", replicas, n)  # checks the arguments and makes the table
    return _PLACEMENTS[(replicas, n)]
