"""One run function for every store: replicas and clients at real PoPs, a fault model, a workload.

``run_store(kind, sites, faults, workload, seed)`` puts a replica and a
client at each site, runs the simulator and returns a ``RunResult``: the
history as checker ``Operation``s, per-site availability and latency, the
staleness of every read (in the store's own version order) and what each
replica holds at the end.

>>> res = run_store("available", ["IAD", "LHR"], workload=Workload(duration_ms=1_000), seed=1)
>>> res.per_site["LHR"].availability, res.converged()
(1.0, True)
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from functools import cached_property

from .._checks import brief
from ..checkers.search import DEFAULT_MAX_SECONDS, DEFAULT_MAX_STATES
from ..sim import Crash, Cut, FaultModel, Heal, LatencyModel, Network, Restart, Simulator
from .available import Available
from .dynamo import Dynamo
from .primary import Primary
from .quorum import Quorum
from .staleness import OpRecord, SiteStats, read_staleness, site_stats
from .workload import Client, Workload

__all__ = ["STORES", "RunResult", "run_store", "store_spec", "DEFAULT_LATENCY"]

STORES = {"primary": Primary, "quorum": Quorum, "abd": Quorum, "dynamo": Dynamo, "available": Available, "ap": Available}
# Half a millisecond of queueing on average on top of geography: no two messages tie by accident.
DEFAULT_LATENCY = LatencyModel(jitter="exponential", jitter_ms=0.5)


def store_spec(kind, name: str = "kind"):
    """A store spec from a name in ``STORES`` or a spec value such as ``Dynamo(n=3, r=1, w=1)``."""
    if isinstance(kind, str):
        if kind not in STORES:
            raise ValueError(f"{name}={brief(kind)}: expected one of {sorted(STORES)} or a store spec such as Dynamo(3, 1, 1)")
        return STORES[kind]()
    if isinstance(kind, (Primary, Quorum, Dynamo, Available)):
        return kind
    raise TypeError(f"{name}={brief(kind)}: expected a store name or a spec (Primary, Quorum, Dynamo, Available)")


def _check_sites(sites, name: str = "sites") -> tuple[str, ...]:
    from .. import geo

    if isinstance(sites, (str, bytes, dict)) or not hasattr(sites, "__iter__"):
        raise TypeError(f"{name}={brief(sites)}: expected a list of PoP codes such as ['IAD', 'LHR']")
    out = tuple(sites)
    if not out:
        raise ValueError(f"{name}=[]: expected at least one PoP code")
    for s in out:
        if not isinstance(s, str):
            raise TypeError(f"{name}: {brief(s)} is not a PoP code (a string such as 'LHR')")
        try:
            geo.place(s)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={brief(list(out))}: expected each PoP once")
    return out


def _faults(faults) -> FaultModel:
    if faults is None:
        return FaultModel()
    if isinstance(faults, FaultModel):
        return faults
    if isinstance(faults, (list, tuple)):
        for ev in faults:
            if not isinstance(ev, (Cut, Heal, Crash, Restart)):
                raise TypeError(f"faults: {brief(ev)} is not a Cut, Heal, Crash or Restart")
        try:
            return FaultModel(timeline=tuple(faults))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"faults: {exc}") from None
    raise TypeError(f"faults={brief(faults)}: expected a FaultModel, a list of Cut/Heal/Crash/Restart, or None")


@dataclass(frozen=True)
class RunResult:
    """Everything a run leaves behind; ``history`` is what the checkers read."""

    store: object
    sites: tuple
    workload: Workload
    seed: int
    faults: FaultModel
    ops: tuple[OpRecord, ...]
    per_site: dict[str, SiteStats]
    final: dict  # site -> {key: (tag, value)} held at the end
    events: tuple  # (time, kind, data) of cuts, heals, crashes, restarts
    end_ms: float
    extra: dict = field(default_factory=dict)

    @property
    def model(self) -> str:
        """The checker model: one key is a "register", several a "kv" store."""
        return "register" if self.workload.keys == 1 else "kv"

    @cached_property
    def history(self) -> list:
        from ..checkers import UNKNOWN, Operation

        reg = self.model == "register"
        out = []
        for o in self.ops:
            if o.op == "read":
                inp = ("read", None) if reg else ("get", o.key)
                if not o.ok:
                    out.append(Operation(o.client, o.call, o.ret, inp, UNKNOWN))
                else:
                    out.append(Operation(o.client, o.call, o.ret, inp, o.read if reg else (o.read or "")))
            else:
                inp = ("write", o.value) if reg else ("put", (o.key, o.value))
                out.append(Operation(o.client, o.call, o.ret if o.ok else math.inf, inp, None))
        return out

    def check(self, *, max_states: int | None = DEFAULT_MAX_STATES, max_seconds: float | None = DEFAULT_MAX_SECONDS):
        """``edgekit.checkers.check_linearizable`` of the history, on that budget (past it: unknown)."""
        from ..checkers import check_linearizable

        return check_linearizable(self.history, self.model, max_states=max_states, max_seconds=max_seconds)

    @property
    def primary(self) -> str | None:
        return self.extra.get("primary")

    def median_ms(self, op: str | None = None, site: str | None = None) -> float:
        """Median latency of successful operations (``op`` "read"/"write", one ``site``, or all)."""
        lat = sorted(o.latency_ms for o in self.ops
                     if o.ok and op in (None, o.op) and site in (None, o.site))
        return statistics.median(lat) if lat else math.nan

    def stats(self, start_ms: float = 0.0, end_ms: float = math.inf) -> dict[str, SiteStats]:
        """Per-site statistics of the operations called in ``[start_ms, end_ms)``, such as during a cut."""
        return site_stats(self.sites, [o for o in self.ops if start_ms <= o.call < end_ms])

    @property
    def availability(self) -> float:
        """Share of all operations that succeeded."""
        n = sum(s.ops for s in self.per_site.values())
        return sum(s.ok for s in self.per_site.values()) / n if n else math.nan

    def converged(self, sites=None) -> bool:
        """Whether the replicas at ``sites`` (default: every replica that stores data) end equal."""
        sites = self.extra.get("holders", self.sites) if sites is None else sites
        return len({tuple(self.final[s].items()) for s in sites}) <= 1


def run_store(kind, sites, faults=None, workload: Workload | None = None, seed: int = 0, *,
              latency: LatencyModel | None = None, settle_ms: float = 2_000.0) -> RunResult:
    """Run a store (``"primary"``, ``"quorum"``, ``"dynamo"``, ``"available"`` or a spec) at ``sites``."""
    spec = store_spec(kind)
    sites = _check_sites(sites)
    if isinstance(settle_ms, bool) or not isinstance(settle_ms, (int, float)):
        raise TypeError(f"settle_ms={brief(settle_ms)}: expected a time in ms >= 0")
    if not 0 <= settle_ms <= 3_600_000:
        raise ValueError(f"settle_ms={brief(settle_ms)}: expected a time in ms from 0 to an hour")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed={brief(seed)}: expected an int")
    wl = Workload() if workload is None else workload
    if not isinstance(wl, Workload):
        raise TypeError(f"workload={brief(workload)}: expected a Workload")
    fm = _faults(faults)
    sim = Simulator(seed=seed)
    net = Network(sim, latency=DEFAULT_LATENCY if latency is None else latency, faults=fm, record="ops")
    replicas = spec.build(list(sites), timeout_ms=wl.timeout_ms)
    for site, rep in zip(sites, replicas, strict=True):
        net.add_node(site, rep, place=site)
    for site in sites:
        net.add_node(f"client@{site}", Client(site, site, wl), place=site)
    net.start()
    end = wl.duration_ms + wl.timeout_ms + settle_ms
    sim.run(until=end)
    ops = read_staleness(_operations(net.history, end))
    events = tuple((r.time, r.kind, r.node if r.data is None else r.data)
                   for r in net.history if r.kind in ("cut", "heal", "crash", "restart"))
    final = {site: dict(sorted(rep.data.items())) for site, rep in zip(sites, replicas, strict=True)}
    extra = {k: getattr(replicas[0], k) for k in ("primary", "holders") if hasattr(replicas[0], k)}
    return RunResult(spec, sites, wl, seed, fm, ops, site_stats(sites, ops), final, events, end, extra)


def _operations(history, end_ms: float) -> tuple[OpRecord, ...]:
    """Pair each client's invoke with its ok or timeout record."""
    open_ops: dict = {}
    done = []
    for r in history:
        if r.kind == "invoke":
            d = r.data
            open_ops[(r.node, d["id"])] = (r.time, d)
        elif r.kind in ("ok", "timeout"):
            call, d = open_ops.pop((r.node, r.data["id"]))
            ok = r.kind == "ok"
            done.append(OpRecord(
                site=r.node.split("@", 1)[1], client=d["client"], op=d["op"], key=d["key"], value=d["value"],
                call=call, ret=r.time, ok=ok, tag=r.data["tag"] if ok else None,
                read=r.data["value"] if ok and d["op"] == "read" else None,
            ))
    for (node, _), (call, d) in open_ops.items():  # still running when the run ended
        done.append(OpRecord(node.split("@", 1)[1], d["client"], d["op"], d["key"], d["value"],
                             call, end_ms, False, None, None))
    done.sort(key=lambda o: (o.call, o.client))
    return tuple(done)
