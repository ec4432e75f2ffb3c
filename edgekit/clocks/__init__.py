"""Clocks: physical clocks with skew, Lamport, vector and hybrid logical clocks, dotted version vectors.

Ground floor: standard library only, imports nothing else from the kit.
"""

from .hlc import HLC
from .lamport import LamportClock, lamport_key
from .physical import NtpSample, PhysicalClock, ntp_error_bound_ms, ntp_sample, synchronise
from .vector import VectorClock, concurrent, happens_before

__all__ = [
    "PhysicalClock",
    "NtpSample",
    "ntp_sample",
    "ntp_error_bound_ms",
    "synchronise",
    "LamportClock",
    "lamport_key",
    "VectorClock",
    "happens_before",
    "concurrent",
    "HLC",
]

try:  # dotted version vectors live in their own module (written with the CRDTs)
    from .dvv import CausalContext, Dot, VersionVector

    __all__ += ["Dot", "VersionVector", "CausalContext"]
except ImportError:  # pragma: no cover - only before dvv.py exists
    pass
