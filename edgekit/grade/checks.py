"""The checks: what must hold of a run, judged from the grader's own record of it.

The ground truth is what clients were told: every acknowledged ``write k +n`` at site s
adds n to ``true[s, k]``. A G-Counter's entry for replica s on key k may then never be
above ``true[s, k]`` (a write counted twice), a state the learner's PoP hands out must
not be below its own ``true`` (read your writes), and after every fault has ended and the
protocol's epochs went quiet the root must hold every acknowledged increment (no lost
write). The root is judged twice: by the per-replica counts here and by the edge package's
own ``check_writes`` (``edgekit.grade.adapter.edge_verdict``), written independently of both
the grader and the learner. The learner's bookkeeping is never consulted: not its interest
set (except in stage 1, which asks for one), not its sync ids.

Checks in the order a run is read, the first failure wins:

================  ==========================================================================
check             fails when
================  ==========================================================================
interest          (stage 1) a key a client just touched is not in ``self.interest``
replica-id        a state has an entry for a replica that is no site
counted-twice     a state counts more increments of a replica than its clients made
read-your-writes  the learner's PoP answers a state without its own acknowledged writes
quiet             a request is empty, or carries a key settled before the previous request and not touched since
capacity          (stage 5) the store holds more than ``capacity`` keys, one of them owing nothing
evicted-unsynced  (stage 5) a key with a write not yet synced leaves the store
lost-write        after quiet, the root lacks an acknowledged increment
not-converged     the grader reads a key three times, epochs apart, and the last read is not the root's
================  ==========================================================================

A read that misses where the root holds the bottom value (nobody wrote the key) has
converged too: both say "nothing here". A key is *settled* by the first answer to a request sent after the key's last touch, if
that answer holds a state (not the missing marker). "Quiet" is lenient where a careful design
resends (the kit's own ``edgekit.edge.Interest`` among them): a key owed at any time since the
previous request may ride along once more, so may a key some answer since called "not here
yet" (even a late or doubled answer), a key of the previous request may ride again while
that request has no answer, and the first request after a restart may carry anything. A write has *reached the upstream* once a request carrying it
arrived there. Why three reads: a hub answers from its own copy and refreshes it from the
root when a child asks, so with one level of hubs the third read is the first that must be
up to date (a client that keeps reading its PoP sees every write within three of its reads).
With a store of limited capacity a read may miss (None) after an eviction: only a state
returned must hold the PoP's own writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .adapter import edge_verdict
from .trace import MsgRec, OpRec, Step
from .world import DRAIN_EPOCHS, PROBE_EPOCHS, PROBE_ROUNDS

__all__ = ["Failure", "first_failure", "fmt", "CHECK_TITLES"]

CHECK_TITLES = {
    "unanswered": "not answered yet",
    "exception": "your code raised an exception",
    "bad-message": "your node sent something that is not a valid SyncRequest",
    "bad-return": "a handler returned the wrong kind of value",
    "bad-state": "self.store or self.interest is not what the grader can read",
    "budget": "your node ran over a limit",
    "interest": "a touched key is missing from the interest set",
    "replica-id": "a state has an entry for an unknown replica",
    "counted-twice": "a write was counted twice",
    "read-your-writes": "a client did not see its own write",
    "quiet": "your node sent what no client asked for",
    "capacity": "the store holds more keys than it may",
    "evicted-unsynced": "a key was evicted before its write was synced",
    "lost-write": "an acknowledged write was lost",
    "not-converged": "a copy did not converge after quiet",
    "bandwidth": "your node sends more bytes than the reference design",
}


@dataclass(frozen=True)
class Failure:
    """One check that failed, where, and in plain words."""

    check: str
    message: str
    seq: int = 0  # where in the run it was seen
    key: str | None = None
    time: float | None = None
    msg: int | None = None  # a message it is about (the diagnosis may pick another to highlight)

    @property
    def title(self) -> str:
        return CHECK_TITLES.get(self.check, self.check)


def fmt(v) -> str:
    """A G-Counter in a few characters: ``3 (LHR 2, SYD 1)``; None is a miss.

    >>> from edgekit.crdt import GCounter
    >>> fmt(GCounter.of({"LHR": 2, "SYD": 1})), fmt(None), fmt(GCounter())
    ('3 (LHR 2, SYD 1)', 'None (a miss)', '0')
    """
    if v is None:
        return "None (a miss)"
    parts = ", ".join(f"{r} {n}" for r, n in v.counts)
    return f"{v.value} ({parts})" if parts else "0"


def _events(trace) -> list:
    ev: list = [(o.seq, o) for o in trace.ops] + [(s.seq, s) for s in trace.steps]
    for m in trace.messages:
        ev.append((m.seq, m))
        ev += [(q, ("deliver", m, i)) for i, q in enumerate(m.delivered_seq)]
    ev += [(f.seq, f) for f in trace.faults]
    ev.sort(key=lambda e: e[0])
    return ev


class _Reader:
    """Walks a trace in order, keeping the ground truth and what the learner owes."""

    def __init__(self, scenario, trace) -> None:
        self.s, self.trace, self.me = scenario, trace, scenario.learner
        self.sites = {scenario.learner, *(site for site, _ in scenario.sites)}
        self.true: dict = {}  # (site, key) -> increments acknowledged so far
        self.owed: dict = {}  # key -> seq of its latest touch, until settled
        self.lately: set = set()  # keys owed at some time since the learner's previous request
        self.previous: MsgRec | None = None  # the learner's previous request
        self.synced: dict = {}  # key -> the learner's own count the upstream has received for it
        self.answered: set = set()  # requests that got an answer (later answers settle nothing)
        self.fresh_start = False  # the first request after a restart may carry anything

    def state_fault(self, v, key, what, seq, time, msg=None) -> Failure | None:
        """``what`` ends where the state goes: "the read of 'a' at t=12 ms returned"."""
        if v is None:
            return None
        for r, n in v.counts:
            if r not in self.sites:
                return Failure("replica-id", f"{what} {fmt(v)}, which has an entry for replica {r!r}, no "
                                             f"site: increment under your node id, ctx.node_id = {self.me!r}",
                               seq, key, time, msg)
            true = self.true.get((r, key), 0)
            if n > true:
                return Failure("counted-twice", f"{what} {fmt(v)}, which counts {n} increments from {r}, "
                                                f"but clients at {r} made only {true} on {key!r} so far",
                               seq, key, time, msg)
        return None

    def op(self, o: OpRec) -> Failure | None:
        if not o.ok:
            return None
        if o.kind == "write":
            self.true[(o.site, o.key)] = self.true.get((o.site, o.key), 0) + o.n
        if o.site != self.me:
            return None
        verb = "wrote" if o.kind == "write" else "read"
        if self.s.stage == 1 and not o.interested:
            return Failure("interest", f"right after a client {verb} {o.key!r} at t={o.time:g} ms, "
                                       f"{o.key!r} was not in self.interest", o.seq, o.key, o.time)
        what = f"the {o.kind} of {o.key!r} at {self.me} at t={o.time:g} ms returned"
        f = self.state_fault(o.value, o.key, what, o.seq, o.time)
        if f:
            return f
        own = self.true.get((self.me, o.key), 0)
        got = 0 if o.value is None else o.value.get(self.me)
        if got < own and not (o.value is None and self.s.capacity is not None):  # evicted: a miss is fine
            return Failure("read-your-writes", f"{what} {fmt(o.value)}: {got} of the {own} increments "
                                               f"{self.me} had acknowledged for {o.key!r}", o.seq, o.key, o.time)
        return None

    def step(self, st: Step) -> Failure | None:
        if st.key is not None:
            self.owed[st.key] = st.seq
            self.lately.add(st.key)
        cap = self.s.capacity
        if cap is None:
            return None
        for k in st.before:
            if k not in st.after and self.true.get((self.me, k), 0) > self.synced.get(k, 0):
                return Failure("evicted-unsynced", f"{st.handler} at t={st.time:g} ms dropped {k!r} from "
                                                   "self.store, but it held a write that had not reached the "
                                                   "upstream yet",
                               st.seq, k, st.time)
        if len(st.after) > cap:
            spare = [k for k in st.after if k not in self.owed]
            if spare:
                return Failure("capacity", f"after {st.handler} at t={st.time:g} ms self.store holds "
                                           f"{len(st.after)} keys (capacity {cap}), and {spare[0]!r} owed "
                                           "nothing upstream: it could have gone", st.seq, spare[0], st.time)
        return None

    def sent(self, m: MsgRec) -> Failure | None:
        if m.src != self.me or m.kind != "request":
            return None
        if not m.entries:
            return Failure("quiet", f"{self.me} sent an empty SyncRequest at t={m.time:g} ms: with nothing "
                                    "to ask, a site sends nothing", m.seq, None, m.time, m.id)
        for k, v in m.entries.items():
            f = self.state_fault(v, k, f"{self.me}'s SyncRequest at t={m.time:g} ms carries {k!r} =", m.seq,
                                 m.time, m.id)
            if f:
                return f
            retry = self.previous is not None and k in self.previous.entries and \
                self.previous.id not in self.answered
            if k not in self.lately and not retry and not self.fresh_start:
                return Failure("quiet", f"{self.me}'s SyncRequest at t={m.time:g} ms carries {k!r}, but no "
                                        f"client touched {k!r} since its answer came, before {self.me}'s "
                                        "previous request", m.seq, k, m.time, m.id)
        self.fresh_start = False
        self.lately, self.previous = set(self.owed), m
        return None

    def delivered(self, m: MsgRec) -> None:
        if m.src == self.me:  # the upstream has it now
            for k, v in m.entries.items():
                if v is not None and v.get(self.me) > self.synced.get(k, 0):
                    self.synced[k] = v.get(self.me)
            return
        if m.dst != self.me:
            return
        self.lately.update(k for k, v in m.entries.items() if v is None)  # "ask again", even if late
        if m.reply_to is None or m.reply_to in self.answered:
            return
        self.answered.add(m.reply_to)
        asked = self.trace.messages[m.reply_to].seq
        for k, v in m.entries.items():
            if v is not None and self.owed.get(k, math.inf) < asked:
                del self.owed[k]

    def end(self) -> Failure | None:
        s, trace, me = self.s, self.trace, self.me
        if s.upstream is None:
            return None
        writes = [(o.site, o.key, o.n, o.time) for o in trace.ops if o.kind == "write" and o.ok]
        verdict = edge_verdict(writes, trace.root_at_drain)
        for k in s.keys:
            root = trace.root_at_drain.get(k)
            own = self.true.get((me, k), 0)
            held = 0 if root is None else root.get(me)
            if held < own:
                return Failure("lost-write", f"after every fault was over and {DRAIN_EPOCHS} quiet epochs, the "
                                             f"root holds {held} of the {own} increments {me} acknowledged "
                                             f"for {k!r}: {own - held} acknowledged increment(s) lost",
                               trace.drain_seq, k)
        if not verdict.ok:  # the edge package's own check sees what the per-replica counts did not
            check = "lost-write" if verdict.lost else "counted-twice"
            return Failure(check, f"after every fault was over and {DRAIN_EPOCHS} quiet epochs, the edge "
                                  f"package's own check of the root says: {verdict.problems[0]}",
                           trace.drain_seq)
        for o in trace.ops:
            if o.probe == PROBE_ROUNDS and o.site == me and o.ok:
                want = trace.root_at_end.get(o.key)
                if o.value != want and not (o.value is None and want is not None and not want.counts):
                    return Failure("not-converged", f"the grader read {o.key!r} at {me} {PROBE_ROUNDS} times, "
                                                    f"{PROBE_EPOCHS} epochs apart, after everything went "
                                                    f"quiet: the last read returned {fmt(o.value)}, the root "
                                                    f"holds {fmt(want)}",
                                   o.seq, o.key, o.time)
        return None


def first_failure(scenario, trace) -> Failure | None:
    """The first check the run fails, reading it in order; None when it passes them all."""
    r = _Reader(scenario, trace)
    for _, ev in _events(trace):
        f = None
        if isinstance(ev, OpRec):
            f = r.op(ev)
        elif isinstance(ev, Step):
            f = r.step(ev)
        elif isinstance(ev, MsgRec):
            f = r.sent(ev)
        elif isinstance(ev, tuple):
            r.delivered(ev[1])
        elif ev.kind == "restart" and ev.nodes == (r.me,):
            r.fresh_start = True
        if f is not None:
            return f
    return r.end()


def learner_bytes(scenario, trace) -> int:
    """Bytes of every message the learner's PoP sent or was sent."""
    me = scenario.learner
    return sum(m.bytes for m in trace.messages if me in (m.src, m.dst))
