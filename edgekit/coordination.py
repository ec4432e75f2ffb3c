"""The cost of coordination: what a write costs a client when replicas must agree.

Three ways to accept a write from a client at site ``c``, given replica sites
(every latency is a round trip in ms from ``rtt``, by default the calibrated
``geo.estimate_rtt_ms``; two parties at the same site talk for free):

- **local** (the talk's edge write): the client's own PoP accepts the write and
  answers inside the request; replication happens later, asynchronously.
  Cost 0 ms of wide-area time.
- **single primary** (synchronous primary-backup): the client sends the write to
  the primary, the primary sends it to every other replica in parallel and
  waits for *all* acknowledgements, then acknowledges the client.
  Cost ``rtt(c, primary) + max over replicas r != primary of rtt(primary, r)``.
- **majority quorum** (as in Paxos/Raft's accept phase with a stable leader at
  the client's nearest replica): the client sends the write to its nearest
  replica, which acts as coordinator, counts its own vote, sends to all other
  replicas in parallel and waits for the fastest ``floor(n/2)`` of them.
  Cost ``rtt(c, coordinator) + (floor(n/2))-th smallest rtt(coordinator, r)``.

Processing time, queueing and retries are left out: these are the costs
physics and routing impose before any software runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from . import geo
from ._checks import brief

__all__ = [
    "WriteCost",
    "local_write_ms",
    "primary_write_ms",
    "quorum_write_ms",
    "nearest",
    "write_costs",
    "primary_ranking",
    "best_primary",
    "round_trips_within",
    "BUDGETS_MS",
]

# The talk's ~35 µs edge request budget, a 100 ms page budget, a 1 s patience budget.
BUDGETS_MS = {"35 µs request": 0.035, "100 ms page": 100.0, "1 s": 1000.0}

Rtt = Callable[[str, str], float]


@dataclass(frozen=True)
class WriteCost:
    """What one client site pays, in ms, for one write under each scheme."""

    client: str
    local_ms: float
    primary_ms: float
    quorum_ms: float
    coordinator: str  # the replica that coordinates this client's quorum write


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


def nearest(client: str, replicas, rtt: Rtt | None = None) -> str:
    """The replica with the smallest round trip from ``client`` (ties: first listed)."""
    c, rs, f = _code(client, "client"), _replicas(replicas), _rtt(rtt)
    return min(rs, key=lambda r: f(c, r))


def local_write_ms(client: str, replicas=None, rtt: Rtt | None = None) -> float:
    """An edge write: accepted where the client is, replicated later. No wide-area wait."""
    _code(client, "client")
    return 0.0


def primary_write_ms(client: str, primary: str, replicas, rtt: Rtt | None = None) -> float:
    """Client -> primary -> all replicas in parallel (wait for every ack) -> client.

    >>> flat = lambda a, b: 100.0
    >>> primary_write_ms("SYD", "LHR", ["LHR", "IAD", "SYD"], rtt=flat)
    200.0
    >>> primary_write_ms("LHR", "LHR", ["LHR", "IAD", "SYD"], rtt=flat)
    100.0
    """
    c, rs, f = _code(client, "client"), _replicas(replicas), _rtt(rtt)
    p = _code(primary, "primary")
    if p not in rs:
        raise ValueError(f"primary={brief(primary)}: expected one of the replica sites {list(rs)}")
    return f(c, p) + max((f(p, r) for r in rs if r != p), default=0.0)


def quorum_write_ms(client: str, replicas, rtt: Rtt | None = None) -> float:
    """Client -> nearest replica, which waits for a majority (itself + the fastest floor(n/2) others).

    >>> flat = lambda a, b: 100.0
    >>> quorum_write_ms("LHR", ["LHR", "IAD", "SYD"], rtt=flat)   # 1 of 2 others needed
    100.0
    >>> quorum_write_ms("JNB", ["LHR", "IAD", "SYD"], rtt=flat)   # and the client is remote
    200.0
    """
    c, rs, f = _code(client, "client"), _replicas(replicas), _rtt(rtt)
    coord = min(rs, key=lambda r: f(c, r))
    others = sorted(f(coord, r) for r in rs if r != coord)
    need = len(rs) // 2  # majority is n//2 + 1 votes; the coordinator's own vote is free
    return f(c, coord) + (others[need - 1] if need else 0.0)


def write_costs(replicas, primary: str, clients=None, rtt: Rtt | None = None) -> tuple[WriteCost, ...]:
    """Per client site (default: every replica site), the cost of a local, a primary and a quorum write."""
    rs = _replicas(replicas)
    if clients is not None and (isinstance(clients, str) or not isinstance(clients, Iterable)):
        raise TypeError(f"clients={brief(clients)}: expected a list of place codes, or None for the replica sites")
    cs = rs if clients is None else tuple(_code(c, "clients") for c in clients)
    if not cs:
        raise ValueError("clients=[]: expected at least one client site code (or None for the replica sites)")
    f = _rtt(rtt)
    out = []
    for c in cs:
        out.append(
            WriteCost(
                client=c,
                local_ms=local_write_ms(c),
                primary_ms=primary_write_ms(c, primary, rs, f),
                quorum_ms=quorum_write_ms(c, rs, f),
                coordinator=min(rs, key=lambda r, c=c: f(c, r)),
            )
        )
    return tuple(out)


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


def primary_ranking(replicas, clients, rtt: Rtt | None = None) -> tuple[tuple[str, float], ...]:
    """Every replica as primary, with the client-weighted mean write latency, best first."""
    rs, ws, f = _replicas(replicas), _weights(clients), _rtt(rtt)
    total = sum(ws.values())
    scored = [(p, sum(w * primary_write_ms(c, p, rs, f) for c, w in ws.items()) / total) for p in rs]
    return tuple(sorted(scored, key=lambda t: t[1]))  # stable: ties keep the listed order


def best_primary(replicas, clients, rtt: Rtt | None = None) -> str:
    """The replica that, as primary, minimises the weighted mean write latency of ``clients``."""
    return primary_ranking(replicas, clients, rtt)[0][0]


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
