"""Each notebook's top-to-bottom run time in a fresh kernel, as nbval runs it.

    .venv/bin/python benchmarks/notebook_times.py [--repeat 3] [--only 06-build-a-node.ipynb [--cells]]

Prints one line per notebook (median of the repeats) and the total, and writes
benchmarks/results/notebook_times.json (benchmarks/results_io.py). With ``--only`` it
measures that notebook alone and updates its entry and the total in the stored file, keeping
that run's command, date and load under ``results.partial``. Goals: every notebook under 15 s,
the whole set under 5 minutes on a 2-core machine. A time runs from starting the kernel to the
last cell's reply: kernel start-up and every cell's work, not the browser drawing the outputs.
``--only NOTEBOOK --cells`` prints each code cell's median time instead (a profile; writes nothing).

What made them faster (December 2026): a figure goes to the page as plotly's own mime bundle
without loading plotly's renderers, which import nbformat and with it jsonschema's format checkers
(about 1.5 s in every notebook; ``edgekit/figures/display.py``); the kit's template is copied
without being checked twice (0.1 s); chapter 5's live planet runs seven processes rather than nine,
each child imports only what a process needs, killed processes restart together, and a read that
misses while the root is down waits 0.3 s rather than 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel
from results_io import Recorder, load_average  # a script beside this one

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def notebook_kernel(path: Path, cell_times: list[float] | None = None):
    """A fresh kernel that has run every code cell of ``path`` in order; yields its client.

    With ``cell_times`` it appends each code cell's seconds (request to reply) to that list.
    A blocking client, as nbval uses. nbclient's asyncio client sometimes misses a reply that
    has already arrived when other jobs load the machine, and then waits out the whole cell
    timeout (seen: kernel replied in 0.1 s, client noticed 600 s later).
    """
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    try:
        for i, source in enumerate(cells):
            t0 = time.perf_counter()
            reply = kc.execute_interactive(source, timeout=600, output_hook=lambda msg: None)
            if cell_times is not None:
                cell_times.append(time.perf_counter() - t0)
            if reply["content"]["status"] != "ok":
                c = reply["content"]
                raise RuntimeError(f"{path.name}: code cell {i} failed: {c.get('ename')}: {c.get('evalue')}")
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_once(path: Path) -> float:
    """Seconds from starting a fresh kernel to the last cell's reply, every code cell in order."""
    t0 = time.perf_counter()
    with notebook_kernel(path):
        return time.perf_counter() - t0


def profile_cells(path: Path, repeat: int) -> None:
    """Print each code cell's median seconds over ``repeat`` fresh kernels, slowest first; writes nothing."""
    runs: list[list[float]] = []
    for _ in range(repeat):
        runs.append([])
        with notebook_kernel(path, runs[-1]):
            pass
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    medians = [statistics.median(r[i] for r in runs) for i in range(len(cells))]
    for i in sorted(range(len(cells)), key=medians.__getitem__, reverse=True):
        if medians[i] >= 0.05:
            first = cells[i].strip().splitlines()[0] if cells[i].strip() else ""
            print(f"cell {i:3d}  {medians[i]:6.2f} s  {first[:70]}")
    print(f"cells in all {sum(medians):6.2f} s (kernel start-up not included); load average {load_average()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", help="one notebook's file name: measure it alone, keep the others' figures")
    ap.add_argument("--cells", action="store_true",
                    help="with --only: print each code cell's median time instead; writes no results file")
    args = ap.parse_args()
    if args.cells:
        if not args.only:
            raise SystemExit("--cells needs --only NOTEBOOK")
        return profile_cells(ROOT / "notebooks" / args.only, args.repeat)
    rec = Recorder("notebook_times")
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.only:
        paths = [p for p in paths if p.name == args.only]
        if not paths:
            raise SystemExit(f"--only {args.only!r}: no such notebook in notebooks/")
    results, runs = {}, {}
    for path in paths:
        times = runs[path.name] = [run_once(path) for _ in range(args.repeat)]
        results[path.name] = statistics.median(times)
        print(f"{path.name:32s} median {results[path.name]:6.1f} s  (runs: {', '.join(f'{t:.1f}' for t in times)})", flush=True)
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    if args.only:
        record = json.loads(rec.path.read_text())
        out = record["results"]
        out["median_seconds"].update(results)
        out["total_seconds"] = sum(out["median_seconds"].values())
        out.setdefault("runs_seconds", {}).update(runs)
        out.setdefault("partial", {})[args.only] = {
            "command": rec.command, "date": rec.date,
            "load_average": {"before": rec.load_before, "after": load_average()}}
        rec.path.write_text(json.dumps(record, indent=1, allow_nan=False) + "\n")
        return
    total = sum(results.values())
    print(f"{'total':32s}        {total:6.1f} s   goal: each < 15 s, total < 300 s")
    rec.write({"repeat": args.repeat, "median_seconds": results, "total_seconds": total, "runs_seconds": runs})


if __name__ == "__main__":
    main()
