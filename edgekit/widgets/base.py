"""What every widget app shares: one way to show its figure, and a clear message instead of a traceback.

An app is a small object with ``.controls`` (ipywidgets), ``.output`` (an HTML
widget for numbers and messages), ``.plot`` (an ``Output`` widget the figure is
drawn in), ``.figure`` (the plain ``go.Figure`` on show) and ``.widget`` (the
assembled box to display).

Every redraw goes through ``App.show(fig)``: it keeps ``fig`` as ``.figure`` and,
in a kernel, clears ``.plot`` and displays ``fig`` in it again. A plain figure
shown through an ``Output`` is used rather than a ``go.FigureWidget``: with
several FigureWidgets on one JupyterLab page (plotly 7 renders them through
anywidget), some sometimes stay empty without any error.

Whatever goes wrong in a redraw reaches the learner as a message, never as a traceback:
a control holding an infinite or NaN number is refused before the app computes; a
``ValueError``/``TypeError`` (bad input, named by the package) shows its own words; any other
exception says that this is a fault in the kit. The traceback stays available on demand, in
a collapsed "details" area under the message, for an instructor to read or report.

Tests drive apps without a browser: set a control's ``.value`` and read
``.output.value`` and ``.figure.data``. Outside a kernel ``show`` only keeps the
figure, so nothing is printed and no renderer runs.

An action that waits on real processes or real time (the live planet's Verdict) or
computes for seconds (grading a gallery node) runs through ``App.act``: the kernel
answers at once with a "busy" message and the controls greyed out, a thread of the
app's own does the work, then shows its result or its error in words. ``app.wait()``
blocks until that result is on show: tests, the benchmark and notebook cells use it.
"""

from __future__ import annotations

import asyncio
import gc
import html
import math
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for

import ipywidgets as w
import plotly.graph_objects as go


def message_html(text: str, kind: str = "info", details: str | None = None) -> str:
    """An HTML box for a message; ``kind`` is "info" or "error" (the error box says so in words).

    ``details`` (a traceback, say) goes in a collapsed "details" area that opens on a click.
    """
    prefix = "<b>Cannot show this:</b> " if kind == "error" else ""
    border = "#D55E00" if kind == "error" else "#0072B2"
    more = (
        "<details><summary style='cursor:pointer;font-size:13px'>details</summary>"
        f"<pre style='font-size:12px;white-space:pre-wrap'>{html.escape(details)}</pre></details>"
        if details else ""
    )
    return (
        f'<div style="border-left:4px solid {border};padding:4px 8px;font-size:15px">'
        f"{prefix}{html.escape(text)}{more}</div>"
    )


def explain(exc: BaseException) -> str:
    """The words a learner sees for ``exc``: its own message for bad input, a plain fault note otherwise.

    >>> explain(ValueError("n=0: expected at least 1"))
    'n=0: expected at least 1'
    >>> explain(ZeroDivisionError("division by zero"))
    'this is a fault in edgekit, not in your input (ZeroDivisionError: division by zero). Try another value; the details below help whoever fixes it.'
    """
    if isinstance(exc, (ValueError, TypeError)) and str(exc):
        return str(exc)
    return (f"this is a fault in edgekit, not in your input ({type(exc).__name__}: {exc}). "
            "Try another value; the details below help whoever fixes it.")


def non_finite(controls) -> str | None:
    """A message for the first control holding an infinite or NaN number, or None if all are finite.

    >>> import ipywidgets as w
    >>> non_finite([w.FloatText(value=float("inf"), description="Budget")])
    'Budget = inf: expected a finite number'
    """
    for c in controls:
        value = getattr(c, "value", None)
        parts = value if isinstance(value, tuple) else (value,)
        if any(isinstance(v, float) and not math.isfinite(v) for v in parts):
            name = getattr(c, "description", "") or type(c).__name__
            return f"{name} = {value}: expected a finite number"
    return None


def table_html(rows: list[tuple[str, str]]) -> str:
    """Label/value pairs as a two-column HTML table (labels plain, values bold), escaped.

    >>> table_html([("RTT", "76 ms")])
    "<table style='font-size:15px'><tr><td style='padding:2px 12px 2px 0'>RTT</td><td><b>76 ms</b></td></tr></table>"
    """
    cells = "".join(
        f"<tr><td style='padding:2px 12px 2px 0'>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>"
        for k, v in rows
    )
    return f"<table style='font-size:15px'>{cells}</table>"


def offline_maps() -> None:
    """Hand the page plotly's world map shapes, so maps draw without the Internet.

    Call it once in a notebook before static map figures; apps with ``has_map`` do it themselves.
    """
    from IPython.display import Javascript, display

    from edgekit.figures.style import map_assets_js

    display(Javascript(map_assets_js()))


def _in_kernel() -> bool:
    """Whether this runs in a Jupyter kernel (where displayed output reaches a page)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    return getattr(get_ipython(), "kernel", None) is not None


IDLE_S = 1.0  # seconds with no cell running before the kernel collects its cyclic garbage


class IdleCollector:
    """Collect the kernel's cyclic garbage once no cell has run for ``IDLE_S`` seconds.

    Why: a chapter's simulations leave cyclic garbage (a network and its nodes refer to each
    other), hundreds of thousands of objects after chapter 5. CPython frees it in a full
    collection at whatever allocation comes next once enough has piled up: measured in a
    kernel after chapter 5, one such collection took 504 ms inside a widget's redraw. Run
    while the learner reads a cell's output instead, it never lands in a control change
    (a change sent within ``IDLE_S`` of a cell's end can still meet one). Registered once per
    kernel, by the first app built there; ``after_cell`` runs after every cell.
    """

    def __init__(self, loop, clock=time.monotonic, collect=gc.collect) -> None:
        self.loop, self.clock, self.collect = loop, clock, collect
        self.last, self.timer, self.collections = clock(), None, 0

    def after_cell(self) -> None:
        self.last = self.clock()
        if self.timer is None:
            self.timer = self.loop.call_later(IDLE_S, self.tick)

    def tick(self) -> None:
        """On the kernel's loop, between messages: collect if idle long enough, else look again later."""
        self.timer = None
        idle = self.clock() - self.last
        if idle >= IDLE_S:
            self.collect()
            self.collections += 1
        else:
            self.timer = self.loop.call_later(IDLE_S - idle, self.tick)


_COLLECTOR: list[IdleCollector] = []  # the kernel's one collector, once an app exists


def collect_when_idle() -> IdleCollector | None:
    """Register the kernel's ``IdleCollector`` (once); None outside a kernel."""
    if not _in_kernel() or threading.current_thread() is not threading.main_thread():
        return None
    if not _COLLECTOR:
        from IPython import get_ipython

        _COLLECTOR.append(IdleCollector(asyncio.get_event_loop()))
        get_ipython().events.register("post_execute", _COLLECTOR[0].after_cell)
    return _COLLECTOR[0]


class App:
    """Base for widget apps: ``refresh`` reruns ``update`` and reports bad input in words."""

    has_map = False  # True: displaying the app first gives the page the world map's shapes
    worded: tuple = (ValueError, TypeError)  # errors of an action shown in their own words, no details

    def __init__(self) -> None:
        self.output = w.HTML()
        self.plot = w.Output()
        self.figure: go.Figure | None = None
        self.last_error: str | None = None
        self.last_update_ms: float | None = None
        self.job: Future | None = None  # the last ``act``: done once its result (or error) is on show
        self.busy = False
        self._lock = threading.RLock()  # one redraw at a time, the kernel's or an action's thread
        collect_when_idle()

    def show(self, fig: go.Figure) -> None:
        """Put ``fig`` on show: it becomes ``self.figure`` and is drawn afresh in ``self.plot``."""
        self.figure = fig
        if not _in_kernel():  # elsewhere (tests, scripts) only keep the figure: nothing to draw on
            return
        if threading.current_thread() is threading.main_thread():
            from IPython.display import clear_output, display

            with self.plot:
                clear_output(wait=True)  # wait: the old figure stays until the new one arrives, no flicker
                display(fig)
        else:  # an action's thread: what it displays would land in whichever cell runs now, so set the outputs
            self.plot.outputs = ({"output_type": "display_data", "data": fig._repr_mimebundle_(), "metadata": {}},)

    def act(self, work: Callable, busy: str, done: Callable | None = None, *, disable=None,
            redraw: bool = True) -> Future:
        """Run ``work()`` on a thread, so that the kernel answers at once; returns ``self.job``.

        At once: ``busy`` shows in ``.output`` and the ``disable`` widgets (by default the controls)
        are greyed out. Then, on the thread, in one step under the app's lock: the widgets come back,
        ``done(result)`` shows the result, the app redraws (``redraw``). An error shows as ``refresh``
        shows one (``worded`` errors in their own words only, others with their details folded).
        While an action runs, asking for another (a click the page sent before it greyed the
        button, or a control set from code) starts nothing.
        """
        with self._lock:
            if self.busy:
                return self.job
            widgets = [c for c in (self.controls if disable is None else disable) if hasattr(c, "disabled")]
            restore = [(c, c.disabled) for c in widgets]
            for c in widgets:
                c.disabled = True
            self.busy, self.job = True, Future()
            self.output.value = message_html(busy)
            job = self.job
        threading.Thread(target=self._act, args=(job, work, done, restore, redraw),
                         name=f"{type(self).__name__} action", daemon=True).start()
        return job

    def _act(self, job: Future, work: Callable, done: Callable | None, restore: list, redraw: bool) -> None:
        try:
            result, failure = work(), None
        except Exception as exc:  # noqa: BLE001 - on a thread nobody reads a traceback: the learner gets words
            result, failure = None, (exc, traceback.format_exc())
        with self._lock:  # one step from "busy" to the result: no other action or redraw comes between
            for c, was in restore:
                c.disabled = was
            self.busy, self.last_error = False, None
            if failure is None and done is not None:
                try:
                    done(result)  # may start the next action (``self.job`` moves on): ``wait`` follows it
                except Exception as exc:  # noqa: BLE001 - as above
                    failure = (exc, traceback.format_exc())
            if failure is not None:
                exc, details = failure
                worded = isinstance(exc, self.worded) and bool(str(exc))
                error = str(exc) if worded else explain(exc)
                self.output.value = message_html(error, "error", None if worded else details)
            if redraw:
                self.refresh()
            if failure is not None:
                self.last_error = error  # the action's error stays the news after the redraw
        job.set_result(None)

    def wait(self, timeout_s: float = 180.0) -> None:
        """Block until the last action's result (or error) is on show; at once if none runs."""
        deadline = time.monotonic() + timeout_s
        while (job := self.job) is not None:
            wait_for([job], timeout=max(0.0, deadline - time.monotonic()))
            if not job.done():
                raise TimeoutError(f"{type(self).__name__}: the action still runs after {timeout_s:g} s")
            if self.job is job:
                return

    def start(self, controls: list[w.Widget], *rows: w.Widget) -> None:
        """Draw the first view, then redraw whenever one of ``controls`` changes.

        ``.widget`` stacks ``rows`` (by default the controls, three to a row), then the numbers
        (unless a row already holds them), then the figure.
        """
        self.controls = list(controls)
        self.update()  # a bad starting value is the caller's error: let it raise here
        self.observe(*self.controls)
        rows = rows or tuple(w.HBox(self.controls[i:i + 3]) for i in range(0, len(self.controls), 3))
        placed = any(self.output is r or self.output in getattr(r, "children", ()) for r in rows)
        self.widget = w.VBox([*rows, *([] if placed else [self.output]), self.plot])

    def update(self) -> None:  # pragma: no cover - every app overrides it
        raise NotImplementedError

    def refresh(self, _change=None) -> None:
        """Rerun ``update``; any failure becomes the message in ``.output`` (and in ``.last_error``)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        t0 = time.perf_counter()
        try:
            problem = non_finite(getattr(self, "controls", ()))
            if problem:
                self.last_error = problem
                self.output.value = message_html(problem, "error")
            else:
                self.update()
                self.last_error = None
        except Exception as exc:  # every failure reaches the learner in words
            self.last_error = explain(exc)
            self.output.value = message_html(self.last_error, "error", traceback.format_exc())
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def observe(self, *controls: w.Widget) -> None:
        """Call ``refresh`` whenever any of ``controls`` changes value."""
        for c in controls:
            c.observe(self.refresh, names="value")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self.has_map:
            offline_maps()
        display(self.widget)


class Memo:
    """What an app computed for a control setting, kept for the next look, at most ``size`` settings.

    Apps are seeded, so a setting gives the same result every time: a second look is free.
    The oldest-used setting is forgotten first, so a learner sweeping a seed or a fault list
    cannot grow the kernel's memory without bound.

    >>> m = Memo(size=2)
    >>> [m.get(k, lambda: k * 10) for k in (1, 2, 1, 3)]
    [10, 20, 10, 30]
    >>> sorted(m)
    [1, 3]
    """

    def __init__(self, size: int = 32) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size={size!r}: expected a whole number >= 1")
        self.size = size
        self._kept: OrderedDict = OrderedDict()

    def get(self, key: Hashable, compute: Callable):
        """The value kept for ``key``, or ``compute()`` kept now."""
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        value = self._kept[key] = compute()
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return value

    def __contains__(self, key) -> bool:
        return key in self._kept

    def __iter__(self):
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)


def guarded(fn: Callable, output: w.HTML) -> Callable:
    """Wrap a callback (a button's, say) so that any exception shows in ``output`` as ``App.refresh`` shows it."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # as in App.refresh
            output.value = message_html(explain(exc), "error", traceback.format_exc())
            return None

    return run
