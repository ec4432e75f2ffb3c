"""A test whose outside input is missing skips on a developer's machine and fails under CI."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEEDS_DATA = "tests/test_checkers_conformance.py::test_porcupine_reader"


@pytest.mark.parametrize(("ci", "outcome"), [(None, "skip"), ("", "skip"), ("false", "skip"), ("0", "skip"),
                                             ("true", "fail"), ("1", "fail")])
def test_skip_or_fail_follows_ci(monkeypatch, skip_or_fail, ci, outcome):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    raised = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(raised, match="no such thing"):
        skip_or_fail("no such thing")


@pytest.mark.parametrize(("ci", "code", "words"), [("", 0, "1 skipped"), ("true", 1, "failing instead of skipping")])
def test_missing_shared_data_skips_or_fails(tmp_path, ci, code, words):
    env = {**os.environ, "CI": ci, "EDGEKIT_SHARED_DATA": str(tmp_path / "absent")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", NEEDS_DATA],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == code and words in run.stdout, run.stdout[-2000:]


def test_tests_reach_shared_data_only_through_the_fixture():
    """A test that built its own path to ../shared would skip (or break) outside the rule above."""
    pattern = re.compile(r"""["']shared["']|\.\./shared|SHARED_DATA""")
    offenders = [p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("*.py")
                 if p.name not in ("conftest.py", "test_ci_skips.py") and pattern.search(p.read_text())]
    assert offenders == []
