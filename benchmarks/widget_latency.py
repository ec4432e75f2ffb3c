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

Two times per change, so that nothing is hidden. The kernel-side response, the goal's
figure: from the change until the kernel is free again. Some changes start an action on the
app's own thread (``App.act``: the live planet's buttons, which wait on real processes and
quiet epochs, and a gallery node's first grading): the kernel answers at once with a "busy"
message and greyed-out controls, so its response is short; for those the benchmark then
waits (``app.wait()``) and reports, apart, the time from the change until the result is on
show. The next change starts only then, as a learner's would (the controls are greyed out).

The probe starts when the kernel has been idle for ``IDLE_S`` + 1 s after the last cell, as
when a learner reads before touching a control: an app's kernel collects the cyclic garbage
the chapter's simulations left once it is idle (``edgekit.widgets.idle.IdleCollector``; without
that, chapter 5's garbage, about 650,000 objects, was collected in one 504 ms pause inside a
DesignComparison redraw). A change made within ``IDLE_S`` of a cell's end can still meet it.

Prints, per notebook, app and control, the number of changes, the median and
the maximum (and, for actions, the time until the result showed), then the ten slowest
changes overall, and writes benchmarks/results/widget_latency.json (benchmarks/results_io.py).
Goal: every change < 150 ms kernel side. What a time includes: the kernel side only (the
control's observers, the package's computation, building the figure and queuing it for the
page; for an action, the same up to its result on show). What it excludes: the message's trip
to the browser and the browser drawing the figure.

What made it fast: nothing is precomputed for the benchmark's sake. DesignComparison runs the
fault it opens with when it is built, and a fault's first look on its thread; an app keeps what it computed for a setting
(``Memo``); the live planet's buttons and the gallery's first gradings answer at once and
finish on the app's thread; the kernel collects garbage while idle (above).
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
from edgekit.widgets.idle import IDLE_S

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
    """Poke every app in this process (run inside the notebook's kernel): one ``[app, control,
    value, ms, shown_ms]`` per change, ``ms`` "idle" when the app did not redraw, ``shown_ms``
    the time until an action's result showed (None: the change started no action)."""
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
                results.append([name, label(control), shown(value), *ms])
            control.value = original
            app.wait()
        for button in buttons(app.widget):
            results += [[name, f"button {button.description}", "click", *timed(app, button.click)] for _ in range(3)]
    return [r for r in results if r[3] is not None]


def measure(path: Path) -> list[list]:
    """Run the notebook in a fresh kernel, then ``measure_here`` inside that kernel."""
    printed = []

    def keep(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    with notebook_kernel(path) as kc:
        time.sleep(IDLE_S + 1.0)  # as a learner reads the last output: the kernel is idle, it collects its garbage
        probe = (f"import json, sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                 f"from widget_latency import measure_here\nprint({MARK!r} + json.dumps(measure_here()))")
        reply = kc.execute_interactive(probe, timeout=600, output_hook=keep)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{path.name}: measuring failed: {reply['content'].get('evalue')}")
    line = next(x for x in "".join(printed).splitlines() if x.startswith(MARK))
    return json.loads(line[len(MARK):])


def timed(app: App, action) -> tuple:
    """(kernel-side ms, ms until an action's result showed or None); ("idle", None) if the app
    neither redrew nor started an action; (None, None) if the control refused the value."""
    app.last_update_ms = None  # App.refresh sets it: tells a redraw from a control nobody watches
    job = app.job
    t0 = time.perf_counter()
    try:
        action()
    except Exception:  # a value a control refuses (outside its options): skip it
        return None, None
    ms = (time.perf_counter() - t0) * 1000
    if app.job is not job:  # the change started an action on the app's thread: wait for its result
        app.wait()
        return ms, (time.perf_counter() - t0) * 1000
    return (ms if app.last_update_ms is not None else "idle"), None


def summary(times: list[float]) -> dict:
    return {"changes": len(times), "median_ms": statistics.median(times), "max_ms": max(times)}


def shown_summary(times: list[float]) -> dict:
    """The times until actions' results showed (see the docstring): count, median, maximum."""
    return {"actions": len(times), "shown_median_ms": statistics.median(times), "shown_max_ms": max(times)}


def main() -> None:
    rec = Recorder("widget_latency")
    per_notebook, slowest, everything, results_shown = {}, [], [], []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        changes = measure(path)
        timed_ = [c for c in changes if c[3] != "idle"]
        apps: dict = {}
        for app, control, value, ms, shown_ms in timed_:
            apps.setdefault(app, {}).setdefault(control, []).append((ms, shown_ms))
            slowest.append({"notebook": path.name, "app": app, "control": control, "value": value, "ms": ms,
                            "shown_ms": shown_ms})
        times = [c[3] for c in timed_]
        everything += times
        results_shown += [r for r in slowest if r["notebook"] == path.name and r["shown_ms"] is not None]
        per_notebook[path.name] = {**(summary(times) if times else {"changes": 0}),
                                   "not_redrawn": len(changes) - len(timed_), "apps": {}}
        print(f"{path.name:32s} {len(times):4d} control changes" + (
            f"  median {statistics.median(times):.1f} ms  max {max(times):.1f} ms" if times else "") +
            f"  (+{len(changes) - len(timed_)} the app did not redraw for: not timed)", flush=True)
        for a, cs in apps.items():
            for c, pairs in cs.items():
                t, shown_t = [p[0] for p in pairs], [p[1] for p in pairs if p[1] is not None]
                row = {**summary(t), **(shown_summary(shown_t) if shown_t else {})}
                per_notebook[path.name]["apps"].setdefault(a, {})[c] = row
                print(f"    {a:20s} {c[:24]:24s} {len(t):3d} changes  median {statistics.median(t):7.1f} ms  "
                      f"max {max(t):7.1f} ms" + (f"  | {len(shown_t)} actions: result shown after median "
                                                 f"{row['shown_median_ms']:.1f} ms, max {row['shown_max_ms']:.1f} ms"
                                                 if shown_t else ""), flush=True)
    slowest.sort(key=lambda r: -r["ms"])
    results_shown.sort(key=lambda r: -r["shown_ms"])
    over = sum(t >= 150 for t in everything)
    print(f"{'all notebooks, kernel side':32s} {len(everything):4d} control changes  median "
          f"{statistics.median(everything):.1f} ms  max {max(everything):.1f} ms  ({over} at or over the goal: "
          "every change < 150 ms)")
    print("the ten slowest changes, kernel side:")
    for r in slowest[:10]:
        print(f"  {r['ms']:8.1f} ms  {r['notebook'][:2]} {r['app']} {r['control']} = {r['value']}")
    background = shown_summary([r["shown_ms"] for r in results_shown]) if results_shown else {"actions": 0}
    if results_shown:
        print(f"{background['actions']} of those changes started an action on the app's thread; its result showed "
              f"after median {background['shown_median_ms']:.1f} ms, max {background['shown_max_ms']:.1f} ms. "
              "The ten slowest:")
        for r in results_shown[:10]:
            print(f"  {r['shown_ms']:8.1f} ms until shown ({r['ms']:.1f} ms kernel side)  {r['notebook'][:2]} "
                  f"{r['app']} {r['control']} = {r['value']}")
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    rec.write({"goal_ms": 150, "idle_before_probe_s": IDLE_S + 1.0, "changes": len(everything), "median_ms": statistics.median(everything),
               "max_ms": max(everything), "at_or_over_goal": over, "slowest": slowest[:10],
               "until_result_shown": {**background, "slowest": results_shown[:10]},
               "per_notebook": per_notebook})


if __name__ == "__main__":
    main()
