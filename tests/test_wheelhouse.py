"""`make wheelhouse` pins each wheel by its sha256, and pip then refuses a wheel that was changed."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from hash_wheelhouse import pin_lines  # noqa: E402


def tiny_wheel(folder: Path, name: str = "edgekit_probe", version: str = "0.1", body: str = "") -> Path:
    """A minimal pure-Python wheel (what `pip download` puts in a wheelhouse)."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": body,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: edgekit-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{p},,\n" for p in [*files, f"{info}/RECORD"])
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for p, text in files.items():
            z.writestr(p, text)
    return path


def test_pin_lines_name_version_and_hash(tmp_path):
    import hashlib

    wheel = tiny_wheel(tmp_path, "Foo_Bar", "1.2")
    (tmp_path / "baz-0.3.tar.gz").write_bytes(b"sdist")
    (tmp_path / "requirements.txt").write_text("ignored")
    assert pin_lines(tmp_path) == [
        "baz==0.3 --hash=sha256:" + hashlib.sha256(b"sdist").hexdigest(),
        "foo-bar==1.2 --hash=sha256:" + hashlib.sha256(wheel.read_bytes()).hexdigest(),
    ]


def test_two_versions_of_one_project_are_refused(tmp_path):
    tiny_wheel(tmp_path, "foo", "1.0")
    tiny_wheel(tmp_path, "foo", "2.0")
    with pytest.raises(ValueError, match="foo in two versions"):
        pin_lines(tmp_path)


def _install(folder: Path, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(folder), "--require-hashes",
         "-r", str(folder / "requirements.txt"), "--target", str(target), "--no-cache-dir", "--disable-pip-version-check"],
        capture_output=True, text=True, timeout=300)


def test_pip_installs_the_pinned_wheel_and_refuses_a_changed_one(tmp_path):
    house = tmp_path / "wheelhouse"
    house.mkdir()
    tiny_wheel(house)
    (house / "requirements.txt").write_text("\n".join(pin_lines(house)) + "\n")
    ok = _install(house, tmp_path / "ok")
    assert ok.returncode == 0, ok.stderr
    tiny_wheel(house, body="print('swapped')")  # same name and version, different bytes
    bad = _install(house, tmp_path / "bad")
    assert bad.returncode != 0 and "DO NOT MATCH THE HASHES" in bad.stderr.upper(), bad.stderr


def test_the_makefile_records_hashes_and_installs_with_them():
    text = (ROOT / "Makefile").read_text()
    assert "tools/hash_wheelhouse.py" in text and "--require-hashes -r $(WHEELS)/requirements.txt" in text
