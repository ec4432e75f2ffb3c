"""A linearizable register from majority quorums: ABD (Attiya, Bar-Noy and Dolev, 1995).

Any two majorities of the replicas share at least one replica, so a
majority always holds the newest completed write. A write asks a majority
for their tags, picks a bigger one ``(max timestamp + 1, writer)`` (the
writer breaks ties) and stores the value at a majority. A read asks a
majority, takes the value with the biggest tag and, before answering,
writes it back to a majority, so no later read can see an older value.
Two round trips to the nearest majority for every operation; a site cut
off from a majority cannot answer.

>>> from edgekit.consistency import run_store
>>> run_store("quorum", ["IAD", "LHR", "FRA"], seed=2).check().ok
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .replica import Replica, Round

__all__ = ["Quorum", "QuorumReplica"]


def _newest(replies: dict) -> tuple:
    return max(replies.values(), key=lambda entry: entry[0])


class QuorumReplica(Replica):
    """ABD: two-phase reads with write-back, writes tagged ``(timestamp, node)``."""

    def read(self, key):
        tag, value = _newest((yield Round(self.peers, self.majority, ("get", key))))
        yield Round(self.peers, self.majority, ("put", key, tag, value))  # write-back
        return tag, value

    def write(self, key, value):
        tag, _ = _newest((yield Round(self.peers, self.majority, ("get", key))))
        tag = (tag[0] + 1, self.ctx.node_id)
        yield Round(self.peers, self.majority, ("put", key, tag, value))
        return tag


@dataclass(frozen=True)
class Quorum:
    """Store spec: every site is a replica; reads and writes wait for a majority."""

    design = "majority quorum (leaderless, ABD)"  # the kit's vocabulary (edgekit.coordination.DESIGNS)
    name = "quorum"

    def build(self, sites: list[str], **kw) -> list[Replica]:
        return [QuorumReplica(sites, **kw) for _ in sites]
