"""What a workshop laptop downloads and stores: the `.venv` of `make lab`, then of `make test`.

    .venv/bin/python benchmarks/install_sizes.py [--python python3]

In a temporary folder, with the interpreter given (by default the one running this script's
base Python), it makes a fresh venv, upgrades pip and installs the kit as ``make lab`` does
(pyproject.toml's dependencies), measures the venv on disk, then adds the ``test`` extra as
``make test`` does and measures again. It also runs the two ``pip download`` commands the
workshop guide quotes (what ``make wheelhouse`` fetches, and the same with the test extra)
into empty folders and counts their files and bytes. pip's cache serves what it already has,
so the download figures are the files' total size, not the time a room's Wi-Fi would take.

Sizes are bytes on disk as ``du`` counts them (blocks, so a little over the files' total);
the three biggest installed packages are named. Writes benchmarks/results/install_sizes.json
(benchmarks/results_io.py). No goal and no peer: the guide quotes these so that a room can plan.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from results_io import Recorder, load_average  # a script beside this one

ROOT = Path(__file__).resolve().parents[1]
MB = 1e6


def du(path: Path) -> int:
    """Bytes on disk under ``path`` (``du -s``, 1024-byte blocks)."""
    return int(subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True).stdout.split()[0]) * 1024


def biggest(venv: Path, n: int = 3) -> dict[str, float]:
    """The ``n`` biggest folders in the venv's site-packages, in MB."""
    site = next(venv.glob("lib/python3*/site-packages"))
    sizes = {p.name: du(p) for p in site.iterdir() if p.is_dir() and not p.name.endswith((".dist-info", "__pycache__"))}
    return {name: round(size / MB, 1) for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:n]}


def pip(venv: Path, *args: str) -> None:
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "-q", *args], cwd=ROOT, check=True)


def download(venv: Path, dest: Path, target: str) -> dict:
    pip(venv, "download", "--dest", str(dest), "pip", "setuptools", "wheel", target)
    files = [f for f in dest.iterdir() if f.is_file()]
    return {"files": len(files), "mb": round(sum(f.stat().st_size for f in files) / MB, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=getattr(sys, "_base_executable", sys.executable))
    args = ap.parse_args()
    rec = Recorder("install_sizes")
    with tempfile.TemporaryDirectory(prefix="edgekit-sizes-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([args.python, "-m", "venv", str(venv)], check=True)
        version = subprocess.run([str(venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        pip(venv, "install", "--upgrade", "pip")
        pip(venv, "install", ".")
        lab = {"venv_mb": round(du(venv) / MB), "biggest_mb": biggest(venv)}
        print(f"make lab's set:  .venv {lab['venv_mb']} MB; biggest {lab['biggest_mb']}", flush=True)
        pip(venv, "install", ".[test]")
        test = {"venv_mb": round(du(venv) / MB), "biggest_mb": biggest(venv)}
        print(f"make test's set: .venv {test['venv_mb']} MB; biggest {test['biggest_mb']}", flush=True)
        lab["download"] = download(venv, Path(tmp) / "dl", ".")
        test["download"] = download(venv, Path(tmp) / "dl-test", ".[test]")
        for name, row in (("lab", lab), ("test", test)):
            print(f"pip download ({name}): {row['download']['files']} files, {row['download']['mb']} MB", flush=True)
    print(f"load average (1, 5, 15 min) before {rec.load_before}, after {load_average()}")
    rec.write({"venv_python": version, "platform": platform.machine(), "lab": lab, "test": test})


if __name__ == "__main__":
    main()
