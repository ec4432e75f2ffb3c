"""What every widget app shares: show a clear message instead of a traceback.

An app is a small object with ``.controls`` (ipywidgets), ``.figure`` (a
``go.FigureWidget``), ``.output`` (an HTML widget for numbers and messages)
and ``.widget`` (the assembled box to display). Tests drive apps without a
browser: set a control's ``.value`` and read ``.output.value`` and
``.figure.data``.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import ipywidgets as w


def message_html(text: str, kind: str = "info") -> str:
    """An HTML box for a message; ``kind`` is "info" or "error" (the error box says so in words)."""
    prefix = "<b>Cannot show this:</b> " if kind == "error" else ""
    border = "#D55E00" if kind == "error" else "#0072B2"
    return (
        f'<div style="border-left:4px solid {border};padding:4px 8px;font-size:15px">'
        f"{prefix}{html.escape(text)}</div>"
    )


def offline_maps() -> None:
    """Hand the page plotly's world map shapes, so maps draw without the Internet.

    Call it once in a notebook before static map figures; apps with ``has_map`` do it themselves.
    """
    from IPython.display import Javascript, display

    from edgekit.figures.style import map_assets_js

    display(Javascript(map_assets_js()))


class App:
    """Base for widget apps: ``refresh`` reruns ``update`` and reports bad input in words."""

    has_map = False  # True: displaying the app first gives the page the world map's shapes

    def __init__(self) -> None:
        self.output = w.HTML()
        self.last_error: str | None = None
        self.last_update_ms: float | None = None

    def update(self) -> None:  # pragma: no cover - every app overrides it
        raise NotImplementedError

    def refresh(self, _change=None) -> None:
        t0 = time.perf_counter()
        try:
            self.update()
            self.last_error = None
        except (ValueError, TypeError) as exc:
            self.last_error = str(exc)
            self.output.value = message_html(str(exc), "error")
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


def guarded(fn: Callable, output: w.HTML) -> Callable:
    """Wrap a callback so a ValueError/TypeError shows in ``output`` instead of a traceback."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError) as exc:
            output.value = message_html(str(exc), "error")
            return None

    return run
