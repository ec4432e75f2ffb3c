"""How long a widget takes to respond after a control changes, for every app in every notebook.

    .venv/bin/python benchmarks/widget_latency.py

Runs each notebook's code in one in-process IPython shell, finds every widget
app (``edgekit.widgets.base.App``) the notebook made, then changes each of its
controls several times (every other option of a dropdown, steps of a slider)
and times the kernel-side response: the app's ``refresh`` (recompute with the
package and redraw the figure model). Prints the median per notebook and over
all, and writes benchmarks/results/widget_latency.json. Goal: median < 150 ms.
Browser rendering time is not included.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from pathlib import Path

import ipywidgets as w
import nbformat
from IPython.core.interactiveshell import InteractiveShell

from edgekit.widgets.base import App

ROOT = Path(__file__).resolve().parents[1]


def controls(widget):
    """Every value-carrying control inside a widget tree."""
    if isinstance(widget, w.Box):
        for child in widget.children:
            yield from controls(child)
    elif isinstance(widget, (w.Dropdown, w.RadioButtons, w.ToggleButtons, w.Select)):
        yield widget
    elif isinstance(widget, (w.IntSlider, w.FloatSlider, w.FloatLogSlider, w.IntText, w.FloatText)):
        yield widget


def poke(control, n=6):
    """Values to set on a control: other options, or steps across a slider's range."""
    if hasattr(control, "options") and control.options:
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [opts[i % len(opts)] for i in range(1, n + 1)]
    lo, hi = getattr(control, "min", control.value), getattr(control, "max", control.value)
    if isinstance(control, w.FloatLogSlider):
        return [control.base ** (lo + (hi - lo) * i / n) for i in range(n)]
    step = (hi - lo) / n
    vals = [lo + step * i for i in range(n)]
    return [type(control.value)(round(v)) if isinstance(control.value, int) else v for v in vals]


def measure(path: Path) -> list[float]:
    shell = InteractiveShell.instance()
    shell.run_cell(f"import os; os.chdir({str(path.parent)!r})")
    before = {id(o) for o in gc.get_objects() if isinstance(o, App)}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            shell.run_cell(cell.source, silent=True)
    apps = [o for o in gc.get_objects() if isinstance(o, App) and id(o) not in before]
    times = []
    for app in apps:
        for control in controls(app.widget):
            original = control.value
            for value in poke(control):
                t0 = time.perf_counter()
                try:
                    control.value = value
                except Exception:  # a value a control refuses (outside its options): skip it
                    continue
                times.append((time.perf_counter() - t0) * 1000)
            control.value = original
    InteractiveShell.clear_instance()
    return times


def main() -> None:
    out = {}
    everything = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        t = measure(path)
        everything += t
        out[path.name] = {"changes": len(t), "median_ms": statistics.median(t) if t else None,
                          "p90_ms": statistics.quantiles(t, n=10)[-1] if len(t) > 2 else None}
        med = out[path.name]["median_ms"]
        print(f"{path.name:32s} {len(t):4d} control changes  median {med if med is None else round(med, 1)} ms", flush=True)
    overall = statistics.median(everything)
    print(f"{'all notebooks':32s} {len(everything):4d} control changes  median {overall:.1f} ms  (goal < 150 ms)")
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "widget_latency.json").write_text(json.dumps({
        "command": "python benchmarks/widget_latency.py", "date": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(), "median_ms": overall, "per_notebook": out}, indent=2) + "\n")


if __name__ == "__main__":
    main()
