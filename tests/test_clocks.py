"""edgekit.clocks: the rules of each clock, their laws, NTP's bound, and bad input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.clocks import (
    HLC,
    LamportClock,
    PhysicalClock,
    VectorClock,
    concurrent,
    happens_before,
    ntp_error_bound_ms,
    ntp_sample,
    synchronise,
)

NODES = st.sampled_from(["A", "B", "C", "D"])
VCS = st.dictionaries(NODES, st.integers(0, 5)).map(VectorClock)


def test_lamport_rules():
    c = LamportClock()
    assert c.tick().time == 1
    c2, stamp = c.tick().send()
    assert (c2.time, stamp) == (2, 2)
    assert LamportClock(7).receive(3).time == 8
    assert LamportClock(2).receive(9).time == 10


def test_vector_clock_is_an_immutable_value():
    a = VectorClock()
    b = a.tick("A")
    assert a == VectorClock() and b["A"] == 1 and a["A"] == 0
    assert VectorClock({"A": 1, "B": 0}) == VectorClock({"A": 1})
    assert hash(VectorClock({"A": 1, "B": 2})) == hash(VectorClock({"B": 2, "A": 1}))
    assert VectorClock.from_json(b.to_json()) == b
    assert str(VectorClock({"B": 2, "A": 1})) == "[A:1 B:2]"


@given(VCS, VCS, VCS)
@settings(max_examples=200, deadline=None)
def test_merge_is_a_join(a, b, c):
    assert a.merge(b) == b.merge(a)
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(a) == a
    assert a <= a.merge(b) and b <= a.merge(b)


@given(VCS, VCS)
@settings(max_examples=200, deadline=None)
def test_exactly_one_relation_holds(a, b):
    rel = [a == b, happens_before(a, b), happens_before(b, a), concurrent(a, b)]
    assert sum(rel) == 1


def test_tick_after_merge_happens_after_both():
    a, b = VectorClock().tick("A"), VectorClock().tick("B")
    c = a.merge(b).tick("C")
    assert happens_before(a, c) and happens_before(b, c) and concurrent(a, b)


def test_hlc_rules_case_by_case():
    assert HLC(5, 2).tick(pt=9) == HLC(9, 0)  # physical clock moved on
    assert HLC(5, 2).tick(pt=3) == HLC(5, 3)  # clock behind l: count
    assert HLC(5, 2).receive(HLC(5, 7), pt=1) == HLC(5, 8)  # l == l == l_m
    assert HLC(6, 2).receive(HLC(5, 7), pt=1) == HLC(6, 3)  # own l largest
    assert HLC(4, 2).receive(HLC(5, 7), pt=1) == HLC(5, 8)  # message's l largest
    assert HLC(4, 2).receive(HLC(5, 7), pt=9) == HLC(9, 0)  # physical clock largest
    assert HLC(4, 2) < HLC(4, 3) < HLC(5, 0)


@given(st.floats(-500, 500), st.floats(-500, 500), st.floats(0, 200), st.floats(0, 200), st.floats(0, 1e6))
@settings(max_examples=300, deadline=None)
def test_ntp_error_is_within_half_the_round_trip(c_off, s_off, out_ms, back_ms, t):
    s = ntp_sample(PhysicalClock(c_off), PhysicalClock(s_off), t, out_ms, back_ms)
    assert s.delay_ms == pytest.approx(out_ms + back_ms, abs=1e-6)
    assert abs(s.error_ms) <= s.bound_ms + 1e-6
    assert s.error_ms == pytest.approx((out_ms - back_ms) / 2, abs=1e-6)
    after = synchronise(PhysicalClock(c_off), PhysicalClock(s_off), t, out_ms, back_ms)
    assert abs(after.read(t) - PhysicalClock(s_off).read(t)) <= ntp_error_bound_ms(out_ms + back_ms) + 1e-6


def test_drift_accumulates():
    c = PhysicalClock(drift_ppm=50)
    assert c.error(86_400_000) == pytest.approx(4_320)  # 50 ppm is 4.32 s a day


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: LamportClock(-1), "time=-1"),
        (lambda: LamportClock().receive("x"), "timestamp='x'"),
        (lambda: VectorClock({"A": -2}), "entries\\['A'\\]=-2"),
        (lambda: VectorClock().merge({"A": 1}), "expected a VectorClock"),
        (lambda: happens_before(VectorClock(), {}), "expected two VectorClocks"),
        (lambda: HLC().tick(pt=float("nan")), "pt=nan"),
        (lambda: HLC().receive((1, 2), pt=3), "msg=\\(1, 2\\)"),
        (lambda: PhysicalClock(drift_ppm=2e6), "drift_ppm=2000000.0"),
        (lambda: ntp_error_bound_ms(-4), "rtt_ms=-4"),
        (lambda: ntp_sample(PhysicalClock(), PhysicalClock(), 0, -1, 2), "out_ms=-1"),
        (lambda: HLC(1.5, 0).pack(), "pack needs an integer l"),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
