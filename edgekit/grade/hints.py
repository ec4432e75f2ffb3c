"""What the grader tells a learner: the misconceptions it can name, in plain words.

``MISCONCEPTIONS`` maps each misconception the diagnosis can name to its hint: what the
learner most likely believes, and what the protocol needs instead. ``CHECK_HINTS`` is what a
failed check suggests when no more specific misconception fits.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MISCONCEPTIONS", "CHECK_HINTS", "Diagnosis"]

MISCONCEPTIONS = {
    "forgets-read-misses": "A read miss must join the interest set too: the miss is how a PoP learns it "
        "needs a key. The next request carries it as None (\"I lack this\") and the answer brings it down.",
    "forgets-reads": "Every read joins the interest set, hit or miss: the next sync brings the key up to date.",
    "forgets-writes": "Every write joins the interest set: it is how the write gets upstream.",
    "write-from-scratch": "A write builds on the key's current state: "
        "self.store.get(key, GCounter()).increment(ctx.node_id, n). A fresh GCounter() forgets the "
        "increments already made.",
    "replica-per-write": "A G-Counter keeps one entry per replica, and each replica only raises its own: use "
        "ctx.node_id in every increment. A new replica id per write makes the state grow with every write.",
    "wrong-replica-id": "Increment under your own node id, ctx.node_id: a G-Counter entry belongs to one replica.",
    "answer-settles-later-touches": "An answer covers what its request carried, nothing newer. Clearing the "
        "whole interest set on an answer drops keys written while the request was in flight, or not in it "
        "at all. Remember when each key was last touched; an answer settles a key only if its request "
        "carried that touch.",
    "stale-answer": "An answer belongs to one request. A duplicated or late answer to an older request "
        "settled a key whose newer write rode in a later request, and that request was lost. Match answers "
        "to requests by sync_id and remember what each request in flight carried.",
    "replaces-instead-of-merging": "Merge the answer into your copy (mine | theirs); don't replace yours with "
        "it. The answer holds what the upstream knew when your request arrived: a write made here since is "
        "only in your copy.",
    "adds-instead-of-merging": "Adding is not merging: the answer already holds your own increments, so adding "
        "it to your copy counts them twice (and again at every duplicate). A G-Counter merge keeps each "
        "replica's larger entry: a | b.",
    "wrong-key": "An answer's value went into another key. Merge each entry into its own key: "
        "for k, v in msg.entries.items(): ... self.store[k] ...",
    "ignores-answer": "Merge every state an answer brings: that is how your copy catches up with other PoPs.",
    "bottom-as-delete": "An empty answer is not a delete. None means \"not here yet\" (a hub that has not "
        "fetched the key: ask again next epoch) and GCounter() means \"nobody upstream wrote it yet\". "
        "Neither says your own state is gone: keep it and merge.",
    "sends-every-key": "Quiet by default: a request carries only keys clients touched since they were last "
        "settled, not everything the store holds. Sending all keys every epoch costs bytes in proportion to "
        "the store, not to the work.",
    "sends-settled-keys": "A key leaves the interest set once an answer settles it; send it again only after "
        "a client touches it again.",
    "empty-requests": "With nothing in the interest set, send nothing: an empty request every epoch from "
        "every PoP is traffic for nothing (quiet by default).",
    "sends-twice": "Sending each request twice \"in case one is lost\" doubles the bytes for nothing: the "
        "protocol already retries, because a key stays in the interest set until an answer settles it.",
    "cleared-before-answer": "You clear a key when you send it. If that request or its answer is lost, nothing "
        "sends the key again and the write never reaches the upstream. Keep a key until an answer for it "
        "arrives.",
    "never-retries": "Your node waits for the answer to its last request before sending another. That answer "
        "was lost, so it waits forever. Send the interest set every epoch, answered or not: merges are "
        "idempotent, so resending is harmless.",
    "gave-up": "Your node stopped sending a key after a few unanswered tries. A missed sync hurts liveness, "
        "never correctness: keep trying every epoch for as long as a partition lasts.",
    "stopped-syncing": "Your node stopped sending requests while it still owed keys upstream.",
    "write-not-interested": "The write never joined the interest set, so no request carried it upstream.",
    "crash-lost-state": "A crash keeps only ctx.disk. Your store lived in memory, so acknowledged writes "
        "vanished with it. Keep it on disk: self.store = ctx.disk.setdefault(\"store\", {}).",
    "crash-lost-interest": "The store survived the crash, but the interest set did not, so keys whose writes "
        "had not been synced were never sent afterwards. What you owe the upstream must survive a crash too.",
    "evicts-unsynced": "Evict only what you can get back: a key with a write no answer has settled may be the "
        "only copy of an acknowledged write. Pin keys in the interest set; evict the least recently used key "
        "that owes nothing.",
    "ignores-capacity": "The store may hold at most ctx.capacity keys: evict the least recently used key that "
        "owes nothing upstream.",
    "restarts-own-count": "A write to an evicted key started your replica's count at 0 again. The merge keeps "
        "the larger entry per replica, so the upstream's older, larger entry swallows the new increments. "
        "Keep your own count per key (one int on ctx.disk) and build new writes on it.",
}


# When no more specific misconception fits: what the failed check itself suggests.
CHECK_HINTS = {
    "read-your-writes": "A PoP must answer its clients with a state that holds every write it acknowledged: "
        "look for a place where your node's copy of a key loses or replaces what it had.",
    "counted-twice": "Merging must be idempotent: merging the same state twice, or your own state back into "
        "itself, may not add anything. Use a | b.",
    "not-converged": "After quiet, a key read at your PoP must come to hold the root's state: every read "
        "joins the interest set, the next request asks, and the answer is merged.",
    "lost-write": "Every acknowledged write must reach the upstream: keep its key in the interest set until an "
        "answer for a request that carried it arrives.",
    "quiet": "Send only what clients touched since it was last settled.",
}


@dataclass(frozen=True)
class Diagnosis:
    code: str | None  # a key of MISCONCEPTIONS, or None: no more specific guess than the check
    hint: str
    msg: int | None = None  # the message to highlight
    key: str | None = None
