"""The pull-based sync protocol, client side: epochs, an interest set, one request, one response.

Every replica below the root (of a site or of a hub) runs the same client side:

1. Between syncs it notes every key it reads or writes, read misses
   included (``touch``/``wrote``): its *interest set*.
2. Each epoch it sends its upstream one ``SyncRequest`` with its state for
   every interested key, or the missing marker ``None`` for a key it lacks.
3. The upstream merges what it got and answers a ``SyncResponse`` with its
   merged state for the same keys (``edgekit.edge.upstream``).
4. The replica merges the response. The touched keys are now equal on both
   sides, and their interest is settled.

Replicas sync independently, as the talk allows ("over-merging is harmless"):
each one sends what it holds, so a replica that is down at sync time simply
syncs later, and nobody else's request can settle its writes.

Missing keys. The root is authoritative: for a key it has never seen it
answers the type's bottom value (``Type()``: "nothing written yet"), which
the asker stores like any state. An upstream answers ``None`` ("not here
yet, ask again") when it cannot vouch for a key: a hub that has nothing for it
from above, or a cluster whose replicas did not answer in time. ``None`` keeps
the key in the interest set and never settles it.

When a response is lost nothing special happens, as in the talk: the keys it
would have settled stay *unacknowledged* and ride along in the next epoch's
request. Merges are idempotent, so sending a key twice is harmless.

A key with a local write that no completed sync has covered is *dirty*, and
pinned in the store (``edgekit.edge.store``): eviction must not drop the only
copy of an acknowledged write. The dirty marks live on the store's disk with
the values. A key becomes clean only when a response that is not ``None``
answers a request built after the key's last write: that request carried this
replica's state, which holds every write it ever acknowledged for the key.

Determinism: interest sets are dicts (insertion-ordered), never ``set``s, whose
order for strings changes from process to process.

>>> from edgekit.edge.store import MemoryStore
>>> i = Interest(MemoryStore())
>>> i.wrote("k1"); i.touch("k2")
>>> sid, keys = i.begin()
>>> keys, list(i.dirty)
(['k1', 'k2'], ['k1'])
>>> i.wrote("k1")                            # written again while the request is in flight
>>> i.settle(sid, {"k1": 1, "k2": 2})        # covers the old write, not the new one
[]
>>> list(i.unacked), list(i.dirty), i.begin()[1]
([], ['k1'], ['k1'])
>>> i.settle(sid, {"k2": 2})                 # a duplicate: nothing to settle, and late for "k2"
['k2']
"""

from __future__ import annotations

from edgekit.sim.node import Node

from .._checks import brief
from .messages import SyncRequest, SyncResponse
from .meter import Meter

__all__ = ["Interest", "SyncNode", "Meter"]


class Interest:
    """What a replica owes its upstream: touched and unacknowledged keys (volatile), dirty keys
    (the store's marks, durable)."""

    __slots__ = ("touched", "unacked", "store", "dirty", "next_id", "_marks")

    def __init__(self, store) -> None:
        if not isinstance(getattr(store, "dirty", None), dict):
            raise TypeError(f"store={brief(store)}: expected an edgekit Store (with its .dirty marks)")
        self.touched: dict = {}  # key -> None: read or written since the last request
        self.unacked: dict = {}  # key -> id of the first request that carried it this round
        self.store = store
        self.dirty: dict = store.dirty  # key -> sequence number of its latest unacknowledged write
        self.next_id = 1
        self._marks: dict = {}  # request id -> last write sequence number it carries

    def touch(self, key) -> None:
        self.touched[key] = None

    def wrote(self, key) -> None:
        self.touched[key] = None
        self.dirty[key] = self.store.next_seq()

    def __len__(self) -> int:
        return len(self.touched) + len(self.unacked)

    def forget(self) -> None:
        """A crash: the volatile part is gone; dirty keys (on disk) ride along next epoch."""
        self.touched.clear()
        self.unacked.clear()
        self._marks.clear()
        self.dirty = self.store.dirty  # a wiped store may have a new dict
        self.touched.update(dict.fromkeys(self.dirty))

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
        self._marks[sid] = self.store.wseq  # every write so far is in this request
        if len(self._marks) > 1024:  # responses that never came: forget the oldest
            del self._marks[next(iter(self._marks))]
        return sid, keys

    def settle(self, sid: int, entries: dict) -> list:
        """Response ``sid`` arrived with ``entries``; returns the keys it is *late* for.

        A key is settled by a response to any request that carried it (a request carries
        every unacknowledged key, so a slow response still counts when newer requests are
        out: with a round trip longer than the epoch, no response would ever be the latest).
        An answer ``None`` settles nothing: the key is asked again next epoch. A dirty key is
        clean once a real answer covers a request built after its last write. A key the
        replica no longer asks about (another response settled it) is late: its value may be
        older than what the replica got since, so it must not bring back an evicted key.
        """
        unacked, dirty, touched = self.unacked, self.dirty, self.touched
        mark = self._marks.pop(sid, None)
        late = []
        for k, v in entries.items():
            first = unacked.get(k)
            if first is not None:
                if first <= sid:
                    del unacked[k]
            elif k not in touched:
                late.append(k)  # never dirty: a dirty key is always unacknowledged or touched
                continue
            if v is None:
                touched[k] = None  # "not here yet": ask again
                continue
            w = dirty.get(k)
            if w is not None:
                if mark is not None and w <= mark:
                    del dirty[k]
                elif k not in unacked:
                    touched[k] = None  # still dirty: it must ride along next epoch
        return late


class SyncNode(Node):
    """The client side of the protocol: an epoch timer and ``Interest``, for a replica of a site
    or of a hub. Subclasses say how to read and merge their own state (``states_of``,
    ``merge_entries``)."""

    def __init__(self, node_id: str, upstream: str | None, epoch_ms: float, store, meter: Meter | None = None):
        self.node_id = node_id
        self.upstream = upstream
        self.epoch_ms = epoch_ms
        self.store = store
        self.interest = Interest(store)
        self.meter = meter if meter is not None else Meter(measure_bytes=False)
        self.syncs_sent = 0
        self.syncs_completed = 0

    # -- what a subclass provides ---------------------------------------------------------------

    def states_of(self, keys) -> dict:
        """Key -> this node's current state (None when it lacks the key), for a request (``keys``: a list)."""
        return dict(zip(keys, map(self.store.peek, keys), strict=True))  # no Python step per key

    def merge_entries(self, ctx, entries: dict) -> None:
        """Merge a response's values into this node's state (``None`` entries: nothing to merge)."""
        raise NotImplementedError

    # -- the epoch ----------------------------------------------------------------------------

    def on_start(self, ctx) -> None:
        self.interest.forget()  # after a restart: the volatile part is gone, dirty keys ride again
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
        """Whether this node still owes or awaits anything (quiet waits for none)."""
        return bool(len(self.interest) or self.interest.dirty)
