"""The adapter: a learner's node among the kit's own upstreams, on edgekit's simulator.

This is the one module of ``edgekit.grade`` that knows the edge package, and it uses only
its public names: ``SyncRequest``, ``SyncResponse``, ``Upstream`` and ``wire_bytes``. The
root and the hub are the kit's ``Upstream`` exactly as chapter 5 runs them; the other sites
run the reference node; the learner's node takes one PoP. Time is ``edgekit.sim.Simulator``'s
and latency is ``edgekit.sim.LatencyModel``'s (half the calibrated round trip between the
real places, no jitter). Messages go through the grader's own small wire, because faults
here are a scenario's explicit choices (``edgekit.grade.scenario``), not random draws.

The learner's code is untrusted, so everything it hands over is checked before it touches
the kit's state: a message must be a ``SyncRequest`` to ``ctx.upstream`` with an int sync
id and at most ``MAX_ENTRIES`` string keys whose values are ``GCounter`` or None; what is
delivered is a fresh copy decoded from its JSON, so the learner cannot change a message
after sending it. Each handler call may send ``MAX_SENDS_PER_CALL`` messages and take
``MAX_HANDLER_S`` seconds, and a run ``MAX_SENDS_PER_RUN`` messages; simulated time ends
at a fixed horizon. Breaking a limit stops the run with a message that names it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping

from edgekit import geo
from edgekit.crdt import GCounter
from edgekit.edge import SyncRequest, SyncResponse, Upstream, wire_bytes
from edgekit.sim import LatencyModel, Simulator

from .errors import LearnerFault
from .node import NodeContext, is_placeholder
from .scenario import HUB, PLACES, ROOT, Crash, Cut, Drop, Duplicate, Hold
from .trace import Step, Trace

__all__ = ["World", "run", "SyncRequest", "SyncResponse", "GCounter", "DRAIN_EPOCHS", "PROBE_EPOCHS", "PROBE_ROUNDS",
           "MAX_ENTRIES", "MAX_SENDS_PER_CALL", "MAX_SENDS_PER_RUN", "MAX_HANDLER_S"]

MAX_ENTRIES = 64
MAX_KEY_CHARS = 64
MAX_MESSAGE_BYTES = 16_384
MAX_SENDS_PER_CALL = 4
MAX_SENDS_PER_RUN = 400
MAX_HANDLER_S = 1.0
DRAIN_EPOCHS = 8  # quiet epochs after the last fault before the root is checked
PROBE_EPOCHS = 4  # epochs between the grader's reads of a key at every site after quiet
PROBE_ROUNDS = 3  # how many such reads; the last must return the root's state

_LATENCY = LatencyModel()
_ONE_WAY: dict = {}


def one_way_ms(a: str, b: str) -> float:
    pair = (a, b)
    if pair not in _ONE_WAY:
        _ONE_WAY[pair] = _LATENCY.base_one_way_ms(geo.place(PLACES[a]), geo.place(PLACES[b]))
    return _ONE_WAY[pair]


def _short(x) -> str:
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def check_request(msg, dst, upstream) -> SyncRequest:
    """A validated copy of what a node sent, or ``LearnerFault`` naming what is wrong."""
    if dst != upstream:
        raise LearnerFault("bad-message", f"ctx.send(dst={_short(dst)}, ...): a site sends only to its "
                                          f"upstream, ctx.upstream = {upstream!r}")
    if type(msg) is not SyncRequest:
        raise LearnerFault("bad-message", f"ctx.send(..., msg={_short(msg)}): expected "
                                          "SyncRequest(sync_id, entries), imported from edgekit.grade")
    sid, entries = msg.sync_id, msg.entries
    if isinstance(sid, bool) or not isinstance(sid, int) or not 0 <= sid < 2**53:
        raise LearnerFault("bad-message", f"SyncRequest sync_id={_short(sid)}: expected an int from 0 to 2**53")
    if msg.blocking is not False:
        raise LearnerFault("bad-message", f"SyncRequest blocking={_short(msg.blocking)}: this exercise "
                                          "uses plain (non-blocking) syncs only")
    if not isinstance(entries, dict):
        raise LearnerFault("bad-message", f"SyncRequest entries={_short(entries)}: expected a dict key -> "
                                          "GCounter (or None for a key you lack)")
    if len(entries) > MAX_ENTRIES:
        raise LearnerFault("bad-message", f"SyncRequest with {len(entries)} entries: at most {MAX_ENTRIES} "
                                          "(only the keys clients touched belong in it)")
    copy = {}
    for k, v in entries.items():
        if not isinstance(k, str) or not 0 < len(k) <= MAX_KEY_CHARS:
            raise LearnerFault("bad-message", f"SyncRequest key {_short(k)}: expected a key string")
        if v is not None and type(v) is not GCounter:
            raise LearnerFault("bad-message", f"SyncRequest entries[{k!r}]={_short(v)}: expected a GCounter "
                                              "(the key's whole state) or None")
        try:
            copy[k] = None if v is None else GCounter.from_json(json.loads(json.dumps(v.to_json())))
        except (TypeError, ValueError) as exc:
            raise LearnerFault("bad-message", f"SyncRequest entries[{k!r}] is not a valid GCounter: {exc}") from None
    out = SyncRequest(sid, copy)
    if wire_bytes(out) > MAX_MESSAGE_BYTES:
        raise LearnerFault("bad-message", f"SyncRequest of {wire_bytes(out):,} bytes: at most "
                                          f"{MAX_MESSAGE_BYTES:,}")
    return out


class _KitHost:
    """The context an edgekit ``Upstream`` runs in (the ``edgekit.sim.node.Context`` it uses)."""

    def __init__(self, world: World, node_id: str, node) -> None:
        self.world, self.node_id, self.node = world, node_id, node
        self.rng = random.Random(f"{world.scenario.seed}/{node_id}")
        self.up = True

    @property
    def now(self) -> float:
        return self.world.sim.now

    def clock(self) -> float:
        return self.world.sim.now

    def send(self, dst, msg) -> None:
        self.world.send(self.node_id, dst, msg)

    def set_timer(self, delay_ms: float, tag=None):
        return self.world.sim.call_later(delay_ms, self._fire, tag)

    def cancel_timer(self, handle) -> None:
        Simulator.cancel(handle)

    def record(self, kind: str, **fields) -> None:
        pass

    def _fire(self, tag) -> None:
        if self.up:
            self.node.on_timer(self, tag)

    def start(self) -> None:
        self.node.on_start(self)

    def deliver(self, rec, msg, copy: int) -> None:
        self.world.handling = rec.id
        try:
            self.node.on_message(self, rec.src, msg)
        finally:
            self.world.handling = None


class _NodeHost:
    """A node written to the learner interface (the learner's, or a reference site)."""

    def __init__(self, world: World, node_id: str, upstream, cls, capacity, observed: bool) -> None:
        self.world, self.node_id, self.cls, self.observed = world, node_id, cls, observed
        self.ctx = NodeContext(world, node_id, upstream, world.scenario.epoch_ms, capacity, world.send)
        self.node = None
        self.up = True
        self.sends = 0

    def start(self) -> None:
        try:
            self.node = self.cls()
        except Exception as exc:  # noqa: BLE001 - the learner's constructor may raise anything
            if not self.observed:
                raise
            raise LearnerFault.from_exception(exc, f"{getattr(self.cls, '__name__', 'node')}()") from None
        self.call("on_start")

    def call(self, handler: str, *args, msg_id=None, copy=0, key=None):
        """Call one handler; for the learner, check it and record a ``Step``."""
        world = self.world
        if not self.observed:
            return getattr(self.node, handler)(self.ctx, *args)
        before = dict(self._store()) if handler != "on_start" else {}
        world.calling, self.sends = self, 0
        step = Step(0, world.sim.now, handler, msg_id, before, {}, [], copy, key)
        world.step = step
        t0 = time.perf_counter()
        try:
            out = getattr(self.node, handler)(self.ctx, *args)
        except LearnerFault:
            raise
        except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything: say where
            raise LearnerFault.from_exception(exc, handler) from None
        finally:
            world.calling = world.step = None
        took = time.perf_counter() - t0
        if took > MAX_HANDLER_S:
            raise LearnerFault("budget", f"your {handler} took {took:.1f} s; a handler must return in "
                                         f"under {MAX_HANDLER_S:g} s (a loop that never ends?)", handler)
        if is_placeholder(out):
            raise LearnerFault("unanswered", f"{handler} still returns NOT_ANSWERED: fill it in, then "
                                             "grade again", handler)
        if out is not None and handler not in ("on_read", "on_write"):
            raise LearnerFault("bad-return", f"{handler} returned {_short(out)}: it should return nothing "
                                             "(send a message with ctx.send(ctx.upstream, msg))", handler)
        step.after = dict(self._store(handler))
        step.interest = self._interest()
        step.seq = world.trace.next()
        world.trace.steps.append(step)
        return out

    def _store(self, handler: str = "on_start") -> Mapping:
        store = getattr(self.node, "store", None)
        if not isinstance(store, Mapping):
            raise LearnerFault("bad-state", f"after {handler}, self.store is {_short(store)}: keep your states "
                                            "in self.store, a dict key -> GCounter (set it up in on_start)",
                               handler)
        if len(store) > 4 * MAX_ENTRIES:
            raise LearnerFault("budget", f"self.store holds {len(store)} keys; this run uses only a handful",
                               handler)
        for k, v in store.items():
            if type(v) is not GCounter:
                raise LearnerFault("bad-state", f"after {handler}, self.store[{k!r}] = {_short(v)}: expected "
                                                "a GCounter", handler)
        return store

    def _interest(self) -> frozenset | None:
        """Which of the run's keys are in ``self.interest`` (for the diagnosis; None if unreadable)."""
        interest = getattr(self.node, "interest", None)
        try:
            return frozenset(k for k in self.world.scenario.keys if k in interest)
        except TypeError:
            return None

    def interested(self, key) -> bool | None:
        interest = getattr(self.node, "interest", None)
        try:
            return key in interest
        except TypeError:
            raise LearnerFault("bad-state", f"self.interest is {_short(interest)}: expected a set (or "
                                            "dict) of keys") from None

    def deliver(self, rec, msg, copy: int) -> None:
        if type(msg) is SyncResponse:
            fresh = SyncResponse(msg.sync_id, dict(msg.entries))  # the learner may change what it got
            self.call("on_sync_response", fresh, msg_id=rec.id, copy=copy)

    def tick(self) -> None:
        if self.up:
            self.call("on_epoch")
        self.world.sim.call_later(self.world.scenario.epoch_ms, self.tick)

    def client(self, op, probe: int = 0) -> None:
        trace, now = self.world.trace, self.world.sim.now
        if not self.up:
            trace.op(now, op.site, op.kind, op.key, op.n, False, probe=probe)
            return
        if op.kind == "read":
            value = self.call("on_read", op.key, key=op.key)
            if value is not None and type(value) is not GCounter:
                raise LearnerFault("bad-return", f"on_read({op.key!r}) returned {_short(value)}: expected the "
                                                 "key's GCounter, or None for a key you do not hold", "on_read")
        else:
            value = self.call("on_write", op.key, op.n, key=op.key)
            if type(value) is not GCounter:
                raise LearnerFault("bad-return", f"on_write({op.key!r}, {op.n}) returned {_short(value)}: "
                                                 "expected the key's new GCounter", "on_write")
        interested = self.interested(op.key) if self.observed else None
        trace.op(now, op.site, op.kind, op.key, op.n, True, value, probe, interested)


class World:
    """One run of a scenario: build the nodes, play the operations and faults, record a ``Trace``."""

    def __init__(self, scenario, node_cls, reference_cls) -> None:
        self.scenario = s = scenario
        self.sim = Simulator(seed=s.seed)
        self.trace = Trace()
        self.handling = None  # the request a kit node is answering right now
        self.calling = None  # the learner host inside a handler call
        self.step = None
        self.learner_sends = 0
        self._sent_on: dict = {}  # (src, dst) -> messages sent on that link so far
        self._plan = {(f.src, f.dst, f.nth): f for f in s.faults if isinstance(f, (Drop, Duplicate, Hold))}
        self._cuts: list = []
        self._crashed_by: dict = {}  # node -> the Crash that took it down
        self.learner = _NodeHost(self, s.learner, s.upstream, node_cls, s.capacity, observed=True)
        self.hosts: dict = {s.learner: self.learner}
        if s.upstream is not None:
            for site, up in s.sites:
                self.hosts[site] = _NodeHost(self, site, up, reference_cls, None, observed=False)
            self.root = Upstream(ROOT, None, s.epoch_ms, bottom=GCounter())
            self.hosts[ROOT] = _KitHost(self, ROOT, self.root)
            self.hosts[HUB] = _KitHost(self, HUB, Upstream(HUB, ROOT, s.epoch_ms))

    # -- the wire ---------------------------------------------------------------------------

    def _cut(self, a: str, b: str) -> bool:
        return any({a, b} == {c.a, c.b} for c in self._cuts)

    def send(self, src: str, dst: str, msg) -> None:
        host = self.hosts[src]
        if isinstance(host, _NodeHost):
            if host.observed:
                host.sends += 1
                self.learner_sends += 1
                if host.sends > MAX_SENDS_PER_CALL or self.learner_sends > MAX_SENDS_PER_RUN:
                    raise LearnerFault("budget", f"too many messages: {host.sends} in one handler call "
                                                 f"(at most {MAX_SENDS_PER_CALL}), {self.learner_sends} in the "
                                                 f"run (at most {MAX_SENDS_PER_RUN}); one SyncRequest per "
                                                 "epoch is the protocol")
            msg = check_request(msg, dst, host.ctx.upstream)
        kind = "request" if type(msg) is SyncRequest else "response"
        rec = self.trace.message(self.sim.now, src, dst, kind, msg.sync_id, dict(msg.entries), wire_bytes(msg),
                                 reply_to=self.handling if kind == "response" else None)
        if self.step is not None and src == self.scenario.learner:
            self.step.sent.append(rec.id)
        n = self._sent_on[(src, dst)] = self._sent_on.get((src, dst), 0) + 1
        fault = self._plan.get((src, dst, n)) if self.sim.now < self.scenario.faults_end else None
        if self._cut(src, dst):
            rec.fault = rec.dropped = "partition"
            return
        if isinstance(fault, Drop):
            rec.fault = rec.dropped = "lost"
            return
        delay = one_way_ms(src, dst)
        if isinstance(fault, Hold):
            rec.fault = "held"
            delay += fault.extra_ms
        self.sim.call_later(delay, self._arrive, rec, msg, 0)
        if isinstance(fault, Duplicate):
            rec.fault = "doubled"
            self.sim.call_later(delay + fault.extra_ms, self._arrive, rec, msg, 1)

    def _arrive(self, rec, msg, copy: int) -> None:
        host = self.hosts[rec.dst]
        if not host.up:
            rec.dropped = "crashed"
            return
        if self._cut(rec.src, rec.dst):
            rec.dropped = "partition"
            return
        self.trace.deliver(rec, self.sim.now)
        host.deliver(rec, msg, copy)

    # -- faults -----------------------------------------------------------------------------

    def _begin(self, f) -> None:
        if isinstance(f, Cut):
            self._cuts.append(f)
            self.trace.fault(self.sim.now, "cut", (f.a, f.b))
        elif self.hosts[f.node].up:  # a crash of a node that is down already changes nothing
            host = self.hosts[f.node]
            host.up, host.node = False, None  # everything but ctx.disk is gone
            self._crashed_by[f.node] = f
            self.trace.fault(self.sim.now, "crash", (f.node,))

    def _end(self, f) -> None:
        if isinstance(f, Cut):
            self._cuts.remove(f)
            self.trace.fault(self.sim.now, "heal", (f.a, f.b))
        elif self._crashed_by.get(f.node) is f:  # only the crash that took it down restarts it
            del self._crashed_by[f.node]
            host = self.hosts[f.node]
            self.trace.fault(self.sim.now, "restart", (f.node,))
            host.up = True
            host.start()

    # -- the run ----------------------------------------------------------------------------

    def _snapshot(self, into: dict) -> None:
        into.update({k: self.root.state_of(k) for k in self.scenario.keys})
        self.trace.drain_seq = self.trace.drain_seq or self.trace.next()

    def _probe(self, keys, probe: int) -> None:
        from .scenario import Op

        for site, host in self.hosts.items():
            if isinstance(host, _NodeHost):
                for k in keys:
                    host.client(Op(self.sim.now, site, "read", k), probe=probe)

    def run(self) -> Trace:
        s, sim = self.scenario, self.sim
        for host in self.hosts.values():
            host.start()
        for op in s.ops:
            sim.call_at(op.at, self.hosts[op.site].client, op)
        for f in s.faults:
            if isinstance(f, (Cut, Crash)):
                sim.call_at(f.at, self._begin, f)
                sim.call_at(f.until, self._end, f)
        if s.upstream is None:
            sim.run(until=s.ops_end + 1.0)
            return self.trace
        for node, phase in s.phases:
            host = self.hosts[node]
            if isinstance(host, _NodeHost):
                sim.call_at(phase, host.tick)
        t = s.faults_end + DRAIN_EPOCHS * s.epoch_ms
        sim.call_at(t, self._snapshot, self.trace.root_at_drain)
        chunk = s.capacity or len(s.keys)
        for i in range(0, len(s.keys), chunk):
            for r in range(1, PROBE_ROUNDS + 1):
                sim.call_at(t + 1.0, self._probe, s.keys[i:i + chunk], r)
                t += PROBE_EPOCHS * s.epoch_ms
        sim.call_at(t + 1.0, self._snapshot, self.trace.root_at_end)
        sim.run(until=t + 2.0)
        return self.trace


def run(scenario, node_cls, reference_cls) -> tuple[Trace, LearnerFault | None]:
    """Run ``scenario`` with ``node_cls`` at the learner's PoP: its trace, and what stopped it early."""
    world = World(scenario, node_cls, reference_cls)
    try:
        world.run()
    except LearnerFault as fault:
        return world.trace, fault
    return world.trace, None
