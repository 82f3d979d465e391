"""Rebuild the report screenshots under ``docs/`` (headless Chromium), as shown in the README.

    .venv/bin/python docs/make_screenshots.py            # needs `chromium` and ../shared/data

1. ``docs/report-seed-cells.png``: ``ssblab report examples/*.toml --simulate``;
2. ``docs/report-real-files.png``: one report of real files from five vendors
   (Neware, BioLogic, LANDT, Maccor, Arbin) plus an impedance spectrum.

Each page is also measured (bytes) and the sizes printed, so the README's
figures come from this script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DATA = Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))
#: Real files of several vendors, relative to the data folder.
REAL_FILES = (
    "neware/TestFile.nda",
    "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr",
    "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "maccor/maccor_example.001",
    "arbin/arbin_example.res",
    "biologic/cv.mpr",
    "eis/impedancepy_exampleData.csv",
    "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_01_GCPL_C05.mpr",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--hide-scrollbars",
)


def report(inputs: list[str], out: Path, title: str, *extra: str) -> Path:
    """Run ``ssblab report`` and return the page."""
    cmd = [sys.executable, "-m", "ssblab", "report", *inputs, "-o", str(out), "--title", title]
    subprocess.run([*cmd, "--no-png", *extra], check=True, cwd=ROOT)
    return out / "index.html"


def trim_to_gap(png: Path, height: int) -> int:
    """Cut *png* at the last full-width white gap above *height* px, so that the image
    ends between two rows of panels instead of through one; returns the new height."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as im:
        grey = np.asarray(im.convert("L"))
        white = (grey[:, 10:-10] >= 250).all(axis=1)  # background across the page
        gaps = [y for y in range(min(height, grey.shape[0]) - 1, height // 2, -1) if white[y]]
        cut = gaps[0] + 1 if gaps else min(height, grey.shape[0])
        im.crop((0, 0, im.width, cut)).save(png, optimize=True)
    return cut


def screenshot(page: Path, png: Path, height: int) -> None:
    """Headless Chromium screenshot of *page*, 1400 px wide, ending between panel rows
    at most *height* px down."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size=1400,{height + 400}",
                "--virtual-time-budget=20000",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    trim_to_gap(png, height)


def main() -> int:
    """Write both screenshots and print the page sizes."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        recipes = sorted(str(p) for p in (ROOT / "examples").glob("*.toml"))
        seed = report(recipes, work / "seed", "ssblab seed cells", "--simulate")
        screenshot(seed, DOCS / "report-seed-cells.png", 2600)
        print(f"seed-cell report: {seed.stat().st_size / 1e6:.2f} MB")
        missing = [f for f in REAL_FILES if not (DATA / f).is_file()]
        if missing:
            print(f"real data not found under {DATA}: skipped the real-file report")
            return 0
        real = report(
            [str(DATA / f) for f in REAL_FILES], work / "real", "ssblab report: real files"
        )
        screenshot(real, DOCS / "report-real-files.png", 3900)
        print(f"real-file report ({len(REAL_FILES)} files): {real.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
