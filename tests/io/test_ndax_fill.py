"""Rows of a split ``.ndax`` (ndc 11+) without a run-info record: the fast fill by record
position (``ndax.logged_rows`` + ``ndax.fill_rows``) gives, bit for bit, what the general
join (``attach_by_index``) followed by ``ndax.fill_unlogged_rows`` gives, on every real
archive; and the values are those BTSDA's rule gives (synthetic rows)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab.io import read
from ssblab.io.neware import ndax, ndc
from ssblab.io.neware.records import attach_by_index
from ssblab.io.safety import read_zip_member, zip_names

SPLIT = [
    "20260302_IFE_BTS85_2_9_8_1.ndax",
    "123456789012_Unit27_Example_Data_File.ndax",
    "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax",
    "TESTCELL0001-Test_Data_Collection_Ndc17.ndax",
    "ZZZZZZZZTEST.ndax",
    "filetype14-0.ndax",
    "interp-test.ndax",
    "nw4-120-1-6-53.ndax",
    "test_2.ndax",
]


def _main_and_info(path):
    names = zip_names(path)
    buf = read_zip_member(path, "data.ndc")
    _, version = ndc.header(buf, "data.ndc", path)
    run = ndax.ndc_member(path, names, "data_runInfo.ndc")
    assert version >= 11 and run is not None
    return ndc.decode_main(buf, version, path), ndc.decode_runinfo(run[0], run[2], path)


def _bits(series: pl.Series) -> bytes:
    return series.is_null().to_numpy().tobytes() + series.to_numpy().tobytes()


@pytest.mark.parametrize("name", SPLIT)
def test_fast_fill_is_the_general_fill_bit_for_bit(data_dir, name):
    main, info = _main_and_info(data_dir / "neware" / name)
    matched = ndax.logged_rows(main, info)
    assert matched is not None  # every real archive counts records up
    rows, source = matched
    logged = {c: info[c].to_numpy()[source] for c in ndax.RUNINFO_COLUMNS}
    fast = main.with_columns(ndax.fill_rows(main, rows, logged))
    general = ndax.fill_unlogged_rows(attach_by_index(main, info))
    assert rows.size < main.height  # some rows were filled
    assert fast.columns == general.columns
    for column in fast.columns:
        assert _bits(fast[column]) == _bits(general[column]), column


def test_ife_archive_exact_numbers(data_dir):
    """The 253 k-row BTS 8.5 archive logs run info on 4373 rows (1 in 61 after the
    first two); filled rows read as before the fast fill (values of commit b2af54d)."""
    path = data_dir / "neware" / "20260302_IFE_BTS85_2_9_8_1.ndax"
    main, info = _main_and_info(path)
    rows, _ = ndax.logged_rows(main, info)
    assert (rows.size, main.height) == (4373, 252951)
    assert rows[:4].tolist() == [0, 1, 62, 123]
    t = read(path).table
    for row, time_s, unix_s, chg_ah, chg_wh in [
        (150000, 149996.0, 1772337443.567, 1.3584881032673992, 5.858248443702696),
        (252950, 252946.0, 1772440388.008, 1.4187573169488574, 6.144428227180995),
    ]:
        assert t["Test Time / s"][row] == time_s
        assert t["Unix Time / s"][row] == unix_s
        assert t["Charging Capacity / Ah"][row] == chg_ah
        assert t["Charging Energy / Wh"][row] == chg_wh
        assert t["Discharging Capacity / Ah"][row] == 0.0
        assert t["Step Count / 1"][row] == 5


def _synthetic():
    """Six rows, run info logged on rows 2 and 4 only (rows 0-1 come before any)."""
    main = pl.DataFrame(
        {
            "index": pl.Series([1, 2, 3, 4, 5, 6], dtype=pl.UInt32),
            "voltage_V": [3.0, 3.1, 3.2, 3.3, 3.4, 3.5],
            "current_A": [0.5, 0.5, 0.5, 0.5, -1.0, -1.0],
        }
    )
    info = pl.DataFrame(
        {
            "index": pl.Series([3, 5], dtype=pl.UInt32),
            "step_time_s": [10.0, 0.0],
            "dt_s": [2.0, 4.0],
            "run_step": pl.Series([1, 2], dtype=pl.UInt32),
            "chg_Ah": [1.0, 1.5],
            "dchg_Ah": [0.0, 0.0],
            "chg_Wh": [3.0, 4.0],
            "dchg_Wh": [0.0, 0.0],
            "unix_time_s": [1000.0, 1010.0],
        }
    )
    return main, info


def test_fill_rule_on_synthetic_rows():
    main, info = _synthetic()
    rows, source = ndax.logged_rows(main, info)
    assert rows.tolist() == [2, 4] and source.tolist() == [0, 1]
    logged = {c: info[c].to_numpy()[source] for c in ndax.RUNINFO_COLUMNS}
    got = main.with_columns(ndax.fill_rows(main, rows, logged))
    # rows 0-1: before any record, dt 0, start of the test; row 3: 10 s + 2 s, 0.5 A x 2 s;
    # row 5: 0 s + 4 s at -1 A (discharge 4 As = 1/900 Ah at 3.5 V)
    assert got["step_time_s"].to_list() == [0.0, 0.0, 10.0, 12.0, 0.0, 4.0]
    assert got["unix_time_s"].to_list() == [None, None, 1000.0, 1002.0, 1010.0, 1014.0]
    assert got["chg_Ah"].to_list() == pytest.approx([0, 0, 1.0, 1.0 + 1 / 3600, 1.5, 1.5])
    assert got["dchg_Ah"].to_list() == pytest.approx([0, 0, 0, 0, 0, 1 / 900])
    assert got["chg_Wh"].to_list() == pytest.approx([0, 0, 3.0, 3.0 + 3.3 / 3600, 4.0, 4.0])
    assert got["dchg_Wh"].to_list() == pytest.approx([0, 0, 0, 0, 0, 3.5 / 900])
    assert got["run_step"].to_list() == [1, 1, 1, 1, 2, 2]
    assert got["dt_s"].to_list() == [0.0, 0.0, 2.0, 2.0, 4.0, 4.0]
    general = ndax.fill_unlogged_rows(attach_by_index(main, info))
    for column in ndax.RUNINFO_COLUMNS:
        assert _bits(got[column]) == _bits(general[column]), column


def test_records_out_of_order_take_the_general_join():
    main, info = _synthetic()
    shuffled = main[[1, 0, 2, 3, 4, 5]]
    assert ndax.logged_rows(shuffled, info) is None
    assert ndax.logged_rows(main, info.clear()) is None
    assert np.array_equal(ndax.logged_rows(main, info)[0], [2, 4])


@pytest.mark.parametrize("name", SPLIT)
def test_step_markers_from_logged_rows_are_those_of_every_row(data_dir, name):
    """Steps numbered from the logged step numbers (one per stretch) equal the numbers
    counted over every filled row, and the step columns picked with them too."""
    path = data_dir / "neware" / name
    main, info = _main_and_info(path)
    rows, source = ndax.logged_rows(main, info)
    logged = {c: info[c].to_numpy()[source] for c in ndax.RUNINFO_COLUMNS}
    joined = main.with_columns(ndax.fill_rows(main, rows, logged))
    markers = ndax.step_markers(logged["run_step"], ndax.stretches(rows, main.height))
    steps = ndax.ndc_member(path, zip_names(path), "data_step.ndc")
    table = ndc.decode_steps(steps[0], steps[2], path)
    fast = ndax.attach_steps(joined, table, markers)
    every_row = ndax.attach_steps(joined, table)
    assert fast.equals(every_row, null_equal=True)
    assert fast["step_marker"].dtype == pl.Int64


def test_stretches_and_markers():
    assert ndax.stretches(np.array([2, 4]), 6).tolist() == [4, 2]
    assert ndax.step_markers(np.array([1, 1, 3, 1]), np.array([2, 1, 1, 3])).tolist() == [
        0, 0, 0, 1, 2, 2, 2,
    ]  # fmt: skip
