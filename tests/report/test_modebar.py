"""Plotly's mode bar: hidden until the pointer is over a panel and in print, zoom kept.

Headless Chromium (and any browser that reports no hovering pointer) made Plotly
show the mode bar always, over the top right of every plot in the screenshots.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from ssblab.report.html import PanelBlock, page

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def _one_panel_page() -> str:
    figure = {"data": [{"type": "scatter", "x": [0, 1, 2], "y": [3.0, 3.5, 4.1]}], "layout": {}}
    return page("t", [], [], [], [PanelBlock("v", "Voltage", figure)], [])


def test_page_css_shows_the_mode_bar_on_hover_only_and_never_in_print():
    text = _one_panel_page()
    css = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    assert ".panel .modebar-container{opacity:0" in css
    assert ".panel:hover .modebar-container" in css
    assert "@media print{.modebar-container{display:none}" in css


@pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")
def test_the_drawn_mode_bar_keeps_zoom_and_drops_select_and_cloud_upload(tmp_path):
    index = tmp_path / "index.html"
    index.write_text(_one_panel_page(), encoding="utf-8")
    result = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            index.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    titles = set(re.findall(r'class="modebar-btn[^"]*"[^>]*?data-title="([^"]+)"', result.stdout))
    assert {"Zoom", "Pan", "Reset axes", "Download plot as a PNG"} <= titles, titles
    assert not {"Box Select", "Lasso Select", "Share chart..."} & titles
