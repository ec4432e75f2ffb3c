"""Build the whole edge system on the simulated planet, drive a workload through it, settle it.

``EdgeSystem`` puts one ``Site`` node per site, one ``Upstream`` per hub and
the root on an ``edgekit.sim.Network`` at their real places, and drives
client operations into the sites as cheap simulator events (a client
operation is one event: the site answers inside the request). ``settle``
ends every fault and runs the final quiet sync; ``lost_writes`` then checks
that every acknowledged write survived. ``run_edge`` (``edgekit.edge.lab.run``)
does all of this in one call and returns plain records.

>>> from edgekit.edge.lab.workload import Workload
>>> topo = Topology.flat(["LHR", "SYD"], root="SIN")
>>> system = EdgeSystem(topo, EdgeConfig(epoch_ms=200), seed=1)
>>> system.drive(Workload(("LHR", "SYD"), keys=5, ops=200, rates=100.0, write_fraction=0.5))
>>> system.settle(); system.lost_writes().lost
0
>>> system.state("root:SIN", "k0") == system.state("LHR", "k0") == system.state("SYD", "k0")
True
"""

from __future__ import annotations

from edgekit.sim import FaultModel, LatencyModel, Network, Simulator

from .config import EdgeConfig
from .site import Site
from .sync import Meter
from .topology import Topology, site_place
from .upstream import Upstream
from .values import VALUE_TYPES

__all__ = ["EdgeSystem"]


class EdgeSystem:
    """Sites, hubs and a root on a simulated network; ``drive`` a workload, then ``settle``."""

    def __init__(self, topology: Topology, config: EdgeConfig | None = None, *, seed: int = 0,
                 faults: FaultModel | None = None, latency: LatencyModel | None = None,
                 record="none", observer=None, measure_bytes: bool = True) -> None:
        if not isinstance(topology, Topology):
            raise TypeError(f"topology={topology!r}: expected an edgekit.edge.Topology")
        self.config = config = EdgeConfig() if config is None else config
        if not isinstance(config, EdgeConfig):
            raise TypeError(f"config={config!r}: expected an EdgeConfig")
        self.topology = topology
        self.sim = Simulator(seed=seed)
        self.net = Network(self.sim, latency=latency, faults=faults, record=record)
        self.meter = Meter(measure_bytes)
        vt = VALUE_TYPES[config.value_type]
        if observer is None:
            from .lab.observe import Observer  # the lab measures; the system only reports to it

            observer = Observer(topology.sites, leq=vt.leq, join=vt.join)
        self.observer = observer
        self.sites: dict[str, Site] = {}
        self.upstreams: dict[str, Upstream] = {}
        self.contexts: dict = {}
        up = topology.upstream
        for node_id, parent in up.items():
            if node_id in topology.sites:
                node = self.sites[node_id] = Site(node_id, parent, config, meter=self.meter,
                                                  observer=self.observer)
            else:
                capacity = None if parent is None else config.hub_capacity
                node = self.upstreams[node_id] = Upstream(
                    node_id, parent, config.upstream_epoch_ms, capacity=capacity, join=vt.join,
                    bottom=vt.cls(), miss_timeout_ms=config.miss_timeout_ms, meter=self.meter, observer=self.observer)
            self.contexts[node_id] = self.net.add_node(node_id, node, place=site_place(node_id))
        self.writes = 0
        self.client_events = 0
        self.end_ms: float | None = None
        self.net.start()

    # -- reading state -------------------------------------------------------------------------

    def node(self, node_id: str):
        if node_id in self.sites:
            return self.sites[node_id]
        if node_id in self.upstreams:
            return self.upstreams[node_id]
        raise ValueError(f"node={node_id!r}: not in this system; expected one of {list(self.contexts)}")

    def state(self, node_id: str, key: str):
        """What ``node_id`` holds for ``key`` (merged over a site's replicas), or None."""
        return self.node(node_id).state_of(key)

    @property
    def root(self) -> Upstream:
        return self.upstreams[self.topology.root]

    # -- driving -----------------------------------------------------------------------------

    def drive(self, workload, progress: bool = False) -> None:
        """Run ``workload``'s operations in simulated time until the last one has been served.

        A client operation is not a heap entry: the driver runs the simulator up to the
        operation's time (everything due by then happens first) and then calls the site,
        which answers inside the request. ``client_events`` counts them.
        """
        missing = [s for s in workload.sites if s not in self.sites]
        if missing:
            raise ValueError(f"workload sites {missing}: not sites of this topology; "
                             f"expected some of {list(self.sites)}")
        sim, keys, obs = self.sim, workload.key_names(), self.observer
        handles = [(self.sites[s], self.contexts[s]) for s in workload.sites]
        run, t0, failed = sim.run, sim.now, _FAILED
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=workload.ops, unit="op", unit_scale=True, mininterval=0.5)
        done = 0
        for t, si, ki, is_write in workload:
            run(until=t0 + t)
            site, ctx = handles[si]
            key = keys[ki]
            if ctx.up:
                if is_write:
                    self.writes += 1
                    site.write(ctx, key, self.writes)
                else:
                    site.read(ctx, key)
            else:  # the PoP is down: its clients get an error
                (obs.write if is_write else obs.read)(sim.now, site.node_id, key, failed)
            done += 1
            if bar is not None and not done & 0x3FFF:
                bar.update(0x4000)
        self.client_events += done
        self.end_ms = sim.now
        if bar is not None:
            bar.update(done - bar.n)
            bar.close()

    # -- the end: heal, quiet sync, check ------------------------------------------------------

    def _busy(self) -> list[str]:
        """Nodes that still owe or await a sync (interest, dirty keys, parked requests)."""
        return [n.node_id for n in (*self.sites.values(), *self.upstreams.values()) if n.busy()]

    def _run_until_quiet(self, max_rounds: int = 200) -> None:
        step = max(self.config.epoch_ms, self.config.upstream_epoch_ms)
        for _ in range(max_rounds):
            self.sim.run(until=self.sim.now + step)
            if not self._busy():
                # One more step for responses still in flight to land.
                self.sim.run(until=self.sim.now + step)
                if not self._busy():
                    return
        # With every fault healed the protocol converges in a few epochs for any capacity
        # (hubs pass through what they cannot keep): not being quiet here is a bug, not a
        # state to measure lost writes in.
        busy = self._busy()
        raise RuntimeError(f"settle(): still syncing after {max_rounds} epochs of {step:g} ms "
                           f"at {busy[:5]}{' ...' if len(busy) > 5 else ''}")

    def settle(self) -> None:
        """End every fault, drain the interest sets, then pull every held key down the tree.

        Draining sends every unacknowledged write to the root; the top-down pass (each hub,
        then each site, asks for every key it holds) brings every copy up to date. After
        this, a node's copy of a key differs from the root's only if a write was lost.
        Each stage runs epochs until no node is busy (interest, dirty keys, parked
        requests); that takes a few epochs for any capacity >= 1, because a hub passes
        through the keys it cannot keep (``edgekit.edge.upstream``). A stage that is still
        busy after 200 epochs raises ``RuntimeError``: checking lost writes then would
        blame the data for a protocol that did not converge.
        """
        net = self.net
        net.heal()
        for node_id, ctx in self.contexts.items():
            if not ctx.up:
                net.restart(node_id)
        for site in self.sites.values():
            for i in range(len(site.stores)):
                site.set_replica(i, up=True)
        self._run_until_quiet()
        for level in reversed(self.topology.levels()[:-1]):
            for node_id in level:
                node = self.node(node_id)
                keys = node.held_keys()
                node.interest.touched.update(dict.fromkeys(keys))
            self._run_until_quiet()

    def lost_writes(self):
        """Acknowledged writes missing from the root, or from a site that holds their key."""
        from .lab.metrics import check_lost_writes

        return check_lost_writes(self.observer.acked, self.observer.acked_joins, self.root.state_of,
                                 self._site_states(), leq=self.observer.leq)

    def _site_states(self):
        index: dict = {}  # key -> [(site, merged state)], built once: sites hold few keys each
        for s, site in self.sites.items():
            for key in site.held_keys():
                index.setdefault(key, []).append((s, site.state_of(key)))
        return lambda key: index.get(key, ())


class _Failed:
    ok = False
    latency_ms = None
    state = None
    value = None
    pending = False


_FAILED = _Failed()
