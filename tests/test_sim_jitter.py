"""Jitter quantile tables (edgekit.sim.jitter) against the exact distributions."""

import bisect
import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.sim import LatencyModel
from edgekit.sim.jitter import TABLE_BITS, cdf, quantile_table

K = 1 << TABLE_BITS
KINDS = ("uniform", "exponential", "lognormal")


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(KINDS), mean=st.floats(0.01, 500.0), sigma=st.floats(0.2, 2.0))
def test_table_keeps_the_mean_and_each_atom_in_its_slice(kind, mean, sigma):
    table = quantile_table(kind, mean, sigma)
    assert len(table) == K
    assert math.isclose(sum(table) / K, mean, rel_tol=1e-9)
    assert all(a <= b for a, b in itertools.pairwise(table))
    # Atom i is the mean of slice i, so the exact CDF at it lies within that slice: the table's
    # CDF is never more than 1/K from the distribution's.
    for i in list(range(0, K, 997)) + [K - 1]:
        f = cdf(kind, mean, sigma, table[i])
        assert i / K - 1e-9 <= f <= (i + 1) / K + 1e-9, (i, f)


@pytest.mark.parametrize("kind", KINDS)
def test_samples_match_the_standard_library_samplers(kind):
    """Oracle: Kolmogorov-Smirnov two-sample test against random's own samplers (seeded)."""
    n = 20_000
    lm = LatencyModel(jitter=kind, jitter_ms=5.0, sigma=1.0)
    sample = lm.sampler(random.Random(11))
    ours = sorted(sample() for _ in range(n))
    r = random.Random(12)
    draw = {
        "uniform": lambda: r.uniform(0, 10.0),
        "exponential": lambda: r.expovariate(1 / 5.0),
        "lognormal": lambda: r.lognormvariate(math.log(5.0) - 0.5, 1.0),
    }[kind]
    theirs = sorted(draw() for _ in range(n))
    d = max(abs(bisect.bisect_right(ours, x) - bisect.bisect_right(theirs, x)) / n for x in ours + theirs)
    assert d < 1.95 * math.sqrt(2 / n)  # the 0.1% critical value


def test_same_seed_same_samples_and_tables_are_cached():
    lm = LatencyModel(jitter="lognormal", jitter_ms=3.0)
    a, b = lm.sampler(random.Random(5)), lm.sampler(random.Random(5))
    assert [a() for _ in range(100)] == [b() for _ in range(100)]
    assert lm.jitter_table() is LatencyModel(jitter="lognormal", jitter_ms=3.0).jitter_table()
    assert LatencyModel().jitter_table() is None and LatencyModel(jitter="uniform").jitter_table() is None


@pytest.mark.parametrize("kwargs,match", [({"kind": "pareto", "mean": 1.0}, "kind='pareto'"),
                                          ({"kind": "uniform", "mean": 0.0}, "mean=0.0"),
                                          ({"kind": "lognormal", "mean": 1.0, "sigma": -1.0}, "sigma=-1.0")])
def test_bad_table_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        quantile_table(**kwargs)
