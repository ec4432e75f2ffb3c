"""The welcome widget responds without a browser; the chapter map, notebooks and README agree."""

from pathlib import Path

import pytest

from edgekit import chapters, geo
from edgekit.widgets.welcome import SetupCheck

ROOT = Path(__file__).resolve().parents[1]


def test_setup_check_updates_numbers_and_figure():
    app = SetupCheck(origin="LHR")
    before = list(app.figure.data[0].y)
    app.destination.value = "JFK"
    after = list(app.figure.data[0].y)
    assert after != before
    assert after[1] == pytest.approx(geo.min_rtt_ms("LHR", "JFK", medium="fiber"))
    assert after[0] < after[1]  # vacuum is faster than fibre
    assert "JFK" in app.output.value and f"{geo.great_circle_km('LHR', 'JFK'):,.0f} km" in app.output.value


def test_every_notebook_is_on_the_chapter_map_and_in_the_readme():
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    mapped = [c.notebook for c in chapters.CHAPTERS + chapters.APPENDICES]
    assert set(on_disk) <= set(mapped), f"notebooks missing from edgekit.chapters: {set(on_disk) - set(mapped)}"
    readme = (ROOT / "README.md").read_text()
    for c in chapters.CHAPTERS + chapters.APPENDICES:
        assert f"`{c.notebook}`" in readme, f"README's chapter map lacks {c.notebook}"


def test_chapter_lookup_names_bad_input():
    assert chapters.chapter("00-welcome.ipynb").number == 0
    assert chapters.chapter("A1-text-crdt-performance.ipynb").number == "A1"
    assert "on your own" in chapters.markdown_table()
    with pytest.raises(ValueError, match="notebook='99-nope.ipynb'"):
        chapters.chapter("99-nope.ipynb")


def test_a_notebook_that_states_its_workshop_time_agrees_with_the_chapter_map():
    import json
    import re

    for c in chapters.CHAPTERS:
        path = ROOT / "notebooks" / c.notebook
        if not path.exists():
            continue
        text = "".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"][:3])
        stated = re.findall(r"About (\d+) minutes", text)
        if c.number in (1, 2, 3):  # these introductions state their time: the check must find it
            assert stated, f"{c.notebook} no longer says 'About N minutes' in its introduction"
        for minutes in stated:
            assert int(minutes) == c.minutes, f"{c.notebook} says {minutes} minutes, edgekit.chapters says {c.minutes}"


def test_readme_and_workshop_guide_quote_the_measured_run_times_and_the_chapter_minutes():
    """The chapter map and the agendas copy benchmarks/results/notebook_times.json: re-measure,
    and this says which numbers to update."""
    import json
    import re

    med = json.loads((ROOT / "benchmarks" / "results" / "notebook_times.json").read_text())["results"]["median_seconds"]
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "docs" / "workshop.md").read_text()
    for c in chapters.CHAPTERS:
        row = re.search(rf"^\| {c.number} \| `{re.escape(c.notebook)}` \|.*\| (\d+) \| (\d+) \|$", readme, re.M)
        assert row, f"README's chapter map has no row for {c.notebook}"
        assert int(row.group(1)) == c.minutes and int(row.group(2)) == round(med[c.notebook]), row.group(0)
        quoted = re.findall(rf"^\| [0-9]:[0-9]{{2}} \| {c.number:02d} [^|]*\| ([0-9.]+) s \|", guide, re.M)
        assert len(quoted) == 2 and all(q == f"{med[c.notebook]:.1f}" for q in quoted), (c.notebook, quoted)
        assert f"| `{c.notebook}` | {med[c.notebook]:.1f} s (" in guide
