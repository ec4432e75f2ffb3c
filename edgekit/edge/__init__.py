"""edgekit.edge: the edge state system from the talk, as a reference implementation.

Sites at real PoPs hold CRDT state for the keys they have seen (LRU, finite),
serve reads and writes locally inside the request (scatter to the key's
replicas, answer the first reply, read repair the rest), and pull-sync with an
upstream once per epoch: one SyncRequest with the interest set, one
SyncResponse with the upstream's merged values. Upstreams may have upstreams
(site -> regional hub -> root). See ``docs/edge-design.md`` for the decisions
the talk leaves open.

This package is the system alone. Everything that runs experiments on it
(workloads, fault timelines, the oracle, comparisons with other designs) is in
``edgekit.edge.lab``:

    from edgekit.edge.lab import Workload, run_edge, site_ids
    from edgekit.edge import EdgeConfig
    run = run_edge(Workload(site_ids(20), keys=1_000, ops=20_000), EdgeConfig(epoch_ms=500))
    run.summary()        # latency, staleness, visibility, messages and bytes per op, lost writes
"""

from .config import EdgeConfig
from .hashing import placement, rendezvous
from .messages import Outcome, SyncRequest, SyncResponse, value_bytes, wire_bytes
from .site import Site
from .store import Store
from .sync import Interest, Meter, SyncNode
from .system import EdgeSystem
from .topology import Topology, choose_center, site_place
from .upstream import Upstream
from .values import VALUE_TYPES, ValueType

__all__ = [
    "EdgeConfig", "EdgeSystem", "Interest", "Meter", "Outcome", "Site", "Store", "SyncNode",
    "SyncRequest", "SyncResponse", "Topology", "Upstream", "VALUE_TYPES", "ValueType", "choose_center",
    "placement", "rendezvous", "site_place", "value_bytes", "wire_bytes",
]
