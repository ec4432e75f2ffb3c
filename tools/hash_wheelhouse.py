"""Pin every file of a wheelhouse by name, version and sha256, for `pip install --require-hashes`.

`make wheelhouse` runs it on the folder `pip download` filled; the laptops' install then refuses
any file whose hash differs from the one recorded here (a damaged copy, a swapped wheel on a
stick). Prints requirement lines, one per project: ``name==version --hash=sha256:...``.

    python tools/hash_wheelhouse.py wheelhouse > wheelhouse/requirements.txt
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename


def pin_lines(folder: Path) -> list[str]:
    """One ``name==version --hash=sha256:...`` line per project in ``folder`` (several hashes if several files)."""
    pins: dict[tuple[str, str], list[str]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(path.name)
        elif path.name.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(path.name)
        else:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        pins.setdefault((canonicalize_name(name), str(version)), []).append(f"--hash=sha256:{digest}")
    versions: dict[str, str] = {}
    for name, version in pins:
        if versions.setdefault(name, version) != version:
            raise ValueError(f"{folder}: {name} in two versions ({versions[name]} and {version}); keep one")
    return [f"{name}=={version} " + " ".join(hashes) for (name, version), hashes in sorted(pins.items())]


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit("usage: python tools/hash_wheelhouse.py WHEELHOUSE_FOLDER")
    print("\n".join(pin_lines(Path(sys.argv[1]))))
