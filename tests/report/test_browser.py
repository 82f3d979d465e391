"""The page in a real browser: headless Chromium draws every Plotly figure, with no JS error.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped when absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]

pytestmark = pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")


def _chromium(args: list[str], profile) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BROWSER, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _figure_blocks(dom: str) -> dict[str, str]:
    """DOM text of each Plotly div, by id (up to the next panel)."""
    starts = [
        (m.group(1), m.start())
        for m in re.finditer(r'<div id="(fig\d+)" class="plotly-graph-div[^"]*"', dom)
    ]
    ends = [s for _, s in starts[1:]] + [len(dom)]
    return {fid: dom[s:e] for (fid, s), e in zip(starts, ends, strict=True)}


def test_every_plot_draws_without_js_errors(full_report, tmp_path):
    url = full_report.index.resolve().as_uri()
    result = _chromium(
        ["--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0", "--dump-dom", url],
        tmp_path / "profile",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    blocks = _figure_blocks(result.stdout)
    assert len(blocks) == len(full_report.panels)
    drawn = [fid for fid, html in blocks.items() if 'class="main-svg"' in html and "<path" in html]
    assert len(drawn) == len(full_report.panels)
    errors = [line for line in result.stderr.splitlines() if "Uncaught" in line]
    assert not errors, errors


def test_screenshot_is_not_blank(full_report, tmp_path):
    shot = tmp_path / "page.png"
    result = _chromium(
        [
            f"--screenshot={shot}",
            "--window-size=1400,3000",
            "--virtual-time-budget=10000",
            full_report.index.resolve().as_uri(),
        ],
        tmp_path / "profile",
    )
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape == (3000, 1400)
    lower = pixels[1500:]  # plots, not just the header tables
    assert lower.std() > 20.0
