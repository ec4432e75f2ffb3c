"""A deterministic discrete-event simulator: one clock, one event heap, one seeded RNG.

Events live on a heap of ``[time, sequence, fn, args]`` lists, so ties break
by the order they were scheduled and callbacks are never compared (a
recorded network's message entries carry their send time after ``args``). The list
is also the handle ``call_later`` returns: scheduling allocates nothing else.
``sim.cancel(handle)`` sets its ``fn`` to None; it stays on the heap and is
skipped when it surfaces (cheaper than removing it). While ``run`` runs, the
cyclic garbage collector wakes less often (young collections every 50,000
allocations, a middle one every 100 young ones; restored after): a run makes
millions of short-lived containers. A traced run (``trace``, which
``Network(record="all")`` uses) keeps millions more in its log, so it also
freezes them from the collector as it goes (see ``_run_traced``).
"""

from __future__ import annotations

import gc
import heapq
import math
import random

__all__ = ["Simulator", "Timer", "Event"]

_INF = math.inf
_push = heapq.heappush
_GC_THRESHOLDS = (50_000, 100)  # during a run: allocations per young collection, young per middle
_FREEZE_EVERY = 8_192  # events between gc.freeze() calls in a traced run (see _run_traced)

Event = list  # [time, sequence, fn, args]: the handle call_later returns
Timer = Event  # the name older code used


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed={seed!r}: expected an int (the same seed gives the same run)")
    return seed


class Simulator:
    """Run callbacks in simulated time (milliseconds).

    >>> sim = Simulator(seed=1)
    >>> out = []
    >>> _ = sim.call_later(5, out.append, "b")
    >>> _ = sim.call_later(1, out.append, "a")
    >>> _ = sim.call_later(5, out.append, "c")   # same time as "b": runs after it
    >>> dropped = sim.call_later(3, out.append, "never")
    >>> sim.cancel(dropped)
    >>> sim.run()
    3
    >>> out, sim.now
    (['a', 'b', 'c'], 5.0)
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = _check_seed(seed)
        self.rng = random.Random(seed)
        self.now = 0.0
        self._heap: list[list] = []
        self._seq = 0
        self.events_run = 0
        self._trace = None  # see trace()
        self._running = False

    def call_later(self, delay_ms: float, fn, *args) -> Event:
        """Schedule ``fn(*args)`` to run ``delay_ms`` from now; returns a handle for ``cancel``."""
        try:
            ok = 0 <= delay_ms < _INF  # also rejects NaN
        except TypeError:
            ok = False
        if not ok or delay_ms is True or delay_ms is False:
            raise ValueError(f"delay_ms={delay_ms!r}: expected a finite number >= 0")
        seq = self._seq
        self._seq = seq + 1
        entry = [self.now + delay_ms, seq, fn, args]
        _push(self._heap, entry)
        return entry

    def call_at(self, time_ms: float, fn, *args) -> Event:
        """Schedule ``fn(*args)`` at absolute time ``time_ms`` (not in the past)."""
        if not (time_ms >= self.now) or time_ms == math.inf:
            raise ValueError(f"time_ms={time_ms!r}: expected a finite time >= now ({self.now})")
        return self.call_later(time_ms - self.now, fn, *args)

    def _run_traced(self, limit: float, count: list) -> None:
        """``run``'s loop with the tracer: ``count[0]`` is the number of events run, even on error.

        A traced run keeps every message in its log, millions of live objects the cyclic
        collector would traverse again and again. So the loop freezes what exists every
        ``_FREEZE_EVERY`` events (``gc.freeze`` is a list splice: cheap) and unfreezes at the
        end: cycles that become garbage during the run are collected after it. It leaves the
        collector alone when it is off or something else has frozen objects (Python 3.12
        freezes a few hundred of its own at start-up), since unfreeze() would release those too."""
        heap, pop, trace = self._heap, heapq.heappop, self._trace
        freeze = gc.isenabled() and gc.get_freeze_count() == 0
        every = _FREEZE_EVERY
        n = 0
        try:
            while heap:
                entry = pop(heap)
                t = entry[0]  # indexed, not unpacked: a recorded message entry carries one more item
                if t > limit:
                    _push(heap, entry)
                    break
                fn = entry[2]
                if fn is None:
                    continue
                self.now = t
                trace(entry)
                fn(*entry[3])
                n += 1
                if freeze and not n % every:
                    gc.freeze()
        finally:
            count[0] = n
            if freeze:
                gc.unfreeze()

    def trace(self, fn) -> None:
        """Call ``fn(entry)`` with each event's entry just before it runs (None: stop).

        One tracer per simulator: ``Network(record="all")`` uses it to record
        deliveries without a wrapper call per message."""
        if fn is not None and not callable(fn):
            raise TypeError(f"fn={fn!r}: expected a callable taking an event entry, or None")
        if fn is not None and self._trace is not None:
            raise ValueError("trace(): this simulator already has a tracer (one Network with "
                             "record='all' per Simulator)")
        if self._running:
            raise RuntimeError("trace(): set the tracer before run(), not from inside a run")
        self._trace = fn

    @staticmethod
    def cancel(handle: Event) -> None:
        """Stop a scheduled event from running (no effect once it has run)."""
        if not (isinstance(handle, list) and len(handle) == 4):
            raise TypeError(f"handle={handle!r}: expected what call_later or call_at returned")
        handle[2] = None

    @staticmethod
    def cancelled(handle: Event) -> bool:
        return handle[2] is None

    @property
    def pending(self) -> int:
        """Scheduled events not yet run (cancelled ones included until they surface)."""
        return len(self._heap)

    def peek(self) -> float:
        """Time of the next event, or ``math.inf`` when nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][2] is None:
            heapq.heappop(heap)
        return heap[0][0] if heap else math.inf

    def run(self, until: float | None = None) -> int:
        """Run events in order until none are left or the next is later than ``until``.

        Returns the number of events run. With ``until``, the clock ends at
        ``until`` even when the heap empties earlier.
        """
        if until is not None and not (until >= self.now):
            raise ValueError(f"until={until!r}: expected a time >= now ({self.now})")
        heap = self._heap
        pop = heapq.heappop
        limit = math.inf if until is None else until
        n = 0
        # A run allocates millions of short-lived containers (heap entries, messages); with
        # CPython's default threshold of 700 the cyclic collector would wake every few hundred
        # events. A recorded run also keeps millions of long-lived ones (its log), which every
        # middle and full collection would traverse again. Wake it less often while we run
        # (never more often than the caller asked); restore the setting after.
        th = gc.get_threshold()
        if th[0]:
            gc.set_threshold(max(th[0], _GC_THRESHOLDS[0]), max(th[1], _GC_THRESHOLDS[1]), *th[2:])
        self._running = True
        traced = [0]
        try:
            if self._trace is None:
                while heap:
                    entry = pop(heap)
                    t, _, fn, args = entry
                    if t > limit:
                        _push(heap, entry)  # not yet: put it back (once per run)
                        break
                    if fn is None:
                        continue
                    self.now = t
                    fn(*args)
                    n += 1
            else:  # the same loop, handing each entry to the tracer first
                self._run_traced(limit, traced)
        finally:
            self._running = False
            n += traced[0]
            self.events_run += n
            if th[0]:
                gc.set_threshold(*th)
        if until is not None:
            self.now = until
        return n
