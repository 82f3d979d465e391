"""Shared fixtures: the real-data folder (skipped with a reason when absent); tests/helpers
on the import path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Shared test helpers (synthetic tables built from simple physics), importable by name
#: from every test module, also one loaded from its file by another test.
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))


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


# --- no network: a test that reaches beyond this machine fails instead of passing unnoticed ---

_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


def _local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths
        return True
    return str(address[0]).startswith(_LOOPBACK)


class NetworkBlockedError(OSError):
    """Raised by the test suite's socket guard for a connection beyond loopback."""


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Sockets may connect to loopback only (Dask's local cluster); anything else raises."""
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address):
        if not _local(address):
            raise NetworkBlockedError(f"network access blocked in tests: {address!r}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not str(host).startswith(_LOOPBACK) and host != "":
            raise NetworkBlockedError(f"network access blocked in tests: resolving {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
    socket.getaddrinfo = real_getaddrinfo
