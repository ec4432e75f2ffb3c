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
        ("ch3.nrw", (1, 1, 1), "N of at least 3"),  # the loophole: one replica, "no stale reads"
        ("ch3.nrw", (3, 3, 1), "Keep R and W at most N - 1"),
        ("ch3.who_keeps_writing", {"b", "d", "e"}, "Asynchronous is not the same as local"),
        ("ch3.who_keeps_writing", {"d"}, "(e) is missing"),
        ("ch3.who_keeps_writing", {"c", "d", "e"}, "cannot form a majority"),
        ("ch3.who_keeps_writing", "d", "set of letters"),
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


def test_the_nrw_success_message_names_the_quorum_it_ran():
    fb = check("ch3.nrw", (5, 3, 3))
    assert fb.ok and "London, Amsterdam and Frankfurt" in fb.message


def test_who_keeps_writing_is_decided_by_the_simulator_and_its_reason_holds():
    from edgekit.consistency import Dynamo, run_store
    from edgekit.consistency.scenarios import CUT_MS, HEAL_MS, WORLD, cap_faults
    from edgekit.exercises.ch3 import keeps_writing_truth

    assert keeps_writing_truth() == {"d", "e"}
    # (e)'s explanation: the quorum lives in Europe now, so Washington is the one refused.
    res = run_store(Dynamo(3, 2, 2, holders=("LHR", "FRA", "IAD")), WORLD, cap_faults("Europe cut off"), seed=0)
    iad = [o for o in res.ops if o.site == "IAD" and CUT_MS <= o.call < HEAL_MS]
    assert iad and not any(o.ok for o in iad)
