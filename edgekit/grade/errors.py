"""What stops a graded run early, and how a learner's exception is shown: their line, not the kit's.

A learner's handler may raise anything. The grader catches it, keeps only the frames
of the learner's own code (a notebook cell, or any file outside the edgekit package),
and says where: "line 7 of cell In[12]: ``self.store[key] += n``". No frame of the kit
reaches the learner; if none of theirs is left, the message says so.

>>> def handler():
...     return {}["k"]
>>> try:
...     handler()
... except KeyError as exc:
...     print(LearnerFault.from_exception(exc, "on_read").message.splitlines()[0])
your on_read raised KeyError: 'k'
"""

from __future__ import annotations

import linecache
import os
import traceback

__all__ = ["LearnerFault", "where"]

_KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../edgekit


class OutOfTime(BaseException):
    """Raised by the grader's alarm wherever the grading is, the learner's code included (not an
    Exception, so a learner's ``except Exception`` cannot swallow it)."""


# What a learner's handler may raise that is not theirs to report: the grader's own alarm, and the
# learner pressing stop. Anything else (SystemExit from ``exit()`` included) is their node's fault.
PASS_THROUGH = (OutOfTime, KeyboardInterrupt)


class LearnerFault(Exception):
    """The learner's node did something the run cannot go on from: ``check`` names what."""

    def __init__(self, check: str, message: str, handler: str | None = None, line: str | None = None):
        super().__init__(message)
        self.check = check  # "exception", "bad-message", "bad-return", "bad-state", "budget", "unanswered"
        self.message = message
        self.handler = handler
        self.line = line  # "line 7 of cell In[12]: ..." when the learner's code is known

    @classmethod
    def from_exception(cls, exc: BaseException, handler: str) -> LearnerFault:
        line = where(exc)
        try:
            said = str(exc)
        except Exception:  # noqa: BLE001 - a learner's exception class may break its own __str__
            said = "(its message could not be shown)"
        text = f"your {handler} raised {type(exc).__name__}: {said}"
        return cls("exception", text + (f"\n  at {line}" if line else ""), handler, line)


def _cell_name(filename: str) -> str | None:
    """IPython's name for the cell a code object came from ("In[12]"), when there is one."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with JupyterLab
        return None
    ip = get_ipython()
    fmt = getattr(getattr(ip, "compile", None), "format_code_name", None)
    if fmt is None:
        return None
    try:
        named = fmt(filename)
    except Exception:  # noqa: BLE001 - a best-effort label, never a reason to fail
        return None
    return named[1] if named else None


def where(exc: BaseException) -> str | None:
    """The innermost frame of ``exc`` in the learner's own code, as one readable line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_KIT + os.sep)
              and "doctest" not in f.filename]
    if not frames:
        return None
    f = frames[-1]
    text = (f.line or linecache.getline(f.filename, f.lineno)).strip()
    cell = _cell_name(f.filename)
    place = f"cell {cell}" if cell else os.path.basename(f.filename)
    return f"line {f.lineno} of {place}: {text}" if text else f"line {f.lineno} of {place}"
