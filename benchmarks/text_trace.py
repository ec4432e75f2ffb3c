"""Text CRDTs on a real editing trace, side by side: edgekit.crdt.Text, pycrdt (Yrs), automerge.

    .venv/bin/python benchmarks/text_trace.py [--repeats 3] [--out benchmarks/results/text_trace.json]

Replays every edit of the ``automerge-paper`` trace (259,778 single-character
edits, by Martin Kleppmann, from josephg/editing-traces, CC BY 4.0) into

- ``edgekit``: ``edgekit.crdt.Text`` (pure Python; each edit returns its op, which is dropped),
- ``pycrdt``: pycrdt's ``Text`` (Yrs, Rust), one implicit transaction per edit
  (a single transaction around the whole replay is pathologically slow in pycrdt),
- ``automerge``: automerge's Python bindings (Rust core), one transaction around the replay,
- ``automerge-per-edit``: the same with one transaction (one change) per edit, for reference,
- ``list``: a plain Python list of characters, no CRDT at all: the floor.

Per implementation and repeat, a fresh subprocess imports the library and loads
the trace (then ``gc.freeze()``, so the trace's own objects stay out of the
garbage collector's passes), then measures
- time: CPU time of the replay (``time.process_time``: other work on a shared
  machine does not count; wall time is recorded too),
- memory growth: peak resident set size during the replay minus the resident
  size before it (``VmHWM`` - ``VmRSS`` from /proc/self/status, with the peak
  reset through /proc/self/clear_refs first). tracemalloc would not see the
  Rust libraries' allocations, RSS sees everything,
- encoded size: each library's own encoding of the final document: automerge
  ``save()`` (compressed columnar), pycrdt ``get_update()`` (Yjs update v1),
  edgekit ``Text.save()`` (the full state, every run and tombstone, as
  run-length-encoded columns in JSON, zlib-compressed; the size of the
  readable ``json.dumps(doc.to_json())`` is recorded too), list: the UTF-8 text.

Runs are interleaved (one repeat of every implementation, then the next); the
table shows medians and ratios to ``automerge``. Results go to the ``--out`` JSON
with the command, the date and the machine.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import gzip
import importlib
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACE = ROOT.parent / "shared" / "data" / "editing-traces" / "automerge-paper.json.gz"
IMPLS = ("edgekit", "pycrdt", "automerge", "automerge-per-edit", "list")
BASELINE = "automerge"


def load(path: Path):
    """The trace's edits as (pos, n_deleted, inserted) tuples, its end text, and the parsed JSON."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    patches = [tuple(p) for txn in data["txns"] for p in txn["patches"]]
    # The caller keeps ``data`` alive: freeing it would leave free memory
    # inside the process that a replay could reuse without growing its RSS.
    return patches, data["endContent"], data


def status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(field + r":\s+(\d+)", text).group(1))


def replay_edgekit(patches):
    from edgekit.crdt.text import Text

    doc = Text("bench")
    ins, dele = doc.insert, doc.delete
    t0, w0 = time.process_time(), time.perf_counter()
    for pos, nd, s in patches:
        if nd:
            dele(pos, nd)
        if s:
            ins(pos, s)
    t1, w1 = time.process_time(), time.perf_counter()
    as_json = json.dumps(doc.to_json(), separators=(",", ":")).encode()
    return doc, str(doc), t1 - t0, w1 - w0, len(doc.save()), len(as_json)


def replay_pycrdt(patches):
    from pycrdt import Doc, Text

    doc = Doc()
    text = doc.get("text", type=Text)
    t0, w0 = time.process_time(), time.perf_counter()
    # pycrdt counts UTF-8 bytes; the trace is ASCII (checked in main), so bytes = code points.
    for pos, nd, s in patches:
        if nd:
            del text[pos:pos + nd]
        if s:
            text.insert(pos, s)
    t1, w1 = time.process_time(), time.perf_counter()
    return doc, str(text), t1 - t0, w1 - w0, len(doc.get_update()), None


def _automerge(patches, per_edit: bool):
    from automerge.core import ROOT as AM_ROOT
    from automerge.core import Document, ObjType, ScalarType

    doc = Document()
    with doc.transaction() as tx:
        obj = tx.put_object(AM_ROOT, "text", ObjType.Text)
    STR = ScalarType.Str

    def edit(tx, pos, nd, s):
        for _ in range(nd):
            tx.delete(obj, pos)
        for i, ch in enumerate(s):
            tx.insert(obj, pos + i, STR, ch)

    t0, w0 = time.process_time(), time.perf_counter()
    if per_edit:
        for pos, nd, s in patches:
            with doc.transaction() as tx:
                edit(tx, pos, nd, s)
    else:
        with doc.transaction() as tx:
            for pos, nd, s in patches:
                edit(tx, pos, nd, s)
    t1, w1 = time.process_time(), time.perf_counter()
    return doc, doc.text(obj), t1 - t0, w1 - w0, len(doc.save()), None


def replay_list(patches):
    doc = []
    t0, w0 = time.process_time(), time.perf_counter()
    for pos, nd, s in patches:
        if nd:
            del doc[pos:pos + nd]
        if s:
            doc[pos:pos] = s
    t1, w1 = time.process_time(), time.perf_counter()
    text = "".join(doc)
    return doc, text, t1 - t0, w1 - w0, len(text.encode()), None


REPLAY = {
    "edgekit": replay_edgekit,
    "pycrdt": replay_pycrdt,
    "automerge": lambda p: _automerge(p, per_edit=False),
    "automerge-per-edit": lambda p: _automerge(p, per_edit=True),
    "list": replay_list,
}


MODULES = {"edgekit": "edgekit.crdt.text", "pycrdt": "pycrdt", "automerge": "automerge.core",
           "automerge-per-edit": "automerge.core"}


def child(impl: str, trace: Path) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    if impl in MODULES:  # imports are not part of the replay's memory growth
        importlib.import_module(MODULES[impl])
    patches, end, keep = load(trace)
    gc.collect()
    gc.freeze()  # the trace itself is not what we measure: keep it out of GC passes
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS
    rss0 = status_kb("VmRSS")
    doc, text, cpu, wall, size, size_json = REPLAY[impl](patches)
    peak = status_kb("VmHWM")
    print(json.dumps({"cpu_s": cpu, "wall_s": wall, "rss_growth_bytes": (peak - rss0) * 1024,
                      "encoded_bytes": size, "edgekit_json_bytes": size_json, "ok": text == end}))
    del doc, keep


def measure(impl: str, trace: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", impl, "--trace", str(trace)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "loadavg_at_start": os.getloadavg()}


def versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("pycrdt", "automerge")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trace", type=Path, default=TRACE)
    ap.add_argument("--impls", default=",".join(IMPLS), help="comma-separated subset of " + ",".join(IMPLS))
    ap.add_argument("--out", type=Path, default=None, help="write the results JSON here")
    ap.add_argument("--child", choices=IMPLS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.trace)
    if not args.trace.exists():
        sys.exit(f"trace not found: {args.trace} (the shared conformance data)")
    patches, end, _ = load(args.trace)
    if not all(s.isascii() for _, _, s in patches):
        sys.exit("pycrdt counts UTF-8 bytes: this benchmark expects an ASCII trace")
    impls = [i for i in args.impls.split(",") if i]
    for peer in ("pycrdt", "automerge"):  # automerge has no wheel for Python 3.13: say so, go on
        if importlib.util.find_spec(peer) is None and any(i.startswith(peer) for i in impls):
            print(f"{peer} is not installed for Python {sys.version.split()[0]}: its rows are skipped")
            impls = [i for i in impls if not i.startswith(peer)]
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    info = machine()
    runs = {impl: [] for impl in impls}
    for r in range(args.repeats):
        for impl in impls:
            res = measure(impl, args.trace)
            if not res["ok"]:
                sys.exit(f"{impl}: replay did not give the trace's endContent")
            runs[impl].append(res)
            print(f"  repeat {r + 1}/{args.repeats} {impl:<19} cpu {res['cpu_s']:6.2f} s  "
                  f"wall {res['wall_s']:6.2f} s  rss +{res['rss_growth_bytes'] / 1e6:6.1f} MB", flush=True)
    results = {}
    for impl, rs in runs.items():
        results[impl] = {
            "cpu_s": statistics.median(x["cpu_s"] for x in rs),
            "wall_s": statistics.median(x["wall_s"] for x in rs),
            "rss_growth_bytes": statistics.median(x["rss_growth_bytes"] for x in rs),
            "encoded_bytes": rs[-1]["encoded_bytes"],
            "edgekit_json_bytes": rs[-1]["edgekit_json_bytes"],
            "runs": rs,
        }
    base = results.get(BASELINE)
    if base:
        for res in results.values():
            res["ratio_to_automerge"] = {k: res[k] / base[k] for k in ("cpu_s", "wall_s", "rss_growth_bytes",
                                                                        "encoded_bytes")}
    print(f"\n{args.trace.name}: {len(patches):,} edits, final length {len(end):,}; "
          f"medians of {args.repeats} runs, ratios to {BASELINE}")
    print(f"{'':<19} {'cpu s':>7} {'ratio':>6} {'wall s':>7} {'RSS growth MB':>14} {'ratio':>6} "
          f"{'encoded kB':>11} {'ratio':>6}")
    for impl, res in results.items():
        ratio = res.get("ratio_to_automerge", {})
        print(f"{impl:<19} {res['cpu_s']:7.2f} {ratio.get('cpu_s', float('nan')):6.2f} {res['wall_s']:7.2f} "
              f"{res['rss_growth_bytes'] / 1e6:14.1f} {ratio.get('rss_growth_bytes', float('nan')):6.2f} "
              f"{res['encoded_bytes'] / 1e3:11.1f} {ratio.get('encoded_bytes', float('nan')):6.2f}")
    if "edgekit" in results:
        print(f"edgekit state as readable JSON (Text.to_json): {results['edgekit']['edgekit_json_bytes'] / 1e3:.1f} kB")
    if args.out:
        record = {
            "command": " ".join([os.path.relpath(sys.executable, ROOT), *sys.argv]),
            "date": started,
            "machine": info,
            "versions": versions(),
            "trace": {"name": args.trace.name, "edits": len(patches), "final_length": len(end),
                      "credit": "automerge-paper by Martin Kleppmann, via josephg/editing-traces (CC BY 4.0)"},
            "repeats": args.repeats,
            "baseline": BASELINE,
            "method": {
                "time": "CPU seconds of the replay (time.process_time), median; wall seconds also given",
                "memory": "peak RSS during the replay minus RSS before it (/proc/self/status VmHWM - VmRSS, "
                          "peak reset via /proc/self/clear_refs), fresh subprocess per run",
                "encoded": "automerge save(); pycrdt get_update(); edgekit Text.save() (full state incl. "
                           "tombstones: RLE columns, zlib; readable Text.to_json() size in edgekit_json_bytes); "
                           "list: UTF-8 text",
                "harness": "imports and trace loading happen before measuring; gc.freeze() keeps the loaded "
                           "trace out of the garbage collector's passes",
                "pycrdt": "one implicit transaction per edit",
                "automerge": "one transaction for the whole replay; automerge-per-edit: one per edit",
            },
            "results": results,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
