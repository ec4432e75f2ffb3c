"""One live process from start to stop: build its nodes on their disks, serve, watch the parent.

``run(args)`` (from ``edgekit.live.cli``) counts the boot, opens one
``SQLiteStore`` per local replica, builds the cluster with the kit's own
``make_cluster`` (or a site front end of your class: ``--node``), serves HTTP,
starts the nodes, prints the ready line, and runs until SIGTERM or SIGINT, or,
with ``--exit-with-parent``, until its stdin closes or it is re-parented (the
process that started it died, even by ``kill -9``: no orphans).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time

import aiohttp
from aiohttp import web

from edgekit.edge.replica import Replica
from edgekit.edge.store import MemoryStore
from edgekit.edge.system import make_cluster

from .cli import load_class
from .host import Host
from .server import make_app
from .sqlstore import SQLiteStore
from .transport import Transport
from .wire import Limits

__all__ = ["run", "build", "ask_upstream_id", "next_boot"]

log = logging.getLogger("edgekit.live")
PARENT_POLL_S = 0.5


def next_boot(path: str) -> int:
    """This process's boot number (0 the first time) from the file ``path``, which counts boots."""
    try:
        with open(path) as f:
            boot = int(f.read().strip() or -1) + 1
    except FileNotFoundError:
        boot = 0
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(str(boot))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return boot


def _capacity(config, tier: str):
    return {"site": config.capacity, "hub": config.hub_capacity, "root": None}[tier]


def _store(args, node_id: str, tier: str):
    config = args.config_value
    if args.store == "memory":
        return MemoryStore(_capacity(config, tier))
    path = os.path.join(args.data, node_id.replace("/", "_").replace(":", "-") + ".sqlite")
    return SQLiteStore(path, config.value_type, _capacity(config, tier), args.synchronous)


class _Disks:
    """``make_cluster``'s ``stores``: each local replica's store, opened when it is asked for."""

    def __init__(self, make) -> None:
        self.get = make


def build(host: Host, args) -> None:
    """Add this process's nodes to ``host``: a cluster (front end and local replicas) or one replica."""
    config, tier, cluster, remote = args.config_value, args.tier_value, args.cluster, args.remote_map
    if args.role == "replica":
        node = Replica(args.node_id, cluster, tier, host.upstream, config, store=_store(args, args.node_id, tier))
        host.add(args.node_id, node)
        host.remote[cluster] = args.front
        for peer in node.peers:  # the cluster's other replicas: in the front end's process unless told
            if peer != args.node_id:
                host.remote[peer] = remote.get(peer, args.front)
        return
    disks = _Disks(lambda rid: None if rid in remote else _store(args, rid, tier))
    if args.node:
        from .learner import front_end  # your class: the kit's interface, or the capstone's

        front = front_end(load_class(args.node), cluster, host.upstream, config, args.data)
        replicas = {rid: Replica(rid, cluster, tier, host.upstream, config, store=disks.get(rid))
                    for rid in getattr(front, "replica_ids", ())}
    else:
        front, replicas = make_cluster(cluster, host.upstream, tier, config, stores=disks)
    host.add(cluster, front, front=True)
    for rid, rep in replicas.items():
        if rid in remote:
            host.remote[rid] = remote[rid]
        else:
            host.add(rid, rep)


async def ask_upstream_id(url: str, token: str | None, wait_s: float = 30.0) -> str:
    """The node id the process at ``url`` reports on ``/health`` (retrying while it starts)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + wait_s
    async with aiohttp.ClientSession() as s:
        while True:
            try:
                async with s.get(f"{url.rstrip('/')}/health", headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status == 200:
                        return (await r.json())["node"]
                    problem = f"HTTP {r.status}: {(await r.text())[:200]}"
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError, KeyError) as e:
                problem = repr(e)
            if time.monotonic() > deadline:
                raise RuntimeError(f"--upstream {url}: no /health answer in {wait_s:g} s ({problem})")
            await asyncio.sleep(0.5)


def _watch_parent(stop: asyncio.Event) -> None:
    loop, parent = asyncio.get_running_loop(), os.getppid()
    fd = sys.stdin.fileno() if sys.stdin is not None else None

    def readable() -> None:
        try:
            gone = not os.read(fd, 4096)
        except OSError:
            gone = True
        if gone:
            loop.remove_reader(fd)
            stop.set()

    if fd is not None and not os.isatty(fd):
        loop.add_reader(fd, readable)

    async def poll() -> None:
        while not stop.is_set():
            if os.getppid() != parent:
                stop.set()
            await asyncio.sleep(PARENT_POLL_S)

    loop.create_task(poll())


async def serve(args) -> None:
    os.makedirs(args.data, exist_ok=True)
    boot = next_boot(os.path.join(args.data, args.node_id.replace("/", "_").replace(":", "-") + ".boot"))
    upstream = None
    if args.upstream:
        upstream = args.upstream_id or await ask_upstream_id(args.upstream, args.token)
    host = Host(args.cluster, args.tier_value, args.config_value, upstream=upstream, seed=args.seed, boot=boot)
    build(host, args)
    limits = Limits()
    host.transport = Transport(host, upstream_url=args.upstream, token=args.token, geo_scale=args.geo_scale,
                               limits=limits)
    await host.transport.open()
    runner = web.AppRunner(make_app(host, token=args.token, limits=limits), access_log=None,
                           handler_cancellation=True)
    try:
        await runner.setup()
        site = web.TCPSite(runner, args.host, args.port, reuse_address=True)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stop.set)
            except NotImplementedError:  # Windows: Ctrl-C ends asyncio.run, and the finally below runs
                break
        if args.exit_with_parent:
            _watch_parent(stop)
        host.start()
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        print(json.dumps({"ready": True, "node": args.node_id, "url": f"http://{shown}:{port}", "port": port,
                          "pid": os.getpid(), "boot": boot}), flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
        await host.transport.close()
        for store in host.stores():
            store.close()


def run(args) -> int:
    logging.basicConfig(filename=args.log, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(serve(args))
    except (RuntimeError, OSError, ValueError) as e:
        print(f"python -m edgekit.live: error: {e}", file=sys.stderr)
        return 1
    return 0
