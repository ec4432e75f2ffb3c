"""Why "R + W > N" is not "linearizable": two runs where overlapping quorums still misbehave.

"Every read quorum meets every write quorum" promises that a read *contacts* a
replica holding the latest completed write. Two things can still go wrong, and
the checker (``check_linearizable``) catches both:

* ``skewed_coordinator``: Dynamo orders versions by the *coordinator's wall clock*
  (last writer wins). A coordinator whose clock runs slow stamps a new write with
  an old time, so the overlapping read finds it and still prefers an older value:
  chapter 2's clock skew, inside a "strict" quorum.
* ``new_old_inversion``: a write still in flight has reached one replica. A read that
  meets that replica returns the new value; a later read that meets two others returns
  the old one. Read repair comes after the answer, too late. ABD (``Quorum``) writes the
  value back to a majority *before* answering, which is exactly the difference.

Both are scripted or seeded and so the same on every run. ``consistency_map`` puts the kit's
designs side by side: which is linearizable, and who can still write during a cut.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .._checks import brief
from ..clocks.physical import PhysicalClock
from ..sim import FaultModel
from .available import Available
from .dynamo import Dynamo
from .primary import Primary
from .quorum import Quorum
from .run import DEFAULT_LATENCY, RunResult, run_store, store_spec
from .workload import Workload

__all__ = ["skewed_coordinator", "new_old_inversion", "INVERSION_SITES", "SLOW_LINKS", "MAP_DESIGNS",
           "writes_during_cut", "consistency_map"]

# A skewed-clock run: a read-heavy workload on chapter 3's world; the seed is one where a read
# lands right after Sydney's write (tests/test_consistency_caveats.py checks the unskewed run passes).
_SKEW_WORKLOAD = Workload(duration_ms=3_000.0, think_ms=60.0, read_fraction=0.9)
_SKEW_HOLDERS = ("LHR", "IAD", "NRT")

# The inversion: Washington's write reaches London and Tokyo slowly (a congested path, six times
# the usual round trip), Chicago reads at once, Frankfurt a little later.
INVERSION_SITES = ("IAD", "ORD", "LHR", "FRA", "NRT")
SLOW_LINKS = frozenset({frozenset(("IAD", "LHR")), frozenset(("IAD", "NRT")), frozenset(("IAD", "FRA"))})
_SCRIPT = (("IAD", 0.0, "write"), ("ORD", 20.0, "read"), ("FRA", 150.0, "read"))


def _world_site(site, name: str = "site") -> str:
    """One of chapter 3's ``WORLD`` sites: the runs here have a node (and a client) nowhere else."""
    from .scenarios import WORLD

    if not isinstance(site, str):
        raise TypeError(f"{name}={brief(site)}: expected a site code of chapter 3's world, one of {list(WORLD)}")
    if site not in WORLD:
        raise ValueError(f"{name}={brief(site)}: expected a site code of chapter 3's world, one of {list(WORLD)}")
    return site


def skewed_coordinator(skew_ms: float = -300.0, site: str = "SYD", seed: int = 1) -> RunResult:
    """Dynamo N=3, R=W=2 (quorums overlap) on chapter 3's ``WORLD``, with ``site``'s clock off by ``skew_ms``."""
    from .scenarios import WORLD

    if isinstance(skew_ms, bool) or not isinstance(skew_ms, (int, float)):
        raise TypeError(f"skew_ms={brief(skew_ms)}: expected a clock offset in ms, a finite number")
    if not -1e300 < skew_ms < 1e300:  # NaN and inf fail too; no float(): 10**400 would overflow
        raise ValueError(f"skew_ms={brief(skew_ms)}: expected a clock offset in ms, a finite number")
    _world_site(site)
    fm = FaultModel(clocks=((site, PhysicalClock(offset_ms=skew_ms)),)) if skew_ms else None
    return run_store(Dynamo(3, 2, 2, holders=_SKEW_HOLDERS), WORLD, fm, _SKEW_WORKLOAD, seed)


def _slow_rtt(a, b) -> float:
    from .. import geo

    rtt = geo.estimate_rtt_ms(a.code, b.code)
    return 6 * rtt if frozenset((a.code, b.code)) in SLOW_LINKS else rtt


def new_old_inversion(store="dynamo", read_repair: bool = True) -> RunResult:
    """One write from IAD and two reads (ORD, then FRA) while the write is still travelling.

    ``store="dynamo"``: N=3 on IAD, LHR, NRT with R=W=2; ``store="quorum"``: ABD on every site.
    """
    if isinstance(store, str) and store == "dynamo":
        spec = Dynamo(3, 2, 2, holders=("IAD", "LHR", "NRT"), read_repair=read_repair)
    else:
        spec = store_spec(store, "store")
    latency = dataclasses.replace(DEFAULT_LATENCY, jitter="none", rtt=_slow_rtt)
    wl = Workload(duration_ms=1_000.0, timeout_ms=2_000.0, script=_SCRIPT)
    return run_store(spec, INVERSION_SITES, None, wl, seed=0, latency=latency)


# The designs of chapter 3's consistency map, by the kit's vocabulary (edgekit.coordination.DESIGNS).
MAP_DESIGNS = {
    "synchronous primary (IAD)": Primary(acks="all"),
    "asynchronous primary (IAD)": Primary(acks="none"),
    "majority quorum led by IAD": Primary(acks="majority"),
    "majority quorum, leaderless (ABD)": Quorum(),
    "leaderless N=3 R=W=2 (LHR, IAD, NRT)": Dynamo(3, 2, 2, holders=("LHR", "IAD", "NRT")),
    "leaderless N=3 R=W=1 (LHR, IAD, NRT)": Dynamo(3, 1, 1, holders=("LHR", "IAD", "NRT")),
    "local write (AP)": Available(),
}


def writes_during_cut(spec, site: str, cut: str = "Europe cut off") -> bool:
    """Whether every write a client at ``site`` makes during ``cut`` completes (two scripted writes)."""
    from .scenarios import CUT_MS, HEAL_MS, WORLD, cap_faults

    spec, site = store_spec(spec, "spec"), _world_site(site)
    wl = Workload(duration_ms=3_000.0, timeout_ms=1_000.0, script=((site, CUT_MS + 100, "write"),
                                                                    (site, CUT_MS + 500, "write")))
    res = run_store(spec, WORLD, cap_faults(cut), wl, seed=0)
    writes = [o for o in res.ops if o.site == site and o.op == "write" and CUT_MS <= o.call < HEAL_MS]
    return bool(writes) and all(o.ok for o in writes)


def consistency_map(designs: dict | None = None, cut: str = "Europe cut off") -> list[dict]:
    """Per design: linearizable on a fault-free run of chapter 3's world (seed 0), and whether London
    and Washington can still write during ``cut``. Plain rows; chapter 5 adds the edge store's."""
    from .scenarios import WORLD, cap_faults

    if designs is not None and not isinstance(designs, Mapping):
        raise TypeError(f"designs={brief(designs)}: expected a dict of name -> store spec, or None for MAP_DESIGNS")
    designs = designs or MAP_DESIGNS
    for name, spec in designs.items():
        store_spec(spec, f"designs[{brief(name)}]")
    cap_faults(cut)  # a bad cut fails now, not after the fault-free runs
    out = []
    for name, spec in designs.items():
        ok = run_store(spec, WORLD, None, Workload(duration_ms=2_000.0), seed=0).check().ok
        out.append(dict(design=name, linearizable=ok, london_writes_in_cut=writes_during_cut(spec, "LHR", cut),
                        washington_writes_in_cut=writes_during_cut(spec, "IAD", cut)))
    return out
