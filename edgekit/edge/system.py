"""The whole edge system on the simulated planet: clusters of nodes, clients, and quiet.

``EdgeSystem`` builds every cluster of a ``Topology`` on an ``edgekit.sim.Network``
at its real place: a front end (``Site`` for a site, ``Upstream`` for a hub or
the root) and ``config.replicas`` storage processes (``Replica``) with node ids
``"<cluster>/r0"`` ... on the same PoP (the in-site network). Each node is a
simulator node that can crash, restart, be cut off, be slow, and (site replicas)
lose its disk, by node id on the fault timeline (``edgekit.sim.DiskLoss``,
``Slow``). A crash of ``"LHR"`` takes the site's front end down, not its disks.

Links inside a PoP (front end to replicas) are a LAN: the fault model's link
faults (loss, duplication, reordering) are the WAN's, and in-site links have
their own, ``insite`` (default: none). Cuts and crashes apply everywhere.

It plays the clients too: ``drive`` runs a workload's operations at their
times, ``call`` runs one operation and waits for its reply, and every reply is
kept as a ``ClientOp`` in ``history`` (writes always; reads with
``record_reads=True``), which is what the checkers judge.

The end of a run is the protocol's own, with no repair pass:

- ``heal()`` ends every fault (cuts, crashes, slowness; links become perfect);
- ``quiet()`` runs epochs until no node owes or awaits anything (a
  ``RuntimeError`` after 200 epochs: a protocol that does not converge is a bug,
  not a state to judge);
- ``settle()`` is both; ``lost_writes()`` then checks the root against the
  client history (``edgekit.edge.lab.checks``);
- ``read_round()``: every site reads every key it holds, then quiet: a site
  learns what changed above only for keys its clients touch, so copies equal the
  root's after one read round per level of the tree.

>>> from edgekit.edge.topology import Topology
>>> system = EdgeSystem(Topology.flat(["LHR", "SYD"], root="SIN"), EdgeConfig(epoch_ms=200), seed=1)
>>> system.call("LHR", "write", "k0", 1).ok, system.call("SYD", "read", "k0").value   # a miss
(True, None)
>>> system.settle(); system.lost_writes().lost
0
>>> system.read_round(); system.state("SYD", "k0").value, system.state("root:SIN", "k0").value
(1, 1)
"""

from __future__ import annotations

from edgekit.sim import FaultModel, LatencyModel, LinkFaults, Network, Simulator
from edgekit.sim.faults import Crash, DiskLoss, Restart, Slow

from .._checks import brief
from .clients import Clients, long_lived
from .config import EdgeConfig
from .history import ClientOp
from .replica import Replica
from .site import READ, Site
from .sync import Meter
from .topology import Topology, site_place
from .upstream import Upstream
from .values import VALUE_TYPES

__all__ = ["EdgeSystem", "cluster_of", "make_cluster"]

def cluster_of(node_id: str) -> str:
    """The cluster a node id belongs to: ``"LHR/r1"`` -> ``"LHR"`` (a front end is its own)."""
    if not isinstance(node_id, str):
        raise TypeError(f"node_id={brief(node_id)}: expected a node id string such as 'LHR/r1'")
    return node_id.split("/", 1)[0]


def make_cluster(cluster: str, upstream: str | None, tier: str, config: EdgeConfig, *,
                 meter: Meter | None = None, stores=None) -> tuple:
    """The nodes of one cluster: ``(front end, {replica id: Replica})``.

    ``tier`` is "site" (a ``Site`` front end), "hub" or "root" (an ``Upstream``);
    ``stores`` (replica id -> ``Store``) gives replicas their disks (default: in memory).
    Any context can run them: ``EdgeSystem`` puts them on the simulator, ``HandNet`` on a
    hand-driven wire, a live driver on real processes.
    """
    if not isinstance(cluster, str) or not cluster:
        raise TypeError(f"cluster={brief(cluster)}: expected a cluster id string such as 'LHR' or 'hub:FRA'")
    if upstream is not None and not isinstance(upstream, str):
        raise TypeError(f"upstream={brief(upstream)}: expected a cluster id string or None (the root)")
    if tier not in ("site", "hub", "root"):
        raise ValueError(f"tier={brief(tier)}: expected 'site', 'hub' or 'root'")
    if stores is not None and not callable(getattr(stores, "get", None)):
        raise TypeError(f"stores={brief(stores)}: expected a mapping of replica id to Store (anything with "
                        ".get(replica id)), or None")
    if tier == "site":
        front = Site(cluster, upstream, config, meter=meter)
    else:
        front = Upstream(cluster, upstream, config, meter=meter)
    stores = stores or {}
    replicas = {rid: Replica(rid, cluster, tier, upstream, config, store=stores.get(rid), meter=meter)
                for rid in front.replica_ids}
    return front, replicas


class EdgeSystem(Clients):
    """Sites, hubs and a root, each a front end and replicas, on a simulated network."""

    def __init__(self, topology: Topology, config: EdgeConfig | None = None, *, seed: int = 0,
                 faults: FaultModel | None = None, latency: LatencyModel | None = None, record="none",
                 observer=None, measure_bytes: bool = True, record_reads: bool = False,
                 max_events: int | None = None, insite: LinkFaults | None = None) -> None:
        if not isinstance(topology, Topology):
            raise TypeError(f"topology={brief(topology)}: expected an edgekit.edge.Topology")
        self.config = config = EdgeConfig() if config is None else config
        if not isinstance(config, EdgeConfig):
            raise TypeError(f"config={brief(config)}: expected an EdgeConfig")
        if max_events is not None and (isinstance(max_events, bool) or not isinstance(max_events, int)
                                       or max_events < 1):
            raise ValueError(f"max_events={brief(max_events)}: expected a positive integer or None")
        self.topology = topology
        self.sim = Simulator(seed=seed)
        self.net = Network(self.sim, latency=latency, faults=faults, record=record)
        self.meter = Meter(measure_bytes)
        self.vtype = VALUE_TYPES[config.value_type]
        self.observer = observer
        self.record_reads = record_reads
        self.history: list[ClientOp] = []
        self.sites: dict[str, Site] = {}
        self.upstreams: dict[str, Upstream] = {}
        self.replicas: dict[str, Replica] = {}
        self.clusters: dict[str, tuple[str, ...]] = {}  # cluster id -> its replicas' node ids
        self.contexts: dict = {}
        watched, seen = (observer.watched, observer.seen) if observer is not None else ({}, None)
        for cluster, parent in topology.upstream.items():
            place = site_place(cluster)
            tier = "site" if cluster in topology.sites else "hub" if parent is not None else "root"
            front, reps = make_cluster(cluster, parent, tier, config, meter=self.meter)
            (self.sites if tier == "site" else self.upstreams)[cluster] = front
            self.contexts[cluster] = self.net.add_node(cluster, front, place=place)
            self.clusters[cluster] = front.replica_ids
            for rid, rep in reps.items():
                self.replicas[rid] = rep
                if seen is not None:
                    rep.watch(watched, seen)
                self.contexts[rid] = self.net.add_node(rid, rep, place=place)
        self._check_timeline(self.net.faults)
        # A PoP's own network is a LAN: the fault model's link faults are the WAN's. Inside a
        # cluster, links lose, duplicate and reorder only as ``insite`` says (default: never).
        self.net.pin_links(((a, b) for c, reps in self.clusters.items() for r in reps for a, b in ((c, r), (r, c))),
                           insite)
        self.writes = 0
        self.client_events = 0
        self.end_ms: float | None = None
        self.max_events = max_events
        self._events0 = 0
        self.net.start()

    def _check_timeline(self, faults: FaultModel) -> None:
        for ev in faults.timeline:
            if isinstance(ev, (Crash, Restart, DiskLoss, Slow)) and ev.node not in self.contexts:
                raise ValueError(f"fault {ev}: node {brief(ev.node)} is not in this system; expected a cluster "
                                 f"or replica id such as {brief(next(iter(self.contexts)))} or "
                                 f"{brief(next(iter(self.replicas)))}")
            if isinstance(ev, DiskLoss) and (ev.node not in self.replicas or self.replicas[ev.node].tier != "site"):
                raise ValueError(f"fault {ev}: only a site's replicas lose disks here (hubs and the root "
                                 "would rebuild a lost disk from their peers, which is not modelled)")
            if isinstance(ev, Slow) and ev.node not in self.replicas:
                raise ValueError(f"fault {ev}: only replicas are made slow; expected an id such as "
                                 f"{brief(next(iter(self.replicas)))}")

    # -- reading state -------------------------------------------------------------------------

    def node(self, node_id: str):
        """The node object of a front end or a replica."""
        for table in (self.sites, self.upstreams, self.replicas) if isinstance(node_id, str) else ():
            if node_id in table:
                return table[node_id]
        raise ValueError(f"node_id={brief(node_id)}: not in this system; expected one of {list(self.contexts)[:8]} ...")

    @property
    def root(self) -> Upstream:
        return self.upstreams[self.topology.root]

    def state(self, node_id: str, key: str):
        """What ``node_id`` holds for ``key``: a replica's own copy, or for a cluster the merge of
        what its replicas hold (read off their disks, whether up or not), or None."""
        if not isinstance(key, str):
            raise TypeError(f"key={brief(key)}: expected a key string")
        if not isinstance(node_id, str):
            self.node(node_id)  # names the bad id
        if node_id in self.replicas:
            return self.replicas[node_id].store.peek(key)
        if node_id not in self.clusters:
            self.node(node_id)  # names the bad id
        join, out = self.vtype.join, None
        for rid in self.clusters[node_id]:
            out = join(out, self.replicas[rid].store.peek(key))
        return out

    def held_keys(self, cluster: str) -> list[str]:
        """Every key some replica of ``cluster`` holds (replica order, then LRU order)."""
        if not isinstance(cluster, str) or cluster not in self.clusters:
            raise ValueError(f"cluster={brief(cluster)}: expected one of {brief(list(self.clusters))}")
        return list(dict.fromkeys(k for rid in self.clusters[cluster] for k in self.replicas[rid].store.keys()))

    def busy(self) -> list[str]:
        """Nodes that still owe or await something (interest, dirty keys, open requests)."""
        nodes = (*self.sites.values(), *self.upstreams.values(), *self.replicas.values())
        return [n.node_id for n in nodes if n.busy()]

    # -- the end: heal, quiet, check -------------------------------------------------------------

    def heal(self) -> None:
        """End every fault: cuts heal, crashed nodes restart, replicas answer on time, links are perfect."""
        net = self.net
        net.heal()
        for node_id, ctx in self.contexts.items():
            if not ctx.up:
                net.restart(node_id)
        for rep in self.replicas.values():
            rep.slow_ms = 0.0
        net.set_links()

    def quiet(self, max_epochs: int = 200) -> None:
        """Run the protocol's own epochs until no node owes or awaits anything (twice in a row)."""
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, int) or max_epochs < 1:
            raise ValueError(f"max_epochs={brief(max_epochs)}: expected a positive integer")
        step = max(self.config.epoch_ms, self.config.upstream_epoch_ms)
        with long_lived() as freeze:
            for _ in range(max_epochs):
                self._run(self.sim.now + step)
                freeze()
                if not self.busy():
                    self._run(self.sim.now + step)  # answers still in flight land
                    if not self.busy():
                        return
        busy = self.busy()
        raise RuntimeError(f"quiet(): still syncing after {max_epochs} epochs of {step:g} ms "
                           f"at {busy[:5]}{' ...' if len(busy) > 5 else ''}")

    def settle(self) -> None:
        """``heal()``, then ``quiet()``: the protocol's own way to the end, no repair pass."""
        self.heal()
        self.quiet()

    def read_round(self) -> None:
        """Every site reads every key its replicas hold (as clients would), then ``quiet()``."""
        for site in self.sites:
            for key in self.held_keys(site):
                self.invoke(site, READ, key, observe=False)
        self.quiet()

    def lost_writes(self):
        """The lost-write check (``edgekit.edge.lab.checks.check_writes``) of the client history
        against the root; run it after ``settle()``."""
        from .lab.checks import check_writes  # the evidence lives with the experiments

        return check_writes(self.history, lambda key: self.state(self.topology.root, key), self.vtype)

    def site_copies(self):
        """``(replica id, key, state)`` for every key every site replica holds."""
        for site in self.sites:
            for rid in self.clusters[site]:
                store = self.replicas[rid].store
                for key in store.keys():
                    yield rid, key, store.peek(key)
