"""The five stages of chapter 6: what each asks of the node, what the network does, how many runs.

>>> STAGES[3].title, STAGES[3].faults
('Loss and duplicates', 'loss, duplicates and reordering')
"""

from __future__ import annotations

from dataclasses import dataclass

from .._checks import brief
from .scenario import STAGE_FAULTS

__all__ = ["Stage", "STAGES", "stage_of"]


@dataclass(frozen=True)
class Stage:
    number: int
    title: str
    task: str
    runs: int  # seeded scenarios a grading plays (0 .. runs - 1)

    @property
    def faults(self) -> str:
        return STAGE_FAULTS[self.number]


STAGES = {s.number: s for s in (
    Stage(1, "Serve locally", "reads and writes against the node's own state; every key a client touches, "
          "a read miss included, joins the interest set", 30),
    Stage(2, "Pull sync", "once per epoch send the interest set's states upstream, merge the answer, clear "
          "what the answer covers", 60),
    Stage(3, "Loss and duplicates", "the network drops, duplicates and reorders messages: nothing may be lost "
          "or counted twice", 150),
    Stage(4, "Partitions and crashes", "cuts and restarts: no acknowledged write may be lost, and every copy "
          "converges after the heal", 100),
    Stage(5, "Finite capacity", "at most ctx.capacity keys in the store, least recently used out first, never "
          "one whose writes are not synced yet", 100),
)}


def stage_of(stage) -> Stage:
    """``STAGES[stage]``, or a ValueError that says which stages exist."""
    if isinstance(stage, bool) or not isinstance(stage, int) or stage not in STAGES:
        raise ValueError(f"stage={brief(stage)}: expected one of {sorted(STAGES)}")
    return STAGES[stage]
