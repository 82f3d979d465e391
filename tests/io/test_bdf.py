"""BDF CSV/Parquet reading, lossless writers, and batterydf reading our output."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ssblab import schema as s
from ssblab.errors import ReadError, SsblabError
from ssblab.io import read
from ssblab.io.bdf.reader import write_bdf_csv, write_parquet
from ssblab.io.export import write
from ssblab.schema import Run, RunMeta

STEM = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt"


@pytest.fixture(scope="module")
def land_run(data_dir):
    return read(data_dir / "land" / f"{STEM}.csv")


def test_ground_truth_bdf_reads_zero_led_columns_as_floats(data_dir):
    run = read(data_dir / "land" / f"{STEM}.bdf.csv")
    t = run.table
    assert run.meta.source_format == "bdf_csv"
    assert t.height == 25162
    # charging_capacity_ah is 0 for the first 16045 rows, then 0.0001...
    assert t.schema[s.CHARGE_CAPACITY] == pl.Float64
    assert t.schema[s.TEMPERATURE] == pl.Float64
    assert t[s.CHARGE_CAPACITY].max() == pytest.approx(0.0032)
    # the file's per-step counters are made cumulative: 0.0063 + 0.0013 discharged
    assert t[s.DISCHARGE_CAPACITY][-1] == pytest.approx(0.0076, rel=1e-12)
    assert t[s.TIME][0] == 0.0
    assert any("cumulative" in n for n in run.meta.notes)


def test_reads_same_as_landt_reader(data_dir, land_run):
    bdf_run = read(data_dir / "land" / f"{STEM}.bdf.csv")
    for c in (s.TIME, s.VOLTAGE, s.CURRENT, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY):
        np.testing.assert_allclose(bdf_run.table[c], land_run.table[c], rtol=1e-9, atol=1e-12)


def test_parquet_round_trip_is_lossless(land_run, tmp_path):
    path = write_parquet(land_run, tmp_path / "run.parquet")
    back = read(path)
    assert_frame_equal(back.table, land_run.table)
    assert back.meta == land_run.meta


def test_bdf_csv_round_trip_is_identical(land_run, tmp_path):
    path = write_bdf_csv(land_run, tmp_path / "run.bdf.csv")
    header = path.read_text().splitlines()[0].split(",")
    assert header[:3] == ["test_time_second", "voltage_volt", "current_ampere"]
    sidecar = json.loads((tmp_path / "run.bdf.csv.metadata.json").read_text())
    assert sidecar["ssblab"]["source_format"] == "landt_csv"
    back = read(path)
    assert_frame_equal(back.table, land_run.table, check_exact=True)
    assert back.meta == land_run.meta


def test_awkward_floats_round_trip_exactly(tmp_path):
    values = [0.1, 1 / 3, 1e-300, 2.5e20, -0.0, 5e-324, 1.7976931348623157e308, 123456.789]
    table = pl.DataFrame(
        {
            s.TIME: [float(i) for i in range(len(values))],
            s.VOLTAGE: values,
            s.CURRENT: values[::-1],
            s.TEMPERATURE: [None, *values[1:]],
            s.CYCLE: [1] * len(values),
            s.VENDOR_CYCLE: [0] * len(values),
        },
        schema_overrides={s.TEMPERATURE: pl.Float64},
    )
    table = table.with_columns(
        pl.Series("sample id", [str(i) for i in range(len(values))]),
        pl.Series("flag", [i % 2 == 0 for i in range(len(values))]),
    )
    run = Run(s.conform(table), RunMeta(source="synthetic", notes=("a", "b")))
    back = read(write_bdf_csv(run, tmp_path / "x.bdf.csv"))
    assert_frame_equal(back.table, run.table, check_exact=True)
    assert back.meta == run.meta


def test_batterydf_reads_our_csv_and_parquet(land_run, tmp_path):
    bdf = pytest.importorskip("bdf")
    for path in (
        write_bdf_csv(land_run, tmp_path / "run.bdf.csv"),
        write_parquet(land_run, tmp_path / "run.parquet"),
    ):
        frame = bdf.read(str(path))
        assert len(frame) == land_run.n_rows
        assert bdf.validate(frame)["ok"], path
        np.testing.assert_array_equal(frame["Voltage / V"], land_run.table[s.VOLTAGE])
        np.testing.assert_array_equal(
            frame["Charging Capacity / Ah"], land_run.table[s.CHARGE_CAPACITY]
        )


def test_labels_and_machine_names_both_read(tmp_path):
    labelled = tmp_path / "labels.csv"
    labelled.write_text(
        "Test Time / s,Voltage / V,Current / A,Cycle Count / 1\n0,3.5,0,1\n1,3.6,0.1,1\n"
    )
    machine = tmp_path / "machine.bdf.csv"
    machine.write_text(
        "test_time_second,voltage_volt,current_ampere,cycle_count,note\n0,3.5,0,1,a\n1,3.6,0.1,1,b\n"
    )
    a, b = read(labelled).table, read(machine).table
    assert a.schema[s.TIME] == pl.Float64 and a.schema[s.CYCLE] == pl.Int64
    assert_frame_equal(a, b.drop("note"))
    assert b["note"].to_list() == ["a", "b"]


def test_undecodable_rows_counted_and_bad_header_refused(tmp_path):
    path = tmp_path / "bad.bdf.csv"
    path.write_text("test_time_second,voltage_volt,current_ampere\n0,3.5,0\nx,3.6,0\n2,3.7,0\n")
    run = read(path)
    assert run.n_rows == 2 and run.meta.rows_skipped == 1
    nohead = tmp_path / "nohead.bdf.csv"
    nohead.write_text("time,volts\n0,1\n")
    with pytest.raises(ReadError, match=r"nohead\.bdf\.csv: BDF CSV lacks required columns"):
        read(nohead, format="bdf_csv")


def test_write_by_suffix(land_run, tmp_path):
    plain = write(land_run, tmp_path / "plain.csv")
    assert plain.read_text().startswith("Test Time / s,Voltage / V,Current / A")
    assert read(plain).n_rows == land_run.n_rows
    with pytest.raises(SsblabError, match=r"out\.xlsx: cannot write this file type"):
        write(land_run, tmp_path / "out.xlsx")
    with pytest.raises(SsblabError, match="does not exist"):
        write(land_run, tmp_path / "missing" / "out.parquet")


LANDT_BDF = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv"


def test_time_in_hours_and_milliamps_are_converted(data_dir, tmp_path):
    """The authors' BDF file rewritten in h and mA reads back as the original (s, A)."""
    original = read(data_dir / LANDT_BDF).table
    text = (data_dir / LANDT_BDF).read_text().splitlines()
    frame = pl.read_csv(data_dir / LANDT_BDF, infer_schema_length=None)
    time_col = next(c for c in frame.columns if c in ("Test Time / s", "test_time_second"))
    current_col = next(c for c in frame.columns if c in ("Current / A", "current_ampere"))
    frame = frame.with_columns(
        (pl.col(time_col) / 3600.0).alias(time_col), (pl.col(current_col) * 1e3).alias(current_col)
    ).rename({time_col: "Test Time / h", current_col: "Current / mA"})
    path = tmp_path / "hours.bdf.csv"
    frame.write_csv(path)
    run = read(path)
    assert len(text) - 1 == run.n_rows == original.height
    np.testing.assert_allclose(run.table[s.TIME], original[s.TIME], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(run.table[s.CURRENT], original[s.CURRENT], rtol=1e-12)
    assert any("Test Time / s converted from h" in n for n in run.meta.notes)


def test_unknown_unit_is_refused(data_dir, tmp_path):
    frame = pl.read_csv(data_dir / LANDT_BDF, infer_schema_length=None)
    time_col = next(c for c in frame.columns if c in ("Test Time / s", "test_time_second"))
    path = tmp_path / "fortnight.bdf.csv"
    frame.rename({time_col: "Test Time / fortnight"}).write_csv(path)
    with pytest.raises(ReadError, match="fortnight"):
        read(path)


def test_time_that_falls_back_is_stitched_and_noted(data_dir, tmp_path):
    """Two copies of the real file end to end: the second starts again at 0."""
    frame = pl.read_csv(data_dir / LANDT_BDF, infer_schema_length=None)
    path = tmp_path / "twice.bdf.csv"
    pl.concat([frame, frame]).write_csv(path)
    run = read(path)
    t = run.table
    assert (t[s.TIME].diff().drop_nulls() >= 0).all()
    n = frame.height
    assert any(f"fell back 1 time(s); {n} rows after" in note for note in run.meta.notes)
    # the second half continues from the last row of the first (no Unix time: no gap)
    once = read(data_dir / LANDT_BDF).table[s.TIME]
    np.testing.assert_allclose(t[s.TIME][n:], once + once[-1], rtol=1e-12)
