"""Where a request's time goes, tier by tier: the runtime, the PoP, the client's trip, the root, the origin.

The fair comparison for edge state: compute costs microseconds (the talk's
runtime starts customer code in about 35 µs, ``coordination.COLD_START_MS``),
state inside the PoP a fraction of a millisecond, the client's own trip to its
PoP a few milliseconds, and every trip to another tier tens to hundreds of
milliseconds. Behind the root may sit the customer's *origin* (their own
servers, here a cloud region): the source of objects nobody has written at the
edge yet, reached only when the root does not have them either. The simulator
does not model the origin (its root answers "nothing written yet"); this ladder
prices it with the same round trips.

Round trips are ``geo.estimate_rtt_ms`` (a measurement where ``data/rtt.csv``
has one, else the median line) with ``geo.rtt_range_ms`` (the 10%-90% band);
the client's trip to its own PoP is the line's constant: routers and hosts, no
distance.

>>> [r.label for r in request_ladder()][:2]
['runtime cold start', 'state inside the PoP']
>>> ladder = {r.label: r for r in request_ladder()}
>>> ladder["runtime cold start"].ms < ladder["client to its own PoP"].low < ladder["PoP to the root"].low
True
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit import coordination as co
from edgekit import geo
from edgekit.sim import LatencyModel

__all__ = ["Rung", "request_ladder"]


@dataclass(frozen=True)
class Rung:
    """One tier's cost in ms: a best guess and a band (``low == high``: exact, no route involved)."""

    label: str
    ms: float
    low: float
    high: float
    how: str


def _trip(label: str, a: str, b: str, how: str) -> Rung:
    lo, hi = geo.rtt_range_ms(a, b)
    ms = geo.estimate_rtt_ms(a, b)
    return Rung(label, ms, min(lo, ms), max(hi, ms), how)


def request_ladder(pop: str = "SYD", root: str = "LHR", origin: str = "azure:eastus") -> tuple[Rung, ...]:
    """What one request pays at each tier, for a client of ``pop`` whose root is ``root`` and whose
    customer's origin is ``origin`` (any place codes of ``data/places.csv``)."""
    for name, code in (("pop", pop), ("root", root), ("origin", origin)):
        geo._place(code, name)  # an unknown or non-string code fails here, naming the parameter
    insite = 2 * LatencyModel().local_ms  # a front end's round trip to its replicas in the simulator
    here = _trip("client to its own PoP", pop, pop, "the median line's constant: routers and hosts, no distance")
    to_root = _trip("PoP to the root", pop, root, f"{pop} ↔ {root}: a blocking sync on a read miss")
    to_origin = _trip("root to the origin", root, origin, f"{root} ↔ {origin}: a miss the root cannot answer")
    return (
        Rung("runtime cold start", co.COLD_START_MS, co.COLD_START_MS, co.COLD_START_MS,
             "the talk's edge runtime starts customer code in about 35 µs"),
        Rung("state inside the PoP", insite, insite, insite, "a front end's round trip to its replicas"),
        here, to_root, to_origin,
        Rung("miss at PoP and root: to the origin and back", to_root.ms + to_origin.ms, to_root.low + to_origin.low,
             to_root.high + to_origin.high, f"{pop} → {root} → {origin} and back"),
    )
