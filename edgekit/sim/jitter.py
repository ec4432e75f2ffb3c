"""Jitter samples at the cost of one random draw and one list index.

A lognormal sample drawn the textbook way (Box-Muller, then ``exp``) costs
about 280 ns in Python, more than the rest of a message's path through the
network. So jitter is drawn from a *quantile table*: the distribution's
probability is cut into ``2**16`` equal slices, each slice is represented by
its conditional mean, and a sample is one slice picked by 16 random bits.

What that keeps, exactly (``tests/test_sim_jitter.py`` checks each):

- the mean (the table's atoms average to the distribution's mean);
- the distribution function at every slice boundary, so the table's CDF is
  within ``1 / 65536`` of the true one everywhere (a Kolmogorov-Smirnov
  distance far below what 10 million samples could detect);
- every atom lies inside its own slice, so samples are never negative and
  the order of quantiles is the distribution's.

What it gives up: values beyond the top slice's mean (the rarest
``1 / 65536`` of the tail) do not occur. Tables are built once per
distribution (about 30 ms) and cached; the randomness is the caller's
seeded ``random.Random``, as everywhere in edgekit. A table is a read-only
block of C doubles (512 kB), so a sample touches one cache line; a tuple of
float objects would scatter the same atoms over 2.5 MB, and a network run
measurably slower for the cache misses (``benchmarks/sim_throughput.py``).

>>> table = quantile_table("exponential", 2.0)
>>> len(table), round(sum(table) / len(table), 9)
(65536, 2.0)
>>> import random
>>> bits = random.Random(1).getrandbits
>>> sample = table[bits(TABLE_BITS)]
>>> 0.0 <= sample
True
"""

from __future__ import annotations

import math
from array import array
from functools import lru_cache
from statistics import NormalDist

from .._checks import brief, check_number

__all__ = ["TABLE_BITS", "quantile_table", "cdf"]

TABLE_BITS = 16
_K = 1 << TABLE_BITS
_SQRT2 = math.sqrt(2.0)


def _tails(kind: str, sigma: float) -> list[float]:
    """``E[X; X > q_i]`` for the slice boundaries ``q_0 = 0 < q_1 < ... < q_K = inf`` of the
    distribution with mean 1 (so ``tails[0] == 1`` and ``tails[K] == 0``)."""
    ps = [i / _K for i in range(1, _K)]
    if kind == "uniform":  # uniform on [0, 2): q = 2p, E[X; X > q] = (4 - q^2) / 4
        inner = [(4.0 - (2 * p) ** 2) / 4.0 for p in ps]
    elif kind == "exponential":  # q = -ln(1 - p), E[X; X > q] = (q + 1) e^-q
        inner = [(1.0 - p) * (1.0 - math.log1p(-p)) for p in ps]
    else:  # lognormal, mean 1: ln X ~ N(-sigma^2 / 2, sigma^2); E[X; X > q] = Phi(sigma - z), z = Phi^-1(p)
        inv = NormalDist().inv_cdf
        inner = [0.5 * math.erfc((inv(p) - sigma) / _SQRT2) for p in ps]
    return [1.0, *inner, 0.0]


def _check_shape(kind, mean, sigma) -> None:
    if not isinstance(kind, str) or kind not in ("uniform", "exponential", "lognormal"):
        raise ValueError(f"kind={brief(kind)}: expected 'uniform', 'exponential' or 'lognormal'")
    check_number(mean, "mean", 1e-300)
    check_number(sigma, "sigma", 1e-300)


def quantile_table(kind: str, mean: float, sigma: float = 1.0) -> memoryview:
    """The ``2**16`` atoms (slice means, ascending) of the jitter distribution ``kind`` with this
    mean: "uniform" on [0, 2 * mean], "exponential", or "lognormal" with shape ``sigma``; read-only."""
    _check_shape(kind, mean, sigma)  # before the cache, which would meet an unhashable kind first
    return _table(kind, mean, sigma)


@lru_cache(maxsize=64)
def _table(kind: str, mean: float, sigma: float) -> memoryview:
    tails = _tails(kind, float(sigma))
    scale = _K * mean
    return memoryview(array("d", [scale * (tails[i] - tails[i + 1]) for i in range(_K)])).toreadonly()


def cdf(kind: str, mean: float, sigma: float, x: float) -> float:
    """The exact distribution function, for tests and figures."""
    _check_shape(kind, mean, sigma)
    check_number(x, "x")
    if x <= 0:
        return 0.0
    if kind == "uniform":
        return min(1.0, x / (2 * mean))
    if kind == "exponential":
        return -math.expm1(-x / mean)
    mu = math.log(mean) - sigma**2 / 2
    return NormalDist(mu, sigma).cdf(math.log(x))
