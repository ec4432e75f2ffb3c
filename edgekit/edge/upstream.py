"""Hubs and the root: nodes that answer their children's syncs (and a hub syncs in turn).

``serve`` is the upstream's half of one sync: merge every value the child
sent into the local state, then answer the merged state for the same keys.
A hub is also a sync *client* of its own upstream, with exactly the site's
protocol (``SyncNode``): every key a child asks about joins the hub's own
interest set, so it travels one level further up at the hub's next epoch.
That is the whole fractal design. The root has no upstream: it is the
authoritative copy and never evicts (``capacity=None``); for a key it has never
seen it answers ``bottom``, the value type's bottom element ("nothing written
yet"). A hub answers the missing marker ``None`` ("not here yet") for a key
whose state did not come down from its own upstream since it last loaded it
(it may hold what children sent, but that is no answer: it is not from
above). It fetches the key at its next epoch; the child keeps the key in its
interest set and asks again. So every answer a child settles on holds
everything its upstream had from above: that is what makes copies converge.

For a *blocking* request (a site's read miss that waits for an answer) a hub
that lacks a key asks its own upstream at once, and answers the child when
that answer arrives or ``miss_timeout_ms`` passes, whichever is first.

What a crash loses: the parked blocking requests (volatile). The store and the
interest bookkeeping are the node's disk and survive (see ``docs/edge-design.md``).
"""

from __future__ import annotations

from .messages import SyncRequest, SyncResponse
from .store import Store
from .sync import Meter, SyncNode
from .values import join as plain_join

__all__ = ["Upstream"]


class _Owed:
    """A hub's pinned keys: news not yet acknowledged above, and keys it owes a fetch."""

    __slots__ = ("interest",)

    def __init__(self, interest) -> None:
        self.interest = interest

    def __contains__(self, key) -> bool:
        i = self.interest
        return key in i.dirty or key in i.touched or key in i.unacked


class Upstream(SyncNode):
    """A hub (``upstream`` set) or the root (``upstream=None``)."""

    def __init__(self, node_id: str, upstream: str | None, epoch_ms: float, *,
                 capacity: int | None = None, join=plain_join, bottom=None,
                 miss_timeout_ms: float = 1000.0, meter: Meter | None = None, observer=None) -> None:
        super().__init__(node_id, upstream, epoch_ms, meter)
        if upstream is None and capacity is not None:
            raise ValueError(f"capacity={capacity!r} for root {node_id!r}: expected None "
                             "(the root holds the authoritative copy of every key)")
        self.store = Store(capacity, on_evict=self._evicted)
        self._fresh: dict = {}  # keys whose state came down from our upstream (hubs only)
        self.join = join
        self.bottom = bottom  # the root answers this for a key it has never seen
        self.miss_timeout_ms = miss_timeout_ms
        self.observer = observer
        self._watched = {} if observer is None else observer.watched
        self.served = 0
        self._pins = _Owed(self.interest)
        self._parked: dict[int, tuple] = {}  # our fetch id -> (child, child's sync id, keys)

    def states_of(self, keys) -> dict:
        peek = self.store.data.get
        return {k: peek(k) for k in keys}

    def held_keys(self) -> list[str]:
        return list(self.store.data)

    def _evicted(self, key) -> None:
        self._fresh.pop(key, None)

    def merge_entries(self, ctx, entries: dict) -> None:
        store, join, data, pins = self.store, self.join, self.store.data, self._pins
        touched, watched, obs, fresh = self.interest.touched, self._watched, self.observer, self._fresh
        for key, value in entries.items():
            if value is None:
                touched[key] = None  # our upstream is fetching it too: ask again next epoch
                continue
            fresh[key] = None
            cur = data.get(key)
            m = join(cur, value)
            if m is not cur and m != cur:
                store.put(key, m, pins)
                if key in watched:
                    obs.seen(ctx.now, self.node_id, key, m)

    def on_message(self, ctx, src, msg) -> None:
        if type(msg) is SyncRequest:
            self.serve(ctx, src, msg)
        elif type(msg) is SyncResponse:
            self.on_sync_response(ctx, msg)
            parked = self._parked.pop(msg.sync_id, None)
            if parked is not None:
                self._answer(ctx, *parked)

    def serve(self, ctx, child, req: SyncRequest) -> None:
        """Merge a child's request into the store and answer the merged values."""
        self.served += 1
        store, join, interest = self.store, self.join, self.interest
        data, bounded = store.data, store.capacity is not None
        forward = self.upstream is not None
        touched, pins = interest.touched, self._pins
        watched, bottom, fresh = self._watched, self.bottom, self._fresh
        out = {}
        missing = []
        for k, v in req.entries.items():
            cur = data.get(k)
            if bounded and cur is not None:
                data.move_to_end(k)
            had = cur is not None and (not forward or k in fresh)
            if v is not None:
                m = join(cur, v)
                if m is not cur and (cur is None or m != cur):
                    if forward:
                        interest.wrote(k)  # news for our upstream: pinned until it is acknowledged
                    if bounded:
                        store.put(k, m, pins)
                    else:
                        data[k] = m
                    cur = m
                    if k in watched:
                        self.observer.seen(ctx.now, self.node_id, k, m)
                elif forward:
                    touched[k] = None
            elif forward:
                touched[k] = None
            if not had:
                if forward:
                    # "Not here yet": we hold nothing from above, only what children sent.
                    # We fetch the key at our next epoch; ask again after that.
                    missing.append(k)
                    cur = None
                elif cur is None:
                    cur = bottom  # the root's word: nothing has been written to this key
            out[k] = cur
        if req.blocking and missing and forward:
            # Read-through: fetch what we lack now instead of at our next epoch.
            sid = interest.next_id
            interest.next_id += 1
            self._parked[sid] = (child, req.sync_id, list(req.entries))
            self.send(ctx, self.upstream, SyncRequest(sid, dict.fromkeys(missing), blocking=True))
            ctx.set_timer(self.miss_timeout_ms, ("unpark", sid))
            return
        self.send(ctx, child, SyncResponse(req.sync_id, out))

    def _answer(self, ctx, child, child_sid: int, keys: list) -> None:
        peek = self.store.peek
        self.send(ctx, child, SyncResponse(child_sid, {k: peek(k) for k in keys}))

    def on_timer(self, ctx, tag) -> None:
        if type(tag) is tuple and tag[0] == "unpark":
            parked = self._parked.pop(tag[1], None)
            if parked is not None:  # our upstream did not answer in time: answer what we have
                self._answer(ctx, *parked)
        else:
            super().on_timer(ctx, tag)

    def on_crash(self) -> None:
        self._parked.clear()
