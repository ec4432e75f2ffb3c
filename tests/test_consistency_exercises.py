"""Chapter 3 exercises: typical wrong answers get a helpful message, not an error."""

import pytest

from edgekit.exercises import check


@pytest.mark.parametrize(
    "ex_id,answer,words",
    [
        ("ch3.cap_sides", {"IAD", "ORD", "SJC", "GRU"}, "Tokyo and Sydney"),
        ("ch3.cap_sides", {"IAD", "ORD", "SJC", "GRU", "NRT", "SYD", "LHR"}, "one short of a majority"),
        ("ch3.cap_sides", {"XXX"}, "not in WORLD"),
        ("ch3.cap_sides", "IAD", "set of PoP codes"),
        ("ch3.nrw", (3, 1, 1), "R + W = 2 is not more than N = 3"),
        ("ch3.nrw", (3, 2, 2), "2nd nearest"),
        ("ch3.nrw", (3, 4, 1), "between 1 and N=3"),
        ("ch3.nrw", (9, 1, 1), "N=9"),
        ("ch3.nrw", "3,2,2", "3 whole numbers"),
        ("ch3.pbs_rw", (1, 1), "short of 99%"),
        ("ch3.pbs_rw", (1, 2), "barely helps"),
        ("ch3.pbs_rw", (2, 2), "R + W = 3 does too"),
        ("ch3.pbs_rw", (1.0, 1), "whole numbers"),
    ],
)
def test_wrong_answers_say_why(ex_id, answer, words):
    fb = check(ex_id, answer)
    assert not fb.ok and fb.answered
    assert words in fb.message
