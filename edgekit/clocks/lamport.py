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

from .._checks import brief
from .dvv import check_count

__all__ = ["LamportClock", "lamport_key"]


@dataclass(frozen=True, order=True)
class LamportClock:
    """A Lamport clock's value; every rule returns a new clock."""

    time: int = 0

    def __post_init__(self) -> None:
        check_count(self.time, "time")

    def tick(self) -> LamportClock:
        """A local event: add one."""
        return LamportClock(self.time + 1)

    def send(self) -> tuple[LamportClock, int]:
        """Tick, and return the new clock with the timestamp the message carries."""
        c = self.tick()
        return c, c.time

    def receive(self, timestamp: int) -> LamportClock:
        """A message stamped ``timestamp`` arrives: ``max(own, timestamp) + 1``."""
        check_count(timestamp, "timestamp")
        return LamportClock(max(self.time, timestamp) + 1)


def lamport_key(time: int, node) -> tuple:
    """A total order consistent with causality: Lamport time, then node id to break ties.

    >>> sorted([lamport_key(3, "B"), lamport_key(3, "A"), lamport_key(1, "C")])
    [(1, 'C'), (3, 'A'), (3, 'B')]
    """
    if isinstance(node, bool) or not isinstance(node, (str, int)):
        raise TypeError(f"node={brief(node)}: expected a node id, a str or an int")
    return (time, str(node))
