"""A site's front end: serves a PoP's clients from the key's replicas, inside the request.

Inside a PoP there are ``replicas`` storage processes (``edgekit.edge.replica``),
each its own node on the in-site network. A key lives on ``n`` of them, chosen
by rendezvous hashing that every instance computes for itself: no ownership
table. The front end scatters each client request to the key's ``n`` replicas
and gathers their CRDTs (``edgekit.edge.gather``: first reply, then
``gather_ms``):

- **read**: the client gets the merge of the replies that came in time (a miss
  if none holds the key). The key's first replica (its *lead*) takes the read's
  interest, so that one sync per key brings it up to date (it passes what came
  down to the key's other replicas); if the lead did not answer, the first
  replica that did takes it. With ``read_miss="block"`` a miss waits for a one-key
  sync with the upstream and the client gets what that sync brought.
- **read repair**: every replica whose reply differs from the merge gets the
  merge (``Repair``), as in the talk.
- **write**: the front end applies the write with the value type's mutator
  (``edgekit.edge.values``) and stores the result on the key's replicas
  (``Put``), each of which joins it into what it holds and answers its state;
  the client gets the merge of those answers. The write is acknowledged once
  ``write_quorum`` replicas stored it (within the gather timer), and fails
  otherwise; a failed write that was sent may still have been stored somewhere:
  its outcome says ``maybe``. An LWW write on the physical clock replaces
  whatever is there, so it goes straight to the replicas (one round trip). Every
  other write is a read-modify-write: the front end first gathers the key like
  a read and applies the write to the merge (an HLC stamp must beat the value it
  overwrites; a new dot must see the siblings it replaces).
- **a write that must see the key first**: MV registers, counters and OR-Sets
  (``reads_first``) do not write blind. If no replica holds the key, the front
  end fetches it from upstream first (as a blocking read does); if the upstream
  cannot answer within ``miss_timeout_ms`` the write fails, unapplied. An LWW
  write replaces whatever is there and never waits.

Actor ids. Counters, MV registers and OR-Sets mint a dot or a counter entry for
the acting replica, and reusing one loses writes. The front end acts as
``"<site>.<k>"`` (an *actor lease*) and keeps, per key, the last state it
wrote with it; it joins that state into the base of its next write, so the next
dot is fresh even when the replicas it heard from are behind. A new lease (a new
``k``) is taken only on the first write to a key since the front end started,
or when the lease table (as many keys as a replica holds) forgot the key. The
lease table is memory: a crash loses it, and ``k`` keeps counting up (a real
front end would use a boot id).

The front end's interface is sans-IO: ``read(ctx, key, reply)`` and
``write(ctx, key, arg, reply)`` return at once and call ``reply(outcome)``
exactly once, later (an ``edgekit.edge.messages.Outcome``). A crash fails the
requests in flight (a write that was sent says ``maybe``).

>>> from edgekit.edge import EdgeSystem, Topology
>>> system = EdgeSystem(Topology.flat(["LHR"], root="FRA"))
>>> w = system.call("LHR", "write", "cart", 1); r = system.call("LHR", "read", "cart")
>>> (w.ok, w.value, r.value, round(r.latency_ms, 2))     # in-site: a round trip of 0.5 ms
(True, 1, 1, 0.5)
"""

from __future__ import annotations

import math
from collections import OrderedDict

from edgekit.clocks.hlc import HLC

from .._checks import brief
from .config import EdgeConfig
from .gather import FETCH, GATHER, PUT, FrontEnd, Round
from .messages import Fill, Get, Got, Outcome, Put, Repair, Stored, SyncResponse
from .sync import Meter
from .values import VALUE_TYPES

__all__ = ["Site", "READ", "WRITE"]

READ, WRITE = "read", "write"


class _Op(Round):
    """A client operation in flight."""

    __slots__ = ("kind", "key", "arg", "t0", "reply", "where", "got", "merged", "acks", "stored", "written")


class Site(FrontEnd):
    """A PoP's front end: local reads and writes on the key's replicas; its replicas sync upstream."""

    def __init__(self, node_id: str, upstream: str | None, config: EdgeConfig, *, meter: Meter | None = None) -> None:
        super().__init__(node_id, upstream, config, meter)
        self.vtype = VALUE_TYPES[config.value_type]
        self.join = self.vtype.join
        self.repairs = 0
        self.misses = 0
        self.hlc = HLC()
        self._leases: OrderedDict = OrderedDict()  # key -> (actor, last state written with it)
        self._lease_keys = config.capacity or 10_000
        self._actors = 0
        # An LWW write on the physical clock needs nothing of the old state: store it straight away.
        self._blind = not self.vtype.reads_first and not self.vtype.uses_actor and config.clock == "physical"
        self._fetch_reads = config.read_miss == "block"  # a read miss waits for the upstream
        self._fetch_writes = self.vtype.reads_first  # so does a write that must see the key

    # -- client operations --------------------------------------------------------------------

    def read(self, ctx, key: str, reply) -> None:
        """Serve a read: the merge of the key's replicas (``reply(outcome)`` is called later)."""
        self._check(key, reply)
        self.start(ctx, READ, key, None, reply)

    def write(self, ctx, key: str, arg, reply) -> None:
        """Apply write ``arg`` (write number ``i``: see ``edgekit.edge.values``) to ``key``."""
        self._check(key, reply)
        self.start(ctx, WRITE, key, arg, reply)

    @staticmethod
    def _check(key, reply) -> None:
        if not isinstance(key, str) or not key:
            raise TypeError(f"key={brief(key)}: expected a non-empty string")
        if not callable(reply):
            raise TypeError(f"reply={brief(reply)}: expected a function that takes the Outcome")

    def start(self, ctx, kind: str, key: str, arg, reply) -> None:
        """``read`` (``kind`` READ) or ``write`` (WRITE) for a caller that has checked ``key`` and
        ``reply`` itself: the simulator's driver, once per client operation."""
        op = _Op()
        self._rid = rid = self._rid + 1
        op.rid, op.kind, op.key, op.arg, op.t0, op.reply = rid, kind, key, arg, ctx.now, reply
        op.merged = op.stored = op.written = None
        op.got, op.acks = [], set()  # (replica, its answer) in order; the replicas that stored the write
        op.where = where = self._table.get(key) or self.where(key)
        if kind is WRITE and self._blind:
            return self._put(ctx, op, None)  # it replaces whatever is there: one round trip
        ids, send = self.replica_ids, ctx.send
        touch = kind is READ  # the key's first replica, its lead, takes the read's interest
        for i in where:
            send(ids[i], Get(rid, key, touch))
            touch = False
        self.open_round(ctx, op, len(where), GATHER)

    # -- answers ------------------------------------------------------------------------------

    def on_message(self, ctx, src, msg) -> None:
        kind = type(msg)
        if kind is Got:
            op = self.pending.get(msg.rid)
            if op is None or op.phase is not GATHER:
                return  # later than the timer: neither merged nor repaired
            for s, _ in op.got:
                if s == src:
                    return  # a duplicated answer: counted once, and the round still waits for the others
            st = msg.state
            if st is not None:
                m = op.merged
                if m is None:
                    op.merged = st
                elif st is not m:
                    op.merged = self.join(m, st)
            op.got.append((src, st))
            op.waiting -= 1
            if not op.waiting:  # every replica it asked has answered: nothing left to wait for
                del self.pending[op.rid]
                self.close(ctx, op)
            elif op.first is None:
                self.replied(ctx, op, 0)  # the first answer: the gather timer starts
        elif kind is Stored:
            op = self.pending.get(msg.rid)
            if op is None or op.phase is not PUT:
                return
            if src in op.acks:
                return  # a duplicated acknowledgement is one disk, not two
            op.acks.add(src)
            op.stored = self.join(op.stored, msg.state)
            self.replied(ctx, op)
        elif kind is SyncResponse:
            self.on_fetch_response(ctx, msg)

    def close(self, ctx, op: _Op) -> None:
        if op.phase is GATHER:
            if not op.got:
                return self._finish(ctx, op, False)  # no replica answered: the PoP cannot serve it
            merged = op.merged
            if merged is not None:
                for _, st in op.got:
                    if st is not merged:  # some answer is not the merge itself (usually all are)
                        self._repair(ctx, op, merged)
                        break
            elif op.kind is READ:
                self.misses += 1
            if op.kind is READ and len(op.got) < len(op.where):
                lead = self.replica_ids[op.where[0]]
                if all(src != lead for src, _ in op.got):  # the lead did not hear it: another takes it
                    ctx.send(op.got[0][0], Get(0, op.key, True))  # request id 0 is never open
            wait = self._fetch_reads if op.kind is READ else self._fetch_writes
            if merged is None and wait and self.upstream is not None:
                return self.fetch(ctx, op, (op.key,))
            if op.kind is READ:
                return self._finish(ctx, op, True, merged)
            return self._put(ctx, op, merged)
        if op.phase is FETCH:  # no answer from upstream in time
            if op.kind is READ:
                return self._finish(ctx, op, True, op.merged)  # served as missing after all
            return self._finish(ctx, op, False)  # a write that must read first cannot be served
        ok = len(op.acks) >= self.config.write_quorum  # PUT
        self._finish(ctx, op, ok, op.stored if ok else None, maybe=not ok)

    def fetched(self, ctx, op: _Op, entries) -> None:
        came = entries.get(op.key)
        if came is not None:
            ids = self.replica_ids
            fill = Fill({op.key: came})
            for i in op.where:  # the next read finds it here
                ctx.send(ids[i], fill)
        state = self.join(op.merged, came)
        if op.kind is READ:
            return self._finish(ctx, op, True, state)
        if state is None:
            return self._finish(ctx, op, False)  # "not here yet": no state to write on
        self._put(ctx, op, state)

    def _repair(self, ctx, op: _Op, merged) -> None:
        """Read repair: a one-object sync to every replica whose answer differs from the merge."""
        for src, st in op.got:
            if st is not merged and st != merged:
                ctx.send(src, Repair(op.key, merged))
                self.repairs += 1

    def _put(self, ctx, op: _Op, base) -> None:
        """Apply the write to ``base`` and store the result on the key's replicas."""
        vt, key = self.vtype, op.key
        if vt.uses_actor:
            lease = self._leases.get(key)
            if lease is None:
                self._actors += 1
                actor, mine = f"{self.node_id}.{self._actors}", None
            else:
                self._leases.move_to_end(key)
                actor, mine = lease
            base = self.join(base, mine)  # every dot this lease minted: the next one is fresh
        else:
            actor = self.node_id
        ts = self._timestamp(ctx, base) if vt.uses_clock else None
        new, op.written = vt.write(base, actor, op.arg, ts)
        if vt.uses_actor:
            self._leases[key] = (actor, new)
            if len(self._leases) > self._lease_keys:
                self._leases.popitem(last=False)  # forgotten: its next write takes a new lease
        ids = self.replica_ids
        put = Put(op.rid, key, new)
        for i in op.where:
            ctx.send(ids[i], put)
        self.open_round(ctx, op, len(op.where), PUT)

    def _timestamp(self, ctx, cur) -> float:
        """The LWW timestamp of a write: the node's physical clock, or its HLC (packed)."""
        if self.config.clock == "physical":
            return ctx.clock()
        pt = math.floor(ctx.clock())
        hlc = self.hlc
        if cur is not None and cur.timestamp is not None:
            # The write must beat the value it overwrites, whatever this node's clock says.
            ts = int(cur.timestamp)
            hlc = hlc.receive(HLC(ts >> 16, ts & 0xFFFF), pt)
        self.hlc = hlc = hlc.tick(pt)
        return hlc.pack()

    def _finish(self, ctx, op: _Op, ok: bool, state=None, maybe: bool = False) -> None:
        op.reply(Outcome(ok, ctx.now - op.t0, state, op.written, maybe))

    def resume_ids(self, base: int) -> None:
        """As ``FrontEnd.resume_ids``, and actor leases too: a new life writes under new actor ids."""
        super().resume_ids(base)
        self._actors = max(self._actors, base)

    def on_crash(self) -> None:
        # The clients' connections break: each in-flight request fails; a write already sent to
        # the replicas may have been stored.
        for op in list(self.pending.values()):
            op.reply(Outcome(False, None, None, op.written, op.phase is PUT))
        self._leases.clear()
        super().on_crash()
