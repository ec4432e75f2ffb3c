"""What the protocol costs on the wire: WAN sync messages and their JSON bytes, counted cheaply.

>>> from edgekit.crdt import LWWRegister
>>> from edgekit.edge.messages import SyncRequest, wire_bytes
>>> m, msg = Meter(), SyncRequest(3, {"k": LWWRegister(1, 2.0, "LHR"), "q": None})
>>> m.count(msg); (m.messages, m.bytes == wire_bytes(msg))
(1, True)
"""

from __future__ import annotations

import json

from .messages import SyncRequest

__all__ = ["Meter"]


class Meter:
    """Counts of WAN messages and their bytes for a run (shared by its nodes).

    Bytes are exactly ``wire_bytes(msg)`` (``len(json.dumps(msg.to_json()))``) but computed
    from cached sizes: keys and values are immutable and the same objects travel again and
    again, so each is serialised once, and a message's size is two sums over those caches
    (``map`` over dict lookups: no Python frame per entry). ``measure_bytes=False`` skips sizes
    altogether.
    """

    __slots__ = ("messages", "bytes", "requests", "responses", "entries", "measure_bytes", "_heads",
                 "_keys", "_values", "_alive")

    def __init__(self, measure_bytes: bool = True) -> None:
        self.messages = self.bytes = self.requests = self.responses = self.entries = 0
        self.measure_bytes = measure_bytes
        self._heads: dict = {}  # message shape -> size of the message with no entries
        self._keys: dict = {}  # key -> len(json.dumps(key))
        self._values: dict = {id(None): 4}  # id(value) -> len(json.dumps(value.to_json())); None is null
        self._alive: dict = {}  # id(value) -> value: holding it keeps its id from being reused

    def count(self, msg) -> None:
        self.messages += 1
        self.entries += len(msg.entries)
        if type(msg) is SyncRequest:
            self.requests += 1
        else:
            self.responses += 1
        if self.measure_bytes:
            self.bytes += self.size(msg)

    def value_size(self, v) -> int:
        """``len(json.dumps(v.to_json()))`` (4 for None: null), cached by the value's identity."""
        n = self._values.get(id(v))
        if n is None:
            n = len(json.dumps(v.to_json()))
            self._values[id(v)], self._alive[id(v)] = n, v
        return n

    def size(self, msg) -> int:
        """``len(json.dumps(msg.to_json()))``, from cached key and value sizes."""
        entries = msg.entries
        # The message with no entries ends in "{}"; each entry adds '"key": value' and ", ".
        shape = (type(msg), len(str(msg.sync_id)), _extra(msg))
        head = self._heads.get(shape)
        if head is None:
            head = self._heads[shape] = len(json.dumps(type(msg)(msg.sync_id, {}, *_extra(msg)).to_json()))
        if not entries:
            return head
        try:
            body = sum(map(self._keys.__getitem__, entries)) + sum(map(self._values.__getitem__,
                                                                      map(id, entries.values())))
        except KeyError:  # a key or a value not seen before (or the caches were full and cleared)
            self._learn(entries)
            return self.size(msg)
        return head + body + 4 * len(entries) - 2  # '": "' per entry, ", " between entries

    def _learn(self, entries: dict) -> None:
        keys, values, alive = self._keys, self._values, self._alive
        if len(keys) + len(alive) > 500_000:  # a bound on memory: start again
            keys.clear()
            alive.clear()
            values.clear()
            values[id(None)] = 4
        for k in set(entries).difference(keys):  # C-level: only the new ones cost a Python step
            keys[k] = len(json.dumps(k))
        by_id = dict(zip(map(id, entries.values()), entries.values(), strict=True))
        for i in set(by_id).difference(values):
            self.value_size(by_id[i])


def _extra(msg) -> tuple:
    return (msg.blocking,) if type(msg) is SyncRequest else ()
