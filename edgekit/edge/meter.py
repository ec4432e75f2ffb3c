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
    from cached per-value sizes: values are immutable and the same objects travel again and
    again, so each is serialised once. ``measure_bytes=False`` skips sizes altogether.
    """

    __slots__ = ("messages", "bytes", "requests", "responses", "entries", "measure_bytes", "_sizes",
                 "_heads", "_entries")

    def __init__(self, measure_bytes: bool = True) -> None:
        self.messages = self.bytes = self.requests = self.responses = self.entries = 0
        self.measure_bytes = measure_bytes
        self._sizes: dict = {}  # id(value) -> (value, size); holding the value keeps the id valid
        self._heads: dict = {}  # message shape -> size of the message with no entries
        self._entries: dict = {}  # key -> (value, size of '"key": value', size of '"key"')

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
        if v is None:
            return 4  # null
        hit = self._sizes.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        n = len(json.dumps(v.to_json()))
        if len(self._sizes) > 500_000:
            self._sizes.clear()
        self._sizes[id(v)] = (v, n)
        return n

    def size(self, msg) -> int:
        """``len(json.dumps(msg.to_json()))``, from cached entry sizes."""
        entries = msg.entries
        # The message with no entries ends in "{}"; each entry adds '"key": value' and ", ".
        shape = (type(msg), len(str(msg.sync_id)), _extra(msg))
        head = self._heads.get(shape)
        if head is None:
            head = self._heads[shape] = len(json.dumps(type(msg)(msg.sync_id, {}, *_extra(msg)).to_json()))
        # One lookup per entry: key -> (the value last seen with it, the entry's size, the key's).
        # A key travels again and again with the same value object, so most entries cost one hit.
        cache = self._entries
        body = 0
        for k, v in entries.items():
            hit = cache.get(k)
            if hit is not None:
                if hit[0] is v:
                    body += hit[1]
                    continue
                nk = hit[2]
            else:
                if len(cache) > 500_000:
                    cache.clear()
                nk = len(json.dumps(k))
            n = nk + (6 if v is None else 2 + self.value_size(v))  # '"key": null' or '"key": value'
            cache[k] = (v, n, nk)
            body += n
        return head + body + 2 * max(len(entries) - 1, 0)


def _extra(msg) -> tuple:
    return (msg.blocking,) if type(msg) is SyncRequest else ()
