"""Session guarantees (Terry et al., "Session Guarantees for Weakly Consistent Replicated Data", 1994).

A session is one client's sequence of operations. Two of the four guarantees
can be judged from a history of reads and writes:

* read your writes: a read sees the session's own earlier writes (or newer);
* monotonic reads: a read never sees an older value than an earlier read of
  the same session saw.

As for staleness, a violation is reported only when it is certain from the
intervals alone (see ``staleness``), so a linearizable history has none, and
values written should be unique.
"""

from __future__ import annotations

from dataclasses import dataclass

from .history import Operation, describe, is_open, precedes, validate_history
from .staleness import Sources, is_read, key_of, surely_before

__all__ = ["SessionViolation", "read_your_writes", "monotonic_reads", "session_violations"]


@dataclass(frozen=True)
class SessionViolation:
    """``op`` broke ``guarantee`` because of the session's earlier operation ``because``."""

    guarantee: str
    op: Operation
    because: Operation

    def __str__(self) -> str:
        verb = "wrote" if self.guarantee == "read-your-writes" else "had read"
        return (
            f"{self.guarantee}: client {self.op.client}'s {describe(self.op)} (called at {self.op.call:g}) "
            f"is older than what the same client {verb} before: {describe(self.because)} "
            f"(returned at {self.because.ret:g})"
        )


def _sessions(ops: list[Operation]) -> dict:
    sessions: dict = {}
    for op in sorted(ops, key=lambda o: o.call):
        sessions.setdefault(op.client, []).append(op)
    return sessions


def read_your_writes(history: list[Operation]) -> list[SessionViolation]:
    """Reads that missed a write their own client had completed earlier.

    >>> w = Operation("a", 0, 1, ("write", 1))
    >>> [v.guarantee for v in read_your_writes([w, Operation("a", 2, 3, ("read", None), None)])]
    ['read-your-writes']
    """
    ops = validate_history(history)
    sources = Sources(ops)
    found = []
    for op in ops:
        if is_read(op) and not is_open(op):
            own = [w for w in sources.missed(op) if w.client == op.client]
            if own:
                found.append(SessionViolation("read-your-writes", op, max(own, key=lambda w: w.ret)))
    return sorted(found, key=lambda v: v.op.call)


def _older(sources: Sources, later: Operation, earlier: Operation) -> bool:
    """Is ``later``'s value surely older than ``earlier``'s (two reads of one key)?"""
    key = key_of(later)
    if key in sources.appends:
        # Appends only grow a value, so without a put in between the later read extends the earlier one.
        puts = [p for p in sources.puts.get(key, []) if p.call <= later.ret]
        return not later.output.startswith(earlier.output) and all(precedes(p, earlier) for p in puts)
    if later.output == earlier.output:
        return False
    cands_earlier, initial_earlier = sources.candidates(earlier)
    if initial_earlier or not cands_earlier or any(is_open(c) for c in cands_earlier):
        return False
    end = sources.newest_source_end(later)
    return end is not None and surely_before(end, min(c.call for c in cands_earlier))


def monotonic_reads(history: list[Operation]) -> list[SessionViolation]:
    """Reads that returned a value surely older than an earlier read of the same client saw.

    >>> w = Operation("a", 0, 1, ("write", 1))
    >>> r1 = Operation("b", 2, 3, ("read", None), 1)
    >>> r2 = Operation("b", 4, 5, ("read", None), None)
    >>> [str(v) for v in monotonic_reads([w, r1, r2])][0][:40]
    "monotonic-reads: client b's read -> None"
    """
    ops = validate_history(history)
    sources = Sources(ops)
    found = []
    for session in _sessions(ops).values():
        reads = [op for op in session if is_read(op) and not is_open(op)]
        for k, later in enumerate(reads):
            for earlier in reversed(reads[:k]):
                if key_of(earlier) == key_of(later) and _older(sources, later, earlier):
                    found.append(SessionViolation("monotonic-reads", later, earlier))
                    break
    return sorted(found, key=lambda v: v.op.call)


def session_violations(history: list[Operation]) -> dict[str, list[SessionViolation]]:
    """Both guarantees at once: ``{"read-your-writes": [...], "monotonic-reads": [...]}``."""
    return {"read-your-writes": read_your_writes(history), "monotonic-reads": monotonic_reads(history)}
