"""The adapter: the only module of ``edgekit.grade`` that knows the edge package.

It uses only the edge package's public names (``SyncRequest``, ``SyncResponse``, ``decode``,
``EdgeConfig``, ``make_cluster``, ``cluster_of``, ``wire_bytes``), so that a change there is a
change here alone:

- ``check_request``: what a learner's node sent, validated and copied before it can touch
  the kit's state. It must be a ``SyncRequest`` to ``ctx.upstream`` with an int sync id and
  at most ``MAX_ENTRIES`` string keys whose values are ``GCounter`` or None; what goes on is a
  fresh copy, decoded by ``edgekit.edge.decode`` from its JSON (which checks every field), so
  the learner cannot change a message after sending it.
- ``upstreams``: the kit's root and hub clusters as chapter 5 runs them (a front end and
  ``CONFIG["replicas"]`` storage processes each, every key on ``n`` of them), every node in a
  ``KitHost``, the context an edgekit node runs in; ``root_state`` joins the root's replicas;
  ``place_of`` and ``is_protocol`` tell the world where a node sits and which messages
  cross between tiers (the only ones it records and may fault).
- ``edge_verdict``: the edge package's own lost-write check (``check_writes``, Jepsen-style:
  it reads only a client history and the final states) on the grader's record, a second,
  independently written judge of the root after quiet.
- ``for_learner``: the copy of an answer a learner's handler gets (it may change it).
"""

from __future__ import annotations

import json
import random

from edgekit.crdt import GCounter
from edgekit.edge import (
    ClientOp,
    EdgeConfig,
    SyncRequest,
    SyncResponse,
    cluster_of,
    decode,
    make_cluster,
    wire_bytes,
)
from edgekit.edge.lab.checks import check_writes
from edgekit.sim import Simulator

from .._checks import brief
from .errors import LearnerFault
from .scenario import HUB, ROOT

__all__ = ["SyncRequest", "SyncResponse", "GCounter", "wire_bytes", "check_request", "KitHost", "upstreams",
           "root_state", "place_of", "is_protocol", "edge_verdict", "for_learner", "is_request", "short",
           "MAX_ENTRIES"]

MAX_ENTRIES = 64
MAX_KEY_CHARS = 64
MAX_MESSAGE_BYTES = 16_384


def short(x) -> str:
    try:
        text = repr(x)
    except Exception:  # noqa: BLE001 - a learner's object may have any __repr__; the message must survive it
        return brief(x)
    return text if len(text) <= 80 else text[:77] + "..."


def check_request(msg, dst, upstream) -> SyncRequest:
    """A validated copy of what a node sent, or ``LearnerFault`` naming what is wrong."""
    if dst != upstream:
        raise LearnerFault("bad-message", f"ctx.send(dst={short(dst)}, ...): a site sends only to its "
                                          f"upstream, ctx.upstream = {brief(upstream)}")
    if type(msg) is not SyncRequest:
        raise LearnerFault("bad-message", f"ctx.send(..., msg={short(msg)}): expected "
                                          "SyncRequest(sync_id, entries), imported from edgekit.grade")
    sid, entries = msg.sync_id, msg.entries
    if isinstance(sid, bool) or not isinstance(sid, int) or not 0 <= sid < 2**53:
        raise LearnerFault("bad-message", f"SyncRequest sync_id={short(sid)}: expected an int from 0 to 2**53")
    if msg.blocking is not False:
        raise LearnerFault("bad-message", f"SyncRequest blocking={short(msg.blocking)}: this exercise "
                                          "uses plain (non-blocking) syncs only")
    if not isinstance(entries, dict):
        raise LearnerFault("bad-message", f"SyncRequest entries={short(entries)}: expected a dict key -> "
                                          "GCounter (or None for a key you lack)")
    if len(entries) > MAX_ENTRIES:
        raise LearnerFault("bad-message", f"SyncRequest with {len(entries)} entries: at most {MAX_ENTRIES} "
                                          "(only the keys clients touched belong in it)")
    for k, v in entries.items():
        if not isinstance(k, str) or not 0 < len(k) <= MAX_KEY_CHARS:
            raise LearnerFault("bad-message", f"SyncRequest key {short(k)}: expected a key string")
        if v is not None and type(v) is not GCounter:
            raise LearnerFault("bad-message", f"SyncRequest entries[{brief(k)}]={short(v)}: expected a GCounter "
                                              "(the key's whole state) or None")
    try:  # what goes on is what the edge package decodes from the message's JSON: a fresh copy
        copy = decode(json.loads(json.dumps(msg.to_json())), "gcounter").entries
    except (TypeError, ValueError) as exc:
        raise LearnerFault("bad-message", f"your SyncRequest does not survive the wire: {exc}") from None
    out = SyncRequest(sid, copy)
    if wire_bytes(out) > MAX_MESSAGE_BYTES:
        raise LearnerFault("bad-message", f"SyncRequest of {wire_bytes(out):,} bytes: at most "
                                          f"{MAX_MESSAGE_BYTES:,}")
    return out


def is_request(msg) -> bool:
    return type(msg) is SyncRequest


def for_learner(msg):
    """The copy of a message a learner's handler gets, or None if it is not for a site."""
    return SyncResponse(msg.sync_id, dict(msg.entries)) if type(msg) is SyncResponse else None


class KitHost:
    """The context an edgekit ``Upstream`` runs in (the ``edgekit.sim.node.Context`` it uses)."""

    def __init__(self, world, node_id: str, node) -> None:
        self.world, self.node_id, self.node = world, node_id, node
        self.rng = random.Random(f"{world.scenario.seed}/{node_id}")
        self.up = True

    @property
    def now(self) -> float:
        return self.world.sim.now

    def clock(self) -> float:
        return self.world.sim.now

    def send(self, dst, msg) -> None:
        self.world.send(self.node_id, dst, msg)

    def set_timer(self, delay_ms: float, tag=None):
        return self.world.sim.call_later(delay_ms, self._fire, tag)

    def cancel_timer(self, handle) -> None:
        Simulator.cancel(handle)

    def record(self, kind: str, **fields) -> None:
        pass

    def _fire(self, tag) -> None:
        if self.up:
            self.node.on_timer(self, tag)

    def start(self) -> None:
        self.node.on_start(self)

    def deliver(self, rec, msg, copy: int) -> None:
        self.node.on_message(self, rec.src, msg)


CONFIG = dict(replicas=3, n=2, write_quorum=1, capacity=None, hub_capacity=None, value_type="gcounter")


def upstreams(world, scenario) -> dict:
    """The kit's root and hub clusters (front end and replicas), each node in a ``KitHost``."""
    config = EdgeConfig(epoch_ms=scenario.epoch_ms, **CONFIG)
    hosts = {}
    for cluster, parent, tier in ((ROOT, None, "root"), (HUB, ROOT, "hub")):
        front, replicas = make_cluster(cluster, parent, tier, config)
        hosts[cluster] = KitHost(world, cluster, front)
        hosts.update({rid: KitHost(world, rid, r) for rid, r in replicas.items()})
    return hosts


def root_state(hosts: dict, key: str):
    """The root's state for ``key``: the join of what its replicas hold (None: never seen)."""
    out = None
    for node_id, host in hosts.items():
        if node_id != ROOT and cluster_of(node_id) == ROOT:
            v = host.node.store.peek(key)
            out = v if out is None else (out if v is None else out | v)
    return out


def place_of(node_id: str) -> str:
    """The node whose place a node has: a replica sits with its cluster's front end."""
    return cluster_of(node_id)


def is_protocol(msg) -> bool:
    """Whether ``msg`` travels between tiers (a sync) rather than inside a cluster."""
    return type(msg) is SyncRequest or type(msg) is SyncResponse


def edge_verdict(writes, final: dict):
    """``check_writes`` of ``edgekit.edge.lab.checks`` on the grader's record.

    ``writes`` lists ``(site, key, n, time)`` for every acknowledged write, ``final`` maps a key to
    the root's state. A write of +n is n increments of one, each minting its own counter entry
    ``(site, count)``, as the edge package's own clients write a G-Counter. Returns the verdict
    (``.ok``, ``.lost``, ``.kinds``, ``.problems``).
    """
    history, count = [], {}
    for site, key, n, t in writes:
        for _ in range(n):
            c = count[(site, key)] = count.get((site, key), 0) + 1
            history.append(ClientOp(site, key, "write", len(history), t, t, "ok", None, GCounter.of({site: c})))
    return check_writes(history, final, "gcounter")
