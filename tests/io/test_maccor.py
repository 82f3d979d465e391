"""Maccor text exports on the real files, checked against plain reads and cellpy."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import integrated_counters
from ssblab.analysis.cycles import vendor_cycles as cycles
from ssblab.errors import ReadError
from ssblab.io import detect, read

MACCOR_001 = "maccor/maccor_001.txt"
ROWS = {
    "maccor/maccor_001.txt": 6704,
    "maccor/PredictionDiagnostics_000109_tztest.010": 2165,
    "maccor/PredictionDiagnostics_000151_test.052": 333,
    "maccor/maccor_example.001": 8,
    "maccor/maccor_example.002": 8,
    "maccor/maccor_test_file_4267-66-6519.041": 74,
    "maccor/xTESLADIAG_000019_CH70.070": 11669,
}


def _plain(path, skip: int) -> pl.DataFrame:
    """The file read as text columns, no conversion (the independent route)."""
    return pl.read_csv(path, separator="\t", skip_rows=skip, infer_schema=False)


@pytest.mark.parametrize(("name", "rows"), ROWS.items())
def test_row_counts_and_detection(data_dir, name, rows):
    path = data_dir / name
    assert detect(path) == "maccor_text"
    run = read(path)
    assert run.n_rows == rows
    assert run.meta.rows_skipped == 0
    assert run.table[s.TIME][0] == 0.0
    assert run.table[s.CYCLE].min() >= 1


def test_three_line_header_file_matches_cellpy(data_dir):
    """cellpy signs the current from State too and parses the same time text.

    Difference: cellpy keeps Maccor's per-step ``Amp-hr`` as its capacity columns
    (max 3.369 Ah charge), ours are cumulative over the test: the sum of the
    per-step maxima.
    """
    run = read(data_dir / MACCOR_001)
    ref = pl.read_parquet(data_dir / "arbin/reference_cellpy/loader_maccor_txt/raw.parquet")
    ref = ref.sort("data_point")
    t = run.table
    assert ref.height == t.height == 6704
    np.testing.assert_array_equal(t[s.VOLTAGE].to_numpy(), ref["voltage"].to_numpy())
    np.testing.assert_array_equal(t[s.CURRENT].to_numpy(), ref["current"].to_numpy())
    np.testing.assert_allclose(t[s.TIME].to_numpy(), ref["test_time"].to_numpy(), atol=1e-6)
    assert ref["charge_capacity"].max() == pytest.approx(3.36871)
    assert t[s.CHARGE_CAPACITY].max() == pytest.approx(17.6236, rel=1e-9)


def test_cumulative_counters_equal_sum_of_per_step_counters(data_dir):
    path = data_dir / MACCOR_001
    raw = _plain(path, 3).with_columns(
        pl.col("Amp-hr").cast(pl.Float64), pl.col("Step").cast(pl.Int64)
    )
    steps = raw.with_columns(
        (pl.col("Step") != pl.col("Step").shift(1)).fill_null(True).cum_sum().alias("seg")
    )
    per_state = (
        steps.group_by("seg")
        .agg(pl.col("State").first(), pl.col("Amp-hr").max())
        .group_by("State")
        .agg(pl.col("Amp-hr").sum())
    )
    total = dict(per_state.iter_rows())
    got = cycles(read(path))
    assert got.height == 1  # Cyc# stays 0 throughout this file
    assert got["charge_capacity_Ah"][0] == pytest.approx(total["C"], rel=1e-12)
    assert got["discharge_capacity_Ah"][0] == pytest.approx(total["D"], rel=1e-12)
    assert got["coulombic_efficiency"][0] == pytest.approx(0.985219, rel=1e-5)


def test_unsigned_current_gets_its_sign_from_state(data_dir):
    run = read(data_dir / MACCOR_001)
    raw = _plain(data_dir / MACCOR_001, 3)
    state = raw["State"].to_numpy()
    current = run.table[s.CURRENT].to_numpy()
    assert (current[state == "D"] < 0).all() and (current[state == "C"] > 0).all()
    assert any("Amps unsigned" in n for n in run.meta.notes)


@pytest.mark.parametrize(
    ("name", "skip"),
    [
        ("maccor/PredictionDiagnostics_000109_tztest.010", 1),
        ("maccor/xTESLADIAG_000019_CH70.070", 1),
    ],
)
def test_per_cycle_capacity_matches_per_step_counters_and_integration(data_dir, name, skip):
    """Per cycle: equal to the sum of Maccor's per-step ``Amp-hr`` maxima (exact), and
    to trapezoidal integration of the signed current within 1 % (integration smears
    the current jumps at step changes over a logging interval: 0.7 % in cycle 87).

    The first cycle of the PredictionDiagnostics file is left out of the integration
    check: the export starts mid-step with 0.27 Ah already on the counter.
    """
    path = data_dir / name
    raw = _plain(path, skip).with_columns(
        pl.col("Amp-hr").cast(pl.Float64), pl.col("Step", "Cyc#").cast(pl.Int64)
    )
    step_change = (pl.col("Step") != pl.col("Step").shift(1)).fill_null(True)
    per_step = (
        raw.with_columns(step_change.cum_sum().alias("seg"))
        .group_by("seg")
        .agg(pl.col("Cyc#", "State").first(), pl.col("Amp-hr").max())
    )
    expected = (
        per_step.group_by("Cyc#")
        .agg(
            pl.col("Amp-hr").filter(pl.col("State") == "C").sum().alias("c"),
            pl.col("Amp-hr").filter(pl.col("State") == "D").sum().alias("d"),
        )
        .sort("Cyc#")
    )
    run = read(path)
    ours = cycles(run)
    np.testing.assert_allclose(ours["charge_capacity_Ah"], expected["c"], rtol=1e-9)
    np.testing.assert_allclose(ours["discharge_capacity_Ah"], expected["d"], rtol=1e-9)
    bare = run.table.drop(
        s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY
    )
    ref = cycles(integrated_counters(bare))
    for key in ("charge_capacity_Ah", "discharge_capacity_Ah"):
        np.testing.assert_allclose(ours[key][1:], ref[key][1:], rtol=1e-2, atol=1e-4)


def test_minutes_and_time_only_dates(data_dir):
    """``.001`` has Test (Min) and full dates; ``.002`` has time-only DPt Time."""
    a = read(data_dir / "maccor/maccor_example.001")
    b = read(data_dir / "maccor/maccor_example.002")
    assert a.table[s.TIME][1] == pytest.approx(0.1667 * 60)
    # 03/31/2016 16:05:31 and 04/01/2016 (header date) 16:05:31, both taken as UTC
    assert a.table[s.UNIX_TIME][0] == pytest.approx(1459440331.0)
    assert b.table[s.UNIX_TIME][0] == pytest.approx(1459526731.0)
    assert b.table[s.UNIX_TIME][1] - b.table[s.UNIX_TIME][0] == pytest.approx(10.002)


def test_eis_export_is_refused_with_reason(data_dir):
    with pytest.raises(ReadError, match=r"EDA0001\.041: Maccor AC-impedance \(EIS\) export"):
        read(data_dir / "maccor/maccor_test_file_4267-66-6519.EDA0001.041")


def test_decimal_commas(tmp_path):
    path = tmp_path / "comma.txt"
    path.write_text(
        "Today's Date 04/04/2016  Date of Test:\t03/31/2016\n"
        "Rec#\tCyc#\tStep\tTest (Sec)\tStep (Sec)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\tES"
        "\tDPt Time\n"
        "1\t0\t1\t0,0\t0,0\t0,0\t0,0\t0,5\t3,50\tC\t0\t03/31/2016 16:05:31\n"
        "2\t0\t1\t3600,0\t3600,0\t0,5\t1,8\t0,5\t3,70\tC\t1\t03/31/2016 17:05:31\n"
    )
    run = read(path)
    assert run.table[s.VOLTAGE].to_list() == [3.5, 3.7]
    assert run.table[s.CHARGE_CAPACITY].to_list() == [0.0, 0.5]
    assert run.table[s.TIME].to_list() == [0.0, 3600.0]


def test_bad_records_are_counted(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(
        "Rec#\tCyc#\tStep\tTest (Sec)\tStep (Sec)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\n"
        "1\t0\t1\t0.0\t0.0\t0.0\t0.0\t0.0\t3.5\tR\n"
        "2\t0\t1\t1.0\t1.0\t0.0\t0.0\t0.0\t###\tR\n"
        "3\t0\t1\t2.0\t2.0\t0.0\t0.0\t0.0\t3.6\tR\n"
    )
    run = read(path)
    assert run.n_rows == 2
    assert run.meta.rows_skipped == 1


def test_binary_file_named_like_maccor_is_refused(tmp_path):
    path = tmp_path / "raw.001"
    path.write_bytes(b"\x00\x07MACCOR" + bytes(range(256)) * 20)
    assert detect(path) == "maccor_text"
    with pytest.raises(ReadError, match=r"raw\.001: binary Maccor raw data file"):
        read(path)


def test_milliampere_export_is_converted_from_its_header(data_dir, tmp_path):
    """maccor_example.001 rewritten as a mA/mAh/mWh export reads back as the original."""
    source = data_dir / "maccor" / "maccor_example.001"
    lines = source.read_text(encoding="latin-1").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Rec#\t"))
    names = lines[at].split("\t")
    scaled = {names.index(n) for n in ("Amps", "Amp-hr", "Watt-hr")}
    header = lines[at].replace("\tAmp-hr\tWatt-hr\tAmps\t", "\tmAmp-hr\tmWatt-hr\tmAmps\t")
    out = [*lines[:at], header]
    for line in lines[at + 1 :]:
        fields = line.split("\t")
        milli_fields = [
            repr(float(f) * 1000.0) if k in scaled and f.strip() else f
            for k, f in enumerate(fields)
        ]
        out.append("\t".join(milli_fields))
    milli = tmp_path / "milli.001"
    milli.write_text("\n".join(out) + "\n", encoding="latin-1")
    ours, truth = read(milli), read(source)
    assert ours.n_rows == truth.n_rows == 8
    for column in (s.CURRENT, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.VOLTAGE):
        np.testing.assert_allclose(ours.table[column], truth.table[column], rtol=1e-12)
    assert any("milliampere export" in n for n in ours.meta.notes)
