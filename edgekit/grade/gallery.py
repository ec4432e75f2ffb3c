"""A gallery of wrong nodes: each is a reference node with one mistake learners really make.

Every entry names the stage that must catch it, the check that fails and the misconception
the grader must name (``tests/test_grade_gallery.py`` holds the grader to all three, to a
counterexample of a handful of operations and faults, and to passing the stage before).
Chapter 6 grades a few of them in front of the learner, and its widget lets one pick any.

>>> len(GALLERY) >= 10, sorted({m.stage for m in GALLERY.values()})
(True, [1, 2, 3, 4, 5])
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit.crdt import GCounter
from edgekit.edge import SyncRequest

from .reference import Bounded, Durable, MatchById, Serve

__all__ = ["Mistake", "GALLERY"]


@dataclass(frozen=True)
class Mistake:
    name: str
    stage: int  # the first stage that fails it
    check: str  # the check that fails
    misconception: str  # what the grader must name
    what: str  # the mistake, in the learner's words
    node: type


GALLERY: dict[str, Mistake] = {}


def _mistake(stage: int, check: str, misconception: str, what: str):
    def register(cls: type) -> type:
        GALLERY[cls.__name__] = Mistake(cls.__name__, stage, check, misconception, what, cls)
        return cls

    return register


# -- stage 1: serve locally ---------------------------------------------------------------------

@_mistake(1, "interest", "forgets-read-misses", "only keys I hold join the interest set")
class ForgetsReadMisses(Serve):
    def on_read(self, ctx, key):
        if key in self.store:
            self.touch(key)
        return self.store.get(key)


@_mistake(1, "read-your-writes", "write-from-scratch", "a write makes a new counter")
class WritesFromScratch(Serve):
    def on_write(self, ctx, key, n):
        self.store[key] = GCounter().increment(ctx.node_id, n)
        self.touch(key)
        return self.store[key]


@_mistake(1, "replica-id", "replica-per-write", "each write gets its own replica id, to keep writes apart")
class ReplicaPerWrite(Serve):
    def on_write(self, ctx, key, n):
        self.writes = getattr(self, "writes", 0) + 1
        self.store[key] = self.store.get(key, GCounter()).increment(f"{ctx.node_id}-{self.writes}", n)
        self.touch(key)
        return self.store[key]


# -- stage 2: pull sync ---------------------------------------------------------------------------

@_mistake(2, "lost-write", "answer-settles-later-touches", "an answer resets the whole interest set")
class ResetsInterestOnAnswer(Durable):
    def on_sync_response(self, ctx, msg):
        for k, v in msg.entries.items():
            if v is not None:
                self.store[k] = self.store[k] | v if k in self.store else v
        self.interest.clear()


@_mistake(2, "read-your-writes", "replaces-instead-of-merging", "the upstream is authoritative, so I take its value")
class ReplacesOnAnswer(Durable):
    def on_sync_response(self, ctx, msg):
        sent = self.carried(msg)
        for k, v in msg.entries.items():
            if v is not None:
                self.store[k] = v
                if self.interest.get(k) == sent.get(k):
                    self.interest.pop(k, None)


def _sum(a: GCounter, b: GCounter) -> GCounter:
    counts = dict(a.counts)
    for r, n in b.counts:
        counts[r] = counts.get(r, 0) + n
    return GCounter.of(counts)


@_mistake(2, "counted-twice", "adds-instead-of-merging", "merging counters means adding them up")
class AddsOnAnswer(Durable):
    def on_sync_response(self, ctx, msg):
        sent = self.carried(msg)
        for k, v in msg.entries.items():
            if v is not None:
                self.store[k] = _sum(self.store[k], v) if k in self.store else v
                if self.interest.get(k) == sent.get(k):
                    self.interest.pop(k, None)


@_mistake(2, "counted-twice", "wrong-key", "I walk the answer's keys in sorted order")
class MergesIntoWrongKey(Durable):
    def on_sync_response(self, ctx, msg):
        sent = self.carried(msg)
        for k, v in zip(sorted(msg.entries), msg.entries.values(), strict=True):
            if v is not None:
                self.store[k] = self.store[k] | v if k in self.store else v
                if self.interest.get(k) == sent.get(k):
                    self.interest.pop(k, None)


@_mistake(2, "quiet", "sends-every-key", "every epoch I send everything I hold, to be safe")
class SendsEveryKey(Durable):
    def on_epoch(self, ctx):
        keys = {**dict.fromkeys(self.store), **dict.fromkeys(self.interest)}
        if keys:
            sid = self.request()
            ctx.send(ctx.upstream, SyncRequest(sid, {k: self.store.get(k) for k in keys}))


@_mistake(2, "quiet", "empty-requests", "every epoch sends a request, even an empty one")
class SendsEmptyRequests(Durable):
    def on_epoch(self, ctx):
        sid = self.request()
        ctx.send(ctx.upstream, SyncRequest(sid, {k: self.store.get(k) for k in self.interest}))


@_mistake(2, "bandwidth", "sends-twice", "I send each request twice in case one is lost")
class SendsTwice(Durable):
    def on_epoch(self, ctx):
        if self.interest:
            sid = self.request()
            req = SyncRequest(sid, {k: self.store.get(k) for k in self.interest})
            ctx.send(ctx.upstream, req)
            ctx.send(ctx.upstream, req)


@_mistake(2, "not-converged", "ignores-answer", "an answer only updates keys I already hold")
class MergesOnlyHeldKeys(Durable):
    def on_sync_response(self, ctx, msg):
        sent = self.carried(msg)
        for k, v in msg.entries.items():
            if v is not None and k in self.store:
                self.store[k] = self.store[k] | v
            if v is not None and self.interest.get(k) == sent.get(k):
                self.interest.pop(k, None)


@_mistake(2, "read-your-writes", "bottom-as-delete", "an empty answer means the key was deleted")
class EmptyAnswerDeletes(Durable):
    def on_sync_response(self, ctx, msg):
        sent = self.carried(msg)
        for k, v in msg.entries.items():
            if v is None or v.value == 0:
                self.store.pop(k, None)
                self.interest.pop(k, None)
                continue
            self.store[k] = self.store[k] | v if k in self.store else v
            if self.interest.get(k) == sent.get(k):
                del self.interest[k]


# -- stage 3: loss and duplicates ---------------------------------------------------------------

@_mistake(3, "lost-write", "cleared-before-answer", "once a key is sent, it is synced")
class ClearsOnSend(Durable):
    def on_epoch(self, ctx):
        super().on_epoch(ctx)
        self.interest.clear()


@_mistake(3, "lost-write", "never-retries", "I wait for the answer before sending again")
class NeverRetries(Durable):
    def on_epoch(self, ctx):
        if not getattr(self, "waiting", False) and self.interest:
            self.waiting = True
            super().on_epoch(ctx)

    def on_sync_response(self, ctx, msg):
        super().on_sync_response(ctx, msg)
        self.waiting = False


@_mistake(3, "lost-write", "stale-answer", "an answer settles what my latest request carried")
class TrustsAnyAnswer(Durable):
    def carried(self, msg):
        return self.sent  # the latest request's keys, whichever request this answers


# -- stage 4: partitions and crashes ------------------------------------------------------------

@_mistake(4, "read-your-writes", "crash-lost-state", "my store is an attribute of the node")
class StoreInMemory(MatchById):
    pass


@_mistake(4, "lost-write", "crash-lost-interest", "the store is on disk; the interest set can be rebuilt")
class InterestInMemory(Durable):
    def on_start(self, ctx):
        super().on_start(ctx)
        self.interest = {}


@_mistake(4, "lost-write", "gave-up", "after ten unanswered tries, give up on a key")
class GivesUp(Durable):
    def on_epoch(self, ctx):
        self.tries = getattr(self, "tries", {})
        for k in list(self.interest):
            self.tries[k] = self.tries.get(k, 0) + 1
            if self.tries[k] > 10:
                del self.interest[k], self.tries[k]
        super().on_epoch(ctx)

    def on_sync_response(self, ctx, msg):
        super().on_sync_response(ctx, msg)
        for k in msg.entries:
            if k not in self.interest:
                getattr(self, "tries", {}).pop(k, None)


# -- stage 5: finite capacity -------------------------------------------------------------------

@_mistake(5, "evicted-unsynced", "evicts-unsynced", "least recently used goes first, whatever it holds")
class EvictsUnsynced(Bounded):
    def evict(self, ctx):
        while ctx.capacity is not None and len(self.store) > ctx.capacity:
            del self.store[next(iter(self.store))]


@_mistake(5, "capacity", "ignores-capacity", "memory is cheap: never evict")
class NeverEvicts(Bounded):
    def evict(self, ctx):
        pass


@_mistake(5, "read-your-writes", "restarts-own-count", "a write to a key I evicted starts a new counter")
class RecountsAfterEviction(Bounded):
    def on_write(self, ctx, key, n):
        self.store[key] = self.store.get(key, GCounter()).increment(ctx.node_id, n)
        self.touch(key)
        self.evict(ctx)
        return self.store[key]
