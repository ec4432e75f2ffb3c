"""The complications the talk names, measured: read misses, epoch length, hot keys, bytes per type.

Each function runs the edge system (hub and spoke unless told otherwise) on
the workshop ``Setup`` of ``edgekit.edge.lab.compare`` and returns plain records:

- ``read_miss_modes``: a miss served as missing (the object appears later)
  against a blocking fetch from upstream (a better answer, a slower read);
- ``epoch_sweep``: a longer epoch batches more keys per sync (fewer bytes per
  second) and leaves reads staler;
- ``hot_keys``: as popularity concentrates (Zipf exponent), one key rides in
  every site's request every epoch; ``storm`` shows the burst of bytes into
  the root when a cut region comes back with a backlog;
- ``value_costs``: the same workload stored as LWW registers, MV registers,
  counters and sets: what each costs on the wire and at the root.

>>> from edgekit.edge.lab.compare import Setup
>>> small = Setup(sites=("LHR", "FRA", "SYD"), rates=50.0, ops=300, keys=10, isolated="SYD")
>>> [p.epoch_ms for p in epoch_sweep((250, 1000), small)]
[250.0, 1000.0]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from edgekit.sim import FaultModel

from ..._checks import brief, check_items, check_number
from ..config import MIN_EPOCH_MS, EdgeConfig
from ..messages import SyncRequest, value_bytes, wire_bytes
from ..system import EdgeSystem
from ..topology import Topology
from ..values import VALUE_TYPES
from .compare import Setup, check_setup, fault_timeline
from .harness import progress_iter
from .metrics import distribution
from .run import run_edge

__all__ = ["ReadMissRecord", "read_miss_modes", "EpochPoint", "epoch_sweep", "HotKeyPoint", "hot_keys",
           "Storm", "storm", "ValueCost", "value_costs"]


def _run(setup: Setup, seed: int, topology="flat", record="none", faults=None, **config):
    cfg = EdgeConfig(**{"epoch_ms": setup.epoch_ms, "value_type": setup.value_type, **config})
    return run_edge(setup.workload(seed), cfg, topology=topology, faults=faults, seed=seed, record=record,
                    probe_every=setup.probe_every)


# -- read misses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadMissRecord:
    """Reads under one read-miss mode."""

    mode: str  # "missing" or "block"
    read_ms: dict  # distribution of client read latency
    read_sample: tuple  # every read latency, sorted (for a CDF)
    miss_fraction: float  # reads answered with nothing
    stale_fraction: float
    staleness: dict


def read_miss_modes(setup: Setup | None = None, seed: int = 0, topology="flat") -> tuple:
    """The same workload with ``read_miss="missing"`` and with ``read_miss="block"``."""
    setup = check_setup(setup)
    out = []
    for mode in ("missing", "block"):
        r = _run(setup, seed, topology, read_miss=mode)
        s = r.summary()
        reads = sorted(x for xs in r.read_ms.values() for x in xs)
        out.append(ReadMissRecord(mode, s["read_ms"], tuple(reads), s["miss_fraction"], s["stale_fraction"],
                                  s["staleness_ms"]))
    return tuple(out)


# -- epoch length -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EpochPoint:
    """One epoch length: what it costs on the wire and how stale it leaves reads."""

    epoch_ms: float
    bytes_per_s: float  # WAN sync bytes per second of client load
    messages_per_s: float
    bytes_per_op: float
    staleness: dict
    stale_fraction: float
    visibility: dict  # time until every interested site held a followed write


def _sweep(setup: Setup, values, name: str, field: str, low: float, high: float) -> list[Setup]:
    """One ``Setup`` per value of ``values`` for ``field``, every value checked before any run."""
    out = []
    for i, v in enumerate(check_items(values, name, object, f"a list of numbers from {low:g} to {high:g}")):
        out.append(replace(setup, **{field: check_number(v, f"{name}[{i}]", low, high)}))
    return out


def epoch_sweep(epochs=(100, 250, 500, 1000, 2000, 4000), setup: Setup | None = None, seed: int = 0,
                topology="flat", progress: bool = False) -> tuple[EpochPoint, ...]:
    """Run the same workload once per epoch length."""
    setup = check_setup(setup)
    setups = _sweep(setup, epochs, "epochs", "epoch_ms", MIN_EPOCH_MS, 3_600_000)
    out = []
    for s_e in progress_iter(setups, "epoch lengths", progress):
        r = _run(s_e, seed, topology)
        s = r.summary()
        secs = max(r.end_ms, 1.0) / 1000.0
        vis = [v.delay_ms for v in r.visibility if v.delay_ms is not None]
        out.append(EpochPoint(s_e.epoch_ms, r.bytes / secs, r.messages / secs, s["bytes_per_op"], s["staleness_ms"],
                              s["stale_fraction"], distribution(vis)))
    return tuple(out)


# -- hot keys and sync storms -----------------------------------------------------------------


@dataclass(frozen=True)
class HotKeyPoint:
    """One popularity skew: how much of the sync traffic the hottest key takes."""

    zipf_s: float
    top_key_ops: float  # share of client operations on the hottest key
    top_key_entries: float  # share of sync-request entries that are the hottest key
    entries_per_request: float
    bytes_per_op: float


def _requests(history):
    for r in history:
        if r.kind == "send" and type(r.data) is SyncRequest:
            yield r


def hot_keys(zipfs=(0.0, 0.5, 1.0, 1.5), setup: Setup | None = None, seed: int = 0,
             progress: bool = False) -> tuple[HotKeyPoint, ...]:
    """Run the same workload with more and more skewed key popularity."""
    setup = check_setup(setup)
    setups = _sweep(setup, zipfs, "zipfs", "zipf_s", 0, 10)
    out = []
    for s in progress_iter(setups, "key skews", progress):
        r = _run(s, seed, record="all")
        top = sum(1 for _, _, k, _ in s.workload(seed) if k == 0) / s.ops
        entries = hot = requests = 0
        for rec in _requests(r.history):
            requests += 1
            entries += len(rec.data.entries)
            hot += "k0" in rec.data.entries
        out.append(HotKeyPoint(s.zipf_s, top, hot / max(entries, 1), entries / max(requests, 1),
                               r.summary()["bytes_per_op"]))
    return tuple(out)


@dataclass(frozen=True)
class Storm:
    """Bytes arriving at the root over time, around a fault (a cut region coming back)."""

    bucket_ms: float
    times_ms: tuple  # start of each bucket
    bytes_in: tuple  # sync request bytes delivered to the root in that bucket
    fault_ms: tuple  # (start, heal) of the fault
    root: str

    def window(self, start_ms: float, end_ms: float) -> list[int]:
        """Bytes of the buckets that start in ``[start_ms, end_ms)``."""
        return [b for t, b in zip(self.times_ms, self.bytes_in, strict=True) if start_ms <= t < end_ms]


def storm(setup: Setup | None = None, scenario: str = "region_cut", seed: int = 0, bucket_ms: float = 250.0,
          topology="flat") -> Storm:
    """Sync bytes into the root per ``bucket_ms`` while ``scenario`` happens and heals."""
    setup = check_setup(setup)
    check_number(bucket_ms, "bucket_ms", 1.0)  # at least 1 ms: a bucket list as long as the run in ms at most
    events = fault_timeline(topology, scenario, setup)
    r = _run(setup, seed, topology, record="all", faults=FaultModel(timeline=events))
    root = r.topology.root
    end = r.end_ms
    n = int(end // bucket_ms) + 1
    buckets = [0] * n
    for rec in r.history:
        if rec.kind == "deliver" and rec.node == root and rec.time < end and type(rec.data) is SyncRequest:
            buckets[int(rec.time // bucket_ms)] += wire_bytes(rec.data)
    window = (events[0].at_ms, events[-1].at_ms) if events else ()
    return Storm(bucket_ms, tuple(i * bucket_ms for i in range(n)), tuple(buckets), window, root)


# -- value types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueCost:
    """One value type on the same workload: bytes on the wire and at rest."""

    value_type: str
    crdt: str  # the class name
    bytes_per_op: float
    value_bytes: dict  # distribution of the root's value sizes (one per key)
    root_bytes: int  # every value the root holds, summed


def value_costs(types=("lww", "mv", "gcounter", "pncounter", "orset"), setup: Setup | None = None,
                seed: int = 0, progress: bool = False) -> tuple[ValueCost, ...]:
    """Run the same workload once per value type; measure sync bytes and the root's values."""
    setup = check_setup(setup)
    types = check_items(types, "types", str, f"names from {tuple(VALUE_TYPES)}")
    for i, t in enumerate(types):
        if t not in VALUE_TYPES:
            raise ValueError(f"types[{i}]={brief(t)}: expected names from {tuple(VALUE_TYPES)}")
    out = []
    for t in progress_iter(types, "value types", progress):
        workload = setup.workload(seed)
        topo = Topology.flat(workload.sites, workload.site_rates())
        system = EdgeSystem(topo, EdgeConfig(epoch_ms=setup.epoch_ms, value_type=t), seed=seed)
        system.drive(workload)
        ops = workload.ops
        nbytes = system.meter.bytes
        system.settle()
        root = [system.state(topo.root, k) for k in workload.key_names()]
        sizes = [value_bytes(st) for st in root if st is not None]
        out.append(ValueCost(t, VALUE_TYPES[t].cls.__name__, nbytes / ops, distribution(sizes), sum(sizes)))
    return tuple(out)
