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
computes for seconds (grading a gallery node) runs through ``App.act``
(``edgekit.widgets.actions``): the kernel answers at once with a "busy" message and the
controls greyed out, a thread of the app's own does the work, then shows its result or
its error in words. ``app.wait()`` blocks until that result is on show. The messages live
in ``edgekit.widgets.messages``; the kernel's garbage collection while idle in
``edgekit.widgets.idle``.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future

import ipywidgets as w
import plotly.graph_objects as go

from edgekit.figures.display import page_bundle
from edgekit.widgets.actions import Actions
from edgekit.widgets.idle import collect_when_idle
from edgekit.widgets.messages import explain, message_html, non_finite, table_html

__all__ = ["App", "Memo", "guarded", "offline_maps", "explain", "message_html", "non_finite", "table_html"]


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


class App(Actions):
    """Base for widget apps: ``refresh`` reruns ``update`` and reports bad input in words."""

    has_map = False  # True: displaying the app first gives the page the world map's shapes

    def __init__(self) -> None:
        self.output = w.HTML()
        self.plot = w.Output()
        self.figure: go.Figure | None = None
        self.last_error: str | None = None
        self.last_update_ms: float | None = None
        self.job: Future | None = None  # the last ``act`` (``Actions``): done once its result is on show
        self.busy = False
        self._lock = threading.RLock()  # one redraw at a time, the kernel's or an action's thread
        if _in_kernel():
            from IPython import get_ipython

            collect_when_idle(get_ipython())

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
            self.plot.outputs = ({"output_type": "display_data", "data": page_bundle(fig), "metadata": {}},)

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
