"""Staleness measured from a history: how far behind were the values that reads returned?

Without access to the replicas, a history only shows intervals and values, so
a read counts as stale only when it is *definitely* behind: a write had
completed before the read was called, and every write that could have
produced the value read had returned before that newer write was even called
(or the value is the initial one). Then no order of the operations lets the
read see the newest value, so every miss counted here is also a
linearizability violation; a linearizable history has no stale reads.

* ``versions_behind``: how many such definitely newer writes the read missed
  (the k of k-staleness in Bailis et al., PBS, VLDB 2012);
* ``time_behind``: how long before the read was called the first of them had
  completed (the t of t-visibility), in the history's time unit (ms).

Values written should be unique (a workload of fresh values): when two writes
write the same value, either may be the source, so fewer misses are counted,
never more. Works for registers (read, write, cas) and for the ``kv`` model:
``put`` like a write; an ``append`` is missed when its text is absent from the
value read although no ``put`` could have erased it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from .history import Operation, is_open, precedes, validate_history

__all__ = ["ReadStaleness", "StalenessSummary", "staleness", "staleness_summary"]


def surely_before(end: float, start: float) -> bool:
    """An interval that ended at ``end`` lies wholly before one that started at ``start``.

    Strictly: intervals that merely touch (``end == start``) are concurrent, as in ``precedes``,
    so either operation may have taken effect first.
    """
    return end < start


def key_of(op: Operation):
    """The key an operation touches: ``None`` for a single register."""
    kind, arg = op.input
    if kind == "get":
        return arg
    if kind in ("put", "append"):
        return arg[0]
    return None


def is_read(op: Operation) -> bool:
    return op.input[0] in ("read", "get")


def written(op: Operation):
    """``(True, value)`` if ``op`` may have set its key to ``value``, else ``(False, None)``."""
    kind, arg = op.input
    if kind == "write":
        return True, arg
    if kind == "put":
        return True, arg[1]
    if kind == "cas" and op.output is not False:  # succeeded, or might have
        return True, arg[1]
    return False, None


class Sources:
    """For each key, who may have written each value, and which writes surely happened."""

    def __init__(self, history: list[Operation]):
        self.by_value: dict = {}  # (key, value) -> operations that may have written it
        self.definite: dict = {}  # key -> writes that completed with a known effect
        self.appends: dict = {}  # key -> append operations
        self.puts: dict = {}  # key -> put operations
        for op in history:
            key = key_of(op)
            kind = op.input[0]
            if kind == "append":
                self.appends.setdefault(key, []).append(op)
                continue
            if kind == "put":
                self.puts.setdefault(key, []).append(op)
            wrote, value = written(op)
            if wrote:
                self.by_value.setdefault((key, value), []).append(op)
                if not is_open(op):
                    self.definite.setdefault(key, []).append(op)

    def candidates(self, read: Operation) -> tuple[list[Operation], bool]:
        """The writes that could be the source of ``read``'s value, and whether the initial value could."""
        key = key_of(read)
        initial = None if key is None else ""
        cands = [w for w in self.by_value.get((key, read.output), []) if w.call <= read.ret]
        return cands, read.output == initial

    def newest_source_end(self, read: Operation) -> float | None:
        """The latest time a source of ``read``'s value could have ended; None if it has no source."""
        cands, from_initial = self.candidates(read)
        if not cands:
            return -math.inf if from_initial else None
        return max(math.inf if is_open(c) else c.ret for c in cands)

    def missed(self, read: Operation) -> list[Operation]:
        """Writes ``read`` definitely missed: completed before it, and surely newer than what it saw."""
        key = key_of(read)
        if key in self.appends:
            text = read.output
            puts = [p for p in self.puts.get(key, []) if p.call <= read.ret]
            return [
                a
                for a in self.appends[key]
                if not is_open(a)
                and a.ret < read.call
                and a.input[1][1] not in text
                and all(precedes(p, a) for p in puts)  # no put could have erased it
            ]
        end = self.newest_source_end(read)
        if end is None:  # a value nobody wrote: not a matter of staleness
            return []
        return [w for w in self.definite.get(key, []) if surely_before(end, w.call) and w.ret < read.call]


@dataclass(frozen=True)
class ReadStaleness:
    """How far behind one read was."""

    read: Operation
    missed: tuple[Operation, ...]
    versions_behind: int
    time_behind: float

    @property
    def stale(self) -> bool:
        return self.versions_behind > 0


def staleness(history: list[Operation]) -> list[ReadStaleness]:
    """Per completed read with a known value: the writes it definitely missed.

    >>> w1 = Operation("a", 0, 1, ("write", 1))
    >>> w2 = Operation("a", 2, 3, ("write", 2))
    >>> r = Operation("b", 10, 11, ("read", None), 1)
    >>> s = staleness([w1, w2, r])[0]
    >>> (s.versions_behind, s.time_behind)
    (1, 7)
    """
    ops = validate_history(history)
    sources = Sources(ops)
    out = []
    for op in ops:
        if not is_read(op) or is_open(op):
            continue
        missed = sorted(sources.missed(op), key=lambda w: w.ret)
        behind = op.call - missed[0].ret if missed else 0.0
        out.append(ReadStaleness(op, tuple(missed), len(missed), behind))
    return out


@dataclass(frozen=True)
class StalenessSummary:
    """Staleness over a whole history (times in the history's unit, ms)."""

    reads: int
    stale_reads: int
    max_versions_behind: int
    mean_versions_behind: float
    max_time_behind: float
    median_time_behind: float  # over the stale reads; 0 when there are none

    @property
    def fraction_stale(self) -> float:
        return self.stale_reads / self.reads if self.reads else 0.0


def staleness_summary(history: list[Operation]) -> StalenessSummary:
    """``staleness`` reduced to a few numbers.

    >>> staleness_summary([]).fraction_stale
    0.0
    """
    per_read = staleness(history)
    stale = [s for s in per_read if s.stale]
    n = len(per_read)
    return StalenessSummary(
        reads=n,
        stale_reads=len(stale),
        max_versions_behind=max((s.versions_behind for s in per_read), default=0),
        mean_versions_behind=sum(s.versions_behind for s in per_read) / n if n else 0.0,
        max_time_behind=max((s.time_behind for s in stale), default=0.0),
        median_time_behind=statistics.median(s.time_behind for s in stale) if stale else 0.0,
    )
