"""Builds killed with SIGKILL at random points and rerun equal a clean build, row for row;
concurrent builds into one catalog lose nothing; a held lock fails loudly."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssblab.catalog import db
from ssblab.catalog.store import build
from ssblab.errors import SsblabError

from .archive import replicated


def _cli_build(root: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "ssblab", "catalog", "build", str(root), "-o", str(out), "--json"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _equal(a: dict, b: dict) -> None:
    for name in ("files", "cycles", "runs"):
        assert a[name].equals(b[name]), name


def kill_and_rerun(root: Path, out: Path, n_files: int, kills: int, seed: int) -> list[int]:
    """SIGKILL *kills* builds of *root*, each after a random number of further run files
    (so each kill lands mid-build), then finish the build; return the run files
    present after each kill."""
    rng = random.Random(seed)
    present = []
    for left in range(kills, 0, -1):
        before = len(list((out / db.RUNS).glob("*.parquet")))
        target = before + rng.randint(1, max(1, (n_files - before) // (left + 1)))
        proc = _cli_build(root, out)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / db.RUNS).glob("*.parquet"))) >= target:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        present.append(len(list((out / db.RUNS).glob("*.parquet"))))
    proc = _cli_build(root, out)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return present


def test_builds_killed_at_random_points_then_rerun_equal_a_clean_build(data_dir, tmp_path):
    root = replicated(data_dir, tmp_path / "archive", 48)
    build(root, tmp_path / "clean")
    killed = tmp_path / "killed"
    present = kill_and_rerun(root, killed, 47, kills=2, seed=17)
    assert 0 < present[0] < 47, present  # the first kill landed mid-build
    _equal(db.snapshot(killed), db.snapshot(tmp_path / "clean"))
    assert not list((killed / db.RUNS).glob(".*"))  # no temporary run file left behind


def test_concurrent_builds_into_one_catalog_lose_nothing(data_dir, tmp_path):
    root = replicated(data_dir, tmp_path / "archive", 24)
    halves = sorted(root.iterdir())
    out = tmp_path / "shared"
    procs = [_cli_build(halves[0], out), _cli_build(halves[1], out)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    build(root, tmp_path / "clean")
    _equal(db.snapshot(out), db.snapshot(tmp_path / "clean"))


def test_a_build_that_cannot_get_the_lock_fails_loudly(data_dir, tmp_path):
    root = replicated(data_dir, tmp_path / "archive", 3)
    out = tmp_path / "cat"
    with db.writer_lock(out), pytest.raises(SsblabError, match="locked by another build"):
        build(root, out, lock_wait_s=0.2)
