"""A Dynamo-style store: N replicas per key, reads wait for R of them and writes for W.

DeCandia et al., "Dynamo: Amazon's highly available key-value store"
(SOSP 2007). The coordinator (the site a client talks to) stamps a write
with its clock, ``(clock(), node)``, sends it to the N replicas and answers
after W acknowledgements; a read asks all N, answers with the newest of the
first R replies (last writer wins) and sends that value to any replica that
answered with an older one (*read repair*), stragglers included. With
R + W > N the quorums overlap; with R + W <= N a read can miss a write
that has completed: fast, and sometimes stale (see ``pbs_consistency``).

>>> from edgekit.consistency import Dynamo, run_store
>>> res = run_store(Dynamo(n=3, r=1, w=1), ["IAD", "LHR", "FRA", "NRT"], seed=3)
>>> sorted(res.per_site)
['FRA', 'IAD', 'LHR', 'NRT']
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import brief
from .pbs import _check_nrw
from .replica import EMPTY, Replica, Round

__all__ = ["Dynamo", "DynamoReplica"]


class DynamoReplica(Replica):
    """Coordinates N/R/W operations over ``holders`` (the N replicas of every key)."""

    def __init__(self, peers, holders, r: int, w: int, read_repair: bool = True, **kw) -> None:
        super().__init__(peers, **kw)
        self.holders, self.r, self.w, self.read_repair = tuple(holders), r, w, read_repair

    def read(self, key):
        newest = [EMPTY]

        def repair(src, entry) -> None:
            if entry[0] < newest[0][0]:
                self.send_all((src,), ("put", key, *newest[0]))

        late = repair if self.read_repair else None
        replies = yield Round(self.holders, self.r, ("get", key), late=late)
        newest[0] = max(replies.values(), key=lambda entry: entry[0])
        if self.read_repair:
            for src, entry in replies.items():
                repair(src, entry)
        return newest[0]

    def write(self, key, value):
        tag = (self.ctx.clock(), self.ctx.node_id)  # last writer wins, by the coordinator's clock
        yield Round(self.holders, self.w, ("put", key, tag, value))
        return tag


@dataclass(frozen=True)
class Dynamo:
    """Store spec: N replicas (the first N sites unless ``holders`` names them), R and W."""

    n: int = 3
    r: int = 1
    w: int = 1
    holders: tuple | None = None
    read_repair: bool = True
    design = "leaderless N/R/W"  # the kit's vocabulary (edgekit.coordination.DESIGNS)
    name = "dynamo"

    def __post_init__(self) -> None:
        _check_nrw(self.n, self.r, self.w)
        if self.holders is not None:
            object.__setattr__(self, "holders", tuple(self.holders))
            if len(self.holders) != self.n:
                raise ValueError(f"holders={brief(self.holders)}: expected n={brief(self.n)} sites")

    def build(self, sites: list[str], **kw) -> list[Replica]:
        if self.n > len(sites):
            raise ValueError(f"n={brief(self.n)}: expected at most {len(sites)} (the run has {len(sites)} sites)")
        holders = self.holders or tuple(sites[: self.n])
        for h in holders:
            if h not in sites:
                raise ValueError(f"holders: {brief(h)} is not one of the run's sites {sites}")
        return [DynamoReplica(sites, holders, self.r, self.w, self.read_repair, **kw) for _ in sites]
