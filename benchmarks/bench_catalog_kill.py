"""Kill-test at scale: builds of a 1 000-file replicated archive SIGKILLed at random points
(>= 20 kills), then finished; the catalog must equal a clean build row for row.

Prints each kill's committed-file count and whether files, cycles and run files match.
Run: ``.venv/bin/python benchmarks/bench_catalog_kill.py [--files 1000] [--kills 20]``.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_catalog import replicated


def cli_build(root: Path, out: Path) -> subprocess.Popen:
    """``ssblab catalog build ROOT -o OUT`` in a subprocess."""
    cmd = [sys.executable, "-m", "ssblab", "catalog", "build", str(root), "-o", str(out), "--json"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def committed(out: Path) -> int:
    """Files recorded in the catalog so far (read-only; 0 when it cannot be opened yet)."""
    from ssblab.catalog.store import query
    from ssblab.errors import SsblabError

    try:
        return int(query(out, "SELECT count(*) AS n FROM files")["n"][0])
    except SsblabError:
        return 0


def runs_written(out: Path) -> int:
    """Run files in the catalog folder (written just before each file's commit)."""
    return len(list((out / "runs").glob("*.parquet")))


def kill_loop(root: Path, out: Path, n_files: int, kills: int, seed: int) -> list[int]:
    """SIGKILL *kills* builds, each at a random point after a random number of further run
    files were written (so every kill lands mid-build); then finish the build."""
    rng = random.Random(seed)
    counts = []
    for left in range(kills, 0, -1):
        before = runs_written(out)
        step = max(1, (n_files - before) // (left + 1))
        target = before + rng.randint(1, 2 * step)
        proc = cli_build(root, out)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            if runs_written(out) >= target:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts.append(committed(out))
    proc = cli_build(root, out)
    _, err = proc.communicate(timeout=1800)
    if proc.returncode:
        raise SystemExit(f"final build failed: {err.decode()[-2000:]}")
    return counts


def diff(clean, killed) -> list[str]:
    """``path: column clean -> killed`` for every differing value of the files tables."""
    import polars as pl

    both = clean.join(killed, on="path", how="full", suffix="_killed", coalesce=True)
    out = []
    for col in (c for c in clean.columns if c != "path"):
        bad = both.filter(pl.col(col).ne_missing(pl.col(f"{col}_killed")))
        out += [f"{r['path']}: {col} {r[col]!r} -> {r[col + '_killed']!r}" for r in bad.to_dicts()]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the kill loop and compare; exit 1 on any difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    from ssblab.catalog import db
    from ssblab.catalog.store import build

    with tempfile.TemporaryDirectory(prefix="ssblab-bench-kill-") as tmp:
        base = Path(tmp)
        root = replicated(base / "archive", args.files)
        start = time.perf_counter()
        build(root, base / "clean")
        clean_s = time.perf_counter() - start
        counts = kill_loop(root, base / "killed", args.files, args.kills, args.seed)
        clean, killed = db.snapshot(base / "clean"), db.snapshot(base / "killed")
        same = {name: killed[name].equals(clean[name]) for name in ("files", "cycles", "runs")}
        differences = diff(clean["files"], killed["files"])
        leftovers = len(list((base / "killed" / db.RUNS).glob(".*")))
        rows = clean["files"]["rows"].sum()
    print(f"{args.files} files ({rows} rows), clean build {clean_s:.1f} s")
    print(f"{len(counts)} SIGKILLs; files committed after each: {counts}")
    print(f"equal to the clean build: {same}; temporary run files left: {leftovers}")
    for line in differences[:20]:
        print(f"  differs: {line}")
    return 0 if all(same.values()) and not leftovers else 1


if __name__ == "__main__":
    sys.exit(main())
