"""The repository's own rules: clean notebooks, agreeing dependency lists."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_clean(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_numbered_and_states_objectives(path):
    assert re.fullmatch(r"(\d\d|A\d)-[a-z0-9-]+\.ipynb", path.name), path.name  # chapters, then appendices
    nb = json.loads(path.read_text())
    first_md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    text = "".join(first_md["source"]).lower()
    assert "objectives" in text or "you will" in text, f"{path.name}: no learning objectives up top"


def test_no_stray_untitled_notebooks():
    assert not list(ROOT.rglob("Untitled*.ipynb"))


def _requirements(reqs) -> dict:
    """name -> specifier for the requirements that apply on Python 3.11 (the CI and conda branch)."""
    from packaging.requirements import Requirement

    out = {}
    for text in reqs:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"python_version": "3.11"}):
            out[req.name.lower().replace("_", "-")] = str(req.specifier)
    return out


def test_environment_yml_agrees_with_pyproject():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _requirements(project["dependencies"])  # the chapters' set, as `make lab` installs it
    env_text = (ROOT / "environment.yml").read_text()
    deps = env_text.split("dependencies:", 1)[1].splitlines()
    conda = [ln.strip()[2:] for ln in deps if ln.strip().startswith("- ")]
    listed = [x for x in conda if x not in ("pip", "pip:", "-e .") and not x.startswith("python")]
    assert _requirements(listed) == wanted
    assert "  - python=3.11" in env_text.splitlines(), "pin Python exactly: Binder reads only an exact pin"
