"""The talk's four designs on the same clients and the same faults, measured by the same rules.

``compare`` runs an asynchronous primary (``edgekit.edge.lab.primary``), a gossip
mesh (``edgekit.edge.lab.gossip``), flat hub and spoke and the fractal tree
(``EdgeSystem`` on ``Topology.flat`` / ``Topology.tree``) on one ``Workload``
(Zipf keys, per-PoP rates, a read/write mix) with the same seed, under one
fault scenario, and returns one plain ``RunRecord`` per design.

One period rules every design, so none gets more chances to talk:
``Setup.epoch_ms`` is the edge sites' sync epoch, the primary's heartbeat and
the mesh's gossip interval.

Fault scenarios (each starts at ``fault_from`` and heals at ``fault_to`` of the
workload's duration, so clients keep working after the heal):

- ``"site_isolated"``: the PoP ``Setup.isolated`` loses every link;
- ``"upstream_down"``: the node every site depends on crashes: the primary,
  or the root of the flat and tree designs. A mesh has no such node; it
  loses the PoP a primary would have been put at (``central_site``);
- ``"region_cut"``: every node in the continent ``Setup.region`` is cut off
  from every other node.

After the workload, ``settle`` heals everything and runs until nothing is
left to send; the record then says whether any acknowledged write was lost.
For the edge designs, every site then reads every key it holds, once per level
of the tree (a pull system refreshes only what clients touch), and the record
says whether every copy equals the authoritative one.

>>> recs = compare(setup=Setup(sites=("LHR", "FRA", "IAD", "SYD"), rates=50.0, ops=400, keys=20))
>>> [(r.topology, r.lost_writes, r.converged) for r in recs]
[('primary', 0, True), ('gossip', 0, True), ('flat', 0, True), ('tree', 0, True)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from edgekit.sim import FaultModel

from ..._checks import brief, check_items, check_seed
from ..config import EdgeConfig
from ..system import EdgeSystem
from ..topology import Topology, _check_sites, site_place
from ..values import VALUE_TYPES
from .checks import check_copies
from .faults import region_cut, site_isolated, upstream_down
from .gossip import GossipConfig, GossipSystem
from .harness import check_positive, progress_iter
from .metrics import distribution
from .observe import Observer
from .primary import PrimaryConfig, PrimarySystem, central_site
from .workload import Workload

__all__ = ["TOPOLOGIES", "SCENARIOS", "WORKSHOP_SITES", "WORKSHOP_RATES", "Setup", "RunRecord", "build",
           "run", "compare", "workshop_compare", "workshop_ready", "fault_timeline", "authority", "summary_rows"]

TOPOLOGIES = ("primary", "gossip", "flat", "tree")
SCENARIOS = ("none", "site_isolated", "upstream_down", "region_cut")
TOPOLOGY_LABELS = {"primary": "asynchronous primary", "gossip": "gossip mesh", "flat": "hub and spoke",
                   "tree": "fractal tree"}
# How each design accepts a write, in the kit's vocabulary (edgekit.coordination.DESIGNS).
TOPOLOGY_DESIGNS = {"primary": "asynchronous primary", "gossip": "local write", "flat": "local write",
                    "tree": "local write"}

# Eighteen PoPs on six continents; the big metros get more clients (operations per second).
WORKSHOP_SITES = ("IAD", "ORD", "LAX", "YYZ", "GRU", "EZE", "LHR", "FRA", "CDG", "AMS", "MAD", "JNB",
                  "BOM", "SIN", "HKG", "NRT", "SYD", "AKL")
WORKSHOP_RATES = {s: (40.0 if s in ("IAD", "LHR", "NRT") else 25.0 if s in ("FRA", "LAX", "SIN") else 12.0)
                  for s in WORKSHOP_SITES}


@dataclass(frozen=True)
class Setup:
    """Everything the designs share: where the PoPs are, the clients, the period, the fault."""

    sites: tuple = WORKSHOP_SITES
    rates: float | Mapping = field(default_factory=lambda: dict(WORKSHOP_RATES))  # ops/s per PoP
    keys: int = 100
    ops: int = 3_000
    write_fraction: float = 0.2
    zipf_s: float = 1.0
    epoch_ms: float = 1_000.0  # sync epoch = heartbeat = gossip interval
    fanout: int = 2  # gossip peers per round
    primary_reads: str = "local"  # "local": a PoP's replica answers; "primary": reads go to the primary
    value_type: str = "lww"
    isolated: str = "SYD"  # the site of "site_isolated" (far from where the primary and root go)
    region: str = "Europe"  # the continent of "region_cut"
    fault_from: float = 0.25  # fraction of the workload's duration when the fault starts
    fault_to: float = 0.6  # ... and when it heals
    probe_every: int = 10  # follow every n-th acknowledged write to measure visibility

    def __post_init__(self) -> None:
        _check_sites(self.sites)  # real places, each once
        self.workload(0)  # sites, keys, ops, rates, mix: the Workload checks them
        check_positive("epoch_ms", self.epoch_ms, what=" (the period every design uses)")
        check_positive("probe_every", self.probe_every, integer=True)
        GossipConfig(fanout=self.fanout)  # fanout < 1 fails here, naming it
        PrimaryConfig(reads=self.primary_reads)
        if self.value_type not in VALUE_TYPES:
            raise ValueError(f"value_type={brief(self.value_type)}: expected one of {tuple(VALUE_TYPES)}")
        if self.isolated not in self.sites:
            raise ValueError(f"isolated={brief(self.isolated)}: expected one of the sites {list(self.sites)}")
        continents = sorted({site_place(s).continent for s in self.sites})
        if self.region not in continents:
            raise ValueError(f"region={brief(self.region)}: expected a continent with sites, one of {continents}")
        if not (isinstance(self.fault_from, (int, float)) and isinstance(self.fault_to, (int, float))
                and 0 <= self.fault_from < self.fault_to <= 1):
            raise ValueError(f"fault_from={brief(self.fault_from)}, fault_to={brief(self.fault_to)}: expected "
                             "0 <= fault_from < fault_to <= 1 (fractions of the workload's duration)")

    def workload(self, seed: int = 0) -> Workload:
        return Workload(tuple(self.sites), keys=self.keys, ops=self.ops, rates=self.rates,
                        write_fraction=self.write_fraction, zipf_s=self.zipf_s, seed=seed)

    def weights(self) -> dict[str, float]:
        return self.workload().site_rates()


@dataclass(frozen=True)
class RunRecord:
    """What one design did under one scenario: the numbers the comparison is about (ms, bytes)."""

    topology: str
    scenario: str
    seed: int
    upstream: str  # the primary, the root, or (mesh) the PoP the upstream_down scenario crashes
    ops: int
    reads: int
    writes: int
    failed_reads: int  # the client got an error (its PoP could not serve it)
    failed_writes: int  # not acknowledged
    read_ms: dict  # per PoP: distribution() of client read latency
    write_ms: dict  # per PoP: distribution() of client write latency
    read_all: dict
    write_all: dict
    staleness: dict  # distribution() of read staleness (0: reflects every earlier acknowledged write)
    stale_fraction: float  # reads that missed some earlier acknowledged write
    visibility_ms: tuple  # per followed write: time until every interested site held it, sorted
    unseen_writes: int  # followed writes some interested site never got
    messages: int  # WAN messages sent while clients were active (sync, replication, gossip, forwarding)
    bytes: int  # their JSON bytes
    lost_writes: int  # acknowledged writes missing after the faults healed
    checked_writes: int
    converged: bool  # after settling, every copy of every key equals the authoritative copy

    @property
    def label(self) -> str:
        return TOPOLOGY_LABELS[self.topology]

    @property
    def design(self) -> str:
        """How this design accepts a write, by ``edgekit.coordination.DESIGNS``."""
        return TOPOLOGY_DESIGNS[self.topology]

    @property
    def messages_per_op(self) -> float:
        return self.messages / self.ops

    @property
    def bytes_per_op(self) -> float:
        return self.bytes / self.ops


def check_setup(setup, default: Setup | None = None) -> Setup:
    """``setup``, or ``default`` (``Setup()``) for None; a TypeError naming ``setup`` for anything else."""
    if setup is None:
        return Setup() if default is None else default
    if not isinstance(setup, Setup):
        raise TypeError(f"setup={brief(setup)}: expected an edgekit.edge.lab.compare.Setup")
    return setup


def _check_topology(topology, name: str = "topology") -> None:
    if not isinstance(topology, str) or topology not in TOPOLOGIES:
        raise ValueError(f"{name}={brief(topology)}: expected one of {TOPOLOGIES}")


def build(topology: str, setup: Setup, seed: int = 0, faults: FaultModel | None = None, record="none",
          observer: Observer | None = None):
    """The system for ``topology``, started on a fresh simulated planet (not yet driven)."""
    _check_topology(topology)
    setup = check_setup(setup)
    sites, w = tuple(setup.sites), setup.weights()
    vt = VALUE_TYPES[setup.value_type]
    obs = observer or Observer(sites, probe_every=setup.probe_every, leq=vt.leq, join=vt.join)
    common = dict(seed=seed, faults=faults, record=record, observer=obs)
    if topology == "primary":
        cfg = PrimaryConfig(reads=setup.primary_reads, heartbeat_ms=setup.epoch_ms, value_type=setup.value_type)
        return PrimarySystem(sites, config=cfg, weights=w, **common)
    if topology == "gossip":
        cfg = GossipConfig(fanout=setup.fanout, interval_ms=setup.epoch_ms, value_type=setup.value_type)
        return GossipSystem(sites, cfg, **common)
    topo = Topology.flat(sites, w) if topology == "flat" else Topology.tree(sites, w)
    return EdgeSystem(topo, EdgeConfig(epoch_ms=setup.epoch_ms, value_type=setup.value_type), **common)


def upstream_of(topology: str, setup: Setup) -> str:
    """The node the "upstream_down" scenario crashes for ``topology``."""
    _check_topology(topology)
    sites, w = tuple(setup.sites), setup.weights()
    if topology == "flat":
        return Topology.flat(sites, w).root
    if topology == "tree":
        return Topology.tree(sites, w).root
    return central_site(sites, w)


def fault_timeline(topology: str, scenario: str, setup: Setup) -> tuple:
    """The fault events of ``scenario`` for ``topology`` (the same for all but the crashed node)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario={brief(scenario)}: expected one of {SCENARIOS}")
    setup = check_setup(setup)
    span = setup.workload().duration_ms
    a, b = setup.fault_from * span, setup.fault_to * span
    if scenario == "site_isolated":
        return site_isolated(setup.isolated, a, b)
    if scenario == "upstream_down":
        return upstream_down(upstream_of(topology, setup), a, b)
    if scenario == "region_cut":
        return region_cut(setup.region, a, b)
    return ()


def authority(system):
    """``key -> state`` of the copy every other copy must equal after settling."""
    if isinstance(system, EdgeSystem):
        root = system.topology.root
        return lambda key: system.state(root, key)
    if not callable(getattr(system, "authority", None)):
        raise TypeError(f"system={brief(system)}: expected an EdgeSystem or a Bench (GossipSystem, PrimarySystem)")
    return system.authority


def _converged(system, keys) -> bool:
    auth = authority(system)
    if isinstance(system, EdgeSystem):  # every replica of every site, each its own copy
        return not check_copies(system.site_copies(), auth, system.config.value_type)
    nodes = system.nodes
    for key in keys:
        want = auth(key)
        for n in nodes:
            st = system.state(n, key)
            if st is not None and st != want:
                return False
    return True


def measure(system, topology: str, scenario: str, seed: int, upstream: str, keys,
            traffic: tuple[int, int], until: float, lost=None) -> RunRecord:
    """The ``RunRecord`` of a driven and settled system.

    ``traffic`` is (messages, bytes) sent while clients were active, and visibility counts only
    sightings up to ``until`` (the last client operation), so the final settling is left out.
    """
    obs = system.observer
    lost = system.lost_writes() if lost is None else lost
    reads_ok = sum(len(v) for v in obs.read_ms.values())
    writes_ok = sum(len(v) for v in obs.write_ms.values())
    vis = obs.visibility(until=until)
    stale = obs.staleness_ms
    return RunRecord(
        topology=topology, scenario=scenario, seed=seed, upstream=upstream,
        ops=obs.reads + obs.writes, reads=obs.reads, writes=obs.writes,
        failed_reads=obs.reads - reads_ok, failed_writes=obs.writes - writes_ok,
        read_ms={s: distribution(v) for s, v in obs.read_ms.items()},
        write_ms={s: distribution(v) for s, v in obs.write_ms.items()},
        read_all=distribution([x for v in obs.read_ms.values() for x in v]),
        write_all=distribution([x for v in obs.write_ms.values() for x in v]),
        staleness=distribution(stale),
        stale_fraction=sum(x > 0 for x in stale) / len(stale) if stale else 0.0,
        visibility_ms=tuple(sorted(v.delay_ms for v in vis if v.delay_ms is not None)),
        unseen_writes=sum(v.delay_ms is None for v in vis),
        messages=traffic[0], bytes=traffic[1],
        lost_writes=lost.lost, checked_writes=lost.checked, converged=_converged(system, keys),
    )


def run(topology: str, scenario: str = "none", setup: Setup | None = None, seed: int = 0,
        progress: bool = False) -> RunRecord:
    """Drive ``setup``'s workload through ``topology`` under ``scenario``, settle, measure."""
    setup = check_setup(setup)
    faults = FaultModel(timeline=fault_timeline(topology, scenario, setup))
    system = build(topology, setup, seed, faults)
    workload = setup.workload(seed)
    system.drive(workload, progress=progress)
    traffic = (system.meter.messages, system.meter.bytes)  # the final settling pull is not the design's
    until = system.sim.now
    system.settle()
    lost = system.lost_writes()  # before anything else touches the copies
    if isinstance(system, EdgeSystem):
        for _ in range(system.topology.depth):
            system.read_round()
    return measure(system, topology, scenario, seed, upstream_of(topology, setup), workload.key_names(),
                   traffic, until, lost)


def compare(topologies=TOPOLOGIES, scenario: str = "none", setup: Setup | None = None, seed: int = 0,
            progress: bool = False) -> tuple[RunRecord, ...]:
    """One ``RunRecord`` per design, all on the same workload, seed and fault scenario."""
    if isinstance(topologies, str):
        topologies = (topologies,)
    topologies = check_items(topologies, "topologies", str, f"some of {TOPOLOGIES}")
    for i, t in enumerate(topologies):
        _check_topology(t, f"topologies[{i}]")
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario={brief(scenario)}: expected one of {SCENARIOS}")
    setup = check_setup(setup)
    todo = progress_iter(topologies, f"designs ({scenario})", progress, unit="design")
    return tuple(run(t, scenario, setup, seed) for t in todo)


_WORKSHOP: dict = {}


def workshop_compare(scenario: str = "none", seed: int = 0, progress: bool = False) -> tuple[RunRecord, ...]:
    """``compare`` of all four designs on the default ``Setup``, run once per (scenario, seed).

    The notebook and its widget share these runs: a second call returns the first result.
    """
    key = (scenario, seed)
    if key not in _WORKSHOP:
        _WORKSHOP[key] = compare(TOPOLOGIES, scenario, Setup(), seed, progress)
    return _WORKSHOP[key]


def workshop_ready(scenario: str = "none", seed: int = 0) -> bool:
    """Whether ``workshop_compare(scenario, seed)`` has run already (and so returns at once)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario={brief(scenario)}: expected one of {SCENARIOS}")
    return (scenario, check_seed(seed)) in _WORKSHOP


def summary_rows(records) -> list[dict]:
    """Chapter 5's comparison table, one row per design: what a reader compares, named for it.

    Plain dicts (``pandas.DataFrame(rows).set_index("design")`` in the notebook).
    """
    if not isinstance(records, (list, tuple)) or not records or not all(isinstance(r, RunRecord) for r in records):
        raise TypeError(f"records={brief(records)}: expected RunRecords (from run, compare or workshop_compare)")
    return [{"design": r.label, "accepts a write by": r.design, "write p50 ms": r.write_all["p50"],
             "read p50 ms": r.read_all["p50"], "stale reads %": 100 * r.stale_fraction,
             "bytes/op": r.bytes_per_op, "messages/op": r.messages_per_op,
             "failed ops": r.failed_reads + r.failed_writes, "lost writes": r.lost_writes}
            for r in records]
