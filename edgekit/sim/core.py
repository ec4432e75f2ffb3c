"""A deterministic discrete-event simulator: one clock, one event heap, one seeded RNG.

Events live on a heap of ``[time, sequence, fn, args]`` entries, so ties break
by the order they were scheduled and callbacks are never compared.
"""

from __future__ import annotations

import heapq
import math
import random

__all__ = ["Simulator", "Timer"]


class Timer:
    """A handle for a scheduled event; ``cancel()`` stops it from running."""

    __slots__ = ("_entry",)

    def __init__(self, entry: list) -> None:
        self._entry = entry

    @property
    def time(self) -> float:
        return self._entry[0]

    @property
    def cancelled(self) -> bool:
        return self._entry[2] is None

    def cancel(self) -> None:
        self._entry[2] = None


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

    def call_later(self, delay_ms: float, fn, *args) -> Timer:
        """Schedule ``fn(*args)`` to run ``delay_ms`` from now; returns a cancellable Timer."""
        if not (delay_ms >= 0) or delay_ms == math.inf:
            raise ValueError(f"delay_ms={delay_ms!r}: expected a finite number >= 0")
        entry = [self.now + delay_ms, self._seq, fn, args]
        self._seq += 1
        heapq.heappush(self._heap, entry)
        return Timer(entry)

    def call_at(self, time_ms: float, fn, *args) -> Timer:
        """Schedule ``fn(*args)`` at absolute time ``time_ms`` (not in the past)."""
        if not (time_ms >= self.now) or time_ms == math.inf:
            raise ValueError(f"time_ms={time_ms!r}: expected a finite time >= now ({self.now})")
        return self.call_later(time_ms - self.now, fn, *args)

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
        while heap:
            entry = heap[0]
            if entry[0] > limit:
                break
            pop(heap)
            fn = entry[2]
            if fn is None:
                continue
            self.now = entry[0]
            fn(*entry[3])
            n += 1
        self.events_run += n
        if until is not None:
            self.now = until
        return n
