"""``python -m edgekit.live``: run one cluster of the edge system (or one replica) as a process.

    python -m edgekit.live root IAD --port 8000
    python -m edgekit.live hub FRA --upstream http://127.0.0.1:8000
    python -m edgekit.live site LHR --upstream http://127.0.0.1:8001
    python -m edgekit.live site LHR --upstream URL --node mypackage.mynode:MyNode
    python -m edgekit.live replica LHR/r1 --front http://127.0.0.1:8002 --upstream URL
    python -m edgekit.live token                       # a fresh shared token for a workshop
    python -m edgekit.live planet --port 8700          # a whole small planet: root 8700, sites 8701...

A cluster process runs its front end and its replicas (each with its own SQLite
file under ``--data``); ``--remote LHR/r1=URL`` leaves a replica to a ``replica``
process of its own (so a test can ``kill -9`` one replica). Every node of a
planet must share ``--config`` (``EdgeConfig`` fields as JSON). The process
prints one JSON line ``{"ready": true, "url": ...}`` once it serves.

Safety: it binds 127.0.0.1 unless ``--host`` says otherwise, and any other
address needs ``--token`` (or ``EDGEKIT_TOKEN``) of at least 16 characters,
which every request must then carry. ``--exit-with-parent`` stops it when
the process that started it dies (its stdin closes, or it is re-parented).
A single process runs on Linux, macOS and Windows; ``Planet`` and ``planet``
(process groups, signals) need Linux or macOS.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import secrets
import sys

from edgekit.edge import EdgeConfig
from edgekit.edge.system import cluster_of
from edgekit.edge.topology import site_place

from .._checks import brief
from .sqlstore import SYNCHRONOUS
from .wire import MIN_TOKEN_CHARS, is_loopback

__all__ = ["main", "parser", "node_id_of", "load_class", "config_from_json"]

ROLES = ("root", "hub", "site", "replica")


def node_id_of(role: str, name: str) -> str:
    """The node id a role and a name make: ``("hub", "FRA")`` -> ``"hub:FRA"``; checks the PoP code."""
    if not isinstance(role, str) or role not in ROLES:
        raise ValueError(f"role={brief(role)}: expected one of {ROLES}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name={brief(name)}: expected a PoP code or node id such as 'FRA' or 'LHR/r1'")
    if role in ("root", "hub") and not name.startswith(f"{role}:"):
        name = f"{role}:{name}"
    if role == "replica" and "/" not in name:
        raise ValueError(f"replica {brief(name)}: expected a replica id such as 'LHR/r1' or 'hub:FRA/r0'")
    site_place(name, "name")  # an unknown PoP code fails here, naming it
    return name


def load_class(path: str):
    """The class at ``"package.module:Class"``."""
    if not isinstance(path, str):
        raise TypeError(f"--node={brief(path)}: expected 'package.module:Class'")
    mod, _, name = path.partition(":")
    if not mod or not name:
        raise ValueError(f"--node={brief(path)}: expected 'package.module:Class'")
    try:
        module = importlib.import_module(mod)
    except (ImportError, TypeError, ValueError) as e:  # TypeError, ValueError: a relative or empty name
        raise ValueError(f"--node={brief(path)}: cannot import {brief(mod)} ({type(e).__name__}: {brief(str(e))})") from None
    cls = getattr(module, name, None)
    if not isinstance(cls, type):
        raise ValueError(f"--node={brief(path)}: {brief(name)} is not a class of module {brief(mod)}")
    return cls


def config_from_json(text: str | None) -> EdgeConfig:
    if text is not None and not isinstance(text, str):
        raise TypeError(f"--config={brief(text)}: expected a JSON object of EdgeConfig fields, as text")
    try:
        d = json.loads(text) if text else {}
    except (ValueError, RecursionError) as e:  # RecursionError: nested too deep
        raise ValueError(f"--config={brief(text)}: not valid JSON ({type(e).__name__})") from None
    if not isinstance(d, dict):
        raise ValueError(f"--config={brief(text)}: expected a JSON object of EdgeConfig fields")
    try:
        return EdgeConfig(**d)
    except (TypeError, ValueError) as e:
        raise ValueError(f"--config: {e}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m edgekit.live", description=__doc__.split("\n\n")[0])
    p.add_argument("role", choices=(*ROLES, "token", "planet"))
    p.add_argument("name", nargs="?", help="a PoP code (LHR, FRA...) or, for a replica, its id (LHR/r1)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=0, help="port to bind (0: any free one; see the ready line)")
    p.add_argument("--token", default=os.environ.get("EDGEKIT_TOKEN"), help="shared token (or EDGEKIT_TOKEN)")
    p.add_argument("--upstream", help="URL of the upstream cluster (hubs, sites, replicas below the root)")
    p.add_argument("--upstream-id", help="the upstream's node id (default: asked from its /health)")
    p.add_argument("--front", help="replica role: URL of its cluster's front end process")
    p.add_argument("--tier", choices=("site", "hub", "root"), help="replica role: its cluster's tier")
    p.add_argument("--remote", action="append", default=[], metavar="ID=URL",
                   help="a replica of this cluster run by a replica process at URL (repeatable)")
    p.add_argument("--data", default="edgekit-live-data", help="folder for the SQLite files")
    p.add_argument("--config", help='EdgeConfig fields as JSON, e.g. \'{"epoch_ms": 500}\'')
    p.add_argument("--node", help="site role: the front end class, 'package.module:Class'")
    p.add_argument("--store", choices=("sqlite", "memory"), default="sqlite",
                   help="memory: no durability (a demonstration of what kill -9 then loses)")
    p.add_argument("--synchronous", choices=SYNCHRONOUS, default="NORMAL",
                   help="SQLite: NORMAL survives kill -9; FULL also a power cut")
    p.add_argument("--geo-scale", type=float, default=0.0, help="delay syncs by the PoPs' one-way latency x this")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sites", help="planet role: the sites, comma-separated (default: Planet's, LHR,CDG,FRA,IAD,ORD,LAX)")
    p.add_argument("--exit-with-parent", action="store_true", help="stop when the starting process dies")
    p.add_argument("--log", help="log file (default: stderr)")
    return p


def check(args) -> None:
    """Raise ValueError naming what is wrong with ``args`` (before anything binds or opens)."""
    if not args.name:
        raise ValueError(f"{args.role}: expected a name, e.g. 'python -m edgekit.live {args.role} LHR'")
    args.node_id = node_id_of(args.role, args.name)
    args.cluster = cluster_of(args.node_id)
    args.config_value = config_from_json(args.config)
    if not 0 <= args.port < 65536:
        raise ValueError(f"--port={args.port}: expected 0..65535")
    if not is_loopback(args.host) and (not args.token or len(args.token) < MIN_TOKEN_CHARS):
        raise ValueError(f"--host={args.host}: binding beyond this machine needs --token (or EDGEKIT_TOKEN) "
                         f"of at least {MIN_TOKEN_CHARS} characters; 'python -m edgekit.live token' makes one")
    if not args.geo_scale >= 0 or args.geo_scale > 100:
        raise ValueError(f"--geo-scale={args.geo_scale}: expected a number from 0 to 100")
    tier = args.tier or ("root" if args.cluster.startswith("root:") else
                         "hub" if args.cluster.startswith("hub:") else "site")
    args.tier_value = args.role if args.role != "replica" else tier
    needs_up = args.tier_value != "root"
    if needs_up != bool(args.upstream):
        raise ValueError(f"--upstream={brief(args.upstream)}: a {args.tier_value} " +
                         ("needs the URL of its upstream" if needs_up else "has no upstream"))
    if args.role == "replica" and not args.front:
        raise ValueError("replica: expected --front URL (its cluster's front end process)")
    if args.node and args.role != "site":
        raise ValueError("--node: only a site's front end can be your own class")
    args.remote_map = {}
    for item in args.remote:
        rid, eq, url = item.partition("=")
        if not eq or cluster_of(rid) != args.cluster or rid == args.node_id or not url.startswith("http"):
            raise ValueError(f"--remote={brief(item)}: expected ID=URL with a replica of {args.cluster}, "
                             f"e.g. {args.cluster}/r1=http://127.0.0.1:9001")
        args.remote_map[rid] = url


def planet(args) -> int:
    """Run a ``Planet`` in the foreground (fixed ports from ``--port``) until Ctrl-C or SIGTERM."""
    import signal
    import threading

    from .planet import DEFAULT_SITES, DEMO_CONFIG, Planet

    try:
        config = config_from_json(args.config) if args.config else DEMO_CONFIG
        p = Planet(args.sites.split(",") if args.sites else DEFAULT_SITES, config=config, port=args.port or 8700, geo_scale=args.geo_scale,
                   token=args.token, seed=args.seed)
    except (ValueError, RuntimeError) as e:
        print(f"python -m edgekit.live: error: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        for name, proc in p.procs.items():
            print(f"{name:10} {proc.url}", flush=True)
        print("ready: Ctrl-C stops the planet", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        p.stop()
    return 0


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.role == "token":
        print(secrets.token_urlsafe(24))
        return 0
    if args.role == "planet":
        return planet(args)
    try:
        check(args)
    except ValueError as e:
        print(f"python -m edgekit.live: error: {e}", file=sys.stderr)
        return 2
    from .process import run  # aiohttp and the nodes: only once the arguments are good

    return run(args)
