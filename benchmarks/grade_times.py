"""How long a learner waits for a grade: each stage of chapter 6, graded in a fresh process.

    .venv/bin/python benchmarks/grade_times.py [--repeat 3]

For each stage, a fresh Python process imports the kit and grades that stage's reference
node (every run passes, so every run is played, and the reference's byte counts are
computed cold, as on a learner's first grading). It also grades each gallery node on its
stage (a failure: the runs up to the first failing one, then the shrinking). Prints medians
with their range and writes benchmarks/results/grade_times.json (benchmarks/results_io.py).
Goal: every grading under 10 s on the 2-core machine. No peer: the goal is a learner's patience.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from results_io import Recorder, load_average  # a script beside this one

ROOT = Path(__file__).resolve().parents[1]

ONE = """
import time
t0 = time.perf_counter()
from edgekit.grade import GALLERY, grade
from edgekit.grade.reference import reference
t1 = time.perf_counter()
node, stage = ({node!r} and GALLERY[{node!r}].node) or reference({stage}), {stage}
r = grade(node, stage, progress=False)
print(time.perf_counter() - t1, r.ok, r.runs)
"""


def once(stage: int, node: str = "") -> tuple[float, bool, int]:
    out = subprocess.run([sys.executable, "-c", ONE.format(stage=stage, node=node)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.split()
    return float(out[0]), out[1] == "True", int(out[2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from edgekit.grade import GALLERY

    rec = Recorder("grade_times")
    stages = {}
    for stage in range(1, 6):
        runs = [once(stage) for _ in range(args.repeat)]
        secs = [s for s, _, _ in runs]
        assert all(ok for _, ok, _ in runs), f"stage {stage}: the reference did not pass"
        stages[stage] = {"median_s": statistics.median(secs), "min_s": min(secs), "max_s": max(secs),
                         "runs": runs[0][2]}
        print(f"stage {stage}: reference, {runs[0][2]} runs: median {statistics.median(secs):.2f} s "
              f"(range {min(secs):.2f}-{max(secs):.2f})", flush=True)
    gallery = {}
    for name, m in GALLERY.items():
        secs, ok, runs = once(m.stage, name)
        assert not ok, f"{name} passed stage {m.stage}"
        gallery[name] = {"stage": m.stage, "seconds": secs, "runs_before_failure": runs}
    worst = max(gallery, key=lambda n: gallery[n]["seconds"])
    print(f"gallery: {len(gallery)} wrong nodes, slowest {worst} {gallery[worst]['seconds']:.2f} s, "
          f"median {statistics.median(g['seconds'] for g in gallery.values()):.2f} s")
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    failing = [g["seconds"] for g in gallery.values()]
    rec.write({"repeat": args.repeat, "goal_s": 10.0, "stages": stages, "gallery": gallery,
               "gallery_median_s": statistics.median(failing), "gallery_max_s": max(failing)})


if __name__ == "__main__":
    main()
