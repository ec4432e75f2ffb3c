"""Who still answers a client in a cut-off PoP: the talk's design and an asynchronous primary, case by case.

Two PoPs, Sydney and London. London's clients write the keys ``cart`` and
``theme`` at 100 ms, and a Sydney client reads ``cart`` at 200 ms (a miss
that puts it in Sydney's interest set, so Sydney holds it two epochs later).
From 3 s to 6 s Sydney loses every link to the world. At 4 s one Sydney client
runs one operation, and ``isolated_op(case)`` says what it got.

The cases differ in one thing each: the design (an asynchronous primary in
London, or hub and spoke with the root in Frankfurt), the operation, whether
Sydney held the key before the cut, the read-miss mode, and the value type (an
MV register write must carry the key's causal context, so a PoP that lacks the
key has to ask upstream before it can write).

>>> isolated_op("edge: LWW write to a new key").ok
True
>>> isolated_op("primary: write").ok
False
"""

from __future__ import annotations

from dataclasses import dataclass

from edgekit.sim import FaultModel

from ..._checks import brief
from ..config import EdgeConfig
from ..system import EdgeSystem
from ..topology import Topology
from .faults import site_isolated
from .observe import Observer
from .primary import PrimarySystem

__all__ = ["CASES", "CUT_MS", "HEAL_MS", "OP_MS", "IsolatedOp", "isolated_op"]

CUT_MS, OP_MS, HEAL_MS = 3_000.0, 4_000.0, 6_000.0
# case -> (design, operation, key, EdgeConfig settings); Sydney has read "cart" before the cut, not "theme".
CASES = {
    "primary: write": ("primary", "write", "cart", {}),
    "primary: read": ("primary", "read", "cart", {}),
    "edge: LWW write to a new key": ("edge", "write", "fresh", {}),
    "edge: read of a key Sydney holds": ("edge", "read", "cart", {}),
    "edge: read miss, answered as missing": ("edge", "read", "theme", {"read_miss": "missing"}),
    "edge: read miss, blocking fetch": ("edge", "read", "theme", {"read_miss": "block"}),
    "edge: MV write to a key Sydney lacks": ("edge", "write", "theme", {"value_type": "mv"}),
    "edge: MV write to a key Sydney holds": ("edge", "write", "cart", {"value_type": "mv"}),
}
_SITES = ("SYD", "LHR")


@dataclass(frozen=True)
class IsolatedOp:
    """What Sydney's client got at ``OP_MS``, with Sydney cut off."""

    case: str
    ok: bool  # answered (a read that found nothing is answered: it says "missing")
    value: object  # what the client saw (None: missing, or nothing at all when not ok)
    latency_ms: float | None


def _case(case) -> tuple:
    if not isinstance(case, str) or case not in CASES:
        raise ValueError(f"case={brief(case)}: expected one of {list(CASES)}")
    return CASES[case]


def isolated_op(case: str, seed: int = 0) -> IsolatedOp:
    """Run ``case`` (one of ``CASES``) and return what the isolated client got."""
    design, kind, key, settings = _case(case)
    faults = FaultModel(timeline=site_isolated("SYD", CUT_MS, HEAL_MS))
    if design == "primary":
        obs = Observer(_SITES, record_ops=True)
        system = PrimarySystem(_SITES, primary="LHR", seed=seed, faults=faults, observer=obs)
        for k in ("cart", "theme"):
            system.sim.call_at(100.0, system.invoke, "LHR", "write", k)
        system.sim.call_at(200.0, system.invoke, "SYD", "read", "cart")
        system.sim.call_at(OP_MS, system.invoke, "SYD", kind, key)
        system.sim.run(until=HEAL_MS)
        op = next(o for o in obs.ops if o.site == "SYD" and o.time >= OP_MS)
        return IsolatedOp(case, op.ok, op.value, op.latency_ms)
    system = EdgeSystem(Topology.flat(list(_SITES), root="FRA"), EdgeConfig(**settings), seed=seed, faults=faults)
    system.sim.run(until=100.0)
    for k in ("cart", "theme"):
        system.invoke("LHR", "write", k)
    system.sim.run(until=200.0)
    system.invoke("SYD", "read", "cart")
    system.sim.run(until=OP_MS)
    out = system.call("SYD", kind, key)
    return IsolatedOp(case, out.ok, out.value if out.ok else None, out.latency_ms if out.ok else None)
