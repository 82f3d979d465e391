"""Replicated archives of real files for the catalog tests and benchmarks (built in tmp)."""

from __future__ import annotations

import shutil
from pathlib import Path

#: Small real files of several formats (one read each is 2-30 ms).
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


def replicated(data_dir: Path, root: Path, n_files: int, names=SMALL) -> Path:
    """Copy *names* round-robin into ``root/cell-XXXX/`` until there are *n_files* files,
    plus one unreadable note per 50 files (unknown status); return *root*."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        src = data_dir / names[i % len(names)]
        folder = root / f"cell-{i // len(names):04d}"
        folder.mkdir(exist_ok=True)
        if i % 50 == 49:
            (folder / f"notes-{i}.xyz").write_text("lab notebook, not instrument data\n")
        else:
            shutil.copyfile(src, folder / src.name)
    return root
