"""Lamport clocks: one counter per process that respects happens-before (Lamport, 1978).

Rules: before each local event or send, add one; a message carries the
sender's counter; on receipt, jump to ``max(own, received) + 1``. Then
*a happened before b implies L(a) < L(b)* (the clock condition). The
converse does not hold: L(a) < L(b) says nothing when a and b are
concurrent. Breaking ties by process id gives a total order consistent with
causality, which is all that many algorithms need.

>>> a = LamportClock().tick()          # a local event at process A: 1
>>> a, stamp = a.send()                # A sends with timestamp 2
>>> b = LamportClock().tick().receive(stamp)
>>> a.time, b.time                     # B's receive is after A's send
(2, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LamportClock", "lamport_key"]


def _check_count(name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise TypeError(f"{name}={n!r}: expected an integer >= 0")
    return n


@dataclass(frozen=True, order=True)
class LamportClock:
    """A Lamport clock's value; every rule returns a new clock."""

    time: int = 0

    def __post_init__(self) -> None:
        _check_count("time", self.time)

    def tick(self) -> LamportClock:
        """A local event: add one."""
        return LamportClock(self.time + 1)

    def send(self) -> tuple[LamportClock, int]:
        """Tick, and return the new clock with the timestamp the message carries."""
        c = self.tick()
        return c, c.time

    def receive(self, timestamp: int) -> LamportClock:
        """A message stamped ``timestamp`` arrives: ``max(own, timestamp) + 1``."""
        _check_count("timestamp", timestamp)
        return LamportClock(max(self.time, timestamp) + 1)


def lamport_key(time: int, node) -> tuple:
    """A total order consistent with causality: Lamport time, then node id to break ties.

    >>> sorted([lamport_key(3, "B"), lamport_key(3, "A"), lamport_key(1, "C")])
    [(1, 'C'), (3, 'A'), (3, 'B')]
    """
    return (time, str(node))
