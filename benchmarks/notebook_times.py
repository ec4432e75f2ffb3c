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
    args = ap.parse_args()
    results = {}
    load_before = load_average()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        times = [run_once(path) for _ in range(args.repeat)]
        results[path.name] = statistics.median(times)
        print(f"{path.name:32s} median {results[path.name]:6.1f} s  (runs: {', '.join(f'{t:.1f}' for t in times)})", flush=True)
    total = sum(results.values())
    print(f"{'total':32s}        {total:6.1f} s   goal: each < 60 s, total < 300 s")
    load_after = load_average()
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
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
