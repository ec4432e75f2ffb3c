"""The skeleton every replicated store shares: a replica node that coordinates operations in rounds.

A store is a ``Replica`` subclass with two generator methods, ``read(key)``
and ``write(key, value)``. Each ``yield Round(targets, need, msg)`` sends
``msg`` to every target and resumes with the replies (a dict ``{replica:
payload}`` in arrival order) once ``need`` of them are in. What a store is
(primary, majority quorum, Dynamo, always available) is only what its two
generators yield; sending, retrying, de-duplicating and timing out live here.

Every replica answers the same two requests from a coordinator:

* ``("get", key)`` → the replica's ``(tag, value)`` for ``key``;
* ``("put", key, tag, value)`` → keep it if ``tag`` is newer, then acknowledge.

A *tag* orders versions: a tuple such as ``(timestamp, writer)``, compared
lexicographically; ``ZERO`` is older than every write. ``read`` returns the
``(tag, value)`` it read and ``write`` the tag it wrote, so a run can measure
staleness in the store's own version order.

Stored data is the replica's "disk" and survives a crash; operations being
coordinated are volatile and die with it (their clients time out).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from .._checks import brief
from ..sim.node import Node

__all__ = ["Round", "Replica", "ZERO", "EMPTY"]

ZERO: tuple = (0, "")  # the tag of "never written"
EMPTY: tuple = (ZERO, None)  # what a replica holds for a key nobody wrote


@dataclass(frozen=True)
class Round:
    """Send ``msg`` to ``targets``; resume when ``need`` have replied (``late`` sees the stragglers)."""

    targets: tuple
    need: int
    msg: tuple
    late: Callable[[Hashable, Any], None] | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.need <= len(self.targets):
            raise ValueError(f"need={brief(self.need)}: expected between 1 and {len(self.targets)} (the targets)")


class _Pending:
    """One coordinated operation: its generator, the round in progress and who asked."""

    __slots__ = ("gen", "round", "replies", "reply_to", "deadline", "done")

    def __init__(self, gen, reply_to: tuple, deadline: float) -> None:
        self.gen = gen
        self.round: Round | None = None
        self.replies: dict = {}
        self.reply_to = reply_to
        self.deadline = deadline
        self.done = False


class Replica(Node):
    """A replica of a key-value store; subclasses define ``read`` and ``write`` (see module doc)."""

    def __init__(self, peers: Sequence[Hashable], timeout_ms: float = 1_000.0, retry_ms: float = 250.0) -> None:
        self.peers = tuple(peers)  # every replica of the store, this one included
        self.timeout_ms = timeout_ms  # give up coordinating after this (the client has too)
        self.retry_ms = retry_ms  # resend to replicas that have not answered (messages get lost)
        self.data: dict = {}  # key -> (tag, value): durable
        self.ctx = None
        self._pending: dict[int, _Pending] = {}  # round id -> operation: volatile
        self._answers: dict = {}  # (client, request id) -> result or None while running: durable
        self._rid = 0

    @property
    def majority(self) -> int:
        return len(self.peers) // 2 + 1

    # -- what stores override ---------------------------------------------------------

    def read(self, key):
        """Generator (or plain function) returning the ``(tag, value)`` read."""
        raise NotImplementedError

    def write(self, key, value):
        """Generator (or plain function) returning the tag written."""
        raise NotImplementedError

    def execute(self, op: str, key, value=None):
        """Run one client operation here: ``op`` is "read" or "write"."""
        return self.read(key) if op == "read" else self.write(key, value)

    # -- local state ------------------------------------------------------------------

    def get(self, key) -> tuple:
        return self.data.get(key, EMPTY)

    def apply(self, key, tag, value) -> bool:
        """Keep ``(tag, value)`` if it is newer than what we hold; True if it was."""
        if tag > self.get(key)[0]:
            self.data[key] = (tag, value)
            return True
        return False

    # -- the node -----------------------------------------------------------------------

    def on_start(self, ctx) -> None:
        self.ctx = ctx

    def on_crash(self) -> None:
        # Operations in progress are abandoned, never rerun: a retried request after the
        # restart finds its id in ``_answers`` and stays unanswered (its client times out).
        self._pending.clear()

    def on_message(self, ctx, src, msg) -> None:
        kind = msg[0]
        if kind == "ack":  # ("ack", rid, payload)
            self._on_reply(ctx, src, msg[1], msg[2])
        elif kind == "get":  # ("get", rid, key)
            ctx.send(src, ("ack", msg[1], self.get(msg[2])))
        elif kind == "put":  # ("put", rid, key, tag, value); rid None: no answer wanted
            self.apply(msg[2], msg[3], msg[4])
            if msg[1] is not None:
                ctx.send(src, ("ack", msg[1], None))
        elif kind in ("req", "run"):  # ("req", id, op, key, value) from a client, "run" from a replica
            self._on_request(ctx, src, kind, msg[1], msg[2], msg[3], msg[4])

    def on_timer(self, ctx, tag) -> None:
        rid = tag[1]
        p = self._pending.get(rid)
        if p is None:
            return
        if ctx.now >= p.deadline or (p.done and p.round.late is None):
            del self._pending[rid]
            return
        if p.done:  # keep listening for stragglers until the deadline
            ctx.set_timer(self.retry_ms, ("retry", rid))
            return
        for t in p.round.targets:  # resend to the silent ones
            if t not in p.replies:
                ctx.send(t, p.round.msg[:1] + (rid,) + p.round.msg[1:])
        ctx.set_timer(self.retry_ms, ("retry", rid))

    # -- coordination -------------------------------------------------------------------

    def _on_request(self, ctx, src, kind, req_id, op, key, value) -> None:
        ident = (src, req_id)
        if ident in self._answers:  # a duplicate or a retry: run once, answer again if done
            if self._answers[ident] is not None:
                self._reply(ctx, (kind, src, req_id), self._answers[ident][0])
            return
        self._answers[ident] = None
        result = self.execute(op, key, value)
        reply_to = (kind, src, req_id)
        if not inspect.isgenerator(result):
            self._finish(ctx, reply_to, result)
            return
        self._advance(ctx, _Pending(result, reply_to, ctx.now + self.timeout_ms), None)

    def _advance(self, ctx, p: _Pending, value) -> None:
        try:
            rnd = p.gen.send(value)
        except StopIteration as stop:
            p.done = True
            self._finish(ctx, p.reply_to, stop.value)
            return
        self._rid += 1
        rid = self._rid
        p.round, p.replies = rnd, {}
        self._pending[rid] = p
        wire = rnd.msg[:1] + (rid,) + rnd.msg[1:]
        for t in rnd.targets:
            ctx.send(t, wire)
        ctx.set_timer(self.retry_ms, ("retry", rid))

    def _on_reply(self, ctx, src, rid, payload) -> None:
        p = self._pending.get(rid)
        if p is None or src in p.replies:
            return
        p.replies[src] = payload
        if p.round.need and len(p.replies) == p.round.need:
            p.done = True  # this round is over; the generator moves on under a new round id
            self._advance(ctx, _Pending(p.gen, p.reply_to, p.deadline), dict(p.replies))
            if p.round.late is None:
                del self._pending[rid]
        elif len(p.replies) > p.round.need and p.round.late is not None:
            p.round.late(src, payload)

    def _finish(self, ctx, reply_to: tuple, result) -> None:
        kind, src, req_id = reply_to
        self._answers[(src, req_id)] = (result,)
        self._reply(ctx, reply_to, result)

    def _reply(self, ctx, reply_to: tuple, result) -> None:
        kind, src, req_id = reply_to
        ctx.send(src, ("resp", req_id, result) if kind == "req" else ("ack", req_id, result))

    def send_all(self, targets, msg: tuple) -> None:
        """Fire and forget (read repair, anti-entropy): no answer is awaited."""
        for t in targets:
            self.ctx.send(t, msg[:1] + (None,) + msg[1:])
