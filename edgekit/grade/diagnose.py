"""From a failed check to the likely misconception: what the learner probably believes, in words.

The checks say *what* went wrong; this module reads the same trace (and the white-box
``Step`` snapshots of ``self.store`` and ``self.interest``) to guess *why*, and picks the
message to highlight in the space-time diagram. Evidence, in this order:

1. A merge law broken before the failure (``edgekit.grade.laws``): an answer left a key
   bigger than ``mine | theirs`` (added, or merged into the wrong key), smaller than it
   (replaced), or deleted it on an empty answer; a write lost the state it built on.
2. The failed check's own story. For a lost write: when did the node stop owing the key?
   At a send (cleared before the answer), at an answer to an older request (a stale or
   too-trusting answer), at a restart (the interest set was not on disk), never (it
   stopped sending: waiting for an answer that was lost).
3. A settling law broken before the failure: an answer took out of the interest set a key
   it did not cover.

The result is a guess, worded as one ("likely"): a design the grader has not seen may
fail for another reason.
"""

from __future__ import annotations

from .hints import CHECK_HINTS, MISCONCEPTIONS, Diagnosis
from .laws import merge_law, settling_law

__all__ = ["Diagnosis", "diagnose", "MISCONCEPTIONS"]


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
    law = merge_law(scenario, trace, failure.seq)
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
    law = settling_law(trace, failure.seq)
    if law is not None:
        return law
    return Diagnosis(None, CHECK_HINTS.get(check, ""), failure.msg, failure.key)
