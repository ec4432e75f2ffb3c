"""Which guarantees chapter 5's designs give: chapter 3's consistency map, extended, and sessions.

Chapter 3's map (``edgekit.consistency.caveats.consistency_map``) asks of each
store: is a fault-free run linearizable, and can London and Washington still
write while Europe is cut off? ``edge_map_rows`` asks the same of chapter 5's
designs, on the same world (chapter 3's eight PoPs, the primary and the root in
Washington, where chapter 3 puts its primary) and the same cut, with the same
checker (``edgekit.checkers.check_linearizable``).

``sessions`` adds what one client can count on (Terry et al. 1994,
``edgekit.checkers.sessions``): read-your-writes and monotonic reads, judged on
a run's history twice. *Within a PoP*: each PoP's clients form one session (a
stronger test than one client at a time: if it holds for all of them together,
it holds for each). *Across PoPs*: each PoP merged with its nearest neighbour,
as a client sees it when anycast routing moves it between the two.

Histories come from what the clients saw (``EdgeSystem.history``, or the
bench's ``Observer`` records), never from the system's bookkeeping. A write
that surely failed is left out; one that may have been applied stays open.

>>> rows = {r["design"]: r for r in edge_map_rows(designs=("hub and spoke",))}
>>> rows["hub and spoke"]["linearizable"], rows["hub and spoke"]["london_writes_in_cut"]
(False, True)
"""

from __future__ import annotations

import math

from edgekit import geo
from edgekit.checkers import Operation, check_linearizable
from edgekit.checkers.sessions import monotonic_reads, read_your_writes
from edgekit.consistency.scenarios import WORLD, cap_faults

from ..._checks import brief, check_items
from ..config import EdgeConfig
from ..system import EdgeSystem
from ..topology import Topology
from .compare import Setup, build, check_setup
from .observe import Observer
from .primary import PrimaryConfig, PrimarySystem
from .workload import Workload

__all__ = ["CH5_DESIGNS", "operations", "neighbours", "sessions", "edge_map_rows", "session_table"]

# Chapter 5's designs by the kit's vocabulary; (kind, primary reads).
CH5_DESIGNS = {
    "asynchronous primary, local reads": ("primary", "local"),
    "asynchronous primary, reads at the primary": ("primary", "primary"),
    "hub and spoke": ("edge", None),
}
_CENTRE = "IAD"  # chapter 3's primary; here the primary and the root


def operations(records) -> list[Operation]:
    """Checker ``Operation``s (the ``kv`` model: ``put``/``get`` of strings, missing as ``""``) from client
    records: ``edgekit.edge.ClientOp`` (an ``EdgeSystem`` history) or the bench ``Observer``'s ``OpRecord``."""
    records = check_items(records, "records", object, "client records (ClientOps or OpRecords)")
    for i, r in enumerate(records):
        fields = ("site", "kind", "key") + (("invoke_ms", "complete_ms", "status", "arg", "state")
                                            if hasattr(r, "invoke_ms") else ("time", "latency_ms", "ok", "value"))
        if not all(hasattr(r, f) for f in fields):
            raise TypeError(f"records[{i}]={brief(r)}: expected a ClientOp (EdgeSystem.history) or an OpRecord")
    out = []
    for r in records:
        if hasattr(r, "invoke_ms"):  # ClientOp
            site, call, ret, kind = r.site, r.invoke_ms, r.complete_ms, r.kind
            status = r.status
            value = r.arg if kind == "write" else (None if r.state is None else r.state.value)
        else:  # OpRecord: a read's time is its call, an acknowledged write's its acknowledgement
            site, kind, lat = r.site, r.kind, r.latency_ms or 0.0
            call, ret = (r.time - lat, r.time) if kind == "write" and r.ok else (r.time, r.time + lat)
            status = "ok" if r.ok else ("info" if kind == "write" else "fail")
            value = r.value
        if status == "fail":
            continue  # certainly not applied (a read that got nothing says nothing)
        text = "" if value is None else str(value)  # the kv model's values are strings; "" is missing
        if kind == "write":
            out.append(Operation(site, call, ret if status == "ok" else math.inf, ("put", (r.key, text))))
        else:
            out.append(Operation(site, call, ret, ("get", r.key), text))
    return out


def neighbours(sites) -> dict[str, str]:
    """Each site's nearest other site (by the median round trip): where anycast may move its clients.

    >>> neighbours(["LHR", "FRA", "SYD"])["SYD"]
    'FRA'
    """
    sites = tuple(check_items(sites, "sites", str, "place codes such as ['LHR', 'FRA']"))
    for i, s in enumerate(sites):
        geo._place(s, f"sites[{i}]")
    if len(sites) < 2:
        raise ValueError(f"sites={brief(sites)}: expected at least two sites (a client needs somewhere to move)")
    return {s: min((t for t in sites if t != s), key=lambda t: (geo.estimate_rtt_ms(s, t), t)) for s in sites}


def _merged(history: list[Operation], pair) -> list[Operation]:
    who = "+".join(pair)
    return [Operation(who, o.call, o.ret, o.input, o.output) for o in history if o.client in pair]


def sessions(history: list[Operation], pairs=None) -> dict:
    """Violations of read-your-writes and monotonic reads, within each PoP and across ``pairs`` of PoPs
    (default: every site with its nearest neighbour): ``{"within": {...}, "across": {...}}``, each
    ``{"read-your-writes": n, "monotonic-reads": n}``."""
    history = check_items(history, "history", Operation, "a list of checker Operations (see operations())")
    within = {"read-your-writes": len(read_your_writes(history)), "monotonic-reads": len(monotonic_reads(history))}
    if pairs is None:
        clients = sorted({o.client for o in history})
        pairs = {tuple(sorted(p)) for p in neighbours(clients).items()} if len(clients) > 1 else set()
    else:
        pairs = check_items(pairs, "pairs", (tuple, list), "(site, site) pairs")
        for i, pair in enumerate(pairs):
            if len(pair) != 2 or not all(isinstance(x, str) for x in pair):
                raise ValueError(f"pairs[{i}]={brief(pair)}: expected a (site, site) pair of strings")
        pairs = [tuple(p) for p in pairs]
    across = {"read-your-writes": 0, "monotonic-reads": 0}
    for pair in sorted(pairs):
        merged = _merged(history, pair)
        across["read-your-writes"] += len(read_your_writes(merged))
        across["monotonic-reads"] += len(monotonic_reads(merged))
    return {"within": within, "across": across}


def _system(design: str, faults=None, record_ops: bool = True):
    kind, reads = CH5_DESIGNS[design]
    if kind == "primary":
        obs = Observer(WORLD, record_ops=record_ops)
        return PrimarySystem(WORLD, primary=_CENTRE, config=PrimaryConfig(reads=reads), faults=faults, observer=obs)
    return EdgeSystem(Topology.flat(list(WORLD), root=_CENTRE), EdgeConfig(), faults=faults, record_reads=True)


def _records(system) -> list:
    return system.history if isinstance(system, EdgeSystem) else system.observer.ops


def _writes_in_cut(design: str, site: str, cut: str) -> bool:
    """Two writes at ``site`` while ``cut`` lasts (as chapter 3's ``writes_during_cut``): both acknowledged?"""
    from edgekit.consistency.scenarios import CUT_MS

    system = _system(design, cap_faults(cut))
    for t in (CUT_MS + 100, CUT_MS + 500):
        system.sim.call_at(t, system.invoke, site, "write", "k0")
    system.sim.run(until=CUT_MS + 2_000)
    writes = [r for r in operations(_records(system)) if r.input[0] == "put"]
    ok = [r for r in _records(system) if getattr(r, "kind", None) == "write" and (
        r.status == "ok" if hasattr(r, "status") else r.ok)]
    return len(writes) == 2 and len(ok) == 2


def _designs(designs) -> list[str]:
    designs = check_items(designs, "designs", str, f"names from {list(CH5_DESIGNS)}")
    for i, d in enumerate(designs):
        if d not in CH5_DESIGNS:
            raise ValueError(f"designs[{i}]={brief(d)}: expected one of {list(CH5_DESIGNS)}")
    return designs


def edge_map_rows(cut: str = "Europe cut off", designs=tuple(CH5_DESIGNS), ops: int = 120, seed: int = 0) -> list[dict]:
    """Chapter 3's consistency map, for chapter 5's designs: plain rows in ``consistency_map``'s form."""
    designs = _designs(designs)
    cap_faults(cut)  # a bad cut fails now
    rows = []
    for d in designs:
        system = _system(d)
        system.drive(Workload(WORLD, keys=1, ops=ops, rates=5.0, write_fraction=0.5, seed=seed))
        system.settle()
        verdict = check_linearizable(operations(_records(system)), "kv")
        rows.append(dict(design=d, linearizable=verdict.ok, london_writes_in_cut=_writes_in_cut(d, "LHR", cut),
                         washington_writes_in_cut=_writes_in_cut(d, "IAD", cut)))
    return rows


def session_table(setup: Setup | None = None, seed: int = 0, designs=tuple(CH5_DESIGNS)) -> list[dict]:
    """Session guarantees on chapter 5's workload (``setup``, default ``Setup(ops=2_000)``), fault-free:
    per design, the violations of each guarantee within a PoP and across neighbouring PoPs."""
    import dataclasses

    setup = check_setup(setup, Setup(ops=2_000))
    rows = []
    for d in _designs(designs):
        kind, reads = CH5_DESIGNS[d]
        su = dataclasses.replace(setup, primary_reads=reads) if reads else setup
        obs = Observer(su.sites, record_ops=True)
        system = build("primary" if kind == "primary" else "flat", su, seed, observer=obs)
        system.record_reads = True  # an EdgeSystem keeps its reads in its history too
        system.drive(su.workload(seed))
        system.settle()
        found = sessions(operations(_records(system)))
        rows.append({"design": d, **{f"{g} {where}": n for where, v in found.items() for g, n in v.items()}})
    return rows
