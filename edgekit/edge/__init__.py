"""edgekit.edge: the edge state system from the talk, as a reference implementation.

Sites at real PoPs hold CRDT state for the keys their clients touch (LRU,
finite), serve reads and writes locally inside the request, and pull-sync with
an upstream once per epoch (one SyncRequest with the interest set, one
SyncResponse with the upstream's merged values). Upstreams may have upstreams
(site -> regional hub -> root). Every tier is a *cluster*: a front end and
``replicas`` storage processes with their own disks, each key on ``n`` of them
by rendezvous hashing; replicas sync upstream on their own.

The pieces, each a module:

==============  ============================================================================
``context``     the context protocol every node runs in (and ``FakeContext``, ``HandNet``)
``site``        a site's front end: client reads and writes, scatter-gather, read repair
``replica``     a storage process: its store, its interest set, its own sync with upstream
``upstream``    a hub's or the root's front end: serves children's syncs
``gather``      scatter-gather rounds and one timer per front end
``sync``        the protocol's client side: ``Interest`` (touched, unacknowledged, dirty)
``store``       a replica's disk: ``Store`` (the interface), ``MemoryStore``
``messages``    every message, with checked JSON (``decode``); ``Outcome``, a client's reply
``history``     ``ClientOp``: what a client saw, the input of every check
``values``      value types and how a write becomes a CRDT delta
``hashing``     rendezvous hashing; ``topology``: the tree from geography
``system``      ``EdgeSystem``: every cluster on the simulator; heal, quiet, read rounds
==============  ============================================================================

Everything that runs experiments on the system (workloads, fault timelines, the
checks, the oracle, the comparison with other designs) is ``edgekit.edge.lab``.
See ``docs/edge-design.md`` for the decisions the talk leaves open.

    from edgekit.edge import EdgeConfig
    from edgekit.edge.lab import Workload, run_edge, site_ids
    run = run_edge(Workload(site_ids(20), keys=1_000, ops=20_000), EdgeConfig(epoch_ms=500))
    run.summary()        # latency, staleness, visibility, messages and bytes per op, lost writes
"""

from .config import EdgeConfig
from .context import FakeContext, HandNet
from .hashing import placement, rendezvous
from .history import ClientOp
from .messages import Outcome, SyncRequest, SyncResponse, decode, value_bytes, wire_bytes
from .meter import Meter
from .replica import Replica
from .site import Site
from .store import MemoryStore, Store
from .sync import Interest, SyncNode
from .system import EdgeSystem, cluster_of, make_cluster
from .topology import Topology, choose_center, site_place
from .upstream import Upstream
from .values import VALUE_TYPES, ValueType

__all__ = [
    "ClientOp", "EdgeConfig", "EdgeSystem", "FakeContext", "HandNet", "Interest", "MemoryStore", "Meter",
    "Outcome", "Replica", "Site", "Store", "SyncNode", "SyncRequest", "SyncResponse", "Topology", "Upstream",
    "VALUE_TYPES", "ValueType", "choose_center", "cluster_of", "decode", "make_cluster", "placement",
    "rendezvous", "site_place", "value_bytes", "wire_bytes",
]
