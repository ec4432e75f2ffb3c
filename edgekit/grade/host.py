"""The host of a node written to the learner interface: calls its handlers and checks what it does.

For the learner's node (``observed``) every call is checked and recorded as a ``Step``: an
exception becomes a ``LearnerFault`` showing the learner's own line, a call may take
``MAX_HANDLER_S`` seconds and send ``MAX_SENDS_PER_CALL`` messages, a handler returns the
kind of value it should, and ``self.store`` stays a mapping of keys to ``GCounter``. The
reference nodes at the other sites run through the same host, unchecked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from .._checks import brief
from .adapter import MAX_ENTRIES, GCounter, for_learner, short
from .errors import PASS_THROUGH, LearnerFault
from .node import NodeContext, is_placeholder
from .trace import Step

__all__ = ["NodeHost", "MAX_SENDS_PER_CALL", "MAX_HANDLER_S"]

MAX_SENDS_PER_CALL = 4
MAX_HANDLER_S = 1.0


class NodeHost:
    """A node written to the learner interface (the learner's, or a reference site)."""

    def __init__(self, world, node_id: str, upstream, cls, capacity, observed: bool) -> None:
        self.world, self.node_id, self.cls, self.observed = world, node_id, cls, observed
        self.ctx = NodeContext(world, node_id, upstream, world.scenario.epoch_ms, capacity, world.send)
        self.node = None
        self.up = True
        self.sends = 0

    def start(self) -> None:
        try:
            self.node = self.cls()
        except PASS_THROUGH:
            raise
        except BaseException as exc:  # noqa: BLE001 - the learner's constructor may raise anything
            if not self.observed:
                raise
            raise LearnerFault.from_exception(exc, f"{getattr(self.cls, '__name__', 'node')}()") from None
        self.call("on_start")

    def call(self, handler: str, *args, msg_id=None, copy=0, key=None):
        """Call one handler; for the learner, check it and record a ``Step``."""
        world = self.world
        if not self.observed:
            return getattr(self.node, handler)(self.ctx, *args)
        before = dict(self._store()) if handler != "on_start" else {}
        world.calling, self.sends = self, 0
        step = Step(0, world.sim.now, handler, msg_id, before, {}, [], copy, key)
        world.step = step
        t0 = time.perf_counter()
        try:
            out = getattr(self.node, handler)(self.ctx, *args)
        except (LearnerFault, *PASS_THROUGH):
            raise
        except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything (exit() too): say where
            raise LearnerFault.from_exception(exc, handler) from None
        finally:
            world.calling = world.step = None
        took = time.perf_counter() - t0
        if took > MAX_HANDLER_S:
            raise LearnerFault("budget", f"your {handler} took {took:.1f} s; a handler must return in "
                                         f"under {MAX_HANDLER_S:g} s (a loop that never ends?)", handler)
        if is_placeholder(out):
            raise LearnerFault("unanswered", f"{handler} still returns NOT_ANSWERED: fill it in, then "
                                             "grade again", handler)
        if out is not None and handler not in ("on_read", "on_write"):
            raise LearnerFault("bad-return", f"{handler} returned {short(out)}: it should return nothing "
                                             "(send a message with ctx.send(ctx.upstream, msg))", handler)
        step.after = dict(self._store(handler))
        step.interest = self._interest()
        step.seq = world.trace.next()
        world.trace.steps.append(step)
        return out

    def _store(self, handler: str = "on_start") -> Mapping:
        store = getattr(self.node, "store", None)
        if not isinstance(store, Mapping):
            raise LearnerFault("bad-state", f"after {handler}, self.store is {short(store)}: keep your states "
                                            "in self.store, a dict key -> GCounter (set it up in on_start)",
                               handler)
        try:  # a learner's own Mapping class runs its code here: read it once, as a plain dict
            size = len(store)
            store = dict(store.items()) if size <= 4 * MAX_ENTRIES else store
        except PASS_THROUGH:
            raise
        except BaseException as exc:  # noqa: BLE001 - the learner's Mapping may raise anything
            raise LearnerFault.from_exception(exc, f"self.store (read after {handler})") from None
        if size > 4 * MAX_ENTRIES:
            raise LearnerFault("budget", f"self.store holds {size} keys; this run uses only a handful",
                               handler)
        for k, v in store.items():
            if type(v) is not GCounter:
                raise LearnerFault("bad-state", f"after {handler}, self.store[{brief(k)}] = {short(v)}: expected "
                                                "a GCounter", handler)
        return store

    def _interest(self) -> frozenset | None:
        """Which of the run's keys are in ``self.interest`` (for the diagnosis; None if unreadable)."""
        interest = getattr(self.node, "interest", None)
        try:
            return frozenset(k for k in self.world.scenario.keys if k in interest)
        except PASS_THROUGH:
            raise
        except BaseException:  # noqa: BLE001 - a learner's container may raise anything; the diagnosis does without
            return None

    def interested(self, key) -> bool | None:
        interest = getattr(self.node, "interest", None)
        try:
            return bool(key in interest)
        except PASS_THROUGH:
            raise
        except BaseException:  # noqa: BLE001 - a learner's container may raise anything
            raise LearnerFault("bad-state", f"self.interest is {short(interest)}: expected a set (or "
                                            "dict) of keys") from None

    def deliver(self, rec, msg, copy: int) -> None:
        fresh = for_learner(msg)  # a copy: the learner may change what it got
        if fresh is not None:
            self.call("on_sync_response", fresh, msg_id=rec.id, copy=copy)

    def tick(self) -> None:
        if self.up:
            self.call("on_epoch")
        self.world.sim.call_later(self.world.scenario.epoch_ms, self.tick)

    def client(self, op, probe: int = 0) -> None:
        trace, now = self.world.trace, self.world.sim.now
        if not self.up:
            trace.op(now, op.site, op.kind, op.key, op.n, False, probe=probe)
            return
        if op.kind == "read":
            value = self.call("on_read", op.key, key=op.key)
            if value is not None and type(value) is not GCounter:
                raise LearnerFault("bad-return", f"on_read({brief(op.key)}) returned {short(value)}: expected the "
                                                 "key's GCounter, or None for a key you do not hold", "on_read")
        else:
            value = self.call("on_write", op.key, op.n, key=op.key)
            if type(value) is not GCounter:
                raise LearnerFault("bad-return", f"on_write({brief(op.key)}, {op.n}) returned {short(value)}: "
                                                 "expected the key's new GCounter", "on_write")
        interested = self.interested(op.key) if self.observed else None
        trace.op(now, op.site, op.kind, op.key, op.n, True, value, probe, interested)


