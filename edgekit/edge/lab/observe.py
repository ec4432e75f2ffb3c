"""The run's oracle: what clients saw, how stale it was, and how long writes took to spread.

An ``Observer`` is told about every client operation and every change of a
node's state for a key, and keeps plain records and counters. It knows
nothing of sites or sync, so the alternatives (asynchronous primary, gossip) can
feed it the same way and be measured by the same rules:

- **latency**: per PoP, for reads and writes, as the client saw it;
- **staleness** of a read: 0 if it reflects every write acknowledged
  anywhere before the read began, otherwise how long before the read the
  oldest write it misses was acknowledged. "Reflects" is the lattice order: write ``w`` is in state
  ``s`` when ``w <= s`` (for an LWW register, ``s`` holds ``w`` or a later write);
- **visibility** of a write (every ``probe_every``-th one is followed): when
  each node first holds it, and the time until every site that accesses the
  key after the write holds it;
- the **acknowledged writes**, kept for the lost-write check at the end.

The join of the writes acknowledged so far is monotone in time, so the
oldest write a read misses is found by binary search over those joins.

>>> from edgekit.crdt import GCounter
>>> obs = Observer(["LHR", "SYD"], probe_every=1)
>>> w1 = GCounter().increment("LHR.1")
>>> obs.write(10.0, "LHR", "k", Outcome(True, 0.4, w1))
>>> obs.read(250.0, "SYD", "k", Outcome(True, 0.3, None))      # SYD has not got it yet
>>> obs.staleness_ms
[240.0]
>>> obs.seen(900.0, "SYD", "k", w1); obs.visibility()[0].delay_ms
890.0
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from ..._checks import brief, check_items
from ..messages import Outcome
from ..values import join as plain_join
from ..values import leq as plain_leq

__all__ = ["Observer", "OpRecord", "Outcome", "Probe", "Visibility", "NO_OBSERVER"]


class _NoObserver:
    watched: dict = {}

    def read(self, *args) -> None: ...
    def write(self, *args) -> None: ...
    def seen(self, *args) -> None: ...


NO_OBSERVER = _NoObserver()


@dataclass(frozen=True, slots=True)
class OpRecord:
    """One client operation as the client saw it (``value`` is the user-visible value)."""

    time: float
    site: str
    key: str
    kind: str  # "read" or "write"
    ok: bool
    latency_ms: float | None
    value: object
    stale_ms: float | None = None  # reads only

    def to_json(self) -> dict:
        v = self.value
        if isinstance(v, (set, frozenset)):
            v = sorted(v, key=repr)
        return {"time": self.time, "site": self.site, "key": self.key, "kind": self.kind, "ok": self.ok,
                "latency_ms": self.latency_ms, "value": v, "stale_ms": self.stale_ms}


@dataclass
class Probe:
    """A followed write: where it is, and who will want it."""

    key: str
    time: float
    site: str
    state: object
    seen: dict = field(default_factory=dict)  # node -> first time it held the write


@dataclass(frozen=True)
class Visibility:
    """How long one write took to reach every interested site (None: some never got it)."""

    key: str
    time: float
    site: str
    delay_ms: float | None
    sites: int  # interested sites
    unseen: tuple  # interested sites that never held it


class Observer:
    """Collects client-visible records; ``leq``/``join`` may be the value type's fast ones."""

    def __init__(self, sites, *, record_ops: bool = False, probe_every: int = 50,
                 staleness_every: int = 1, leq=plain_leq, join=plain_join) -> None:
        for name, v in (("probe_every", probe_every), ("staleness_every", staleness_every)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={brief(v)}: expected a positive integer (1: every one)")
        self.sites = tuple(check_items(sites, "sites", str, "a list of site ids such as ['LHR', 'SYD']"))
        self.record_ops = record_ops
        self.ops: list[OpRecord] = []
        self.read_ms: dict[str, list[float]] = {s: [] for s in self.sites}
        self.write_ms: dict[str, list[float]] = {s: [] for s in self.sites}
        self.failed = 0
        self.reads = self.writes = self.misses = 0
        self.staleness_ms: list[float] = []
        self.staleness_every = staleness_every
        self.probe_every = probe_every
        self.probes: list[Probe] = []
        self._probes_by_key: dict[str, list[Probe]] = {}
        self._accessed: dict[str, dict] = {}  # followed key -> site -> its latest access time
        self.leq = leq
        self.join = join
        self.acked_times: dict[str, list[float]] = {}  # key -> ack times of its writes
        self.acked_joins: dict[str, list] = {}  # key -> join of the writes acknowledged so far
        self.acked: dict[str, list] = {}  # key -> every acknowledged write's state

    def read(self, t: float, site: str, key: str, out) -> None:
        self.reads += 1
        if not out.ok:
            self.failed += 1
            stale = None
        else:
            self.read_ms[site].append(out.latency_ms)
            if out.state is None:
                self.misses += 1
            stale = None
            if self.reads % self.staleness_every == 0:
                stale = self.staleness(t, key, out.state)
                self.staleness_ms.append(stale)
        if key in self._probes_by_key:
            self._accessed[key][site] = t
        if self.record_ops:
            self.ops.append(OpRecord(t, site, key, "read", out.ok, out.latency_ms, out.value, stale))

    def write(self, t: float, site: str, key: str, out) -> None:
        self.writes += 1
        if not out.ok:
            self.failed += 1
        else:
            self.write_ms[site].append(out.latency_ms)
            written = getattr(out, "written", None)  # the write's own effect, when the reply says it
            state = out.state if written is None else written
            times = self.acked_times.get(key)
            if times is None:
                times = self.acked_times[key] = []
                self.acked_joins[key] = []
                self.acked[key] = []
            joins = self.acked_joins[key]
            times.append(t)
            joins.append(self.join(joins[-1], state) if joins else state)
            self.acked[key].append(state)
            if key in self._probes_by_key:
                self._accessed[key][site] = t
            if self.writes % self.probe_every == 0:
                p = Probe(key, t, site, state, {site: t})
                self.probes.append(p)
                self._probes_by_key.setdefault(key, []).append(p)
                self._accessed.setdefault(key, {})[site] = t
        if self.record_ops:
            self.ops.append(OpRecord(t, site, key, "write", out.ok, out.latency_ms, out.value))

    @property
    def watched(self) -> dict:
        """Keys with followed writes: callers may skip ``seen`` for any other key."""
        return self._probes_by_key

    def seen(self, t: float, node: str, key: str, state) -> None:
        """A node's state for ``key`` changed to ``state``."""
        probes = self._probes_by_key.get(key)
        if probes:
            leq = self.leq
            for p in probes:
                if node not in p.seen and leq(p.state, state):
                    p.seen[node] = t

    def staleness(self, t: float, key: str, state) -> float:
        """How long before ``t`` the oldest write acknowledged by then that ``state`` misses was."""
        times = self.acked_times.get(key)
        if not times:
            return 0.0
        hi = bisect_right(times, t)
        if hi == 0:
            return 0.0
        joins, leq = self.acked_joins[key], self.leq
        if state is not None and leq(joins[hi - 1], state):
            return 0.0
        if state is None:
            return t - times[0]
        # joins[i] <= state holds for a prefix of i: find where it stops.
        lo = bisect_left(range(hi), True, key=lambda i: not leq(joins[i], state))
        return t - times[lo]

    def visibility(self, until: float | None = None) -> list[Visibility]:
        """One record per followed write; sightings after ``until`` (say, the end of the
        client load, before a final quiet sync) do not count."""
        out = []
        for p in self.probes:
            # Interested: the writer, and the sites whose latest access to the key came after it.
            interested = dict.fromkeys([p.site, *(s for s, t in self._accessed[p.key].items() if t >= p.time)])
            unseen = tuple(s for s in interested
                           if s not in p.seen or (until is not None and p.seen[s] > until))
            delay = None if unseen else max(p.seen[s] for s in interested) - p.time
            out.append(Visibility(p.key, p.time, p.site, delay, len(interested), unseen))
        return out
