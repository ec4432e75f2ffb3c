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
that answer arrives or ``miss_timeout_ms`` passes, whichever is first. The
answer is built from what came down, not from the store, which may already
have evicted it; on a timeout a key that did not come down is still "not here
yet".

A hub smaller than its children's working set. Fetching at the next epoch
only works if the fetched state is still in the store when the child asks
again. A hub whose capacity is below the keys its children ask for can evict
it first (other keys come down in the same response, children's values
arrive), and with periodic epochs the same keys can miss every round
forever: a livelock, not just a delay. So a hub remembers, per key, the
children it told "not here yet" (``owed``) and whether the key has come down
since. A child that asks again for a key that came down for it and was evicted
before it asked is *passed through*: its request waits while the hub asks its
upstream at once (as for a blocking request) and is answered with what came
down. Every child therefore gets an answer from above within two of its
epochs plus one of the hub's, for any capacity >= 1: a small cache costs
messages and latency, never convergence.

What a crash loses: the parked requests (volatile). The store and the
interest and ``owed`` bookkeeping are the node's disk and survive (see
``docs/edge-design.md``).
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
        # key -> {child: came down since we told that child "not here yet"} (hubs only)
        self.owed: dict = {}
        self.passed_through = 0  # child requests a hub answered only after asking above at once

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
        owed = self.owed
        for key, value in entries.items():
            if value is None:
                touched[key] = None  # our upstream is fetching it too: ask again next epoch
                continue
            fresh[key] = None
            waiting = owed.get(key)
            if waiting:  # it came down for these children: if it is gone when they ask, pass through
                for child in waiting:
                    waiting[child] = True
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
                self._fetched(msg.entries)
                self._answer(ctx, *parked, came=msg.entries)

    def _fetched(self, entries: dict) -> None:
        """An immediate fetch came back: what came down need not be fetched again at our next
        epoch (unless children sent news for it), nor stay pinned until then."""
        touched, dirty = self.interest.touched, self.interest.dirty
        for k, v in entries.items():
            if v is not None and k not in dirty:
                touched.pop(k, None)

    def serve(self, ctx, child, req: SyncRequest) -> None:
        """Merge a child's request into the store and answer the merged values."""
        self.served += 1
        store, join, interest = self.store, self.join, self.interest
        data, bounded = store.data, store.capacity is not None
        forward = self.upstream is not None
        touched, pins = interest.touched, self._pins
        watched, bottom, fresh, owed = self._watched, self.bottom, self._fresh, self.owed
        out = {}
        missing = []
        at_once = req.blocking  # ask our upstream now rather than at our next epoch
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
                    waiting = owed.get(k)
                    if waiting and waiting.get(child):
                        at_once = True  # it came down for this child and we could not keep it
                elif cur is None:
                    cur = bottom  # the root's word: nothing has been written to this key
            out[k] = cur
        if at_once and missing and forward:
            # Read-through (blocking) or pass-through (a key we cannot keep): fetch what we
            # lack now and answer the child with what comes down.
            sid = interest.next_id
            interest.next_id += 1
            self._parked[sid] = (child, req.sync_id, list(out))
            if not req.blocking:
                self.passed_through += 1
            self.send(ctx, self.upstream, SyncRequest(sid, dict.fromkeys(missing), blocking=True))
            ctx.set_timer(self.miss_timeout_ms, ("unpark", sid))
            return
        self._reply(ctx, child, req.sync_id, out)

    def _reply(self, ctx, child, child_sid: int, out: dict) -> None:
        """Send ``out`` to ``child``; note which keys we now owe it ("not here yet") and which not."""
        owed = self.owed
        if self.upstream is not None and (owed or None in out.values()):
            for k, v in out.items():
                waiting = owed.get(k)
                if v is None:
                    if waiting is None:
                        owed[k] = {child: False}
                    elif child not in waiting:
                        waiting[child] = False
                elif waiting is not None and child in waiting:
                    del waiting[child]
                    if not waiting:
                        del owed[k]
        self.send(ctx, child, SyncResponse(child_sid, out))

    def _answer(self, ctx, child, child_sid: int, keys, came: dict | None = None) -> None:
        """Answer a parked request from our state now: what came down from above for it
        (joined with what we hold, as the store may already have evicted it), else what we
        hold from above, else "not here yet"."""
        peek, fresh, join = self.store.peek, self._fresh, self.join
        came = came or {}
        out = {}
        for k in keys:
            up = came.get(k)
            if up is not None:
                out[k] = join(peek(k), up)
            else:
                out[k] = peek(k) if k in fresh else None
        self._reply(ctx, child, child_sid, out)

    def on_timer(self, ctx, tag) -> None:
        if type(tag) is tuple and tag[0] == "unpark":
            parked = self._parked.pop(tag[1], None)
            if parked is not None:  # our upstream did not answer in time: answer what we have
                self._answer(ctx, *parked)
        else:
            super().on_timer(ctx, tag)

    def on_crash(self) -> None:
        self._parked.clear()

    def busy(self) -> bool:
        return bool(self._parked) or super().busy()
