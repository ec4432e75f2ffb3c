"""Clocks: physical clocks with skew, Lamport, vector and hybrid logical clocks."""
from .physical import NtpSample, PhysicalClock, ntp_error_bound_ms, ntp_sample, synchronise

__all__ = ["PhysicalClock", "NtpSample", "ntp_sample", "ntp_error_bound_ms", "synchronise"]
