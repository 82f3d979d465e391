"""Atomistic tests write their result cache to a temporary folder, never to ~/.cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_result_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBLAB_CACHE", str(tmp_path / "atoms-cache"))
