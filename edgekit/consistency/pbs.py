"""Probabilistically Bounded Staleness: how often a partial quorum reads the latest write.

Monte Carlo over the WARS model of Bailis, Venkataraman, Franklin, Hellerstein
and Stoica, "Probabilistically Bounded Staleness for Practical Partial
Quorums" (VLDB 2012). A write goes to all N replicas (leg W), each replica
acknowledges (leg A) and the write commits when W acknowledgements are back.
A read issued ``t`` ms later goes to all N replicas (leg R), each answers
(leg S) and the read returns after the first R answers. The read is
consistent when one of those R replicas had the write before the read
request reached it.

One trial gives one number, the smallest ``t`` at which that trial's read is
consistent (the responders do not depend on ``t``), so a whole curve comes
from one set of trials: the empirical distribution of those thresholds. The
curve is therefore monotone in ``t``.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import add, sub
from typing import Any

from .._checks import brief, check_seed

__all__ = [
    "Pareto",
    "Exponential",
    "Mixture",
    "WARS",
    "LATENCY_MODELS",
    "pbs_consistency",
    "t_visibility",
    "closed_form_consistency",
    "staleness_thresholds",
    "leg_samples",
]


@dataclass(frozen=True)
class Pareto:
    """Pareto(xm, alpha) in ms: ``xm`` is the minimum, ``alpha`` the tail index."""

    xm: float
    alpha: float

    def __post_init__(self) -> None:
        _positive_number("xm", self.xm)
        _positive_number("alpha", self.alpha)

    def samples(self, rng: random.Random, k: int) -> list[float]:
        u = rng.random
        return self.from_uniforms([u() for _ in range(k)])

    def from_uniforms(self, us: list[float]) -> list[float]:
        """The inverse CDF applied to uniforms in [0, 1)."""
        xm, inv = self.xm, -1.0 / self.alpha
        return [xm * (1.0 - x) ** inv for x in us]


@dataclass(frozen=True)
class Exponential:
    """Exponential with ``rate`` per ms (mean ``1 / rate`` ms)."""

    rate: float

    def __post_init__(self) -> None:
        _positive_number("rate", self.rate)

    def samples(self, rng: random.Random, k: int) -> list[float]:
        u = rng.random
        return self.from_uniforms([u() for _ in range(k)])

    def from_uniforms(self, us: list[float]) -> list[float]:
        """The inverse CDF applied to uniforms in [0, 1)."""
        log, mean = math.log, 1.0 / self.rate
        return [-log(1.0 - x) * mean for x in us]


@dataclass(frozen=True)
class Mixture:
    """With probability ``p`` sample ``first``, otherwise ``second``."""

    p: float
    first: Any
    second: Any

    def __post_init__(self) -> None:
        if isinstance(self.p, bool) or not isinstance(self.p, (int, float)):
            raise TypeError(f"p={brief(self.p)}: expected a probability in [0, 1]")
        if not 0 <= self.p <= 1:
            raise ValueError(f"p={brief(self.p)}: expected a probability in [0, 1]")
        for name in ("first", "second"):
            _leg(name, getattr(self, name))

    def samples(self, rng: random.Random, k: int) -> list[float]:
        u, p = rng.random, self.p
        if hasattr(self.first, "from_uniforms") and hasattr(self.second, "from_uniforms"):
            return self.from_uniforms([u() for _ in range(k)])
        pick = [u() < p for _ in range(k)]
        n_first = sum(pick)
        a, b = iter(_draw(self.first, rng, n_first)), iter(_draw(self.second, rng, k - n_first))
        return [next(a) if f else next(b) for f in pick]

    def from_uniforms(self, us: list[float]) -> list[float]:
        """One uniform per sample: below ``p`` it picks ``first`` and, rescaled by ``p``, is uniform again."""
        p, q, f, g = self.p, 1.0 - self.p, self.first, self.second
        if type(f) is Pareto and type(g) is Exponential:  # the published fits: one fused pass, 3x faster
            xm, inv, log, mean = f.xm, -1.0 / f.alpha, math.log, 1.0 / g.rate
            return [xm * (1.0 - x / p) ** inv if x < p else -log(1.0 - (x - p) / q) * mean for x in us]
        a = iter(f.from_uniforms([x / p for x in us if x < p]))
        b = iter(g.from_uniforms([(x - p) / q for x in us if x >= p]))
        return [next(a) if x < p else next(b) for x in us]


def _draw(leg: Any, rng: random.Random, k: int) -> list[float]:
    """``k`` samples from a leg: a distribution with ``samples(rng, k)`` or a callable ``rng -> ms``."""
    if hasattr(leg, "samples"):
        return leg.samples(rng, k)
    out = []
    for _ in range(k):
        x = leg(rng)
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"latency leg {brief(leg)} returned {brief(x)}: expected a number of ms")
        out.append(float(x))
    return out


def _checked(leg_name: str, xs: list[float]) -> list[float]:
    """Latency samples are finite and >= 0: one NaN would silently reorder every sort after it."""
    if xs and not (math.isfinite(sum(xs)) and min(xs) >= 0):
        bad = next((x for x in xs if not 0 <= x < math.inf), max(xs))  # or a sum that overflowed
        raise ValueError(f"latency.{leg_name}: a sample of {brief(bad)} ms; expected finite latencies >= 0")
    return xs


def _positive_number(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"{name}={brief(v)}: expected a finite number > 0")
    if not 0 < v < math.inf:
        raise ValueError(f"{name}={brief(v)}: expected a finite number > 0")
    return v


def _leg(name: str, part: Any) -> Any:
    if not (hasattr(part, "samples") or callable(part)):
        raise TypeError(f"{name}={brief(part)}: expected a distribution or a callable rng -> ms")
    return part


@dataclass(frozen=True)
class WARS:
    """One latency distribution per leg: W (write out), A (ack), R (read out), S (response)."""

    w: Any
    a: Any
    r: Any
    s: Any


# The fitted LinkedIn Voldemort models from Bailis et al. 2012, Table 3.
_SSD = Mixture(0.9122, Pareto(0.235, 10.0), Exponential(1.66))
_DISK_W = Mixture(0.38, Pareto(1.05, 1.51), Exponential(0.183))
LATENCY_MODELS: dict[str, WARS] = {
    "lnkd-ssd": WARS(_SSD, _SSD, _SSD, _SSD),
    "lnkd-disk": WARS(_DISK_W, _SSD, _SSD, _SSD),
}


def _int(name: str, value: Any, low: int, high: int | None = None, what: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}={brief(value)}: expected an int")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}={brief(value)}: expected an int {bound}{what}")
    return value


MAX_N = 64  # replicas: Dynamo-style stores use 3 to 5
MAX_SAMPLES = 2_000_000  # n * trials: each is four floats per leg, a few hundred MB at most


def _check_nrw(n: Any, r: Any, w: Any) -> None:
    _int("n", n, 1, MAX_N)
    _int("r", r, 1, n, f" (a read cannot wait for more than n={n} replicas)")
    _int("w", w, 1, n, f" (a write cannot wait for more than n={n} replicas)")


def _model(latency: Any) -> WARS:
    if isinstance(latency, str):
        if latency not in LATENCY_MODELS:
            raise ValueError(f"latency={brief(latency)}: expected one of {sorted(LATENCY_MODELS)} or a WARS model")
        return LATENCY_MODELS[latency]
    if all(hasattr(latency, leg) for leg in "wars"):
        for leg in "wars":
            _leg(f"latency.{leg}", getattr(latency, leg))
        return latency
    raise TypeError(f"latency={brief(latency)}: expected a model name or an object with legs w, a, r, s")


def staleness_thresholds(
    n: int, r: int, w: int, latency: Any = "lnkd-ssd", trials: int = 100_000, seed: int = 0, propagate: bool = True
) -> tuple[float, ...]:
    """Per trial, the smallest ``t`` (ms after commit) at which the read sees the write; sorted.

    With ``propagate=False`` the write reaches only the W replicas that
    acknowledged first and goes no further (threshold ``-inf`` or ``inf``).
    Seeded, so the same arguments give the same answer: the last few are
    cached (a curve and its t-visibility share one set of trials).
    """
    _check_nrw(n, r, w)
    model = _model(latency)
    _int("trials", trials, 1, MAX_SAMPLES // n, f" (n * trials is at most {MAX_SAMPLES:,} samples per leg)")
    check_seed(seed)
    try:
        hash(model)
    except TypeError:  # a model with unhashable legs: compute without the cache
        return _thresholds.__wrapped__(n, r, w, model, trials, seed, bool(propagate))
    return _thresholds(n, r, w, model, trials, seed, bool(propagate))


@lru_cache(maxsize=8)
def _thresholds(n: int, r: int, w: int, model: Any, trials: int, seed: int, propagate: bool) -> tuple[float, ...]:
    rng = random.Random(seed)
    # Column-wise: one list of ``trials`` samples per leg and replica, combined with map/zip,
    # so the per-trial work runs in C (min/max/sorted) rather than in a Python loop body.
    legs = {leg: [_checked(leg, _draw(getattr(model, leg), rng, trials)) for _ in range(n)] for leg in "wars"}
    acked = [list(map(add, W, A)) for W, A in zip(legs["w"], legs["a"], strict=True)]
    answered = [list(map(add, R, S)) for R, S in zip(legs["r"], legs["s"], strict=True)]
    if n == 1:  # map(min, *lists) needs two lists or more
        commit = list(acked[0])
    elif w == 1:
        commit = list(map(min, *acked))
    elif w == n:
        commit = list(map(max, *acked))
    else:
        commit = [sorted(t)[w - 1] for t in zip(*acked, strict=True)]
    if propagate:
        # Replica i has the write when the read request reaches it at commit + t + R[i],
        # that is when t >= W[i] - R[i] - commit: its "lead".
        lead = [list(map(sub, W, R)) for W, R in zip(legs["w"], legs["r"], strict=True)]
        if n == 1:
            first = list(lead[0])
        elif r == n:
            first = list(map(min, *lead))
        elif r == 1:  # (answer time, lead) pairs: the smallest pair is the first to answer
            first = [pair[1] for pair in map(min, *(zip(a, ld, strict=True) for a, ld in zip(answered, lead, strict=True)))]
        else:
            pairs = zip(*(zip(a, ld, strict=True) for a, ld in zip(answered, lead, strict=True)), strict=True)
            first = [min(ld for _, ld in sorted(t)[:r]) for t in pairs]
        out = list(map(sub, first, commit))
    else:  # only the replicas that acknowledged by the commit hold the write
        pairs = zip(*(zip(a, ak, strict=True) for a, ak in zip(answered, acked, strict=True)), strict=True)
        out = [-math.inf if any(ak <= c for _, ak in sorted(t)[:r]) else math.inf
               for t, c in zip(pairs, commit, strict=True)]
    out.sort()
    return tuple(out)


def _check_t(t: Any) -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0 <= t < 1e300):
        raise ValueError(f"t_ms={brief(t)}: expected a finite time in ms >= 0")
    return float(t)


def pbs_consistency(
    n: int,
    r: int,
    w: int,
    t_ms: float | Sequence[float] = 0.0,
    latency: Any = "lnkd-ssd",
    trials: int = 100_000,
    seed: int = 0,
    propagate: bool = True,
) -> float | list[float]:
    """P(a read ``t_ms`` after a write commits returns it or newer): a float, or a list for a sequence of t.

    >>> round(pbs_consistency(3, 2, 2, 0.0, trials=200), 3)   # R + W > N: always consistent
    1.0
    >>> c = pbs_consistency(3, 1, 1, [0, 1, 5], trials=2000, seed=1)
    >>> c == sorted(c)
    True
    """
    scalar = not isinstance(t_ms, (Sequence, range)) or isinstance(t_ms, str)
    ts = [_check_t(t_ms)] if scalar else [_check_t(t) for t in t_ms]
    th = staleness_thresholds(n, r, w, latency, trials, seed, propagate)
    curve = [bisect.bisect_right(th, t) / trials for t in ts]
    return curve[0] if scalar else curve


def t_visibility(
    n: int, r: int, w: int, p: float = 0.999, latency: Any = "lnkd-ssd", trials: int = 100_000, seed: int = 0
) -> float:
    """The smallest t (ms after commit) with ``pbs_consistency >= p`` (0.0 if already at t = 0).

    >>> t_visibility(3, 2, 2, 0.999, trials=500)
    0.0
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not (0 < p <= 1):
        raise ValueError(f"p={brief(p)}: expected a probability in (0, 1]")
    th = staleness_thresholds(n, r, w, latency, trials, seed)
    need = math.ceil(p * trials - 1e-9)
    return max(0.0, th[need - 1])


def closed_form_consistency(n: int, r: int, w: int, k: int = 1) -> float:
    """1 - (C(N-W, R) / C(N, R))**k: a write kept by exactly W random replicas, read k times.

    Bailis et al. 2012, eq. 1 (k = 1) and k-staleness (eq. 2).

    >>> round(closed_form_consistency(3, 1, 1), 4)   # one of three replicas has it
    0.3333
    >>> closed_form_consistency(3, 2, 2)   # R + W > N: quorums intersect
    1.0
    """
    _check_nrw(n, r, w)
    _int("k", k, 1, 10**9)
    return 1.0 - (math.comb(n - w, r) / math.comb(n, r)) ** k


def leg_samples(latency: Any = "lnkd-ssd", k: int = 2_000, seed: int = 0) -> dict[str, list[float]]:
    """``k`` sorted samples of each WARS leg (``"w"``, ``"a"``, ``"r"``, ``"s"``): what a curve is made of.

    >>> legs = leg_samples("lnkd-disk", k=500)
    >>> sorted(legs), legs["w"][250] > legs["a"][250]   # on disks the write leg is the slow one
    (['a', 'r', 's', 'w'], True)
    """
    model = _model(latency)
    _int("k", k, 1, MAX_SAMPLES)
    rng = random.Random(check_seed(seed))
    return {leg: sorted(_draw(getattr(model, leg), rng, k)) for leg in "wars"}
