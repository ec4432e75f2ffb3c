"""The clients: one per site, each issuing a seeded random mix of reads and writes, one at a time.

A client talks to the replica at its own PoP (a co-located hop, well under a
millisecond), pauses ``think_ms`` on average between operations and records
every call and return through the simulator (``ctx.record``). A client
whose operation times out cannot know whether it took effect, so, as in
Jepsen, it is replaced by a fresh client (``"LHR"``, then ``"LHR#2"``, ...)
and the old operation stays open in the history. Written values are unique
(``"lhr3"`` is the third operation of the client at LHR), so a read says
exactly which write it saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._checks import brief
from ..sim.node import Node

__all__ = ["Workload", "Client"]


MAX_OPS_PER_CLIENT = 100_000  # duration_ms / think_ms: a run is seconds of simulated time, not days


def _positive(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"{name}={brief(v)}: expected a finite number > 0")
    if not 0 < v < 1e300:
        raise ValueError(f"{name}={brief(v)}: expected a finite number > 0")
    return float(v)


@dataclass(frozen=True)
class Workload:
    """What every client does: for ``duration_ms``, read (``read_fraction``) or write, pausing ``think_ms``."""

    duration_ms: float = 3_000.0
    read_fraction: float = 0.5
    think_ms: float = 150.0
    timeout_ms: float = 1_000.0
    keys: int = 1
    # A scripted run instead of a random one: ``(site, at_ms, "read" or "write")`` entries; each
    # client then issues only its own entries, at those times (skipped if still busy).
    script: tuple = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "script", tuple(tuple(e) for e in self.script))
        for e in self.script:
            ok = len(e) == 3 and isinstance(e[0], str) and e[2] in ("read", "write")
            if not ok or isinstance(e[1], bool) or not isinstance(e[1], (int, float)) or not 0 <= e[1] < math.inf:
                raise ValueError(f"script entry {e!r}: expected (site, at_ms >= 0, 'read' or 'write')")
        _positive("duration_ms", self.duration_ms)
        # think_ms = 0 with a replica at the client's own site would issue operations without
        # end at one instant of simulated time.
        _positive("think_ms", self.think_ms)
        _positive("timeout_ms", self.timeout_ms)
        if self.duration_ms / self.think_ms > MAX_OPS_PER_CLIENT:
            raise ValueError(f"duration_ms={self.duration_ms:g}, think_ms={self.think_ms:g}: each client would issue "
                             f"about {self.duration_ms / self.think_ms:,.0f} operations; expected at most "
                             f"{MAX_OPS_PER_CLIENT:,} (a shorter run or a longer think time)")
        rf = self.read_fraction
        if isinstance(rf, bool) or not isinstance(rf, (int, float)) or not 0 <= rf <= 1:
            raise ValueError(f"read_fraction={brief(rf)}: expected a probability in [0, 1]")
        if isinstance(self.keys, bool) or not isinstance(self.keys, int) or not 1 <= self.keys <= 1_000_000:
            raise ValueError(f"keys={brief(self.keys)}: expected an int from 1 to 1,000,000")


class Client(Node):
    """Closed loop: think, call the local replica, wait for the answer or the timeout, repeat."""

    def __init__(self, site: str, replica, workload: Workload) -> None:
        self.site, self.replica, self.wl = site, replica, workload
        self.n = 0  # operations issued
        self.generation = 1  # bumped when an operation times out
        self.current = None  # (operation number, timeout timer, "read" or "write")

    @property
    def client_id(self) -> str:
        return self.site if self.generation == 1 else f"{self.site}#{self.generation}"

    def on_start(self, ctx) -> None:
        if not self.wl.script:
            return self._pause(ctx)
        for i, (site, at, _) in enumerate(self.wl.script):
            if site == self.site:
                ctx.set_timer(at, ("script", i))

    def _pause(self, ctx) -> None:
        if self.wl.script:
            return  # a scripted client waits for its next entry
        think = self.wl.think_ms
        ctx.set_timer(ctx.rng.expovariate(1.0 / think) if think else 0.0, "next")

    def on_timer(self, ctx, tag) -> None:
        if tag == "next":
            self._issue(ctx)
        elif isinstance(tag, tuple) and tag[0] == "script":
            if self.current is None:
                self._issue(ctx, self.wl.script[tag[1]][2])
        elif self.current is not None and tag == ("timeout", self.current[0]):
            ctx.record("timeout", client=self.client_id, id=self.current[0])
            self.current = None
            self.generation += 1
            self._pause(ctx)

    def _issue(self, ctx, scripted: str | None = None) -> None:
        if ctx.now >= self.wl.duration_ms:
            return
        rng = ctx.rng
        self.n += 1
        key = f"k{rng.randrange(self.wl.keys)}"
        if (scripted or ("read" if rng.random() < self.wl.read_fraction else "write")) == "read":
            op, value = "read", None
        else:
            op, value = "write", f"{self.site.lower()}{self.n}"
        ctx.record("invoke", client=self.client_id, id=self.n, op=op, key=key, value=value)
        ctx.send(self.replica, ("req", self.n, op, key, value))
        self.current = (self.n, ctx.set_timer(self.wl.timeout_ms, ("timeout", self.n)), op)

    def on_message(self, ctx, src, msg) -> None:
        if msg[0] != "resp" or self.current is None or msg[1] != self.current[0]:
            return  # a late or duplicated answer
        n, timer, op = self.current
        ctx.cancel_timer(timer)
        tag, value = msg[2] if op == "read" else (msg[2], None)  # a read answers (tag, value)
        ctx.record("ok", client=self.client_id, id=n, tag=tag, value=value)
        self.current = None
        self._pause(ctx)
