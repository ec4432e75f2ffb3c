"""How an asynchronous primary loses an acknowledged write: a small world and a fault schedule.

Three PoPs, the primary in London (``edgekit.edge.lab.primary``). London's
clients write the key ``cart`` every 250 ms from 500 ms to 5 s, and Washington
and Sydney read it as often. ``failover_run(faults)`` runs that world under a
fault timeline of ``edgekit.sim`` events (``Cut``, ``Heal``, ``Crash``,
``Restart``, ``DiskLoss``), then heals everything, lets the protocol go quiet
(no repair pass) and judges the run with the lost-write check: the clients'
own record of what was acknowledged against the primary's final state.

The primary answers before replicating, so a write is at risk from its
acknowledgement until its ``Append`` reaches a replica. A crash keeps the disk
and only delays; a replica's lost disk is refilled from the primary's log; a
primary's lost disk is restored from the replicas, and whatever none of them
had is gone. On a healthy network the window is a one-way trip (the ``Append``
leaves with the acknowledgement); a cut holds it open.

>>> from edgekit.sim import Crash, Restart
>>> failover_run([Crash(1_000, "LHR"), Restart(2_000, "LHR")]).lost   # a crash keeps the disk
0
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit.sim import Crash, Cut, DiskLoss, FaultModel, Heal, Restart

from ..._checks import brief
from .primary import PrimaryConfig, PrimarySystem

__all__ = ["FAILOVER_SITES", "PRIMARY", "WRITE_TIMES_MS", "END_MS", "FailoverRun", "failover_run", "check_schedule"]

FAILOVER_SITES = ("LHR", "IAD", "SYD")
PRIMARY = "LHR"
WRITE_TIMES_MS = tuple(500.0 + 250.0 * i for i in range(19))  # 500 ms ... 5,000 ms
END_MS = 6_000.0  # faults happen in [0, END_MS]; then everything heals
MAX_EVENTS = 20
_EVENTS = (Cut, Heal, Crash, Restart, DiskLoss)


@dataclass(frozen=True)
class FailoverRun:
    """One run of the world: what its clients were told, and what the lost-write check found."""

    faults: tuple
    acknowledged: int  # London's writes acknowledged
    failed: int  # ... and refused
    lost: int  # acknowledged writes missing from the final state (the lost-write check)
    lost_at_ms: tuple  # when each lost write was acknowledged
    problems: tuple  # the check's own words, one per problem
    restores: int  # how many times the primary restored its state from the replicas
    settled: bool  # the protocol went quiet after the heal

    @property
    def verdict(self) -> str:
        if self.lost:
            when = ", ".join(f"{t:,.0f}" for t in self.lost_at_ms)
            return f"{self.lost} acknowledged write(s) lost, acknowledged at {when} ms ({self.problems[0]})"
        return f"no acknowledged write lost ({self.acknowledged} acknowledged, {self.failed} refused)"


def check_schedule(faults) -> tuple:
    """``faults`` as a tuple of ``edgekit.sim`` events, checked: known nodes, times in [0, END_MS]."""
    if isinstance(faults, FaultModel):
        faults = faults.timeline
    if isinstance(faults, (str, bytes, dict)) or not hasattr(faults, "__iter__"):
        raise TypeError(f"faults={brief(faults)}: expected a list of fault events such as "
                        "[Cut(1000, 'LHR', '*'), DiskLoss(2000, 'LHR'), Heal(3000, 'LHR', '*')]")
    events = tuple(faults)
    if len(events) > MAX_EVENTS:
        raise ValueError(f"faults: {len(events)} events; expected at most {MAX_EVENTS}")
    for ev in events:
        if not isinstance(ev, _EVENTS):
            raise TypeError(f"faults: {brief(ev)} is not one of Cut, Heal, Crash, Restart, DiskLoss (from edgekit.sim)")
        if not 0 <= ev.at_ms <= END_MS:
            raise ValueError(f"faults: {ev}: expected a time between 0 and {END_MS:g} ms (the clients stop at 5 s)")
        names = (ev.node,) if hasattr(ev, "node") else tuple(x for side in (ev.side_a, ev.side_b) if side for x in side)
        bad = [n for n in names if n not in (*FAILOVER_SITES, "*")]
        if bad:
            raise ValueError(f"faults: {ev}: {brief(bad[0])} is not a node here; expected one of {list(FAILOVER_SITES)}"
                             " (or '*' for everyone)")
    return events


def failover_run(faults=(), seed: int = 0) -> FailoverRun:
    """Run the world under ``faults``, heal, go quiet, and check for lost acknowledged writes."""
    events = check_schedule(faults)
    system = PrimarySystem(FAILOVER_SITES, primary=PRIMARY, config=PrimaryConfig(value_type="gcounter"), seed=seed,
                           faults=FaultModel(timeline=events))
    for t in WRITE_TIMES_MS:
        system.sim.call_at(t, system.invoke, PRIMARY, "write", "cart")
        for reader in FAILOVER_SITES[1:]:
            system.sim.call_at(t + 100.0, system.invoke, reader, "read", "cart")
    system.sim.run(until=END_MS + 1.0)
    settled = system.settle()
    lost = system.lost_writes()
    obs, final = system.observer, system.authority("cart")
    acked = len(obs.write_ms.get(PRIMARY, ()))
    lost_at = tuple(t for t, w in zip(obs.acked_times.get("cart", ()), obs.acked.get("cart", ()), strict=True)
                    if not obs.leq(w, final))
    return FailoverRun(events, acked, len(WRITE_TIMES_MS) - acked, lost.lost, lost_at, tuple(lost.problems),
                       system.nodes[PRIMARY].restores, settled)
