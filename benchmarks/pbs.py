"""PBS against Bailis et al. 2012, and the kit's batched sampler against a plain trial-by-trial loop.

    .venv/bin/python benchmarks/pbs.py

1. The paper's figures: P(a read at t=0 after the write commits is consistent) for N=3,
   R=W=1 on its lnkd-ssd and lnkd-disk latency models (Table 3 fits), 100,000 trials,
   seed 0, beside the paper's 97.4% and 43.9%.
2. Speed: both compute the same quantity (lnkd-ssd, t=0); the plain loop draws each
   latency with ``random.paretovariate``/``expovariate`` and sorts replica by replica,
   as a first implementation would. Prints the median of five interleaved runs (CPU
   time) of each and the ratio; their estimates differ only by Monte Carlo noise.

Writes benchmarks/results/pbs.json (benchmarks/results_io.py).
"""

from __future__ import annotations

import random
import statistics
import time

from results_io import Recorder  # a script beside this one

from edgekit.consistency import pbs_consistency
from edgekit.consistency.pbs import _thresholds, staleness_thresholds

TRIALS = 100_000
PAPER = {"lnkd-ssd": 0.974, "lnkd-disk": 0.439}  # Bailis et al. 2012, N=3, R=W=1, t=0


def leg(rng: random.Random) -> float:
    """One lnkd-ssd latency: 91.22% Pareto(0.235, 10), else Exponential(1.66)."""
    if rng.random() < 0.9122:
        return 0.235 * rng.paretovariate(10.0)
    return rng.expovariate(1.66)


def plain(n: int = 3, r: int = 1, w: int = 1, trials: int = TRIALS, seed: int = 0) -> float:
    rng = random.Random(seed)
    ok = 0
    for _ in range(trials):
        reps = [(leg(rng), leg(rng), leg(rng), leg(rng)) for _ in range(n)]  # W, A, R, S
        commit = sorted(W + A for W, A, _, _ in reps)[w - 1]
        readers = sorted(reps, key=lambda x: x[2] + x[3])[:r]
        ok += any(W <= commit + R for W, _, R, _ in readers)
    return ok / trials


def timed(*fns) -> list[tuple[float, float]]:
    """Median seconds and last value of each function, runs interleaved (a shared machine's load
    then falls on both alike)."""
    times: list[list[float]] = [[] for _ in fns]
    values: list = [None] * len(fns)
    for _ in range(5):
        for i, fn in enumerate(fns):
            _thresholds.cache_clear()  # time the computation, not the cache
            t0 = time.process_time()
            values[i] = fn()
            times[i].append(time.process_time() - t0)
    return [(statistics.median(t), v) for t, v in zip(times, values, strict=True)]


def main() -> None:
    rec = Recorder("pbs")
    print(f"{TRIALS:,} trials, seed 0, N=3 R=1 W=1, P(consistent) at t=0")
    models = {}
    for model, paper in PAPER.items():
        p = pbs_consistency(3, 1, 1, 0.0, latency=model, trials=TRIALS, seed=0)
        models[model] = {"p_consistent_t0": p, "paper": paper}
        print(f"  {model:10s} P = {p:.2%}   (paper: {paper:.1%})")
    (kit_s, kit_p), (plain_s, plain_p) = timed(
        lambda: pbs_consistency(3, 1, 1, 0.0, latency="lnkd-ssd", trials=TRIALS, seed=0), plain)
    print("speed, lnkd-ssd, CPU time, medians of 5 interleaved runs:")
    print(f"  edgekit (batched sampling)   {kit_s * 1000:7.0f} ms   P = {kit_p:.4f}")
    print(f"  plain trial-by-trial loop    {plain_s * 1000:7.0f} ms   P = {plain_p:.4f}")
    print(f"  ratio plain / edgekit: {plain_s / kit_s:.2f}x")
    staleness_thresholds(3, 1, 1, "lnkd-ssd", TRIALS, 0)  # a warm cache: what a widget sees
    t0 = time.perf_counter()
    pbs_consistency(3, 1, 1, [0.0, 1.0, 2.0], trials=TRIALS, seed=0)
    cached_ms = (time.perf_counter() - t0) * 1000
    print(f"  a cached curve of 3 points: {cached_ms:.1f} ms")
    rec.write({"trials": TRIALS, "seed": 0, "n": 3, "r": 1, "w": 1, "models": models,
               "speed": {"edgekit_cpu_s": kit_s, "plain_cpu_s": plain_s, "plain_over_edgekit": plain_s / kit_s,
                         "edgekit_p": kit_p, "plain_p": plain_p, "cached_curve_ms": cached_ms}})


if __name__ == "__main__":
    main()
