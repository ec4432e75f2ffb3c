"""A replica: one storage process of a cluster, with its own disk, syncing upstream on its own.

Every cluster is the same shape (the talk's fractal design all the way): a
front end that clients (or children) talk to, and ``replicas`` storage
processes behind it, each its own node on the in-site network with its own
``Store`` (its disk). A key lives on ``n`` of them, chosen by rendezvous hashing
(``edgekit.edge.hashing``). What a replica does depends on its tier:

- **site**: serves its front end's ``Get`` (a client read touches the key's
  interest, misses included, at one of the key's replicas), ``Put`` (a client
  write: joined and marked dirty at every replica that stores it), ``Repair`` and
  ``Fill`` (joined, not a write); syncs its own interest set with the site's
  upstream every epoch, and passes what came down to the key's other replicas.
- **hub**: serves ``Merge`` (a child's sync entries for the keys it holds: it
  joins them, marks news dirty for its own upstream, and answers what it has
  *from above*, or ``None``: "not here yet", in which case the key's first
  replica, its *lead*, asks above at its next epoch) and ``Fill`` (states that
  came down from above); syncs with its own upstream like a site replica, and
  passes what came down to the key's other replicas.
- **root**: serves ``Merge`` and ``Fill``; never evicts, never syncs. It answers
  ``None`` for a key it has never seen and lets its front end decide whether the
  cluster may say "nothing written yet".

A hub replica remembers which children it told "not here yet" (``owed``) and
whether the key has come down since; if such a child asks again and the key is
gone (a hub smaller than its children's working set), the answer flags it
*urgent* and the front end fetches it from above at once (``edgekit.edge.upstream``).

What survives what: a crash loses the volatile part (interest set, ``fresh``,
``owed``, replies waiting to go out); the disk keeps values and dirty marks. A
lost disk (``on_disk_loss``) loses everything. A slow replica
(``on_slow``) sends every answer ``slow_ms`` late.
"""

from __future__ import annotations

from .._checks import brief
from .config import EdgeConfig
from .hashing import placement, placement_table
from .messages import Fill, Get, Got, Merge, Merged, Put, Repair, Stored, SyncResponse
from .store import MemoryStore
from .sync import Meter, SyncNode
from .values import VALUE_TYPES

__all__ = ["Replica", "TIERS"]

TIERS = ("site", "hub", "root")
_LATE = "late"


class _Pins:
    """A hub's pinned keys: news not yet acknowledged above, and keys it owes a fetch."""

    __slots__ = ("interest",)

    def __init__(self, interest) -> None:
        self.interest = interest

    def __contains__(self, key) -> bool:
        i = self.interest
        return key in i.dirty or key in i.touched or key in i.unacked


class Replica(SyncNode):
    """One storage process of a site, a hub or the root (``tier``); ``cluster`` is its front end."""

    def __init__(self, node_id: str, cluster: str, tier: str, upstream: str | None, config: EdgeConfig, *,
                 store=None, meter: Meter | None = None) -> None:
        if not isinstance(config, EdgeConfig):
            raise TypeError(f"config={brief(config)}: expected an EdgeConfig")
        if tier not in TIERS:
            raise ValueError(f"tier={brief(tier)}: expected one of {TIERS}")
        if (tier == "root") != (upstream is None):
            raise ValueError(f"upstream={brief(upstream)} for tier={brief(tier)}: only the root has no upstream")
        capacity = {"site": config.capacity, "hub": config.hub_capacity, "root": None}[tier]
        if store is None:
            store = MemoryStore(capacity)
        store.on_evict = self._evicted
        epoch = config.epoch_ms if tier == "site" else config.upstream_epoch_ms
        super().__init__(node_id, upstream, epoch, store, meter)
        self.cluster = cluster
        self.tier = tier
        self.index = int(node_id.rsplit("/r", 1)[1])
        self.peers = tuple(f"{cluster}/r{i}" for i in range(config.replicas))
        self._table = placement_table(config.replicas, config.n)
        self._rn = (config.replicas, config.n)
        self.join = VALUE_TYPES[config.value_type].join
        self.fresh: dict = {}  # hub: keys whose state came down from above since loaded (volatile)
        self.owed: dict = {}  # hub: key -> {child: came down since we told it "not here yet"}
        self.slow_ms = 0.0
        self.watched: dict = {}  # keys someone follows: ``seen(time, cluster, key, state)`` on change
        self.seen = None
        self._pins = self.interest.dirty if tier == "site" else _Pins(self.interest)

    def watch(self, watched: dict, seen) -> None:
        """Call ``seen(time, cluster, key, state)`` when the state of a key in ``watched`` changes."""
        self.watched, self.seen = watched, seen

    def _evicted(self, key) -> None:
        self.fresh.pop(key, None)

    def _store(self, ctx, key, cur, new) -> None:
        """Keep ``new`` (``cur`` joined with something) if it is news."""
        if new is cur or (cur is not None and new == cur):
            return
        self.store.put(key, new, self._pins)
        if key in self.watched:
            self.seen(ctx.now, self.cluster, key, new)

    # -- messages -----------------------------------------------------------------------------

    def on_message(self, ctx, src, msg) -> None:
        kind = type(msg)
        if kind is Get:
            key = msg.key
            v = self.store.get(key)
            if msg.touch:
                self.interest.touched[key] = None  # a read, misses included: that is how it gets here
            if self.slow_ms:
                self._answer(ctx, src, Got(msg.rid, key, v))
            else:
                ctx.send(src, Got(msg.rid, key, v))
        elif kind is Put:
            key = msg.key
            cur = self.store.peek(key)
            new = self.join(cur, msg.state)
            self.interest.wrote(key)  # dirty first, so that the put cannot evict it
            self._store(ctx, key, cur, new)
            self._answer(ctx, src, Stored(msg.rid, key, new))
        elif kind is Repair:
            cur = self.store.peek(msg.key)
            self._store(ctx, msg.key, cur, self.join(cur, msg.state))
        elif kind is Fill:
            self._join_all(ctx, msg.entries)
        elif kind is Merge:
            self._merge(ctx, src, msg)
        elif kind is SyncResponse:
            self.on_sync_response(ctx, msg)
        else:
            raise TypeError(f"msg={brief(msg)}: a replica takes Get, Put, Repair, Fill, Merge or SyncResponse")

    def _answer(self, ctx, dst, msg) -> None:
        if self.slow_ms:
            ctx.set_timer(self.slow_ms, (_LATE, dst, msg))
        else:
            ctx.send(dst, msg)

    def on_timer(self, ctx, tag) -> None:
        if type(tag) is tuple and tag[0] == _LATE:
            ctx.send(tag[1], tag[2])
        else:
            super().on_timer(ctx, tag)

    def where(self, key) -> tuple:
        """Indices of the replicas of this cluster that hold ``key``."""
        return self._table.get(key) or placement(key, *self._rn)

    def merge_entries(self, ctx, entries: dict) -> None:
        """Join states that came down from above in answer to this replica's sync.

        Only one of a key's replicas takes a read's interest (its lead, ``edgekit.edge.site`` and
        ``edgekit.edge.upstream``): what came down and changed its copy goes to the key's other
        replicas too (``Fill``), so that none of them keeps answering an older copy."""
        changed = self._join_all(ctx, entries)
        if changed and len(self.peers) > 1:
            news: dict = {}
            me, table, where = self.index, self._table, self.where
            for key, state in changed:
                for i in table.get(key) or where(key):
                    if i != me:
                        peer = news.get(i)
                        if peer is None:
                            peer = news[i] = {}
                        peer[key] = state
            for i, fill in news.items():
                ctx.send(self.peers[i], Fill(fill))

    def _join_all(self, ctx, entries: dict) -> list:
        """Join every state of ``entries`` into the store; ``(key, new state)`` of those that changed."""
        store, join, hub, fresh, owed = self.store, self.join, self.tier == "hub", self.fresh, self.owed
        peek, put, pins, watched = store.peek, store.put, self._pins, self.watched
        changed = []
        for key, value in entries.items():
            if value is None:
                continue  # "not here yet": the interest set asks again
            if hub:
                fresh[key] = None
                waiting = owed.get(key)
                if waiting:  # it came down for these children: if it is gone when they ask, fetch at once
                    for child in waiting:
                        waiting[child] = True
            cur = peek(key)
            if value is cur:
                continue  # the common case: it already holds this very state
            new = join(cur, value)
            if new is not cur and (cur is None or new != cur):
                put(key, new, pins)
                if key in watched:
                    self.seen(ctx.now, self.cluster, key, new)
                changed.append((key, new))
        return changed

    def _merge(self, ctx, src, msg: Merge) -> None:
        """A child's entries for our keys: join them, answer what we have from above."""
        store, join, interest = self.store, self.join, self.interest
        get, table, me, watched = store.get, self._table, self.index, self.watched
        answers: dict = {}
        urgent: list = []
        if self.tier != "hub":  # the root: join, and answer what it has (None: never seen here)
            for k, v in msg.entries.items():
                cur = get(k)
                if v is not None and v is not cur:
                    new = join(cur, v)
                    if new is not cur and (cur is None or new != cur):
                        store.put(k, new)
                        if k in watched:
                            self.seen(ctx.now, self.cluster, k, new)
                        cur = new
                answers[k] = cur
            return self._answer(ctx, src, Merged(msg.rid, answers, ()))
        touched, fresh, owed, child, pins = interest.touched, self.fresh, self.owed, msg.child, self._pins
        for k, v in msg.entries.items():
            cur = get(k)
            had = cur is not None and k in fresh
            if v is not None and v is not cur:  # the same state (the common case) is no news
                new = join(cur, v)
                if new is not cur and (cur is None or new != cur):
                    interest.wrote(k)  # news for our upstream: pinned until it is acknowledged
                    store.put(k, new, pins)
                    if k in watched:
                        self.seen(ctx.now, self.cluster, k, new)
                    cur = new
            if (table.get(k) or self.where(k))[0] == me:
                touched[k] = None  # a child asked: the key's lead replica refreshes it from above
            waiting = owed.get(k)
            if had:
                answers[k] = cur
                if waiting is not None and child in waiting:
                    del waiting[child]
                    if not waiting:
                        del owed[k]
                continue
            # "Not here yet": we hold nothing from above, only what children sent. We fetch the
            # key at our next epoch; the child asks again after that.
            answers[k] = None
            if waiting is None:
                owed[k] = {child: False}
            elif waiting.get(child):
                urgent.append(k)  # it came down for this child and we could not keep it
            elif child not in waiting:
                waiting[child] = False
        self._answer(ctx, src, Merged(msg.rid, answers, tuple(urgent)))

    # -- faults -------------------------------------------------------------------------------

    def on_crash(self) -> None:
        self.fresh.clear()
        self.owed.clear()

    def on_disk_loss(self) -> None:
        """The disk was replaced by an empty one: values and dirty marks are gone."""
        self.store.wipe()
        self.fresh.clear()
        self.owed.clear()
        self.interest.forget()

    def on_slow(self, extra_ms: float) -> None:
        self.slow_ms = extra_ms

    def held_keys(self) -> list:
        return list(self.store.keys())
