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

Fault timelines (events for ``edgekit.sim.FaultModel``) for the three
situations the comparison needs, named by what breaks: ``site_isolated``,
``upstream_down`` and ``region_cut``; ``random_faults`` draws a mix of them.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from edgekit.sim.faults import Crash, Cut, Heal, Restart

__all__ = ["Workload", "site_ids", "site_isolated", "upstream_down", "region_cut", "random_faults"]

_BATCH = 4096


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
        raise ValueError(f"count={count!r}: expected a positive integer")
    codes = [p.code for p in geo.places() if p.kind == kind]
    if not codes:
        raise ValueError(f"kind={kind!r}: no places of this kind in data/places.csv")
    if count <= len(codes):
        return tuple(codes[:count])
    if not second_sites:
        raise ValueError(
            f"count={count}: data/places.csv has only {len(codes)} places of kind={kind!r}; "
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
            raise ValueError(f"sites={self.sites!r}: expected a non-empty tuple of site ids")
        object.__setattr__(self, "sites", tuple(self.sites))
        for name in ("keys", "ops"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={v!r}: expected a positive integer")
        if not (isinstance(self.write_fraction, (int, float)) and 0 <= self.write_fraction <= 1):
            raise ValueError(f"write_fraction={self.write_fraction!r}: expected a probability in [0, 1]")
        if not (isinstance(self.zipf_s, (int, float)) and 0 <= self.zipf_s < math.inf):
            raise ValueError(f"zipf_s={self.zipf_s!r}: expected a finite exponent >= 0 (0: uniform)")
        rates = self.site_rates()
        if any(not (r > 0 and r < math.inf) for r in rates.values()):
            raise ValueError(f"rates={self.rates!r}: expected finite operations per second > 0 per site")

    def site_rates(self) -> dict[str, float]:
        """Operations per second at each site."""
        if isinstance(self.rates, Mapping):
            missing = [s for s in self.sites if s not in self.rates]
            if missing:
                raise ValueError(f"rates: no rate for sites {missing}; expected one per site")
            return {s: float(self.rates[s]) for s in self.sites}
        return {s: float(self.rates) for s in self.sites}

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


# -- fault timelines -----------------------------------------------------------------------------


def site_isolated(site: str, at_ms: float, heal_ms: float) -> tuple:
    """One site loses every link (it keeps serving its clients locally).

    The simulator's selectors match place codes too, so a site id that is its PoP's code
    (``"LHR"``) names everything housed in that PoP: a hub or root placed there, or a second
    site ``"LHR#2"``, is cut off with it, as it would be when a PoP's uplinks fail.
    """
    return (Cut(at_ms, site, "*"), Heal(heal_ms, site, "*"))


def upstream_down(node: str, at_ms: float, restart_ms: float) -> tuple:
    """A hub (or the root) crashes and comes back; its store is its disk and survives."""
    return (Crash(at_ms, node), Restart(restart_ms, node))


def region_cut(region: str, at_ms: float, heal_ms: float) -> tuple:
    """Every node in ``region`` (a continent or country) is cut off from every other node."""
    return (Cut(at_ms, region, "*"), Heal(heal_ms, region, "*"))


def random_faults(rng: random.Random, topology, until_ms: float, count: int = 3,
                  max_length_ms: float | None = None) -> tuple:
    """``count`` faults of random kinds, places and times within ``[0, until_ms]``; all heal.
    Region cuts are drawn only when the topology spans more than one continent."""
    from ..topology import site_place

    longest = until_ms / 2 if max_length_ms is None else max_length_ms
    inner = [n for n in topology.upstream if n not in topology.sites]
    where = {n: site_place(n).continent for n in topology.upstream}
    # A region cut needs someone on the other side: skip continents that hold every node.
    continents = sorted({where[s] for s in topology.sites if any(c != where[s] for c in where.values())})
    kinds = ("site", "upstream", "region") if continents else ("site", "upstream")
    events: list = []
    for _ in range(count):
        start = rng.uniform(0, until_ms)
        end = min(until_ms, start + rng.uniform(0, longest))
        kind = rng.choice(kinds)
        if kind == "site":
            events += site_isolated(rng.choice(topology.sites), start, end)
        elif kind == "upstream":
            events += upstream_down(rng.choice(inner), start, end)
        else:
            events += region_cut(rng.choice(continents), start, end)
    return tuple(sorted(events, key=lambda e: e.at_ms))
