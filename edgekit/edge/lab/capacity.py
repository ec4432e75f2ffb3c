"""A PoP cannot hold every object: a site's store as an LRU cache, with dirty keys pinned.

``lru_story`` runs one site (one replica, room for ``capacity`` keys) and a
root, step by step, with syncs triggered by hand as in ``stepper``. After each
step it records what the replica holds, least recently used first, which of
those keys are *dirty* (a local write no completed sync has covered) and which
keys were evicted. The default script:

1. three writes fill the store; all three are dirty;
2. a sync: the root acknowledges them, so they are clean (evictable);
3. a fourth write: the least recently used clean key is evicted;
4. a read of the evicted key misses; the next sync brings it back from the root
   (evicting is safe because the root holds every acknowledged write);
5. the PoP is cut off from the root and its clients write four new keys: the
   clean keys go, then every key held is dirty and pinned, and the store runs
   over capacity rather than drop a write no one else has;
6. a sync during the cut is lost: it only delays, the keys stay pinned;
7. the cut heals and the next sync covers them: clean again (evictable);
8. the next write evicts down to capacity.

>>> story = lru_story()
>>> sorted(story[4].held), story[4].over_capacity
(['e', 'f', 'g', 'h'], True)
>>> story[6].dirty, story[7].over_capacity
((), False)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import EdgeConfig
from ..system import EdgeSystem
from ..topology import Topology

__all__ = ["DEFAULT_STORY", "LruStep", "lru_story"]

_QUIET_MS = 1e9  # no epoch timer fires on its own: each step says whether a sync runs
# (label, client operations, sync after them?, cut: None (unchanged), True (cut), False (heal))
DEFAULT_STORY = (
    ("write a, b, c", (("write", "a"), ("write", "b"), ("write", "c")), False, None),
    ("sync", (), True, None),
    ("write d", (("write", "d"),), False, None),
    ("read a (a miss); sync", (("read", "a"),), True, None),
    ("cut off; write e, f, g, h", tuple(("write", k) for k in "efgh"), False, True),
    ("sync during the cut", (), True, None),
    ("heal; sync", (), True, False),
    ("write i", (("write", "i"),), False, None),
)


@dataclass(frozen=True)
class LruStep:
    """The site's store after one step: keys least recently used first."""

    number: int
    label: str
    got: tuple  # (operation, key, what the client got: None for a miss)
    held: tuple
    dirty: tuple  # held keys with a write no completed sync has covered: pinned
    evicted: tuple  # keys evicted during this step
    capacity: int
    synced: bool | None  # None: no sync this step; else whether its response arrived

    @property
    def over_capacity(self) -> bool:
        return len(self.held) > self.capacity


def _check_story(story) -> None:
    if isinstance(story, (str, bytes)) or not hasattr(story, "__iter__"):
        raise TypeError(f"story={story!r:.80}: expected a list of (label, operations, sync, cut) steps")
    for i, step in enumerate(story, 1):
        ok = isinstance(step, tuple) and len(step) == 4 and isinstance(step[2], bool) and step[3] in (None, True, False)
        if not ok or not all(isinstance(op, tuple) and len(op) == 2 and op[0] in ("read", "write")
                             and isinstance(op[1], str) and op[1] for op in step[1]):
            raise ValueError(f"story step {i}: {step!r:.80}: expected (label, ((op, key), ...), sync, cut) with op "
                             "'read' or 'write' and cut None, True or False")


def lru_story(capacity: int = 3, story=DEFAULT_STORY) -> tuple[LruStep, ...]:
    """Run ``story`` on one site whose single replica holds ``capacity`` keys before it evicts."""
    _check_story(story)
    cfg = EdgeConfig(replicas=1, n=1, capacity=capacity, epoch_ms=_QUIET_MS)  # checks capacity
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=1)
    sim, net = system.sim, system.net
    rid = system.clusters["LHR"][0]
    replica, store = system.replicas[rid], system.replicas[rid].store
    steps = []
    for n, (label, ops, sync, cut) in enumerate(story, 1):
        sim.run(until=n * 5_000.0)
        if cut is True:
            net.cut("LHR", "root:FRA")
        elif cut is False:
            net.heal()
        before = set(store.keys())
        got = []
        for kind, key in ops:
            sim.run(until=sim.now + 10.0)
            out = system.call("LHR", kind, key)
            got.append((kind, key, out.value))
        synced = None
        if sync:
            done = replica.syncs_completed
            replica.sync(system.contexts[rid])
            sim.run(until=sim.now + 500.0)
            synced = replica.syncs_completed > done
        held = tuple(store.keys())
        steps.append(LruStep(n, label, tuple(got), held, tuple(k for k in held if k in store.dirty),
                             tuple(sorted(before - set(held))), capacity, synced))
    return tuple(steps)
