"""The laws of the protocol a learner's handler can break, read off the grader's ``Step`` records.

Merge laws: after an answer, every key holds exactly ``mine | theirs`` (more is an addition
or another key's news, less is a replacement or an ignored answer, gone is a delete), and a
write builds on the state it had. Settling laws: an answer takes out of the interest set
only keys its own request carried at their latest touch, and only with a state (``None``
is "not here yet"). The first law broken before a failure is the best guess at its cause.
"""

from __future__ import annotations

from .hints import MISCONCEPTIONS, Diagnosis
from .trace import MsgRec, Step

__all__ = ["merge_law", "settling_law"]


def _diagnosis(code, msg=None, key=None) -> Diagnosis:
    return Diagnosis(code, MISCONCEPTIONS[code], msg, key)


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


def merge_law(scenario, trace, upto: int):
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
                return _diagnosis(code, st.msg)
        elif st.handler == "on_write" and st.key in st.before and st.seq + 1 in ops:
            old, new = st.before[st.key], st.after.get(st.key)
            if new is not None and new.get(me) < old.get(me) + ops[st.seq + 1].n:  # did not build on old
                return _diagnosis("write-from-scratch", key=st.key)
    return None


def settling_law(trace, upto: int):
    """The first settling law an answer's handling broke before ``upto`` (see ``_settles``)."""
    interest = None
    for st in (st for st in trace.steps if st.seq <= upto):
        before, interest = interest, st.interest
        if st.handler == "on_sync_response":
            code = _settles(st, trace, before)
            if code:
                return _diagnosis(code, st.msg)
    return None
