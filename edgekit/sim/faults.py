"""The fault model: one printable value that says what goes wrong, where and when.

Network settings are data (as in Maelstrom's ``net.clj``): a default
``LinkFaults`` (loss, duplication, reordering probabilities), per-link
overrides, per-node physical clocks (offset and drift), and a timeline of
events: ``Cut``/``Heal`` (partitions, optionally one-way) and
``Crash``/``Restart``. Change it between runs with ``dataclasses.replace`` or
``FaultModel.then(...)``.

Sides of a cut, link overrides and clock entries name nodes with
*selectors*: a node id, a place code (``"LHR"``), a continent, country or
region of the node's place, or ``"*"`` (every node not on the other side).
A side is one selector or a tuple of them.

>>> fm = FaultModel(LinkFaults(loss=0.01)).then(*transatlantic_cut(2_000, 9_000))
>>> print(fm)
FaultModel
  default links: loss=0.01 duplicate=0 reorder=0 (reorder_ms=100)
  t=2000 ms: cut Africa+Europe <-> North America+South America
  t=9000 ms: heal Africa+Europe <-> North America+South America
"""

from __future__ import annotations

import sys
from collections.abc import Hashable
from dataclasses import dataclass, field, replace

from .._checks import brief, check_items
from ..clocks.physical import PhysicalClock

__all__ = [
    "LinkFaults",
    "Cut",
    "Heal",
    "Crash",
    "Restart",
    "DiskLoss",
    "Slow",
    "FaultModel",
    "transatlantic_cut",
    "isolate",
    "regional_cut",
    "crash_and_restart",
    "EVERYONE",
]

EVERYONE = "*"
# A side may name a continent that has no node in this run (presets do), as
# long as the side names some node; any other selector must match a node.
CONTINENTS = frozenset({"Africa", "Antarctica", "Asia", "Europe", "North America", "Oceania", "South America"})


def check_probability(name: str, p) -> float:
    """``p`` as a float, or a ValueError naming ``name`` when it is not in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"{name}={brief(p)}: expected a probability (a number in [0, 1])")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}={brief(p)}: expected a probability in [0, 1]")
    return float(p)


def check_time(name: str, t) -> float:
    # compared, not math.isfinite: an int of 400 digits is finite but no float (OverflowError)
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= sys.float_info.max:
        raise ValueError(f"{name}={brief(t)}: expected a finite time in ms >= 0")
    return float(t)


def side(name: str, value) -> tuple:
    """Normalise a side (one selector, or a list/tuple/set of them) to a non-empty tuple."""
    if isinstance(value, (set, frozenset)):
        items = tuple(sorted(value, key=repr))  # sets have no order: fix one
    elif isinstance(value, (list, tuple)):
        items = tuple(value)
    elif isinstance(value, Hashable) and value is not None:
        return (value,)
    else:
        raise TypeError(f"{name}={brief(value)}: expected a selector or a tuple of selectors")
    if not items:
        raise ValueError(f"{name}={brief(value)}: expected at least one node, place or continent")
    return items


def _fmt_side(s: tuple) -> str:
    return "+".join(str(x) for x in s)


@dataclass(frozen=True)
class LinkFaults:
    """Per-message fault probabilities on a link; a reordered message is held back up to ``reorder_ms``.

    >>> LinkFaults(loss=0.1, duplicate=0.01)
    LinkFaults(loss=0.1, duplicate=0.01, reorder=0.0, reorder_ms=100.0)
    """

    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    reorder_ms: float = 100.0

    def __post_init__(self) -> None:
        for name in ("loss", "duplicate", "reorder"):
            object.__setattr__(self, name, check_probability(name, getattr(self, name)))
        object.__setattr__(self, "reorder_ms", check_time("reorder_ms", self.reorder_ms))

    def __str__(self) -> str:
        return (
            f"loss={self.loss:g} duplicate={self.duplicate:g} reorder={self.reorder:g} "
            f"(reorder_ms={self.reorder_ms:g})"
        )


@dataclass(frozen=True)
class Cut:
    """At ``at_ms``, messages from ``side_a`` to ``side_b`` are lost (and back, unless ``directed``)."""

    at_ms: float
    side_a: tuple
    side_b: tuple
    directed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "at_ms", check_time("at_ms", self.at_ms))
        object.__setattr__(self, "side_a", side("side_a", self.side_a))
        object.__setattr__(self, "side_b", side("side_b", self.side_b))

    def __str__(self) -> str:
        arrow = "->" if self.directed else "<->"
        return f"t={self.at_ms:g} ms: cut {_fmt_side(self.side_a)} {arrow} {_fmt_side(self.side_b)}"


@dataclass(frozen=True)
class Heal:
    """At ``at_ms``, remove the cut between these sides (either order), or every cut when no sides."""

    at_ms: float
    side_a: tuple | None = None
    side_b: tuple | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at_ms", check_time("at_ms", self.at_ms))
        if (self.side_a is None) != (self.side_b is None):
            raise ValueError(f"Heal(side_a={brief(self.side_a)}, side_b={brief(self.side_b)}): give both sides or neither")
        if self.side_a is not None:
            object.__setattr__(self, "side_a", side("side_a", self.side_a))
            object.__setattr__(self, "side_b", side("side_b", self.side_b))

    def __str__(self) -> str:
        if self.side_a is None:
            return f"t={self.at_ms:g} ms: heal every cut"
        return f"t={self.at_ms:g} ms: heal {_fmt_side(self.side_a)} <-> {_fmt_side(self.side_b)}"


@dataclass(frozen=True)
class _NodeEvent:
    at_ms: float
    node: Hashable

    def __post_init__(self) -> None:
        object.__setattr__(self, "at_ms", check_time("at_ms", self.at_ms))

    def __str__(self) -> str:
        return f"t={self.at_ms:g} ms: {type(self).__name__.lower()} {self.node}"


@dataclass(frozen=True)
class Crash(_NodeEvent):
    """At ``at_ms`` the node stops: it receives nothing and its timers are cancelled."""


@dataclass(frozen=True)
class Restart(_NodeEvent):
    """At ``at_ms`` a crashed node starts again (``on_start`` runs)."""


@dataclass(frozen=True)
class DiskLoss(_NodeEvent):
    """At ``at_ms`` the node's disk is replaced by an empty one: a node that is up crashes,
    ``node.on_disk_loss()`` wipes what it stored, and it starts again at once (a node that is
    down stays down until its ``Restart``). Only nodes with ``on_disk_loss`` can lose a disk."""


@dataclass(frozen=True)
class Slow(_NodeEvent):
    """From ``at_ms`` the node answers ``extra_ms`` late (``node.on_slow(extra_ms)``; 0: on time
    again): a busy or degraded process that is up but slow. Only nodes with ``on_slow`` can be slow."""

    extra_ms: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "extra_ms", check_time("extra_ms", self.extra_ms))

    def __str__(self) -> str:
        return f"t={self.at_ms:g} ms: slow {self.node} by {self.extra_ms:g} ms"


_EVENTS = (Cut, Heal, Crash, Restart, DiskLoss, Slow)


def _pairs(name: str, value, check) -> tuple:
    """A dict or sequence of (key, value) pairs as a tuple, values checked."""
    items = value.items() if isinstance(value, dict) else value
    try:
        items = tuple(tuple(kv) for kv in items)
    except TypeError:
        raise TypeError(f"{name}={brief(value)}: expected a dict or a sequence of (key, value) pairs") from None
    for kv in items:
        if len(kv) != 2:
            raise TypeError(f"{name} entry {brief(kv)}: expected a (key, value) pair")
        check(kv)
    return items


def _check_link(kv) -> None:
    key, lf = kv
    if not (isinstance(key, tuple) and len(key) == 2):
        raise TypeError(f"links key {brief(key)}: expected a pair (side_a, side_b)")
    if not isinstance(lf, LinkFaults):
        raise TypeError(f"links[{brief(key)}]={brief(lf)}: expected a LinkFaults")


def _check_clock(kv) -> None:
    key, clk = kv
    if not isinstance(clk, PhysicalClock):
        raise TypeError(f"clocks[{brief(key)}]={brief(clk)}: expected an edgekit.clocks.PhysicalClock")


@dataclass(frozen=True)
class FaultModel:
    """What goes wrong in a run: default link faults, overrides, node clocks and a timeline.

    ``links`` maps ``(side_a, side_b)`` to ``LinkFaults`` for messages in both
    directions (later entries win); ``clocks`` maps a selector to a
    ``PhysicalClock`` (nodes not named keep a perfect clock).
    """

    default: LinkFaults = field(default_factory=LinkFaults)
    links: tuple = ()
    clocks: tuple = ()
    timeline: tuple = ()

    def __post_init__(self) -> None:
        if not isinstance(self.default, LinkFaults):
            raise TypeError(f"default={brief(self.default)}: expected a LinkFaults")
        object.__setattr__(self, "links", _pairs("links", self.links, _check_link))
        object.__setattr__(self, "clocks", _pairs("clocks", self.clocks, _check_clock))
        events = tuple(check_items(self.timeline, "timeline", _EVENTS,
                                   "a tuple of Cut, Heal, Crash, Restart, DiskLoss or Slow events"))
        # Stable sort: events at the same time keep the order they were given.
        object.__setattr__(self, "timeline", tuple(sorted(events, key=lambda e: e.at_ms)))

    def then(self, *events) -> FaultModel:
        """This model with ``events`` added to the timeline."""
        return replace(self, timeline=self.timeline + tuple(events))

    def __str__(self) -> str:
        lines = ["FaultModel", f"  default links: {self.default}"]
        lines += [f"  link {_fmt_side(side('a', a))} <-> {_fmt_side(side('b', b))}: {lf}" for (a, b), lf in self.links]
        lines += [
            f"  clock {sel}: offset {c.offset_ms:+g} ms, drift {c.drift_ppm:+g} ppm" for sel, c in self.clocks
        ]
        lines += [f"  {ev}" for ev in self.timeline]
        return "\n".join(lines)


# Presets: continent names follow edgekit.geo's Place.continent.
EUROPE_AFRICA = ("Africa", "Europe")
AMERICAS = ("North America", "South America")


def transatlantic_cut(at_ms: float = 2_000, heal_ms: float | None = 9_000) -> tuple:
    """Cut every link between Europe/Africa and the Americas at ``at_ms``; heal at ``heal_ms``."""
    if heal_ms is not None:
        check_time("heal_ms", heal_ms)
    events = (Cut(at_ms, EUROPE_AFRICA, AMERICAS),)
    return events + ((Heal(heal_ms, EUROPE_AFRICA, AMERICAS),) if heal_ms is not None else ())


def isolate(selector, at_ms: float, heal_ms: float | None = None) -> tuple:
    """Cut a site (or group) off from every other node, both ways."""
    side("selector", selector)
    if heal_ms is not None:
        check_time("heal_ms", heal_ms)
    events = (Cut(at_ms, selector, EVERYONE),)
    return events + ((Heal(heal_ms, selector, EVERYONE),) if heal_ms is not None else ())


def regional_cut(side_a, side_b, at_ms: float, heal_ms: float | None = None, directed: bool = False) -> tuple:
    """Cut between two regions (continents, countries, places); one-way when ``directed``."""
    if heal_ms is not None:
        check_time("heal_ms", heal_ms)
    events = (Cut(at_ms, side_a, side_b, directed),)
    return events + ((Heal(heal_ms, side_a, side_b),) if heal_ms is not None else ())


def crash_and_restart(node, at_ms: float, restart_ms: float) -> tuple:
    """Crash ``node`` at ``at_ms`` and restart it at ``restart_ms``."""
    if check_time("restart_ms", restart_ms) < check_time("at_ms", at_ms):
        raise ValueError(f"restart_ms={brief(restart_ms)}: expected a time >= at_ms={brief(at_ms)}")
    return (Crash(at_ms, node), Restart(restart_ms, node))
