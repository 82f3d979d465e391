"""Catalog ingest of a 1 000-file replicated archive: serially, on 1 and on 2 Dask workers.

Prints files/s of each and the ratio to serial, the load average before and after
(the machine is shared), and checks the three catalogs are equal row for row.
Run: ``.venv/bin/python benchmarks/bench_catalog.py [--files 1000] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Small real files of several formats, copied round-robin into the archive.
SMALL = (
    "neware/TestFile.nda",
    "neware/nda_v22.nda.zip",
    "neware/navani_test.ndax",
    "neware/interp-test.ndax",
    "biologic/GCPL-0.mpr",
    "biologic/cp.mpt",
    "biologic/gcpl.issue_149.mpr",
    "arbin/FastCharge_000025_CH8.csv",
    "arbin/mits7-0.res.gz",
    "maccor/maccor_test_file_4267-66-6519.041",
    "eis/impedancepy_exampleDataGamry.DTA",
    "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv",
)


def data_dir() -> Path:
    """$SSBLAB_DATA or ../shared/data."""
    return Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))


def replicated(root: Path, n_files: int) -> Path:
    """*n_files* copies of the small real files in ``root/cell-XXXX/`` (1 in 50 a note)."""
    data = data_dir()
    for i in range(n_files):
        folder = root / f"cell-{i // len(SMALL):04d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 50 == 49:
            (folder / f"notes-{i}.xyz").write_text("lab notebook, not instrument data\n")
        else:
            src = data / SMALL[i % len(SMALL)]
            shutil.copyfile(src, folder / src.name)
    return root


def timed_build(root: Path, out: Path, scheduler: str | None, workers: int | None) -> float:
    """Seconds for one full build of *root* into a fresh *out* (cluster start-up included)."""
    from ssblab.catalog.store import build

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    build(root, out, scheduler=scheduler, workers=workers)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit 1 if the catalogs differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N per mode")
    args = parser.parse_args(argv)
    from ssblab.catalog import db
    from ssblab.io import load_readers

    load_readers()
    with tempfile.TemporaryDirectory(prefix="ssblab-bench-catalog-") as tmp:
        base = Path(tmp)
        root = replicated(base / "archive", args.files)
        modes = [
            ("serial", None, None),
            ("dask 1 worker", "local", 1),
            ("dask 2 workers", "local", 2),
        ]
        load_before = os.getloadavg()
        best = {}
        for name, scheduler, workers in modes:
            out = base / name.replace(" ", "-")
            best[name] = min(timed_build(root, out, scheduler, workers) for _ in range(args.repeat))
        load_after = os.getloadavg()
        snaps = [db.snapshot(base / name.replace(" ", "-")) for name, _, _ in modes]
        same = all(s[k].equals(snaps[0][k]) for s in snaps[1:] for k in ("files", "cycles"))
    print(
        f"{args.files} files, {os.cpu_count()} CPUs, load average before {load_before[0]:.1f}, "
        f"after {load_after[0]:.1f} (1-min)"
    )
    print(f"{'mode':16} {'seconds':>8} {'files/s':>8} {'vs serial':>9}")
    for name, seconds in best.items():
        ratio = best["serial"] / seconds
        print(f"{name:16} {seconds:8.2f} {args.files / seconds:8.1f} {ratio:8.2f}x")
    print(f"catalogs identical row for row: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
