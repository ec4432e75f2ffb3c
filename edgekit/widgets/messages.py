"""What a widget says: an info or error box, bad input in its own words, a two-column table.

Whatever goes wrong in a widget reaches the learner through these, never as a traceback
(``edgekit.widgets.base`` re-exports them for the apps).
"""

from __future__ import annotations

import html
import math


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
