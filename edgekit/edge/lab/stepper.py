"""The edge system slowed down for a learner: one epoch of sync at a time, one read inside a site.

``sync_walkthrough`` runs a tiny ``EdgeSystem`` (two sites and a root) whose
epoch timers never fire on their own: each step, the script's client
operations run, then every site syncs once, in order, and the simulator
delivers the request and the response. Every message is recorded with its
entries and its size in bytes (``wire_bytes``: its JSON), and every node's
state after the step. The default script tells the talk's story: a read miss
that fills in a step later, two concurrent writes that LWW settles by losing
one (an MV register keeps both), a quiet epoch with no message at all, and a
read of a key nobody ever wrote.

``site_inside`` does the same for one PoP's replicas: rendezvous scores pick
the key's ``n`` replicas, one replica misses a write while it is down, and a
read scatters to all ``n``, answers with the first reply, merges what came in
time and repairs the stale copy.

>>> steps = sync_walkthrough()
>>> [len(s.messages) for s in steps]        # request + response per site that had interest
[4, 2, 4, 0, 2]
>>> steps[0].messages[0].entries             # Sydney missed "cart": it asks with the missing marker
{'cart': None}
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..config import EdgeConfig
from ..hashing import score
from ..messages import wire_bytes
from ..site import Site, placement
from ..system import EdgeSystem
from ..testing import FakeContext
from ..topology import Topology

__all__ = ["DEFAULT_SCRIPT", "Message", "ClientOp", "Step", "sync_walkthrough", "ReplicaView", "InsideRead",
           "site_inside"]

# Each step: the client operations (site, "read" or "write", key) that run before the syncs.
DEFAULT_SCRIPT = (
    (("LHR", "write", "cart"), ("SYD", "read", "cart")),
    (("SYD", "read", "cart"),),
    (("LHR", "write", "cart"), ("SYD", "write", "cart"), ("SYD", "read", "theme")),
    (),
    (("SYD", "read", "cart"), ("SYD", "read", "theme")),
)
_QUIET_MS = 1e9  # an epoch that never comes: the walkthrough triggers every sync itself


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

    @property
    def bytes(self) -> int:
        return sum(m.bytes for m in self.messages)


def _check_script(script) -> None:
    if isinstance(script, (str, bytes)) or not hasattr(script, "__iter__"):
        raise TypeError(f"script={script!r}: expected a list of steps, each a list of (site, op, key)")
    for i, step in enumerate(script, 1):
        for op in step:
            if not (isinstance(op, tuple) and len(op) == 3 and op[1] in ("read", "write")):
                raise ValueError(f"script step {i}: {op!r}: expected (site, 'read' or 'write', key)")


def sync_walkthrough(script=DEFAULT_SCRIPT, sites=("SYD", "LHR"), root: str = "FRA",
                     value_type: str = "lww") -> tuple[Step, ...]:
    """Run ``script`` one epoch at a time; each site syncs once per step, in the order of ``sites``."""
    _check_script(script)
    topo = Topology.flat(list(sites), root=root)
    system = EdgeSystem(topo, EdgeConfig(epoch_ms=_QUIET_MS, value_type=value_type), seed=1, record="all")
    sim, net = system.sim, system.net
    steps, number, seen = [], 0, 0
    for n, ops in enumerate(script, 1):
        t = n * 5_000.0  # room for the ops and one sync per site
        sim.run(until=t)
        done = []
        for site, kind, key in ops:
            if site not in system.sites:
                raise ValueError(f"script step {n}: site={site!r}: expected one of {list(system.sites)}")
            sim.run(until=sim.now + 10.0)  # ten ms apart: later writes get later timestamps
            ctx = system.contexts[site]
            if kind == "write":
                number += 1
                out = system.sites[site].write(ctx, key, number)
            else:
                out = system.sites[site].read(ctx, key)
            done.append(ClientOp(site, kind, key, out.value))
        for site in sites:
            system.sites[site].sync(system.contexts[site])
            sim.run(until=sim.now + 500.0)  # the request and its response, one site at a time
        history = net.history[seen:]
        seen += len(history)
        arrived = {r.msg_id: r.time for r in history if r.kind == "deliver"}
        msgs = [_message(n, r, arrived.get(r.msg_id)) for r in history if r.kind == "send"]
        states = {node: _visible(system.node(node)) for node in topo.upstream}
        steps.append(Step(n, tuple(done), tuple(msgs), states))
    return tuple(steps)


def _message(step: int, r, arrived: float | None) -> Message:
    msg = r.data
    entries = {k: (None if v is None else v.to_json()) for k, v in msg.entries.items()}
    sizes = {k: 0 if v is None else len(json.dumps(v)) for k, v in entries.items()}
    return Message(step, r.time, arrived, type(msg).__name__, r.node, r.peer, entries, wire_bytes(msg), sizes)


def _visible(node) -> dict:
    out = {}
    for key in sorted(node.held_keys()):
        v = node.state_of(key).value
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
    before: object  # visible value before the read (None: lacks it)
    after: object  # ... and after: differs when read repair fixed it
    repaired: bool


@dataclass(frozen=True)
class InsideRead:
    """A read inside one PoP after one replica missed the latest write."""

    key: str
    replicas: tuple  # ReplicaView, by index
    latest: object  # the value of the latest write
    answered: object  # what the client got: the first reply
    first_reply_ms: float
    stale_answer: bool  # the first reply came from the replica that missed the write
    gather_ms: float
    repairs: int


def site_inside(key: str = "cart:42", replicas: int = 5, n: int = 3, missed_by: int = 0,
                slow: tuple = (), slow_ms: float = 200.0, seed: int = 0) -> InsideRead:
    """Write twice to ``key``; the ``missed_by``-th of its replicas is down for the second write.

    Then every replica is up again (those in ``slow`` answer ``slow_ms`` late) and a client reads.
    """
    cfg = EdgeConfig(replicas=replicas, n=n)  # checks replicas >= n >= 1
    holders = placement(key, replicas, n)
    if isinstance(missed_by, bool) or not isinstance(missed_by, int) or not 0 <= missed_by < n:
        raise ValueError(f"missed_by={missed_by!r}: expected 0..{n - 1} (which of the key's {n} replicas)")
    bad = [i for i in slow if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < replicas]
    if bad:
        raise ValueError(f"slow={tuple(slow)!r}: expected replica indices in 0..{replicas - 1}")
    site = Site("LHR", None, cfg)
    ctx = FakeContext("LHR", now=1_000.0, seed=seed)
    site.write(ctx, key, 1)
    stale = holders[missed_by]
    site.set_replica(stale, up=False)
    ctx.now += 1_000.0
    latest = site.write(ctx, key, 2).value
    site.set_replica(stale, up=True)
    for i in slow:
        site.set_replica(i, up=True, slow_ms=slow_ms)
    before = [_peek(site, i, key) for i in range(replicas)]
    ctx.now += 1_000.0
    out = site.read(ctx, key)
    after = [_peek(site, i, key) for i in range(replicas)]
    views = tuple(ReplicaView(i, score(key, f"r{i}"), i in holders, site.up[i], site.slow_ms[i], before[i],
                              after[i], before[i] != after[i]) for i in range(replicas))
    return InsideRead(key, views, latest, out.value, out.latency_ms, out.value != latest, cfg.gather_ms,
                      site.repairs)


def _peek(site: Site, i: int, key: str):
    st = site.stores[i].peek(key)
    return None if st is None else st.value
