"""The first design the talk rejects: an asynchronous primary, a read replica in every PoP.

In the kit's vocabulary (``edgekit.coordination.DESIGNS``) this is the
**asynchronous primary**: one place orders and accepts every write and answers
*before* any replica has it. It is the shape of classic primary-backup database
replication (a binlog shipped to read replicas). It is not Raft: a Raft leader
commits an entry only once a majority holds it (a *majority quorum led by the
primary*, ``edgekit.consistency.Primary(acks="majority")``), and that costs the
backups' round trip this design skips.

- **Writes** go to the primary. A PoP forwards its client's write
  (``Forward``), the primary applies it with the value type's mutator, appends
  the new state to its log and answers (``Applied``); only then is the client
  acknowledged. For an LWW register the timestamp is the primary's log index:
  one place orders every write, so there are no clock questions. A PoP that
  hears nothing within ``timeout_ms`` (retrying every ``retry_ms``) fails the
  write: no answer, no acknowledgement. The primary deduplicates retries.
- **Reads** are served by the PoP's own replica (``reads="local"``): fast,
  and stale by however far replication lags, so this design is *not*
  consistent. ``reads="primary"`` sends every read to the primary instead:
  never stale while the primary keeps its disk, as slow as a write.
- **Replication** is asynchronous: each new log entry is pushed at once
  (``Append``); every ``heartbeat_ms`` the primary sends an empty ``Append`` and
  each replica answers how far it has applied (``Progress``); the primary
  resends what is missing, ``batch`` entries at a time (as Raft's
  ``nextIndex`` does). A replica applies entries strictly in log order and
  ignores one that leaves a gap; the next heartbeat fills it.
- **A lost disk** (``edgekit.sim.DiskLoss``). A replica's is refilled from the
  primary's log. The primary's is restored from its replicas, as a failover to
  the most up-to-date backup would: it asks every replica for its state
  (``Recover`` / ``Snapshot``), takes their join, starts a compacted log in a
  new *term*, and serves again. What it had acknowledged but no replica had
  yet received is gone: the window an asynchronous primary leaves open, and
  a cut stretches it (``edgekit.exercises.ch5`` asks for such a schedule).

There is no election: while the primary is down or cut off, writes fail
everywhere it cannot be reached (slow, unavailable in a partition, and stale
on local reads: the talk's verdict). A crash keeps the primary's store and
log (its disk).

Where it departs from a real system: the restore waits for *every* replica
(a real failover promotes the best one it can reach, and may lose more); the
term rides on the wire only once a restore has happened (term 0 is left off,
so runs without one send exactly what they did before).

>>> from edgekit.edge.lab.workload import Workload
>>> run = PrimarySystem(["LHR", "SYD", "IAD"], primary="LHR", seed=1)
>>> run.drive(Workload(("LHR", "SYD", "IAD"), keys=5, ops=300, rates=100.0, write_fraction=0.5))
>>> run.settle(), run.lost_writes().lost
(True, 0)
>>> w = run.observer.write_ms
>>> max(w["LHR"]) < 1 < 200 < min(w["SYD"])     # local at the primary, a planet away in Sydney
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..._checks import brief, check_items, check_number
from ..messages import Outcome
from ..topology import choose_center, site_place
from .harness import FAILED, Bench, BenchNode, check_positive

__all__ = ["PrimaryConfig", "PrimaryPoP", "PrimarySystem", "Forward", "Applied", "Append", "Progress",
           "Recover", "Snapshot", "READS", "DESIGN", "central_site"]

READS = ("local", "primary")
DESIGN = "asynchronous primary"  # its name in edgekit.coordination.DESIGNS


@dataclass(frozen=True)
class PrimaryConfig:
    """Knobs of the single-primary design (times in ms)."""

    reads: str = "local"  # "local": the PoP's replica answers; "primary": every read goes to the primary
    heartbeat_ms: float = 1_000.0  # how often the primary checks on its replicas
    timeout_ms: float = 1_000.0  # how long a PoP waits for the primary before failing the client
    retry_ms: float = 250.0  # how often a PoP resends an unanswered request
    batch: int = 256  # log entries per catch-up message
    local_ms: float = 0.5  # a round trip to storage inside a PoP (as EdgeConfig.replica_rtt_ms)
    value_type: str = "lww"

    def __post_init__(self) -> None:
        if self.reads not in READS:
            raise ValueError(f"reads={brief(self.reads)}: expected one of {READS}")
        for name in ("heartbeat_ms", "timeout_ms", "retry_ms", "local_ms"):
            check_positive(name, getattr(self, name))
        check_positive("batch", self.batch, integer=True, what=" (log entries per catch-up message)")


# -- messages: each knows its JSON form, which is what the meter counts --------------------------


@dataclass(frozen=True, slots=True)
class Forward:
    """A PoP asks the primary to apply client write number ``write`` (or to read, ``write=None``)."""

    rid: int
    key: str
    write: int | None

    def to_json(self) -> dict:
        return {"type": "Forward", "rid": self.rid, "key": self.key, "write": self.write}


@dataclass(frozen=True, slots=True)
class Applied:
    """The primary's answer: the key's state after the write (or at the read)."""

    rid: int
    key: str
    state: object

    def to_json(self) -> dict:
        return {"type": "Applied", "rid": self.rid, "key": self.key,
                "state": None if self.state is None else self.state.to_json()}


@dataclass(frozen=True, slots=True)
class Append:
    """Log entries ``prev + 1 ...`` (``(key, state)`` pairs); empty: a heartbeat. ``last``: log length.
    ``term``: which restore of the primary's log this belongs to (0 until its disk is first lost)."""

    prev: int
    entries: tuple
    last: int
    term: int = 0

    def to_json(self) -> dict:
        d = {"type": "Append", "prev": self.prev, "last": self.last,
             "entries": [[k, s.to_json()] for k, s in self.entries]}
        if self.term:
            d["term"] = self.term
        return d

    def states(self, key):
        return [s for k, s in self.entries if k == key]


@dataclass(frozen=True, slots=True)
class Progress:
    """A replica's answer to a heartbeat: it has applied the log up to ``applied``."""

    applied: int

    def to_json(self) -> dict:
        return {"type": "Progress", "applied": self.applied}


@dataclass(frozen=True, slots=True)
class Recover:
    """A primary whose disk was lost asks a replica for everything it holds."""

    def to_json(self) -> dict:
        return {"type": "Recover"}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A replica's answer to ``Recover``: its term and every ``(key, state)`` it holds."""

    term: int
    entries: tuple

    def to_json(self) -> dict:
        return {"type": "Snapshot", "term": self.term, "entries": [[k, s.to_json()] for k, s in self.entries]}


class PrimaryPoP(BenchNode):
    """A PoP's front end and replica; the one whose id is ``primary`` is also the primary."""

    def __init__(self, node_id: str, primary: str, replicas: tuple, config: PrimaryConfig, observer, meter,
                 on_ack=None) -> None:
        super().__init__(node_id, config.value_type, config.local_ms, observer, meter)
        self.primary = primary
        self.is_primary = node_id == primary
        self.replicas = tuple(r for r in replicas if r != primary)
        self.config = config
        self.on_ack = on_ack  # called after an acknowledged write (the bench backfills visibility)
        self.applied = 0  # log entries applied here (at the primary: the log's length)
        self.log: list[tuple[str, object]] = []  # the primary's log: (key, state after the write)
        self.done: dict = {}  # (pop, rid) -> Applied: the primary's answers, for retried requests
        self.pending: dict[int, tuple] = {}  # rid -> (key, write, invoke time): volatile
        self.rid = 0
        self.term = 0  # which restore of the primary's log this node follows (-1: unknown, a new disk)
        self.restoring: dict | None = None  # the primary after a lost disk: replica -> its Snapshot
        self.restores = 0  # how often this primary rebuilt its state from the replicas

    # -- client operations --------------------------------------------------------------------

    def read(self, ctx, key: str) -> None:
        if self.restoring is not None:  # a primary without its data answers nothing
            self.obs.read(ctx.now, self.node_id, key, FAILED)
        elif self.is_primary or self.config.reads == "local":
            state = self.store.get(key)
            self.obs.read(ctx.now, self.node_id, key, Outcome(True, self.local_reply_ms(ctx), state))
        else:
            self._ask(ctx, key, None)

    def write(self, ctx, key: str, i: int) -> None:
        if self.restoring is not None:
            self.obs.write(ctx.now, self.node_id, key, FAILED)
        elif self.is_primary:
            state = self._apply(ctx, key, i)
            self._acked(ctx, key, Outcome(True, self.local_reply_ms(ctx), state))
        else:
            self._ask(ctx, key, i)

    def _ask(self, ctx, key, write) -> None:
        self.rid += 1
        self.pending[self.rid] = (key, write, ctx.now)
        self.send(ctx, self.primary, Forward(self.rid, key, write))
        ctx.set_timer(self.config.retry_ms, ("retry", self.rid))

    def _acked(self, ctx, key, out: Outcome) -> None:
        self.obs.write(ctx.now, self.node_id, key, out)
        if self.on_ack is not None:
            self.on_ack(key, out.state)

    # -- the primary ----------------------------------------------------------------------------

    def _apply(self, ctx, key: str, i: int):
        cur = self.store.get(key)
        index = len(self.log) + 1
        # (term, log index) orders LWW writes; a restored primary writes as a new actor, so it never
        # mints again a counter entry or a dot that a lost write had used.
        actor = f"{self.node_id}.{self.term}" if self.term else self.node_id
        new, _ = self.vtype.write(cur, actor, i, float(self.term * 2**32 + index))
        self.log.append((key, new))
        self.applied = index
        self.merge_in(ctx, key, new)
        for r in self.replicas:  # push at once; heartbeats repair what gets lost
            self.send(ctx, r, Append(index - 1, ((key, new),), index, self.term))
        return new

    def _serve(self, ctx, src, msg: Forward) -> None:
        if self.restoring is not None:
            return  # nothing to serve yet: the PoP retries, then fails its client
        answer = self.done.get((src, msg.rid))
        if answer is None:
            state = self.store.get(msg.key) if msg.write is None else self._apply(ctx, msg.key, msg.write)
            answer = Applied(msg.rid, msg.key, state)
            if msg.write is not None:
                self.done[(src, msg.rid)] = answer
        self.send(ctx, src, answer)

    def _catch_up(self, ctx, src, applied: int) -> None:
        if applied < len(self.log):
            chunk = tuple(self.log[applied:applied + self.config.batch])
            self.send(ctx, src, Append(applied, chunk, len(self.log), self.term))

    # -- a replica ----------------------------------------------------------------------------

    def _append(self, ctx, src, msg: Append) -> None:
        if msg.term < self.term:
            return  # sent before the primary's latest restore
        if msg.term > self.term:
            self.term, self.applied = msg.term, 0  # a restored primary's new log: count from its start
        if msg.entries and msg.prev <= self.applied < msg.prev + len(msg.entries):
            for key, state in msg.entries[self.applied - msg.prev:]:
                self.merge_in(ctx, key, state)
            self.applied = msg.prev + len(msg.entries)
        if not msg.entries:  # a heartbeat: say how far we got
            self.send(ctx, src, Progress(self.applied))

    # -- a lost disk ------------------------------------------------------------------------------

    def on_disk_loss(self) -> None:
        self.store.clear()
        self.log.clear()
        self.done.clear()
        self.applied = 0
        if self.is_primary:
            self.restoring = {}  # on_start asks the replicas
        else:
            self.term = -1  # the next heartbeat says which log to follow; the primary refills us

    def _ask_replicas(self, ctx) -> None:
        for r in self.replicas:
            if r not in self.restoring:
                self.send(ctx, r, Recover())
        if not self.replicas:
            self._restore(ctx)

    def _snapshot(self, ctx, src, msg: Snapshot) -> None:
        if self.restoring is None or src not in self.replicas:
            return  # a late or duplicate answer
        self.restoring[src] = msg
        if len(self.restoring) == len(self.replicas):
            self._restore(ctx)

    def _restore(self, ctx) -> None:
        """Every replica answered: serve their join, from a compacted log in a new term."""
        snaps = list(self.restoring.values())
        self.restoring = None
        self.restores += 1
        self.term = max((s.term for s in snaps), default=0) + 1
        for s in snaps:
            for key, state in s.entries:
                self.merge_in(ctx, key, state)
        self.log = sorted(self.store.items(), key=lambda kv: kv[0])
        self.applied = n = len(self.log)
        for r in self.replicas:
            self.send(ctx, r, Append(n, (), n, self.term))  # the heartbeat that starts the new term

    # -- the network ----------------------------------------------------------------------------

    def on_start(self, ctx) -> None:
        if self.is_primary:
            if self.restoring is not None:
                self._ask_replicas(ctx)
            ctx.set_timer(ctx.rng.random() * self.config.heartbeat_ms, "heartbeat")

    def on_message(self, ctx, src, msg) -> None:
        kind = type(msg)
        if kind is Forward:
            self._serve(ctx, src, msg)
        elif kind is Append:
            self._append(ctx, src, msg)
        elif kind is Progress:
            if self.restoring is None:
                self._catch_up(ctx, src, msg.applied)
        elif kind is Recover:
            self.send(ctx, src, Snapshot(self.term, tuple(sorted(self.store.items(), key=lambda kv: kv[0]))))
        elif kind is Snapshot:
            self._snapshot(ctx, src, msg)
        elif kind is Applied:
            waiting = self.pending.pop(msg.rid, None)
            if waiting is None:
                return  # a duplicate answer, or one that came after the client gave up
            key, write, t0 = waiting
            if msg.state is not None:
                self.merge_in(ctx, key, msg.state)  # read your writes at this PoP
            out = Outcome(True, ctx.now - t0 + self.local_reply_ms(ctx), msg.state)
            if write is None:
                self.obs.read(t0, self.node_id, key, out)
            else:
                self._acked(ctx, key, out)

    def on_timer(self, ctx, tag) -> None:
        if tag == "heartbeat":
            n = len(self.log)
            if self.restoring is not None:
                self._ask_replicas(ctx)  # ask again whoever has not answered
            else:
                for r in self.replicas:
                    self.send(ctx, r, Append(n, (), n, self.term))
            ctx.set_timer(self.config.heartbeat_ms, "heartbeat")
            return
        rid = tag[1]
        waiting = self.pending.get(rid)
        if waiting is None:
            return
        key, write, t0 = waiting
        if ctx.now - t0 + self.config.retry_ms <= self.config.timeout_ms:
            self.send(ctx, self.primary, Forward(rid, key, write))
            ctx.set_timer(self.config.retry_ms, ("retry", rid))
            return
        del self.pending[rid]  # out of time: the client gets an error, the write is not acknowledged
        fail = Outcome(False, None, None)
        (self.obs.read if write is None else self.obs.write)(t0, self.node_id, key, fail)

    def on_crash(self) -> None:
        self.pending.clear()  # in-flight client requests die with the process


def central_site(sites, weights=None) -> str:
    """The site with the least request-weighted round trip to all sites (where a primary goes).

    >>> central_site(["LHR", "FRA", "SYD"])
    'FRA'
    """
    sites = check_items(sites, "sites", str, "a non-empty list of site ids such as ['LHR', 'SYD']")
    if not sites:
        raise ValueError("sites=[]: expected a non-empty list of site ids such as ['LHR', 'SYD']")
    if weights is not None and not isinstance(weights, Mapping):
        raise TypeError(f"weights={brief(weights)}: expected a mapping of site to weight, or None")
    w = {} if weights is None else weights
    by_place: dict[str, float] = {}
    for i, s in enumerate(sites):
        code = site_place(s, f"sites[{i}]").code
        by_place[code] = by_place.get(code, 0.0) + check_number(w.get(s, 1.0), f"weights[{brief(s)}]", 0)
    best = choose_center(by_place, list(by_place))
    return next(s for s in sites if site_place(s).code == best)


class PrimarySystem(Bench):
    """Every site a PoP with a read replica; one of them (``primary``) takes every write."""

    def __init__(self, sites, primary: str | None = None, config: PrimaryConfig | None = None, *,
                 weights=None, **bench) -> None:
        config = PrimaryConfig() if config is None else config
        if not isinstance(config, PrimaryConfig):
            raise TypeError(f"config={brief(config)}: expected a PrimaryConfig")
        super().__init__(sites, value_type=config.value_type, **bench)
        if primary is None:
            primary = central_site(self.site_ids, weights)
        if primary not in self.site_ids:
            raise ValueError(f"primary={brief(primary)}: expected one of the sites {list(self.site_ids)}")
        self.primary = primary
        self.config = config
        self.step_ms = config.heartbeat_ms
        for s in self.site_ids:
            self.add(s, PrimaryPoP(s, primary, self.site_ids, config, self.observer, self.meter, self._backfill))
        self.net.start()

    def _backfill(self, key, state) -> None:
        # The primary and some replicas held this write before its acknowledgement reached the
        # client, that is before the observer started following it: tell the observer now, so
        # they count as having it at the acknowledgement (visibility is measured from there).
        leq, seen, now = self.observer.leq, self.observer.seen, self.sim.now
        for n, node in self.nodes.items():
            st = node.store.get(key)
            if st is not None and leq(state, st):
                seen(now, n, key, st)

    def quiet(self) -> bool:
        top = self.nodes[self.primary]
        n = len(top.log)
        return top.restoring is None and all(node.applied == n and node.term == top.term and not node.pending
                                             for node in self.nodes.values())

    def authority(self, key):
        return self.nodes[self.primary].store.get(key)
