"""Session guarantees and staleness: hand-made histories and the law "linearizable => none"."""

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.checkers import (
    UNKNOWN,
    Operation,
    check_linearizable,
    monotonic_reads,
    read_your_writes,
    session_violations,
    sessions,
    staleness,
    staleness_summary,
)
from edgekit.checkers.generate import corrupt, random_history


def w(client, call, ret, v):
    return Operation(client, call, ret, ("write", v), None)


def r(client, call, ret, v):
    return Operation(client, call, ret, ("read", None), v)


def op(client, call, ret, inp, out=None):
    return Operation(client, call, ret, inp, out)


def test_read_your_writes_violation():
    h = [w("a", 0, 1, 1), w("b", 2, 3, 2), w("a", 4, 5, 3), r("a", 6, 7, 2)]
    (v,) = read_your_writes(h)
    assert v.op is h[3] and v.because is h[2]
    assert "read-your-writes" in str(v) and "client a" in str(v)
    # another client reading the old value is stale, but not a session violation
    assert read_your_writes([w("a", 0, 1, 1), w("a", 2, 3, 2), r("b", 6, 7, 1)]) == []


def test_concurrent_write_is_not_a_violation():
    # b's write of 2 overlaps a's write of 3: reading 2 may be the newest value
    h = [w("a", 0, 5, 3), w("b", 1, 6, 2), r("a", 7, 8, 2)]
    assert read_your_writes(h) == [] and staleness_summary(h).stale_reads == 0


def test_monotonic_reads_violation_and_not():
    h = [w("x", 0, 1, 1), w("x", 2, 3, 2), r("a", 4, 5, 2), r("a", 6, 7, 1)]
    (v,) = monotonic_reads(h)
    assert v.op is h[3] and v.because is h[2]
    # seeing the initial value after a real one is going back too
    assert len(monotonic_reads([w("x", 0, 1, 1), r("a", 2, 3, 1), r("a", 4, 5, None)])) == 1
    # reading newer, or the same, is fine
    assert monotonic_reads([w("x", 0, 1, 1), w("x", 2, 3, 2), r("a", 4, 5, 1), r("a", 6, 7, 2)]) == []
    # two writes that overlap cannot be ordered, so neither value is surely older
    assert monotonic_reads([w("x", 0, 3, 1), w("y", 1, 4, 2), r("a", 5, 6, 2), r("a", 7, 8, 1)]) == []


# x's write ends at 1 exactly when y's starts: touching intervals are concurrent, so 1 may have
# been written after 2 and reading 2 then 1 may be reading forwards.
TOUCHING = [w("x", 0, 1, 1), w("y", 1, 2, 2), r("a", 3, 4, 2), r("a", 5, 6, 1)]


def test_monotonic_reads_touching_intervals_are_not_surely_older():
    assert monotonic_reads(TOUCHING) == []
    # the smallest gap makes the order sure: 1 was written before 2, so reading 1 after 2 goes back
    gap = [w("x", 0, 1, 1), w("y", 1.001, 2, 2), r("a", 3, 4, 2), r("a", 5, 6, 1)]
    (v,) = monotonic_reads(gap)
    assert v.op is gap[3] and v.because is gap[2]


def test_touching_interval_case_catches_treating_touching_as_older(monkeypatch):
    """The mutation that survived the suite before the test above existed: with it, touching
    intervals count as surely ordered and the touching history is (wrongly) a violation."""
    monkeypatch.setattr(sessions, "surely_before", lambda end, start: end <= start)
    assert len(monotonic_reads(TOUCHING)) == 1


def test_staleness_counts_versions_and_time():
    h = [w("w", 0, 1, 1), w("w", 2, 3, 2), w("w", 4, 5, 3), r("r", 20, 21, 1), r("r", 22, 23, 3)]
    first, second = staleness(h)
    assert (first.versions_behind, first.time_behind) == (2, 17)
    assert first.missed == (h[1], h[2])
    assert (second.versions_behind, second.time_behind) == (0, 0.0)
    s = staleness_summary(h)
    assert (s.reads, s.stale_reads, s.max_versions_behind, s.max_time_behind) == (2, 1, 2, 17)
    assert s.fraction_stale == 0.5 and s.mean_versions_behind == 1.0


def test_pending_write_makes_nothing_surely_stale():
    h = [w("w", 0, math.inf, 1), w("w", 2, 3, 2), r("r", 10, 11, 1)]
    assert staleness_summary(h).stale_reads == 0  # the pending write of 1 may land after 2


def test_unknown_reads_are_not_measured():
    assert staleness([w("w", 0, 1, 1), r("r", 2, 3, UNKNOWN)]) == []


def test_kv_appends_and_puts():
    h = [
        op("a", 0, 1, ("append", ("k", "x"))),
        op("a", 2, 3, ("append", ("k", "y"))),
        op("a", 4, 5, ("get", "k"), "x"),  # misses a's own append of y
        op("b", 6, 7, ("get", "k"), "xy"),
        op("b", 8, 9, ("get", "k"), "x"),  # goes back
    ]
    assert [v.op for v in read_your_writes(h)] == [h[2]]
    assert [v.op for v in monotonic_reads(h)] == [h[4]]
    assert staleness(h)[0].versions_behind == 1
    # a put in between can legitimately shorten the value
    h2 = h[:4] + [op("c", 7.5, 8.5, ("put", ("k", "x"))), op("b", 9, 10, ("get", "k"), "x")]
    assert monotonic_reads(h2) == []
    # puts alone behave like register writes, "" is the missing key
    h3 = [op("a", 0, 1, ("put", ("j", "v"))), op("b", 2, 3, ("get", "j"), "")]
    assert staleness(h3)[0].versions_behind == 1


def test_session_violations_groups_both():
    got = session_violations([w("a", 0, 1, 1), r("a", 2, 3, None)])
    assert set(got) == {"read-your-writes", "monotonic-reads"} and len(got["read-your-writes"]) == 1


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["register", "cas-register", "kv"]), st.booleans())
def test_linearizable_histories_have_no_violations(seed, model, spoil):
    """Every violation found is certain, so a linearizable history has none."""
    rng = random.Random(seed)
    h = random_history(rng, model, clients=rng.randint(1, 4), ops=rng.randint(0, 14), p_pending=0.2, p_unknown=0.2)
    if spoil:
        h = corrupt(rng, h, 2)
    if check_linearizable(h, model).ok:
        assert read_your_writes(h) == [] and monotonic_reads(h) == []
        assert staleness_summary(h).stale_reads == 0
