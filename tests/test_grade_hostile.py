"""A learner's node that does what no exercise asks: the grader answers with a report, never a traceback.

Each node here breaks the grader's trust boundary in one way the probe of issue 12 found: an
``exit()`` in a handler, a bare ``BaseException``, a returned object whose ``repr`` raises, an
exception whose ``str`` raises, a ``self.store`` whose own ``items`` raises. Pressing stop
(``KeyboardInterrupt``) still stops the grading.
"""

import pytest

from edgekit.grade import grade
from edgekit.grade.reference import reference

PULL = reference(2)


def _node(name, **handlers):
    return type(name, (PULL,), handlers)


def _exit(self, ctx, key):
    raise SystemExit(3)


def _base(self, ctx, key):
    raise BaseException("out of the blue")


class _Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")

    def __eq__(self, other):
        raise RuntimeError("no eq")

    __hash__ = None


class _MuteError(Exception):
    def __str__(self):
        raise RuntimeError("no str")


def _mute(self, ctx, key):
    raise _MuteError()


class _BrokenStore(dict):
    def items(self):
        raise RuntimeError("store broken")


def _broken_store(self, ctx):
    PULL.on_start(self, ctx)
    self.store = _BrokenStore()


def _interrupt(self, ctx, key):
    raise KeyboardInterrupt


HOSTILE = [
    (_node("Exits", on_read=_exit), "exception", "SystemExit"),
    (_node("RaisesBase", on_read=_base), "exception", "BaseException: out of the blue"),
    (_node("Unprintable", on_read=lambda self, ctx, key: _Unprintable()), "bad-return", "returned <"),
    (_node("MuteError", on_read=_mute), "exception", "_MuteError: (its message could not be shown)"),
    (_node("BrokenStore", on_start=_broken_store), "exception", "store broken"),
]


@pytest.mark.parametrize("node, check, words", HOSTILE, ids=[n.__name__ for n, _, _ in HOSTILE])
def test_a_hostile_node_gets_a_report_not_a_traceback(node, check, words):
    report = grade(node, stage=2, seed=0, progress=False)
    assert not report.ok and report.check == check, (report.check, report.message)
    assert words in report.message


def test_pressing_stop_still_stops_the_grading():
    with pytest.raises(KeyboardInterrupt):
        grade(_node("Interrupted", on_read=_interrupt), stage=2, seed=0, progress=False)


@pytest.mark.parametrize("node", [None, 3, "PullSync", PULL()], ids=["None", "int", "str", "instance"])
def test_something_other_than_a_class_gets_a_report_that_says_so(node):
    report = grade(node, stage=2, seed=0, progress=False)
    assert not report.ok and report.check in ("bad-node", "unanswered"), report.check
