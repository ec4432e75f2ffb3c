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
    mapped = [c.notebook for c in chapters.CHAPTERS]
    assert set(on_disk) <= set(mapped), f"notebooks missing from edgekit.chapters: {set(on_disk) - set(mapped)}"
    readme = (ROOT / "README.md").read_text()
    for c in chapters.CHAPTERS:
        assert f"`{c.notebook}`" in readme, f"README's chapter map lacks {c.notebook}"


def test_chapter_lookup_names_bad_input():
    assert chapters.chapter("00-welcome.ipynb").number == 0
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
        for minutes in re.findall(r"About (\d+) minutes", text):
            assert int(minutes) == c.minutes, f"{c.notebook} says {minutes} minutes, edgekit.chapters says {c.minutes}"
