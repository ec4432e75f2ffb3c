"""The pull-based sync protocol: epochs, an interest set, one request and one response.

Every node below the root (a site or a hub) runs the same client side:

1. Between syncs it notes every key it reads or writes, read misses
   included (``touch``/``wrote``): its *interest set*.
2. Each epoch it sends its upstream one ``SyncRequest`` with its state for
   every interested key, or the missing marker ``None`` for a key it lacks.
3. The upstream merges what it got and answers a ``SyncResponse`` with its
   merged state for the same keys (``Upstream.serve``).
4. The node merges the response. The touched keys are now equal on both
   sides, and their interest is settled.

Missing keys. The root is authoritative: for a key it has never seen it
answers the type's bottom value (``Type()``: "nothing written yet"), which
the asker stores like any state. Only a hub answers the missing marker, when
it lacks the key itself; it then asks its own upstream at its next epoch, and
the asker keeps the key in its interest set and asks again. So a read miss
"appears later" at any depth of the tree, and a key nobody wrote stops
costing syncs once the bottom value has come down.

When a response is lost (a cut, a crash, a lost packet) nothing special
happens, as in the talk: the keys it would have settled stay *unacknowledged*
and simply ride along in the next epoch's request. We keep them rather than
forget them because a key written here and never re-read would otherwise
never reach the upstream: that would lose an acknowledged write. Merges are
idempotent, so sending a key twice is harmless.

A key with local writes that no completed sync has covered yet is *dirty*.
Dirty keys are pinned in the LRU stores (``Store``): eviction must not drop
the only copy of an acknowledged write. A response settles a dirty key only
if the request it answers was built after the key's last write (each write
gets a sequence number and each request remembers the latest it carried).

Determinism: interest sets are dicts (insertion-ordered), never ``set``s, whose
order for strings changes from process to process.

>>> i = Interest()
>>> i.wrote("k1"); i.touch("k2")
>>> sid, keys = i.begin()
>>> keys, list(i.dirty)
(['k1', 'k2'], ['k1'])
>>> i.wrote("k1")                   # written again while the request is in flight
>>> i.settle(sid, keys)             # the response covers the old write, not the new one
[]
>>> list(i.unacked), list(i.dirty), i.begin()[1]
([], ['k1'], ['k1'])
>>> i.settle(sid, ["k2"])           # a duplicate: nothing to settle, and it is late for "k2"
['k2']
"""

from __future__ import annotations

import json

from edgekit.sim.node import Node

from .messages import SyncRequest, SyncResponse

__all__ = ["Interest", "SyncNode", "Meter"]


class Interest:
    """What a node owes its upstream: touched keys, unacknowledged keys, dirty keys."""

    __slots__ = ("touched", "unacked", "dirty", "next_id", "_wseq", "_marks")

    def __init__(self) -> None:
        self.touched: dict = {}  # key -> None: read or written since the last request
        self.unacked: dict = {}  # key -> id of the first request that carried it this round
        self.dirty: dict = {}  # key -> sequence number of its latest unacknowledged local write
        self.next_id = 1
        self._wseq = 0
        self._marks: dict = {}  # request id -> last write sequence number it carries

    def touch(self, key) -> None:
        self.touched[key] = None

    def wrote(self, key) -> None:
        self.touched[key] = None
        self._wseq += 1
        self.dirty[key] = self._wseq

    def __len__(self) -> int:
        return len(self.touched) + len(self.unacked)

    def begin(self) -> tuple[int, list]:
        """Start a request: its id and its keys (unacknowledged first, then touched)."""
        sid = self.next_id
        self.next_id += 1
        unacked = self.unacked
        keys = list(unacked)
        for k in self.touched:
            if k not in unacked:
                unacked[k] = sid
                keys.append(k)
        self.touched.clear()
        self._marks[sid] = self._wseq  # every write so far is in this request
        if len(self._marks) > 1024:  # responses that never came: forget the oldest
            del self._marks[next(iter(self._marks))]
        return sid, keys

    def settle(self, sid: int, keys) -> list:
        """Response ``sid`` arrived for ``keys``; returns the keys it is *late* for.

        A key is settled by a response to any request that carried it (a request carries
        every unacknowledged key, so a slow response still counts when newer requests are
        out: with a round trip longer than the epoch, no response would ever be the latest).
        A dirty key is clean once a response covers a request built after its last write.
        A key the node no longer asks about (another response settled it) is late: its value
        may be older than what the node got since, so it must not bring back an evicted key.
        """
        unacked, dirty, touched = self.unacked, self.dirty, self.touched
        mark = self._marks.pop(sid, None)
        late = []
        for k in keys:
            first = unacked.get(k)
            if first is not None:
                if first <= sid:
                    del unacked[k]
            elif k not in touched:
                late.append(k)  # never dirty: a dirty key is always unacknowledged or touched
                continue
            w = dirty.get(k)
            if w is not None:
                if mark is not None and w <= mark:
                    del dirty[k]
                elif k not in unacked:
                    touched[k] = None  # still dirty: it must ride along next epoch
        return late


class Meter:
    """Counts of WAN messages and their bytes for a run (shared by its nodes).

    Bytes are exactly ``wire_bytes(msg)`` (``len(json.dumps(msg.to_json()))``) but computed
    from cached per-value sizes: values are immutable and the same objects travel again and
    again, so each is serialised once. ``measure_bytes=False`` skips sizes altogether.
    """

    __slots__ = ("messages", "bytes", "requests", "responses", "entries", "measure_bytes", "_sizes",
                 "_key_sizes")

    def __init__(self, measure_bytes: bool = True) -> None:
        self.messages = self.bytes = self.requests = self.responses = self.entries = 0
        self.measure_bytes = measure_bytes
        self._sizes: dict = {}  # id(value) -> (value, size); holding the value keeps the id valid
        self._key_sizes: dict = {}  # key -> len(json.dumps(key))

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
        """``len(json.dumps(msg.to_json()))``, from cached value sizes."""
        entries = msg.entries
        # The message with no entries ends in "{}"; each entry adds '"key": value' and ", ".
        shape = (type(msg), len(str(msg.sync_id)), _extra(msg))
        head = self._key_sizes.get(shape)
        if head is None:
            head = self._key_sizes[shape] = len(json.dumps(type(msg)(msg.sync_id, {}, *_extra(msg)).to_json()))
        ks, sizes = self._key_sizes, self._sizes
        body = 0
        for k, v in entries.items():
            n = ks.get(k)
            if n is None:
                n = ks[k] = len(json.dumps(k))
            if v is None:
                body += n + 6  # ': null'
                continue
            hit = sizes.get(id(v))
            body += n + 2 + (hit[1] if hit is not None and hit[0] is v else self.value_size(v))
        return head + body + 2 * max(len(entries) - 1, 0)


def _extra(msg) -> tuple:
    return (msg.blocking,) if type(msg) is SyncRequest else ()


class SyncNode(Node):
    """The client side of the protocol, shared by sites and hubs: an epoch timer and ``Interest``.

    Subclasses say how to read and merge their own state (``states_of``, ``merge_entries``).
    """

    def __init__(self, node_id: str, upstream: str | None, epoch_ms: float, meter: Meter | None = None):
        self.node_id = node_id
        self.upstream = upstream
        self.epoch_ms = epoch_ms
        self.interest = Interest()
        self.meter = meter if meter is not None else Meter(measure_bytes=False)
        self.syncs_sent = 0
        self.syncs_completed = 0

    # -- what a subclass provides ---------------------------------------------------------------

    def states_of(self, keys) -> dict:
        """Key -> this node's current state (None when it lacks the key), for a request."""
        raise NotImplementedError

    def merge_entries(self, ctx, entries: dict) -> None:
        """Merge a response's values into this node's state. For the missing marker ``None``
        ("not here yet: the upstream is fetching it") keep the key in the interest set."""
        raise NotImplementedError

    def state_of(self, key):
        """This node's current state for ``key`` (None when it lacks it)."""
        return self.states_of((key,))[key]

    # -- the epoch ----------------------------------------------------------------------------

    def on_start(self, ctx) -> None:
        if self.upstream is not None:
            # A random phase per node spreads the syncs of many nodes over the epoch.
            ctx.set_timer(ctx.rng.random() * self.epoch_ms, "epoch")

    def on_timer(self, ctx, tag) -> None:
        if tag == "epoch":
            self.sync(ctx)
            ctx.set_timer(self.epoch_ms, "epoch")

    def sync(self, ctx) -> int | None:
        """Send one SyncRequest for the interest set now; returns its id (None: nothing to say)."""
        if self.upstream is None or not len(self.interest):
            return None  # quiet by default: no interest, no message
        sid, keys = self.interest.begin()
        self.send(ctx, self.upstream, SyncRequest(sid, self.states_of(keys)))
        self.syncs_sent += 1
        return sid

    def send(self, ctx, dst, msg) -> None:
        self.meter.count(msg)
        ctx.send(dst, msg)

    def on_sync_response(self, ctx, msg: SyncResponse) -> None:
        entries = msg.entries
        late = self.interest.settle(msg.sync_id, entries)
        if late:
            # A late (slow or duplicated) response may only join into what we still hold: put
            # back into a store that evicted it, an old value would be a stale copy nobody asks
            # to refresh.
            held = self.states_of(late)
            entries = {k: v for k, v in entries.items()
                       if k not in held or (v is not None and held[k] is not None)}
        self.merge_entries(ctx, entries)
        self.syncs_completed += 1

    def busy(self) -> bool:
        """Whether this node still owes or awaits anything (``EdgeSystem.settle`` waits for none)."""
        return bool(len(self.interest) or self.interest.dirty)
