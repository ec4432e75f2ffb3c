"""Shared fixtures (where the external conformance data lives) and Hypothesis profiles.

Under CI (the environment variable CI is set) Hypothesis runs derandomized: the
same examples every run, so a green build stays green for the same code. On a
developer's machine it explores fresh examples each run and prints the seed of
any failure (``--hypothesis-seed`` replays it).

A test that needs something only CI is sure to have (../shared/data, Chromium)
calls the ``skip_or_fail`` fixture when it is missing: on a developer's machine
the test skips with the reason; under CI it fails, so a broken path or a lost
install cannot hide behind a skip.
"""

import os
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
# EDGEKIT_SHARED_DATA points elsewhere (tests/test_ci_skips.py uses it to take the data away).
SHARED_DATA = Path(os.environ.get("EDGEKIT_SHARED_DATA") or ROOT.parent / "shared" / "data")

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)


def in_ci() -> bool:
    """Whether this runs under CI: the environment variable CI is set to anything but 0/false/no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if in_ci() else "dev"))


def _skip_or_fail(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} [CI is set, and CI always has it: failing instead of skipping]", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def skip_or_fail():
    """``skip_or_fail(reason)``: skip on a developer's machine, fail under CI."""
    return _skip_or_fail


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data; without it skip (a user's fresh clone has no ../shared), or fail under CI."""
    if not SHARED_DATA.is_dir():
        _skip_or_fail(f"external conformance data not found at {SHARED_DATA}")
    return SHARED_DATA
