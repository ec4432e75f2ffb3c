"""How stale the reads of a run were, measured in the store's own version order.

Every replica answers a read with the tag of the version it returned and a
write with the tag it wrote, so a read's staleness is exact even for
last-writer-wins stores, where "newest" means "biggest tag", not "last to
finish". For a read called at time ``c``, the writes that *completed
before* ``c`` are the ones it should have seen:

* ``versions_behind``: how many of them have a bigger tag than the version read;
* ``time_behind_ms``: how long before ``c`` the first of those finished (0 when none).

``consistency_by_lag`` gives the PBS view of the same run: for each read,
how long after the most recent completed write it was called, and whether it
returned that write or a newer one.
"""

from __future__ import annotations

import bisect
import math
import statistics
from dataclasses import dataclass, replace

from .._checks import brief, check_items

__all__ = ["OpRecord", "SiteStats", "read_staleness", "site_stats", "consistency_by_lag"]


@dataclass(frozen=True)
class OpRecord:
    """One client operation with what the store said about it (``tag``: the version read or written)."""

    site: str
    client: str
    op: str  # "read" or "write"
    key: str
    value: str | None  # the value written
    call: float
    ret: float
    ok: bool
    tag: tuple | None
    read: str | None  # the value read
    versions_behind: int = 0
    time_behind_ms: float = 0.0

    @property
    def latency_ms(self) -> float:
        return self.ret - self.call

    @property
    def stale(self) -> bool:
        return self.versions_behind > 0


def _records(ops, name: str = "ops") -> tuple[OpRecord, ...]:
    return tuple(check_items(ops, name, OpRecord, "a list of OpRecord (a RunResult's .ops)"))


def _writes_by_key(ops) -> dict:
    """key -> completed writes sorted by return time, as (ret, tag)."""
    out: dict = {}
    for o in ops:
        if o.op == "write" and o.ok:
            out.setdefault(o.key, []).append((o.ret, o.tag))
    for ws in out.values():
        ws.sort()
    return out


def read_staleness(ops) -> tuple[OpRecord, ...]:
    """``ops`` with ``versions_behind`` and ``time_behind_ms`` filled in for successful reads.

    >>> w = OpRecord("IAD", "IAD", "write", "k0", "iad1", 0.0, 10.0, True, (5, "IAD"), None)
    >>> r = OpRecord("LHR", "LHR", "read", "k0", None, 50.0, 51.0, True, (0, ""), None)  # saw nothing
    >>> late = read_staleness([w, r])[1]
    >>> late.versions_behind, late.time_behind_ms
    (1, 40.0)
    """
    ops = _records(ops)
    writes = _writes_by_key(ops)
    out = []
    for o in ops:
        if o.op == "read" and o.ok:
            ws = writes.get(o.key, [])
            before = ws[: bisect.bisect_left(ws, (o.call,))]  # finished strictly before the call
            newer = [ret for ret, tag in before if tag > o.tag]
            if newer:
                o = replace(o, versions_behind=len(newer), time_behind_ms=o.call - min(newer))
        out.append(o)
    return tuple(out)


def consistency_by_lag(ops) -> list[tuple[float, bool]]:
    """For each successful read after some completed write: (ms since that write finished, saw it or newer).

    >>> w = OpRecord("IAD", "IAD", "write", "k0", "iad1", 0.0, 10.0, True, (5, "IAD"), None)
    >>> r = OpRecord("LHR", "LHR", "read", "k0", None, 50.0, 51.0, True, (5, "IAD"), "iad1")
    >>> consistency_by_lag([w, r])
    [(40.0, True)]
    """
    ops = _records(ops)
    writes = _writes_by_key(ops)
    out = []
    for o in ops:
        if o.op == "read" and o.ok:
            ws = writes.get(o.key, [])
            i = bisect.bisect_left(ws, (o.call,))
            if i:
                ret, tag = ws[i - 1]
                out.append((o.call - ret, o.tag >= tag))
    return out


def _quantile(xs: list[float], q: float) -> float:
    if not xs:
        return math.nan
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


@dataclass(frozen=True)
class SiteStats:
    """What the clients at one PoP saw."""

    site: str
    ops: int
    ok: int
    p50_ms: float  # latency of successful operations
    p95_ms: float
    reads: int  # successful reads
    stale_reads: int
    mean_versions_behind: float
    max_time_behind_ms: float

    @property
    def availability(self) -> float:
        """Share of this site's operations that succeeded (nan when it issued none)."""
        return self.ok / self.ops if self.ops else math.nan

    @property
    def stale_share(self) -> float:
        return self.stale_reads / self.reads if self.reads else math.nan


def site_stats(sites, ops) -> dict[str, SiteStats]:
    """Per-PoP availability, latency and staleness."""
    ops = _records(ops)
    if isinstance(sites, str) or not isinstance(sites, (list, tuple)) or not all(isinstance(x, str) for x in sites):
        raise TypeError(f"sites={brief(sites)}: expected a list of PoP codes such as ['IAD', 'LHR']")
    out = {}
    for s in sites:
        mine = [o for o in ops if o.site == s]
        good = [o for o in mine if o.ok]
        reads = [o for o in good if o.op == "read"]
        lat = [o.latency_ms for o in good]
        out[s] = SiteStats(
            site=s, ops=len(mine), ok=len(good),
            p50_ms=statistics.median(lat) if lat else math.nan, p95_ms=_quantile(lat, 0.95),
            reads=len(reads), stale_reads=sum(o.stale for o in reads),
            mean_versions_behind=statistics.fmean(o.versions_behind for o in reads) if reads else math.nan,
            max_time_behind_ms=max((o.time_behind_ms for o in reads), default=0.0),
        )
    return out
