"""Text from files is shown as text: no tag or script in a cell name ever reaches the page."""

from __future__ import annotations

import polars as pl

from ssblab.report.build import build
from ssblab.report.html import script_json
from ssblab.schema import Run

EVIL = "<img src=x onerror=alert(1)>"
CLOSER = "</script><script>alert(2)</script>"


def test_evil_names_and_notes_are_escaped_everywhere(make_cycling, eis_table, tmp_path):
    base = make_cycling(n_cycles=3, name=EVIL)
    run = Run(base.table, base.meta.with_(notes=(CLOSER,), instrument=EVIL, source=EVIL))
    design = {
        "name": CLOSER,
        "kind": EVIL,
        "np_ratio": 1.1,
        "audit": [
            {
                "quantity": EVIL,
                "reported": 1.0,
                "implied": 1.2,
                "unit": "-",
                "rel_diff": 0.2,
                "flag": "differs",
                "note": CLOSER,
            }
        ],
    }
    report = build([run, eis_table, design], tmp_path / "r", png=False)
    text = report.index.read_text("utf-8")
    assert EVIL not in text
    assert CLOSER not in text
    assert "<img" not in text
    assert text.count("<script") == text.count("</script>")  # no script opened by data
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown as text in the tables
    assert "voltage_capacity_img_src_x_onerror_alert_1" in report.panels


def test_script_json_cannot_close_a_script_block():
    text = script_json({"name": CLOSER, "amp": "a&b", "sep": "\u2028"})
    assert "</" not in text and "<" not in text and "&" not in text
    assert "\\u003c/script\\u003e" in text


def test_evil_spectrum_label(tmp_path, eis_table):
    report = build([pl.DataFrame(eis_table)], tmp_path / "s", png=False)
    assert "eis_nyquist" in report.panels
