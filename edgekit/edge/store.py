"""A bounded store of CRDT values: an LRU cache that never drops what is not yet safe upstream.

A PoP cannot hold every object (finite disk and memory), so each replica
keeps at most ``capacity`` keys and evicts the least recently used one.
Eviction is safe for the *upstream's* copy, which is authoritative: an
evicted key is simply a miss the next time it is read, and the next sync
brings it back. It is not safe for a key whose local writes the upstream has
not yet acknowledged: dropping it would lose an acknowledged client write.
So the owner passes the set of such *pinned* keys, and eviction skips them.
If every key is pinned the store goes over capacity for a while (counted in
``overflows``) rather than lose data; the pins clear after the next
completed sync.

>>> s = Store(capacity=2)
>>> s.put("a", 1); s.put("b", 2); s.put("c", 3)
>>> sorted(s.data), s.evictions
(['b', 'c'], 1)
>>> s.put("d", 4, pinned={"b"})          # "b" has unacknowledged writes: "c" goes
>>> sorted(s.data)
['b', 'd']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Container

__all__ = ["Store"]

_NOTHING: frozenset = frozenset()


class Store:
    """Key -> CRDT value, least recently used first; ``capacity=None`` means unbounded."""

    __slots__ = ("data", "capacity", "evictions", "overflows", "on_evict", "_wait")

    def __init__(self, capacity: int | None = None,
                 on_evict: Callable[[str], None] | None = None) -> None:
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                     or capacity < 1):
            raise ValueError(f"capacity={capacity!r}: expected a positive integer or None (unbounded)")
        self.data: OrderedDict = OrderedDict()
        self.capacity = capacity
        self.evictions = 0
        self.overflows = 0
        self.on_evict = on_evict
        self._wait = 0  # puts to skip before scanning again, after a scan found every key pinned

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key) -> bool:
        return key in self.data

    def get(self, key):
        """The value for ``key`` (marking it recently used), or None when absent."""
        v = self.data.get(key)
        if v is not None:
            self.data.move_to_end(key)
        return v

    def peek(self, key):
        """The value for ``key`` without touching its recency, or None."""
        return self.data.get(key)

    def put(self, key, value, pinned: Container = _NOTHING) -> None:
        """Store ``value`` as the most recently used; evict unpinned keys beyond capacity."""
        data = self.data
        data[key] = value
        data.move_to_end(key)
        if self.capacity is not None and len(data) > self.capacity:
            self.shrink(pinned)

    def shrink(self, pinned: Container = _NOTHING) -> None:
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
