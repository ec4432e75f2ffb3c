"""Hubs and the root: clusters that answer their children's syncs, behind a front end.

An upstream is a cluster like a site (the fractal design all the way): a front
end (this node) and ``replicas`` storage processes (``edgekit.edge.replica``),
each key on ``n`` of them by the same rendezvous hashing. A child's
``SyncRequest`` is scattered as one ``Merge`` per replica, carrying the entries
of the keys that replica holds; each replica joins what the child sent and
answers what it has. The front end gathers (first reply, then ``gather_ms``)
and answers the child one ``SyncResponse``, key by key:

- if fewer than ``write_quorum`` of the key's replicas merged the child's entry
  in time, ``None`` ("ask again"): the child must not consider its writes safe;
- else the join of the replicas' answers that hold something (a hub: a state
  that came down from above; the root: any state);
- else, at the root, the type's bottom ("nothing written yet") when at least
  ``n - write_quorum + 1`` replicas said they never saw the key (so every
  replica an acknowledged write reached is among them); otherwise ``None``.

So one replica's crash does not stop sync (with ``write_quorum`` below ``n``),
and the root never answers "nothing here" for a key whose only copies are on
replicas that did not answer. Replicas whose answer differs from the one given
get it (``Fill``): read repair, which also spreads "came down from above" among
a hub's replicas.

A key a child asks about is refreshed from above at the next epoch of its
*lead*, the first of its replicas. A hub fetches at once instead when the child
is blocking (a client waits: a read miss in ``read_miss="block"`` mode, or a
write that must see the key first), when the lead of a key it lacks did not
answer in time (nobody else would ask above for it), or when a replica flags a
key *urgent* (it came down for this child and was evicted before the child asked
again: a hub smaller than its children's working set, which would otherwise
livelock). It answers
when the fetch comes back, or ``miss_timeout_ms`` passes, with what came down
joined with what the child sent.

A crash of the front end drops the requests in flight (the children's next
epoch asks again); the replicas' disks are untouched.
"""

from __future__ import annotations

from .config import EdgeConfig
from .gather import GATHER, FrontEnd, Round
from .messages import Fill, Merge, Merged, SyncRequest, SyncResponse
from .sync import Meter
from .values import VALUE_TYPES

__all__ = ["Upstream"]

_NONE: dict = {}  # the answers of a replica that did not answer
_SILENT = object()  # a key a replica did not answer for


class _Sync(Round):
    """A child's sync in flight."""

    __slots__ = ("child", "sid", "entries", "blocking", "got", "order", "urgent", "out")


class Upstream(FrontEnd):
    """The front end of a hub (``upstream`` set) or of the root (``upstream=None``)."""

    def __init__(self, node_id: str, upstream: str | None, config: EdgeConfig, *, meter: Meter | None = None) -> None:
        super().__init__(node_id, upstream, config, meter)
        vt = VALUE_TYPES[config.value_type]
        self.join = vt.join
        self.bottom = vt.cls()  # the root's word for a key nobody has written
        self.served = 0
        self.passed_through = 0  # syncs answered only after asking above at once, though not blocking
        self._vouch = config.n - config.write_quorum + 1  # silent replicas the root needs to say "nothing"

    def on_message(self, ctx, src, msg) -> None:
        kind = type(msg)
        if kind is SyncRequest:
            self.serve(ctx, src, msg)
        elif kind is Merged:
            r = self.pending.get(msg.rid)
            if r is None or r.phase is not GATHER:
                return  # too late: not merged, not repaired
            i = int(src.rsplit("/r", 1)[1])
            if i in r.got:
                return  # a duplicated answer: counted once, and the round still waits for the others
            r.got[i] = msg.entries
            r.order.append((i, src))
            r.urgent.extend(msg.urgent)
            self.replied(ctx, r)
        elif kind is SyncResponse:
            self.on_fetch_response(ctx, msg)

    def serve(self, ctx, child, req: SyncRequest) -> None:
        """Scatter a child's request to the replicas that hold its keys."""
        self.served += 1
        r = _Sync()
        r.rid, r.child, r.sid, r.entries, r.blocking = self.new_rid(), child, req.sync_id, req.entries, req.blocking
        r.got, r.order, r.urgent, r.out = {}, [], [], None  # replica index -> its answers; arrival order
        ids = self.replica_ids
        groups = [{} for _ in ids]  # replica index -> the entries of the keys it holds
        table, where = self._table, self.where
        for k, v in req.entries.items():
            for i in table.get(k) or where(k):
                groups[i][k] = v
        asked = 0
        for i, sub in enumerate(groups):
            if sub:
                ctx.send(ids[i], Merge(r.rid, child, sub, req.blocking))
                asked += 1
        if not asked:
            return self.send(ctx, child, SyncResponse(req.sync_id, {}))
        self.open_round(ctx, r, asked, GATHER)

    def close(self, ctx, r: _Sync) -> None:
        if r.out is not None:  # a fetch from above timed out: answer what we have
            return self._respond(ctx, r)
        w, hub, join, got, vouch = self.config.write_quorum, self.upstream is not None, self.join, r.got, self._vouch
        table, where = self._table, self.where
        out, ask, urgent, fix = {}, [], bool(r.urgent), {}
        for k in r.entries:
            at = table.get(k) or where(k)
            # How many of its replicas merged it in time, the join of their answers, and whether
            # some answer is not that join (it lacks the key, or holds something else).
            c, a, differ = 0, None, False
            for i in at:
                v = got.get(i, _NONE).get(k, _SILENT)
                if v is _SILENT:
                    continue  # this replica did not answer in time
                c += 1
                if v is None:
                    differ = True
                elif a is None:
                    a = v
                elif v is not a:
                    a, differ = join(a, v), True
            if c < w:
                out[k] = None  # not on enough disks: the child must ask again
            elif a is not None:
                out[k] = a
                if differ:
                    self._fix(fix, at, got, k, a)
            elif hub:
                out[k] = None  # nothing from above here yet
                ask.append(k)
                if at[0] not in got:
                    urgent = True  # the replica that would ask above did not answer: we ask now
            else:
                out[k] = self.bottom if c >= vouch else None
        for i, src in r.order:  # read repair, in the order the answers came
            if i in fix:
                ctx.send(src, Fill(fix[i]))
        r.out = out
        if ask and (r.blocking or urgent):
            if not r.blocking:
                self.passed_through += 1
            return self.fetch(ctx, r, ask)
        self._respond(ctx, r)

    @staticmethod
    def _fix(fix: dict, at, got: dict, k, a) -> None:
        """Read repair: every replica that answered something other than ``a`` (the answer given)
        gets it. Not the root's bottom: a replica storing "never written" would vouch for what it
        has not seen (``a`` is never the bottom here)."""
        for i in at:
            v = got.get(i, _NONE).get(k, _SILENT)
            if v is not _SILENT and v is not a and v != a:
                fix.setdefault(i, {})[k] = a

    def fetched(self, ctx, r: _Sync, entries) -> None:
        out, join, fill = r.out, self.join, {}
        for k, came in entries.items():
            if came is not None and k in out:
                out[k] = join(came, r.entries[k])  # what came down, and what the child sent
                fill[k] = came
        if fill:  # it came down from above: the replicas may answer it from now on
            groups: dict = {}
            for k, v in fill.items():
                for i in self.where(k):
                    groups.setdefault(i, {})[k] = v
            for i, sub in groups.items():
                ctx.send(self.replica_ids[i], Fill(sub))
        self._respond(ctx, r)

    def _respond(self, ctx, r: _Sync) -> None:
        self.send(ctx, r.child, SyncResponse(r.sid, r.out))
