"""The grader's own record of a run: client operations, messages and their fates, the learner's steps.

The checks (``edgekit.grade.checks``) read only this record and the scenario, never the
learner's bookkeeping: what clients were told, what went on the wire, and what arrived.
Every record carries ``seq``, its place in the run's one order of events, so "before" and
"after" never depend on equal timestamps. ``Step`` records are the one white-box part:
the learner's ``store`` before and after each handler call, which the diagnosis uses to
name a misconception (never to decide pass or fail, except for stage 5's store limit).

>>> t = Trace()
>>> m = t.message(0.0, "LHR", "root:FRA", "request", 1, {"a": None}, 60)
>>> t.deliver(m, 11.0)
>>> m.fate, m.delivered
('delivered', [11.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["OpRec", "MsgRec", "Step", "FaultRec", "Trace"]


@dataclass
class OpRec:
    """A client operation and what the client was told (``ok`` False: the PoP was down)."""

    seq: int
    time: float
    site: str
    kind: str  # "read" or "write"
    key: str
    n: int
    ok: bool
    value: object = None  # the GCounter returned (None: a read miss)
    probe: int = 0  # 0: the scenario's; k > 0: the grader's k-th read of the key after quiet
    interested: bool | None = None  # was the key in the node's interest set right after?


@dataclass
class MsgRec:
    """One message sent, and what became of it and its copies."""

    id: int
    seq: int
    time: float
    src: str
    dst: str
    kind: str  # "request" or "response"
    sync_id: int
    entries: dict
    bytes: int
    reply_to: int | None = None  # for a response: the id of the request it answers
    fault: str | None = None  # what the scenario did to it: "lost", "doubled", "held", "partition"
    delivered: list = field(default_factory=list)  # arrival time of each copy that arrived
    delivered_seq: list = field(default_factory=list)
    dropped: str | None = None  # why a copy did not arrive: "lost", "partition", "crashed"

    @property
    def fate(self) -> str:
        return "delivered" if self.delivered else "dropped"


@dataclass
class Step:
    """One call of a learner handler: the store before and after, what it sent."""

    seq: int
    time: float
    handler: str
    msg: int | None  # the message delivered (on_sync_response)
    before: dict
    after: dict
    sent: list = field(default_factory=list)
    copy: int = 0  # which copy of the message this is (1: a duplicate)
    key: str | None = None  # the key a client read or wrote (on_read, on_write)
    interest: frozenset | None = None  # the scenario's keys in self.interest after the call


@dataclass
class FaultRec:
    seq: int
    time: float
    kind: str  # "crash", "restart", "cut", "heal"
    nodes: tuple


class Trace:
    """Everything that happened in one run, in order."""

    def __init__(self) -> None:
        self.seq = 0
        self.ops: list[OpRec] = []
        self.messages: list[MsgRec] = []
        self.steps: list[Step] = []
        self.faults: list[FaultRec] = []
        self.root_at_drain: dict = {}  # key -> the root's state once every fault is over and epochs went quiet
        self.drain_seq = 0
        self.root_at_end: dict = {}

    def next(self) -> int:
        self.seq += 1
        return self.seq

    def op(self, time, site, kind, key, n, ok, value=None, probe=0, interested=None) -> OpRec:
        rec = OpRec(self.next(), time, site, kind, key, n, ok, value, probe, interested)
        self.ops.append(rec)
        return rec

    def message(self, time, src, dst, kind, sync_id, entries, size, reply_to=None) -> MsgRec:
        rec = MsgRec(len(self.messages), self.next(), time, src, dst, kind, sync_id, entries, size, reply_to)
        self.messages.append(rec)
        return rec

    def deliver(self, m: MsgRec, time: float) -> None:
        m.delivered.append(time)
        m.delivered_seq.append(self.next())

    def fault(self, time, kind, nodes) -> None:
        self.faults.append(FaultRec(self.next(), time, kind, tuple(nodes)))

    def sent_by(self, node: str, kind: str = "request") -> list[MsgRec]:
        return [m for m in self.messages if m.src == node and m.kind == kind]

    def to(self, node: str) -> list[MsgRec]:
        return [m for m in self.messages if m.dst == node]
