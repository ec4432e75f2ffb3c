"""Scatter-gather at a front end: send to a key's replicas, merge what comes back in time.

Every cluster (a site, a hub, the root) has a front end that scatters each
request to the replicas of the keys it names and gathers their answers. The
talk's rule: wait for the first reply, however long that takes, then a short
timer (``gather_ms``, 50-100 ms); every reply that arrives before it fires is
merged, later ones are not. That bounds latency (first reply + timer) while any
one up-to-date replica is enough. Two edges the talk leaves open:

- a round that has every reply it waits for closes at once (nothing left to
  wait for);
- a round with no reply at all gives up after ``miss_timeout_ms`` (every
  replica down or cut off: the cluster cannot answer).

One timer serves all of a front end's open rounds. It is set for the earliest
moment a round could close (``gather_ms`` after the earliest start, a lower
bound on any round's deadline), and when it fires it closes every round that is
due and sets itself for the next. A healthy round closes on its last reply and
costs no timer event of its own, so a busy front end pays about one timer event
per ``gather_ms``, not one per request.

A front end also makes one-off blocking fetches from its upstream
(``fetch``): a ``SyncRequest`` with ``blocking=True`` whose answer completes the
round, or ``miss_timeout_ms`` passes. Fetch ids are the round's request ids,
unique for the node's lifetime, so a late answer never completes a newer round.
"""

from __future__ import annotations

import math

from edgekit.sim.node import Node

from .._checks import brief
from .config import EdgeConfig
from .hashing import placement, placement_table
from .messages import SyncRequest, SyncResponse
from .sync import Meter

__all__ = ["FrontEnd", "Round", "GATHER", "PUT", "FETCH"]

GATHER, PUT, FETCH = "gather", "put", "fetch"  # what a round is waiting for
_TICK = "tick"
_INF = math.inf
_EPS = 1e-6  # ms: a timer set for ``at`` fires at ``now + (at - now)``, which may round below ``at``


class Round:
    """An open request at a front end: its id, what it waits for, when it closes."""

    __slots__ = ("rid", "phase", "waiting", "first", "deadline")


class FrontEnd(Node):
    """The scatter-gather half of a cluster; subclasses say what to do when a round closes."""

    def __init__(self, node_id: str, upstream: str | None, config: EdgeConfig, meter: Meter | None = None) -> None:
        if not isinstance(config, EdgeConfig):
            raise TypeError(f"config={brief(config)}: expected an EdgeConfig")
        self.node_id = node_id
        self.upstream = upstream
        self.config = config
        self.meter = meter if meter is not None else Meter(measure_bytes=False)
        self.replica_ids = tuple(f"{node_id}/r{i}" for i in range(config.replicas))
        self.pending: dict = {}  # request id -> Round still open
        self._rid = 0  # never reused, not even after a crash: late answers must not match
        self._tick_at = _INF
        self._table = placement_table(config.replicas, config.n)
        self._gather_ms = config.gather_ms
        self._timeout_ms = config.miss_timeout_ms

    def where(self, key) -> tuple:
        """Indices of the replicas that hold ``key``."""
        return self._table.get(key) or placement(key, self.config.replicas, self.config.n)

    def new_rid(self) -> int:
        self._rid += 1
        return self._rid

    def resume_ids(self, base: int) -> None:
        """Number new requests from ``base`` on: a rebuilt front end (a restarted process) must not reuse
        an earlier life's ids, or a late answer to the old request would match the new one."""
        if isinstance(base, bool) or not isinstance(base, int) or base < self._rid:
            raise ValueError(f"base={brief(base)}: expected an int at least the last id used, {self._rid}")
        self._rid = base

    def send(self, ctx, dst, msg) -> None:
        if type(msg) is SyncRequest or type(msg) is SyncResponse:
            self.meter.count(msg)  # WAN traffic; the in-site network is not metered
        ctx.send(dst, msg)

    # -- rounds -------------------------------------------------------------------------------

    def open_round(self, ctx, r: Round, count: int, phase: str) -> None:
        """``count`` requests for round ``r`` just went out: wait for their answers."""
        r.phase, r.waiting, r.first = phase, count, None
        now = ctx.now
        r.deadline = now + self._timeout_ms
        self.pending[r.rid] = r
        at = now + self._gather_ms
        if at < self._tick_at:  # the timer is set for later (or not at all): bring it forward
            self._tick(ctx, at)

    def replied(self, ctx, r: Round, count: int = 1) -> None:
        """An answer for ``r`` arrived (the caller has merged it, and counted it unless ``count``)."""
        r.waiting -= count
        if r.first is None:
            now = ctx.now
            r.first = now
            d = now + self._gather_ms
            if d < r.deadline:
                r.deadline = d
        if r.waiting <= 0:
            del self.pending[r.rid]
            self.close(ctx, r)

    def fetch(self, ctx, r: Round, keys) -> None:
        """Ask our upstream for ``keys`` now (a blocking one-off sync); ``fetched`` gets the answer."""
        self.send(ctx, self.upstream, SyncRequest(r.rid, dict.fromkeys(keys), blocking=True))
        r.phase, r.waiting, r.first = FETCH, 1, None
        r.deadline = ctx.now + self._timeout_ms
        self.pending[r.rid] = r
        self._tick(ctx, r.deadline)

    def on_fetch_response(self, ctx, msg: SyncResponse) -> bool:
        """Complete the fetch ``msg`` answers (False: none is open, it came late or twice)."""
        r = self.pending.get(msg.sync_id)
        if r is None or r.phase != FETCH:
            return False
        del self.pending[r.rid]
        self.fetched(ctx, r, msg.entries)
        return True

    def close(self, ctx, r: Round) -> None:  # pragma: no cover - every front end overrides it
        """Round ``r`` is over (every answer in, or its time is up); it is no longer pending."""
        raise NotImplementedError

    def fetched(self, ctx, r: Round, entries) -> None:  # pragma: no cover
        """The fetch of round ``r`` was answered with ``entries`` (``close`` runs on a timeout)."""
        raise NotImplementedError

    def _tick(self, ctx, at: float) -> None:
        if at < self._tick_at:
            self._tick_at = at
            ctx.set_timer(at - ctx.now, _TICK)

    def on_timer(self, ctx, tag) -> None:
        if tag != _TICK:
            return
        now = ctx.now + _EPS
        if self._tick_at <= now:
            self._tick_at = _INF  # this is the tick we set (an older, later one finds a newer set)
        pending = self.pending
        for r in [r for r in pending.values() if r.deadline <= now]:
            if pending.get(r.rid) is r:
                del pending[r.rid]
                self.close(ctx, r)
        if pending:
            self._tick(ctx, min(r.deadline for r in pending.values()))

    def on_crash(self) -> None:
        self.pending.clear()
        self._tick_at = _INF

    def busy(self) -> bool:
        return bool(self.pending)
