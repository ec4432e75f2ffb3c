"""Places on Earth and the speed-of-light limits on talking between them.

Distances are geodesics on the WGS-84 ellipsoid computed with Lambert's
formula for long lines: a closed form, good to a few tens of metres between
cities (the tests compare it with GeographicLib's exact geodesics). Lambert
follows the great circle of the reduced sphere, so for nearly antipodal points,
where the true geodesic swings over a pole, it can run up to 0.17% long
(equator to equator: 20,038 km against 20,004 km), still inside 0.5%. Times are round trips in milliseconds:
``min_rtt_ms`` is the physics bound (light there and back along the geodesic);
``estimate_rtt_ms`` is the measured round trip where ``data/rtt.csv`` has the
pair, and otherwise the bound scaled by a *median* line fitted to those
measurements (routes are longer than geodesics, and routers and hosts add a
little). The median line is a quantile fit, robust to the few routes that
detour far: half the measurements lie above it, half below. ``rtt_range_ms``
gives the band between the 10% and 90% lines, the honest error of a guess.

Places are read from ``data/places.csv``: edge PoPs by IATA-style metro code
(``"LHR"``) and cloud regions by provider id (``"azure:westeurope"``).
"""

from __future__ import annotations

import csv
import difflib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ._checks import brief

__all__ = [
    "C_VACUUM_KM_S",
    "FIBER_REFRACTIVE_INDEX",
    "WGS84_A_KM",
    "WGS84_F",
    "DATA_DIR",
    "Place",
    "Measurement",
    "Calibration",
    "places",
    "place",
    "great_circle_km",
    "min_rtt_ms",
    "measurements",
    "measured_rtt_ms",
    "calibration",
    "estimate_rtt_ms",
    "rtt_range_ms",
    "max_distance_km",
]

C_VACUUM_KM_S = 299_792.458  # exact, by the SI definition of the metre
# Group index of standard single-mode fibre (ITU-T G.652) near 1550 nm is about 1.467-1.47:
# light in glass covers roughly 204,000 km per second, about two thirds of c.
FIBER_REFRACTIVE_INDEX = 1.47
WGS84_A_KM = 6378.137  # equatorial radius
WGS84_F = 1 / 298.257223563  # flattening
DATA_DIR = Path(__file__).resolve().parents[1] / "data"

_MEDIA = ("fiber", "vacuum")


@dataclass(frozen=True)
class Place:
    """A named point: an edge PoP (``kind="pop"``) or a cloud region (``kind="cloud"``)."""

    code: str
    name: str
    city: str
    country: str
    continent: str
    kind: str
    provider: str
    lat: float
    lon: float
    source: str = ""


@dataclass(frozen=True)
class Measurement:
    """One measured round trip between two places in ``places()``, with where it came from."""

    a: str
    b: str
    rtt_ms: float
    source: str
    period: str


@dataclass(frozen=True)
class Calibration:
    """``line = inflation * fibre bound + constant_ms``: the ``quantile`` line through ``measurements()``.

    A quantile line has that share of the measurements at or below it: 0.5 is the median line
    (least absolute deviations), 0.1 a lower envelope of good routes, 0.9 an upper one.
    """

    quantile: float
    inflation: float
    constant_ms: float
    n: int
    residuals: tuple  # (a, b, measured_ms, line_ms, measured - line) per measurement
    rmse_ms: float
    median_abs_residual_ms: float
    max_abs_residual_ms: float
    share_over: float  # share of measurements the line overestimates (about 1 - quantile)


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Every place in ``data/places.csv``, in file order."""
    out = []
    for row in _read_csv("places.csv"):
        out.append(
            Place(
                code=row["code"],
                name=row["name"],
                city=row["city"],
                country=row["country"],
                continent=row["continent"],
                kind=row["kind"],
                provider=row["provider"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                source=row["source"],
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Place]:
    return {p.code.upper(): p for p in places()}


def place(code: str) -> Place:
    """The place with this code (case-insensitive).

    >>> place("lhr").city
    'London'
    """
    if not isinstance(code, str):
        raise TypeError(f"code={brief(code)}: expected a place code string such as 'LHR' or 'azure:westeurope'")
    found = _by_code().get(code.strip().upper())
    if found is None:
        close = difflib.get_close_matches(code.strip().upper(), list(_by_code()), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(_by_code()[c].code for c in close)}?" if close else ""
        raise ValueError(
            f"code={brief(code)}: unknown place; expected a code from data/places.csv "
            f"(e.g. 'LHR', 'SYD', 'azure:westeurope'){hint}"
        )
    return found


def _place(code, name: str) -> Place:
    """``place(code)``, with an error that names the caller's parameter."""
    try:
        return place(code)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


def _latlon(p, name: str) -> tuple[float, float]:
    """(lat, lon) in degrees from a code, a Place-like object or a pair; checks the ranges."""
    if isinstance(p, str):
        q = _place(p, name)
        return q.lat, q.lon
    if hasattr(p, "lat") and hasattr(p, "lon"):
        lat, lon = p.lat, p.lon
    else:
        try:
            lat, lon = p
        except (TypeError, ValueError):
            raise TypeError(
                f"{name}={brief(p)}: expected a (lat, lon) pair in degrees, an object with .lat and .lon, "
                "or a place code"
            ) from None
    for what, v, lim in (("latitude", lat, 90), ("longitude", lon, 180)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{name}={brief(p)}: {what} {brief(v)} is not a number")
        if not -lim <= v <= lim:  # also rejects NaN
            raise ValueError(f"{name}={brief(p)}: {what} {v} out of range; expected -{lim} to {lim} degrees")
    return float(lat), float(lon)


def great_circle_km(a, b) -> float:
    """Shortest distance over the WGS-84 ellipsoid, in km (Lambert's formula).

    >>> round(great_circle_km((90, 0), (-90, 0)))   # pole to pole: half a meridian
    20004
    >>> round(great_circle_km("LHR", "JFK"))
    5555
    """
    lat1, lon1 = _latlon(a, "a")
    lat2, lon2 = _latlon(b, "b")
    f = WGS84_F
    # Reduced (parametric) latitudes turn the ellipsoid problem into a sphere problem plus a correction.
    b1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    b2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    dlon = math.radians(lon2 - lon1)
    h = math.sin((b2 - b1) / 2) ** 2 + math.cos(b1) * math.cos(b2) * math.sin(dlon / 2) ** 2
    sigma = 2 * math.asin(math.sqrt(min(1.0, max(0.0, h))))  # central angle (haversine: stable near 0)
    if sigma == 0:
        return 0.0
    p, q = (b1 + b2) / 2, (b2 - b1) / 2
    cos2, sin2 = math.cos(sigma / 2) ** 2, math.sin(sigma / 2) ** 2
    # At exact antipodes cos(sigma/2) = 0 and the X term is 0/0; its limit there is 0.
    x = (sigma - math.sin(sigma)) * math.sin(p) ** 2 * math.cos(q) ** 2 / cos2 if cos2 > 1e-15 else 0.0
    y = (sigma + math.sin(sigma)) * math.cos(p) ** 2 * math.sin(q) ** 2 / sin2
    return WGS84_A_KM * (sigma - f / 2 * (x + y))


def _speed_km_s(medium: str, refractive_index: float | None) -> float:
    if medium not in _MEDIA:
        raise ValueError(f"medium={brief(medium)}: expected 'fiber' or 'vacuum'")
    if refractive_index is None:
        return C_VACUUM_KM_S / (FIBER_REFRACTIVE_INDEX if medium == "fiber" else 1.0)
    if medium == "vacuum":
        raise ValueError(f"refractive_index={brief(refractive_index)}: only meaningful with medium='fiber'")
    if isinstance(refractive_index, bool) or not isinstance(refractive_index, (int, float)):
        raise TypeError(f"refractive_index={brief(refractive_index)}: expected a number >= 1")
    if not 1 <= refractive_index <= 1e6:  # nothing outruns light in vacuum; NaN and inf fail too
        raise ValueError(f"refractive_index={brief(refractive_index)}: expected a number >= 1 (1 is vacuum) and finite")
    return C_VACUUM_KM_S / refractive_index


def min_rtt_ms(a, b, medium: str = "fiber", *, refractive_index: float | None = None) -> float:
    """The fastest possible round trip a -> b -> a along the geodesic, in ms.

    >>> round(min_rtt_ms((90, 0), (-90, 0), medium="vacuum"))   # antipodes: the talk's ~133 ms
    133
    >>> round(min_rtt_ms("LHR", "JFK"), 1)                      # in fibre (n = 1.47)
    54.5
    """
    return 2 * great_circle_km(a, b) / _speed_km_s(medium, refractive_index) * 1000


def max_distance_km(rtt_ms: float, medium: str = "fiber", *, refractive_index: float | None = None) -> float:
    """How far away a partner can be for a round trip to fit in ``rtt_ms`` (the inverse of ``min_rtt_ms``).

    >>> round(max_distance_km(0.035, medium="vacuum"), 2)   # the talk's 35 µs budget
    5.25
    """
    if isinstance(rtt_ms, bool) or not isinstance(rtt_ms, (int, float)):
        raise TypeError(f"rtt_ms={brief(rtt_ms)}: expected a number of milliseconds")
    if not 0 <= rtt_ms < 1e300:  # NaN, inf and ints too long for a float fail too
        raise ValueError(f"rtt_ms={brief(rtt_ms)}: expected a time >= 0 ms, and finite")
    return rtt_ms / 1000 * _speed_km_s(medium, refractive_index) / 2


@lru_cache(maxsize=1)
def measurements() -> tuple[Measurement, ...]:
    """Every measured round trip in ``data/rtt.csv`` (codes checked against ``places()``)."""
    out = []
    for row in _read_csv("rtt.csv"):
        a, b = place(row["from"]).code, place(row["to"]).code
        out.append(Measurement(a, b, float(row["rtt_ms"]), row["source"], row["period"]))
    return tuple(out)


def measured_rtt_ms(a, b) -> float | None:
    """The measured round trip between two places (mean of both directions if both are listed), or None.

    >>> measured_rtt_ms("JFK", "CDG")
    78.33
    """
    ca, cb = _place(a, "a").code, _place(b, "b").code
    found = _measured_index().get((ca, cb) if ca <= cb else (cb, ca))
    return sum(found) / len(found) if found else None


@lru_cache(maxsize=1)
def _measured_index() -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for m in measurements():
        out.setdefault((m.a, m.b) if m.a <= m.b else (m.b, m.a), []).append(m.rtt_ms)
    return out


def _quantile_fit(xs: list[float], ys: list[float], q: float) -> tuple[float, float]:
    """The line y = k x + c (k >= 1, c >= 0) minimising the quantile ("pinball") loss at ``q``.

    For a fixed slope the best constant is the q-quantile of y - k x; the loss of that best
    constant is convex in k, so a golden-section search over k finds the optimum.
    """
    def best_c(k: float) -> tuple[float, float]:
        r = sorted(y - k * x for x, y in zip(xs, ys, strict=True))
        c = max(0.0, r[max(0, math.ceil(q * len(r)) - 1)])  # a negative constant would undercut physics
        return sum(q * (e - c) if e >= c else (q - 1) * (e - c) for e in r), c

    lo, hi, g = 1.0, 6.0, (math.sqrt(5) - 1) / 2
    for _ in range(80):  # the bracket shrinks to 5 * 0.618**80: far below a thousandth
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if best_c(a)[0] <= best_c(b)[0]:
            hi = b
        else:
            lo = a
    k = (lo + hi) / 2
    return k, best_c(k)[1]


@lru_cache(maxsize=8)
def calibration(quantile: float = 0.5) -> Calibration:
    """Fit the ``quantile`` line ``measured = inflation * fibre bound + constant`` to ``data/rtt.csv``.

    >>> cal = calibration()
    >>> 0.4 < cal.share_over < 0.6   # the median line: about half above, half below
    True
    """
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile < 1:
        raise ValueError(f"quantile={brief(quantile)}: expected a number strictly between 0 and 1 (0.5: the median line)")
    ms = measurements()
    xs = [min_rtt_ms(m.a, m.b) for m in ms]
    ys = [m.rtt_ms for m in ms]
    k, c = _quantile_fit(xs, ys, float(quantile))
    res = tuple((m.a, m.b, m.rtt_ms, k * x + c, m.rtt_ms - (k * x + c)) for m, x in zip(ms, xs, strict=True))
    abs_r = sorted(abs(r[4]) for r in res)
    mid = len(abs_r) // 2
    median = abs_r[mid] if len(abs_r) % 2 else (abs_r[mid - 1] + abs_r[mid]) / 2
    return Calibration(
        quantile=float(quantile),
        inflation=k,
        constant_ms=c,
        n=len(ms),
        residuals=res,
        rmse_ms=math.sqrt(sum(r[4] ** 2 for r in res) / len(res)),
        median_abs_residual_ms=median,
        max_abs_residual_ms=abs_r[-1],
        share_over=sum(r[4] < 0 for r in res) / len(res),
    )


def _line_ms(a, b, quantile: float) -> float:
    cal = calibration(quantile)
    bound = min_rtt_ms(a, b)
    return max(bound, cal.inflation * bound + cal.constant_ms)


def estimate_rtt_ms(a, b) -> float:
    """A realistic round trip: the measurement if ``data/rtt.csv`` has one, else the median line.

    Never below the fibre bound. For a simulator link, one-way latency is half of this. Two
    distinct hosts at the same point get the line's constant alone (routers and hosts, no distance).

    >>> estimate_rtt_ms("JFK", "CDG")                       # measured
    78.33
    >>> round(estimate_rtt_ms("LHR", "JFK"))                # no measurement: the median line
    94
    """
    if isinstance(a, str) and isinstance(b, str):
        return _estimate_codes(a, b)  # cached: a 152-site widget asks for thousands of pairs per redraw
    return _line_ms(a, b, 0.5)


@lru_cache(maxsize=65_536)
def _estimate_codes(a: str, b: str) -> float:
    a, b = _place(a, "a").code, _place(b, "b").code  # checked here, on a miss: hits stay one dict lookup
    if a != b:
        measured = measured_rtt_ms(a, b)
        if measured is not None:
            return measured
    return _line_ms(a, b, 0.5)


def rtt_range_ms(a, b, low: float = 0.1, high: float = 0.9) -> tuple[float, float]:
    """Where a real route between ``a`` and ``b`` probably lies: the ``low`` and ``high`` quantile lines.

    Between the 10% and 90% lines lie 80% of the measurements: that is the error of
    ``estimate_rtt_ms`` for a pair that has no measurement of its own.

    >>> lo, hi = rtt_range_ms("LHR", "JFK")
    >>> lo < estimate_rtt_ms("LHR", "JFK") < hi
    True
    """
    for name, q in (("low", low), ("high", high)):
        if isinstance(q, bool) or not isinstance(q, (int, float)):
            raise TypeError(f"{name}={brief(q)}: expected a quantile strictly between 0 and 1")
    if not 0 < low < high < 1:
        raise ValueError(f"low={brief(low)}, high={brief(high)}: expected 0 < low < high < 1")
    return _line_ms(a, b, low), _line_ms(a, b, high)


def plausible_rtt(rng):
    """One plausible world: a round-trip function whose unmeasured routes are the median line times a
    ratio drawn (once per pair, from ``rng``) from the measured ratios ``measured / line``.

    Repeating a comparison in many such worlds says whether a difference is larger than the
    estimate's own error. Measured pairs keep their measurement; nothing falls below fibre.

    >>> import random
    >>> f = plausible_rtt(random.Random(1))
    >>> f("LHR", "JFK") == f("JFK", "LHR") >= min_rtt_ms("LHR", "JFK")
    True
    """
    ratios = [r[2] / r[3] for r in calibration().residuals]
    drawn: dict[tuple[str, str], float] = {}

    def rtt(a, b) -> float:
        ca, cb = place(a).code, place(b).code
        key = (ca, cb) if ca <= cb else (cb, ca)
        if ca == cb or measured_rtt_ms(ca, cb) is not None:
            return estimate_rtt_ms(ca, cb)
        if key not in drawn:
            drawn[key] = rng.choice(ratios)
        return max(min_rtt_ms(ca, cb), _line_ms(ca, cb, 0.5) * drawn[key])

    return rtt
