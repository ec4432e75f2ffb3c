"""Hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva, Leone, 2014).

An HLC timestamp is ``(l, c)``: ``l`` is the largest physical clock reading
the process has heard of (its own or in a message), ``c`` a counter that
orders events sharing the same ``l``. With ``pt`` the local physical clock:

    send or local event:  l' = max(l, pt);  c' = c + 1 if l' == l else 0
    receive (l_m, c_m):   l' = max(l, l_m, pt)
                          c' = max(c, c_m) + 1  if l' == l == l_m
                               c + 1            if l' == l only
                               c_m + 1          if l' == l_m only
                               0                if l' == pt only

Properties (proved in the paper, tested in tests/test_clocks_properties.py):
it never goes backwards; a happened before b implies hlc(a) < hlc(b) (like a
Lamport clock); ``l`` is never below the local physical clock and exceeds it
by at most the largest offset between any two clocks (so it stays close to
wall time and fits where a wall-clock timestamp did); and ``c`` stays small.

>>> a = HLC().tick(pt=100)                 # a write at A, whose clock is fast
>>> b = HLC().tick(pt=40).receive(a, pt=41)  # B's clock is behind; it hears from A
>>> a, b, a < b
(HLC(l=100, c=0), HLC(l=100, c=1), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._checks import brief
from .dvv import check_count

__all__ = ["HLC"]


def _pt(pt) -> float:
    if isinstance(pt, bool) or not isinstance(pt, (int, float)) or not -1e300 < pt < 1e300:
        raise TypeError(f"pt={brief(pt)}: expected a physical clock reading (a finite number of ms)")
    return pt


@dataclass(frozen=True, order=True)
class HLC:
    """A hybrid logical clock value; ``tick`` and ``receive`` return new values."""

    l: float = 0  # noqa: E741 - the paper's name
    c: int = 0

    def __post_init__(self) -> None:
        # -inf is allowed: the "before every reading" start that simulations use.
        if isinstance(self.l, bool) or not isinstance(self.l, (int, float)):
            raise TypeError(f"l={brief(self.l)}: expected a clock reading in ms (a number)")
        if not self.l < math.inf:
            raise ValueError(f"l={brief(self.l)}: expected a clock reading in ms (not NaN or inf)")
        check_count(self.c, "c")

    def tick(self, pt: float) -> HLC:
        """A send or local event when the physical clock reads ``pt``."""
        _pt(pt)
        if pt > self.l:
            return HLC(pt, 0)
        return HLC(self.l, self.c + 1)

    send = tick

    def receive(self, msg: HLC, pt: float) -> HLC:
        """A message stamped ``msg`` arrives when the physical clock reads ``pt``."""
        if not isinstance(msg, HLC):
            raise TypeError(f"msg={brief(msg)}: expected the HLC the message carries")
        _pt(pt)
        l_new = max(self.l, msg.l, pt)
        if l_new == self.l and l_new == msg.l:
            c = max(self.c, msg.c) + 1
        elif l_new == self.l:
            c = self.c + 1
        elif l_new == msg.l:
            c = msg.c + 1
        else:
            c = 0
        return HLC(l_new, c)

    def pack(self, counter_bits: int = 16) -> int:
        """One integer, ``l << counter_bits | c``, for stores that want a number (needs integer ``l``).

        >>> HLC(1_700, 3).pack()
        111411203
        """
        if isinstance(counter_bits, bool) or not isinstance(counter_bits, int) or not 1 <= counter_bits <= 64:
            raise ValueError(f"counter_bits={brief(counter_bits)}: expected an int from 1 to 64")
        if not math.isfinite(self.l) or int(self.l) != self.l or not 0 <= self.c < (1 << counter_bits):
            raise ValueError(f"{brief(self)}: pack needs an integer l and 0 <= c < 2**{counter_bits}")
        return (int(self.l) << counter_bits) | self.c

    def __str__(self) -> str:
        return f"({self.l:g}, {self.c})"

    def to_json(self) -> list:
        return [self.l, self.c]
