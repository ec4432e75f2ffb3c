"""One graded run: the nodes at their PoPs, the grader's own small wire, the faults, the record.

Time is ``edgekit.sim.Simulator``'s and latency ``edgekit.sim.LatencyModel``'s: half the
calibrated round trip between the real places, no jitter. Messages go through the grader's
own wire because faults here are a scenario's explicit choices (``edgekit.grade.scenario``),
not random draws: the ``nth`` message on a link is lost, doubled or held back; a cut drops
what crosses it (on sending and on arrival); a crashed node receives nothing and restarts as
a fresh object of its class with the same ``ctx.disk``. A run ends at a fixed horizon: the
operations, every fault over, ``DRAIN_EPOCHS`` quiet epochs (then the root is read), and
``PROBE_ROUNDS`` reads of every key at every site ``PROBE_EPOCHS`` apart. The learner may
send ``MAX_SENDS_PER_RUN`` messages in a run.
"""

from __future__ import annotations

from edgekit import geo
from edgekit.sim import LatencyModel, Simulator

from .adapter import (
    check_request,
    is_protocol,
    is_request,
    place_of,
    root_state,
    upstreams,
    wire_bytes,
)
from .errors import LearnerFault
from .host import MAX_SENDS_PER_CALL, NodeHost
from .scenario import PLACES, Crash, Cut, Drop, Duplicate, Hold, Op
from .trace import Trace

__all__ = ["World", "run", "DRAIN_EPOCHS", "PROBE_EPOCHS", "PROBE_ROUNDS", "MAX_SENDS_PER_RUN"]

MAX_SENDS_PER_RUN = 400
DRAIN_EPOCHS = 8  # quiet epochs after the last fault before the root is checked
PROBE_EPOCHS = 4  # epochs between the grader's reads of a key at every site after quiet
PROBE_ROUNDS = 3  # how many such reads; the last must return the root's state

_LATENCY = LatencyModel()
_ONE_WAY: dict = {}


def one_way_ms(a: str, b: str) -> float:
    pair = (a, b)
    if pair not in _ONE_WAY:
        _ONE_WAY[pair] = _LATENCY.base_one_way_ms(geo.place(PLACES[place_of(a)]), geo.place(PLACES[place_of(b)]))
    return _ONE_WAY[pair]


class World:
    """One run of a scenario: build the nodes, play the operations and faults, record a ``Trace``."""

    def __init__(self, scenario, node_cls, reference_cls) -> None:
        self.scenario = s = scenario
        self.sim = Simulator(seed=s.seed)
        self.trace = Trace()
        self._asked: dict = {}  # (site, sync id) -> the latest request of that id to arrive upstream
        self.calling = None  # the learner host inside a handler call
        self.step = None
        self.learner_sends = 0
        self._sent_on: dict = {}  # (src, dst) -> messages sent on that link so far
        self._plan = {(f.src, f.dst, f.nth): f for f in s.faults if isinstance(f, (Drop, Duplicate, Hold))}
        self._cuts: list = []
        self._crashed_by: dict = {}  # node -> the Crash that took it down
        self.learner = NodeHost(self, s.learner, s.upstream, node_cls, s.capacity, observed=True)
        self.hosts: dict = {s.learner: self.learner}
        if s.upstream is not None:
            for site, up in s.sites:
                self.hosts[site] = NodeHost(self, site, up, reference_cls, None, observed=False)
            self.hosts.update(upstreams(self, s))

    # -- the wire ---------------------------------------------------------------------------

    def _cut(self, a: str, b: str) -> bool:
        pair = {place_of(a), place_of(b)}
        return any(pair == {c.a, c.b} for c in self._cuts)

    def send(self, src: str, dst: str, msg) -> None:
        host = self.hosts[src]
        if isinstance(host, NodeHost):
            if host.observed:
                host.sends += 1
                self.learner_sends += 1
                if host.sends > MAX_SENDS_PER_CALL or self.learner_sends > MAX_SENDS_PER_RUN:
                    raise LearnerFault("budget", f"too many messages: {host.sends} in one handler call "
                                                 f"(at most {MAX_SENDS_PER_CALL}), {self.learner_sends} in the "
                                                 f"run (at most {MAX_SENDS_PER_RUN}); one SyncRequest per "
                                                 "epoch is the protocol")
            msg = check_request(msg, dst, host.ctx.upstream)
        if not is_protocol(msg):  # inside a cluster: delivered (a cut stops it), not recorded or faulted
            self.sim.call_later(one_way_ms(src, dst), self._inside, src, dst, msg)
            return
        kind = "request" if is_request(msg) else "response"
        # An answer answers the latest request with its sync id that reached the upstream.
        asked = self._asked.get((dst, msg.sync_id)) if kind == "response" else None
        rec = self.trace.message(self.sim.now, src, dst, kind, msg.sync_id, dict(msg.entries), wire_bytes(msg),
                                 reply_to=asked)
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

    def _inside(self, src, dst, msg) -> None:
        host = self.hosts[dst]
        if host.up and not self._cut(src, dst):
            host.node.on_message(host, src, msg)

    def _arrive(self, rec, msg, copy: int) -> None:
        host = self.hosts[rec.dst]
        if not host.up:
            rec.dropped = "crashed"
            return
        if self._cut(rec.src, rec.dst):
            rec.dropped = "partition"
            return
        self.trace.deliver(rec, self.sim.now)
        if rec.kind == "request":
            self._asked[(rec.src, rec.sync_id)] = rec.id
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
        into.update({k: root_state(self.hosts, k) for k in self.scenario.keys})
        self.trace.drain_seq = self.trace.drain_seq or self.trace.next()

    def _probe(self, keys, probe: int) -> None:
        for site, host in self.hosts.items():
            if isinstance(host, NodeHost):
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
            if isinstance(host, NodeHost):
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
