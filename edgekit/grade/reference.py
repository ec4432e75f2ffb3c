"""Reference solutions, one per stage, each the previous one plus what its stage teaches.

Learners do not see these unless instructor mode is on (``edgekit.exercises.solution``
shows their source then, as for every other exercise). Each passes its own stage
(``tests/test_exercises.py``) and fails the next one for the reason that stage teaches;
``Bounded`` passes all five (``tests/test_grade.py``) and is also what the grader runs at
the other sites.

- ``Serve`` (stage 1): reads and writes on the node's own state; every key a client
  touches, a read miss included, joins the interest set.
- ``PullSync`` (2): the interest set remembers *when* each key was last touched, so an
  answer settles a key only if nothing touched it after the request left.
- ``MatchById`` (3): an answer is matched to its own request by ``sync_id``, so a
  duplicated or late answer cannot settle what a newer request carries.
- ``Durable`` (4): the store, the interest set and the counters live on ``ctx.disk``.
- ``Bounded`` (5): an LRU store that evicts only keys it owes nothing upstream, and
  remembers its own count per key so that a write to an evicted key does not restart at 0.
"""

from __future__ import annotations

from edgekit.crdt import GCounter
from edgekit.edge import SyncRequest

from .._checks import brief
from .node import EdgeNode

__all__ = ["Serve", "PullSync", "MatchById", "Durable", "Bounded", "REFERENCES", "reference"]


class Serve(EdgeNode):
    """Stage 1: serve reads and writes from the node's own state."""

    def on_start(self, ctx):
        self.store = {}  # key -> GCounter
        self.interest = set()

    def touch(self, key):
        self.interest.add(key)

    def on_read(self, ctx, key):
        self.touch(key)  # a miss too: the key comes down at the next sync
        return self.store.get(key)

    def on_write(self, ctx, key, n):
        self.store[key] = self.store.get(key, GCounter()).increment(ctx.node_id, n)
        self.touch(key)
        return self.store[key]


class PullSync(Serve):
    """Stage 2: once per epoch, send the interest set up; merge the answer; settle what it covers."""

    def on_start(self, ctx):
        self.store = {}
        self.interest = {}  # key -> number of its latest touch
        self.counters = {"touches": 0, "next_id": 1}
        self.sent = {}  # the request in flight: key -> touch number when it left

    def touch(self, key):
        self.counters["touches"] += 1
        self.interest[key] = self.counters["touches"]

    def request(self):
        """The next sync id, remembering which touches the request carries."""
        sid = self.counters["next_id"]
        self.counters["next_id"] += 1
        self.sent = dict(self.interest)
        return sid

    def on_epoch(self, ctx):
        if not self.interest:
            return  # quiet by default: no interest, no message
        sid = self.request()
        ctx.send(ctx.upstream, SyncRequest(sid, {k: self.store.get(k) for k in self.interest}))

    def carried(self, msg):
        """What the request this answers carried: key -> touch number."""
        return self.sent

    def on_sync_response(self, ctx, msg):
        sent = self.carried(msg)
        for k, v in msg.entries.items():
            if v is None:
                continue  # "not here yet": keep the key, ask again next epoch
            self.store[k] = self.store[k] | v if k in self.store else v
            if k in self.interest and self.interest[k] == sent.get(k):
                del self.interest[k]  # nothing touched it since the request left


class MatchById(PullSync):
    """Stage 3: remember every request in flight by its id; an answer settles only its own."""

    def on_start(self, ctx):
        super().on_start(ctx)
        self.inflight = {}  # sync id -> key -> touch number

    def request(self):
        sid = super().request()
        self.inflight[sid] = self.sent
        if len(self.inflight) > 32:  # answers that never came: forget the oldest
            del self.inflight[min(self.inflight)]
        return sid

    def carried(self, msg):
        return self.inflight.pop(msg.sync_id, {})  # a second copy settles nothing


class Durable(MatchById):
    """Stage 4: what a crash must not take lives on ctx.disk; requests in flight may go."""

    def on_start(self, ctx):
        self.store = ctx.disk.setdefault("store", {})
        self.interest = ctx.disk.setdefault("interest", {})
        self.counters = ctx.disk.setdefault("counters", {"touches": 0, "next_id": 1})
        self.sent, self.inflight = {}, {}


class Bounded(Durable):
    """Stage 5: at most ctx.capacity keys, least recently used out first, never one still owed.

    A G-Counter's entry for this node must only grow, or the merge (which keeps the larger
    entry) swallows new increments: so the node keeps its own count per key it ever wrote
    (one int, on disk), and a write to an evicted key builds on it, not on zero.
    """

    def on_start(self, ctx):
        super().on_start(ctx)
        self.own = ctx.disk.setdefault("own", {})  # key -> this node's entry in its counter

    def touch(self, key):
        super().touch(key)
        if key in self.store:
            self.store[key] = self.store.pop(key)  # most recently used last

    def evict(self, ctx):
        if ctx.capacity is None:
            return
        for k in list(self.store):
            if len(self.store) <= ctx.capacity:
                break
            if k not in self.interest:
                del self.store[k]

    def on_write(self, ctx, key, n):
        mine = GCounter.of({ctx.node_id: self.own.get(key, 0)})
        self.store[key] = self.store.get(key, mine).increment(ctx.node_id, n)
        self.own[key] = self.store[key].get(ctx.node_id)
        self.touch(key)
        self.evict(ctx)
        return self.store[key]

    def on_sync_response(self, ctx, msg):
        super().on_sync_response(ctx, msg)
        self.evict(ctx)


REFERENCES = {1: Serve, 2: PullSync, 3: MatchById, 4: Durable, 5: Bounded}


def reference(stage: int) -> type:
    """The reference node for ``stage`` (1 to 5)."""
    if isinstance(stage, bool) or not isinstance(stage, int) or stage not in REFERENCES:
        raise ValueError(f"stage={brief(stage)}: expected one of {sorted(REFERENCES)}")
    return REFERENCES[stage]
