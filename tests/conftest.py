"""Shared fixtures: the real-data folder (skipped with a reason when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _find_data() -> Path | None:
    env = os.environ.get("SSBLAB_DATA")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "data", ROOT / ".." / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return None


DATA = _find_data()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``../shared/data`` (or ``$SSBLAB_DATA``); skips the test when it is absent."""
    if DATA is None:
        pytest.skip("real instrument data not found: set SSBLAB_DATA or place ../shared/data")
    return DATA


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The seed-cell recipes shipped in ``examples/``."""
    return ROOT / "examples"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run every test in its own temporary directory (as ASE's conftest does)."""
    monkeypatch.chdir(tmp_path)
