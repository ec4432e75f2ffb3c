"""How long a widget takes to respond after a control changes, for every app in every notebook.

    .venv/bin/python benchmarks/widget_latency.py

Runs each notebook's code cells in a fresh Jupyter kernel, then, inside that
kernel, finds every widget app (``edgekit.widgets.base.App``) the notebook made,
changes each of its controls several times (every other option of a dropdown,
steps of a slider, values around a number box) and presses each of its buttons,
and times the kernel-side response: the app's ``refresh``, which recomputes with
the package and sends the new figure to the page. Measuring in a real kernel
matters: outside one an app only keeps its figure and never draws it. Only
changes the app redraws for are timed: a control that merely sets up the next
button press (the playground's replica or operation) redraws nothing, and
counting it would only pull the median down. Prints the median per notebook and
over all, and writes benchmarks/results/widget_latency.json (benchmarks/results_io.py).
Goal: median < 150 ms. What a time includes: the kernel side only (the control's
observers, the package's computation, building the figure and queuing it for the page). What
it excludes: the message's trip to the browser and the browser drawing the figure.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from pathlib import Path

import ipywidgets as w
from notebook_times import notebook_kernel  # scripts beside this one
from results_io import Recorder, load_average

from edgekit.widgets.base import App

ROOT = Path(__file__).resolve().parents[1]
MARK = "widget-latency-result:"


def controls(widget):
    """Every value-carrying control inside a widget tree."""
    if isinstance(widget, w.Box):
        for child in widget.children:
            yield from controls(child)
    elif isinstance(widget, (w.Dropdown, w.RadioButtons, w.ToggleButtons, w.Select)):
        yield widget
    elif isinstance(widget, (w.IntSlider, w.FloatSlider, w.FloatLogSlider, w.IntText, w.FloatText)):
        yield widget


def buttons(widget):
    """Every button inside a widget tree, in display order."""
    if isinstance(widget, w.Box):
        for child in widget.children:
            yield from buttons(child)
    elif isinstance(widget, w.Button):
        yield widget


def poke(control, n=6):
    """Values to set on a control: other options, or steps across a slider's range."""
    if hasattr(control, "options"):  # a dropdown with no options yet (nothing in flight) has nothing to poke
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [opts[i % len(opts)] for i in range(1, n + 1)] if opts else []
    if not hasattr(control, "min"):  # a plain number box: a few values around the current one
        return [type(control.value)(control.value * (1 + i / 10)) for i in range(1, n + 1)]
    lo, hi = control.min, control.max
    if isinstance(control, w.FloatLogSlider):
        return [control.base ** (lo + (hi - lo) * i / n) for i in range(n)]
    step = (hi - lo) / n
    vals = [lo + step * i for i in range(n)]
    return [type(control.value)(round(v)) if isinstance(control.value, int) else v for v in vals]


def measure_here() -> tuple[list[float], int]:
    """Poke every app in this process (run inside the notebook's kernel): response times, and
    how many changes the app did not redraw for."""
    apps = []
    for o in gc.get_objects():
        try:
            if isinstance(o, App):
                apps.append(o)
        except ReferenceError:  # a dead weak proxy among the kernel's objects
            pass
    results = []
    for app in apps:
        for control in controls(app.widget):
            original = control.value
            for value in poke(control):
                results.append(timed(app, lambda: setattr(control, "value", value)))  # noqa: B023 - runs at once
            control.value = original
        for button in buttons(app.widget):
            results += [timed(app, button.click) for _ in range(3)]
    times = [t for t in results if isinstance(t, float)]
    return times, results.count("idle")


def measure(path: Path) -> tuple[list[float], int]:
    """Run the notebook in a fresh kernel, then ``measure_here`` inside that kernel."""
    printed = []

    def keep(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    with notebook_kernel(path) as kc:
        probe = (f"import json, sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                 f"from widget_latency import measure_here\nprint({MARK!r} + json.dumps(measure_here()))")
        reply = kc.execute_interactive(probe, timeout=600, output_hook=keep)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{path.name}: measuring failed: {reply['content'].get('evalue')}")
    line = next(x for x in "".join(printed).splitlines() if x.startswith(MARK))
    times, idle = json.loads(line[len(MARK):])
    return times, idle


def timed(app: App, action):
    """Milliseconds ``action`` took if the app redrew; "idle" if the app did not redraw; None if refused."""
    app.last_update_ms = None  # App.refresh sets it: tells a redraw from a control nobody watches
    t0 = time.perf_counter()
    try:
        action()
    except Exception:  # a value a control refuses (outside its options): skip it
        return None
    return (time.perf_counter() - t0) * 1000 if app.last_update_ms is not None else "idle"


def main() -> None:
    rec = Recorder("widget_latency")
    out = {}
    everything = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        t, idle = measure(path)
        everything += t
        out[path.name] = {"changes": len(t), "not_redrawn": idle, "median_ms": statistics.median(t) if t else None,
                          "p90_ms": statistics.quantiles(t, n=10)[-1] if len(t) > 2 else None}
        med, p90 = out[path.name]["median_ms"], out[path.name]["p90_ms"]
        print(f"{path.name:32s} {len(t):4d} control changes  median {med if med is None else round(med, 1)} ms"
              f"  p90 {p90 if p90 is None else round(p90, 1)} ms  (+{idle} the app did not redraw for: not timed)",
              flush=True)
    overall = statistics.median(everything)
    print(f"{'all notebooks':32s} {len(everything):4d} control changes  median {overall:.1f} ms  (goal < 150 ms)")
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    rec.write({"changes": len(everything), "median_ms": overall, "per_notebook": out})


if __name__ == "__main__":
    main()
