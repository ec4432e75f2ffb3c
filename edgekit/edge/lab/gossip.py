"""The second design the talk rejects: a gossip mesh of PoPs that merge CRDTs.

Every PoP serves reads and writes locally, like an edge site, and spreads
what it knows by *anti-entropy*: every ``interval_ms`` it picks ``fanout``
peers and reconciles with each one, push and pull, in three messages. The
reconciliation is Scuttlebutt's (van Renesse, Dumitriu, Gough and Thomas,
"Efficient Reconciliation and Flow Control for Anti-Entropy Protocols", 2008):

1. ``Digest``: for every *origin* (the PoP a write was made at), the highest
   version of that origin's updates this PoP holds. Its size grows with the
   number of PoPs, not of keys.
2. ``DigestReply``: the peer's own digest, plus every update it holds that
   is newer than the first digest says (``deltas``).
3. ``Deltas``: the updates the first PoP holds that are newer than the peer's
   digest.

An update is ``(origin, version, key, state)``: the key's CRDT state at the
origin right after its write number ``version``. A PoP keeps only the newest
update per origin and key (a later state at one place includes the earlier
one), merges every update it receives into its store, and passes updates on
unchanged, so the mesh needs no ordering: merges are idempotent.

Peers are chosen as SWIM does (Das, Gupta and Motivala, 2002): walk a shuffled
list of every other PoP round-robin and reshuffle when it runs out, so every
peer is contacted within a bounded number of rounds. Membership is static (no
joins or suspicion): the comparison is about where state lives, and that is
the same with a failure detector.

>>> from edgekit.edge.lab.workload import Workload
>>> mesh = GossipSystem(["LHR", "SYD", "IAD", "NRT"], GossipConfig(fanout=1), seed=1)
>>> mesh.drive(Workload(("LHR", "SYD", "IAD", "NRT"), keys=5, ops=300, rates=100.0))
>>> mesh.settle(), mesh.lost_writes().lost
(True, 0)
>>> len({repr(mesh.state(s, "k0")) for s in mesh.site_ids})    # every PoP holds the same k0
1
"""

from __future__ import annotations

from dataclasses import dataclass

from ..._checks import brief
from ..messages import Outcome
from .harness import Bench, BenchNode, check_positive

__all__ = ["GossipConfig", "GossipPeer", "GossipSystem", "Digest", "DigestReply", "Deltas"]


@dataclass(frozen=True)
class GossipConfig:
    """Knobs of the gossip mesh (times in ms)."""

    fanout: int = 2  # peers reconciled with per round
    interval_ms: float = 1_000.0  # time between two rounds at one PoP
    local_ms: float = 0.5  # a round trip to storage inside a PoP (as EdgeConfig.replica_rtt_ms)
    value_type: str = "lww"

    def __post_init__(self) -> None:
        check_positive("fanout", self.fanout, integer=True, what=" (peers contacted per round)")
        check_positive("interval_ms", self.interval_ms, what=" (the time between two gossip rounds)")
        check_positive("local_ms", self.local_ms)


def _deltas_json(deltas: tuple) -> list:
    return [[o, v, k, s.to_json()] for o, v, k, s in deltas]


@dataclass(frozen=True, slots=True)
class Digest:
    """Origin -> highest version held: what I have, for you to compare."""

    digest: dict

    def to_json(self) -> dict:
        return {"type": "Digest", "digest": self.digest}


@dataclass(frozen=True, slots=True)
class DigestReply:
    """My digest, and the updates I hold that yours lacks."""

    digest: dict
    deltas: tuple

    def to_json(self) -> dict:
        return {"type": "DigestReply", "digest": self.digest, "deltas": _deltas_json(self.deltas)}

    def states(self, key):
        return [s for _, _, k, s in self.deltas if k == key]


@dataclass(frozen=True, slots=True)
class Deltas:
    """The updates I hold that your digest lacks."""

    deltas: tuple

    def to_json(self) -> dict:
        return {"type": "Deltas", "deltas": _deltas_json(self.deltas)}

    def states(self, key):
        return [s for _, _, k, s in self.deltas if k == key]


class GossipPeer(BenchNode):
    """One PoP of the mesh: a local store, the newest update per (origin, key), a digest."""

    def __init__(self, node_id: str, peers: tuple, config: GossipConfig, observer, meter) -> None:
        super().__init__(node_id, config.value_type, config.local_ms, observer, meter)
        self.peers = tuple(p for p in peers if p != node_id)
        self.config = config
        self.clock: dict[str, int] = {}  # origin -> highest version held (the digest)
        self.updates: dict[str, dict] = {}  # origin -> key -> (version, state)
        self._walk: list = []  # SWIM's shuffled round-robin of peers still to contact

    # -- client operations: local, inside the request -------------------------------------------

    def read(self, ctx, key: str) -> None:
        self.obs.read(ctx.now, self.node_id, key, Outcome(True, self.local_reply_ms(ctx), self.store.get(key)))

    def write(self, ctx, key: str, i: int) -> None:
        me = self.node_id
        ts = ctx.clock() if self.vtype.uses_clock else None
        new, _ = self.vtype.write(self.store.get(key), me, i, ts)
        self.store[key] = new
        version = self.clock.get(me, 0) + 1
        self.clock[me] = version
        self.updates.setdefault(me, {})[key] = (version, new)
        self.obs.seen(ctx.now, me, key, new)
        self.obs.write(ctx.now, me, key, Outcome(True, self.local_reply_ms(ctx), new))

    # -- anti-entropy -------------------------------------------------------------------------

    def next_peers(self, rng) -> list:
        """The next ``fanout`` peers of the shuffled round-robin (reshuffled when used up)."""
        out: list = []
        want = min(self.config.fanout, len(self.peers))
        while len(out) < want:
            if not self._walk:
                self._walk = list(self.peers)
                rng.shuffle(self._walk)
            p = self._walk.pop()
            if p not in out:
                out.append(p)
        return out

    def deltas_for(self, digest: dict) -> tuple:
        """Every update held here with a version above what ``digest`` says, oldest first per origin."""
        out = []
        for origin, top in self.clock.items():
            seen = digest.get(origin, 0)
            if top > seen:
                newer = [(v, k, s) for k, (v, s) in self.updates[origin].items() if v > seen]
                newer.sort(key=_version)
                out.extend((origin, v, k, s) for v, k, s in newer)
        return tuple(out)

    def absorb(self, ctx, deltas: tuple) -> None:
        """Merge updates into the store and keep the newest per (origin, key)."""
        clock, updates = self.clock, self.updates
        for origin, v, key, state in deltas:
            self.merge_in(ctx, key, state)
            mine = updates.setdefault(origin, {})
            old = mine.get(key)
            if old is None or old[0] < v:
                mine[key] = (v, state)
            if clock.get(origin, 0) < v:
                clock[origin] = v

    def on_start(self, ctx) -> None:
        ctx.set_timer(ctx.rng.random() * self.config.interval_ms, "round")

    def on_timer(self, ctx, tag) -> None:
        for p in self.next_peers(ctx.rng):
            self.send(ctx, p, Digest(dict(self.clock)))
        ctx.set_timer(self.config.interval_ms, "round")

    def on_message(self, ctx, src, msg) -> None:
        kind = type(msg)
        if kind is Digest:
            self.send(ctx, src, DigestReply(dict(self.clock), self.deltas_for(msg.digest)))
        elif kind is DigestReply:
            self.absorb(ctx, msg.deltas)
            back = self.deltas_for(msg.digest)
            if back:  # push: quiet when the peer already has everything
                self.send(ctx, src, Deltas(back))
        elif kind is Deltas:
            self.absorb(ctx, msg.deltas)


def _version(update: tuple) -> int:
    return update[0]


class GossipSystem(Bench):
    """Every site a gossip peer; no upstream, no primary."""

    def __init__(self, sites, config: GossipConfig | None = None, **bench) -> None:
        config = GossipConfig() if config is None else config
        if not isinstance(config, GossipConfig):
            raise TypeError(f"config={brief(config)}: expected a GossipConfig")
        super().__init__(sites, value_type=config.value_type, **bench)
        self.config = config
        self.step_ms = config.interval_ms
        for s in self.site_ids:
            self.add(s, GossipPeer(s, self.site_ids, config, self.observer, self.meter))
        self.net.start()

    def quiet(self) -> bool:
        """Every peer's digest is the same: each holds every update."""
        clocks = [n.clock for n in self.nodes.values()]
        return all(c == clocks[0] for c in clocks)

    def authority(self, key):
        """The join of every peer's copy: what the mesh as a whole holds."""
        out = None
        for node in self.nodes.values():
            out = self.join(out, node.store.get(key))
        return out

    @property
    def join(self):
        return next(iter(self.nodes.values())).join
