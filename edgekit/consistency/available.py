"""An always-available store: local reads and writes, asynchronous anti-entropy, last writer wins.

Every site answers from its own copy at once, so every operation succeeds
wherever its client can reach its own PoP, partition or not: the AP corner
of CAP. A write is stamped ``(clock(), node)``; every ``anti_entropy_ms``
each site sends what it holds to every other site, and a site keeps the
newer tag (a last-writer-wins register, the talk's default for key-value
data). Sites converge once messages flow again; until then reads are
stale, and the history is not linearizable.

>>> from edgekit.consistency import run_store
>>> res = run_store("available", ["IAD", "LHR"], seed=4)
>>> min(s.availability for s in res.per_site.values())
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import brief
from .replica import Replica

__all__ = ["Available", "AvailableReplica"]


class AvailableReplica(Replica):
    """Serve locally; push every key to every peer each ``anti_entropy_ms``."""

    def __init__(self, peers, anti_entropy_ms: float = 200.0, **kw) -> None:
        super().__init__(peers, **kw)
        self.anti_entropy_ms = anti_entropy_ms

    def read(self, key):
        return self.get(key)

    def write(self, key, value):
        tag = (self.ctx.clock(), self.ctx.node_id)
        self.apply(key, tag, value)  # an older clock than the value held loses: LWW
        return tag

    def on_start(self, ctx) -> None:
        super().on_start(ctx)
        ctx.set_timer(ctx.rng.random() * self.anti_entropy_ms, "anti-entropy")  # spread the sites out

    def on_timer(self, ctx, tag) -> None:
        if tag != "anti-entropy":
            return super().on_timer(ctx, tag)
        others = [p for p in self.peers if p != ctx.node_id]
        for key, (t, v) in sorted(self.data.items()):
            self.send_all(others, ("put", key, t, v))
        ctx.set_timer(self.anti_entropy_ms, "anti-entropy")


@dataclass(frozen=True)
class Available:
    """Store spec: every site serves locally and gossips its state every ``anti_entropy_ms``."""

    anti_entropy_ms: float = 200.0
    design = "local write (AP, last writer wins)"  # the kit's vocabulary (edgekit.coordination.DESIGNS)
    name = "available"

    def __post_init__(self) -> None:
        a = self.anti_entropy_ms
        if isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 < a < float("inf"):
            raise ValueError(f"anti_entropy_ms={brief(a)}: expected a finite period in ms > 0")

    def build(self, sites: list[str], **kw) -> list[Replica]:
        return [AvailableReplica(sites, self.anti_entropy_ms, **kw) for _ in sites]
