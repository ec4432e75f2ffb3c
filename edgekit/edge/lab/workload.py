"""Client load and fault timelines, shared by the edge system and the alternatives it is compared with.

A ``Workload`` is a seeded, lazy stream of client operations ``(time_ms,
site_index, key_index, is_write)``: arrivals are a Poisson process per site
(``rates``, operations per second), keys follow a Zipf law (key ``k0`` is the
most popular; weight of rank ``r`` is ``1 / r**zipf_s``), and each operation
is a write with probability ``write_fraction``. Iterating twice gives the same
operations; the stream never touches the simulator's random stream, so every
system sees exactly the same clients.

>>> w = Workload(("LHR", "SYD"), keys=100, ops=5, rates=50.0, seed=1)
>>> [(round(t, 1), w.sites[s], w.key(k), wr) for t, s, k, wr in w]   # doctest: +NORMALIZE_WHITESPACE
[(11.8, 'LHR', 'k3', False), (16.0, 'SYD', 'k0', True), (19.1, 'LHR', 'k6', False),
 (28.6, 'LHR', 'k5', False), (69.8, 'LHR', 'k3', False)]

Fault timelines are in ``edgekit.edge.lab.faults``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..._checks import brief

__all__ = ["Workload", "site_ids", "MAX_KEYS"]

_BATCH = 4096
MAX_KEYS = 1_000_000  # a Zipf table this long is 8 MB already; the notebooks use a few thousand
MAX_OPS = 100_000_000
MAX_RATE = 1_000_000.0  # operations per second per site: one every microsecond


def site_ids(count: int, kind: str = "pop", second_sites: bool = False) -> tuple[str, ...]:
    """The first ``count`` places of ``kind`` in ``data/places.csv``, one site per real PoP.

    Every id is a distinct real place, in file order. Asking for more sites than the data has
    is a ``ValueError``, unless ``second_sites=True``: then, once every place has a site, second
    sites in the same metros follow (``"LHR#2"``, then ``"LHR#3"`` ...), which add load but no
    new geography.

    >>> site_ids(3), len(set(site_ids(100)))
    (('IAD', 'ATL', 'BOS'), 100)
    >>> from edgekit import geo
    >>> pops = sum(p.kind == "pop" for p in geo.places())
    >>> site_ids(pops + 1, second_sites=True)[-1]
    'IAD#2'
    """
    from edgekit import geo

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count={brief(count)}: expected a positive integer")
    codes = [p.code for p in geo.places() if p.kind == kind]
    if not codes:
        raise ValueError(f"kind={brief(kind)}: no places of this kind in data/places.csv")
    if count <= len(codes):
        return tuple(codes[:count])
    if not second_sites:
        raise ValueError(
            f"count={count}: data/places.csv has only {len(codes)} places of kind={brief(kind)}; "
            f"expected at most {len(codes)}, or pass second_sites=True for extra sites in the same metros"
        )
    extra = (f"{c}#{i}" for i in itertools.count(2) for c in codes)
    return tuple(codes) + tuple(itertools.islice(extra, count - len(codes)))


@dataclass(frozen=True)
class Workload:
    """Who asks for what, when: sites, a Zipf key popularity, per-site rates, a read/write mix."""

    sites: tuple[str, ...]
    keys: int = 1_000
    ops: int = 10_000
    rates: float | Mapping[str, float] = 100.0  # operations per second, per site
    write_fraction: float = 0.2
    zipf_s: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.sites, str) or not isinstance(self.sites, Sequence) or not self.sites:
            raise ValueError(f"sites={brief(self.sites)}: expected a non-empty tuple of site ids")
        object.__setattr__(self, "sites", tuple(self.sites))
        bad = [s for s in self.sites if not isinstance(s, str) or not s]
        if bad or len(set(self.sites)) != len(self.sites):
            raise ValueError(f"sites={brief(self.sites)}: expected distinct site ids (strings such as 'LHR')")
        for name, top in (("keys", MAX_KEYS), ("ops", MAX_OPS)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= top:
                raise ValueError(f"{name}={brief(v)}: expected an integer in 1..{top:,}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"seed={brief(self.seed)}: expected an int (the same seed gives the same clients)")
        if isinstance(self.write_fraction, bool) or not (isinstance(self.write_fraction, (int, float))
                                                         and 0 <= self.write_fraction <= 1):
            raise ValueError(f"write_fraction={brief(self.write_fraction)}: expected a probability in [0, 1]")
        if isinstance(self.zipf_s, bool) or not (isinstance(self.zipf_s, (int, float)) and 0 <= self.zipf_s <= 10):
            raise ValueError(f"zipf_s={brief(self.zipf_s)}: expected an exponent in [0, 10] (0: uniform)")
        self.site_rates()  # checks every rate

    def site_rates(self) -> dict[str, float]:
        """Operations per second at each site."""
        rates = self.rates
        if isinstance(rates, Mapping):
            missing = [s for s in self.sites if s not in rates]
            if missing:
                raise ValueError(f"rates: no rate for sites {missing}; expected one per site")
            pairs = [(s, rates[s]) for s in self.sites]
        else:
            pairs = [(s, rates) for s in self.sites]
        for s, r in pairs:
            if isinstance(r, bool) or not isinstance(r, (int, float)):
                raise TypeError(f"rates: {brief(r)} for {brief(s)}: expected operations per second (a number)")
            if not 0 < r <= MAX_RATE:  # before float(): an int of 400 digits is no float
                raise ValueError(f"rates={brief(self.rates)}: expected operations per second in (0, {MAX_RATE:,.0f}] "
                                 "per site")
        return {s: float(r) for s, r in pairs}

    @property
    def total_rate(self) -> float:
        return sum(self.site_rates().values())

    @property
    def duration_ms(self) -> float:
        """Expected time the operations take to arrive."""
        return self.ops / self.total_rate * 1000.0

    def key(self, index: int) -> str:
        return f"k{index}"

    def key_names(self) -> list[str]:
        return [f"k{i}" for i in range(self.keys)]

    def __iter__(self) -> Iterator[tuple[float, int, int, bool]]:
        rng = random.Random(f"workload/{self.seed}")
        rates = list(self.site_rates().values())
        site_cum = list(itertools.accumulate(rates))
        key_cum = list(itertools.accumulate(1.0 / (r + 1) ** self.zipf_s for r in range(self.keys)))
        total = site_cum[-1] / 1000.0  # per ms: merged Poisson stream, a site picked by its rate
        wf = self.write_fraction
        sites_idx, keys_idx = range(len(rates)), range(self.keys)
        t = 0.0
        left = self.ops
        expo, rand, choices = rng.expovariate, rng.random, rng.choices
        while left:
            b = min(left, _BATCH)
            ss = choices(sites_idx, cum_weights=site_cum, k=b)
            ks = choices(keys_idx, cum_weights=key_cum, k=b)
            for s, k in zip(ss, ks, strict=True):
                t += expo(total)
                yield t, s, k, rand() < wf
            left -= b
