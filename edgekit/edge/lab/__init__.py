"""edgekit.edge.lab: everything that runs experiments on the edge system.

The system itself (sites, replicas, upstreams, sync, stores) is ``edgekit.edge``
and reads on its own. Here: client workloads and fault timelines (``workload``),
the run's oracle (``observe``) and its numbers (``metrics``), one-call runs
(``run``), the alternative designs the talk rejects (``primary``, ``gossip``, on
the ``harness`` they share), the four-way comparison (``compare``), the
complications the talk names (``complications``), one write followed across the
planet (``propagation``) and the protocol slowed down for a learner (``stepper``).

    from edgekit.edge.lab import Workload, run_edge, site_ids
    run = run_edge(Workload(site_ids(24), keys=1_000, ops=20_000, rates=50.0, seed=1))
    run.summary()
"""

from .faults import random_faults, region_cut, site_isolated, upstream_down
from .metrics import LostWrites, check_lost_writes, distribution, percentile
from .observe import Observer, OpRecord, Visibility
from .run import EdgeRun, make_topology, run_edge
from .workload import Workload, site_ids

__all__ = [
    "EdgeRun", "LostWrites", "Observer", "OpRecord", "Visibility", "Workload", "check_lost_writes",
    "distribution", "make_topology", "percentile", "random_faults", "region_cut", "run_edge", "site_ids",
    "site_isolated", "upstream_down",
]
