"""Sans-IO nodes: state machines that react to messages and timers.

A node never touches the network or a clock directly. It is handed a
``Context`` and asks it to send messages or set timers, so the same node code
runs inside ``edgekit.sim`` or on a real transport.
"""

from __future__ import annotations

import random
from collections.abc import Hashable
from typing import Any, Protocol

__all__ = ["Context", "Node"]


class Context(Protocol):
    """What a node may ask of the world it runs in."""

    node_id: Hashable
    rng: random.Random  # this node's own seeded stream

    @property
    def now(self) -> float:
        """True (simulated) time in ms; a node should prefer ``clock()``."""

    def clock(self) -> float:
        """This node's physical clock reading in ms (offset and drift applied)."""

    def send(self, dst: Hashable, msg: Any) -> None:
        """Send ``msg`` to node ``dst``; it may be delayed, lost, duplicated or reordered."""

    def set_timer(self, delay_ms: float, tag: Any = None) -> Any:
        """Call ``on_timer(ctx, tag)`` after ``delay_ms``; returns a handle for ``cancel_timer``."""

    def cancel_timer(self, handle: Any) -> None:
        """Cancel a timer set with ``set_timer``."""

    def record(self, kind: str, **fields: Any) -> None:
        """Append a record (for example a client operation) to the run's history."""


class Node:
    """Base class: override what the node reacts to. Handlers return nothing."""

    def on_start(self, ctx: Context) -> None:
        """Called once when the run starts, and again after a restart."""

    def on_message(self, ctx: Context, src: Hashable, msg: Any) -> None:
        """A message from ``src`` arrived."""

    def on_timer(self, ctx: Context, tag: Any) -> None:
        """A timer set with ``ctx.set_timer`` fired."""

    def on_crash(self) -> None:
        """The node crashed: drop volatile state here (timers are cancelled for you)."""
