"""``grade(MyNode, stage=k)``: play a stage's seeded scenarios, check, shrink, explain.

For each seed of the stage (``STAGES[k].runs`` of them) the grader builds the scenario,
runs the learner's node in it among the kit's upstreams, and reads the trace with the
checks. The first failing run is shrunk to the fewest operations and faults that still
fail the same way, and the report tells that run, names the likely misconception and
gives the seed that replays it. From stage 2 on, a node that passes every run must also
not send more than ``BANDWIDTH_LIMIT`` times the reference design's bytes per operation
over the same runs (the reference's runs are cached).

A learner's node never makes the grader raise: whatever goes wrong comes back as a
report. Only nonsense arguments (a stage that does not exist, a negative seed) raise
``ValueError``. The whole grading has ``MAX_GRADE_S`` seconds where the platform can
interrupt (a Unix main thread): a handler that loops forever is stopped with a message.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from functools import lru_cache

from edgekit.exercises import instructor, unanswered

from .._checks import brief
from .checks import Failure, first_failure, learner_bytes
from .diagnose import diagnose
from .errors import OutOfTime
from .node import EdgeNode
from .reference import Bounded, reference
from .report import Report, story
from .scenario import generate
from .shrink import shrink
from .stages import stage_of
from .world import run

__all__ = ["grade", "BANDWIDTH_LIMIT", "MAX_GRADE_S"]

BANDWIDTH_LIMIT = 1.5
MAX_GRADE_S = 120.0

@contextmanager
def _time_limit(seconds: float):
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def alarm(signum, frame):
        raise OutOfTime()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _attempt(scenario, node):
    """Run one scenario: (trace, first failure or None)."""
    trace, fault = run(scenario, node, Bounded)
    if fault is not None:
        return trace, Failure(fault.check, fault.message, trace.seq)
    return trace, first_failure(scenario, trace)


@lru_cache(maxsize=512)
def _reference_bytes(stage: int, seed: int) -> int:
    s = generate(stage, seed)
    trace, _ = run(s, reference(stage), Bounded)
    return learner_bytes(s, trace)


def _ops(s, trace) -> int:
    """Client operations at the learner's PoP, the grader's own reads included (their traffic is)."""
    return max(1, sum(o.site == s.learner for o in trace.ops))


def _same(node, check: str, code):
    """The shrinking predicate: the run fails the same check with the same misconception."""
    def fails(s) -> bool:
        trace, f = _attempt(s, node)
        return f is not None and f.check == check and diagnose(s, trace, f).code == code

    return fails


def _heavy(node):
    """The shrinking predicate for bandwidth: passes every check, but sends too many bytes."""
    def fails(s) -> bool:
        trace, f = _attempt(s, node)
        ref, _ = run(s, reference(s.stage), Bounded)
        return f is None and learner_bytes(s, trace) > BANDWIDTH_LIMIT * max(learner_bytes(s, ref), 1)

    return fails


def _explain(report: Report, node, scenario, failure: Failure, fails) -> None:
    """Fill ``report`` with the smallest run for which ``fails`` holds, its story and hint."""
    small = shrink(scenario, fails)
    trace, f = _attempt(small, node)
    f = f or failure  # a bandwidth failure passes the checks
    d = diagnose(small, trace, f)
    report.check, report.message, report.misconception, report.hint = f.check, f.message, d.code, d.hint
    report.scenario, report.trace = small, trace
    report.highlight = d.msg if d.msg is not None else f.msg
    report.shrunk_from = scenario.size
    report.key = f.key or d.key
    upto = f.seq or trace.seq
    seen = [m.time for m in trace.messages if m.seq <= upto] + [o.time for o in trace.ops if o.seq <= upto]
    report.until = max([*seen, f.time or 0.0]) + small.epoch_ms
    report.story = story(small, trace, report.highlight, until_seq=upto, key=report.key)


_PASSED: set = set()  # (class, stage) graded and passed in this process: stages open in order


def _order_note(node, stage: int) -> str:
    """A reminder when a learner grades a stage before the one it builds on has passed."""
    if stage == 1 or not isinstance(node, type) or node.__module__.startswith("edgekit."):
        return ""
    if any((c, stage - 1) in _PASSED for c in node.__mro__):
        return ""
    return (f"Stage {stage - 1} has not passed yet in this session: the stages build on each other, "
            f"so grade stage {stage - 1} first.")


def _name(node) -> str:
    return getattr(node, "__name__", type(node).__name__)


def _template(node) -> bool:
    """A class that does not override even the client handlers: the exercise cell as given."""
    return isinstance(node, type) and issubclass(node, EdgeNode) and all(
        getattr(node, h) is getattr(EdgeNode, h) for h in ("on_read", "on_write"))


def grade(node, stage: int, *, seed: int | None = None, progress: bool = True) -> Report:
    """Grade the node class ``node`` on ``stage`` (1 to 5): every run of the stage, or one ``seed``."""
    st = stage_of(stage)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed={brief(seed)}: expected a non-negative int (the seed a report gave)")
    t0 = time.perf_counter()
    seeds = [seed] if seed is not None else list(range(st.runs))
    if unanswered(node) or _template(node):
        report = Report(stage, _name(node), False, answered=False, check="unanswered",
                        message="Write your node's handlers in the exercise cell, then run this cell again.")
    elif not isinstance(node, type):
        report = Report(stage, _name(node), False, check="bad-node",
                        message=f"grade() takes your node's class, as in grade(MyNode, stage={stage}), "
                                f"not {type(node).__name__} {brief(node)}")
    else:
        report = _grade(node, stage, seeds, progress)
        report.note = _order_note(node, stage)
        if report.ok and seed is None:
            _PASSED.add((node, stage))
    if report.check == "unanswered":
        report.answered, report.scenario, report.trace, report.story = False, None, None, []
        if instructor():
            ref = reference(stage)
            report = _grade(ref, stage, seeds, progress)
            report.note = (f"Instructor mode: the exercise is not answered yet, so this grades the "
                           f"reference solution {ref.__name__}.")
    report.seconds = time.perf_counter() - t0
    return report


def _grade(node, stage: int, seeds: list, progress: bool) -> Report:
    report = Report(stage, node.__name__, False)
    bar = None
    mine = ref = ops = 0
    worst = (0.0, None)
    try:
        with _time_limit(MAX_GRADE_S):
            for k in seeds:
                s = generate(stage, k)
                trace, failure = _attempt(s, node)
                report.runs += 1
                if progress and bar is None and not (failure and failure.check == "unanswered"):
                    from tqdm.auto import tqdm  # only once the node is known to be answered

                    bar = tqdm(total=len(seeds), desc=f"grading stage {stage}")
                if bar is not None:
                    bar.update(1)
                if failure is not None:
                    report.seed = k
                    if failure.check == "unanswered":
                        report.check, report.message = failure.check, failure.message
                        return report
                    _explain(report, node, s, failure,
                             _same(node, failure.check, diagnose(s, trace, failure).code))
                    return report
                if stage > 1:
                    b, r, n = learner_bytes(s, trace), _reference_bytes(stage, k), _ops(s, trace)
                    mine, ref, ops = mine + b, ref + r, ops + n
                    if b / max(r, 1) > worst[0]:
                        worst = (b / max(r, 1), s)
            report.ok = True
            if stage > 1:
                report.bytes_per_op = (mine / ops, ref / ops)
                if mine > BANDWIDTH_LIMIT * ref:
                    report.ok, report.seed = False, worst[1].seed
                    failure = Failure("bandwidth", f"over all runs your node sent {mine / ops:,.0f} bytes per "
                                                   f"client operation at its PoP, the reference design "
                                                   f"{ref / ops:,.0f}: more than {BANDWIDTH_LIMIT:g} times as "
                                                   "much")
                    _explain(report, node, worst[1], failure, _heavy(node))
    except OutOfTime:
        report.ok, report.check = False, "budget"
        report.message = (f"grading took longer than {MAX_GRADE_S:g} s and was stopped: does a handler "
                          "loop forever?")
    finally:
        if bar is not None:
            bar.close()
    return report
