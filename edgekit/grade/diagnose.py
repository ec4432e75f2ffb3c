"""From a failed check to the likely misconception: what the learner probably believes, in words.

The checks say *what* went wrong; this module reads the same trace (and the white-box
``Step`` snapshots of ``self.store`` and ``self.interest``) to guess *why*, and picks the
message to highlight in the space-time diagram. Two families of evidence, in this order:

1. A handler broke a law of the protocol before the failure: an answer's merge left a key
   bigger than ``mine | theirs`` (added, or merged into the wrong key), smaller than it
   (replaced), or deleted a key on an empty answer; a write lost the state it built on.
2. Otherwise, the failed check's own story. For a lost write: when did the node stop
   owing the key? At a send (cleared before the answer), at an answer to an older request
   (a stale or too-trusting answer), at a restart (the interest set was not on disk),
   never (it stopped sending: waiting for an answer that was lost).

The result is a guess, worded as one ("likely"): a design the grader has not seen may
fail for another reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from .trace import MsgRec, Step

__all__ = ["Diagnosis", "diagnose", "MISCONCEPTIONS"]

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


def _law(step: Step, m: MsgRec) -> str | None:
    """The merge law an answer's handling broke, if any (per key: after = mine | theirs)."""
    ans, before, after = m.entries, step.before, step.after

    def own(k2):  # what key k2 should hold after the merge
        a, b = before.get(k2), ans.get(k2)
        return a if b is None else (b if a is None else a | b)

    def elsewhere(k, v) -> bool:  # v's news went into another key, beyond that key's own merge
        return v is not None and bool(v.counts) and any(
            k2 != k and v <= w and (own(k2) is None or not w <= own(k2)) for k2, w in after.items())

    for k, v in after.items():
        if k not in ans and before.get(k) != v:
            return "wrong-key"
    for k, v in ans.items():
        had, got = before.get(k), after.get(k)
        if got is None:
            if had is not None and (v is None or v.value == 0):
                return "bottom-as-delete"
            if elsewhere(k, v):
                return "wrong-key"
            if had is None and v is not None and v.counts:
                return "ignores-answer"  # (with a capacity this may be an eviction: see _merges)
            continue
        if v is None:
            if got != had:
                return "replaces-instead-of-merging" if had is not None and not had <= got else "wrong-key"
            continue
        join = v if had is None else had | v
        if got == join:
            continue
        if not got <= join:
            base = had if had is not None else type(v)()
            if got == type(v).of({r: base.get(r) + v.get(r) for r in {*dict(base.counts), *dict(v.counts)}}):
                return "adds-instead-of-merging"
            others = [w for k2, w in ans.items() if k2 != k and w is not None]
            return "wrong-key" if any(got <= base | w for w in others) else "adds-instead-of-merging"
        if not v <= got:
            return "wrong-key" if elsewhere(k, v) else "ignores-answer"
        if had is not None and not had <= got:
            return "replaces-instead-of-merging"
    return None


def _settles(step: Step, trace, interest_before) -> str | None:
    """The settling law an answer's handling broke, if any: it may settle only the keys its own
    request carried at their latest touch, and only with a state (None: "not here yet")."""
    if interest_before is None or step.interest is None:
        return None
    m = trace.messages[step.msg]
    asked = trace.messages[m.reply_to] if m.reply_to is not None else None
    me = trace.messages[step.msg].dst
    found = None
    for k in sorted(interest_before - step.interest):
        if k in m.entries and m.entries[k] is None:
            found = "bottom-as-delete"  # "not here yet" taken as final
            continue
        if asked is None:
            continue
        touched = any(o.site == me and o.key == k and asked.seq < o.seq < step.seq for o in trace.ops)
        if k in m.entries and not touched:
            continue
        newer = any(r.src == me and r.kind == "request" and asked.seq < r.seq < step.seq and k in r.entries
                    for r in trace.messages)
        return "stale-answer" if newer else "answer-settles-later-touches"
    return found


def _merges(scenario, trace, upto: int) -> Diagnosis | None:
    """The first merge law a handler broke before ``upto``: an answer or a write that did not
    leave the key at exactly ``mine | theirs`` (or ``mine`` plus the increment)."""
    me = scenario.learner
    ops = {o.seq: o for o in trace.ops}
    steps = [st for st in trace.steps if st.seq <= upto]
    for st in steps:
        if st.handler == "on_sync_response":
            code = _law(st, trace.messages[st.msg])
            if code in ("bottom-as-delete", "ignores-answer") and scenario.capacity is not None:
                code = None  # with a capacity, not keeping a key may be an eviction
            if code:
                return Diagnosis(code, MISCONCEPTIONS[code], st.msg)
        elif st.handler == "on_write" and st.key in st.before and st.seq + 1 in ops:
            old, new = st.before[st.key], st.after.get(st.key)
            if new is not None and new.get(me) < old.get(me) + ops[st.seq + 1].n:  # did not build on old
                return Diagnosis("write-from-scratch", MISCONCEPTIONS["write-from-scratch"], key=st.key)
    return None


def _settling(trace, upto: int) -> Diagnosis | None:
    """The first settling law an answer's handling broke before ``upto`` (see ``_settles``)."""
    interest = None
    for st in (st for st in trace.steps if st.seq <= upto):
        before, interest = interest, st.interest
        if st.handler == "on_sync_response":
            code = _settles(st, trace, before)
            if code:
                return Diagnosis(code, MISCONCEPTIONS[code], st.msg)
    return None


def _learner_writes(scenario, trace, key):
    return [o for o in trace.ops if o.site == scenario.learner and o.key == key and o.kind == "write" and o.ok]


def _crash_between(trace, me, a: int, b: int):
    return next((f for f in trace.faults if f.kind == "crash" and f.nodes == (me,) and a < f.seq < b), None)


def _lost_write(scenario, trace, key) -> Diagnosis:
    me = scenario.learner
    held = trace.root_at_drain[key].get(me) if trace.root_at_drain.get(key) is not None else 0
    count, w = 0, None
    for o in _learner_writes(scenario, trace, key):
        count += o.n
        if count > held:
            w = o
            break
    need = count
    reqs = [m for m in trace.sent_by(me) if m.seq > w.seq]
    carrying = [m for m in reqs if m.seq < trace.drain_seq and m.entries.get(key) is not None
                and m.entries[key].get(me) >= need]
    crash = _crash_between(trace, me, w.seq, carrying[0].seq if carrying else trace.drain_seq)
    if crash is not None:
        restart = next((s for s in trace.steps if s.handler == "on_start" and s.seq > crash.seq), None)
        kept = restart is not None and restart.after.get(key) is not None and restart.after[key].get(me) >= need
        if not kept:
            return Diagnosis("crash-lost-state", MISCONCEPTIONS["crash-lost-state"], key=key)
        if restart.interest is not None and key not in restart.interest:
            return Diagnosis("crash-lost-interest", MISCONCEPTIONS["crash-lost-interest"], key=key)
    steps = [s for s in trace.steps if s.seq >= w.seq - 1 and s.interest is not None]  # from w's own step
    if steps and steps[0].key == key and key not in steps[0].interest:
        return Diagnosis("write-not-interested", MISCONCEPTIONS["write-not-interested"], key=key)
    forgot = next((s for s in steps if key not in s.interest), None)
    if forgot is None:  # still owed, never sent: the node stopped syncing
        return _stall(trace, me, trace.drain_seq, key)
    if forgot.handler == "on_epoch":
        tries = [m for m in carrying if m.seq <= forgot.seq]
        code = "gave-up" if len(tries) > 1 else "cleared-before-answer"
        return Diagnosis(code, MISCONCEPTIONS[code], tries[-1].id if tries else None, key)
    if forgot.handler == "on_sync_response":
        ans = trace.messages[forgot.msg]
        if key in ans.entries and ans.entries[key] is None:
            return Diagnosis("bottom-as-delete", MISCONCEPTIONS["bottom-as-delete"], forgot.msg, key)
        asked = trace.messages[ans.reply_to] if ans.reply_to is not None else None
        newer = asked is not None and any(asked.seq < m.seq < forgot.seq for m in carrying)
        code = "stale-answer" if newer or forgot.copy else "answer-settles-later-touches"
        return Diagnosis(code, MISCONCEPTIONS[code], forgot.msg, key)
    if forgot.handler == "on_start":
        return Diagnosis("crash-lost-interest", MISCONCEPTIONS["crash-lost-interest"], key=key)
    return Diagnosis(None, "", key=key)


def _stall(trace, me, upto: int, key) -> Diagnosis:
    """The node stopped sending: waiting, most likely, for an answer that was lost."""
    last = [m for m in trace.sent_by(me) if m.seq < upto]
    answered = last and any(r.reply_to == last[-1].id and r.delivered for r in trace.to(me))
    code = "stopped-syncing" if answered or not last else "never-retries"
    return Diagnosis(code, MISCONCEPTIONS[code], last[-1].id if last else None, key)


def _silent(scenario, trace, failure) -> bool:
    """Whether the learner sent nothing for the last two epochs before ``failure`` though a client
    touched a key since its last request."""
    me = scenario.learner
    sent = [m for m in trace.sent_by(me) if m.seq < failure.seq]
    touched = [o for o in trace.ops if o.site == me and o.ok and o.seq < failure.seq
               and (not sent or o.seq > sent[-1].seq)]
    return bool(sent and touched and failure.time is not None
                and failure.time - touched[0].time > 2 * scenario.epoch_ms)


def _read_your_writes(scenario, trace, failure) -> Diagnosis | None:
    me, key = scenario.learner, failure.key
    writes = [o for o in _learner_writes(scenario, trace, key) if o.seq < failure.seq]
    if writes and _crash_between(trace, me, writes[0].seq, failure.seq):
        return Diagnosis("crash-lost-state", MISCONCEPTIONS["crash-lost-state"], key=key)
    op = next(o for o in trace.ops if o.seq == failure.seq)
    if op.kind == "write" and scenario.capacity is not None:
        left = any(s.seq < failure.seq and key in s.before and key not in s.after for s in trace.steps)
        if left:
            return Diagnosis("restarts-own-count", MISCONCEPTIONS["restarts-own-count"], key=key)
    return None


def diagnose(scenario, trace, failure) -> Diagnosis:
    """The likely misconception behind ``failure``, and the message to highlight."""
    check = failure.check
    if check in ("exception", "bad-message", "bad-return", "bad-state", "budget", "unanswered"):
        return Diagnosis(None, "")
    if check == "interest":
        op = next(o for o in trace.ops if o.seq == failure.seq)
        code = "forgets-writes" if op.kind == "write" else ("forgets-read-misses" if op.value is None
                                                            else "forgets-reads")
        return Diagnosis(code, MISCONCEPTIONS[code], key=failure.key)
    law = _merges(scenario, trace, failure.seq)
    if law is not None:
        return law
    if check == "replica-id":
        code = "replica-per-write" if f"replica '{scenario.learner}" in failure.message else "wrong-replica-id"
        return Diagnosis(code, MISCONCEPTIONS[code], failure.msg, failure.key)
    if check == "quiet":
        m = trace.messages[failure.msg]
        if not m.entries:
            code = "empty-requests"
        else:
            held = next((s.before for s in trace.steps if m.id in s.sent), {})
            code = "sends-every-key" if set(held) <= set(m.entries) else "sends-settled-keys"
        return Diagnosis(code, MISCONCEPTIONS[code], failure.msg, failure.key)
    if check == "capacity":
        return Diagnosis("ignores-capacity", MISCONCEPTIONS["ignores-capacity"], key=failure.key)
    if check == "evicted-unsynced":
        return Diagnosis("evicts-unsynced", MISCONCEPTIONS["evicts-unsynced"], key=failure.key)
    if check == "bandwidth":
        twice = any(len(s.sent) > 1 for s in trace.steps if s.handler == "on_epoch")
        first = next((s.sent[1] for s in trace.steps if len(s.sent) > 1), None)
        return Diagnosis("sends-twice" if twice else None, MISCONCEPTIONS["sends-twice"] if twice else "",
                         first)
    if check == "lost-write":
        d = _lost_write(scenario, trace, failure.key)
        if d.code is not None:
            return d
    if check == "read-your-writes":
        d = _read_your_writes(scenario, trace, failure)
        if d is not None:
            return d
    if check == "not-converged" and _silent(scenario, trace, failure):
        return _stall(trace, scenario.learner, failure.seq, failure.key)
    law = _settling(trace, failure.seq)
    if law is not None:
        return law
    return Diagnosis(None, CHECK_HINTS.get(check, ""), failure.msg, failure.key)
