"""The edge system slowed down for a learner: one epoch of sync at a time, one read inside a site.

``sync_walkthrough`` runs a tiny ``EdgeSystem`` (two sites and a root, one
replica each, so that a site is one storage process and its sync is one
request) whose epoch timers never fire on their own: each step, the script's
client operations run, then every site syncs once, in order, and the simulator
delivers the request and the response. Every message is recorded with its
entries and its size in bytes (``wire_bytes``: its JSON), and every node's
state after the step. The default script tells the talk's story: a read miss
that fills in a step later, two concurrent writes that LWW settles by losing
one (an MV register keeps both), a quiet epoch with no message at all, a
read of a key nobody ever wrote, and a last quiet epoch.

``faults`` drops or duplicates any sync message: ``{(epoch, site, "request" or
"response"): "drop" or "duplicate"}``. A dropped request or response leaves
the keys in the site's interest set (and its writes pinned as dirty), so the
next epoch's request carries them again: a missed sync only delays. A
duplicated request is merged twice and answered twice, and the second answer
changes nothing: merges are idempotent, so duplicates are harmless.

``site_inside`` does the same for one PoP's replicas: rendezvous scores pick
the key's ``n`` replicas, one replica misses a write while it is down (a
crash on the fault timeline), and a read scatters to all ``n``, merges what
comes back within the gather timer after the first reply, answers the merge
and repairs the stale copy.

>>> steps = sync_walkthrough()
>>> [len(s.messages) for s in steps]        # request + response per site that had interest
[4, 2, 4, 0, 2, 0]
>>> steps[0].messages[0].entries             # Sydney missed "cart": it asks with the missing marker
{'cart': None}
>>> lost = sync_walkthrough(faults={(3, "LHR", "request"): "drop"})
>>> sorted(lost[3].messages[0].entries), steps[-1].states == lost[-1].states   # epoch 4 carries it again
(['cart'], True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from edgekit.sim import LinkFaults

from ..._checks import brief, check_items
from ..config import EdgeConfig
from ..hashing import placement, score
from ..messages import SyncRequest, SyncResponse, wire_bytes
from ..system import EdgeSystem, cluster_of
from ..topology import Topology

__all__ = ["DEFAULT_SCRIPT", "FAULTS", "Message", "ClientOp", "Step", "sync_walkthrough", "ReplicaView",
           "InsideRead", "site_inside"]

# Each step: the client operations (site, "read" or "write", key) that run before the syncs.
DEFAULT_SCRIPT = (
    (("LHR", "write", "cart"), ("SYD", "read", "cart")),
    (("SYD", "read", "cart"),),
    (("LHR", "write", "cart"), ("SYD", "write", "cart"), ("SYD", "read", "theme")),
    (),
    (("SYD", "read", "cart"), ("SYD", "read", "theme")),
    (),
)
_QUIET_MS = 1e9  # an epoch that never comes: the walkthrough triggers every sync itself
FAULTS = ("drop", "duplicate")
_LEGS = ("request", "response")


@dataclass(frozen=True)
class Message:
    """One sync message: who sent it to whom, its entries (JSON; None = missing) and sizes."""

    step: int
    time_ms: float  # sent
    arrived_ms: float | None  # delivered (None: lost)
    kind: str  # "SyncRequest" or "SyncResponse"
    src: str
    dst: str
    entries: dict  # key -> the CRDT's JSON, or None (the missing marker)
    bytes: int  # the whole message
    entry_bytes: dict  # key -> bytes of its value (0 for the missing marker)
    copies: int = 1  # deliveries: 0 lost, 2 duplicated by the network


@dataclass(frozen=True)
class ClientOp:
    site: str
    kind: str
    key: str
    value: object  # what the client got (a read) or wrote; None: missing


@dataclass(frozen=True)
class Step:
    """One epoch: the client operations, the messages, then each node's visible values."""

    number: int
    ops: tuple
    messages: tuple
    states: dict  # node -> key -> user-visible value (keys the node holds)
    faults: tuple = ()  # (site, "request" or "response", "drop" or "duplicate") applied in this epoch

    @property
    def bytes(self) -> int:
        return sum(m.bytes for m in self.messages)


def _check_script(script) -> None:
    if isinstance(script, (str, bytes)) or not hasattr(script, "__iter__"):
        raise TypeError(f"script={brief(script)}: expected a list of steps, each a list of (site, op, key)")
    for i, step in enumerate(script, 1):
        if isinstance(step, (str, bytes)) or not hasattr(step, "__iter__"):
            raise TypeError(f"script[{i - 1}]={brief(step)}: expected a list of (site, op, key)")
        for op in step:
            if not (isinstance(op, tuple) and len(op) == 3 and op[1] in ("read", "write")):
                raise ValueError(f"script[{i - 1}]: {brief(op)}: expected (site, 'read' or 'write', key)")


def _check_faults(faults, steps: int, sites) -> dict:
    if faults is None:
        return {}
    if not isinstance(faults, dict):
        raise TypeError(f"faults={brief(faults)}: expected a dict {{(epoch, site, 'request' or 'response'): "
                        "'drop' or 'duplicate'}")
    for key, how in faults.items():
        ok = isinstance(key, tuple) and len(key) == 3 and key[1] in sites and key[2] in _LEGS
        if not ok or isinstance(key[0], bool) or not isinstance(key[0], int) or not 1 <= key[0] <= steps:
            raise ValueError(f"faults: {key!r:.80}: expected (epoch in 1..{steps}, a site of {list(sites)}, "
                             "'request' or 'response')")
        if how not in FAULTS:
            raise ValueError(f"faults[{brief(key)}]={brief(how)}: expected one of {FAULTS}")
    return faults


def sync_walkthrough(script=DEFAULT_SCRIPT, sites=("SYD", "LHR"), root: str = "FRA",
                     value_type: str = "lww", faults=None) -> tuple[Step, ...]:
    """Run ``script`` one epoch at a time; each site syncs once per step, in the order of ``sites``.

    ``faults`` drops or duplicates sync messages (see the module docstring)."""
    _check_script(script)
    faults = _check_faults(faults, len(script), tuple(sites))
    topo = Topology.flat(list(sites), root=root)
    cfg = EdgeConfig(replicas=1, n=1, epoch_ms=_QUIET_MS, value_type=value_type)
    system = EdgeSystem(topo, cfg, seed=1, record="all")
    sim, net = system.sim, system.net
    steps, seen = [], 0
    for n, ops in enumerate(script, 1):
        t = n * 5_000.0  # room for the ops and one sync per site
        sim.run(until=t)
        done = []
        for site, kind, key in ops:
            if site not in system.sites:
                raise ValueError(f"script[{n - 1}]: site={brief(site)}: expected one of {list(system.sites)}")
            sim.run(until=sim.now + 10.0)  # ten ms apart: later writes get later timestamps
            out = system.call(site, kind, key)
            done.append(ClientOp(site, kind, key, out.value))
        applied = []
        for site in sites:
            links = []
            for rid in system.clusters[site]:
                up = topo.upstream[site]
                for leg, (src, dst) in zip(_LEGS, ((rid, up), (up, rid)), strict=True):
                    how = faults.get((n, site, leg))
                    if how == "drop":
                        net.cut(src, dst, directed=True)
                    elif how == "duplicate":
                        net.pin_links([(src, dst)], LinkFaults(duplicate=1.0))
                    if how:
                        links.append((src, dst))
                        applied.append((site, leg, how))
                system.replicas[rid].sync(system.contexts[rid])
            sim.run(until=sim.now + 500.0)  # the request and its response, one site at a time
            for src, dst in links:  # back to a perfect link
                net.heal(src, dst)
                net.pin_links([(src, dst)], LinkFaults())
        history = net.history[seen:]
        seen += len(history)
        arrived, copies = {}, {}
        for r in history:
            if r.kind == "deliver":
                arrived.setdefault(r.msg_id, r.time)
                copies[r.msg_id] = copies.get(r.msg_id, 0) + 1
        msgs = [_message(n, r, arrived.get(r.msg_id), copies.get(r.msg_id, 0)) for r in history
                if r.kind == "send" and type(r.data) in (SyncRequest, SyncResponse)]
        states = {node: _visible(system, node) for node in topo.upstream}
        steps.append(Step(n, tuple(done), tuple(msgs), states, tuple(applied)))
    return tuple(steps)


def _message(step: int, r, arrived: float | None, copies: int) -> Message:
    msg = r.data
    entries = {k: (None if v is None else v.to_json()) for k, v in msg.entries.items()}
    sizes = {k: 0 if v is None else len(json.dumps(v)) for k, v in entries.items()}
    return Message(step, r.time, arrived, type(msg).__name__, cluster_of(r.node), cluster_of(r.peer), entries,
                   wire_bytes(msg), sizes, copies)


def _visible(system, cluster) -> dict:
    out = {}
    for key in sorted(system.held_keys(cluster)):
        v = system.state(cluster, key).value
        out[key] = sorted(v, key=repr) if isinstance(v, (set, frozenset)) else v
    return out


# -- inside one site ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaView:
    """One replica of the site, for one key."""

    index: int
    score: int  # rendezvous weight of (key, replica): the n highest hold the key
    holds_key: bool
    up: bool
    slow_ms: float
    late: bool  # its reply came after the first reply + gather_ms: neither merged nor repaired
    before: object  # visible value before the read (None: lacks it)
    after: object  # ... and after: differs when read repair fixed it
    repaired: bool


@dataclass(frozen=True)
class InsideRead:
    """A read inside one PoP after one replica missed the latest write."""

    key: str
    replicas: tuple  # ReplicaView, by index
    latest: object  # the value of the latest write
    answered: object  # what the client got: the merge of the replies within the gather timer
    latency_ms: float
    stale_answer: bool  # every replica with the latest write answered too late
    gather_ms: float
    repairs: int


def site_inside(key: str = "cart:42", replicas: int = 5, n: int = 3, missed_by: int = 0,
                slow: tuple = (), slow_ms: float = 200.0, seed: int = 0) -> InsideRead:
    """Write twice to ``key``; the ``missed_by``-th of its replicas is down for the second write.

    Then every replica is up again (those in ``slow`` answer ``slow_ms`` late) and a client reads.
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"key={brief(key)}: expected a non-empty key string")
    cfg = EdgeConfig(replicas=replicas, n=n, epoch_ms=_QUIET_MS)  # checks replicas >= n >= 1
    slow = check_items(slow, "slow", object, "replica indices")
    holders = placement(key, replicas, n)
    if isinstance(missed_by, bool) or not isinstance(missed_by, int) or not 0 <= missed_by < n:
        raise ValueError(f"missed_by={brief(missed_by)}: expected 0..{n - 1} (which of the key's {n} replicas)")
    bad = [i for i in slow if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < replicas]
    if bad:
        raise ValueError(f"slow={brief(tuple(slow))}: expected replica indices in 0..{replicas - 1}")
    if not isinstance(slow_ms, (int, float)) or isinstance(slow_ms, bool) or not 0 <= slow_ms < 1e6:
        raise ValueError(f"slow_ms={brief(slow_ms)}: expected a delay in ms, at least 0")
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=seed)
    net, sim = system.net, system.sim
    ids = system.clusters["LHR"]
    sim.run(until=1_000.0)
    system.call("LHR", "write", key)
    stale = ids[holders[missed_by]]
    net.crash(stale)
    sim.run(until=sim.now + 1_000.0)
    latest = system.call("LHR", "write", key).value
    net.restart(stale)
    for i in slow:
        net.slow(ids[i], float(slow_ms))
    before = [_peek(system, r, key) for r in ids]
    sim.run(until=sim.now + 1_000.0)
    repairs = system.sites["LHR"].repairs
    out = system.call("LHR", "read", key, max_ms=10 * max(slow_ms, 1.0) + 1_000.0)
    sim.run(until=sim.now + max(slow_ms, 1.0) + 10.0)  # late replies land (and are ignored)
    after = [_peek(system, r, key) for r in ids]
    delays = {i: float(slow_ms) if i in slow else 0.0 for i in holders}
    first = min(delays.values())
    views = tuple(ReplicaView(i, score(key, f"r{i}"), i in holders, True, float(slow_ms) if i in slow else 0.0,
                              i in holders and delays[i] > first + cfg.gather_ms, before[i], after[i],
                              before[i] != after[i]) for i in range(replicas))
    return InsideRead(key, views, latest, out.value, out.latency_ms, out.value != latest, cfg.gather_ms,
                      system.sites["LHR"].repairs - repairs)


def _peek(system, replica: str, key: str):
    st = system.state(replica, key)
    return None if st is None else st.value
