"""One call runs the edge system on a workload and returns plain records: ``run_edge``.

The run ends the protocol's way (``EdgeSystem.settle``: every fault heals, the
epochs run until nothing is owed) and the lost-write verdict is the client
history's against the root (``edgekit.edge.lab.checks``): no repair pass.

>>> from edgekit.edge import EdgeConfig
>>> from edgekit.edge.lab import Workload
>>> w = Workload(("LHR", "CDG", "SYD", "NRT"), keys=50, ops=2_000, rates=200.0, seed=3)
>>> run = run_edge(w, EdgeConfig(epoch_ms=250), topology="tree", seed=3)
>>> run.lost.lost, run.client_ops, run.summary()["read_ms"]["p50"] < 1.0
(0, 2000, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgekit.sim import FaultModel, LatencyModel, NetStats

from ..._checks import brief
from ..config import EdgeConfig
from ..system import EdgeSystem
from ..topology import Topology
from ..values import VALUE_TYPES
from .metrics import LostWrites, distribution
from .observe import Observer, OpRecord, Visibility
from .workload import Workload

__all__ = ["EdgeRun", "run_edge", "make_topology"]


@dataclass(frozen=True)
class EdgeRun:
    """Everything a run leaves behind, as plain values (no plotting, no live objects)."""

    seed: int
    config: EdgeConfig
    topology: Topology
    workload: Workload
    faults: FaultModel
    end_ms: float  # when the last client operation was served
    client_ops: int
    reads: int
    writes: int
    failed: int  # operations at a crashed PoP, or with no replica up
    misses: int  # reads answered "missing"
    read_ms: dict  # site -> client read latencies (ms)
    write_ms: dict  # site -> client write latencies (ms)
    staleness_ms: list  # one per (sampled) read
    visibility: list[Visibility]
    messages: int  # WAN sync messages while clients were active
    bytes: int  # and their bytes, from to_json
    settle_messages: int  # the final quiet sync
    settle_bytes: int
    repairs: int
    evictions: int
    overflows: int
    lost: LostWrites  # the verdict of edgekit.edge.lab.checks.check_writes after settling
    net: NetStats
    events: int  # simulator events run (each client operation is one)
    ops: list[OpRecord] = field(default_factory=list)  # with record_ops=True
    history: list = field(default_factory=list)  # edgekit.sim Records, with record="ops"/"all"

    def summary(self) -> dict:
        """The headline numbers: latency, staleness, visibility, cost per operation, loss."""
        reads = [x for xs in self.read_ms.values() for x in xs]
        writes = [x for xs in self.write_ms.values() for x in xs]
        vis = [v.delay_ms for v in self.visibility if v.delay_ms is not None]
        stale = self.staleness_ms
        ops = max(self.client_ops, 1)
        return {
            "client_ops": self.client_ops,
            "read_ms": distribution(reads),
            "write_ms": distribution(writes),
            "staleness_ms": distribution(stale),
            "stale_fraction": sum(1 for s in stale if s > 0) / len(stale) if stale else 0.0,
            "visibility_ms": distribution(vis),
            "never_visible": sum(1 for v in self.visibility if v.delay_ms is None),
            "messages_per_op": self.messages / ops,
            "bytes_per_op": self.bytes / ops,
            "miss_fraction": self.misses / max(self.reads, 1),
            "failed": self.failed,
            "lost_writes": self.lost.lost,
        }

    def latency_by_site(self, kind: str = "read") -> dict:
        """Per PoP: the distribution of client latencies for ``kind`` ("read" or "write")."""
        if kind not in ("read", "write"):
            raise ValueError(f"kind={brief(kind)}: expected 'read' or 'write'")
        src = self.read_ms if kind == "read" else self.write_ms
        return {s: distribution(xs) for s, xs in src.items()}


def make_topology(kind, workload: Workload, name: str = "kind") -> Topology:
    """``"tree"`` (hub per continent), ``"flat"`` (hub and spoke), or a ``Topology`` as is."""
    if isinstance(kind, Topology):
        return kind
    if not isinstance(kind, str) or kind not in ("tree", "flat"):
        raise ValueError(f"{name}={brief(kind)}: expected 'tree', 'flat' or a Topology")
    if not isinstance(workload, Workload):
        raise TypeError(f"workload={brief(workload)}: expected an edgekit.edge.lab Workload")
    weights = workload.site_rates()
    if kind == "tree":
        return Topology.tree(workload.sites, weights)
    return Topology.flat(workload.sites, weights)


def run_edge(workload: Workload, config: EdgeConfig | None = None, topology="tree",
             faults: FaultModel | None = None, *, seed: int = 0, latency: LatencyModel | None = None,
             record="none", record_ops: bool = False, measure_bytes: bool = True,
             probe_every: int = 50, staleness_every: int = 1, progress: bool = False) -> EdgeRun:
    """Run ``workload`` on the edge system, heal every fault, settle, check; return the records.

    ``record`` keeps the simulator's history ("none", "ops" or "all"); ``record_ops`` keeps one
    ``OpRecord`` per client operation. Every ``probe_every``-th write is followed for visibility
    and every ``staleness_every``-th read is checked for staleness (raise both for speed).
    """
    if not isinstance(workload, Workload):
        raise TypeError(f"workload={brief(workload)}: expected an edgekit.edge.lab.Workload")
    config = EdgeConfig() if config is None else config
    if not isinstance(config, EdgeConfig):
        raise TypeError(f"config={brief(config)}: expected an edgekit.edge.EdgeConfig (for example "
                        "EdgeConfig(epoch_ms=500)), not a dict")
    faults = FaultModel() if faults is None else faults
    if not isinstance(faults, FaultModel):
        raise TypeError(f"faults={brief(faults)}: expected an edgekit.sim.FaultModel")
    topo = make_topology(topology, workload, "topology")
    vt = VALUE_TYPES[config.value_type]
    obs = Observer(topo.sites, record_ops=record_ops, probe_every=probe_every,
                   staleness_every=staleness_every, leq=vt.leq, join=vt.join)
    # A budget far above what any sane configuration needs (about ten events per operation).
    system = EdgeSystem(topo, config, seed=seed, faults=faults, latency=latency, record=record,
                        observer=obs, measure_bytes=measure_bytes, max_events=1_000 * workload.ops + 10_000_000)
    system.drive(workload, progress=progress)
    end_ms = system.end_ms if system.end_ms is not None else system.sim.now
    messages, nbytes = system.meter.messages, system.meter.bytes
    system.settle()
    stores = [system.replicas[r].store for s in system.sites for r in system.clusters[s]]
    return EdgeRun(
        seed=seed, config=config, topology=topo, workload=workload, faults=faults, end_ms=end_ms,
        client_ops=obs.reads + obs.writes, reads=obs.reads, writes=obs.writes, failed=obs.failed,
        misses=obs.misses, read_ms=obs.read_ms, write_ms=obs.write_ms,
        staleness_ms=obs.staleness_ms, visibility=obs.visibility(until=end_ms),
        messages=messages, bytes=nbytes, settle_messages=system.meter.messages - messages,
        settle_bytes=system.meter.bytes - nbytes,
        repairs=sum(s.repairs for s in system.sites.values()),
        evictions=sum(st.evictions for st in stores),
        overflows=sum(st.overflows for st in stores),
        lost=system.lost_writes(), net=system.net.stats,
        events=system.sim.events_run,
        ops=obs.ops, history=list(system.net.history) if record not in (False, "none", None) else [],
    )
