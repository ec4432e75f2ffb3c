"""One graded run as a value: where the nodes are, what clients do, and which faults strike.

Faults are explicit choices, not probabilities: "drop the 2nd message LHR sends to
root:FRA", "cut SYD from hub:SIN from 400 to 1,000 ms", "crash LHR at 300 ms, restart
at 450 ms". A run is then a pure function of its scenario (and of the learner's code),
and a failing scenario shrinks by removing one choice at a time, as Hypothesis shrinks
the choices it drew (``edgekit.grade.shrink``). ``generate(stage, seed)`` draws a
scenario from one seeded ``random.Random``: the same stage and seed give the same run.

The world is small on purpose, so a counterexample is readable: the learner's PoP, two
sites running the reference node, the kit's root upstream at Frankfurt and, in half the
scenarios, a regional hub at Singapore between the learner and the root (each a cluster as
``edgekit.edge`` builds it, see ``edgekit.grade.adapter``; a hub answers
"not here yet" for a key it has not fetched from above; the root answers the bottom
value for a key nobody wrote).

>>> s = generate(3, seed=1)
>>> s.stage, s.learner in ("LHR", "SYD"), s == generate(3, seed=1)
(3, True, True)
>>> print(Op(12.0, "LHR", "write", "a", 2))
t=12 ms  client at LHR: write a +2
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from .._checks import check_int, check_seed

__all__ = ["Op", "Drop", "Duplicate", "Hold", "Cut", "Crash", "Scenario", "generate", "STAGE_FAULTS",
           "ROOT", "HUB"]

ROOT, HUB = "root:FRA", "hub:SIN"
EPOCH_MS = 200.0
# (learner PoP, its upstream, the reference sites and their upstreams): learner under the root
# (a short round trip) or under the hub (a long one, so answers often cross writes in flight).
_TOPOLOGIES = (
    ("LHR", ROOT, (("IAD", ROOT), ("NRT", HUB))),
    ("SYD", HUB, (("IAD", ROOT), ("NRT", HUB))),
)
PLACES = {ROOT: "FRA", HUB: "SIN", "LHR": "LHR", "SYD": "SYD", "IAD": "IAD", "NRT": "NRT"}


@dataclass(frozen=True)
class Op:
    """A client operation at ``site``: read ``key``, or add ``n`` to its counter."""

    at: float
    site: str
    kind: str  # "read" or "write"
    key: str
    n: int = 0

    def __str__(self) -> str:
        what = f"write {self.key} +{self.n}" if self.kind == "write" else f"read {self.key}"
        return f"t={self.at:g} ms  client at {self.site}: {what}"


@dataclass(frozen=True)
class Drop:
    """The ``nth`` message from ``src`` to ``dst`` is lost."""

    src: str
    dst: str
    nth: int

    def __str__(self) -> str:
        return f"the {_ordinal(self.nth)} message {self.src} → {self.dst} is lost"


@dataclass(frozen=True)
class Duplicate:
    """The ``nth`` message from ``src`` to ``dst`` arrives twice, the copy ``extra_ms`` later."""

    src: str
    dst: str
    nth: int
    extra_ms: float

    def __str__(self) -> str:
        return f"the {_ordinal(self.nth)} message {self.src} → {self.dst} arrives twice ({self.extra_ms:g} ms apart)"


@dataclass(frozen=True)
class Hold:
    """The ``nth`` message from ``src`` to ``dst`` is held back ``extra_ms``: later ones may overtake it."""

    src: str
    dst: str
    nth: int
    extra_ms: float

    def __str__(self) -> str:
        return f"the {_ordinal(self.nth)} message {self.src} → {self.dst} is held back {self.extra_ms:g} ms"


@dataclass(frozen=True)
class Cut:
    """No message gets between ``a`` and ``b`` (either way) from ``at`` until ``until``."""

    a: str
    b: str
    at: float
    until: float

    def __str__(self) -> str:
        return f"t={self.at:g}–{self.until:g} ms  the link {self.a} ↔ {self.b} is cut"


@dataclass(frozen=True)
class Crash:
    """``node`` crashes at ``at`` (losing everything but its disk) and restarts at ``until``."""

    node: str
    at: float
    until: float

    def __str__(self) -> str:
        return f"t={self.at:g} ms  {self.node} crashes (restarts at {self.until:g} ms)"


MESSAGE_FAULTS = (Drop, Duplicate, Hold)


@dataclass(frozen=True)
class Scenario:
    """Everything a graded run depends on besides the learner's code."""

    stage: int
    seed: int
    learner: str
    upstream: str | None  # None in stage 1: the node serves alone
    sites: tuple = ()  # ((reference site, its upstream), ...)
    ops: tuple = ()
    faults: tuple = ()
    capacity: int | None = None
    epoch_ms: float = EPOCH_MS
    phases: tuple = ()  # ((node, first epoch tick in ms), ...)
    ops_end: float = 0.0  # no client operation after this
    faults_end: float = 0.0  # every fault is over by then
    keys: tuple = field(default=())

    @property
    def size(self) -> int:
        """Operations plus faults: what shrinking makes small."""
        return len(self.ops) + len(self.faults)

    def keeping(self, ops, faults) -> Scenario:
        """This scenario with only the operations and faults at these positions."""
        return replace(self, ops=tuple(self.ops[i] for i in ops), faults=tuple(self.faults[i] for i in faults))

    def describe(self) -> list[str]:
        """The scenario in plain lines: operations and faults in time order."""
        timed = [(o.at, str(o)) for o in self.ops]
        timed += [(getattr(f, "at", -1.0), str(f)) for f in self.faults]
        return [text for _, text in sorted(timed, key=lambda x: x[0])]


STAGE_FAULTS = {1: "the node alone, no network", 2: "no faults", 3: "loss, duplicates and reordering",
                4: "cuts and crashes",
                5: "loss, with a store of a few keys"}


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _ops(rng: random.Random, sites: list[str], keys: tuple, count: int, end: float, learner: str) -> tuple:
    ops = []
    for _ in range(count):
        site = learner if rng.random() < 0.6 or len(sites) == 1 else rng.choice(sites[1:])
        kind = "write" if rng.random() < 0.55 else "read"
        ops.append(Op(float(rng.randrange(0, int(end))), site, kind, rng.choice(keys),
                      rng.randint(1, 3) if kind == "write" else 0))
    return tuple(sorted(ops, key=lambda o: (o.at, o.site)))


def _message_faults(rng: random.Random, learner: str, upstream: str, window_ms: float,
                    mix: tuple, p: float) -> tuple:
    """Faults on the learner's two links: ``mix`` gives (kind, weight) pairs for requests (up)
    and for answers (down); a fault strikes each message with probability ``p``."""
    faults = []
    n = int(window_ms / EPOCH_MS) + 3  # about one request (and one answer) per epoch
    for (src, dst), kinds in zip(((learner, upstream), (upstream, learner)), mix, strict=True):
        for nth in range(1, n + 1):
            if rng.random() < p:
                kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
                extra = float(rng.randrange(50, int(3 * EPOCH_MS)))
                faults.append(Drop(src, dst, nth) if kind is Drop else kind(src, dst, nth, extra))
    return tuple(faults)


# Requests are mostly lost (the write never arrives); answers mostly late or doubled (an old
# answer arrives after a newer request left): the two halves of "nothing lost, nothing twice".
_LOSSY = (((Drop, 2), (Duplicate, 1), (Hold, 1)), ((Drop, 1), (Duplicate, 2), (Hold, 2)))
_DROPS = (((Drop, 1),), ((Drop, 1),))


def generate(stage: int, seed: int) -> Scenario:
    """The scenario number ``seed`` of ``stage`` (1 to 5), drawn from one seeded RNG."""
    check_int(stage, "stage", 1, 5)
    check_seed(seed)
    rng = random.Random(f"edgekit.grade/{stage}/{seed}")
    if stage == 1:
        keys = ("a", "b", "c")
        end = 1_000.0
        ops = _ops(rng, ["LHR"], keys, rng.randint(4, 14), end, "LHR")
        return Scenario(1, seed, "LHR", None, ops=ops, ops_end=end, faults_end=end, keys=keys)
    learner, upstream, others = rng.choice(_TOPOLOGIES)
    # Stage 3 uses few keys, so a write often lands on a key whose request is in flight.
    n_keys = {3: rng.randint(1, 3), 5: rng.randint(5, 6)}.get(stage, rng.randint(2, 4))
    keys = ("a", "b", "c", "d", "e", "f")[:n_keys]
    end = EPOCH_MS * rng.randint(3, 6)
    ops = _ops(rng, [learner, *(s for s, _ in others)], keys, rng.randint(6, 20 if stage == 5 else 16),
               end, learner)
    nodes = [learner, *(s for s, _ in others), HUB, ROOT]
    phases = tuple((n, float(rng.randrange(0, int(EPOCH_MS)))) for n in nodes)
    faults: tuple = ()
    faults_end = end
    if stage == 3:
        faults = _message_faults(rng, learner, upstream, end + 2 * EPOCH_MS, _LOSSY, 0.35)
        faults_end = end + 3 * EPOCH_MS
    elif stage == 4:
        events = []
        for _ in range(rng.randint(1, 3)):
            at = float(rng.randrange(0, int(end)))
            if rng.random() < 0.5:
                a, b = rng.choice(((learner, upstream), (HUB, ROOT)))
                events.append(Cut(a, b, at, at + EPOCH_MS * rng.randint(2, 14)))
            else:
                events.append(Crash(learner, at, at + float(rng.randrange(20, int(3 * EPOCH_MS)))))
        faults = tuple(sorted(events, key=lambda f: f.at))
        faults_end = max([end, *(f.until for f in faults)]) + EPOCH_MS
    elif stage == 5:
        faults = _message_faults(rng, learner, upstream, end + 2 * EPOCH_MS, _DROPS, 0.15)
        faults_end = end + 3 * EPOCH_MS
    return Scenario(stage, seed, learner, upstream, others, ops, faults,
                    capacity=rng.randint(2, 3) if stage == 5 else None, phases=phases,
                    ops_end=end, faults_end=faults_end, keys=keys)
