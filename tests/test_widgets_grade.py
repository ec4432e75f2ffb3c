"""Chapter 6's gallery widget grades a first look on its own thread: the kernel answers at once.

The real grader is swapped for a gated one here, so what the app shows while grading, after, and
when grading fails is checked without timing (``tests/test_grade.py`` drives the real grader).
"""

from __future__ import annotations

import threading

import pytest

from edgekit.widgets.grade import GalleryApp


@pytest.fixture
def gated(monkeypatch):
    """GalleryApp whose grading (after the first view) waits on ``gate`` and may raise ``fail``."""
    real, state = GalleryApp.grade, {"gate": threading.Event(), "graded": [], "fail": None}

    def grade(name):
        if state["graded"] is not None and name != "AddsOnAnswer":
            state["graded"].append(name)
            assert state["gate"].wait(20), "the test never opened the gate"
            if state["fail"] is not None:
                raise state["fail"]
        return real(name)

    monkeypatch.setattr(GalleryApp, "grade", staticmethod(grade))
    app = GalleryApp("AddsOnAnswer")
    yield app, state
    state["gate"].set()
    app.wait(60)


def test_a_first_look_answers_at_once_and_the_report_follows(gated):
    app, state = gated
    app.mistake.value = "ForgetsReadMisses"
    assert app.busy and app.mistake.disabled and "Grading ForgetsReadMisses on stage 1" in app.output.value
    state["gate"].set()
    app.wait(60)
    assert "Stage 1 · Serve locally: ✘" in app.output.value and not app.mistake.disabled
    assert state["graded"] == ["ForgetsReadMisses"] and app.last_error is None


def test_a_choice_made_from_code_while_grading_is_graded_next(gated):
    app, state = gated
    app.mistake.value = "ForgetsReadMisses"
    app.mistake.value = "WritesFromScratch"  # the page greys the dropdown; code can still set it
    state["gate"].set()
    app.wait(60)
    assert state["graded"] == ["ForgetsReadMisses", "WritesFromScratch"]
    assert "WritesFromScratch" in app.output.value and app.mistake.value == "WritesFromScratch"


def test_grading_that_fails_says_so_in_words_once_and_does_not_retry(gated):
    app, state = gated
    state["fail"] = ZeroDivisionError("division by zero")
    app.mistake.value = "ForgetsReadMisses"
    state["gate"].set()
    app.wait(60)
    assert "this is a fault in edgekit" in app.output.value and "<details>" in app.output.value
    assert state["graded"] == ["ForgetsReadMisses"] and not app.busy and app.last_error
    state["fail"] = None
    app.mistake.value = "WritesFromScratch"  # the learner can go on
    app.wait(60)
    assert "WritesFromScratch" in app.output.value and app.last_error is None
