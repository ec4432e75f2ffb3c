"""How fast is check_linearizable on real histories? Run: .venv/bin/python benchmarks/check_jepsen.py

Times every history of ../shared/data/jepsen-etcd (goal: all 102 in under 10 s)
and ../shared/data/porcupine-kv, repeating each check and keeping the median,
and verifies every verdict against expected.csv. The Go checker porcupine is
the natural peer; when it is not installed there is nothing to run side by
side, so the peer here is the brute-force checker (every real-time order),
timed on the first few operations of each etcd history, where it can finish.
``--explain`` also times the 1-minimal counterexample of every failing history.
Times are CPU seconds of this process (the machine may be shared): parsing is not
timed, only ``check_linearizable`` on the parsed history. Writes
benchmarks/results/check_jepsen.json (benchmarks/results_io.py).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_io import Recorder  # noqa: E402 - a script beside this one

from edgekit.checkers import (  # noqa: E402
    Operation,
    check_linearizable,
    check_linearizable_bruteforce,
    minimal_counterexample,
    parse_jepsen_log,
    parse_porcupine_kv,
)

# CPU time of this process: on a shared machine wall-clock time mostly measures the neighbours.
clock = time.process_time


def _median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = clock()
        out = fn()
        times.append(clock() - t)
    return statistics.median(times), out


def _expected(folder: Path, column: str) -> dict[str, bool]:
    with open(folder / "expected.csv") as f:
        return {row[column]: row["linearizable"] == "true" for row in csv.DictReader(f)}


def bench_folder(folder: Path, column: str, parse, model: str, repeat: int, verbose: bool):
    expected = _expected(folder, column)
    rows = []
    for name, verdict in expected.items():
        history = parse(folder / name)
        seconds, result = _median_time(lambda h=history: check_linearizable(h, model), repeat)
        if result.ok != verdict:
            raise SystemExit(f"{name}: got linearizable={result.ok}, expected {verdict}")
        rows.append((name, len(history), result.ok, result.states_explored, seconds))
        if verbose:
            print(f"  {name:14s} {len(history):5d} ops  {'ok ' if result.ok else 'BAD'}  "
                  f"{result.states_explored:7d} states  {seconds * 1e3:8.2f} ms")
    times = [r[4] for r in rows]
    slowest = max(rows, key=lambda r: r[4])
    print(
        f"{folder.name}: {len(rows)} histories, all verdicts as expected; total {sum(times):.3f} s, "
        f"median {statistics.median(times) * 1e3:.2f} ms, max {max(times) * 1e3:.1f} ms ({slowest[0]})"
    )
    return {"histories": len(rows), "verdicts_as_expected": len(rows), "total_cpu_s": sum(times),
            "median_ms": statistics.median(times) * 1e3, "max_ms": slowest[4] * 1e3, "slowest": slowest[0],
            "per_history": {r[0]: {"ops": r[1], "linearizable": r[2], "states": r[3], "cpu_s": r[4]} for r in rows}}


def bench_bruteforce(folder: Path, ops: int, repeat: int) -> dict:
    fast, slow = [], []
    for path in sorted(folder.glob("*.log")):
        history = sorted(parse_jepsen_log(path), key=lambda op: op.call)[:ops]
        t_fast, a = _median_time(lambda h=history: check_linearizable(h, "cas-register").ok, repeat)
        t_slow, b = _median_time(lambda h=history: check_linearizable_bruteforce(h, "cas-register"), repeat)
        if a != b:
            raise SystemExit(f"{path.name} (first {ops} operations): the checkers disagree")
        fast.append(t_fast)
        slow.append(t_slow)
    print(
        f"first {ops} operations of each etcd history ({len(fast)} histories): "
        f"check_linearizable median {statistics.median(fast) * 1e6:.0f} us, "
        f"brute force median {statistics.median(slow) * 1e6:.0f} us; "
        f"ratio of totals brute/fast = {sum(slow) / sum(fast):.1f}x"
    )
    return {"ops": ops, "histories": len(fast), "median_us": statistics.median(fast) * 1e6,
            "brute_force_median_us": statistics.median(slow) * 1e6, "brute_over_fast": sum(slow) / sum(fast)}


def bench_concurrent_writes(repeat: int) -> list:
    """n writes that all overlap, then a read of a value nobody wrote: every order must be refuted."""
    print("n overlapping writes + an impossible read (brute force tries all n! orders, the memo 2^n sets):")
    out = []
    for n in range(3, 9):
        history = [Operation(k, 0, 10, ("write", k)) for k in range(n)] + [Operation("r", 11, 12, ("read", None), -1)]
        t_fast, a = _median_time(lambda h=history: check_linearizable(h, "register").ok, repeat)
        t_slow, b = _median_time(lambda h=history: check_linearizable_bruteforce(h, "register"), repeat)
        assert a is False and b is False
        print(f"  n={n}: check_linearizable {t_fast * 1e3:8.2f} ms, brute force {t_slow * 1e3:9.2f} ms, ratio {t_slow / t_fast:7.1f}x")
        out.append({"writes": n, "cpu_ms": t_fast * 1e3, "brute_force_cpu_ms": t_slow * 1e3})
    return out


def bench_explain(folder: Path) -> dict:
    times, sizes = [], []
    for path in sorted(folder.glob("*.log")):
        history = parse_jepsen_log(path)
        if check_linearizable(history, "cas-register").ok:
            continue
        t = clock()
        core = minimal_counterexample(history, "cas-register")
        times.append(clock() - t)
        sizes.append(len(core))
    print(
        f"counterexamples of the {len(times)} failing etcd histories: total {sum(times):.2f} s, "
        f"median {statistics.median(times) * 1e3:.0f} ms, max {max(times):.2f} s; "
        f"sizes median {statistics.median(sizes):g}, max {max(sizes)}"
    )
    return {"failing_histories": len(times), "total_cpu_s": sum(times), "median_ms": statistics.median(times) * 1e3,
            "max_s": max(times), "size_median": statistics.median(sizes), "size_max": max(sizes)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3, help="runs per history; the median is kept")
    parser.add_argument("--brute-ops", type=int, default=8, help="prefix length for the brute-force comparison")
    parser.add_argument("--explain", action="store_true", help="also time the counterexamples")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every history")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"--data={str(args.data)!r}: folder not found (the conformance data lives in ../shared/data)")
    rec = Recorder("check_jepsen")
    print(f"python {sys.version.split()[0]}; CPU time. Porcupine (Go) is not run here (its source is not "
          "reachable from this machine): verdicts are checked against expected.csv")
    out = {"repeat": args.repeat}
    out["jepsen_etcd"] = bench_folder(args.data / "jepsen-etcd", "log", parse_jepsen_log, "cas-register",
                                      args.repeat, args.verbose)
    total = out["jepsen_etcd"]["total_cpu_s"]
    print(f"goal: all etcd histories in under 10 s -> {total:.2f} s ({'met' if total < 10 else 'NOT met'})")
    out["porcupine_kv"] = bench_folder(args.data / "porcupine-kv", "history", parse_porcupine_kv, "kv",
                                       args.repeat, True)
    out["brute_force_prefixes"] = bench_bruteforce(args.data / "jepsen-etcd", args.brute_ops, args.repeat)
    out["concurrent_writes"] = bench_concurrent_writes(args.repeat)
    if args.explain:
        out["counterexamples"] = bench_explain(args.data / "jepsen-etcd")
    rec.write(out)


if __name__ == "__main__":
    main()
