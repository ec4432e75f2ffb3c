"""The kernel collects its cyclic garbage when idle, not inside a control change (``IdleCollector``).

A fake loop and clock stand in for the kernel's: cells end at chosen times, the test fires the
timers the collector set, and counts collections.
"""

from __future__ import annotations

import edgekit.widgets.idle as idle
from edgekit.widgets.idle import IDLE_S, IdleCollector, collect_when_idle


class FakeLoop:
    def __init__(self) -> None:
        self.pending: list = []

    def call_later(self, delay, fn):
        self.pending.append((delay, fn))
        return fn

    def fire(self) -> None:
        due, self.pending = self.pending, []
        for _delay, fn in due:
            fn()


def collector():
    now = [0.0]
    loop, collected = FakeLoop(), []
    c = IdleCollector(loop, clock=lambda: now[0], collect=lambda: collected.append(now[0]))
    return c, loop, now, collected


def test_cells_back_to_back_collect_nothing_then_one_collection_once_idle():
    c, loop, now, collected = collector()
    for t in (0.1, 0.5, 0.9, 1.6):  # Run All: each cell ends well within IDLE_S of the one before
        now[0] = t
        c.after_cell()
        if loop.pending and now[0] >= loop.pending[0][0]:
            loop.fire()  # the loop gets a turn between cells
    assert collected == [] and len(loop.pending) == 1  # one timer at a time, re-armed, never doubled
    now[0] = 1.6 + IDLE_S
    loop.fire()
    assert collected == [1.6 + IDLE_S] and loop.pending == [] and c.collections == 1
    loop.fire()
    assert collected == [1.6 + IDLE_S]  # nothing more until another cell runs


def test_a_timer_that_fires_too_early_looks_again_later():
    c, loop, now, collected = collector()
    c.after_cell()
    now[0] = IDLE_S * 0.75
    c.after_cell()  # another cell ended meanwhile
    now[0] = IDLE_S
    loop.fire()
    assert collected == [] and loop.pending[0][0] == IDLE_S * 0.75  # the rest of the idle time
    now[0] = IDLE_S * 1.75
    loop.fire()
    assert collected == [IDLE_S * 1.75]


def test_outside_a_kernel_nothing_is_registered_and_in_one_a_single_collector(monkeypatch):
    assert collect_when_idle(None) is None  # no IPython shell, or one without a kernel (a terminal)
    registered = []

    class Shell:
        kernel = object()
        events = type("Events", (), {"register": lambda _self, event, fn: registered.append((event, fn))})()

    monkeypatch.setattr(idle, "_COLLECTOR", [])
    monkeypatch.setattr(idle.asyncio, "get_event_loop", FakeLoop)  # the kernel's loop; pytest's may be closed
    first = collect_when_idle(Shell())
    assert collect_when_idle(Shell()) is first and registered == [("post_execute", first.after_cell)]
