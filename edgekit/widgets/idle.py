"""The kernel collects its cyclic garbage while idle, not inside a control change.

A chapter's simulations leave cyclic garbage (a network and its nodes refer to each other):
about 650,000 objects after chapter 5's cells. CPython frees such garbage in a full collection
at whatever allocation comes next once enough has piled up; in a kernel after chapter 5, one
took 504 ms inside a DesignComparison redraw (seen with ``gc.callbacks``). ``IdleCollector``
runs that collection once no cell has run for ``IDLE_S`` seconds, while the learner reads: a
control change no longer meets it, unless it comes within ``IDLE_S`` of a cell's end. The first
app built in a kernel registers it (``collect_when_idle``).
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time

__all__ = ["IDLE_S", "IdleCollector", "collect_when_idle"]

IDLE_S = 1.0  # seconds with no cell running before the kernel collects its cyclic garbage


class IdleCollector:
    """Collect the kernel's cyclic garbage once no cell has run for ``IDLE_S`` seconds (see above).

    ``after_cell`` runs after every cell (IPython's ``post_execute``); ``tick`` on the kernel's
    loop, between messages. ``clock`` and ``collect`` are for tests.
    """

    def __init__(self, loop, clock=time.monotonic, collect=gc.collect) -> None:
        self.loop, self.clock, self.collect = loop, clock, collect
        self.last, self.timer, self.collections = clock(), None, 0

    def after_cell(self) -> None:
        self.last = self.clock()
        if self.timer is None:
            self.timer = self.loop.call_later(IDLE_S, self.tick)

    def tick(self) -> None:
        """On the kernel's loop, between messages: collect if idle long enough, else look again later."""
        self.timer = None
        idle = self.clock() - self.last
        if idle >= IDLE_S:
            self.collect()
            self.collections += 1
        else:
            self.timer = self.loop.call_later(IDLE_S - idle, self.tick)


_COLLECTOR: list[IdleCollector] = []  # the kernel's one collector, once an app exists


def collect_when_idle(shell) -> IdleCollector | None:
    """Register the kernel's ``IdleCollector`` with IPython ``shell`` (once); None outside a kernel."""
    if getattr(shell, "kernel", None) is None or threading.current_thread() is not threading.main_thread():
        return None
    if not _COLLECTOR:
        _COLLECTOR.append(IdleCollector(asyncio.get_event_loop()))
        shell.events.register("post_execute", _COLLECTOR[0].after_cell)
    return _COLLECTOR[0]
