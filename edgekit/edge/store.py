"""A replica's disk: CRDT values in LRU order, and the marks of writes not yet safe upstream.

A PoP cannot hold every object (finite disk), so a replica keeps at most
``capacity`` keys and evicts the least recently used one. Eviction is safe for
a key whose writes the upstream has acknowledged: the upstream's copy is
authoritative, so an evicted key is a miss the next time it is read and the
next sync brings it back. It is not safe for a *dirty* key, one with a local
write no completed sync has covered: dropping it would lose an acknowledged
client write. So the store keeps the dirty marks beside the values, on the same
disk (a crash keeps both, a lost disk loses both), and eviction skips every
pinned key (the dirty ones, and any the owner adds). If every key is pinned the
store goes over capacity for a while (``overflows``) rather than lose data.

``Store`` is the interface a replica uses; ``MemoryStore`` is the one the
simulator runs. A store on a real disk (SQLite, one file per replica) only has
to provide the same few operations:

==================  ====================================================================
``get(key)``        the value (None when absent), marking it recently used
``peek(key)``       the value, without touching its recency
``put(key, v)``     store ``v`` as most recently used; evict unpinned keys beyond capacity
``keys()``          every key held, least recently used first (unbounded: first stored first)
``dirty``           key -> sequence number of its latest unacknowledged local write
``next_seq()``      a new write sequence number (kept on disk: it must never go back)
``wipe()``          forget everything: the disk was lost
==================  ====================================================================

>>> s = MemoryStore(capacity=2)
>>> s.put("a", 1); s.put("b", 2); s.put("c", 3)
>>> list(s.keys()), s.evictions
(['b', 'c'], 1)
>>> s.dirty["b"] = s.next_seq()           # "b" has an unacknowledged write: "c" goes
>>> s.put("d", 4); sorted(s.keys())
['b', 'd']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Container, Iterable
from typing import Protocol

from .._checks import brief

__all__ = ["Store", "MemoryStore", "check_capacity"]


def check_capacity(capacity, name: str = "capacity") -> int | None:
    """``capacity`` if it is a positive integer or None (unbounded), else a ValueError naming ``name``."""
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
        raise ValueError(f"{name}={brief(capacity)}: expected a positive integer or None (unbounded)")
    return capacity


class Store(Protocol):
    """What a replica needs of its disk (see the module docstring)."""

    capacity: int | None
    dirty: dict
    evictions: int
    overflows: int

    def get(self, key): ...
    def peek(self, key): ...
    def put(self, key, value, pinned: Container | None = None) -> None: ...
    def keys(self) -> Iterable: ...
    def next_seq(self) -> int: ...
    def wipe(self) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, key) -> bool: ...


class MemoryStore:
    """Key -> CRDT value, least recently used first, plus dirty marks; ``capacity=None``: unbounded."""

    __slots__ = ("data", "dirty", "wseq", "capacity", "evictions", "overflows", "on_evict", "_wait", "get", "peek")

    def __init__(self, capacity: int | None = None, on_evict: Callable[[str], None] | None = None) -> None:
        self.capacity = check_capacity(capacity)
        self._use(OrderedDict())
        self.dirty: dict = {}
        self.wseq = 0
        self.evictions = 0
        self.overflows = 0
        self.on_evict = on_evict
        self._wait = 0  # puts to skip before scanning again, after a scan found every key pinned

    def _use(self, data: OrderedDict) -> None:
        """Keep the values in ``data`` (a subclass may bring its own OrderedDict; set it only here).

        The two hottest calls of a run (several per client operation, one per sync entry) go
        straight to the dict when they can: no Python frame. An unbounded store never evicts,
        so its reads need not keep recency either."""
        self.data = data
        self.peek = data.get
        self.get = data.get if self.capacity is None else self._get

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key) -> bool:
        return key in self.data

    def keys(self):
        return self.data.keys()

    def _get(self, key):
        """``get`` of a bounded store: the value, now the most recently used."""
        v = self.data.get(key)
        if v is not None:
            self.data.move_to_end(key)
        return v

    def next_seq(self) -> int:
        self.wseq += 1
        return self.wseq

    def wipe(self) -> None:
        self.data.clear()
        self.dirty.clear()
        self.wseq = 0
        self._wait = 0

    def put(self, key, value, pinned: Container | None = None) -> None:
        data = self.data
        data[key] = value
        if self.capacity is not None:  # unbounded: nothing is evicted, recency is moot
            data.move_to_end(key)
            if len(data) > self.capacity:
                self.shrink(self.dirty if pinned is None else pinned)

    def shrink(self, pinned: Container) -> None:
        """Evict unpinned least recently used keys until the store is within capacity.

        After a scan found every key pinned, later calls skip the scan while the least recently
        used key is still pinned (for as many calls as that scan looked at keys); once it is
        free, the next call scans again, so a store whose pins cleared is back within capacity
        after one put."""
        if self._wait and next(iter(self.data)) in pinned:
            self._wait -= 1
        else:
            self._wait = 0
            self._evict(pinned)

    def _evict(self, pinned: Container) -> None:
        data = self.data
        # Look at each resident key at most once; a pinned key is busy, so it moves to the
        # recent end (it was written lately anyway) and the scan goes on.
        for _ in range(len(data) - 1):
            key = next(iter(data))
            if key in pinned:
                data.move_to_end(key)
                continue
            del data[key]
            self.evictions += 1
            if self.on_evict is not None:
                self.on_evict(key)
            if len(data) <= self.capacity:
                return
        # Every key is pinned: rather than scan them all again on every put (quadratic during
        # a long isolation), wait as many puts as we just scanned keys.
        self.overflows += 1
        self._wait = len(data)
