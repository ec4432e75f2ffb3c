"""Shared fixtures (where the external conformance data lives) and Hypothesis profiles.

Under CI (the environment variable CI is set) Hypothesis runs derandomized: the
same examples every run, so a green build stays green for the same code. On a
developer's machine it explores fresh examples each run and prints the seed of
any failure (``--hypothesis-seed`` replays it).
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip: a user's fresh clone has no ../shared."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"external conformance data not found at {SHARED_DATA} (present in CI only)")
    return SHARED_DATA
