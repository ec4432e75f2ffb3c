"""Deterministic discrete-event simulation of nodes on a network of real places.

See ``edgekit.sim.network`` for the network API (the authoritative description).
"""

from .causality import Causality
from .core import DEFAULT_MAX_EVENTS, Event, EventBudgetExceeded, Simulator, Timer
from .faults import (
    Crash,
    Cut,
    DiskLoss,
    FaultModel,
    Heal,
    LinkFaults,
    Restart,
    Slow,
    crash_and_restart,
    isolate,
    regional_cut,
    transatlantic_cut,
)
from .history import Record, from_jsonl, to_jsonl
from .latency import LatencyModel, Point
from .network import NetStats, Network, SimContext
from .node import Context, Node

__all__ = [
    "Simulator",
    "EventBudgetExceeded",
    "DEFAULT_MAX_EVENTS",
    "Timer",
    "Event",
    "Network",
    "SimContext",
    "NetStats",
    "LatencyModel",
    "Point",
    "FaultModel",
    "LinkFaults",
    "Cut",
    "Heal",
    "Crash",
    "Restart",
    "DiskLoss",
    "Slow",
    "transatlantic_cut",
    "isolate",
    "regional_cut",
    "crash_and_restart",
    "Record",
    "to_jsonl",
    "from_jsonl",
    "Node",
    "Context",
    "Causality",
]
