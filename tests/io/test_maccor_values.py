"""Exact values of every real Maccor text export (those the reader gave at commit b2af54d,
before the reader stopped parsing every ``DPt Time`` stamp twice and copying frames
whose rows all stay), and the helpers of that change."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab.io import read
from ssblab.io.maccor.records import stamp_seconds
from ssblab.io.maccor.text import kept

T, CURRENT, UNIX = "Test Time / s", "Current / A", "Unix Time / s"
Q_CHG, E_DCHG = "Charging Capacity / Ah", "Discharging Energy / Wh"

#: file -> rows, then at the middle row (rows // 2): time, current, Unix time, charge
#: capacity, discharge energy
VALUES = {
    "PredictionDiagnostics_000109_tztest.010": (
        2165,
        (20511.75, 9.6807049668, 1572754245.0, 3.9796446383999977, 13.095331506399999),
    ),
    "PredictionDiagnostics_000151_test.052": (
        333,
        (1.6700000000419095, -4.8400091554, 1571702401.0, 0.0, 0.0831688961),
    ),
    "maccor_001.txt": (
        6704,
        (93666.46999979, 0.07441, 1607783003.0, 9.021090000000033, 18.57962999999999),
    ),
    "maccor_example.001": (8, (40.001999999999995, 0.0, 1459440371.0, 0.0, 0.0)),
    "maccor_example.002": (8, (40.001999999999995, 0.0, 1459526771.002, 0.0, 0.0)),
    "maccor_test_file_4267-66-6519.041": (74, (10.0, 0.0, 1478102423.0, 0.0, 0.0)),
    "maccor_two.txt": (213, (6360.0, 0.0, 1622898586.0, 0.0, 0.0)),
    "xTESLADIAG_000019_CH70.070": (
        11669,
        (66361.08, -9.3998626688, 1562920130.0, 46.18630596750012, 161.2744798454),
    ),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_exact_values(data_dir, name):
    rows, expected = VALUES[name]
    t = read(data_dir / "maccor" / name).table
    assert t.height == rows
    assert t[UNIX].null_count() == 0
    got = tuple(t[c][rows // 2] for c in (T, CURRENT, UNIX, Q_CHG, E_DCHG))
    assert got == expected


def test_date_only_stamp_reads_as_midnight(data_dir):
    """The .052 file's record 249835 (row 44) is stamped '10/22/2019' (no clock), the
    next ones '10/22/2019 00:00:00': both read as 2019-10-22 00:00 (taken as UTC)."""
    t = read(data_dir / "maccor" / "PredictionDiagnostics_000151_test.052").table
    assert t[UNIX][43:46].to_list() == [1571702399.0, 1571702400.0, 1571702400.0]
    assert t[T][44] == 0.44000000006053597


def test_stamp_seconds_parses_again_only_what_the_full_format_misses():
    text = pl.Series(["10/22/2019 00:00:01", "10/22/2019", None, "not a date", "10/23/2019"])
    got = stamp_seconds(text, "%m/%d/%Y %H:%M:%S").to_list()
    assert got == [1571702401.0, 1571702400.0, None, None, 1571788800.0]
    assert stamp_seconds(text[:1], "%m/%d/%Y %H:%M:%S").to_list() == [1571702401.0]


def test_kept_copies_nothing_when_every_row_stays():
    frame = pl.DataFrame({"a": [1, 2, None], "b": [1.0, None, None]})
    assert kept(frame, pl.col("a") > 0) is not frame  # the null row goes
    assert kept(frame, pl.col("a") > 0).height == 2
    assert kept(frame, pl.lit(True)) is frame
    assert kept(frame, ~pl.all_horizontal(pl.all().is_null())).height == 2  # blank row
