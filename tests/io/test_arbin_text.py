"""Arbin CSV and XLSX exports, checked against a plain read of the same file."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import integrated_counters
from ssblab.analysis.cycles import vendor_cycles as cycles
from ssblab.errors import ReadError
from ssblab.io import detect, read
from ssblab.io.arbin.text import normalise, rename_map

CSV_ROWS = {
    "arbin/arbin_example.csv": 2142,
    "arbin/FastCharge_000025_CH8.csv": 248,
    "arbin/2017-05-09_test-TC-contact_CH33.csv": 287,
    "arbin/p492-13-raw.csv": 2021,
}
XLSX = "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"


def test_header_styles_map_to_arbin_names():
    assert normalise("Test_Time(s)") == "testtimes"
    got = rename_map(["Test_Time(s)", "Current(mA)", "Charge_Capacity_Ah", "Datenum_d"])
    assert got == {
        "Test_Time(s)": ("Test_Time", 1.0),
        "Current(mA)": ("Current", 1e-3),
        "Charge_Capacity_Ah": ("Charge_Capacity", 1.0),
        "Datenum_d": ("Datenum", 1.0),
    }


@pytest.mark.parametrize(("name", "rows"), CSV_ROWS.items())
def test_csv_row_counts_and_detection(data_dir, name, rows):
    path = data_dir / name
    assert detect(path) == "arbin_csv"
    run = read(path)
    assert run.n_rows == rows == pl.read_csv(path).height
    assert run.meta.rows_skipped == 0
    assert run.table[s.TIME][0] == 0.0
    assert (run.table[s.TIME].diff().drop_nulls() >= 0).all()


def test_csv_per_cycle_capacity_matches_its_counters(data_dir):
    """arbin_example.csv: counters reset at cycle 2; cycle 1 starts at 0.880 Ah (carried over)."""
    path = data_dir / "arbin/arbin_example.csv"
    raw = pl.read_csv(path)
    per = (
        raw.group_by("Cycle_Index")
        .agg(
            pl.col("Charge_Capacity").max().alias("c"),
            pl.col("Discharge_Capacity").max().alias("d"),
        )
        .sort("Cycle_Index")
    )
    got = cycles(read(path))
    # cycle 1 = the counter's value at its end (0.880 Ah were in it at the first record;
    # the canonical counter counts from the start of the test, which that includes)
    assert got["charge_capacity_Ah"][0] == pytest.approx(per["c"][0], rel=1e-9)
    assert got["charge_capacity_Ah"][1] == pytest.approx(per["c"][1], rel=1e-9)
    assert got["discharge_capacity_Ah"].to_list() == pytest.approx(per["d"].to_list(), rel=1e-9)
    assert got["discharge_capacity_Ah"][1] == pytest.approx(1.0729095, rel=1e-7)


def test_csv_unix_time_and_sidecar(data_dir):
    run = read(data_dir / "arbin/FastCharge_000025_CH8.csv")
    raw = pl.read_csv(data_dir / "arbin/FastCharge_000025_CH8.csv")
    np.testing.assert_array_equal(run.table[s.UNIX_TIME].to_numpy(), raw["DateTime"].to_numpy())
    assert run.meta.channel == "7"
    assert run.meta.start_time_utc == "2017-05-13T03:13:34+00:00"
    # vendor cycles start at 0 here: shifted, and the vendor number kept
    assert run.table[s.CYCLE].min() == 1
    assert run.table[s.VENDOR_CYCLE].min() == 0
    assert run.meta.cycle_numbering == "Arbin Cycle_Index + 1"


def test_csv_without_cycle_indices_is_one_cycle(data_dir):
    run = read(data_dir / "arbin/2017-05-09_test-TC-contact_CH33.csv")
    assert s.CYCLE not in run.table.columns
    per = cycles(run)
    assert per.height == 1
    raw = pl.read_csv(data_dir / "arbin/2017-05-09_test-TC-contact_CH33.csv")
    assert per["charge_capacity_Ah"][0] == pytest.approx(raw["Charge_Capacity"].max(), rel=1e-9)


def test_archive_csv_matches_integrated_current(data_dir):
    """p492: per-step counters (reset at every rest); compare with integrating I(t).

    The file is decimated (one record per 200-600 s): integration is exact within
    constant-current steps but not across a CV tail, so agreement is within 2 %
    (cycle 6, with the largest CV share, differs by 1.8 %).
    """
    run = read(data_dir / "arbin/p492-13-raw.csv")
    ours = cycles(run)
    bare = run.table.drop(
        s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY
    )
    ref = cycles(integrated_counters(bare))
    big = ref["charge_capacity_Ah"] > 5e-3
    np.testing.assert_allclose(
        ours["charge_capacity_Ah"].filter(big), ref["charge_capacity_Ah"].filter(big), rtol=0.02
    )
    # cycle 4 holds two charge steps (11.1 mAh, then 19.6 mAh), each counted from 0
    assert ours["charge_capacity_Ah"][3] == pytest.approx(0.030762, rel=1e-4)
    assert "Datenum_d (MATLAB days) taken as UTC" in run.meta.notes
    # MATLAB datenum 737792.442372685 = 2020-01-02 10:37:01 UTC
    assert run.table[s.UNIX_TIME][0] == pytest.approx(1577961421.0, abs=1.0)


def test_xlsx_export(data_dir):
    path = data_dir / XLSX
    assert detect(path) == "arbin_xlsx"
    run = read(path)
    assert run.n_rows == 4526
    assert run.meta.channel == "11"
    assert run.meta.extra["Schedule File Name"] == "Ben\\bs542_graphite_slow_rate.sdu"
    per = cycles(run)
    # graphite half-cell: the 50 uA discharge (lithiation) passes 11.06 mAh
    assert per["discharge_capacity_Ah"][0] == pytest.approx(0.011055, rel=1e-3)
    # Date_Time 2020-10-19 11:31:46.582 (wall clock, taken as UTC)
    assert run.table[s.UNIX_TIME][0] == pytest.approx(1603107106.582, abs=1e-3)


def test_metadata_sidecar_is_refused_with_reason(data_dir):
    with pytest.raises(ReadError, match=r"_Metadata\.csv: Arbin metadata sidecar"):
        read(data_dir / "arbin/FastCharge_000025_CH8_Metadata.csv")


def test_csv_with_unreadable_times_counts_them(tmp_path):
    path = tmp_path / "bad_rows.csv"
    path.write_text(
        "Data_Point,Test_Time,Cycle_Index,Step_Index,Current,Voltage\n"
        "1,0.0,1,1,0.1,3.0\n2,oops,1,1,0.1,3.1\n3,2.0,1,1,0.1,3.2\n"
    )
    run = read(path)
    assert run.n_rows == 2
    assert run.meta.rows_skipped == 1
    assert any("1 rows without a test time" in n for n in run.meta.notes)


def test_empty_csv_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ReadError, match=r"empty\.csv"):
        read(path)


def test_unit_style_csv_with_wall_clock_dates(tmp_path):
    path = tmp_path / "watcher.csv"
    path.write_text(
        "Date_Time,Test_Time(s),Step_Index,Cycle_Index,Voltage(V),Current(mA),"
        "Charge_Capacity(mAh),Discharge_Capacity(mAh)\n"
        "10/19/2020 11:31:46.582,1.0,1,1,3.0,100,0,0\n"
        "10/19/2020 11:32:46.582,61.0,1,1,3.1,100,1.5,0\n"
    )
    assert detect(path) == "arbin_csv"
    run = read(path)
    assert run.table[s.CURRENT].to_list() == [0.1, 0.1]
    assert run.table[s.CHARGE_CAPACITY].to_list() == [0.0, 0.0015]
    assert run.table[s.TIME].to_list() == [0.0, 60.0]
    assert run.table[s.UNIX_TIME].to_list() == pytest.approx([1603107106.582, 1603107166.582])


def test_foreign_csv_and_xlsx_are_not_claimed(tmp_path):
    csv = tmp_path / "other.csv"
    csv.write_text("Test Time / s,Voltage / V,Current / A\n0,3.0,0.1\n")
    from ssblab.io.arbin.reader import sniff_csv, sniff_xlsx

    assert not sniff_csv(csv.read_bytes(), csv)
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["a", "b"])
    xlsx = tmp_path / "other.xlsx"
    book.save(xlsx)
    assert not sniff_xlsx(xlsx.read_bytes()[:4096], xlsx)
    with pytest.raises(ReadError, match=r"other\.xlsx: workbook has no Channel_\* sheet"):
        read(xlsx, format="arbin_xlsx")


def test_garbage_xlsx_is_refused(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04" + bytes(2000))
    with pytest.raises(ReadError, match=r"junk\.xlsx"):
        read(junk, format="arbin_xlsx")


def test_semicolon_csv_with_decimal_commas(tmp_path):
    path = tmp_path / "locale.csv"
    path.write_text(
        "Test_Time(s);Step_Index;Cycle_Index;Voltage(V);Current(A);Charge_Capacity(Ah)\n"
        "0,5;1;1;3,25;0,1;0\n"
        "10,5;1;1;3,5;0,1;0,25\n"
    )
    assert detect(path) == "arbin_csv"
    run = read(path)
    assert run.table[s.VOLTAGE].to_list() == [3.25, 3.5]
    assert run.table[s.TIME].to_list() == [0.0, 10.0]
    assert run.table[s.CHARGE_CAPACITY].to_list() == [0.0, 0.25]


def test_lower_case_headers_of_other_vendors_are_not_arbin():
    from ssblab.io.arbin.text import looks_like_arbin

    landt = ["cycle_index", "step_index", "test_time_s", "current_A", "voltage_V"]
    assert not looks_like_arbin(landt)
    assert looks_like_arbin(["Cycle_Index", "Step", "Time_s", "Current_A", "Voltage_V"])


def test_export_columns_without_a_canonical_column_are_named(data_dir):
    """Nothing left out silently: the columns not kept are listed in the notes."""
    run = read(data_dir / "arbin" / "2017-05-09_test-TC-contact_CH33.csv")
    assert "2 export columns not kept (no canonical column): dV/dt, Internal_Resistance" in (
        run.meta.notes
    )
    archive = read(data_dir / "arbin" / "p492-13-raw.csv")
    note = next(n for n in archive.meta.notes if "not kept" in n)
    # Temp2 is kept as Aux 2 Temperature / degC (tests/io/test_arbin_aux.py)
    assert note.startswith("16 export columns") and "Temp2" not in note and "Amphr" in note


def test_workbook_with_two_channels_reads_one_and_names_the_other(data_dir, tmp_path):
    """The real Channel_11_1 sheet copied as Channel_12_1: records are not mixed."""
    from openpyxl import Workbook, load_workbook

    source = data_dir / "arbin" / "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
    book = load_workbook(source, read_only=True, data_only=True)
    out = Workbook()
    out.remove(out.active)
    for title in ("Global_Info", "Channel_11_1", "Channel_12_1"):
        rows = book[title if title != "Channel_12_1" else "Channel_11_1"].iter_rows(
            values_only=True
        )
        sheet = out.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.close()
    path = tmp_path / "two_channels.xlsx"
    out.save(path)
    run = read(path)
    assert run.n_rows == read(source).n_rows == 4526
    assert any("holds channels 11, 12: channel 11 read" in n for n in run.meta.notes)
