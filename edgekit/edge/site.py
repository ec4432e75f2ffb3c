"""A site: one PoP's replicas, serving reads and writes locally inside the request.

Inside a PoP there are ``replicas`` storage processes. Each key lives on
``n`` of them, chosen by rendezvous hashing that every instance computes for
itself (``edgekit.edge.hashing``): no ownership table. A client request
scatters to the key's ``n`` replicas and gathers their CRDTs:

- the client is answered with the **first reply** (a read miss if that
  replica lacks the key);
- the front end keeps gathering for ``gather_ms`` (50-100 ms in the talk)
  and merges every reply that came in time;
- **read repair**: every replica whose reply differs from that merge gets a
  one-object sync (the merged value).

A read miss (the first reply lacks the key) is served as missing with
``read_miss="missing"``: the key joins the interest set and the object
appears after a sync. With ``read_miss="block"`` the front end waits for the
other replies and, if none has the key, for a blocking one-key sync with its
upstream (or ``miss_timeout_ms``): a better answer, at the price of a round trip.

A write is applied to the merge of the gathered replies with the value
type's mutator (``edgekit.edge.values``) and the result goes to all ``n``
replicas; the write is acknowledged with the first reply. Then the key joins
the site's interest set and is *dirty* until a completed sync covers it
(``edgekit.edge.sync``).

How the simulation treats the inside of a PoP: the replicas are objects of
this one node and a request reaches them by direct calls. Each reply's
latency is drawn (``replica_rtt_ms`` times a uniform factor in [0.5, 1.5],
plus any slowness a fault gave the replica) and charged to the client, but
the state is read and written at the instant of the request: at well under a
millisecond inside one building this changes nothing the talk is about, and
it keeps a client operation one simulator event. A replica can be down
(it answers nothing and misses writes) or slow (its reply comes after
``gather_ms``: not merged, not repaired) via ``set_replica``.

Actor ids. Counters, MV registers and OR-Sets mint a dot or a counter entry
for the acting replica, and reusing one loses writes. The site acts as
``"<site>.<k>"`` and takes a fresh ``k`` (an *actor lease*) whenever it
cannot be sure its gathered state holds every dot it minted before: on the
first write to a key, after any of the key's replicas evicted it, and when
not all ``n`` replicas answered in time. LWW registers need no lease: the
site id only breaks timestamp ties.

>>> from edgekit.edge.config import EdgeConfig
>>> from edgekit.edge.testing import FakeContext
>>> site = Site("LHR", "hub:FRA", EdgeConfig(replicas=3, n=2))
>>> ctx = FakeContext("LHR", now=5.0)
>>> site.write(ctx, "cart", 1).value, site.read(ctx, "cart").value
(1, 1)
>>> site.sync(ctx); ctx.sent[0][1].entries["cart"].value
1
1
"""

from __future__ import annotations

import math

from edgekit.clocks.hlc import HLC

from .config import EdgeConfig
from .hashing import _PLACEMENTS, placement
from .messages import Outcome, SyncRequest
from .store import Store
from .sync import Meter, SyncNode
from .values import VALUE_TYPES

__all__ = ["Site", "Outcome", "placement"]

class _NoObserver:
    watched: dict = {}

    def read(self, *args) -> None: ...
    def write(self, *args) -> None: ...
    def seen(self, *args) -> None: ...


NO_OBSERVER = _NoObserver()


class Site(SyncNode):
    """A PoP: replicas with LRU stores, local reads and writes, pull sync with its upstream."""

    def __init__(self, node_id: str, upstream: str | None, config: EdgeConfig, *,
                 meter: Meter | None = None, observer=None) -> None:
        if not isinstance(config, EdgeConfig):
            raise TypeError(f"config={config!r}: expected an EdgeConfig")
        super().__init__(node_id, upstream, config.epoch_ms, meter)
        self.config = config
        self.vtype = VALUE_TYPES[config.value_type]
        self.join = self.vtype.join
        self.stores = [Store(config.capacity, on_evict=self._evicted) for _ in range(config.replicas)]
        self._datas = [s.data for s in self.stores]
        self.up = [True] * config.replicas
        self.slow_ms = [0.0] * config.replicas
        self.obs = NO_OBSERVER if observer is None else observer
        self.repairs = 0
        self.misses = 0
        self.hlc = HLC()
        self._table = _PLACEMENTS.setdefault((config.replicas, config.n), {})
        self._healthy = self._is_healthy()
        self._leases: dict[str, str] = {}
        self._actors = 0
        self._waiting: dict[int, tuple] = {}  # blocking fetch id -> (key, invoke time, gathered)

    # -- the inside of the PoP ----------------------------------------------------------------

    def set_replica(self, index: int, up: bool = True, slow_ms: float = 0.0) -> None:
        """Take replica ``index`` down or up, or make its replies ``slow_ms`` late."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.stores):
            raise ValueError(f"index={index!r}: expected a replica index in 0..{len(self.stores) - 1}")
        if not (slow_ms >= 0) or slow_ms == math.inf:
            raise ValueError(f"slow_ms={slow_ms!r}: expected a finite delay >= 0")
        self.up[index] = bool(up)
        self.slow_ms[index] = float(slow_ms)
        self._healthy = self._is_healthy()

    def _is_healthy(self) -> bool:
        c = self.config
        return all(self.up) and not any(self.slow_ms) and 1.5 * c.replica_rtt_ms <= c.gather_ms

    def _evicted(self, key) -> None:
        self._leases.pop(key, None)  # its dots may be gone from this site: next write, new actor

    def _gather(self, ctx, key):
        """Scatter to the key's replicas and gather: (first reply ms, its state, merge of the
        timely replies, time of the last timely reply, how many were timely); read-repairs."""
        c, datas, join = self.config, self._datas, self.join
        where = self._table.get(key) or placement(key, c.replicas, c.n)
        rand = ctx.rng.random
        n = len(where)
        if self._healthy:
            # Every replica is up and answers well inside the timer: the first to answer is
            # uniform over them, and the first (last) reply time is the minimum (maximum) of
            # n uniform draws; no list of replies to build and sort on the hot path.
            first_i = where[int(rand() * n)]
            u = rand() ** (1.0 / n)
            first_ms, last_ms = c.replica_rtt_ms * (1.5 - u), c.replica_rtt_ms * (0.5 + u)
            first = merged = None
            uniform, seen = True, False
            for i in where:
                data = datas[i]
                v = data.get(key)
                if v is not None:
                    data.move_to_end(key)  # a client touched it: most recently used
                if i == first_i:
                    first = v
                if not seen:
                    merged, seen = v, True
                elif v is not merged:
                    uniform = False
                    merged = join(merged, v)
            if not uniform:
                self._repair(key, where, merged)
            return first_ms, first, merged, last_ms, n
        rtt, up, slow = c.replica_rtt_ms, self.up, self.slow_ms
        replies = []
        for i in where:
            if up[i]:
                data = datas[i]
                v = data.get(key)
                if v is not None:
                    data.move_to_end(key)
                replies.append((rtt * (0.5 + rand()) + slow[i], i, v))
        if not replies:
            return None, None, None, None, 0
        replies.sort()  # by reply time; indices are unique, so states are never compared
        timely = [(d, i) for d, i, _ in replies if d <= c.gather_ms]
        merged = None
        for d, _, v in replies:
            if d <= c.gather_ms:
                merged = join(merged, v)
        if merged is not None:
            self._repair(key, [i for _, i in timely], merged)
        last_ms = timely[-1][0] if timely else None
        return replies[0][0], replies[0][2], merged, last_ms, len(timely)

    def _repair(self, key, where, merged) -> None:
        """Read repair: a one-object sync to every replica whose answer differs from the merge."""
        dirty = self.interest.dirty
        for i in where:
            v = self._datas[i].get(key)
            if v is not merged and v != merged:
                self.stores[i].put(key, merged, dirty)
                self.repairs += 1

    def state_of(self, key):
        """The merge of what this site's up replicas hold for ``key`` (no LRU touch)."""
        return self.states_of((key,))[key]

    def states_of(self, keys) -> dict:
        c, join, up, datas, table = self.config, self.join, self.up, self._datas, self._table
        out = {}
        for key in keys:
            state = None
            for i in table.get(key) or placement(key, c.replicas, c.n):
                if up[i]:
                    v = datas[i].get(key)
                    if v is not None:
                        state = v if state is None else join(state, v)
            out[key] = state
        return out

    def held_keys(self) -> list[str]:
        """Every key some replica holds (in replica order, then each replica's LRU order)."""
        return list(dict.fromkeys(k for s in self.stores for k in s.data))

    def merge_entries(self, ctx, entries: dict) -> None:
        """Merge each value into every up replica of its key (a sync response, a fetch)."""
        c, join, up, stores, table = self.config, self.join, self.up, self.stores, self._table
        dirty, touched, cap = self.interest.dirty, self.interest.touched, c.capacity
        watched, now, me = self.obs.watched, ctx.now, self.node_id
        for key, value in entries.items():
            if value is None:
                touched[key] = None  # "not here yet": the upstream is fetching it; ask again
                continue
            m = None
            for i in table.get(key) or placement(key, c.replicas, c.n):
                if up[i]:
                    store = stores[i]
                    data = store.data
                    cur = data.get(key)
                    m = join(cur, value)
                    if m is not cur:
                        data[key] = m  # Store.put, inlined: this loop is most of a sync
                        data.move_to_end(key)
                        if cap is not None and len(data) > cap:
                            store.shrink(dirty)
            if m is not None and key in watched:
                self.obs.seen(now, me, key, m)

    # -- client operations --------------------------------------------------------------------

    def read(self, ctx, key: str) -> Outcome:
        """Serve a read inside the request: the first reply; repair the rest in the background."""
        now = ctx.now
        self.interest.touched[key] = None  # read misses included: that is how the object gets here
        first_ms, first, merged, last_ms, _ = self._gather(ctx, key)
        if first_ms is None:
            out = Outcome(False, None, None)  # no replica up: the PoP cannot answer
        elif first is not None:
            out = Outcome(True, first_ms, first)
        else:
            self.misses += 1
            if self.config.read_miss == "missing":
                out = Outcome(True, first_ms, None)
            elif merged is not None:  # another replica had it: answer at the last timely reply
                out = Outcome(True, last_ms, merged)
            elif self.upstream is not None:
                return self._read_through(ctx, key)
            else:
                out = Outcome(True, first_ms, None)
        self.obs.read(now, self.node_id, key, out)
        return out

    def _read_through(self, ctx, key) -> Outcome:
        """A miss in "block" mode that no replica can fill: wait for a sync with upstream."""
        sid = self.interest.next_id
        self.interest.next_id += 1
        self._waiting[sid] = (key, ctx.now)
        self.send(ctx, self.upstream, SyncRequest(sid, {key: None}, blocking=True))
        ctx.set_timer(self.config.miss_timeout_ms, ("miss", sid))
        return Outcome(True, None, None, pending=True)

    def write(self, ctx, key: str, i: int) -> Outcome:
        """Apply write number ``i`` to the merge of the replies; store it on every up replica."""
        now = ctx.now
        first_ms, _, cur, _, timely = self._gather(ctx, key)
        if first_ms is None:
            out = Outcome(False, None, None)  # no replica up: the write is not acknowledged
            self.obs.write(now, self.node_id, key, out)
            return out
        c, join, vtype = self.config, self.join, self.vtype
        if vtype.uses_actor:
            actor = self._leases.get(key)
            if actor is None or timely < c.n:
                self._actors += 1
                actor = self._leases[key] = f"{self.node_id}.{self._actors}"
        else:
            actor = self.node_id
        ts = self._timestamp(ctx, cur) if vtype.uses_clock else None
        new = vtype.write(cur, actor, i, ts)
        interest = self.interest
        interest.wrote(key)
        dirty, up, stores = interest.dirty, self.up, self.stores
        for r in self._table.get(key) or placement(key, c.replicas, c.n):
            if up[r]:  # late replies get the write too (it is merged with what they hold)
                stores[r].put(key, join(stores[r].data.get(key), new), dirty)
        if key in self.obs.watched:
            self.obs.seen(now, self.node_id, key, new)
        out = Outcome(True, first_ms, new)
        self.obs.write(now, self.node_id, key, out)
        return out

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

    # -- messages and timers ------------------------------------------------------------------

    def on_message(self, ctx, src, msg) -> None:
        self.on_sync_response(ctx, msg)
        waiting = self._waiting.pop(msg.sync_id, None)
        if waiting is not None:
            key, t0 = waiting
            out = Outcome(True, ctx.now - t0, self.state_of(key))
            self.obs.read(t0, self.node_id, key, out)

    def on_timer(self, ctx, tag) -> None:
        if type(tag) is tuple and tag[0] == "miss":
            waiting = self._waiting.pop(tag[1], None)
            if waiting is not None:  # no answer in time: served as missing after all
                key, t0 = waiting
                out = Outcome(True, ctx.now - t0, self.state_of(key))
                self.obs.read(t0, self.node_id, key, out)
        else:
            super().on_timer(ctx, tag)

    def on_crash(self) -> None:
        self._waiting.clear()  # in-flight client requests die with the process

    def busy(self) -> bool:
        return bool(self._waiting) or super().busy()

