"""Follow one write across the planet: which node held it when, and over which hop it came.

``follow_write`` runs a design from ``edgekit.edge.lab.compare`` on its usual
workload, adds one traced client write (write number ``TRACE_WRITE``) at
``origin`` at ``at_ms``, and reads the network's history: a node first holds
the write at the first delivery of a message carrying a state that includes it
(``leq``). The result is a plain ``Propagation`` record, which the chapter's
animated map is drawn from.

By default the other clients only read (``others_write=False``): they make
sites interested in the key, so pulls happen, but no other write can
overtake the traced one and travel in its place.

>>> from edgekit.edge.lab.compare import Setup
>>> setup = Setup(sites=("LHR", "FRA", "IAD", "SYD"), rates=50.0, ops=600, keys=3, isolated="SYD")
>>> p = follow_write("flat", setup, origin="SYD", key="k0", at_ms=1_000.0)
>>> p.holders[0].node, p.holders[0].seen_ms     # the origin holds it at once
('SYD', 0.0)
>>> [(h.src, h.dst) for h in p.hops][:2]          # SYD's next sync brings it to the root, then down
[('SYD', 'root:LHR'), ('root:LHR', 'LHR')]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from edgekit.sim import FaultModel

from ..._checks import brief, check_number
from ..system import EdgeSystem, cluster_of
from ..topology import site_place
from .compare import Setup, build, check_setup, fault_timeline
from .primary import Forward, PrimarySystem

__all__ = ["TRACE_WRITE", "Hop", "Holder", "Propagation", "follow_write", "states_in"]

TRACE_WRITE = 10**9  # the traced write's number: no workload reaches it, so its value is unique


@dataclass(frozen=True)
class Hop:
    """The message that first brought the write to ``dst`` (times in ms after the write)."""

    src: str
    dst: str
    sent_ms: float
    arrived_ms: float


@dataclass(frozen=True)
class Holder:
    """A node, where it is, what it does, and when it first held the write (None: not in the run)."""

    node: str
    lat: float
    lon: float
    role: str  # "site", "hub", "root", "primary", "replica", "peer"
    seen_ms: float | None


@dataclass(frozen=True)
class Propagation:
    """One traced write in one design: holders (the origin first), hops in time order, static links."""

    topology: str
    key: str
    origin: str
    at_ms: float
    holders: tuple
    hops: tuple
    links: tuple  # (a, b) pairs the design always talks over (none for a mesh: everyone to everyone)

    @property
    def reached(self) -> int:
        """Nodes that held the write by the end of the run."""
        return sum(h.seen_ms is not None for h in self.holders)


def states_in(msg, key: str) -> list:
    """The CRDT states for ``key`` that ``msg`` carries (sync messages, log entries, gossip deltas)."""
    if not isinstance(key, str):
        raise TypeError(f"key={brief(key)}: expected a key string")
    entries = getattr(msg, "entries", None)
    if isinstance(entries, dict):
        st = entries.get(key)
        return [] if st is None else [st]
    if hasattr(msg, "states"):
        return msg.states(key)
    st = getattr(msg, "state", None)
    return [st] if st is not None and getattr(msg, "key", None) == key else []


def _roles(system, topology: str) -> dict[str, str]:
    if isinstance(system, EdgeSystem):
        t = system.topology
        return {n: "root" if n == t.root else "site" if n in system.sites else "hub" for n in t.upstream}
    if isinstance(system, PrimarySystem):
        return {n: "primary" if n == system.primary else "replica" for n in system.nodes}
    return {n: "peer" for n in system.nodes}


def _links(system) -> tuple:
    if isinstance(system, EdgeSystem):
        return tuple((n, p) for n, p in system.topology.upstream.items() if p is not None)
    if isinstance(system, PrimarySystem):
        return tuple((system.primary, n) for n in system.nodes if n != system.primary)
    return ()


def follow_write(topology: str, setup: Setup | None = None, origin: str = "LHR", key: str = "k0",
                 at_ms: float = 1_000.0, seed: int = 0, others_write: bool = False,
                 scenario: str = "none") -> Propagation:
    """Trace one write at ``origin`` to ``key`` at ``at_ms`` through ``topology`` under ``setup``.

    ``scenario`` adds the fault of ``edgekit.edge.lab.compare.fault_timeline`` (its window is set by
    ``setup.fault_from`` and ``setup.fault_to``).
    """
    setup = check_setup(setup)
    if not others_write:
        setup = replace(setup, write_fraction=0.0)
    if not isinstance(origin, str) or origin not in setup.sites:
        raise ValueError(f"origin={brief(origin)}: expected one of the sites {list(setup.sites)}")
    if setup.value_type not in ("lww", "mv"):
        raise ValueError(f"value_type={brief(setup.value_type)}: expected 'lww' or 'mv' (a register whose value "
                         "names the traced write)")
    workload = setup.workload(seed)
    if check_number(at_ms, "at_ms", 0) >= workload.duration_ms:
        raise ValueError(f"at_ms={brief(at_ms)}: expected a time in [0, {workload.duration_ms:.0f}) ms, "
                         "inside the workload")
    if not isinstance(key, str) or key not in workload.key_names():
        raise ValueError(f"key={brief(key)}: expected one of the workload's keys k0 .. k{setup.keys - 1}")
    faults = FaultModel(timeline=fault_timeline(topology, scenario, setup))
    system = build(topology, setup, seed, faults, record="all")
    system.sim.call_at(at_ms, system.invoke, origin, "write", key, TRACE_WRITE)
    system.drive(workload)
    # The driver stops at the last client operation; let syncs already under way finish.
    system.sim.run(until=system.sim.now + 4 * setup.epoch_ms)
    written = [s for s in system.observer.acked.get(key, ()) if _names_trace(s.value)]
    if not written:
        raise ValueError(f"origin={brief(origin)}: the traced write was not acknowledged (the site could not "
                         "reach whoever must accept it); try another origin or time")
    state, leq = written[0], system.observer.leq
    sent: dict = {}
    seen = {origin: 0.0} if not isinstance(system, PrimarySystem) or origin == system.primary else {}
    hops = []
    for r in system.net.history:
        if r.kind == "send":
            sent[r.msg_id] = r.time
        elif r.kind == "deliver" and r.time >= at_ms:
            node, peer = cluster_of(r.node), cluster_of(r.peer)  # a replica stands for its PoP
            if node in seen or node == peer:
                continue
            msg = r.data
            carried = (type(msg) is Forward and msg.key == key and msg.write == TRACE_WRITE) or any(
                leq(state, s) for s in states_in(msg, key))
            if carried:
                seen[node] = r.time - at_ms
                hops.append(Hop(peer, node, sent[r.msg_id] - at_ms, r.time - at_ms))
    roles = _roles(system, topology)
    order = [origin] + [n for n in roles if n != origin]
    holders = tuple(Holder(n, site_place(n).lat, site_place(n).lon, roles[n], seen.get(n)) for n in order)
    return Propagation(topology, key, origin, at_ms, holders, tuple(hops), _links(system))


def _names_trace(value) -> bool:
    if isinstance(value, (set, frozenset)):
        return TRACE_WRITE in value
    return value == TRACE_WRITE
