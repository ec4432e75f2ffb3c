"""Fault timelines for experiments: what breaks, where and when (events for ``edgekit.sim.FaultModel``).

Named by what breaks, each healing at the time given:

- ``site_isolated``: a PoP loses every link to the rest of the world (its
  front end and replicas still talk to each other, and serve clients);
- ``upstream_down``: a node crashes and restarts (a hub's or the root's front
  end, a site's front end: its clients get errors; its disks are untouched);
- ``region_cut``: every node in a continent or country is cut off from the rest;
- ``replica_down``, ``replica_cut``, ``replica_slow``: one storage process inside
  a PoP crashes, is cut off, or answers late (``"LHR/r1"``, ``"hub:FRA/r0"``);
- ``disk_lost``: a site replica's disk is replaced by an empty one.

``random_faults`` draws a mix. Every helper checks its times: a heal before the
fault it ends would leave the fault standing forever.

>>> site_isolated("LHR", 1_000, 500)
Traceback (most recent call last):
...
ValueError: heal_ms=500: expected a time >= at_ms=1000 (a fault cannot heal before it starts)
"""

from __future__ import annotations

import random

from edgekit.sim.faults import Crash, Cut, DiskLoss, Heal, Restart, Slow, check_time

from ..._checks import brief, check_int

__all__ = ["site_isolated", "upstream_down", "region_cut", "replica_down", "replica_cut", "replica_slow",
           "disk_lost", "random_faults", "KINDS"]

KINDS = ("site", "site_down", "upstream", "region", "replica", "replica_cut", "slow", "disk")


def _name(what: str, v) -> str:
    if not isinstance(v, str) or not v:
        raise ValueError(f"{what}={brief(v)}: expected a node id, place code or region such as 'LHR'")
    return v


def _window(at_ms, end_ms, end_name: str) -> tuple[float, float]:
    check_time("at_ms", at_ms), check_time(end_name, end_ms)
    if end_ms < at_ms:
        raise ValueError(f"{end_name}={brief(end_ms)}: expected a time >= at_ms={brief(at_ms)} (a fault cannot "
                         "heal before it starts)")
    return float(at_ms), float(end_ms)


def site_isolated(site: str, at_ms: float, heal_ms: float) -> tuple:
    """One PoP loses every link (it keeps serving its clients locally).

    The simulator's selectors match place codes too, so a site id that is its PoP's code
    (``"LHR"``) names everything housed in that PoP: its replicas, a hub or root placed there,
    or a second site ``"LHR#2"``, as when a PoP's uplinks fail.
    """
    a, b = _window(at_ms, heal_ms, "heal_ms")
    return (Cut(a, _name("site", site), "*"), Heal(b, site, "*"))


def upstream_down(node: str, at_ms: float, restart_ms: float) -> tuple:
    """A node crashes and comes back (a front end: a hub's, the root's or a site's); disks survive."""
    a, b = _window(at_ms, restart_ms, "restart_ms")
    return (Crash(a, _name("node", node)), Restart(b, node))


def region_cut(region: str, at_ms: float, heal_ms: float) -> tuple:
    """Every node in ``region`` (a continent or country) is cut off from every other node."""
    a, b = _window(at_ms, heal_ms, "heal_ms")
    return (Cut(a, _name("region", region), "*"), Heal(b, region, "*"))


def replica_down(replica: str, at_ms: float, restart_ms: float) -> tuple:
    """A storage process crashes and restarts with its disk (``"LHR/r1"``)."""
    return upstream_down(_name("replica", replica), at_ms, restart_ms)


def replica_cut(replica: str, at_ms: float, heal_ms: float) -> tuple:
    """A storage process is cut off from every node, its own front end included."""
    a, b = _window(at_ms, heal_ms, "heal_ms")
    return (Cut(a, _name("replica", replica), "*"), Heal(b, replica, "*"))


def replica_slow(replica: str, at_ms: float, until_ms: float, extra_ms: float) -> tuple:
    """A storage process answers ``extra_ms`` late between ``at_ms`` and ``until_ms``."""
    a, b = _window(at_ms, until_ms, "until_ms")
    return (Slow(a, _name("replica", replica), extra_ms), Slow(b, replica, 0.0))


def disk_lost(replica: str, at_ms: float) -> tuple:
    """A site replica's disk is replaced by an empty one at ``at_ms`` (it restarts at once)."""
    a, _ = _window(at_ms, at_ms, "at_ms")
    return (DiskLoss(a, _name("replica", replica)),)


def random_faults(rng: random.Random, topology, until_ms: float, count: int = 3,
                  max_length_ms: float | None = None, config=None, kinds=None) -> tuple:
    """``count`` faults of random kinds, places and times within ``[0, until_ms]``; all heal.

    Without ``config`` the kinds are those of whole nodes (site isolation, front end crashes,
    region cuts); with an ``EdgeConfig``, replica crashes, cuts and slowness too, and disk
    losses at site replicas when ``write_quorum >= 2`` (the case where the design promises to
    lose nothing: at most one per site, so that a second copy survives). ``kinds`` picks from
    ``KINDS``. Region cuts are drawn only when the topology spans more than one continent.
    """
    from ..topology import Topology, site_place

    if not isinstance(rng, random.Random):
        raise TypeError(f"rng={brief(rng)}: expected a random.Random (seeded: the same seed, the same faults)")
    check_int(count, "count", 0, 10_000)
    _window(0.0, until_ms, "until_ms")
    longest = until_ms / 2 if max_length_ms is None else _window(0.0, max_length_ms, "max_length_ms")[1]
    if not isinstance(topology, Topology):
        raise TypeError(f"topology={brief(topology)}: expected an edgekit.edge.Topology")
    inner = [n for n in topology.upstream if n not in topology.sites]
    where = {n: site_place(n).continent for n in topology.upstream}
    # A region cut needs someone on the other side: skip continents that hold every node.
    continents = sorted({where[s] for s in topology.sites if any(c != where[s] for c in where.values())})
    allowed = ["site", "site_down", "upstream"] + (["region"] if continents else [])
    if config is not None:
        allowed += ["replica", "replica_cut", "slow"] + (["disk"] if config.write_quorum >= 2 else [])
    if kinds is not None:
        bad = [k for k in kinds if k not in KINDS]
        if bad or not kinds:
            raise ValueError(f"kinds={brief(kinds)}: expected some of {KINDS}")
        allowed = list(dict.fromkeys(kinds))
        if config is None and set(allowed) & {"replica", "replica_cut", "slow", "disk"}:
            raise ValueError(f"kinds={brief(kinds)}: replica faults need config= (an EdgeConfig: how many replicas)")
        if "region" in allowed and not continents:
            raise ValueError("kinds: 'region' needs sites on more than one continent")
    clusters = list(topology.upstream)
    n_rep = config.replicas if config is not None else 0
    lost_disk: set = set()
    events: list = []
    for _ in range(count):
        start = rng.uniform(0, until_ms)
        end = min(until_ms, start + rng.uniform(0, longest))
        kind = rng.choice(allowed)
        if kind == "site":
            events += site_isolated(rng.choice(topology.sites), start, end)
        elif kind == "site_down":
            events += upstream_down(rng.choice(topology.sites), start, end)
        elif kind == "upstream":
            events += upstream_down(rng.choice(inner), start, end)
        elif kind == "region":
            events += region_cut(rng.choice(continents), start, end)
        elif kind == "disk":
            free = [s for s in topology.sites if s not in lost_disk]
            if free:
                site = rng.choice(free)
                lost_disk.add(site)
                events += disk_lost(f"{site}/r{rng.randrange(n_rep)}", start)
        else:
            rep = f"{rng.choice(clusters)}/r{rng.randrange(n_rep)}"
            if kind == "replica":
                events += replica_down(rep, start, end)
            elif kind == "replica_cut":
                events += replica_cut(rep, start, end)
            else:
                events += replica_slow(rep, start, end, rng.choice((20.0, 100.0, 400.0)))
    return tuple(sorted(events, key=lambda e: e.at_ms))
