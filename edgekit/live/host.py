"""One OS process of the live planet: its nodes, the context each runs in, where messages go.

The nodes are the simulator's own classes (``Site``, ``Upstream``, ``Replica``),
unchanged. ``LiveContext`` is their context (``edgekit.edge.context``) on a real
machine: ``now`` is the system's monotonic clock in ms (one clock for every
process on the machine), ``clock()`` the wall clock (LWW stamps), timers live on
the asyncio loop, and ``send`` hands the message to the ``Host``.

The host runs every handler through ``call``, which does three things in order:
run the handler, commit every store of the process (``SQLiteStore.commit``), and
only then let the messages the handler sent leave. So a replica's ``Stored``
reaches the front end only for a write that is on disk, and a write is
acknowledged only after ``write_quorum`` replicas committed it.

Where a message goes (``route``):

- to a node of this process: the loop delivers it on its next turn;
- a ``SyncResponse`` to a child: it completes that child's ``POST /sync``, which
  is still open (a child initiates every exchange, so a site behind a NAT works);
- a ``SyncRequest`` to our upstream: ``POST /sync`` on the upstream's URL;
- to an in-site node in another process (a replica run on its own): ``POST /msg``.

A process that starts again is a new object with the same disks. Front ends
number their requests and actor leases from zero, so ``resume`` moves those
counters past anything an earlier boot of the process can have used: a late
answer never matches a new request, and a restarted site never mints a dot an
earlier boot minted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections import Counter

from edgekit.edge.messages import SyncRequest, SyncResponse

__all__ = ["Host", "LiveContext", "resume", "BOOT_SPAN"]

log = logging.getLogger("edgekit.live")
BOOT_SPAN = 1 << 32  # ids one boot of a front end may use before the next boot's begin
MAX_CHILDREN = 4096  # children remembered for /metrics (the ids come from outside: a budget)
MAX_WAITING = 8192  # children's syncs held open at once; more is a flood, answered 503


class LiveContext:
    """What a node sees of a real machine (the context protocol of ``edgekit.edge.context``)."""

    __slots__ = ("node_id", "node", "rng", "host")

    def __init__(self, host: Host, node_id: str, node, seed: int) -> None:
        self.host, self.node_id, self.node = host, node_id, node
        self.rng = random.Random(f"{seed}/{node_id}/{host.boot}")

    @property
    def now(self) -> float:
        return time.monotonic() * 1000.0

    def clock(self) -> float:
        return time.time() * 1000.0

    def send(self, dst, msg) -> None:
        self.host.outbox.append((self.node_id, dst, msg))

    def set_timer(self, delay_ms: float, tag=None):
        return self.host.loop.call_later(max(0.0, delay_ms) / 1000.0, self.host.fire, self, tag)

    def cancel_timer(self, handle) -> None:
        handle.cancel()

    def record(self, kind: str, **fields) -> None:
        """Nothing is recorded here: the clients keep the history."""


def resume(front, boot: int) -> None:
    """Start a front end's request ids and actor leases past those of every earlier boot."""
    base = boot * BOOT_SPAN
    for name in ("_rid", "_actors"):  # FrontEnd._rid; Site._actors (see edgekit.edge.site)
        if hasattr(front, name):
            setattr(front, name, base)


class Host:
    """The nodes of one process, their contexts, and the routing of what they send."""

    def __init__(self, cluster: str, tier: str, config, *, upstream: str | None = None, seed: int = 0,
                 boot: int = 0) -> None:
        self.cluster, self.tier, self.config, self.upstream = cluster, tier, config, upstream
        self.seed, self.boot = seed, boot
        self.loop = asyncio.get_running_loop()
        self.contexts: dict[str, LiveContext] = {}
        self.front: LiveContext | None = None  # the node clients and children talk to
        self.remote: dict[str, str] = {}  # in-site node id -> URL of the process that runs it
        self.outbox: list = []
        self.waiting: dict = {}  # (child, sync id) -> future of the SyncResponse for its open POST /sync
        self.transport = None  # edgekit.live.transport.Transport: sends to other processes
        self.stats: Counter = Counter()
        self.children: dict = {}  # child cluster -> [last sync (monotonic s), syncs, keys in the last one]
        self.started = time.monotonic()
        self._tasks: set = set()

    def add(self, node_id: str, node, front: bool = False) -> LiveContext:
        ctx = self.contexts[node_id] = LiveContext(self, node_id, node, self.seed)
        if front:
            resume(node, self.boot)
            self.front = ctx
        return ctx

    def start(self) -> None:
        for ctx in list(self.contexts.values()):
            self.call(ctx, ctx.node.on_start)

    def stores(self):
        for ctx in self.contexts.values():
            store = getattr(ctx.node, "store", None)
            if hasattr(store, "commit"):
                yield store

    # -- running handlers ----------------------------------------------------------------------

    def call(self, ctx: LiveContext, fn, *args):
        """``fn(ctx, *args)`` (a node's handler), then commit every store, then send what it sent."""
        try:
            return fn(ctx, *args)
        except Exception:  # a bug in a node must not take the process down: count it, log it
            self.stats["handler_errors"] += 1
            log.exception("%s: %s raised", ctx.node_id, getattr(fn, "__name__", fn))
            return None
        finally:
            for store in self.stores():
                store.commit()
            self.flush()

    def fire(self, ctx: LiveContext, tag) -> None:
        self.call(ctx, ctx.node.on_timer, tag)

    def deliver(self, src, dst, msg) -> None:
        ctx = self.contexts.get(dst)
        if ctx is None:
            self.stats["unknown_destination"] += 1
            return
        self.call(ctx, ctx.node.on_message, src, msg)

    def flush(self) -> None:
        out, self.outbox = self.outbox, []
        for src, dst, msg in out:
            self.route(src, dst, msg)

    def route(self, src, dst, msg) -> None:
        kind = type(msg)
        if dst in self.contexts:
            self.loop.call_soon(self.deliver, src, dst, msg)
        elif kind is SyncResponse:
            fut = self.waiting.pop((dst, msg.sync_id), None)
            if fut is not None and not fut.done():
                fut.set_result(msg)
            else:
                self.stats["responses_too_late"] += 1  # the child gave up; its next epoch asks again
        elif kind is SyncRequest and dst == self.upstream and self.transport is not None:
            self.spawn(self.transport.sync(src, msg))
        elif dst in self.remote and self.transport is not None:
            self.spawn(self.transport.post(self.remote[dst], src, dst, msg))
        else:
            self.stats["unroutable"] += 1

    def spawn(self, coro) -> None:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- what the HTTP side asks ---------------------------------------------------------------

    async def serve_sync(self, child: str, req: SyncRequest, timeout_s: float):
        """A child's sync: hand it to the front end, wait for its answer (None: none in time)."""
        if len(self.waiting) >= MAX_WAITING:
            raise OverflowError(f"{len(self.waiting)} syncs in flight: at most {MAX_WAITING}")
        if len(self.children) >= MAX_CHILDREN and child.split("/", 1)[0] not in self.children:
            del self.children[min(self.children, key=lambda c: self.children[c][0])]
        seen = self.children.setdefault(child.split("/", 1)[0], [0.0, 0, 0])
        seen[0], seen[1], seen[2] = time.monotonic(), seen[1] + 1, len(req.entries)
        key = (child, req.sync_id)
        old = self.waiting.pop(key, None)
        if old is not None:
            old.cancel()  # the same child asked again with the same id: it restarted
        fut = self.waiting[key] = self.loop.create_future()
        self.call(self.front, self.front.node.on_message, child, req)
        try:
            return await asyncio.wait_for(fut, timeout_s)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            return None
        finally:
            if self.waiting.get(key) is fut:
                del self.waiting[key]

    async def client_op(self, kind: str, key: str, arg, timeout_s: float):
        """A client's read or write at the front end; the ``Outcome`` (None: no answer in time)."""
        fut = self.loop.create_future()

        def reply(out) -> None:
            if not fut.done():
                fut.set_result(out)

        front = self.front.node
        if kind == "read":
            self.call(self.front, front.read, key, reply)
        else:
            self.call(self.front, front.write, key, arg, reply)
        try:
            return await asyncio.wait_for(fut, timeout_s)
        except asyncio.TimeoutError:
            return None

    def busy(self) -> list[str]:
        return [i for i, ctx in self.contexts.items() if getattr(ctx.node, "busy", lambda: False)()]

    def metrics(self) -> dict:
        """Keys held, dirty keys, syncs (epochs), bytes and errors of this process."""
        nodes, keys, dirty = {}, set(), set()
        for node_id, ctx in self.contexts.items():
            n = ctx.node
            store = getattr(n, "store", None)
            row = {"busy": bool(getattr(n, "busy", lambda: False)())}
            if hasattr(store, "keys"):
                held = list(store.keys())
                keys.update(held)
                marks = getattr(store, "dirty", {})
                dirty.update(marks)
                row.update(keys=len(held), dirty=len(marks), evictions=getattr(store, "evictions", 0))
            for name in ("syncs_sent", "syncs_completed"):
                if hasattr(n, name):
                    row[name] = getattr(n, name)
            if hasattr(n, "pending"):
                row["pending"] = len(n.pending)
            nodes[node_id] = row
        t = self.transport
        return {"cluster": self.cluster, "tier": self.tier, "pid": os.getpid(), "boot": self.boot,
                "uptime_s": round(time.monotonic() - self.started, 3), "keys": len(keys), "dirty": len(dirty),
                "syncs_sent": sum(r.get("syncs_sent", 0) for r in nodes.values()),
                "syncs_completed": sum(r.get("syncs_completed", 0) for r in nodes.values()),
                "busy": [i for i, r in nodes.items() if r["busy"]], "nodes": nodes,
                "children": {c: {"seen_s_ago": round(time.monotonic() - s[0], 3), "syncs": s[1], "keys": s[2]}
                             for c, s in self.children.items()},
                "bytes_in": self.stats["bytes_in"] + (t.bytes_in if t else 0),
                "bytes_out": self.stats["bytes_out"] + (t.bytes_out if t else 0),
                "counts": {k: v for k, v in sorted(self.stats.items()) if not k.startswith("bytes_")}
                | (dict(t.stats) if t else {})}

    def states(self) -> dict:
        """Replica id -> {key: state as JSON} for every local node with a store."""
        out = {}
        for node_id, ctx in self.contexts.items():
            store = getattr(ctx.node, "store", None)
            if hasattr(store, "peek"):
                out[node_id] = {k: store.peek(k).to_json() for k in store.keys()}
        return out
