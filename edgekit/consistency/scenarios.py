"""Ready-made experiments for chapter 3: CAP under a cut, PACELC without one, PBS against the simulator.

* ``cap_faults(preset or sides)`` and ``cap_compare``: the same workload on a CP and an AP store
  under the same partition.
* ``pacelc_sweep``: no partition, several N/R/W choices: latency against staleness.
* ``binned_consistency``: the simulator's answer to PBS's question, by time since the last write.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from .._checks import brief
from ..sim import FaultModel
from ..sim.faults import EVERYONE, Cut, Heal, transatlantic_cut
from .dynamo import Dynamo
from .run import RunResult, _check_sites, run_store, store_spec
from .staleness import consistency_by_lag
from .workload import Workload

__all__ = [
    "WORLD",
    "CAP_WORKLOAD",
    "PRESETS",
    "cap_faults",
    "cap_compare",
    "CapComparison",
    "pacelc_sweep",
    "PacelcPoint",
    "binned_consistency",
]

# Four PoPs in the Americas, two in Europe, two in Asia-Pacific: a transatlantic cut leaves a
# majority on the American side (with Asia-Pacific, which still reaches both sides).
WORLD = ("IAD", "ORD", "SJC", "GRU", "LHR", "FRA", "NRT", "SYD")
# Workshop-sized: a few dozen operations per PoP, one run in a few tens of milliseconds.
CAP_WORKLOAD = Workload(duration_ms=3_000.0, think_ms=150.0, read_fraction=0.5, timeout_ms=1_000.0)
CUT_MS, HEAL_MS = 500.0, 2_500.0

PRESETS = {
    "transatlantic cut": lambda: transatlantic_cut(CUT_MS, HEAL_MS),
    "Asia-Pacific cut off": lambda: (Cut(CUT_MS, ("Asia", "Oceania"), EVERYONE),
                                     Heal(HEAL_MS, ("Asia", "Oceania"), EVERYONE)),
    "Europe cut off": lambda: (Cut(CUT_MS, "Europe", EVERYONE), Heal(HEAL_MS, "Europe", EVERYONE)),
    "no partition": lambda: (),
}


def cap_faults(cut="transatlantic cut", sites=WORLD) -> FaultModel:
    """A preset name from ``PRESETS``, or a group of PoPs cut off from the rest (``CUT_MS``-``HEAL_MS``)."""
    sites = _check_sites(sites)
    if isinstance(cut, str):
        if cut not in PRESETS:
            raise ValueError(f"cut={brief(cut)}: expected one of {list(PRESETS)} or a group of PoPs")
        return FaultModel(timeline=PRESETS[cut]())
    if not isinstance(cut, (list, tuple, set, frozenset)) or not all(isinstance(c, str) for c in cut):
        raise TypeError(f"cut={brief(cut)}: expected a preset name or a list of PoP codes such as ['LHR', 'FRA']")
    group = tuple(cut)
    rest = tuple(s for s in sites if s not in group)
    unknown = [s for s in group if s not in sites]
    if unknown:
        raise ValueError(f"cut={brief(list(group))}: {unknown} not among the run's sites {list(sites)}")
    if not group or not rest:
        raise ValueError(f"cut={brief(list(group))}: expected a group with PoPs on both sides of the cut")
    return FaultModel(timeline=(Cut(CUT_MS, group, rest), Heal(HEAL_MS, group, rest)))


@dataclass(frozen=True)
class CapComparison:
    """The same workload and partition on a CP store and an AP store."""

    cp: RunResult
    ap: RunResult
    faults: FaultModel

    @property
    def window(self) -> tuple[float, float]:
        """From the first cut to the first heal after it (the whole run when nothing is cut)."""
        cuts = [e.at_ms for e in self.faults.timeline if isinstance(e, Cut)]
        if not cuts:
            return (0.0, math.inf)
        heals = [e.at_ms for e in self.faults.timeline if isinstance(e, Heal) and e.at_ms >= cuts[0]]
        return (cuts[0], heals[0] if heals else math.inf)

    def stats(self) -> tuple[dict, dict]:
        """Per-site statistics of operations called inside ``window``: (CP, AP)."""
        return self.cp.stats(*self.window), self.ap.stats(*self.window)

    def rows(self) -> list[dict]:
        """Per PoP, during the cut: availability and median latency of each store, AP staleness."""
        cps, aps = self.stats()
        out = []
        for s in self.cp.sites:
            c, a = cps[s], aps[s]
            out.append(dict(site=s, cp_availability=c.availability, ap_availability=a.availability,
                            cp_p50_ms=c.p50_ms, ap_p50_ms=a.p50_ms, ap_stale_share=a.stale_share,
                            ap_max_time_behind_ms=a.max_time_behind_ms))
        return out


def cap_compare(cut="transatlantic cut", sites=WORLD, cp="quorum", ap="available",
                workload: Workload = CAP_WORKLOAD, seed: int = 0) -> CapComparison:
    """Run ``cp`` and ``ap`` at ``sites`` under the same cut, workload and seed."""
    store_spec(cp, "cp"), store_spec(ap, "ap")
    fm = cap_faults(cut, sites)
    return CapComparison(run_store(cp, sites, fm, workload, seed), run_store(ap, sites, fm, workload, seed), fm)


@dataclass(frozen=True)
class PacelcPoint:
    """One N/R/W choice without partitions: how fast, and how often stale."""

    n: int
    r: int
    w: int
    read_p50_ms: float  # each PoP's median read latency, averaged over PoPs (each PoP counts once)
    write_p50_ms: float
    stale_share: float  # reads that missed a write completed before they began
    run: RunResult

    @property
    def label(self) -> str:
        return f"N={self.n} R={self.r} W={self.w}"


def _typical_ms(res: RunResult, op: str) -> float:
    """Mean over PoPs of the PoP's median latency for ``op``: fast PoPs issue more operations in a
    closed loop, and a median over all operations would let them outvote the slow ones."""
    meds = []
    for s in res.sites:
        lat = [o.latency_ms for o in res.ops if o.site == s and o.op == op and o.ok]
        if lat:
            meds.append(statistics.median(lat))
    return statistics.fmean(meds) if meds else float("nan")


def pacelc_sweep(configs, sites=WORLD, holders=None, workload: Workload | None = None,
                 seed: int = 0) -> list[PacelcPoint]:
    """Run a Dynamo store for each ``(n, r, w)`` in ``configs``; replicas on the first N ``holders``."""
    sites = _check_sites(sites)
    holders = sites if holders is None else _check_sites(holders, "holders")
    if workload is not None and not isinstance(workload, Workload):
        raise TypeError(f"workload={brief(workload)}: expected a Workload or None")
    wl = workload or Workload(duration_ms=3_000.0, think_ms=60.0, read_fraction=0.7)
    if isinstance(configs, (str, bytes, dict)) or not hasattr(configs, "__iter__"):
        raise TypeError(f"configs={brief(configs)}: expected a list of (n, r, w) such as [(3, 1, 1)]")
    configs = list(configs)
    for c in configs:
        if not (isinstance(c, tuple) and len(c) == 3):
            raise TypeError(f"configs: {brief(c)} is not an (n, r, w) triple")
    out = []
    for n, r, w in configs:
        res = run_store(Dynamo(n, r, w, holders=holders[:n]), sites, None, wl, seed)
        reads = [o for o in res.ops if o.op == "read" and o.ok]
        stale = sum(o.stale for o in reads) / len(reads) if reads else float("nan")
        out.append(PacelcPoint(n, r, w, _typical_ms(res, "read"), _typical_ms(res, "write"), stale, res))
    return out


def binned_consistency(runs, edges) -> list[tuple[float, float, int]]:
    """(bin middle in ms, share of reads that saw the last completed write or newer, reads) per bin.

    A read counts in the bin of the time between the most recent write that
    had completed when it was called and its call: PBS's ``t``.
    """
    runs = [runs] if isinstance(runs, RunResult) else runs
    if not isinstance(runs, (list, tuple)) or not all(isinstance(r, RunResult) for r in runs):
        raise TypeError(f"runs={brief(runs)}: expected a RunResult or a list of them")
    if not isinstance(edges, (list, tuple, range)) or len(edges) < 2 or any(
            isinstance(e, bool) or not isinstance(e, (int, float)) or not -1e300 < e < 1e300 for e in edges):
        raise TypeError(f"edges={brief(edges)}: expected a list of at least two finite bin edges in ms")
    if list(edges) != sorted(edges):
        raise ValueError(f"edges={brief(edges)}: expected increasing bin edges")
    pairs = [p for r in runs for p in consistency_by_lag(r.ops)]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = [ok for lag, ok in pairs if lo <= lag < hi]
        if inside:
            out.append(((lo + hi) / 2, sum(inside) / len(inside), len(inside)))
    return out
