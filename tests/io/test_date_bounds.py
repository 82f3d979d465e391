"""Timestamps outside 1970-2100 are nulled with a counted note, never kept as dates.

Crafted from real files: a Maccor ``DPt Time`` in the year 60000 (or 2500), an
Arbin ``DateTime`` of 1e20 s, and a real ``.res`` table with one stamp pushed out.
The bound is applied once, in :func:`ssblab.io.registry.call_reader`, for every
reader: a real file of each family passes it unchanged, and each family's real
table with a year-60000 stamp comes out nulled and counted.
"""

from __future__ import annotations

import dataclasses
import math
import struct

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.cli import fast_info, main
from ssblab.io import _reader, detect, read, registry
from ssblab.io.arbin.jet import JetFile
from ssblab.io.arbin.resfile import DATA_TABLE, WANTED, load_bytes
from ssblab.limits import UNIX_TIME_BOUNDS_S, bound_unix_time, unix_times_within

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


#: One real file per reader family (no real BDF Parquet file exists in shared/data).
FAMILIES = {
    "neware_nda": "neware/TestFile.nda",
    "neware_ndax": "neware/test_2.ndax",
    "neware_btsda_csv": "neware/neware_uio.btsda-export.csv",
    "neware_regular_csv": "neware/nw_regular_export_ife_example.csv",
    "arbin_res": ARBIN_RES,
    "arbin_csv": ARBIN_CSV,
    "arbin_xlsx": "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx",
    "biologic_mpr": "biologic/GCPL-0.mpr",
    "biologic_mpt": "biologic/cp.mpt",
    "landt_csv": "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "bdf_csv": "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv",
    "maccor_text": MACCOR,
    "novonix_csv": "novonix/test_Nova_Form-CH01-01_short.csv",
    "gamry_dta": "eis/impedancepy_exampleDataGamry.DTA",
}
YEAR_60000_S = 1.8e12  # about 59 000 years after 1970
FIELD = {"arbin_res": "DateTime stamps", "arbin_csv": "DateTime stamps"}
FIELD |= {"arbin_xlsx": "DateTime stamps", "maccor_text": "DPt Time stamps"}


@pytest.mark.parametrize("fmt", sorted(FAMILIES))
def test_every_reader_passes_the_registry_bound(data_dir, fmt):
    path = data_dir / FAMILIES[fmt]
    assert detect(path) == fmt
    info = _reader(fmt)
    own = info.fn(path)  # the reader alone, before the registry
    run = registry.call_reader(info, path)
    assert run.table.equals(own.table) and run.meta == own.meta  # a real file: unchanged
    if s.UNIX_TIME not in own.table.columns:  # no clock column: give the real table one (Unix s)
        assert fmt in ("gamry_dta", "bdf_csv")
        own = dataclasses.replace(
            own, table=own.table.with_columns((pl.col(s.TIME) + 1.6e9).alias(s.UNIX_TIME))
        )
    else:
        assert run.table.get_column(s.UNIX_TIME).null_count() == 0

    def broken(_path):  # the same real table with record 3 in the year 60000
        unix = pl.col(s.UNIX_TIME)
        table = own.table.with_columns(
            pl.when(pl.int_range(pl.len()) == 2)
            .then(YEAR_60000_S)
            .otherwise(unix)
            .alias(s.UNIX_TIME)
        )
        return dataclasses.replace(own, table=table)

    bounded = registry.call_reader(dataclasses.replace(info, fn=broken), path)
    unix = bounded.table.get_column(s.UNIX_TIME)
    assert unix[2] is None and unix.null_count() == 1
    assert bounded.n_rows == own.n_rows  # the record is kept, only its date is dropped
    assert bounded.meta.notes == (
        *own.meta.notes,
        f"1 {FIELD.get(fmt, 'timestamps')} outside 1970-01-01..2100-01-01 UTC (first at "
        "record 3: 1.8e+12 s): Unix Time set to null there",
    )


def test_a_res_datetime_of_1e20_days_reads_the_same_on_both_info_paths(
    data_dir, tmp_path, capsys, monkeypatch
):
    """The light ``.res`` summary hands a stamp outside 1970-2100 to the full reader,
    so ``ssblab info`` prints the registry's note on either path."""
    source = data_dir / ARBIN_RES
    content = source.read_bytes()
    db = JetFile(load_bytes(source), str(source))
    decoded, _ = db.fixed_columns(db.table_def(db.tables()[DATA_TABLE]), WANTED)
    ole = struct.pack("<d", float(decoded["DateTime"][1]))  # record 2's OLE date
    assert content.count(ole) == 1  # stored once: that record's field
    path = tmp_path / "arbin_ole_1e20.res"
    path.write_bytes(content.replace(ole, struct.pack("<d", 1e20)))
    run = read(path)
    assert run.table.get_column(s.UNIX_TIME).null_count() == 1
    (note,) = [n for n in run.meta.notes if "1970-01-01..2100" in n]
    assert note.startswith(
        "1 DateTime stamps outside 1970-01-01..2100-01-01 UTC (first at record 2"
    )
    assert fast_info.summarize(str(path)) is None  # the light summary declines it
    assert fast_info.run(["info", str(path), "--json"])
    fast = capsys.readouterr().out
    monkeypatch.setenv(fast_info.DISABLE_ENV, "1")
    main(["info", str(path), "--json"])
    assert capsys.readouterr().out == fast and note in fast


def test_unix_times_within_is_strict():
    assert unix_times_within([0.0, 1.6e9, 4_102_444_799.0])
    for bad in (-1.0, 4_102_444_800.0, math.nan, math.inf):
        assert not unix_times_within([1.6e9, bad])
