"""Timestamps outside 1970-2100 are nulled with a counted note, never kept as dates.

Crafted from real files: a Maccor ``DPt Time`` in the year 60000 (or 2500), an
Arbin ``DateTime`` of 1e20 s, and a real ``.res`` table with one stamp pushed out.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.io import read
from ssblab.limits import UNIX_TIME_BOUNDS_S, bound_unix_time

MACCOR = "maccor/maccor_001.txt"  # header on lines 1-3, the Rec# table from line 4
ARBIN_CSV = "arbin/arbin_example.csv"
ARBIN_RES = "arbin/arbin_example.res"


def _maccor_with_year(data_dir, tmp_path, year: str):
    """maccor_001.txt with the DPt Time of data records 2 and 3 moved to *year*."""
    lines = (data_dir / MACCOR).read_bytes().decode("latin-1").split("\n")
    for i in (5, 6):
        fields = lines[i].split("\t")
        fields[11] = fields[11].replace("2020", year)
        lines[i] = "\t".join(fields)
    path = tmp_path / f"maccor_{year}.txt"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    return path


def test_bounds_are_1970_to_2100():
    assert UNIX_TIME_BOUNDS_S == (0.0, 4_102_444_800.0)  # 2100-01-01T00:00:00Z
    import datetime as dt

    end = dt.datetime.fromtimestamp(UNIX_TIME_BOUNDS_S[1], dt.UTC)
    assert (end.year, end.month, end.day, end.hour) == (2100, 1, 1, 0)


def test_maccor_year_60000_is_null_and_noted(data_dir, tmp_path):
    good = read(data_dir / MACCOR)
    run = read(_maccor_with_year(data_dir, tmp_path, "60000"))
    unix = run.table.get_column(s.UNIX_TIME)
    assert unix[1] is None and unix[2] is None
    assert unix.null_count() == 2
    assert unix[0] == good.table.get_column(s.UNIX_TIME)[0] == 1607689332.0
    assert run.n_rows == good.n_rows  # the records are kept, only the date is dropped
    assert "2 DPt Time stamps do not read as a date: Unix Time null there" in run.meta.notes


def test_maccor_year_2500_reads_but_is_out_of_bounds(data_dir, tmp_path):
    run = read(_maccor_with_year(data_dir, tmp_path, "2500"))
    unix = run.table.get_column(s.UNIX_TIME)
    assert unix.null_count() == 2
    assert unix.drop_nulls().max() < UNIX_TIME_BOUNDS_S[1]
    (note,) = [n for n in run.meta.notes if "outside 1970-01-01..2100-01-01" in n]
    assert note.startswith(
        "2 DPt Time stamps outside 1970-01-01..2100-01-01 UTC (first at record 2"
    )


def test_real_maccor_midnight_stamp_without_a_clock_reads_as_midnight(data_dir):
    # a real Maccor file writes the midnight record's DPt Time as '10/22/2019' (no clock)
    run = read(data_dir / "maccor" / "PredictionDiagnostics_000151_test.052")
    unix = run.table.get_column(s.UNIX_TIME)
    assert unix.null_count() == 0
    assert unix[43:46].to_list() == [1571702399.0, 1571702400.0, 1571702400.0]  # 23:59:59, 00:00
    assert not [n for n in run.meta.notes if "DPt Time stamps" in n]


def test_arbin_csv_datetime_1e20_is_null_and_noted(data_dir, tmp_path):
    lines = (data_dir / ARBIN_CSV).read_text("utf-8").split("\n")
    fields = lines[3].split(",")  # data record 3
    fields[2] = "1e20"
    lines[3] = ",".join(fields)
    path = tmp_path / "arbin_1e20.csv"
    path.write_text("\n".join(lines), "utf-8")
    run = read(path)
    unix = run.table.get_column(s.UNIX_TIME)
    assert unix[2] is None and unix.null_count() == 1
    assert unix.max() == 1499012661.0  # the real last stamp
    assert (
        "1 DateTime stamps outside 1970-01-01..2100-01-01 UTC (first at record 3: 1e+20 s): "
        "Unix Time set to null there"
    ) in run.meta.notes


def test_real_files_keep_every_stamp(data_dir):
    for name in (MACCOR, ARBIN_CSV, ARBIN_RES):
        run = read(data_dir / name)
        assert run.table.get_column(s.UNIX_TIME).null_count() == 0, name
        assert not [n for n in run.meta.notes if "1970-01-01..2100" in n], name


@pytest.mark.parametrize("bad", [-1.0, 4_102_444_800.0, 1e20, math.nan, math.inf])
def test_bound_unix_time_on_a_real_res_table(data_dir, bad):
    table = read(data_dir / ARBIN_RES).table
    broken = table.with_columns(
        pl.when(pl.int_range(pl.len()) == 10)
        .then(bad)
        .otherwise(pl.col(s.UNIX_TIME))
        .alias(s.UNIX_TIME)
    )
    bounded, note = bound_unix_time(broken, "DateTime stamps")
    unix = bounded.get_column(s.UNIX_TIME)
    assert unix[10] is None and unix.null_count() == 1
    kept = table.get_column(s.UNIX_TIME).gather([i for i in range(table.height) if i != 10])
    assert unix.drop_nulls().equals(kept)
    assert note.startswith(
        "1 DateTime stamps outside 1970-01-01..2100-01-01 UTC (first at record 11"
    )
    assert bound_unix_time(table)[1] == ""
