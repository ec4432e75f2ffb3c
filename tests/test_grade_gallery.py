"""The gallery of wrong nodes: each fails at its stage, with its check and its misconception.

Each entry is a reference node with one mistake (``edgekit.grade.gallery``). The grader
must fail it on the stage that is meant to catch it, name the failed check and the
misconception, hand back a counterexample of a handful of operations and faults, and pass
it on the stage before: a mistake caught too early is a grader that blames the wrong thing.
Together they are the proof that every check can fail (the mutation each one catches).
"""

from __future__ import annotations

import pytest

from edgekit.grade import GALLERY, grade
from edgekit.grade.checks import CHECK_TITLES
from edgekit.grade.diagnose import MISCONCEPTIONS


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_a_wrong_node_fails_at_its_stage_with_its_diagnosis(name):
    m = GALLERY[name]
    r = grade(m.node, m.stage, progress=False)
    assert not r.ok and r.answered
    assert (r.check, r.misconception) == (m.check, m.misconception), str(r)
    assert r.hint == MISCONCEPTIONS[m.misconception]
    assert len(r.scenario.ops) <= 5 and len(r.scenario.faults) <= 4, str(r)
    text = str(r)
    assert f"seed={r.seed}" in text and "Likely misconception" in text and r.story
    assert "Traceback" not in text and "edgekit/" not in text
    if m.stage > 1:
        before = grade(m.node, m.stage - 1, progress=False)
        assert before.ok, f"{name} is caught one stage early:\n{before}"


def test_the_gallery_is_large_and_covers_every_stage_and_every_protocol_check():
    assert len(GALLERY) >= 10
    assert {m.stage for m in GALLERY.values()} == {1, 2, 3, 4, 5}
    protocol_checks = {c for c in CHECK_TITLES if c not in (
        "unanswered", "exception", "bad-message", "bad-return", "bad-state", "budget")}
    assert protocol_checks == {m.check for m in GALLERY.values()}
    assert len({m.misconception for m in GALLERY.values()}) == len(GALLERY)  # one mistake each


def test_a_failing_seed_replays_to_the_same_report():
    m = GALLERY["ClearsOnSend"]
    first = grade(m.node, m.stage, progress=False)
    again = grade(m.node, m.stage, seed=first.seed, progress=False)
    assert str(again) == str(first)
    assert again.runs == 1
