"""Each notebook's top-to-bottom run time in a fresh kernel, as nbval runs it.

    .venv/bin/python benchmarks/notebook_times.py [--repeat 3] [--only 06-build-a-node.ipynb]

Prints one line per notebook (median of the repeats) and the total, and writes
benchmarks/results/notebook_times.json. With ``--only`` it measures that notebook alone and
updates its entry (and the total), recording that run's date and load under "partial". Goals: every notebook under 60 s, the
whole set under 5 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def notebook_kernel(path: Path):
    """A fresh kernel that has run every code cell of ``path`` in order; yields its client.

    A blocking client, as nbval uses. nbclient's asyncio client sometimes misses a reply that
    has already arrived when other jobs load the machine, and then waits out the whole cell
    timeout (seen: kernel replied in 0.1 s, client noticed 600 s later).
    """
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    try:
        for i, source in enumerate(cells):
            reply = kc.execute_interactive(source, timeout=600, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                c = reply["content"]
                raise RuntimeError(f"{path.name}: code cell {i} failed: {c.get('ename')}: {c.get('evalue')}")
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def load_average() -> tuple[float, ...]:
    """Others' work on a shared machine slows every run: the benchmarks record it."""
    return tuple(round(x, 2) for x in os.getloadavg())


def run_once(path: Path) -> float:
    """Seconds from starting a fresh kernel to the last cell's reply, every code cell in order."""
    t0 = time.perf_counter()
    with notebook_kernel(path):
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", help="one notebook's file name: measure it alone, keep the others' figures")
    args = ap.parse_args()
    results = {}
    load_before = load_average()
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.only:
        paths = [p for p in paths if p.name == args.only]
        if not paths:
            raise SystemExit(f"--only {args.only!r}: no such notebook in notebooks/")
    runs = {}
    for path in paths:
        times = runs[path.name] = [run_once(path) for _ in range(args.repeat)]
        results[path.name] = statistics.median(times)
        print(f"{path.name:32s} median {results[path.name]:6.1f} s  (runs: {', '.join(f'{t:.1f}' for t in times)})", flush=True)
    load_after = load_average()
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    target = ROOT / "benchmarks" / "results" / "notebook_times.json"
    if args.only:
        out = json.loads(target.read_text())
        out["median_seconds"].update(results)
        out["total_seconds"] = sum(out["median_seconds"].values())
        out.setdefault("partial", {})[args.only] = {
            "command": f"python benchmarks/notebook_times.py --repeat {args.repeat} --only {args.only}",
            "date": time.strftime("%Y-%m-%d"), "runs": [round(t, 1) for t in runs[args.only]],
            "load_average": {"before": load_before, "after": load_after}}
        target.write_text(json.dumps(out, indent=2) + "\n")
        return
    total = sum(results.values())
    print(f"{'total':32s}        {total:6.1f} s   goal: each < 60 s, total < 300 s")
    out = {
        "command": f"python benchmarks/notebook_times.py --repeat {args.repeat}",
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": {"before": load_before, "after": load_after},
        "median_seconds": results,
        "total_seconds": total,
    }
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "notebook_times.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
