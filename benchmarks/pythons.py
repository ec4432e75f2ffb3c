"""Which Python versions the kit passes on: a fresh venv per Python, the unit tests and every notebook.

    .venv/bin/python benchmarks/pythons.py                      # every Python >= 3.10 it finds
    .venv/bin/python benchmarks/pythons.py --python /usr/bin/python3.12 --python python3.13

CI runs one Python (3.11, the version ``environment.yml`` names); this script backs the README's
"tested on 3.10 to 3.13" with a record. For each interpreter (the ``--python`` ones, or else
every ``python3.1X`` on the PATH and under ``~/.pyenv/versions``, one per version), it makes a
venv under ``build/pythons/<version>`` (kept between runs, so pip's cache and the venv make a
rerun quick) with the Makefile's own recipe for ``make test``'s venv (``make VENV=...
PYTHON=...``: the kit with its test extra, so the markers in pyproject.toml pick what that
version gets, and the lab's quiet settings), then runs, with ``CI=true`` so that
nothing that needs ``../shared/data`` skips (``EDGEKIT_SHARED_DATA`` points at it):

- the unit tests, doctests included, but not the browser test: ``pytest tests edgekit -m "not browser"``
  (nor the test of the README's sentence that quotes this very record);
- every notebook top to bottom: ``pytest --nbval-lax notebooks``.

What is tested is the last commit, exported with ``git archive HEAD`` to ``build/pythons/src``,
so that edits made while it runs cannot mix into the record. It counts passed, failed, errored
and skipped tests from pytest's JUnit XML, and writes
benchmarks/results/pythons.json (benchmarks/results_io.py) with, per Python, the version, what
pip installed of the peers that differ across versions, the counts and the commit tested. A
Python whose install fails is recorded with ``installed: false`` and the end of pip's output.
No timing here: this is a compatibility record, not a speed one.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from results_io import Recorder  # a script beside this one

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / "build" / "pythons"
SRC = VENVS / "src"  # the commit under test, exported
SHARED_DATA = ROOT.parent / "shared" / "data"
# The README's sentence on Python versions quotes this script's own record: a run cannot check it.
OWN_TIE = "tests/test_benchmark_results.py::test_the_readme_names_each_python_tested_with_its_outcome_and_the_date"
SUITES = {"unit": ["tests", "edgekit", "-m", "not browser", "--deselect", OWN_TIE],
          "notebooks": ["--nbval-lax", "notebooks"]}
# The packages whose version pyproject.toml's markers choose by Python (or leave out).
WATCHED = ("pandas", "hypothesis", "pycrdt", "automerge", "loro")


def version_of(python: str) -> tuple[int, ...] | None:
    """(major, minor, micro) of an interpreter, or None when it does not run."""
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(x) for x in out.split())


def find_pythons() -> dict[str, str]:
    """One interpreter per version >= 3.10: 'X.Y.Z' -> path, from the PATH and ~/.pyenv."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(10, 20)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    found = {}
    for path in filter(None, candidates):
        v = version_of(path)
        if v and v >= (3, 10):
            found.setdefault(".".join(map(str, v)), path)
    return dict(sorted(found.items(), key=lambda kv: tuple(int(x) for x in kv[0].split("."))))


def junit_counts(path: Path) -> dict[str, int]:
    """passed/failed/errors/skipped from pytest's JUnit XML."""
    suites = ET.parse(path).getroot()
    suite = suites if suites.tag == "testsuite" else suites.find("testsuite")
    n = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    failed = [f"{c.get('classname')}::{c.get('name')}" for c in suite.iter("testcase")
              if c.find("failure") is not None or c.find("error") is not None]
    return {"passed": n["tests"] - n["failures"] - n["errors"] - n["skipped"], "failed": n["failures"],
            "errors": n["errors"], "skipped": n["skipped"], "failing_tests": failed[:20]}


def run_python(version: str, python: str) -> dict:
    venv = VENVS / version
    bin_ = venv / "bin"
    env = {**os.environ, "CI": "true", "PATH": f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}",
           "EDGEKIT_SHARED_DATA": os.environ.get("EDGEKIT_SHARED_DATA", str(SHARED_DATA))}
    env.pop("VIRTUAL_ENV", None)
    # The Makefile's own recipe for `make test`'s venv (pip, the extras, the lab's quiet settings).
    pip = subprocess.run(["make", "--no-print-directory", f"PYTHON={python}", f"VENV={venv}", f"{venv}/.edgekit-test"],
                         cwd=SRC, env=env, capture_output=True, text=True)
    row = {"interpreter": python, "installed": pip.returncode == 0}
    if pip.returncode:
        row["pip_output_tail"] = (pip.stdout + pip.stderr)[-2000:]
        print(f"Python {version}: the install failed:\n{row['pip_output_tail']}", flush=True)
        return row
    listed = subprocess.run([str(bin_ / "python"), "-m", "pip", "list", "--format=freeze"], env=env,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    have = dict(line.split("==", 1) for line in listed if "==" in line)
    row["packages"] = {name: have.get(name) for name in WATCHED}  # None: not installed for this version
    for suite, args in SUITES.items():
        xml = venv / f"{suite}.xml"
        xml.unlink(missing_ok=True)
        done = subprocess.run([str(bin_ / "python"), "-m", "pytest", "-q", *args,
                               f"--junitxml={xml}"], cwd=SRC, env=env, capture_output=True, text=True)
        row[suite] = junit_counts(xml) if xml.exists() else {"passed": 0, "failed": 0, "errors": 1,
                                                            "skipped": 0, "failing_tests": ["pytest did not run"]}
        row[suite]["exit_code"] = done.returncode
        c = row[suite]
        print(f"Python {version} {suite:9}: {c['passed']} passed, {c['failed']} failed, {c['errors']} errors, "
              f"{c['skipped']} skipped", flush=True)
        for name in c["failing_tests"]:
            print(f"    failed: {name}")
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", action="append", help="an interpreter to test (repeatable); default: every one found")
    args = ap.parse_args()
    rec = Recorder("pythons")
    if args.python:
        pythons = {}
        for p in args.python:
            v = version_of(p)
            if v is None:
                sys.exit(f"--python {p!r}: does not run")
            pythons[".".join(map(str, v))] = p
    else:
        pythons = find_pythons()
    print("Pythons:", ", ".join(f"{v} ({p})" for v, p in pythons.items()), flush=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    shutil.rmtree(SRC, ignore_errors=True)
    SRC.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(SRC)], input=archive.stdout, check=True)
    rows = {v: run_python(v, p) for v, p in pythons.items()}
    ok = [v for v, r in rows.items() if r["installed"] and all(r[s]["failed"] == r[s]["errors"] == 0 for s in SUITES)]
    print(f"every test passed on: {', '.join(ok) or 'none'}")
    rec.write({"commit": commit, "suites": {k: " ".join(v) for k, v in SUITES.items()},
               "pythons": rows, "all_passed": ok})


if __name__ == "__main__":
    main()
