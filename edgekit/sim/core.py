"""A deterministic discrete-event simulator: one clock, one seeded RNG, and the events to come.

An event is the list ``[time, fn, args]``, which is also the handle
``call_later`` returns; ``sim.cancel(handle)`` sets its ``fn`` to None and it
is skipped when its time comes. Pending events are kept by time: ``_due`` maps
a time to its event, or, when several share it, to a ``Slot`` holding them in
the order they were scheduled; ``_times`` is a heap of those times. So events
at equal times run in scheduling order with no sequence number.

Why times and a dict rather than SimPy's heap of ``(time, priority, id,
event)`` tuples: a heap compares its items about log2(n) times per pop, and
comparing two lists or tuples costs two float comparisons and the machinery
around them; comparing two floats costs one. One dict lookup per event buys
that back many times over (``benchmarks/sim_throughput.py`` measures it).

Every run has a budget: ``run`` stops with ``EventBudgetExceeded`` rather than
run more than ``max_events`` events (a callback that reschedules itself at zero
delay would otherwise never let ``run(until=10)`` return). While ``run`` runs,
the cyclic garbage collector wakes less often (young collections every 50,000
allocations, a middle one every 100 young ones; restored after): a run makes
millions of short-lived containers. A traced run (``trace``, which
``Network(record="all")`` uses) keeps millions more in its log, so it also
freezes them from the collector every ``_FREEZE_EVERY`` events.
"""

from __future__ import annotations

import gc
import heapq
import math
import random
import threading
from collections import deque

from .._checks import brief, check_int, check_number, check_seed

__all__ = ["Simulator", "Timer", "Event", "EventBudgetExceeded", "DEFAULT_MAX_EVENTS"]

_INF = math.inf
_push = heapq.heappush
_GC_THRESHOLDS = (50_000, 100)  # during a run: allocations per young collection, young per middle
_gc_lock = threading.Lock()
_gc_saved: list = []  # [the thresholds before the first run now running, how many runs are running]


def _raise_gc_thresholds() -> None:
    """Enter a run: the first of several concurrent runs (threads) saves the collector's setting."""
    with _gc_lock:
        if not _gc_saved:
            th = gc.get_threshold()
            _gc_saved[:] = [th, 0]
            if th[0]:
                gc.set_threshold(max(th[0], _GC_THRESHOLDS[0]), max(th[1], _GC_THRESHOLDS[1]), *th[2:])
        _gc_saved[1] += 1


def _restore_gc_thresholds() -> None:
    """Leave a run: the last run still running puts back what the first one saved."""
    with _gc_lock:
        _gc_saved[1] -= 1
        if not _gc_saved[1]:
            th = _gc_saved[0]
            _gc_saved.clear()
            if th[0]:
                gc.set_threshold(*th)
_FREEZE_EVERY = 8_192  # events between gc.freeze() calls in a traced run
DEFAULT_MAX_EVENTS = 10_000_000  # per run() call: seconds of work, far more than any chapter needs

Event = list  # [time, fn, args]: the handle call_later returns
Timer = Event  # the name older code used


class Slot(deque):
    """The events due at one time, in the order they were scheduled (only when there are several)."""

    __slots__ = ()


class EventBudgetExceeded(RuntimeError):
    """``Simulator.run`` ran ``max_events`` events and more were due: it stopped there.

    The simulator is left as it was after the last event, so ``run`` can go on."""

    def __init__(self, max_events: int, now: float, until, next_fn) -> None:
        self.max_events, self.now, self.until = max_events, now, until
        name = getattr(next_fn, "__qualname__", None) or repr(next_fn)
        super().__init__(
            f"run(until={brief(until)}): stopped after max_events={max_events:,} events, at t={now} ms, with "
            f"more due (the next event calls {name}()). A callback that keeps scheduling itself never "
            f"lets a run end; if this run is simply long, pass a larger max_events (run() again "
            f"continues from here).")


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
        self.seed = check_seed(seed)
        self.rng = random.Random(seed)
        self.now = 0.0
        self._times: list[float] = []  # a heap: every time with something due
        self._due: dict = {}  # time -> its event, or a Slot of several
        self.events_run = 0
        self._trace = None  # see trace()
        self._running = False

    def call_later(self, delay_ms: float, fn, *args) -> Event:
        """Schedule ``fn(*args)`` to run ``delay_ms`` from now; returns a handle for ``cancel``."""
        try:  # comparisons written out so that CPython specialises them for floats; NaN fails them
            if delay_ms >= 0.0 and delay_ms < _INF and delay_ms is not True and delay_ms is not False:
                t = self.now + delay_ms
                entry = [t, fn, args]
                if self._due.setdefault(t, entry) is entry:
                    _push(self._times, t)
                else:
                    self._join(t, entry)
                return entry
        except (TypeError, OverflowError):  # a str or None; an int of 400 digits
            pass
        raise ValueError(f"delay_ms={brief(delay_ms)}: expected a finite number >= 0")

    def call_at(self, time_ms: float, fn, *args) -> Event:
        """Schedule ``fn(*args)`` at absolute time ``time_ms`` (not in the past)."""
        try:
            ok = self.now <= time_ms < _INF and time_ms is not True and time_ms is not False
            entry = [float(time_ms), fn, args]
        except (TypeError, OverflowError):  # a str or None; an int of 400 digits
            ok = False
        if not ok:
            raise ValueError(f"time_ms={brief(time_ms)}: expected a finite time >= now ({self.now})")
        self._insert(entry[0], entry)
        return entry

    def _insert(self, t: float, entry: Event) -> None:
        """Put ``entry`` on the schedule at ``t`` (``call_later`` and ``wire.send`` inline this)."""
        if self._due.setdefault(t, entry) is entry:
            _push(self._times, t)
        else:
            self._join(t, entry)

    def _join(self, t: float, entry: Event) -> None:
        """Another event at a time that already has one: it goes after those already there."""
        first = self._due[t]
        if first.__class__ is Slot:
            first.append(entry)
        else:
            self._due[t] = Slot((first, entry))

    def trace(self, log: list | None) -> None:
        """Append each event's entry to the list ``log`` just before it runs (None: stop).

        One tracer per simulator: ``Network(record="all")`` uses it to record
        deliveries without a wrapper call per message."""
        if log is not None and type(log) is not list:
            raise TypeError(f"log={brief(log)}: expected a list to append event entries to, or None")
        if log is not None and self._trace is not None:
            raise ValueError("trace(): this simulator already has a tracer (one Network with "
                             "record='all' per Simulator)")
        if self._running:
            raise RuntimeError("trace(): set the tracer before run(), not from inside a run")
        self._trace = log

    @staticmethod
    def cancel(handle: Event) -> None:
        """Stop a scheduled event from running (no effect once it has run)."""
        if not (isinstance(handle, list) and len(handle) == 3):
            raise TypeError(f"handle={brief(handle)}: expected what call_later or call_at returned")
        handle[1] = None

    @staticmethod
    def cancelled(handle: Event) -> bool:
        return handle[1] is None

    def scheduled(self):
        """Every pending event's entry, cancelled ones included, in no particular order."""
        for item in self._due.values():
            if item.__class__ is Slot:
                yield from item
            else:
                yield item

    @property
    def pending(self) -> int:
        """Scheduled events not yet run (cancelled ones included until their time comes)."""
        return sum(len(item) if item.__class__ is Slot else 1 for item in self._due.values())

    def peek(self) -> float:
        """Time of the next event that will run, or ``math.inf`` when nothing is scheduled."""
        times, due = self._times, self._due
        while times:
            t = times[0]
            item = due[t]
            if item.__class__ is Slot:
                while item and item[0][1] is None:
                    item.popleft()
                if item:
                    return t
            elif item[1] is not None:
                return t
            heapq.heappop(times)
            del due[t]
        return _INF

    def run(self, until: float | None = None, max_events: int = DEFAULT_MAX_EVENTS) -> int:
        """Run events in order until none are left or the next is later than ``until``.

        Returns the number of events run. With ``until``, the clock ends at
        ``until`` even when the heap empties earlier. Raises ``EventBudgetExceeded``
        instead of running more than ``max_events`` events (the run stops before
        the first event over budget; ``run`` again continues).
        """
        check_int(max_events, "max_events", 1, 10**15)  # events this run may take
        if until is not None:
            check_number(until, "until", self.now)
        if self._running:
            raise RuntimeError("run(): already running (an event called run() again)")
        times, due, pop, trace = self._times, self._due, heapq.heappop, self._trace
        limit = _INF if until is None else float(until)  # a float: the comparison with each time is specialised
        # A run allocates millions of short-lived containers (events, messages); with CPython's
        # default threshold of 700 the cyclic collector would wake every few hundred events. A
        # recorded run also keeps millions of long-lived ones (its log), which every middle and
        # full collection would traverse again. Wake it less often while we run (never more
        # often than the caller asked), restore the setting after, and in a traced run freeze
        # the log as it grows (gc.freeze is a list splice: cheap). Freezing is left alone when
        # the collector is off or something else has frozen objects (Python 3.12 freezes a few
        # hundred of its own at start-up), since unfreeze() would release those too.
        # Runs on several threads at once (a widget grading while a cell simulates) share one
        # collector: the first to start saves its setting and the last to end restores it.
        _raise_gc_thresholds()
        freeze = trace is not None and gc.isenabled() and gc.get_freeze_count() == 0
        self._running = True
        # The loop counts with ``range`` in chunks of at most _FREEZE_EVERY events and never past the
        # budget: a range reuses its loop variable's int, where ``n += 1`` would allocate one per event
        # and a test against the budget would cost as much again (6% of an event, measured).
        n = 0  # events taken off the schedule, cancelled ones included
        skipped = 0  # of which cancelled
        try:
            while True:
                left = max_events - (n - skipped)
                if not left:
                    break
                end = n + min(left, _FREEZE_EVERY)
                for n in range(n, end):  # noqa: B007, B020 - n counts on from where it was; read after the loop
                    if not times:
                        break
                    t = times[0]
                    if t > limit:
                        break
                    item = due.pop(t)
                    if item.__class__ is Slot:  # several at this time: the first runs, the rest stay due
                        entry = item.popleft()
                        if item:
                            due[t] = item
                        else:
                            pop(times)
                        item = entry
                    else:
                        pop(times)
                    fn = item[1]
                    if fn is None:  # cancelled
                        skipped += 1
                        continue
                    self.now = t
                    if trace is not None:
                        trace.append(item)
                    fn(*item[2])
                else:  # a whole chunk ran: freeze what the tracer keeps, then the next chunk
                    n = end
                    if freeze:
                        gc.freeze()
                    continue
                break  # nothing more is due by ``until``
        finally:
            self._running = False
            n -= skipped  # events run
            self.events_run += n
            _restore_gc_thresholds()
            if freeze:
                gc.unfreeze()
        if n == max_events and self.peek() <= limit:
            item = due[times[0]]
            raise EventBudgetExceeded(max_events, self.now, until, (item[0] if item.__class__ is Slot else item)[1])
        if until is not None:
            self.now = until
        return n
