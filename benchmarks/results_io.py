"""One writer for every benchmark's results file, so that each figure the README quotes has a record.

    from results_io import Recorder       # a script beside this one
    rec = Recorder("pbs")                 # at the start: notes the command, the date and the load
    ...                                   # measure
    rec.write({"lnkd-ssd": {...}}, peers={"simpy": simpy.__version__})

``write`` stores ``benchmarks/results/<name>.json`` with these keys, always:

- ``command``: the command line that ran, as typed from the repository root
  (``.venv/bin/python benchmarks/pbs.py --trials 100000``);
- ``date``: when the run started, UTC, ISO 8601 to the second;
- ``machine``: ``platform``, ``cpu`` (the model name) and ``cores``;
- ``python``: version and implementation;
- ``peers``: the version of every library the run compares against (``{}`` when none);
- ``load_average``: the 1, 5 and 15-minute load ``before`` and ``after`` the run
  (others' work on a shared machine slows every run);
- ``results``: whatever the benchmark measured, as plain JSON.

``tests/test_benchmark_results.py`` checks every figure in the README's
Measurements table against the file its row names.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shlex
import sys
from pathlib import Path

__all__ = ["Recorder", "RESULTS", "KEYS"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
KEYS = ("command", "date", "machine", "python", "peers", "load_average", "results")


def _from_root(path: str) -> str:
    """``path`` relative to the repository root when it lies inside it (``.venv/bin/python``)."""
    p = Path(path).absolute()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return path


def command_line(argv: list[str] | None = None) -> str:
    """The command that is running, as one would type it from the repository root."""
    argv = sys.argv if argv is None else argv
    return shlex.join([_from_root(sys.executable), _from_root(argv[0]), *argv[1:]])


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # not on this platform
        return []


class Recorder:
    """One benchmark run: started when made, stored by ``write``."""

    def __init__(self, name: str, argv: list[str] | None = None) -> None:
        if not name or "/" in name or name.endswith(".json"):
            raise ValueError(f"name={name!r}: expected a bare name such as 'pbs' (the file is <name>.json)")
        self.name = name
        self.command = command_line(argv)
        self.date = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        self.load_before = load_average()

    @property
    def path(self) -> Path:
        return RESULTS / f"{self.name}.json"

    def write(self, results: dict, peers: dict[str, str] | None = None) -> Path:
        """Store ``results`` with the run's facts (see the module docstring); returns the path."""
        record = {
            "command": self.command,
            "date": self.date,
            "machine": {"platform": platform.platform(), "cpu": cpu_model(), "cores": os.cpu_count()},
            "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
            "peers": dict(peers or {}),
            "load_average": {"before": self.load_before, "after": load_average()},
            "results": results,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(record, indent=1, allow_nan=False) + "\n")
        print(f"results: {_from_root(str(self.path))}")
        return self.path
