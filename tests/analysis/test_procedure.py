"""Naming measured segments by a PyBaMM-string procedure (sidecar ``procedure``)."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab.analysis.procedure import group_spans, name_segments, parse_procedure
from ssblab.cellmeta import cell_meta
from ssblab.errors import AnalysisError
from ssblab.io import read

PAIR = [
    "Charge at C/10 until 3.4 V",
    "Rest for 1 minute",
    "Discharge at C/10 until 1.4 V",
    "Rest for 1 minute",
]
SIDECAR = f"""
[procedure]
start = ["Rest for 1 minute"]
"rate test" = {{ steps = {PAIR!r}, repeat = 9 }}
"check-up" = {PAIR!r}
cycling = {{ steps = {PAIR!r}, repeat = 20 }}
"check-up 2" = {PAIR!r}
"cycling 2" = {{ steps = {PAIR!r}, repeat = 20 }}
"check-up 3" = {PAIR!r}
"cycling 3" = {{ steps = {PAIR!r}, repeat = 5 }}
""".replace("'", '"')


def test_test2_rate_test_named_from_a_sidecar(data_dir, tmp_path):
    run = read(data_dir / "neware/test_2.ndax")
    (tmp_path / "test_2.ndax.cell.toml").write_text(SIDECAR)
    cm = cell_meta(run, tmp_path / "test_2.ndax")  # the sidecar sits beside this path
    named = name_segments(run, cm.procedure)
    spans = group_spans(named)
    assert spans.get_column("group").to_list() == [
        "start",
        "rate test",
        "check-up",
        "cycling",
        "check-up 2",
        "cycling 2",
        "check-up 3",
        "cycling 3",
    ]
    # the check-up is cycle 10 of the Neware counter: its 4 segments (C, rest, D, rest)
    checkup = named.segments.filter(pl.col("group") == "check-up")
    assert checkup.get_column("cycle").unique().to_list() == [10]
    assert checkup.get_column("state").to_list() == [1, 0, -1, 0]
    # the run stops in the 2nd of 5 programmed "cycling 3" cycles: said, not hidden
    assert any("before the procedure does" in n for n in named.notes)


def test_hold_merges_with_its_charge_and_mismatch_is_noted(data_dir):
    steps = parse_procedure({"f": ["Charge at C/10 until 4.2 V", "Hold at 4.2 V until C/50"]})
    assert [s.state for s in steps] == [1, None]
    run = read(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    named = name_segments(run, ["Rest for 1 hour", "Charge at C/24 until 3.8 V"])
    # the cell starts with a discharge: naming stops at once, with a note
    assert named.segments.get_column("group").null_count() >= named.segments.height - 1
    assert "expects 'Charge at C/24 until 3.8 V'" in named.notes[0]


@pytest.mark.parametrize(
    "bad", [["Run US06 drive cycle"], {"g": {"steps": ["Rest for 1 hour"], "repeat": 0}}, 7]
)
def test_bad_procedures_refused(bad):
    with pytest.raises(AnalysisError):
        parse_procedure(bad)
