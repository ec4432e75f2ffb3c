"""Every widget app answers every control state a learner can reach with a picture or a message.

Each App subclass is found by walking ``App.__subclasses__()`` after importing every module of
``edgekit.widgets``, so a new app is covered without touching this file. Its controls are driven
to the values a learner can type or pick (NaN, infinities, huge and tiny numbers, empty and odd
text, the first and last option, no option and every option) and its buttons are pressed. After
each step the app shows either its view or a message, never a traceback; a traceback may sit
only inside the collapsed "details" area under a message.
"""

from __future__ import annotations

import html
import importlib
import math
import pkgutil
import re

import ipywidgets as w
import pytest

import edgekit.widgets as widgets_pkg
from edgekit.widgets.base import App, explain, guarded, message_html, non_finite

for _mod in pkgutil.iter_modules(widgets_pkg.__path__):
    importlib.import_module(f"edgekit.widgets.{_mod.name}")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


APPS = sorted({c for c in _subclasses(App) if c.__module__.startswith("edgekit.")}, key=lambda c: c.__name__)
FLOATS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 0.0, -1.0]
TEXTS = ["", " ", "nan", "inf", "-1e400", "0", "-1", "1e9", "x" * 5000, "é😀", "<b>bold</b>", "\x00"]
FAULT = "this is a fault in edgekit"


def visible(page: str) -> str:
    """What a learner sees without clicking: the HTML minus the collapsed details areas."""
    return re.sub(r"<details>.*?</details>", "", page, flags=re.S)


def values_for(control: w.Widget) -> list:
    """The extreme values a learner can give ``control`` (through its ``index`` for choices)."""
    if isinstance(control, w.Button):
        return []
    if hasattr(control, "options"):
        n = len(control.options)
        if isinstance(control.index, tuple):  # several choices at once: none, one, all
            return [("index", ()), ("index", (0,)), ("index", tuple(range(n)))] if n else []
        return [("index", i) for i in sorted({0, n - 1})] if n else []
    if isinstance(control.value, bool):
        return [("value", v) for v in (True, False)]
    if isinstance(control.value, float):
        return [("value", v) for v in FLOATS]
    if isinstance(control.value, int):  # bounded controls clamp; an unbounded one takes anything
        lo, hi = getattr(control, "min", -(10**18)), getattr(control, "max", 10**18)
        return [("value", v) for v in (lo, hi, lo - 1, hi + 1, -(10**18), 10**18)]
    if isinstance(control.value, str):
        return [("value", v) for v in TEXTS]
    raise AssertionError(f"{type(control).__name__}: teach values_for this kind of control")


def buttons(widget: w.Widget) -> list[w.Button]:
    """Every button in ``widget``'s tree."""
    if isinstance(widget, w.Button):
        return [widget]
    return [b for child in getattr(widget, "children", ()) for b in buttons(child)]


@pytest.fixture
def leaks(monkeypatch):
    """Exceptions that escaped a button's callback (ipywidgets would print them as a traceback)."""
    import sys

    import ipywidgets.widgets.widget as widget_module

    escaped = []

    class Shell:
        def showtraceback(self):
            escaped.append(sys.exc_info()[1])

    monkeypatch.setattr(widget_module, "get_ipython", lambda: Shell())
    return escaped


def assert_message_not_traceback(app: App, step: str) -> None:
    shown = visible(app.output.value)
    assert "Traceback" not in shown and 'File "' not in shown, f"{step}: a traceback is on show"
    if app.last_error is not None:
        assert "Cannot show this" in shown and html.escape(app.last_error) in shown, step
        assert FAULT not in app.last_error, f"{step}: an unexpected exception, not a message about input"


@pytest.mark.parametrize("cls", APPS, ids=lambda c: c.__name__)
def test_every_control_at_its_extremes_gives_a_view_or_a_message(cls, leaks):
    app = cls()
    assert app.controls, f"{cls.__name__} has no controls"
    for control in list(app.controls):
        attr0 = "index" if hasattr(control, "options") else "value"
        start = getattr(control, attr0)
        for attr, value in values_for(control):
            step = f"{cls.__name__}: {control.description or type(control).__name__}.{attr} = {value!r:.40}"
            try:
                setattr(control, attr, value)
            except Exception as exc:  # the widget itself refuses the value: nothing reached the app
                assert type(exc).__name__ == "TraitError", f"{step}: {exc!r}"
                continue
            assert_message_not_traceback(app, step)
            if isinstance(value, float) and not math.isfinite(control.value):
                assert "expected a finite number" in app.last_error, step
            for b in buttons(app.widget):
                b.click()
                assert_message_not_traceback(app, f"{step}, then pressing {b.description!r}")
        try:  # drive the next control from the app's usual state (an option may have gone meanwhile)
            setattr(control, attr0, start)
        except Exception as exc:
            assert type(exc).__name__ == "TraitError", f"{cls.__name__}: restoring {attr0}: {exc!r}"
    assert not leaks, f"{cls.__name__}: a button let an exception escape: {leaks[0]!r}"


@pytest.mark.parametrize("cls", APPS, ids=lambda c: c.__name__)
def test_an_unexpected_exception_is_a_message_with_details_on_demand(cls, monkeypatch):
    app = cls()
    calls = []

    def broken():
        calls.append(1)
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(app, "update", broken)
    for control in app.controls:  # the first control that redraws the app
        for attr, value in values_for(control)[:2]:
            if not (isinstance(value, float) and math.isnan(value)):
                setattr(control, attr, value)
        if calls:
            break
    assert calls, f"no control of {cls.__name__} redraws it"
    assert FAULT in app.last_error and "ZeroDivisionError: boom" in app.last_error
    shown = visible(app.output.value)
    assert "Cannot show this" in shown and "Traceback" not in shown
    details = app.output.value[len(shown) - len("</div>"):]  # the folded part, before the box closes
    assert "<details>" in app.output.value and "Traceback" in details and "ZeroDivisionError" in details


def test_a_value_error_shows_its_own_words_and_keeps_the_traceback_folded():
    class Bad(App):
        def __init__(self):
            super().__init__()
            self.x = w.IntSlider(value=1, min=0, max=5, description="x")
            self.start([self.x])

        def update(self):
            if self.x.value == 0:
                raise ValueError("x=0: expected at least 1")
            self.output.value = f"x is {self.x.value}"

    app = Bad()
    app.x.value = 0
    assert app.last_error == "x=0: expected at least 1"
    assert visible(app.output.value).count("Cannot show this") == 1 and "Traceback" in app.output.value
    app.x.value = 2
    assert app.last_error is None and app.output.value == "x is 2"


def test_a_non_finite_control_is_refused_before_the_app_computes():
    seen = []

    class Sum(App):
        def __init__(self):
            super().__init__()
            self.a = w.FloatText(value=1.0, description="a")
            self.start([self.a])

        def update(self):
            seen.append(self.a.value)
            self.output.value = str(self.a.value)

    app = Sum()
    for bad in (math.nan, math.inf, -math.inf):
        app.a.value = bad
        assert app.last_error == f"a = {bad}: expected a finite number", bad
    assert seen == [1.0]  # update ran only for the starting value
    app.a.value = 2.5
    assert app.last_error is None and seen == [1.0, 2.5]


def test_non_finite_names_the_control_and_looks_inside_ranges():
    assert non_finite([w.FloatText(value=1.0)]) is None
    rng = w.FloatRangeSlider(value=(0.0, 1.0), min=0.0, max=1.0, description="Range")
    assert non_finite([rng]) is None
    assert non_finite([w.Text(value="nan")]) is None  # text is the app's to parse and judge


def test_guarded_shows_any_exception_as_a_message():
    out = w.HTML()
    assert guarded(lambda: 1 / 0, out)() is None
    assert FAULT in out.value and "ZeroDivisionError" in out.value and "<details>" in out.value
    assert guarded(lambda: 7, out)() == 7


def test_explain_and_message_html_escape_and_fold():
    assert explain(TypeError("n='a': expected an int")) == "n='a': expected an int"
    assert explain(ValueError()).startswith(FAULT)  # a ValueError without words is no message
    box = message_html("a<b", "error", details="Traceback <x>")
    assert "a&lt;b" in box and "<details>" in box and "Traceback &lt;x&gt;" in box
    assert "<details>" not in message_html("plain")
