"""edgekit.edge: the edge state system from the talk, as a reference implementation.

Sites at real PoPs hold CRDT state for the keys they have seen (LRU, finite),
serve reads and writes locally inside the request (scatter to the key's
replicas, answer the first reply, read repair the rest), and pull-sync with an
upstream once per epoch: one SyncRequest with the interest set, one
SyncResponse with the upstream's merged values. Upstreams may have upstreams
(site -> regional hub -> root). See ``docs/edge-design.md`` for the decisions
the talk leaves open.

    from edgekit.edge import Workload, EdgeConfig, run_edge, site_ids
    run = run_edge(Workload(site_ids(20), keys=1_000, ops=20_000), EdgeConfig(epoch_ms=500))
    run.summary()        # latency, staleness, visibility, messages and bytes per op, lost writes
"""

from .config import EdgeConfig
from .hashing import rendezvous
from .messages import SyncRequest, SyncResponse, value_bytes, wire_bytes
from .metrics import LostWrites, check_lost_writes, distribution, percentile
from .observe import Observer, OpRecord, Visibility
from .run import EdgeRun, make_topology, run_edge
from .site import Outcome, Site, placement
from .store import Store
from .sync import Interest, Meter, SyncNode
from .system import EdgeSystem
from .topology import Topology, choose_center, site_place
from .upstream import Upstream
from .values import VALUE_TYPES, ValueType
from .workload import (
    Workload,
    random_faults,
    region_cut,
    site_ids,
    site_isolated,
    upstream_down,
)

__all__ = [
    "EdgeConfig", "EdgeRun", "EdgeSystem", "Interest", "LostWrites", "Meter", "Observer",
    "OpRecord", "Outcome", "Site", "Store", "SyncNode", "SyncRequest", "SyncResponse", "Topology",
    "Upstream", "VALUE_TYPES", "ValueType", "Visibility", "Workload", "check_lost_writes",
    "choose_center", "distribution", "make_topology", "percentile", "placement", "random_faults",
    "region_cut", "rendezvous", "run_edge", "site_ids", "site_isolated", "site_place",
    "upstream_down", "value_bytes", "wire_bytes",
]
