"""The learner's node: five handlers, plain messages, and a context to ask the world through.

A node is sans-IO, like every node in edgekit: it never touches a socket, a clock or
a disk. The grader (and, later, a real transport) calls its handlers and hands each
one a ``NodeContext``:

==============================  =============================================================
handler                         what it does
==============================  =============================================================
``on_start(ctx)``               set up ``self.store`` and ``self.interest`` (again after a crash)
``on_read(ctx, key)``           a client reads ``key``: return its ``GCounter``, or None (a miss)
``on_write(ctx, key, n)``       a client adds ``n`` to ``key``: return the key's new ``GCounter``
``on_epoch(ctx)``               once per epoch: ``ctx.send(ctx.upstream, SyncRequest(...))``
``on_sync_response(ctx, msg)``  the upstream's ``SyncResponse`` to one of your requests arrived
==============================  =============================================================

``ctx`` offers ``node_id`` (your PoP, e.g. ``"LHR"``; also your replica id in every
``GCounter.increment``), ``upstream`` (who to sync with; None when you serve alone),
``now`` (simulated ms), ``epoch_ms``, ``capacity`` (how many keys ``self.store`` may hold;
None for no limit), ``disk`` (a dict that survives a crash: everything else on ``self``
is lost) and ``send(dst, msg)``.

The grader looks at two attributes: ``self.store`` (key -> ``GCounter``) and
``self.interest`` (the keys you owe your upstream; anything that supports ``in``).

Where this departs from the talk's site: one node is the whole PoP (no replicas inside it,
no scatter-gather), and the only value type is a G-Counter, whose write is "add n": it makes
a lost write (a count too low) and a write counted twice (a count too high) plain to see.

>>> class Tiny(EdgeNode):
...     def on_read(self, ctx, key):
...         self.interest.add(key)
...         return self.store.get(key)
>>> node = Tiny(); node.on_start(None)
>>> node.on_read(None, "a"), "a" in node.interest
(None, True)
>>> unanswered_handler(Tiny, "on_write")
True
"""

from __future__ import annotations

from edgekit.exercises import NOT_ANSWERED, unanswered

__all__ = ["EdgeNode", "NodeContext", "HANDLERS", "unanswered_handler"]

HANDLERS = ("on_start", "on_read", "on_write", "on_epoch", "on_sync_response")


class EdgeNode:
    """Subclass this and fill in the handlers your stage needs (the others say "not answered")."""

    def on_start(self, ctx) -> None:
        """Called when the node starts, and again after every restart."""
        self.store = {}  # key -> GCounter
        self.interest = set()  # keys to send upstream at the next epoch

    def on_read(self, ctx, key: str):
        return NOT_ANSWERED

    def on_write(self, ctx, key: str, n: int):
        return NOT_ANSWERED

    def on_epoch(self, ctx) -> None:
        return NOT_ANSWERED

    def on_sync_response(self, ctx, msg) -> None:
        return NOT_ANSWERED


def unanswered_handler(cls, name: str) -> bool:
    """Whether ``cls`` still uses the template's placeholder for handler ``name``."""
    fn = getattr(cls, name, None)
    return fn is None or fn is getattr(EdgeNode, name) and name != "on_start"


class NodeContext:
    """What a node may ask of the world it runs in (one per node; it survives restarts)."""

    __slots__ = ("node_id", "upstream", "epoch_ms", "capacity", "disk", "_world", "_send")

    def __init__(self, world, node_id: str, upstream: str | None, epoch_ms: float,
                 capacity: int | None, send) -> None:
        self._world = world
        self.node_id = node_id
        self.upstream = upstream
        self.epoch_ms = epoch_ms
        self.capacity = capacity
        self.disk: dict = {}
        self._send = send

    @property
    def now(self) -> float:
        """Simulated time in ms."""
        return self._world.sim.now

    def send(self, dst: str, msg) -> None:
        """Send ``msg`` (a ``SyncRequest``) to ``dst`` (your ``ctx.upstream``); it may be lost,
        doubled or delayed, and nothing tells you which."""
        self._send(self.node_id, dst, msg)

    def __repr__(self) -> str:
        return f"NodeContext(node_id={self.node_id!r}, upstream={self.upstream!r}, now={self.now:g})"


def is_placeholder(value) -> bool:
    """A handler's return value that says "not written yet"."""
    return unanswered(value)
