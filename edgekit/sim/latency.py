"""Link latency: half the estimated round trip between two places, plus seeded jitter.

The base one-way delay between two places is ``rtt(a, b) / 2`` where ``rtt``
defaults to ``edgekit.geo.estimate_rtt_ms`` (the measured RTT where ``data/rtt.csv``
has the pair, else a speed-of-light bound inflated by the median line fitted to them). Nodes at the same coordinates
(a client and its PoP) get ``local_ms`` instead. With ``asymmetry`` > 0 the
two directions of each link differ, as real routes do: one way takes
``(1 + x) * rtt/2`` and the other ``(1 - x) * rtt/2``, with ``x`` uniform in
[-asymmetry, asymmetry], drawn once per pair of nodes from the run's seed. Each message then adds a
jitter sample whose mean is ``jitter_ms``, from one of:

- ``"none"``: no jitter, links are FIFO;
- ``"uniform"``: uniform on [0, 2 * ``jitter_ms``];
- ``"exponential"``: exponential with mean ``jitter_ms`` (queueing delay);
- ``"lognormal"``: lognormal with mean ``jitter_ms`` and shape ``sigma``
  (a long tail, as measured Internet delays have).

Samples come from a 65,536-slice quantile table of the distribution
(``edgekit.sim.jitter``): exact mean, CDF within 1/65,536 everywhere, one
random draw per message.

>>> lm = LatencyModel(jitter="uniform", jitter_ms=2.0, rtt=lambda a, b: 100.0)
>>> lm.base_one_way_ms((51.5, -0.1), (40.7, -74.0))
50.0
>>> lm.base_one_way_ms((51.5, -0.1), (51.5, -0.1))   # co-located
0.25
>>> sample = lm.sampler(random.Random(1))
>>> 0.0 <= sample() <= 4.0
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from .._checks import brief
from .jitter import TABLE_BITS, quantile_table

__all__ = ["LatencyModel", "Point", "resolve_place", "JITTERS"]

JITTERS = ("none", "uniform", "exponential", "lognormal")


@dataclass(frozen=True)
class Point:
    """A bare (lat, lon) place with an optional code, for places not in ``data/``."""

    lat: float
    lon: float
    code: str | None = None


def resolve_place(place, name: str = "place"):
    """A place object (with ``.lat``/``.lon``) from a PoP code, a Place, or a ``(lat, lon)`` pair;
    an error names the caller's parameter ``name``."""
    if isinstance(place, str):
        from .. import geo  # sim builds on geo; imported late so sim imports without it

        return geo._place(place, name)
    if hasattr(place, "lat") and hasattr(place, "lon"):
        return place
    if isinstance(place, (tuple, list)) and len(place) == 2:
        lat, lon = place
        ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon))
        if not ok or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"{name}={brief(place)}: expected (lat, lon) with lat in [-90, 90] and lon in [-180, 180]")
        return Point(float(lat), float(lon))
    raise TypeError(f"{name}={brief(place)}: expected a PoP code such as 'LHR', a Place, or a (lat, lon) pair")


def _geo_rtt(a, b) -> float:
    from .. import geo

    return geo.estimate_rtt_ms(a, b)


@dataclass(frozen=True)
class LatencyModel:
    """How long a message takes: ``rtt(a, b) / 2`` (or ``local_ms`` co-located) + jitter."""

    jitter: str = "none"
    jitter_ms: float = 0.0
    sigma: float = 1.0  # lognormal shape; 1.0 gives a tail of a few times the mean
    local_ms: float = 0.25  # one way, same building: well under a millisecond
    asymmetry: float = 0.0  # routes differ by direction: one way (1 + x) * rtt/2, back (1 - x) * rtt/2
    rtt: Callable | None = None  # (place_a, place_b) -> ms; None: edgekit.geo.estimate_rtt_ms

    def __post_init__(self) -> None:
        if self.jitter not in JITTERS:
            raise ValueError(f"jitter={brief(self.jitter)}: expected one of {', '.join(map(repr, JITTERS))}")
        if isinstance(self.asymmetry, bool) or not isinstance(self.asymmetry, (int, float)) or not (
            0 <= self.asymmetry < 1
        ):
            raise ValueError(f"asymmetry={brief(self.asymmetry)}: expected a fraction in [0, 1)")
        for name in ("jitter_ms", "sigma", "local_ms"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= v < math.inf):
                raise ValueError(f"{name}={brief(v)}: expected a finite number >= 0")
        if self.jitter == "lognormal" and self.sigma == 0:
            raise ValueError("sigma=0: expected sigma > 0 for lognormal jitter")
        if self.rtt is not None and not callable(self.rtt):
            raise TypeError(f"rtt={brief(self.rtt)}: expected a function (place_a, place_b) -> RTT in ms")

    def base_one_way_ms(self, a, b) -> float:
        """The jitter-free one-way delay between places ``a`` and ``b``."""
        a, b = resolve_place(a), resolve_place(b)
        if a.lat == b.lat and a.lon == b.lon:
            return float(self.local_ms)
        rtt = (self.rtt or _geo_rtt)(a, b)
        if not (rtt >= 0) or rtt == math.inf:
            raise ValueError(f"rtt({brief(a)}, {brief(b)})={brief(rtt)}: expected a finite RTT >= 0")
        return rtt / 2

    def jitter_table(self) -> memoryview | None:
        """The quantile table jitter is drawn from (``edgekit.sim.jitter``); None without jitter."""
        if self.jitter == "none" or self.jitter_ms == 0:
            return None
        return quantile_table(self.jitter, float(self.jitter_ms), float(self.sigma))

    def sampler(self, rng: random.Random) -> Callable[[], float] | None:
        """A zero-argument function drawing one jitter sample from ``rng``; None without jitter."""
        table = self.jitter_table()
        if table is None:
            return None
        bits = rng.getrandbits
        return lambda: table[bits(TABLE_BITS)]
