"""What a node sees of the simulated world: ``SimContext``, and the run's counts, ``NetStats``.

``SimContext`` implements the ``edgekit.sim.node.Context`` protocol for a node
inside a ``Network``; its ``send`` lives in ``edgekit.sim.wire``, the one call a
message costs on the sending side.
"""

from __future__ import annotations

import random
from collections.abc import Hashable
from dataclasses import dataclass, field

from .._checks import brief
from ..clocks.physical import PhysicalClock
from . import wire
from .core import Event

__all__ = ["SimContext", "NetStats", "PERFECT_CLOCK"]

PERFECT_CLOCK = PhysicalClock()


@dataclass(frozen=True)
class NetStats:
    """Counts for a run so far; ``dropped`` is the sum of ``drops`` (by reason)."""

    sent: int
    delivered: int
    duplicated: int
    reordered: int
    timers: int
    drops: dict = field(default_factory=dict)

    @property
    def dropped(self) -> int:
        return sum(self.drops.values())


class SimContext:
    """What a node sees of the simulated world (the ``edgekit.sim.node.Context`` protocol)."""

    __slots__ = ("node_id", "node", "place", "rng", "clock_model", "up", "incarnation", "cut_from",
                 "cut_to", "_on_message", "_net", "_out", "_links", "_tags")

    def __init__(self, net, node_id: Hashable, node, place, rng: random.Random) -> None:
        self._net = net
        self.node_id = node_id
        self.node = node
        self.place = place
        self.rng = rng
        self.clock_model = PERFECT_CLOCK
        self.up = True
        self.cut_from = self.cut_to = 0  # bit k: on the sending / receiving side of cut k (Network._masks)
        self.incarnation = 0  # bumped by a crash: timers of an older incarnation never fire
        self._links: dict = {}  # dst -> link (edgekit.sim.wire.link_entry), worked out on first send
        self._out: dict = {}  # the links no fault touches right now: all that send() checks
        self._tags: frozenset = frozenset()
        self._on_message = node.on_message

    send = wire.send  # send(dst, msg)

    @property
    def now(self) -> float:
        return self._net.sim.now

    def clock(self) -> float:
        return self.clock_model.read(self._net.sim.now)

    def set_timer(self, delay_ms: float, tag=None) -> Event:
        return self._net.sim.call_later(delay_ms, self._net._fire, self, self.incarnation, tag)

    def cancel_timer(self, handle: Event) -> None:
        if not (isinstance(handle, list) and len(handle) == 3):
            raise TypeError(f"handle={brief(handle)}: expected the value set_timer returned")
        handle[1] = None

    def record(self, kind: str, **fields) -> None:
        if not isinstance(kind, str):
            raise TypeError(f"kind={brief(kind)}: expected a string such as 'invoke'")
        self._net._other(kind, self.node_id, fields)

    def __repr__(self) -> str:
        return f"SimContext({self.node_id!r}, up={self.up})"
