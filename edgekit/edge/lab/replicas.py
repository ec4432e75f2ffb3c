"""What a PoP's replicas cost and buy, measured: replica faults and the writer ids of richer types.

``replica_faults`` runs one site under the same client load three times with a
storage process failing during it, and judges each run the way every run is
judged here: after every fault heals and the protocol's own epochs go quiet, the
client history against the root (``edgekit.edge.lab.checks``):

- ``"down at sync time"``: a replica crashes for a few epochs (its disk survives);
- ``"disk lost, w=1"``: a replica loses its disk, and each write was acknowledged
  once one replica stored it: the writes it alone held are gone;
- ``"disk lost, w=2"``: the same loss, with each write on both of its replicas
  before it was acknowledged: nothing is lost; the price is paid in writes that
  fail while a replica is down, and in the wait for the slower copy.

``writer_ids`` follows the state of counters over a long run: each site writes
as a lease ``"<site>.<k>"`` and a new lease, a new entry in the counter, comes only
when the front end forgot the key's lease (its table holds as many keys as a
replica does) or restarted. So the entries per key grow with the sites that
write it and with how often a key falls out of a lease table, not with the
number of writes.

>>> runs = replica_faults(ops=400)
>>> [(r.scenario, r.lost) for r in runs]
[('down at sync time', 0), ('disk lost, w=1', 4), ('disk lost, w=2', 0)]
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit.sim import FaultModel

from ..._checks import check_int, check_items
from ..config import EdgeConfig
from ..system import EdgeSystem
from ..topology import Topology
from .faults import disk_lost, replica_down
from .metrics import distribution
from .workload import Workload

__all__ = ["ReplicaFaultRun", "replica_faults", "GrowthPoint", "writer_ids"]


@dataclass(frozen=True)
class ReplicaFaultRun:
    """One run of ``replica_faults``: what the clients got and what the check found."""

    scenario: str
    write_quorum: int
    writes: int  # attempted
    acknowledged: int
    failed: int  # certainly not applied, or unknown
    lost: int  # acknowledged writes missing from the root after quiet
    write_ms: dict  # distribution of acknowledged writes' latency
    verdict: str  # the check's words


_SCENARIOS = (("down at sync time", 1), ("disk lost, w=1", 1), ("disk lost, w=2", 2))


def replica_faults(ops: int = 2_000, seed: int = 1, value_type: str = "lww") -> tuple[ReplicaFaultRun, ...]:
    """Three runs of one PoP (3 replicas, 2 copies per key) under writes; see the module docstring."""
    w = Workload(("LHR",), keys=40, ops=ops, rates=200.0, write_fraction=0.5, zipf_s=0.5, seed=seed)
    span = w.duration_ms
    out = []
    for scenario, quorum in _SCENARIOS:
        cfg = EdgeConfig(replicas=3, n=2, write_quorum=quorum, epoch_ms=3_000.0, value_type=value_type)
        if scenario == "down at sync time":
            events = replica_down("LHR/r1", 0.3 * span, 0.6 * span)
        else:  # a replica's partner is down for a while, then the replica loses its disk
            events = (*replica_down("LHR/r2", 0.7 * span, 0.95 * span), *disk_lost("LHR/r1", 0.9 * span))
        system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=seed, faults=FaultModel(timeline=events))
        system.drive(w)
        system.settle()
        verdict = system.lost_writes()
        writes = [op for op in system.history if op.kind == "write"]
        acked = [op for op in writes if op.ok]
        out.append(ReplicaFaultRun(scenario, quorum, len(writes), len(acked), len(writes) - len(acked),
                                   verdict.lost, distribution([op.complete_ms - op.invoke_ms for op in acked]),
                                   str(verdict).split("\n")[0]))
    return tuple(out)


@dataclass(frozen=True)
class GrowthPoint:
    """The root's counters after ``ops`` client operations."""

    ops: int
    lease_keys: int  # how many keys a front end remembers a lease for
    entries_mean: float  # writer ids per key
    entries_max: int
    bytes_mean: float  # JSON bytes per key


def writer_ids(sites: int = 6, keys: int = 60, rounds: int = 6, ops: int = 3_000, lease_keys=(10, 1_000),
               seed: int = 1) -> tuple[GrowthPoint, ...]:
    """Counter state at the root after each of ``rounds`` loads of ``ops`` operations, for front
    ends that remember ``lease_keys`` leases (the replicas' capacity); see the module docstring."""
    from ..messages import value_bytes
    from .workload import site_ids

    for name, v, top in (("rounds", rounds, 1_000), ("ops", ops, 1_000_000), ("keys", keys, 100_000)):
        check_int(v, name, 1, top)
    check_int(sites, "sites", 2, 1_000)
    lease_keys = check_items(lease_keys, "lease_keys", int, "a list of capacities (keys a replica keeps)")
    for i, cap in enumerate(lease_keys):
        check_int(cap, f"lease_keys[{i}]", 1, 10_000_000)
    names = site_ids(sites)
    out = []
    for cap in lease_keys:
        cfg = EdgeConfig(replicas=1, n=1, capacity=cap, epoch_ms=500.0, value_type="gcounter")
        system = EdgeSystem(Topology.flat(names), cfg, seed=seed)
        for r in range(rounds):
            system.drive(Workload(names, keys=keys, ops=ops, rates=100.0, write_fraction=0.5, seed=seed + r))
            system.quiet()
            states = [s for s in (system.state(system.topology.root, f"k{i}") for i in range(keys)) if s is not None]
            sizes = [len(s.counts) for s in states]
            out.append(GrowthPoint((r + 1) * ops, cap, sum(sizes) / len(sizes), max(sizes),
                                   sum(value_bytes(s) for s in states) / len(states)))
    return tuple(out)
