"""Every registered exercise: its reference passes, a missing answer is not an error."""

import importlib
import pathlib
import pkgutil

import pytest

import edgekit.exercises as ex

for mod in pkgutil.iter_modules(ex.__path__):
    importlib.import_module(f"edgekit.exercises.{mod.name}")

IDS = sorted(ex.REGISTRY)


@pytest.mark.parametrize("ex_id", IDS)
def test_reference_solution_passes(ex_id):
    fb = ex.check(ex_id, ex.REGISTRY[ex_id].reference())
    assert fb.ok, f"{ex_id}: reference solution fails its own check: {fb.message}"


@pytest.mark.parametrize("ex_id", IDS)
def test_unanswered_is_feedback_not_error(ex_id):
    fb = ex.check(ex_id, ex.NOT_ANSWERED)
    assert not fb.ok and not fb.answered


def test_every_chapter_has_three_exercises():
    """Chapters 1 to 6 (one per numbered notebook after the welcome) have at least three exercises
    each, so an exercise module that fails to register is a failure here, not a silent skip."""
    notebooks = sorted(pathlib.Path(__file__).parents[1].glob("notebooks/[0-9][0-9]-*.ipynb"))
    chapters = [f"ch{int(nb.name[:2])}" for nb in notebooks if int(nb.name[:2]) > 0]
    assert chapters == ["ch1", "ch2", "ch3", "ch4", "ch5", "ch6"]
    per_chapter = {ch: sorted(i for i in IDS if i.split(".", 1)[0] == ch) for ch in chapters}
    assert all(len(ids) >= 3 for ids in per_chapter.values()), per_chapter
    assert set(IDS) == {i for ids in per_chapter.values() for i in ids}  # none outside a chapter


def test_solutions_hidden_unless_instructor(monkeypatch):
    monkeypatch.delenv("EDGEKIT_INSTRUCTOR", raising=False)
    ex.instructor(False)
    assert "hidden" in str(ex.solution(IDS[0]))
    ex.instructor(True)
    try:
        assert "def " in str(ex.solution(IDS[0]))
    finally:
        ex.instructor(False)


def test_unknown_exercise_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown"):
        ex.check("ch9.nope", 1)


def test_a_function_that_still_returns_the_placeholder_is_not_yet_answered():
    for placeholder in (ex.NOT_ANSWERED, ...):
        fb = ex.check("ch1.fibre_rtt", lambda km, p=placeholder: p)
        assert not fb.ok and not fb.answered and "replace NOT_ANSWERED" in fb.message


def test_every_solution_id_the_docs_quote_exists():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    texts = [(root / "README.md").read_text(encoding="utf-8"), ex.__doc__]
    quoted = {m for t in texts for m in re.findall(r'(?:solution|check)\("([a-z0-9_.]+)"', t)}
    assert quoted and quoted <= set(ex.REGISTRY), sorted(quoted - set(ex.REGISTRY))


def test_choose_names_the_misconception_of_a_wrong_pick_and_of_a_missing_one():
    opts = {"a": "x", "b": "y", "c": "z"}
    why = {"a": "A is wrong", "b": "B is needed", "c": "C is needed"}
    assert ex.choose("a", opts, "b", why, "yes").message == "(a) is not right: A is wrong"
    assert ex.choose({"b"}, opts, {"b", "c"}, why, "yes").message == "(c) is missing: C is needed"
    assert ex.choose({"B", "c"}, opts, {"b", "c"}, why, "yes").ok
    assert "not an option" in ex.choose("q", opts, "b", why, "yes").message
