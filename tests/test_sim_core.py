"""The simulator's core loop: same-time order, the run(until=) boundary, and the event budget.

The order is checked against an oracle that could not be simpler (scan every pending event for
the least (time, scheduling order)), on random programs with many equal times, events that
schedule more events, and cancellations; a simulator that breaks ties the wrong way fails it.
"""

import gc
import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.sim import DEFAULT_MAX_EVENTS, EventBudgetExceeded, Simulator
from edgekit.sim.core import Slot


class Oracle:
    """A discrete-event loop by brute force: the least (time, sequence) of all pending events runs next."""

    def __init__(self) -> None:
        self.now, self.queue, self.seq = 0.0, [], 0

    def call_later(self, delay, fn, *args):
        handle = [self.now + delay, self.seq, fn, args]
        self.seq += 1
        self.queue.append(handle)
        return handle

    def cancel(self, handle) -> None:
        handle[2] = None

    def run(self, until=None) -> int:
        n = 0
        while self.queue:
            first = min(self.queue, key=lambda e: (e[0], e[1]))
            if until is not None and first[0] > until:
                break
            self.queue.remove(first)
            if first[2] is not None:
                self.now = first[0]
                first[2](*first[3])
                n += 1
        if until is not None:
            self.now = until
        return n


DELAYS = st.sampled_from([0, 0, 0.5, 1, 1, 2, 3.25])  # few values: many events share a time


@st.composite
def programs(draw):
    """Events as (parent, delay): roots are scheduled before the run, the others by their parent
    when it runs; ``cancels`` pairs (canceller, victim); ``until`` splits the run in two."""
    n = draw(st.integers(1, 40))
    events = [(None if i == 0 or draw(st.booleans()) else draw(st.integers(0, i - 1)), draw(DELAYS))
              for i in range(n)]
    cancels = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=6))
    until = draw(st.sampled_from([None, 0, 1, 2.5, 4, 7]))
    return events, cancels, until


def play(sim, program) -> list:
    """Run ``program`` on ``sim``; returns what happened: (label, time) per event, and each run's result."""
    events, cancels, until = program
    out, handles = [], {}

    def fire(i):
        out.append((i, sim.now))
        for j, (parent, delay) in enumerate(events):
            if parent == i:
                handles[j] = sim.call_later(delay, fire, j)
        for canceller, victim in cancels:
            if canceller == i and victim in handles:
                sim.cancel(handles[victim])

    for j, (parent, delay) in enumerate(events):
        if parent is None:
            handles[j] = sim.call_later(delay, fire, j)
    first = sim.run(until=until)
    out.append(("first run", first, sim.now))
    out.append(("second run", sim.run(), sim.now))
    return out


@settings(max_examples=300, deadline=None)
@given(programs())
def test_runs_events_in_time_then_scheduling_order_like_the_oracle(program):
    assert play(Simulator(seed=0), program) == play(Oracle(), program)


class TiesBackwards(Simulator):
    """A broken simulator: an event joining a time that has others goes first, not last."""

    def _join(self, t, entry):
        first = self._due[t]
        if type(first) is Slot:
            first.appendleft(entry)
        else:
            self._due[t] = Slot((entry, first))


def test_the_oracle_comparison_catches_ties_run_out_of_order():
    program = ([(None, 1), (None, 1), (0, 0), (0, 0)], [], None)
    assert play(TiesBackwards(seed=0), program) != play(Oracle(), program)
    assert play(Simulator(seed=0), program) == play(Oracle(), program)


def test_run_until_includes_events_at_exactly_until_and_what_they_schedule_then():
    sim = Simulator(seed=0)
    out = []

    def at_until():
        out.append(("at", sim.now))
        sim.call_later(0, lambda: out.append(("same time", sim.now)))
        sim.call_later(1e-9, lambda: out.append(("just after", sim.now)))

    sim.call_later(10, at_until)
    sim.call_later(10.000001, lambda: out.append(("later", sim.now)))
    assert sim.run(until=10) == 2
    assert out == [("at", 10.0), ("same time", 10.0)] and sim.now == 10
    assert sim.peek() == pytest.approx(10 + 1e-9)
    assert sim.run(until=10) == 0 and sim.now == 10  # until == now: nothing more is due
    assert sim.run() == 2 and out[2:] == [("just after", pytest.approx(10 + 1e-9)), ("later", 10.000001)]


def test_run_until_moves_the_clock_even_when_nothing_is_due():
    sim = Simulator(seed=0)
    assert sim.run(until=5) == 0 and sim.now == 5.0
    handle = sim.call_later(1, print)
    sim.cancel(handle)
    assert sim.pending == 1 and sim.peek() == float("inf") and sim.pending == 0
    assert sim.run() == 0 and sim.now == 5.0  # a cancelled event does not move the clock
    with pytest.raises(ValueError, match="until=4"):
        sim.run(until=4)


def test_equal_times_from_call_at_and_call_later_share_one_order():
    sim = Simulator(seed=0)
    out = []
    sim.call_at(3, out.append, "a")
    sim.call_later(3.0, out.append, "b")
    sim.call_at(3.0, out.append, "c")
    assert sim.pending == 3
    sim.run()
    assert out == ["a", "b", "c"]
    for bad in (-1, float("nan"), float("inf"), True, "3"):
        with pytest.raises(ValueError, match="time_ms="):
            sim.call_at(bad, print)


def test_an_error_in_one_of_several_same_time_events_leaves_the_others_due_in_order():
    sim = Simulator(seed=0)
    out = []
    sim.call_later(1, out.append, "a")
    sim.call_later(1, lambda: 1 / 0)
    sim.call_later(1, out.append, "c")
    sim.call_later(1, out.append, "d")
    with pytest.raises(ZeroDivisionError):
        sim.run()
    assert out == ["a"] and sim.events_run == 1 and sim.pending == 2
    assert sim.run() == 2 and out == ["a", "c", "d"]


def again_and_again(sim):
    def again():
        sim.call_later(0, again)

    sim.call_later(0, again)


def test_a_callback_that_reschedules_itself_at_zero_delay_hits_the_default_budget(monkeypatch):
    """The hang from issue 12: run(until=10) never returned. Now the default budget stops it."""
    assert inspect.signature(Simulator.run).parameters["max_events"].default == DEFAULT_MAX_EVENTS
    monkeypatch.setattr(Simulator.run, "__defaults__", (None, 5_000))  # the default, made small
    sim = Simulator(seed=0)
    again_and_again(sim)
    with pytest.raises(EventBudgetExceeded, match=r"max_events=5,000 .* at t=0.0 ms.*again\(\)") as err:
        sim.run(until=10)
    assert err.value.max_events == 5_000 and err.value.until == 10 and err.value.now == 0.0
    assert isinstance(err.value, RuntimeError)
    assert sim.events_run == 5_000 and sim.now == 0.0 and sim.pending == 1
    with pytest.raises(EventBudgetExceeded):  # run() again goes on from where it stopped
        sim.run(until=10, max_events=7)
    assert sim.events_run == 5_007


def test_a_run_of_exactly_the_budget_is_not_an_error():
    sim = Simulator(seed=0)
    for i in range(10):
        sim.call_later(i, print)
    sim.cancel(sim.call_later(5, print))  # cancelled events do not count against the budget
    sim.call_later(20, print)
    assert sim.run(until=9, max_events=10) == 10 and sim.now == 9
    sim.call_later(0, print)
    with pytest.raises(EventBudgetExceeded):  # two due, one allowed
        sim.run(until=20, max_events=1)
    assert sim.run(until=20, max_events=1) == 1 and sim.now == 20


def test_the_budget_stops_a_traced_run_between_freezes_and_restores_the_collector():
    before = gc.get_freeze_count()
    sim = Simulator(seed=0)
    log = []
    sim.trace(log)
    for i in range(20_000):
        sim.call_later(i, print)
    with pytest.raises(EventBudgetExceeded):
        sim.run(max_events=10_001)
    assert sim.events_run == 10_001 and len(log) == 10_001 and sim.now == 10_000
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, None, "10"])
def test_the_budget_must_be_a_positive_int(bad):
    with pytest.raises((ValueError, TypeError), match=f"max_events={bad!r}"):
        Simulator(seed=0).run(max_events=bad)


def test_run_is_not_reentrant():
    sim = Simulator(seed=0)
    errors = []

    def nested():
        try:
            sim.run()
        except RuntimeError as e:
            errors.append(str(e))

    sim.call_later(1, nested)
    sim.run()
    assert errors and "already running" in errors[0]
