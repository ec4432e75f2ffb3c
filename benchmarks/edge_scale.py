"""The edge state system at scale, under faults: 100 real PoPs, 10,000 keys, a million client operations.

    .venv/bin/python benchmarks/edge_scale.py                 # the scale run (goal: < 60 s)
    .venv/bin/python benchmarks/edge_scale.py --size workshop # the notebook's size
    .venv/bin/python benchmarks/edge_scale.py --repeats 3     # median of three

Sites are the first S edge PoP metros of data/places.csv, each a distinct real
place (``site_ids``). Every cluster (site, hub per continent, root) is a front
end and 3 replicas, each key on n = 2 of them, and a write counts once both
stored it (``write_quorum=2``, so no single lost disk may lose it). LWW
registers; LRU capacity small enough to evict. A random fault timeline of F
faults (``random_faults``: PoPs cut off, front ends and replicas crashed, cut
off or slow, regions cut, site replicas' disks lost) runs during the load.

Then every fault heals, the protocol's own epochs run until nothing is owed (no
repair pass), and the client history is judged against the root
(``edgekit.edge.lab.checks.check_writes``: lost, invented, exact). Wall time
counts all of that, from building the network to the verdict. The last line is

    sites=S keys=K ops=O faults=F wall_s=T ops_per_s=R lost_writes=L

with T the median wall time and R = O / T. CPU seconds (``time.process_time``)
are printed too: on a shared machine they are the steadier figure. The figures
and the machine's load go to benchmarks/results/edge_scale.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

from edgekit.edge import EdgeConfig
from edgekit.edge.lab import Workload, random_faults, run_edge, site_ids
from edgekit.edge.lab.run import make_topology
from edgekit.sim import FaultModel

SIZES = {
    # distinct PoP sites, keys, ops, ops/s per site, faults (the scale run spans ~100 s of simulated time)
    "scale": (100, 10_000, 1_000_000, 100.0, 60),
    "workshop": (24, 1_000, 20_000, 50.0, 12),
}
RESULTS = Path(__file__).parent / "results" / "edge_scale.json"


def one_run(sites: int, keys: int, ops: int, rate: float, faults: int, seed: int, progress: bool):
    workload = Workload(site_ids(sites), keys=keys, ops=ops, rates=rate, write_fraction=0.1,
                        zipf_s=1.0, seed=seed)
    config = EdgeConfig(replicas=3, n=2, write_quorum=2, capacity=1_000, epoch_ms=1_000.0)
    t0, c0 = time.perf_counter(), time.process_time()
    topo = make_topology("tree", workload)
    timeline = random_faults(random.Random(seed), topo, workload.duration_ms, count=faults,
                             max_length_ms=5_000.0, config=config)
    run = run_edge(workload, config, topology=topo, faults=FaultModel(timeline=timeline), seed=seed,
                   probe_every=1_000, staleness_every=10, progress=progress)
    return run, len(timeline), time.perf_counter() - t0, time.process_time() - c0


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="scale")
    ap.add_argument("--sites", type=int)
    ap.add_argument("--keys", type=int)
    ap.add_argument("--ops", type=int)
    ap.add_argument("--faults", type=int)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--no-results", action="store_true", help="do not write benchmarks/results/edge_scale.json")
    args = ap.parse_args(argv)
    sites, keys, ops, rate, faults = SIZES[args.size]
    sites, keys, ops = args.sites or sites, args.keys or keys, args.ops or ops
    faults = faults if args.faults is None else args.faults
    load_before = load_average()
    walls, cpus, lost, events, runs = [], [], [], [], []
    for r in range(args.repeats):
        run, nfaults, wall, cpu = one_run(sites, keys, ops, rate, faults, args.seed,
                                          progress=not args.no_progress and sys.stderr.isatty())
        walls.append(wall)
        cpus.append(cpu)
        lost.append(run.lost.lost)
        events.append(run.events)
        s = run.summary()
        line = (f"run {r + 1}: wall {wall:.2f} s, cpu {cpu:.2f} s, {run.events:,} events, {nfaults} fault "
                f"events, {run.messages:,} sync messages ({s['messages_per_op']:.3f}/op, "
                f"{s['bytes_per_op']:.0f} B/op), read p50 {s['read_ms']['p50']:.2f} ms, "
                f"failed {run.failed:,}, evictions {run.evictions:,}, overflows {run.overflows}, "
                f"verdict: {run.lost}")
        print(line.split("\n")[0], flush=True)
        runs.append(line)
    wall = statistics.median(walls)
    summary = f"median over {args.repeats}: wall {wall:.2f} s (range {min(walls):.2f}-{max(walls):.2f}), " \
              f"cpu {statistics.median(cpus):.2f} s"
    last = (f"sites={sites} keys={keys} ops={ops} faults={faults} wall_s={wall:.2f} "
            f"ops_per_s={ops / wall:.0f} lost_writes={max(lost)}")
    print(summary)
    print(last)
    if not args.no_results:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({
            "command": "python benchmarks/edge_scale.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "python": platform.python_version(),
            "load_avg": {"before": load_before[0], "after": load_average()[0]},
            "results": {"runs": runs, "summary": summary, "last": last, "wall_s": walls, "cpu_s": cpus,
                        "events": events, "lost_writes": lost},
        }, indent=2) + "\n")
    return 0 if max(lost) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
