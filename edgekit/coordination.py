"""The cost of coordination: what a write costs a client when replicas must agree.

One vocabulary for the whole kit (``DESIGNS``), priced here with round trips from
``rtt`` (by default ``geo.estimate_rtt_ms``; two parties at one site talk for free):

- **local write** (the talk's edge write): the client's own PoP accepts the write inside
  the request and replicates it later. 0 ms of wide-area time.
- **asynchronous primary**: one primary accepts every write and answers at once, then
  replicates. One round trip to the primary; a primary that fails first loses the write.
- **synchronous primary**: the primary answers only once *every* other replica has the
  write (classic synchronous primary-backup).
- **majority quorum**: the write counts once a majority holds it. With a fixed *leader*
  coordinating, this is how Raft and Multi-Paxos commit in the normal case; *leaderless*,
  the client's nearest replica coordinates (as ABD does).
- **leaderless N/R/W** (Dynamo): any replica coordinates and waits for W of the key's N
  replicas (``edgekit.consistency.Dynamo``; not priced here: it depends on the key).

Two variables separate the coordinated designs, and ``write_ms`` takes both: *who
coordinates* (a fixed leader, or the client's nearest replica) and *how many acks*
(none, a majority, all). Cost = ``rtt(client, coordinator)`` + the k-th smallest
``rtt(coordinator, r)`` over the other replicas, k = 0, ``n // 2`` or ``n - 1``.

Processing time, queueing, leader election and retries are left out: these are the costs
physics and routing impose before any software runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from . import geo
from ._checks import brief, check_int, check_items, check_seed

__all__ = [
    "DESIGNS",
    "ACKS",
    "WriteCost",
    "write_ms",
    "local_write_ms",
    "primary_write_ms",
    "quorum_write_ms",
    "nearest",
    "write_costs",
    "design_grid",
    "primary_ranking",
    "best_primary",
    "primary_win_shares",
    "round_trips_within",
    "COLD_START_MS",
    "BUDGETS_MS",
]

DESIGNS = {
    "local write": "the client's own site accepts the write and answers inside the request; "
                   "replication follows asynchronously (the talk's edge design)",
    "asynchronous primary": "one primary accepts every write and answers before replicating: "
                            "a round trip to the primary, and a primary crash loses acknowledged writes",
    "synchronous primary": "the primary answers only after every other replica has the write",
    "majority quorum": "a write counts once a majority of replicas hold it; with a fixed leader this "
                       "is how Raft and Multi-Paxos commit, leaderless the client's nearest replica coordinates",
    "leaderless N/R/W": "Dynamo-style: any replica coordinates; a write waits for W of the key's N "
                        "replicas and a read for R",
}
ACKS = ("none", "majority", "all")

# The talk's ~35 µs is how fast the edge runtime *starts* customer code (a cold start), not a
# request's deadline: compute costs microseconds, any wide-area round trip tens to hundreds of ms.
COLD_START_MS = 0.035


BUDGETS_MS = {"10 ms API call": 10.0, "100 ms page": 100.0, "1 s": 1000.0}

Rtt = Callable[[str, str], float]


@dataclass(frozen=True)
class WriteCost:
    """What one client site pays, in ms, for one write under each design (``primary`` is the leader)."""

    client: str
    local_ms: float
    async_primary_ms: float
    sync_primary_ms: float
    leader_majority_ms: float  # majority quorum coordinated by the primary (Raft-like)
    leaderless_majority_ms: float  # majority quorum coordinated by the client's nearest replica
    coordinator: str  # the replica nearest the client (it coordinates leaderless writes)

    @property
    def primary_ms(self) -> float:
        """The synchronous primary's cost (the design chapter 1 starts from)."""
        return self.sync_primary_ms

    @property
    def quorum_ms(self) -> float:
        """The leaderless majority quorum's cost."""
        return self.leaderless_majority_ms


def _code(c, name: str) -> str:
    if not isinstance(c, str):
        raise TypeError(f"{name}={brief(c)}: expected a place code such as 'LHR'")
    try:
        return geo.place(c).code
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _replicas(replicas) -> tuple[str, ...]:
    if isinstance(replicas, str) or not isinstance(replicas, Iterable):
        raise TypeError(f"replicas={brief(replicas)}: expected a list of place codes such as ['LHR', 'IAD', 'SYD']")
    codes = tuple(_code(r, "replicas") for r in replicas)
    if not codes:
        raise ValueError("replicas=[]: expected at least one replica site code")
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"replicas={brief(list(replicas))}: {', '.join(dup)} listed twice; expected distinct sites")
    return codes


def _rtt(rtt: Rtt | None) -> Rtt:
    if rtt is not None and not callable(rtt):
        raise TypeError(f"rtt={brief(rtt)}: expected a function (site, site) -> round trip in ms, or None")
    f = rtt or geo.estimate_rtt_ms

    def checked(a: str, b: str) -> float:
        if a == b:
            return 0.0
        ms = f(a, b)
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 <= ms < math.inf:
            raise ValueError(f"rtt({brief(a)}, {brief(b)}) returned {brief(ms)}: expected a finite round trip >= 0 ms")
        return float(ms)

    return checked


def _acks(acks: str) -> str:
    if acks not in ACKS:
        raise ValueError(f"acks={brief(acks)}: expected one of {list(ACKS)}")
    return acks


def _wait(coord: str, rs: tuple[str, ...], acks: str, f: Rtt) -> float:
    """How long ``coord`` waits for the acks it needs from the other replicas."""
    need = {"none": 0, "majority": len(rs) // 2, "all": len(rs) - 1}[acks]  # its own vote is free
    if not need:
        return 0.0
    return sorted(f(coord, r) for r in rs if r != coord)[need - 1]


def nearest(client: str, replicas, rtt: Rtt | None = None) -> str:
    """The replica with the smallest round trip from ``client`` (ties: first listed)."""
    c, rs, f = _code(client, "client"), _replicas(replicas), _rtt(rtt)
    return min(rs, key=lambda r: f(c, r))


def write_ms(client: str, replicas, leader: str | None = None, acks: str = "majority", rtt: Rtt | None = None) -> float:
    """Client -> coordinator (``leader``, or the client's nearest replica) -> the acks it needs -> client.

    >>> flat = lambda a, b: 100.0
    >>> write_ms("SYD", ["LHR", "IAD", "SYD"], leader="LHR", acks="all", rtt=flat)
    200.0
    >>> write_ms("SYD", ["LHR", "IAD", "SYD"], leader=None, acks="majority", rtt=flat)
    100.0
    """
    c, rs, f, a = _code(client, "client"), _replicas(replicas), _rtt(rtt), _acks(acks)
    if leader is None:
        coord = min(rs, key=lambda r: f(c, r))
    else:
        coord = _code(leader, "leader")
        if coord not in rs:
            raise ValueError(f"leader={brief(leader)}: expected one of the replica sites {list(rs)}")
    return f(c, coord) + _wait(coord, rs, a, f)


def local_write_ms(client: str, replicas=None, rtt: Rtt | None = None) -> float:
    """An edge write: accepted where the client is, replicated later. No wide-area wait."""
    _code(client, "client")
    return 0.0


def primary_write_ms(client: str, primary: str, replicas, rtt: Rtt | None = None, acks: str = "all") -> float:
    """Client -> primary -> (by default) every replica in parallel -> client: the synchronous primary.

    >>> flat = lambda a, b: 100.0
    >>> primary_write_ms("SYD", "LHR", ["LHR", "IAD", "SYD"], rtt=flat)
    200.0
    >>> primary_write_ms("SYD", "LHR", ["LHR", "IAD", "SYD"], rtt=flat, acks="none")   # asynchronous
    100.0
    """
    p, rs = _code(primary, "primary"), _replicas(replicas)
    if p not in rs:
        raise ValueError(f"primary={brief(primary)}: expected one of the replica sites {list(rs)}")
    return write_ms(client, rs, leader=p, acks=acks, rtt=rtt)


def quorum_write_ms(client: str, replicas, rtt: Rtt | None = None, leader: str | None = None) -> float:
    """A majority quorum write; leaderless (the client's nearest replica coordinates) unless ``leader``.

    >>> flat = lambda a, b: 100.0
    >>> quorum_write_ms("LHR", ["LHR", "IAD", "SYD"], rtt=flat)   # 1 of 2 others needed
    100.0
    >>> quorum_write_ms("JNB", ["LHR", "IAD", "SYD"], rtt=flat)   # and the client is remote
    200.0
    """
    return write_ms(client, replicas, leader=leader, acks="majority", rtt=rtt)


def _matrix(sites: tuple[str, ...], rtt: Rtt | None) -> dict[str, dict[str, float]]:
    """Round trips among a fixed set of sites, computed once: a widget redraw with 152 sites then
    costs O(n^2) lookups instead of O(n^3) model calls. The default model's tables are cached."""
    ss = tuple(dict.fromkeys(sites))
    if rtt is None:
        return _default_matrix(ss)
    f = _rtt(rtt)
    return {a: {b: f(a, b) for b in ss} for a in ss}


def _default_matrix(sites: tuple[str, ...]) -> dict[str, dict[str, float]]:
    full = _all_places_matrix()
    return {a: {b: full[a][b] for b in sites} for a in sites}


@lru_cache(maxsize=1)
def _all_places_matrix() -> dict[str, dict[str, float]]:
    """The default model between every pair of places (152 x 152), computed once per process."""
    f, codes = _rtt(None), [p.code for p in geo.places()]
    return {a: {b: f(a, b) for b in codes} for a in codes}


def _waits(d: dict, rs: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """For each replica as coordinator, how long it waits for each number of acks in ``ACKS``."""
    n, out = len(rs), {}
    for r in rs:
        row = sorted(d[r][x] for x in rs if x != r)
        out[r] = {"none": 0.0, "majority": row[n // 2 - 1] if n > 1 else 0.0, "all": row[-1] if row else 0.0}
    return out


def write_costs(replicas, primary: str, clients=None, rtt: Rtt | None = None) -> tuple[WriteCost, ...]:
    """Per client site (default: every replica site), the cost of one write under each design."""
    rs = _replicas(replicas)
    if clients is not None and (isinstance(clients, str) or not isinstance(clients, Iterable)):
        raise TypeError(f"clients={brief(clients)}: expected a list of place codes, or None for the replica sites")
    cs = rs if clients is None else tuple(_code(c, "clients") for c in clients)
    if not cs:
        raise ValueError("clients=[]: expected at least one client site code (or None for the replica sites)")
    p = _code(primary, "primary")
    if p not in rs:
        raise ValueError(f"primary={brief(primary)}: expected one of the replica sites {list(rs)}")
    d = _matrix(rs + cs, rtt)
    wait = _waits(d, rs)
    out = []
    for c in cs:
        coord = min(rs, key=lambda r, c=c: d[c][r])
        to_p, to_near = d[c][p], d[c][coord]
        out.append(WriteCost(
            client=c,
            local_ms=0.0,
            async_primary_ms=to_p,
            sync_primary_ms=to_p + wait[p]["all"],
            leader_majority_ms=to_p + wait[p]["majority"],
            leaderless_majority_ms=to_near + wait[coord]["majority"],
            coordinator=coord,
        ))
    return tuple(out)


def design_grid(costs: Iterable[WriteCost]) -> dict[tuple[str, str], float]:
    """Mean cost over clients, keyed by (who coordinates, how many acks): one variable at a time.

    ``("leader", "all")`` is the synchronous primary, ``("leader", "majority")`` a Raft-like
    commit, ``("nearest", "majority")`` a leaderless majority quorum.
    """
    cs = check_items(costs, "costs", WriteCost, "the WriteCosts from write_costs(...)")
    if not cs:
        raise ValueError("costs=(): expected the WriteCosts of at least one client")

    def mean(attr: str) -> float:
        return sum(getattr(c, attr) for c in cs) / len(cs)

    return {("leader", "none"): mean("async_primary_ms"), ("leader", "majority"): mean("leader_majority_ms"),
            ("leader", "all"): mean("sync_primary_ms"), ("nearest", "majority"): mean("leaderless_majority_ms")}


def _weights(clients) -> dict[str, float]:
    if not isinstance(clients, Mapping):
        raise TypeError(f"clients={brief(clients)}: expected a mapping of place code -> weight, e.g. {{'LHR': 3, 'SYD': 1}}")
    out: dict[str, float] = {}
    for c, w in clients.items():
        code = _code(c, "clients")
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w < 1e300:
            raise ValueError(f"clients[{brief(c)}]={brief(w)}: expected a finite weight >= 0")
        out[code] = out.get(code, 0.0) + float(w)
    if not out or sum(out.values()) == 0:
        raise ValueError(f"clients={brief(dict(clients))}: expected at least one site with a weight > 0")
    total = sum(out.values())
    if not math.isfinite(total):  # weights of 1e308 overflow the sum: only their ratios matter
        raise ValueError(f"clients: weights add up to {total}; expected a finite total (only ratios matter)")
    return out


def primary_ranking(replicas, clients, rtt: Rtt | None = None, acks: str = "all") -> tuple[tuple[str, float], ...]:
    """Every replica as primary, with the client-weighted mean write latency, best first."""
    rs, ws, a = _replicas(replicas), _weights(clients), _acks(acks)
    d = _matrix(rs + tuple(ws), rtt)
    wait = _waits(d, rs)
    total = sum(ws.values())
    scored = [(p, sum(w * (d[c][p] + wait[p][a]) for c, w in ws.items()) / total) for p in rs]
    return tuple(sorted(scored, key=lambda s: s[1]))  # stable: ties keep the listed order


def best_primary(replicas, clients, rtt: Rtt | None = None, acks: str = "all") -> str:
    """The replica that, as primary, minimises the weighted mean write latency of ``clients``."""
    return primary_ranking(replicas, clients, rtt, acks)[0][0]


def primary_win_shares(replicas, clients, trials: int = 200, seed: int = 0, acks: str = "all") -> dict[str, float]:
    """In how many plausible worlds (``geo.plausible_rtt``) each replica is the best primary.

    A ranking decided by a few ms under tens of ms of route error is a coin toss; this says so.
    """
    import random

    check_int(trials, "trials", 1, 10_000)
    rs, ws, a = _replicas(replicas), _weights(clients), _acks(acks)
    rng = random.Random(check_seed(seed))
    wins = dict.fromkeys(rs, 0)
    for _ in range(trials):
        wins[best_primary(rs, ws, geo.plausible_rtt(rng), a)] += 1
    return {r: n / trials for r, n in wins.items()}


def round_trips_within(budget_ms: float, rtt_ms: float) -> int:
    """How many sequential round trips of ``rtt_ms`` fit in ``budget_ms`` (whole ones only).

    >>> round_trips_within(1000, 281.3)
    3
    >>> round_trips_within(0.035, 1.2)
    0
    """
    for name, v in (("budget_ms", budget_ms), ("rtt_ms", rtt_ms)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{name}={brief(v)}: expected a number of milliseconds")
    if not 0 <= budget_ms < 1e300:
        raise ValueError(f"budget_ms={brief(budget_ms)}: expected a time >= 0 ms, and finite")
    if not 0 < rtt_ms < 1e300:
        raise ValueError(f"rtt_ms={brief(rtt_ms)}: expected a round trip > 0 ms, and finite")
    # A tiny tolerance so that 1000 / 100 counts as 10 despite floating point.
    return math.floor(budget_ms / rtt_ms + 1e-9)
