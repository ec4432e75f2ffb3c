"""`python -m edgekit.doctor`: every check passes here and fails, with its fix, where it should."""

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from edgekit import doctor
from edgekit.doctor import Check

ROOT = Path(__file__).resolve().parents[1]


def test_python_versions():
    assert doctor.python_check((3, 11, 7)).ok is True
    old = doctor.python_check((3, 9, 18))
    assert old.ok is False and "3.9.18" in old.detail and "python3.11" in old.fix
    assert doctor.python_check((3, 15, 0)).ok is None  # untested, advice only


def test_every_required_package_has_a_line():
    names = {c.name for c in doctor.package_checks()}
    assert {"jupyterlab", "ipywidgets", "plotly", "pandas", "tqdm", "packaging"} <= names
    assert "pytest" not in names  # the test extra only with --test
    test_names = {c.name for c in doctor.package_checks("test")}
    assert {"pytest", "hypothesis", "playwright", "ruff"} <= test_names and not names & test_names


def test_a_missing_or_old_package_fails_with_its_fix():
    def fake_version(name):
        if name == "plotly":
            raise metadata.PackageNotFoundError(name)
        return "0.1" if name == "ipywidgets" else metadata.version(name)

    lines = {c.name: c for c in doctor.package_checks(version=fake_version)}
    assert lines["plotly"].ok is False and "not installed" in lines["plotly"].detail
    assert "make lab" in lines["plotly"].fix and "plotly>=" in lines["plotly"].fix
    assert lines["ipywidgets"].ok is False and "0.1, needs >=" in lines["ipywidgets"].detail
    assert lines["jupyterlab"].ok is True


def test_map_shapes(tmp_path):
    assert doctor.map_shapes_check().ok is True
    missing = doctor.map_shapes_check(tmp_path / "none.json")
    assert missing.ok is False and "cannot read" in missing.detail and "make lab" in missing.fix
    (tmp_path / "bad.json").write_text(json.dumps({"type": "FeatureCollection"}))
    assert doctor.map_shapes_check(tmp_path / "bad.json").ok is False


def test_frontend_pieces_are_found_and_a_missing_one_fails():
    assert doctor.frontend_check("widgets", "@jupyter-widgets/jupyterlab-manager", "jupyterlab_widgets").ok is True
    assert doctor.frontend_check("plotly", "jupyterlab-plotly", "plotly").ok is True
    assert doctor.widget_pair_check().ok is True
    gone = doctor.frontend_check("plotly", "no-such-extension", "plotly")
    assert gone.ok is False and "not found" in gone.detail
    wrong = doctor.frontend_check("plotly", "jupyterlab-plotly", "jupyterlab_widgets")
    assert wrong.ok is False and "comes from plotly" in wrong.detail


def test_chromium_is_a_note_for_a_laptop_and_a_failure_for_make_test(tmp_path):
    absent = str(tmp_path / "chromium")
    assert doctor.chromium_check(required=False, path=absent).ok is None
    failed = doctor.chromium_check(required=True, path=absent)
    assert failed.ok is False and "apt-get install chromium" in failed.fix


def test_main_prints_each_fix_and_exits_nonzero_on_any_failure(capsys):
    good = Check("a", True, "fine", "never shown")
    bad = Check("b", False, "broken", "do this")
    assert doctor.main([], checks=[good, Check("c", None, "advice", "maybe")]) == 0
    out = capsys.readouterr().out
    assert "OK    a: fine" in out and "never shown" not in out and "NOTE  c" in out and "All 2 checks passed" in out
    assert doctor.main([], checks=[good, bad]) == 1
    out = capsys.readouterr().out
    assert "FAIL  b: broken\n        fix: do this" in out and "1 of 2 checks failed" in out
    assert doctor.main(["--bogus"], checks=[good]) == 2


def _doctor(*args, env=None):
    return subprocess.run([sys.executable, "-m", "edgekit.doctor", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_this_environment_passes_and_every_line_says_ok_or_note():
    run = _doctor()
    assert run.returncode == 0, run.stdout
    lines = [ln for ln in run.stdout.splitlines() if ln and not ln.startswith(" ") and "checks passed" not in ln]
    assert lines and all(ln.split()[0] in ("OK", "NOTE") for ln in lines), run.stdout
    assert "OK    kernel:" in run.stdout


def test_a_kernel_that_cannot_import_the_kit_fails(tmp_path):
    """A user-level python3 kernel that shadows the kit's, as the workshop guide's table describes."""
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    sys_python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys_python, "-c", "import sys; sys.exit(3)", "{connection_file}"],
        "display_name": "Python 3 (elsewhere)", "language": "python"}))
    run = _doctor(env={"JUPYTER_PATH": str(tmp_path)})
    assert run.returncode == 1
    assert "FAIL  kernel: 'python3' did not start" in run.stdout and "jupyter kernelspec list" in run.stdout


@pytest.mark.parametrize("ok", [True, False])
def test_quiet_start_reads_page_config(tmp_path, monkeypatch, ok):
    (tmp_path / "labconfig").mkdir()
    off = {doctor.NEWS_PLUGIN: ok}
    (tmp_path / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": off}))
    monkeypatch.setattr("jupyter_core.paths.jupyter_config_path", lambda: [str(tmp_path)])
    assert doctor.quiet_check().ok is (True if ok else None)
