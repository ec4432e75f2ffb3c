"""Text CRDTs on a real editing trace, like for like: edgekit.crdt.Text beside Loro, automerge, pycrdt.

    .venv/bin/python benchmarks/text_trace.py [--repeats 5] [--peers edgekit,loro] [--no-results]

Replays every edit of the ``automerge-paper`` trace (259,778 single-character
edits by Martin Kleppmann, from josephg/editing-traces, CC BY 4.0) into each
peer of ``text_peers.py``: edgekit's pure-Python ``Text``, Loro and automerge
and pycrdt (Rust cores with Python bindings), and the two floors for Python
with no CRDT metadata at all, a plain list of characters and a chunked list.

Like for like:
- each measurement is its own process (peers interleaved, one repeat of every
  peer, then the next), which imports the library and loads the trace first;
- the same replay loop for everyone, one call per edit (``delete(pos, n)``
  or ``insert(pos, s)``), plus the peer's ``commit()``, all timed;
- the same garbage-collector settings for everyone: the defaults, no
  ``gc.freeze()``; one ``gc.collect()`` after loading untracks the trace's
  tuples, so a collection during the replay walks only the peer's own objects;
- CPU time (``time.process_time``), medians with the range over repeats;
- memory: peak resident set during the replay (``VmHWM``, the peak reset
  first), its growth over the resident set before the replay, and what stays
  when it ends; RSS sees the Rust libraries' allocations, tracemalloc would not;
- encoded size with full history (edgekit ``Text.save()``, Loro snapshot,
  automerge ``save()``) and without it where the peer can (Loro shallow
  snapshot, pycrdt's Yjs update, the floors' UTF-8 text);
- every peer's final text is checked against the trace's ``endContent``.
How each peer batches transactions is in ``text_peers.BATCHING`` and the results file.

What made edgekit fast (profiled with cProfile and line_profiler on this trace;
before, it took 0.55-0.70 s of CPU here and split a run on nearly every delete):
runs of characters instead of one node per character; chunks of runs with
cached visible lengths and a cursor, so finding a position is a step or two;
and two shortcuts in ``edgekit/crdt/text/local.py`` that skip even that,
because people edit where they just edited. Typing on right after the run
typed last extends it (68% of this trace's edits); a backspace or forward
delete next to the last edit moves the character into the tombstone run
beside it instead of splitting a run (26%), so 16k runs hold the document
where 83k did, and the garbage collector has five times fewer objects to
walk. Ops are built with ``tuple.__new__``. This measures a replica's own
edits; applying the same 259,778 ops at another replica goes through the id
index and the tree (``Text.apply``) and takes about 1.2 s here.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import importlib
import importlib.util
import json
import pickle
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_io import Recorder, load_average  # scripts beside this one
from text_peers import BATCHING, MODULES, PEERS

ROOT = Path(__file__).resolve().parents[1]
TRACE = ROOT.parent / "shared" / "data" / "editing-traces" / "automerge-paper.json.gz"
BASELINES = ("loro", "automerge")
# Issue 13's goals for edgekit: (peer, metric, largest ratio allowed).
GOALS = (("automerge", "cpu_s", 0.5), ("automerge", "rss_growth_bytes", 0.5), ("loro", "cpu_s", 3.0),
         ("automerge", "encoded_history_bytes", 1.0))
METRICS = ("cpu_s", "peak_rss_bytes", "rss_growth_bytes", "rss_retained_bytes", "encoded_history_bytes",
           "encoded_no_history_bytes")


def load_trace(path: Path):
    """The trace's edits as (pos, n_deleted, inserted) tuples and its final text."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    return [tuple(p) for txn in data["txns"] for p in txn["patches"]], data["endContent"]


def status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(field + r":\s+(\d+)", text).group(1))


def replay(patches, insert, delete):
    """The one loop every peer runs: one call per edit."""
    for pos, nd, s in patches:
        if nd:
            delete(pos, nd)
        if s:
            insert(pos, s)


def child(peer: str, cached: Path) -> None:
    """One measurement in this fresh process; prints one JSON line."""
    if peer in MODULES:  # imports are not part of the replay's memory
        importlib.import_module(MODULES[peer])
    # A pickle of tuples loads with little garbage, so the replay cannot grow
    # into memory that loading freed (parsing the JSON here would leave some).
    patches, end = pickle.loads(cached.read_bytes())
    gc.collect()  # untracks the trace's tuples (they hold only ints and strs)
    impl = PEERS[peer]()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS
    rss0 = status_kb("VmRSS")
    collections0 = sum(s["collections"] for s in gc.get_stats())
    t0, w0 = time.process_time(), time.perf_counter()
    replay(patches, impl.insert, impl.delete)
    impl.commit()
    t1, w1 = time.process_time(), time.perf_counter()
    peak, rss1 = status_kb("VmHWM"), status_kb("VmRSS")
    collections = sum(s["collections"] for s in gc.get_stats()) - collections0
    text, sizes = impl.result()
    print(json.dumps({"cpu_s": t1 - t0, "wall_s": w1 - w0, "peak_rss_bytes": peak * 1024,
                      "rss_growth_bytes": (peak - rss0) * 1024, "rss_retained_bytes": (rss1 - rss0) * 1024,
                      "encoded_history_bytes": sizes.get("history"),
                      "encoded_no_history_bytes": sizes.get("no_history"),
                      "readable_json_bytes": sizes.get("readable_json"),
                      "gc_collections": collections, "ok": text == end}))


def measure(peer: str, cached: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", peer, "--cached", str(cached)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"{peer}: the measuring process failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def versions(peers) -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("loro", "automerge", "pycrdt") if any(p.startswith(name) for p in peers)}


def summarise(runs: list[dict]) -> dict:
    """Per metric, the median over repeats as ``key`` and the range as ``key_range``."""
    out = {}
    for key in (*METRICS, "wall_s", "readable_json_bytes", "gc_collections"):
        values = [r[key] for r in runs if r[key] is not None]
        out[key] = statistics.median(values) if values else None
        out[key + "_range"] = [min(values), max(values)] if values else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--trace", type=Path, default=TRACE)
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ",".join(PEERS))
    ap.add_argument("--no-results", action="store_true", help="do not write benchmarks/results/text_trace.json")
    ap.add_argument("--child", choices=list(PEERS), help=argparse.SUPPRESS)
    ap.add_argument("--cached", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.cached)
    if not args.trace.exists():
        sys.exit(f"trace not found: {args.trace} (the shared conformance data)")
    patches, end = load_trace(args.trace)
    if not all(s.isascii() for _, _, s in patches):
        sys.exit("pycrdt counts UTF-8 bytes: this benchmark expects an ASCII trace")
    peers = [p for p in args.peers.split(",") if p]
    for name in ("loro", "pycrdt", "automerge"):  # automerge has no wheel for Python 3.13: say so, go on
        if importlib.util.find_spec(name) is None and any(p.startswith(name) for p in peers):
            print(f"{name} is not installed for Python {sys.version.split()[0]}: its rows are skipped")
            peers = [p for p in peers if not p.startswith(name)]
    rec = Recorder("text_trace")
    runs = {peer: [] for peer in peers}
    with tempfile.TemporaryDirectory() as tmp:
        cached = Path(tmp) / "trace.pickle"
        cached.write_bytes(pickle.dumps((patches, end)))
        for r in range(args.repeats):
            for peer in peers:
                res = measure(peer, cached)
                if not res["ok"]:
                    sys.exit(f"{peer}: the replay did not give the trace's endContent")
                runs[peer].append(res)
                print(f"  repeat {r + 1}/{args.repeats} {peer:<19} cpu {res['cpu_s']:6.2f} s  "
                      f"rss +{res['rss_growth_bytes'] / 1e6:6.1f} MB  gc {res['gc_collections']}", flush=True)
    results = {peer: summarise(rs) for peer, rs in runs.items()}
    for peer, res in results.items():
        res["batching"] = BATCHING[peer]
        res["runs"] = runs[peer]
        for base in BASELINES:
            if base in results:
                res[f"ratio_to_{base}"] = {
                    key: res[key] / results[base][key]
                    for key in METRICS if res[key] and results[base][key]}
    report(args.trace.name, len(patches), len(end), args.repeats, results)
    goals = {}
    if "edgekit" in results:
        for peer, key, target in GOALS:
            ratio = results["edgekit"].get(f"ratio_to_{peer}", {}).get(key)
            if ratio is not None:
                goals[f"{key} vs {peer}"] = {"ratio": ratio, "at_most": target, "met": ratio <= target}
                print(f"goal: edgekit {key} <= {target}x {peer}: {ratio:.2f}x, "
                      f"{'met' if ratio <= target else 'NOT met'}")
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    if not args.no_results:
        rec.write({
            "trace": {"name": args.trace.name, "edits": len(patches), "final_length": len(end),
                      "credit": "automerge-paper by Martin Kleppmann, via josephg/editing-traces (CC BY 4.0)"},
            "repeats": args.repeats,
            "baseline": "automerge",
            "method": __doc__.split("Like for like:\n", 1)[1].split("\n\nWhat made", 1)[0],
            "goals": goals,
            "implementations": results,
        }, peers=versions(peers))


def report(name, edits, length, repeats, results) -> None:
    print(f"\n{name}: {edits:,} edits, final length {length:,}; medians of {repeats} runs [min-max]")
    head = f"{'':<19} {'cpu s':>17} {'peak MB':>8} {'growth MB':>10} {'kept MB':>8} {'history kB':>11} {'no-hist kB':>11}"
    print(head)

    def cell(res, key, scale, width, spread=False):
        median, (lo, hi) = res[key], res[key + "_range"] or (None, None)
        if median is None:
            return f"{'-':>{width}}"
        if spread:
            return f"{median / scale:6.2f} [{lo / scale:.2f}-{hi / scale:.2f}]".rjust(width)
        return f"{median / scale:{width}.1f}"

    for peer, res in results.items():
        print(f"{peer:<19} {cell(res, 'cpu_s', 1, 17, True)} {cell(res, 'peak_rss_bytes', 1e6, 8)} "
              f"{cell(res, 'rss_growth_bytes', 1e6, 10)} {cell(res, 'rss_retained_bytes', 1e6, 8)} "
              f"{cell(res, 'encoded_history_bytes', 1e3, 11)} {cell(res, 'encoded_no_history_bytes', 1e3, 11)}")
    for base in BASELINES:
        if base not in results:
            continue
        print(f"\nratios to {base}: {'time':>6} {'growth':>7} {'history':>8} {'no-hist':>8}")
        for peer, res in results.items():
            ratio = res[f"ratio_to_{base}"]
            cells = [ratio.get(k) for k in ("cpu_s", "rss_growth_bytes", "encoded_history_bytes",
                                            "encoded_no_history_bytes")]
            print(f"{peer:<19} " + " ".join("     -" if c is None else f"{c:6.2f}x" for c in cells))


if __name__ == "__main__":
    main()
