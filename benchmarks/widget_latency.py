"""How long a widget takes to respond after a control changes, for every app in every notebook.

    .venv/bin/python benchmarks/widget_latency.py

Runs each notebook's code cells in a fresh Jupyter kernel, then, inside that
kernel, finds every widget app (``edgekit.widgets.base.App``) the notebook made,
changes each of its controls and presses each of its buttons, and times the
kernel-side response: the app's ``refresh``, which recomputes with the package
and sends the new figure to the page. Measuring in a real kernel matters:
outside one an app only keeps its figure and never draws it.

The changes include the slowest a learner can make, not only typical ones:
every option of a dropdown or toggle (up to 24; a longer list is sampled evenly,
first and last included), so each fault's first look in a comparison is timed;
a multiple selection with everything selected, one item, and half; a slider's
every step up to its largest value; a bounded number box's smallest and largest
values; an open number box (a budget, a refractive index) from a tenth to a
thousand times its value. Only changes the app redraws for are timed: a control
that merely sets up the next button press (the playground's replica or
operation) redraws nothing, and counting it would only pull the median down.

Prints, per notebook, app and control, the number of changes, the median and
the maximum, then the ten slowest changes overall, and writes
benchmarks/results/widget_latency.json (benchmarks/results_io.py).
Goal: every change < 150 ms. What a time includes: the kernel side only (the control's
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


VALUED = (w.Dropdown, w.RadioButtons, w.ToggleButtons, w.Select, w.SelectMultiple, w.IntSlider, w.FloatSlider,
          w.FloatLogSlider, w.IntText, w.FloatText, w.BoundedIntText, w.BoundedFloatText, w.Text, w.ToggleButton)
SAMPLE = 24  # options of a longer list are sampled evenly


def controls(widget):
    """Every value-carrying control inside a widget tree."""
    if isinstance(widget, w.Box):
        for child in widget.children:
            yield from controls(child)
    elif isinstance(widget, VALUED):
        yield widget


def buttons(widget):
    """Every button inside a widget tree, in display order."""
    if isinstance(widget, w.Box):
        for child in widget.children:
            yield from buttons(child)
    elif isinstance(widget, w.Button):
        yield widget


def spread(items: list, k: int = SAMPLE) -> list:
    """``items`` if there are at most ``k``, else ``k`` of them evenly spaced, first and last included.

    >>> spread(list(range(10)), 4)
    [0, 3, 6, 9]
    """
    if len(items) <= k:
        return list(items)
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


def poke(control) -> list:
    """Values to set on a control, the slowest a learner can choose among them (see the docstring)."""
    if isinstance(control, w.ToggleButton):
        return [not control.value, control.value]
    if isinstance(control, w.Text):
        return [control.value + "2", "x", control.value]
    if isinstance(control, w.SelectMultiple):
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [tuple(opts), tuple(opts[:1]), tuple(opts[::2]), tuple(opts)] if opts else []
    if hasattr(control, "options"):  # a dropdown with no options yet (nothing in flight) has nothing to poke
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        here = opts.index(control.value) if control.value in opts else 0
        return spread(opts[here + 1:] + opts[:here + 1])  # the current option last: every other one first
    if not hasattr(control, "min"):  # an open number box: a tenth to a thousand times its value
        return [type(control.value)(control.value * f) for f in (0.1, 0.5, 2, 10, 100, 1000)]
    lo, hi = control.min, control.max
    if isinstance(control, w.FloatLogSlider):
        return [control.base ** (lo + (hi - lo) * i / 8) for i in range(9)]
    if isinstance(control, (w.BoundedIntText, w.BoundedFloatText)):
        return [lo, hi, lo + (hi - lo) / 2 if isinstance(control.value, float) else (lo + hi) // 2]
    step = control.step or 1
    count = min(SAMPLE - 1, round((hi - lo) / step))
    vals = [lo + (hi - lo) * i / count for i in range(count + 1)] if count else [lo]
    return [type(control.value)(round(v)) if isinstance(control.value, int) else v for v in vals]


def label(control) -> str:
    return getattr(control, "description", "") or type(control).__name__


def shown(value) -> str:
    """A short text for a value set, for the slowest-changes list."""
    if isinstance(value, tuple) and len(value) > 4:
        return f"{len(value)} items"
    return repr(value)[:40]


def measure_here() -> list[list]:
    """Poke every app in this process (run inside the notebook's kernel): one
    ``[app, control, value, ms]`` per change, ``ms`` "idle" when the app did not redraw."""
    apps = []
    for o in gc.get_objects():
        try:
            if isinstance(o, App):
                apps.append(o)
        except ReferenceError:  # a dead weak proxy among the kernel's objects
            pass
    names = {}
    results = []
    for app in apps:
        kind = type(app).__name__
        names[kind] = names.get(kind, 0) + 1
        name = kind if names[kind] == 1 else f"{kind}#{names[kind]}"
        for control in controls(app.widget):
            original = control.value
            for value in poke(control):
                ms = timed(app, lambda: setattr(control, "value", value))  # noqa: B023 - runs at once
                results.append([name, label(control), shown(value), ms])
            control.value = original
        for button in buttons(app.widget):
            results += [[name, f"button {button.description}", "click", timed(app, button.click)] for _ in range(3)]
    return [r for r in results if r[3] is not None]


def measure(path: Path) -> list[list]:
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
    return json.loads(line[len(MARK):])


def timed(app: App, action):
    """Milliseconds ``action`` took if the app redrew; "idle" if the app did not redraw; None if refused."""
    app.last_update_ms = None  # App.refresh sets it: tells a redraw from a control nobody watches
    t0 = time.perf_counter()
    try:
        action()
    except Exception:  # a value a control refuses (outside its options): skip it
        return None
    return (time.perf_counter() - t0) * 1000 if app.last_update_ms is not None else "idle"


def summary(times: list[float]) -> dict:
    return {"changes": len(times), "median_ms": statistics.median(times), "max_ms": max(times)}


def main() -> None:
    rec = Recorder("widget_latency")
    per_notebook, slowest, everything = {}, [], []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        changes = measure(path)
        timed_ = [c for c in changes if c[3] != "idle"]
        apps: dict = {}
        for app, control, value, ms in timed_:
            apps.setdefault(app, {}).setdefault(control, []).append(ms)
            slowest.append({"notebook": path.name, "app": app, "control": control, "value": value, "ms": ms})
        times = [c[3] for c in timed_]
        everything += times
        per_notebook[path.name] = {**(summary(times) if times else {"changes": 0}),
                                   "not_redrawn": len(changes) - len(timed_),
                                   "apps": {a: {c: summary(t) for c, t in cs.items()} for a, cs in apps.items()}}
        print(f"{path.name:32s} {len(times):4d} control changes" + (
            f"  median {statistics.median(times):.1f} ms  max {max(times):.1f} ms" if times else "") +
            f"  (+{len(changes) - len(timed_)} the app did not redraw for: not timed)", flush=True)
        for a, cs in apps.items():
            for c, t in cs.items():
                print(f"    {a:20s} {c[:24]:24s} {len(t):3d} changes  median {statistics.median(t):7.1f} ms  "
                      f"max {max(t):7.1f} ms", flush=True)
    slowest.sort(key=lambda r: -r["ms"])
    over = sum(t >= 150 for t in everything)
    print(f"{'all notebooks':32s} {len(everything):4d} control changes  median {statistics.median(everything):.1f} ms"
          f"  max {max(everything):.1f} ms  ({over} at or over the goal: every change < 150 ms)")
    print("the ten slowest changes:")
    for r in slowest[:10]:
        print(f"  {r['ms']:8.1f} ms  {r['notebook'][:2]} {r['app']} {r['control']} = {r['value']}")
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    rec.write({"goal_ms": 150, "changes": len(everything), "median_ms": statistics.median(everything),
               "max_ms": max(everything), "at_or_over_goal": over, "slowest": slowest[:10],
               "per_notebook": per_notebook})


if __name__ == "__main__":
    main()
