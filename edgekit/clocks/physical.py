"""Physical clocks: a true time seen through an offset, a drift, and NTP's error bound.

A physical clock reads ``true + offset + drift * true`` (drift in parts per
million: 50 ppm is 4.3 s a day, a cheap quartz crystal). NTP estimates the
offset to a server from one request/response exchange (Mills, RFC 5905):

    t1 client sends, t2 server receives, t3 server replies, t4 client receives
    offset θ = ((t2 - t1) + (t3 - t4)) / 2      round-trip delay δ = (t4 - t1) - (t3 - t2)

θ is exact only when the two one-way delays are equal. The client cannot
see the split, so the true offset can lie anywhere in [θ - δ/2, θ + δ/2]:
**the synchronisation error is bounded by half the round trip**, and it grows
with the distance to the time server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .._checks import brief

__all__ = ["PhysicalClock", "NtpSample", "ntp_sample", "ntp_error_bound_ms", "synchronise"]


def _finite(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}={brief(value)}: expected a finite number")
    if not (isinstance(value, float) or value.bit_length() <= 1023) or not math.isfinite(value):
        raise ValueError(f"{name}={brief(value)}: expected a finite number")
    return float(value)


def _clock(name: str, c) -> PhysicalClock:
    if not isinstance(c, PhysicalClock):
        raise TypeError(f"{name}={brief(c)}: expected a PhysicalClock")
    return c


@dataclass(frozen=True)
class PhysicalClock:
    """A clock that is ``offset_ms`` ahead of true time and gains ``drift_ppm`` per million.

    >>> c = PhysicalClock(offset_ms=5, drift_ppm=100)
    >>> c.read(1000.0)   # 1000 ms of true time: +5 ms offset, +0.1 ms drift
    1005.1
    >>> round(c.error(1000.0), 6)
    5.1
    """

    offset_ms: float = 0.0
    drift_ppm: float = 0.0

    def __post_init__(self) -> None:
        _finite("offset_ms", self.offset_ms)
        if abs(_finite("drift_ppm", self.drift_ppm)) >= 1e6:
            raise ValueError(f"drift_ppm={brief(self.drift_ppm)}: expected |drift| < 1e6 (a clock must move forward)")

    def read(self, true_ms: float) -> float:
        """The clock's reading at true time ``true_ms``."""
        true_ms = _finite("true_ms", true_ms)
        return true_ms + self.offset_ms + self.drift_ppm * 1e-6 * true_ms

    def error(self, true_ms: float) -> float:
        """How far ahead of true time the clock is at ``true_ms`` (negative: behind)."""
        true_ms = _finite("true_ms", true_ms)
        return self.read(true_ms) - true_ms

    def adjusted(self, by_ms: float) -> PhysicalClock:
        """The same clock stepped by ``by_ms`` (what an NTP correction does)."""
        return replace(self, offset_ms=self.offset_ms + _finite("by_ms", by_ms))


@dataclass(frozen=True)
class NtpSample:
    """One NTP exchange: the estimated offset, the round-trip delay and the error bound."""

    offset_ms: float  # θ: how far the server is ahead of the client, as estimated
    delay_ms: float  # δ: round trip minus the server's processing time
    true_offset_ms: float  # what θ should have been (known only inside a simulation)

    @property
    def bound_ms(self) -> float:
        """|θ - true offset| <= δ/2: the most the estimate can be wrong."""
        return self.delay_ms / 2

    @property
    def error_ms(self) -> float:
        return self.offset_ms - self.true_offset_ms


def ntp_error_bound_ms(rtt_ms: float) -> float:
    """The worst-case NTP offset error for a round trip of ``rtt_ms``: half of it.

    >>> ntp_error_bound_ms(80.0)
    40.0
    """
    rtt = _finite("rtt_ms", rtt_ms)
    if rtt < 0:
        raise ValueError(f"rtt_ms={brief(rtt_ms)}: expected a round-trip time >= 0")
    return rtt / 2


def ntp_sample(
    client: PhysicalClock,
    server: PhysicalClock,
    true_ms: float,
    out_ms: float,
    back_ms: float,
    server_ms: float = 0.0,
) -> NtpSample:
    """Simulate one exchange starting at true time ``true_ms`` with one-way delays ``out_ms``/``back_ms``.

    >>> s = ntp_sample(PhysicalClock(), PhysicalClock(offset_ms=10), 0.0, out_ms=30, back_ms=10)
    >>> s.offset_ms, s.delay_ms, s.error_ms, s.bound_ms   # asymmetry of 20 ms: 10 ms wrong
    (20.0, 40.0, 10.0, 20.0)
    """
    _clock("client", client), _clock("server", server), _finite("true_ms", true_ms)
    for name, v in (("out_ms", out_ms), ("back_ms", back_ms), ("server_ms", server_ms)):
        if _finite(name, v) < 0:
            raise ValueError(f"{name}={brief(v)}: expected a delay >= 0")
    t1 = client.read(true_ms)
    t2 = server.read(true_ms + out_ms)
    t3 = server.read(true_ms + out_ms + server_ms)
    t4 = client.read(true_ms + out_ms + server_ms + back_ms)
    theta = ((t2 - t1) + (t3 - t4)) / 2
    delta = (t4 - t1) - (t3 - t2)
    mid = true_ms + out_ms + server_ms / 2  # compare the clocks when the server answered
    return NtpSample(theta, delta, server.read(mid) - client.read(mid))


def synchronise(
    client: PhysicalClock,
    server: PhysicalClock,
    true_ms: float,
    out_ms: float,
    back_ms: float,
) -> PhysicalClock:
    """The client clock after stepping by one NTP estimate: off by the path asymmetry / 2.

    >>> c = synchronise(PhysicalClock(offset_ms=-250), PhysicalClock(), 0.0, out_ms=40, back_ms=40)
    >>> c.offset_ms   # symmetric paths: exact
    0.0
    """
    _clock("client", client)
    return client.adjusted(ntp_sample(client, server, true_ms, out_ms, back_ms).offset_ms)
