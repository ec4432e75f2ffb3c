"""The context an edge node runs in: the one interface between the protocol and the world.

Every node of the edge system (a site's front end ``Site``, a hub's or the
root's front end ``Upstream``, a storage process ``Replica``) is *sans-IO*: it
never touches a network, a clock or a disk timer itself. It reacts to calls and
asks its context to act. The simulator supplies one context
(``edgekit.sim.SimContext``); a real-process driver (asyncio + HTTP) supplies
another with no change to the node classes; ``FakeContext`` below is driven by
hand in tests and notebooks.

What a node may use of its context, and nothing else:

=========================  =====================================================================
``ctx.node_id``            this node's id (``"LHR"``, ``"LHR/r1"``, ``"hub:FRA"``, ``"root:IAD/r0"``)
``ctx.now``                true time in ms (simulated, or the driver's monotonic clock)
``ctx.clock()``            this node's physical clock in ms (skewed in the simulator): LWW stamps
``ctx.rng``                this node's own seeded ``random.Random`` (epoch phases)
``ctx.send(dst, msg)``     send ``msg`` (an ``edgekit.edge.messages`` value) to node ``dst``;
                           it may be delayed, lost, duplicated or reordered; returns nothing
``ctx.set_timer(ms, tag)`` call ``node.on_timer(ctx, tag)`` after ``ms``; timers die with a crash
=========================  =====================================================================

What the context calls on a node:

=================================  ============================================================
``on_start(ctx)``                  at start and after every restart (set the first timers)
``on_message(ctx, src, msg)``      a message from node ``src`` arrived
``on_timer(ctx, tag)``             a timer set with ``ctx.set_timer`` fired
``on_crash()``                     the process died: drop what is volatile (memory)
``on_disk_loss()``                 (replicas) the disk was replaced by an empty one
``on_slow(extra_ms)``              (replicas) answer ``extra_ms`` late from now on
``read(ctx, key, reply)``          (site front ends) a client read; ``reply(Outcome)`` once, later
``write(ctx, key, arg, reply)``    (site front ends) a client write, likewise
=================================  ============================================================

A driver over HTTP maps these one to one: ``POST /sync`` and the in-site routes
become ``on_message`` (after ``edgekit.edge.messages.decode`` has checked the
JSON), ``GET``/``PUT /kv/{key}`` become ``read``/``write`` whose ``reply``
completes the HTTP response, and timers live on the event loop. A node's
``store`` (``edgekit.edge.store.Store``) is its disk: a SQLite-backed store can
replace ``MemoryStore``.

>>> ctx = FakeContext("LHR", now=3.0)
>>> ctx.send("hub:FRA", "hello"); ctx.sent
[('hub:FRA', 'hello')]
"""

from __future__ import annotations

import random

from .._checks import brief, check_hashable, check_int, check_number, check_seed

__all__ = ["FakeContext", "HandNet"]


class FakeContext:
    """A context whose clock you set and whose messages and timers you read back."""

    def __init__(self, node_id: str, now: float = 0.0, seed: int = 0, clock_offset_ms: float = 0.0):
        self.node_id = check_hashable(node_id, "node_id", "a node id such as 'LHR'")
        self.now = check_number(now, "now")
        self.rng = random.Random(f"{check_seed(seed)}/{node_id}")
        self.clock_offset_ms = check_number(clock_offset_ms, "clock_offset_ms")
        self.sent: list[tuple] = []
        self.timers: list[tuple] = []
        self.up = True

    def clock(self) -> float:
        return self.now + self.clock_offset_ms

    def send(self, dst, msg) -> None:
        self.sent.append((dst, msg))

    def set_timer(self, delay_ms: float, tag=None):
        check_number(delay_ms, "delay_ms", 0)
        self.timers.append((self.now + delay_ms, tag))
        return len(self.timers) - 1

    def cancel_timer(self, handle) -> None:
        self.timers[handle] = None


class HandNet:
    """Nodes wired by hand: every message waits until ``deliver`` runs it, timers until ``advance``.

    For tests and step-by-step teaching: a test decides exactly which message is lost
    (``drop``), duplicated (``twice``) or held back. Delivery is immediate and in send order.

    >>> from edgekit.sim.node import Node
    >>> class Echo(Node):
    ...     def on_message(self, ctx, src, msg):
    ...         if msg == "ping":
    ...             ctx.send(src, "pong")
    >>> net = HandNet()
    >>> a, b = net.add("a", Echo()), net.add("b", Echo())
    >>> net.ctx["a"].send("b", "ping"); net.deliver()
    [('a', 'b', 'ping'), ('b', 'a', 'pong')]
    """

    def __init__(self, now: float = 0.0, seed: int = 0) -> None:
        self.now, self.seed = check_number(now, "now"), check_seed(seed)
        self.nodes: dict = {}
        self.ctx: dict[str, FakeContext] = {}

    def add(self, node_id: str, node):
        check_hashable(node_id, "node_id", "a node id such as 'LHR'")
        if not callable(getattr(node, "on_message", None)):
            raise TypeError(f"node={brief(node)}: expected a sans-IO node (with on_start, on_message, on_timer)")
        self.nodes[node_id] = node
        self.ctx[node_id] = FakeContext(node_id, self.now, self.seed)
        return node

    def start(self) -> None:
        for node_id, node in self.nodes.items():
            node.on_start(self.ctx[node_id])

    def outbox(self) -> list[tuple]:
        """``(src, dst, msg)`` of every message sent and not yet delivered (and clears them)."""
        out = []
        for node_id, ctx in self.ctx.items():
            out += [(node_id, dst, msg) for dst, msg in ctx.sent]
            ctx.sent.clear()
        return out

    def deliver(self, drop=None, twice=None, rounds: int = 100) -> list[tuple]:
        """Deliver messages, and the messages they cause, until none is left; ``drop(src, dst,
        msg)`` loses one, ``twice(...)`` delivers one again. Returns what was delivered."""
        check_int(rounds, "rounds", 1, 1_000_000)
        done = []
        for _ in range(rounds):
            batch = self.outbox()
            if not batch:
                return done
            for src, dst, msg in batch:
                if drop is not None and drop(src, dst, msg):
                    continue
                for _ in range(2 if twice is not None and twice(src, dst, msg) else 1):
                    self.nodes[dst].on_message(self.ctx[dst], src, msg)
                    done.append((src, dst, msg))
        raise RuntimeError(f"deliver(): still sending after {rounds} rounds")

    def advance(self, ms: float) -> None:
        """Move every clock ``ms`` on and fire the timers that are due, in time order."""
        check_number(ms, "ms", 0)
        self.now += ms
        for ctx in self.ctx.values():
            ctx.now = self.now
        while True:
            due = [(at, node_id, i) for node_id, ctx in self.ctx.items()
                   for i, t in enumerate(ctx.timers) if t is not None and (at := t[0]) <= self.now]
            if not due:
                return
            at, node_id, i = min(due)
            ctx = self.ctx[node_id]
            tag = ctx.timers[i][1]
            ctx.timers[i] = None
            self.nodes[node_id].on_timer(ctx, tag)
