"""The knobs of the edge state system, as one printable, checked value.

>>> EdgeConfig(epoch_ms=500, read_miss="block").epoch_ms
500
>>> EdgeConfig(n=0)
Traceback (most recent call last):
...
ValueError: n=0: expected an integer >= 1 (copies of each key inside a site)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._checks import brief

__all__ = ["EdgeConfig", "READ_MISS", "CLOCKS", "MIN_EPOCH_MS"]

READ_MISS = ("missing", "block")
MIN_EPOCH_MS = 1.0
CLOCKS = ("physical", "hlc")


def _positive(name: str, v, *, integer: bool = False, what: str = "") -> None:
    kind = "an integer" if integer else "a finite number"
    ok = not isinstance(v, bool) and isinstance(v, int if integer else (int, float))
    if not ok or not (v > 0) or v == math.inf:
        raise ValueError(f"{name}={brief(v)}: expected {kind} > 0{what}")


@dataclass(frozen=True)
class EdgeConfig:
    """How every site, hub and the root behave in one run (times in ms, sizes in keys).

    In-site latency is the network's: ``LatencyModel.local_ms`` one way between a front end and
    its replicas (0.25 ms by default).
    """

    replicas: int = 3  # storage processes per cluster (site, hub or root)
    n: int = 2  # copies of each key inside a cluster (rendezvous hashing picks them)
    write_quorum: int = 1  # replicas that must store a write (or a child's sync) before it counts
    capacity: int | None = 10_000  # keys per site replica before LRU eviction (None: unbounded)
    hub_capacity: int | None = None  # keys per hub replica (the root is always unbounded)
    epoch_ms: float = 1_000.0  # how often a site replica pulls
    hub_epoch_ms: float | None = None  # how often a hub replica pulls (None: same as sites)
    gather_ms: float = 75.0  # how long a front end waits for more replies after the first
    read_miss: str = "missing"  # "missing": serve the miss; "block": fetch from upstream first
    miss_timeout_ms: float = 1_000.0  # how long a front end waits for an answer that may never come
    value_type: str = "lww"  # see edgekit.edge.values.VALUE_TYPES
    clock: str = "physical"  # LWW timestamps: the node's physical clock, or a hybrid logical clock

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"n={brief(self.n)}: expected an integer >= 1 (copies of each key inside a site)")
        _positive("replicas", self.replicas, integer=True, what=" (storage processes per site)")
        if self.n > self.replicas:
            raise ValueError(f"n={self.n}: expected at most replicas={self.replicas} "
                             "(a key cannot have more copies than the site has replicas)")
        for name in ("capacity", "hub_capacity"):
            v = getattr(self, name)
            if v is not None:
                _positive(name, v, integer=True, what=" keys, or None for unbounded")
        _positive("epoch_ms", self.epoch_ms, what=" (the time between two syncs)")
        if self.hub_epoch_ms is not None:
            _positive("hub_epoch_ms", self.hub_epoch_ms, what=" (the time between two hub syncs)")
        if (isinstance(self.write_quorum, bool) or not isinstance(self.write_quorum, int)
                or not 1 <= self.write_quorum <= self.n):
            raise ValueError(f"write_quorum={brief(self.write_quorum)}: expected an integer in 1..n={self.n} "
                             "(replicas that must store a write before it is acknowledged)")
        for name in ("epoch_ms", "hub_epoch_ms"):
            v = getattr(self, name)
            if v is not None and v < MIN_EPOCH_MS:
                raise ValueError(f"{name}={brief(v)}: expected at least {MIN_EPOCH_MS:g} ms (the talk's epochs "
                                 "are a second to a minute; shorter ones would only flood the simulator)")
        for name in ("gather_ms", "miss_timeout_ms"):
            _positive(name, getattr(self, name))
        if self.miss_timeout_ms < self.gather_ms:
            raise ValueError(f"miss_timeout_ms={brief(self.miss_timeout_ms)}: expected at least gather_ms="
                             f"{brief(self.gather_ms)} (a front end waits that long for a first reply)")
        if self.read_miss not in READ_MISS:
            raise ValueError(f"read_miss={brief(self.read_miss)}: expected one of {READ_MISS}")
        if self.clock not in CLOCKS:
            raise ValueError(f"clock={brief(self.clock)}: expected one of {CLOCKS}")
        from .values import VALUE_TYPES

        if not isinstance(self.value_type, str) or self.value_type not in VALUE_TYPES:
            raise ValueError(f"value_type={brief(self.value_type)}: expected one of {tuple(VALUE_TYPES)}")

    @property
    def upstream_epoch_ms(self) -> float:
        """The epoch of hubs."""
        return self.epoch_ms if self.hub_epoch_ms is None else self.hub_epoch_ms
