"""Exercises that check themselves, with reference solutions hidden from learners.

Each chapter module (``ch1``, ``ch2`` ...) registers exercises with ``exercise``.
A notebook's exercise cell (tag ``exercise``) has the learner write code or pick
parameters; the next cell (tag ``check``) calls ``check("ch1.fibre_rtt", answer)``
and prints plain-words feedback. A check never raises for a wrong or missing
answer: it says what is wrong.

Instructor mode, the one switch: set the environment variable
``EDGEKIT_INSTRUCTOR=1`` before starting JupyterLab (``make lab
EDGEKIT_INSTRUCTOR=1``), or call ``instructor(True)`` in a notebook. Then
``solution("ch1.fibre_rtt")`` shows the reference solution; otherwise it says
the solution is hidden.
"""

from __future__ import annotations

import html
import importlib
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .._checks import brief, check_items

__all__ = ["Feedback", "Exercise", "exercise", "check", "solution", "instructor", "REGISTRY", "NOT_ANSWERED", "unanswered",
           "choose"]

_CHAPTERS = ("ch1", "ch2", "ch3", "ch4", "ch5", "ch6")


class _NotAnswered:
    def __repr__(self) -> str:
        return "NOT_ANSWERED"


NOT_ANSWERED = _NotAnswered()


def unanswered(x) -> bool:
    """Whether ``x`` is still a placeholder: ``NOT_ANSWERED`` or ``...``.

    >>> unanswered(NOT_ANSWERED), unanswered(...), unanswered(0)
    (True, True, False)
    """
    return x is NOT_ANSWERED or x is ...
"""Put this (or ``...``) in an exercise cell the learner has not filled in yet."""


@dataclass(frozen=True)
class Feedback:
    """The verdict of a check, in plain words."""

    ok: bool
    message: str
    answered: bool = True

    def __str__(self) -> str:
        mark = "Correct" if self.ok else ("Not answered yet" if not self.answered else "Not yet")
        return f"{mark}: {self.message}"

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.ok else ("#0072B2" if not self.answered else "#D55E00")
        mark = "✔ Correct" if self.ok else ("… Not answered yet" if not self.answered else "✘ Not yet")
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px;font-size:15px">'
            f"<b>{mark}</b>: {html.escape(self.message)}</div>"
        )


def choose(answer, options: dict[str, str], correct, why: dict[str, str], right: str) -> Feedback:
    """Check a pick from ``options``: one letter, or a set of letters when ``correct`` is a set.

    ``why[letter]`` says why that option is right or wrong, in words that name the misconception a
    learner who picked it (or left it out) most likely holds; the first one that applies is shown.
    """
    if not isinstance(options, dict) or not options or not all(isinstance(k, str) for k in options):
        raise TypeError(f"options={brief(options)}: expected a dict of letter to option text")
    if not isinstance(why, dict):
        raise TypeError(f"why={brief(why)}: expected a dict of letter to the reason it is right or wrong")
    if not isinstance(right, str):
        raise TypeError(f"right={brief(right)}: expected the text shown for a right answer")
    many = not isinstance(correct, str)
    want = set(check_items(correct, "correct", str, "one letter or a set of letters")) if many else {correct}
    if not want or not want <= set(options):
        raise ValueError(f"correct={brief(correct)}: expected letters of the options {sorted(options)}")
    letters = ", ".join(f"'{k}'" for k in options)
    if many:
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            return Feedback(False, f"expected a set of letters such as {{'a', 'c'}} (from {letters}), got {brief(answer)}")
        picked = {str(a).strip().lower() for a in answer}
    else:
        if not isinstance(answer, str):
            return Feedback(False, f"expected one letter such as 'a' (from {letters}), got {brief(answer)}")
        picked = {answer.strip().lower()}
    unknown = sorted(picked - set(options))
    if unknown:
        return Feedback(False, f"{', '.join(map(repr, unknown))} is not an option; pick from {letters}")
    if picked == want:
        return Feedback(True, right)
    wrong = sorted(picked - want) + sorted(want - picked)
    k = wrong[0]
    verb = "is not right" if k in picked else "is missing" if many else "is not right"
    return Feedback(False, f"({k}) {verb}: {why.get(k, 'look at that option again')}")


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    checker: Callable  # answer -> Feedback
    reference: Callable  # () -> an answer that passes; its source is the shown solution
    hint: str = ""
    tags: tuple = field(default_factory=tuple)


REGISTRY: dict[str, Exercise] = {}


def exercise(id: str, title: str, hint: str = "") -> Callable:
    """Decorator for a checker ``fn(answer) -> Feedback``; attach the reference with ``.reference``."""

    def register(checker: Callable) -> Callable:
        def set_reference(ref: Callable) -> Callable:
            REGISTRY[id] = Exercise(id, title, checker, ref, hint)
            return ref

        checker.reference = set_reference
        REGISTRY[id] = Exercise(id, title, checker, lambda: None, hint)
        return checker

    return register


def _load(ex_id: str) -> Exercise:
    if not isinstance(ex_id, str):
        raise TypeError(f"exercise id={brief(ex_id)}: expected a string such as 'ch1.fibre_rtt'")
    chapter = ex_id.split(".", 1)[0]
    if chapter in _CHAPTERS:
        importlib.import_module(f"edgekit.exercises.{chapter}")
    if ex_id not in REGISTRY:
        raise ValueError(f"exercise id={brief(ex_id)}: unknown; expected one of {sorted(REGISTRY)}")
    return REGISTRY[ex_id]


def check(ex_id: str, answer) -> Feedback:
    """Check a learner's answer and say, in plain words, what is right or wrong."""
    ex = _load(ex_id)
    if unanswered(answer):
        return Feedback(False, f"fill in the exercise cell above, then run this cell again. {ex.hint}".strip(), False)
    try:
        return ex.checker(answer)
    except Exception as exc:  # a learner's code may raise anything; say so in words
        return Feedback(False, f"your answer raised {type(exc).__name__}: {exc}")


_instructor_override: bool | None = None


def instructor(on: bool | None = None) -> bool:
    """Turn instructor mode on or off for this kernel; with no argument, report it."""
    global _instructor_override
    if on is not None:
        _instructor_override = bool(on)
    if _instructor_override is not None:
        return _instructor_override
    return os.environ.get("EDGEKIT_INSTRUCTOR", "") not in ("", "0", "false", "no")


@dataclass(frozen=True)
class Solution:
    ex_id: str
    source: str | None

    def __str__(self) -> str:
        if self.source is None:
            return (
                f"The solution to {self.ex_id} is hidden. Instructors: set EDGEKIT_INSTRUCTOR=1 "
                "before starting JupyterLab, or run edgekit.exercises.instructor(True)."
            )
        return self.source

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def solution(ex_id: str) -> Solution:
    """The reference solution's source, shown only in instructor mode."""
    ex = _load(ex_id)
    if not instructor():
        return Solution(ex_id, None)
    # A reference may name what to show instead of itself (chapter 6 shows a class).
    return Solution(ex_id, inspect.getsource(getattr(ex.reference, "shows", ex.reference)))
