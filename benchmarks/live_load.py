"""Sustained client load on one live site process: operations per second and p50/p99 latency.

    .venv/bin/python benchmarks/live_load.py                    # 3 repeats of 5 s per store, lww and gcounter
    .venv/bin/python benchmarks/live_load.py --seconds 10 --clients 16

One site (front end and 3 replicas, each key on n = 2 of them, ``write_quorum=2``)
and its root run as ``edgekit.live`` processes on 127.0.0.1, with no emulated
geography; ``--clients`` closed-loop clients in this process (one aiohttp
session) read and write 200 keys, half and half, for ``--seconds`` after one
second of warm-up. Every write is acknowledged only after both replicas of its
key committed it to SQLite (WAL, ``synchronous=NORMAL``).

The peer is the same site with ``--store memory`` (the simulator's
``MemoryStore``: no disk at all), run alike, in processes of its own, right
after: the ratio says what durability costs. Medians over ``--repeats`` with
the range. The machine has 2 cores that the clients, the site, the root and
other people's jobs share: read the figures as a floor, and the load average
recorded with them. Results go to benchmarks/results/live_load.json (benchmarks/results_io.py).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import time
from importlib.metadata import version

from results_io import Recorder, load_average  # a script beside this one

from edgekit.edge import EdgeConfig, Topology
from edgekit.live import Planet

KEYS = 200


async def closed_loop(clients, seconds: float, tasks: int, seed: int) -> tuple[int, list[float], int]:
    """(operations completed in the window, their latencies in ms, failures)."""
    start = time.monotonic() + 1.0  # warm-up: connections open, caches fill
    stop = start + seconds
    lat: list[float] = []
    failed = 0

    async def one(i: int) -> None:
        nonlocal failed
        rng = random.Random(f"{seed}/{i}")
        while True:
            t0 = time.monotonic()
            if t0 >= stop:
                return
            kind = "write" if rng.random() < 0.5 else "read"
            op = await clients.op("LHR", kind, f"k{rng.randrange(KEYS)}", record=False)
            if t0 >= start:
                lat.append(op.complete_ms - op.invoke_ms)
                failed += op.status != "ok"

    await asyncio.gather(*(one(i) for i in range(tasks)))
    return len(lat), lat, failed


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def one_run(store: str, value_type: str, seconds: float, tasks: int, seed: int) -> dict:
    config = EdgeConfig(replicas=3, n=2, write_quorum=2, epoch_ms=1_000.0, value_type=value_type)
    with Planet(topology=Topology.flat(["LHR"], root="FRA"), config=config, store=store, seed=seed) as planet:
        n, lat, failed = planet.loop.run(closed_loop(planet.clients, seconds, tasks, seed), seconds + 120)
    return {"ops_per_s": n / seconds, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "ops": n, "failed": failed}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--types", default="lww,gcounter")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-results", action="store_true", help="do not write benchmarks/results/live_load.json")
    args = ap.parse_args(argv)
    rec = Recorder("live_load", argv=None if argv is None else [__file__, *argv])
    results = {}
    for vt in args.types.split(","):
        runs: dict = {"sqlite": [], "memory": []}
        for r in range(args.repeats):
            for store in ("sqlite", "memory"):  # alternate, so that a busy spell hits both alike
                runs[store].append(one_run(store, vt, args.seconds, args.clients, args.seed + r))
        row = {}
        for store, rs in runs.items():
            rate = [x["ops_per_s"] for x in rs]
            row[store] = {"ops_per_s": round(statistics.median(rate)), "ops_per_s_range": [round(min(rate)),
                          round(max(rate))], "p50_ms": round(statistics.median(x["p50_ms"] for x in rs), 2),
                          "p99_ms": round(statistics.median(x["p99_ms"] for x in rs), 2),
                          "failed": sum(x["failed"] for x in rs), "runs": rs}
        row["sqlite_vs_memory_ops_ratio"] = round(row["sqlite"]["ops_per_s"] / row["memory"]["ops_per_s"], 2)
        results[vt] = row
        for store in ("sqlite", "memory"):
            s = row[store]
            print(f"{vt:9} {store:6}: {s['ops_per_s']:6} ops/s (range {s['ops_per_s_range'][0]}-"
                  f"{s['ops_per_s_range'][1]}), p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, "
                  f"failed {s['failed']}", flush=True)
        print(f"{vt:9} sqlite/memory ops/s ratio: {row['sqlite_vs_memory_ops_ratio']:.2f}x", flush=True)
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    if not args.no_results:
        rec.write({"peer": "the same site with --store memory (no disk)",
                   "setup": {"seconds": args.seconds, "clients": args.clients, "keys": KEYS, "write_fraction": 0.5,
                             "replicas": 3, "n": 2, "write_quorum": 2, "repeats": args.repeats, "geo_scale": 0},
                   **results}, peers={"aiohttp": version("aiohttp"), "sqlite": sqlite3.sqlite_version})
    return 0


if __name__ == "__main__":
    sys.exit(main())
