"""Replicated stores in the simulator, and how stale partial quorums read (PBS).

* ``replica``: the skeleton every store shares (coordination in rounds).
* ``primary``, ``quorum`` (ABD), ``dynamo`` (N/R/W), ``available`` (AP, LWW): the stores.
* ``workload``: the clients; ``run``: ``run_store``; ``staleness``: what the reads saw.
* ``scenarios``: chapter 3's experiments (CAP under a cut, a PACELC sweep, PBS bins).
* ``pbs``: probabilistically bounded staleness (Bailis et al. 2012).
"""

from .available import Available
from .dynamo import Dynamo
from .pbs import (
    LATENCY_MODELS,
    WARS,
    Exponential,
    Mixture,
    Pareto,
    closed_form_consistency,
    pbs_consistency,
    staleness_thresholds,
    t_visibility,
)
from .primary import Primary
from .quorum import Quorum
from .run import STORES, RunResult, run_store, store_spec
from .scenarios import (
    CAP_WORKLOAD,
    PRESETS,
    WORLD,
    CapComparison,
    PacelcPoint,
    binned_consistency,
    cap_compare,
    cap_faults,
    pacelc_sweep,
)
from .staleness import OpRecord, SiteStats, consistency_by_lag
from .workload import Workload

__all__ = [
    "LATENCY_MODELS",
    "WARS",
    "Exponential",
    "Mixture",
    "Pareto",
    "closed_form_consistency",
    "pbs_consistency",
    "staleness_thresholds",
    "t_visibility",
    "Primary",
    "Quorum",
    "Dynamo",
    "Available",
    "STORES",
    "RunResult",
    "run_store",
    "store_spec",
    "OpRecord",
    "SiteStats",
    "consistency_by_lag",
    "Workload",
    "WORLD",
    "CAP_WORKLOAD",
    "PRESETS",
    "CapComparison",
    "PacelcPoint",
    "binned_consistency",
    "cap_compare",
    "cap_faults",
    "pacelc_sweep",
]
