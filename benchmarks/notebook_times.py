"""Each notebook's top-to-bottom run time in a fresh kernel, as nbval runs it.

    .venv/bin/python benchmarks/notebook_times.py [--repeat 3]

Prints one line per notebook (median of the repeats) and the total, and writes
benchmarks/results/notebook_times.json. Goals: every notebook under 60 s, the
whole set under 5 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run_once(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    results = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        times = [run_once(path) for _ in range(args.repeat)]
        results[path.name] = statistics.median(times)
        print(f"{path.name:32s} median {results[path.name]:6.1f} s  (runs: {', '.join(f'{t:.1f}' for t in times)})", flush=True)
    total = sum(results.values())
    print(f"{'total':32s}        {total:6.1f} s   goal: each < 60 s, total < 300 s")
    out = {
        "command": f"python benchmarks/notebook_times.py --repeat {args.repeat}",
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "median_seconds": results,
        "total_seconds": total,
    }
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "notebook_times.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
