"""A hand-driven context for stepping edge nodes without a simulator (doctests, widgets, tests).

It satisfies ``edgekit.sim.node.Context``: ``send`` and ``set_timer`` only
append to lists, so a test (or a learner) delivers messages and fires timers
by hand, one step at a time.

>>> ctx = FakeContext("LHR", now=3.0)
>>> ctx.send("hub:FRA", "hello"); ctx.sent
[('hub:FRA', 'hello')]
"""

from __future__ import annotations

import random

__all__ = ["FakeContext"]


class FakeContext:
    """A context whose clock you set and whose messages and timers you read back."""

    def __init__(self, node_id: str, now: float = 0.0, seed: int = 0, clock_offset_ms: float = 0.0):
        self.node_id = node_id
        self.now = now
        self.rng = random.Random(f"{seed}/{node_id}")
        self.clock_offset_ms = clock_offset_ms
        self.sent: list[tuple] = []
        self.timers: list[tuple] = []
        self.records: list[tuple] = []
        self.up = True

    def clock(self) -> float:
        return self.now + self.clock_offset_ms

    def send(self, dst, msg) -> None:
        self.sent.append((dst, msg))

    def set_timer(self, delay_ms: float, tag=None):
        self.timers.append((self.now + delay_ms, tag))
        return len(self.timers) - 1

    def cancel_timer(self, handle) -> None:
        self.timers[handle] = None

    def record(self, kind: str, **fields) -> None:
        self.records.append((self.now, kind, fields))
