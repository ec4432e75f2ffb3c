"""A single primary: every operation goes through one site, in the kit's three flavours.

The primary orders every write (tag = its own version counter) and sends it to
the backups. How long it waits before it answers names the design (the kit's
vocabulary, ``edgekit.coordination.DESIGNS``):

- ``acks="all"``: the **synchronous primary**, committing once every backup has it;
- ``acks="majority"``: a **majority quorum led by the primary**, committing once a
  majority of replicas hold it, as Raft and Multi-Paxos do in the normal case (no
  elections here: the primary is fixed, so it is unavailable when cut off);
- ``acks="none"``: the **asynchronous primary**, answering at once and replicating
  afterwards (a primary that crashed before the backups heard would lose the write;
  this model keeps data on "disk", so only a cut shows it).

Reads are answered by the primary from its own state, so with a reachable primary
every operation takes effect at one place at one instant: linearizable, and
unavailable wherever the primary cannot be reached. Other replicas only forward
their clients' operations to the primary.

>>> from edgekit.consistency import run_store
>>> res = run_store("primary", ["IAD", "LHR", "NRT"], seed=1)
>>> res.check().ok, res.primary
(True, 'IAD')
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import brief
from .replica import Replica, Round

__all__ = ["Primary", "PrimaryReplica"]

ACKS = ("all", "majority", "none")
DESIGN = {"all": "synchronous primary", "majority": "majority quorum (led by the primary)",
          "none": "asynchronous primary"}


class PrimaryReplica(Replica):
    """A replica that forwards to ``primary``, or is the primary and commits writes."""

    def __init__(self, peers, primary, acks: str = "all", **kw) -> None:
        super().__init__(peers, **kw)
        self.primary = primary
        self.backups = tuple(p for p in self.peers if p != primary)
        # The primary holds the write itself, so a majority needs one fewer backup ack.
        self.need = {"all": len(self.backups), "majority": self.majority - 1, "none": 0}[acks]
        self.version = 0

    def _forward(self, op, key, value):
        reply = yield Round((self.primary,), 1, ("run", op, key, value))
        return reply[self.primary]

    def read(self, key):
        if self.ctx.node_id != self.primary:
            return (yield from self._forward("read", key, None))
        return self.get(key)  # committed state only: backups are never read

    def write(self, key, value):
        if self.ctx.node_id != self.primary:
            return (yield from self._forward("write", key, value))
        self.version += 1
        tag = (self.version, self.primary)
        if self.need:
            yield Round(self.backups, self.need, ("put", key, tag, value))
        elif self.backups:  # asynchronous: replicate, but do not wait for anyone
            self.send_all(self.backups, ("put", key, tag, value))
        self.apply(key, tag, value)  # the commit point
        return tag


@dataclass(frozen=True)
class Primary:
    """Store spec: which site is the primary (default: the first) and how many acks a write needs."""

    primary: str | None = None
    acks: str = "all"
    name = "primary"

    def __post_init__(self) -> None:
        if self.acks not in ACKS:
            raise ValueError(f"acks={brief(self.acks)}: expected one of {ACKS}")

    @property
    def design(self) -> str:
        """This store's name in the kit's vocabulary."""
        return DESIGN[self.acks]

    def build(self, sites: list[str], **kw) -> list[Replica]:
        primary = sites[0] if self.primary is None else self.primary
        if primary not in sites:
            raise ValueError(f"primary={brief(primary)}: expected one of the run's sites {sites}")
        return [PrimaryReplica(sites, primary, self.acks, **kw) for _ in sites]
