"""The edge state system at scale: 100 real PoPs, 10,000 keys, a million client operations.

    .venv/bin/python benchmarks/edge_scale.py                 # the scale run (goal: < 60 s)
    .venv/bin/python benchmarks/edge_scale.py --size workshop # the notebook's default (goal: < 5 s)
    .venv/bin/python benchmarks/edge_scale.py --repeats 3     # median of three

Sites are the first S edge PoP metros of data/places.csv, each a distinct real
place (``site_ids``; S can be at most the number of PoPs there). Every run
drives the whole workload through the simulator (sites, hubs per
continent and a root on the real map; LWW registers; LRU capacity small enough
to evict), heals, runs the final quiet sync and checks that no acknowledged
write was lost. Wall time counts all of that, from building the network to the
verdict. The last line is

    sites=S keys=K ops=O wall_s=T events_per_s=E lost_writes=L

with T the median wall time and E = events / T, where events are the
simulator's (messages, timers) plus the client operations, each of which is
one step of the driver. CPU seconds (``time.process_time``) are printed too:
on a shared machine they are the steadier figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from edgekit.edge import EdgeConfig
from edgekit.edge.lab import Workload, run_edge, site_ids

SIZES = {
    # distinct PoP sites, keys, ops, ops/s per site (the scale run spans ~100 s of simulated time)
    "scale": (100, 10_000, 1_000_000, 100.0),
    "workshop": (24, 1_000, 20_000, 50.0),
}


def one_run(sites: int, keys: int, ops: int, rate: float, seed: int, progress: bool):
    workload = Workload(site_ids(sites), keys=keys, ops=ops, rates=rate, write_fraction=0.1,
                        zipf_s=1.0, seed=seed)
    config = EdgeConfig(replicas=3, n=2, capacity=1_000, epoch_ms=1_000.0)
    t0, c0 = time.perf_counter(), time.process_time()
    run = run_edge(workload, config, topology="tree", seed=seed, probe_every=1_000,
                   staleness_every=10, progress=progress)
    return run, time.perf_counter() - t0, time.process_time() - c0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="scale")
    ap.add_argument("--sites", type=int)
    ap.add_argument("--keys", type=int)
    ap.add_argument("--ops", type=int)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    sites, keys, ops, rate = SIZES[args.size]
    sites, keys, ops = args.sites or sites, args.keys or keys, args.ops or ops
    walls, cpus, lost, events = [], [], [], []
    for r in range(args.repeats):
        run, wall, cpu = one_run(sites, keys, ops, rate, args.seed,
                                 progress=not args.no_progress and sys.stderr.isatty())
        walls.append(wall)
        cpus.append(cpu)
        lost.append(run.lost.lost)
        events.append(run.events)
        s = run.summary()
        print(f"run {r + 1}: wall {wall:.2f} s, cpu {cpu:.2f} s, {run.events:,} events, "
              f"{run.messages:,} sync messages ({s['messages_per_op']:.3f}/op, "
              f"{s['bytes_per_op']:.0f} B/op), read p50 {s['read_ms']['p50']:.2f} ms, "
              f"staleness p50 {s['staleness_ms']['p50']:.0f} ms, evictions {run.evictions:,}, "
              f"overflows {run.overflows}, lost {run.lost.lost}", flush=True)
    wall = statistics.median(walls)
    print(f"median over {args.repeats}: wall {wall:.2f} s, cpu {statistics.median(cpus):.2f} s")
    print(f"sites={sites} keys={keys} ops={ops} wall_s={wall:.2f} "
          f"events_per_s={statistics.median(events) / wall:.0f} lost_writes={max(lost)}")
    return 0 if max(lost) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
