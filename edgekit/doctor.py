"""Room check: is this laptop ready for the workshop? One OK/FAIL line per thing it needs.

    python -m edgekit.doctor          # what the chapters need (make doctor)
    python -m edgekit.doctor --test   # and what `make test` needs: test extras, Chromium

Each FAIL line is followed by its fix; the exit status is 1 if any line failed. A NOTE line
is advice that does not stop the workshop. The checks: the Python version; that edgekit is
installed; every package the chapters need (and, with ``--test``, every test extra) at a version
pyproject.toml allows; that the ``python3`` kernel JupyterLab starts really runs this Python and
imports the kit; the front-end pieces that draw widgets and plotly figures; the map shapes that
let maps draw offline; JupyterLab's news prompt switched off; Chromium for the browser UI test.

Only the standard library is imported up front: the doctor must run where packages are missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from ._checks import brief

__all__ = ["Check", "python_check", "requirements", "package_checks", "installed_check", "kernel_check",
           "disabled_plugins", "frontend_check", "widget_pair_check", "map_shapes_check", "quiet_check",
           "chromium_check", "run", "main"]

TESTED = ((3, 10), (3, 13))
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Check:
    """One line of the report: ``ok`` is True (OK), False (FAIL) or None (NOTE, advice only)."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""

    def line(self) -> str:
        tag = {True: "OK", False: "FAIL", None: "NOTE"}[self.ok]
        text = f"{tag:<5} {self.name}: {self.detail}"
        return text + (f"\n        fix: {self.fix}" if self.fix and self.ok is not True else "")


def python_check(version=sys.version_info[:3]) -> Check:
    """The interpreter is new enough (3.10+); a version newer than the tested range is a NOTE."""
    if (not isinstance(version, tuple) or len(version) < 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in version)):
        raise TypeError(f"version={brief(version)}: expected a tuple of ints such as (3, 11, 0)")
    shown = ".".join(map(str, version))
    if tuple(version[:2]) < TESTED[0]:
        return Check("Python", False, f"{shown} at {sys.executable}; edgekit needs 3.10 or newer",
                     "install Python 3.11, then `make clean` and `make PYTHON=python3.11 lab`")
    if tuple(version[:2]) > TESTED[1]:
        return Check("Python", None, f"{shown}: newer than the tested 3.10-3.13; report anything odd")
    return Check("Python", True, f"{shown} ({sys.executable})")


def requirements(extra: str = "") -> list:
    """The requirements edgekit's metadata sets for this Python: the chapters' set, or what ``extra`` adds."""
    from packaging.requirements import Requirement

    reqs = [Requirement(t) for t in metadata.requires("edgekit") or []]
    if extra:
        return [r for r in reqs if r.marker and r.marker.evaluate({"extra": extra})
                and not r.marker.evaluate({"extra": ""})]
    return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]


def package_checks(extra: str = "", version=metadata.version) -> list[Check]:
    """One line per required package: installed, at a version the requirement allows."""
    try:
        reqs = requirements(extra)
    except ImportError as exc:
        return [Check("packaging", False, f"cannot read the requirements ({exc})", "make lab")]
    except metadata.PackageNotFoundError:
        return []  # installed_check says so, with the fix
    out = []
    for req in reqs:
        want = str(req.specifier) or "any version"
        fix = f"{'make test' if extra else 'make lab'}   (or: python -m pip install '{req}')"
        try:
            have = version(req.name)
        except metadata.PackageNotFoundError:
            out.append(Check(req.name, False, f"not installed (needs {want})", fix))
            continue
        ok = req.specifier.contains(have, prereleases=True)
        out.append(Check(req.name, ok, have if ok else f"{have}, needs {want}", fix))
    return out


def installed_check() -> Check:
    """edgekit itself is installed in this Python (an editable install points at this folder)."""
    try:
        return Check("edgekit", True, f"{metadata.version('edgekit')}, imported from {Path(__file__).parent}")
    except metadata.PackageNotFoundError:
        return Check("edgekit", False, f"not installed in {sys.executable}",
                     "make lab   (it creates .venv and installs the kit; then use .venv/bin/python)")


KERNEL_PROBE = "import sys, edgekit, ipywidgets, plotly; print(sys.prefix)"


def kernel_check(name: str = "python3", timeout: float = 90.0) -> Check:
    """Start the kernel JupyterLab would start and ask it to import the kit: proof, not inspection."""
    fix = ("make lab; if a user-level kernel shadows the kit's, `jupyter kernelspec list` shows it and "
           "`jupyter kernelspec remove python3` removes it")
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return Check("kernel", False, "jupyter_client is missing", "make lab")
    try:
        km, kc = start_new_kernel(kernel_name=name, startup_timeout=timeout,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except Exception as exc:  # any failure to start is the finding
        return Check("kernel", False, f"{name!r} did not start: {type(exc).__name__}: {exc}", fix)
    out: list[str] = []
    try:
        hook = lambda msg: out.append(msg["content"].get("text", "") or msg["content"].get("evalue", ""))  # noqa: E731
        reply = kc.execute_interactive(KERNEL_PROBE, timeout=timeout, output_hook=hook)
    except Exception as exc:
        return Check("kernel", False, f"{name!r} did not answer: {type(exc).__name__}: {exc}", fix)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    said = "".join(out).strip()
    if reply["content"]["status"] != "ok":
        return Check("kernel", False, f"{name!r} cannot import the kit: {said}", fix)
    if Path(said).resolve() != Path(sys.prefix).resolve():
        return Check("kernel", False, f"{name!r} runs the Python in {said}, not this one ({sys.prefix})", fix)
    return Check("kernel", True, f"{name!r} starts, runs this Python and imports edgekit, ipywidgets, plotly")


def _labextension(ext: str) -> Path | None:
    from jupyter_core.paths import jupyter_path

    return next((Path(d) / ext for d in jupyter_path("labextensions") if (Path(d) / ext / "package.json").is_file()), None)


def disabled_plugins() -> set[str]:
    """Lab extensions and plugins switched off in any page_config.json Jupyter reads."""
    from jupyter_core.paths import jupyter_config_path

    off: set[str] = set()
    for d in jupyter_config_path():
        path = Path(d) / "labconfig" / "page_config.json"
        if path.is_file():
            found = json.loads(path.read_text()).get("disabledExtensions", {})
            off |= {k for k, v in found.items() if v} if isinstance(found, dict) else set(found)
    return off


def frontend_check(label: str, ext: str, dist: str) -> Check:
    """The JupyterLab extension that draws ``label`` is present, enabled and matches its Python package."""
    fix = f"make lab   (or: python -m pip install --force-reinstall {dist})"
    try:
        folder, off = _labextension(ext), disabled_plugins()
        have = metadata.version(dist)
    except ImportError:
        return Check(label, False, "jupyter_core is missing", "make lab")
    except metadata.PackageNotFoundError:
        return Check(label, False, f"the Python package {dist} is missing", fix)
    if folder is None:
        return Check(label, False, f"JupyterLab extension {ext} not found", fix)
    if ext in off:
        return Check(label, False, f"JupyterLab extension {ext} is disabled", f"jupyter labextension enable {ext}")
    version = json.loads((folder / "package.json").read_text()).get("version", "?")
    shipped = json.loads((folder / "install.json").read_text()).get("packageName") if (folder / "install.json").is_file() else None
    if shipped and shipped.replace("-", "_").lower() != dist.replace("-", "_").lower():
        return Check(label, False, f"{ext} {version} in {folder} comes from {shipped}, not {dist}", fix)
    return Check(label, True, f"{ext} {version} (from {dist} {have})")


def widget_pair_check() -> Check:
    """ipywidgets (kernel side) and jupyterlab_widgets (page side) are versions made for each other."""
    from packaging.requirements import Requirement

    try:
        pair = next(Requirement(r) for r in metadata.requires("ipywidgets") or [] if r.startswith("jupyterlab_widgets"))
        have = metadata.version("jupyterlab_widgets")
    except (StopIteration, metadata.PackageNotFoundError) as exc:
        return Check("widgets pairing", False, f"cannot find ipywidgets and jupyterlab_widgets ({exc})", "make lab")
    ok = pair.specifier.contains(have, prereleases=True)
    return Check("widgets pairing", ok, f"jupyterlab_widgets {have}, ipywidgets wants {pair.specifier}",
                 "make lab   (or: python -m pip install --upgrade ipywidgets jupyterlab_widgets)")


def map_shapes_check(path: Path | None = None) -> Check:
    """The world map shapes ship with the kit, so map figures draw without the Internet."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path={brief(path)}: expected a file path, or None for the kit's own shapes")
    path = Path(path) if path else Path(str(resources.files("edgekit.figures") / "assets" / "world_110m.json"))
    fix = "make lab   (or: python -m pip install -e .; the file is edgekit/figures/assets/world_110m.json)"
    try:
        topo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Check("offline map shapes", False, f"cannot read {path}: {exc}", fix)
    if topo.get("type") != "Topology" or not {"countries", "land"} & set(topo.get("objects", {})):
        return Check("offline map shapes", False, f"{path} is not the world TopoJSON the maps need", fix)
    return Check("offline map shapes", True, f"{path.name}, {len(topo['objects'])} layers")


def quiet_check() -> Check:
    """JupyterLab's news prompt is off (make lab switches it off; a NOTE elsewhere, not a FAIL)."""
    try:
        off = NEWS_PLUGIN in disabled_plugins()
    except ImportError:
        return Check("quiet start", None, "jupyter_core is missing, cannot tell")
    return Check("quiet start", True if off else None,
                 "JupyterLab's news prompt is off" if off else "JupyterLab will ask about Jupyter news on first start",
                 f"jupyter labextension disable {NEWS_PLUGIN}   (make lab does it)")


def chromium_check(required: bool, path: str = CHROMIUM) -> Check:
    """Chromium for the browser UI test in `make test` (a workshop laptop does not need it)."""
    if not isinstance(required, bool):
        raise TypeError(f"required={brief(required)}: expected True or False")
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise TypeError(f"path={brief(path)}: expected the path of a Chromium executable")
    found = Path(path).is_file() and os.access(path, os.X_OK)
    if not found:
        return Check("Chromium", False if required else None, f"not found at {path}; only the browser UI test needs it",
                     "sudo apt-get install chromium   (make test does it when run as root)")
    try:
        said = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("Chromium", False, f"{path} does not run: {exc}", "sudo apt-get install --reinstall chromium")
    return Check("Chromium", True, said.splitlines()[-1] if said else path)


def run(test: bool = False) -> list[Check]:
    """Every check, in the order a helper would fix them."""
    checks = [python_check(), installed_check(), *package_checks()]
    if test:
        checks += package_checks("test")
    checks += [kernel_check(), frontend_check("widgets front end", "@jupyter-widgets/jupyterlab-manager", "jupyterlab_widgets"),
               widget_pair_check(), frontend_check("plotly front end", "jupyterlab-plotly", "plotly"),
               map_shapes_check(), quiet_check(), chromium_check(required=test)]
    return checks


def main(argv: list[str] | None = None, checks=None) -> int:
    """Print the report; 1 if anything failed, else 0."""
    argv = sys.argv[1:] if argv is None else argv
    if set(argv) - {"--test"}:
        print("usage: python -m edgekit.doctor [--test]", file=sys.stderr)
        return 2
    checks = run(test="--test" in argv) if checks is None else checks
    for c in checks:
        print(c.line())
    failed = [c for c in checks if c.ok is False]
    print(f"\n{len(failed)} of {len(checks)} checks failed: fix them as shown, then run `make doctor` again."
          if failed else f"\nAll {len(checks)} checks passed: this machine is ready.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
