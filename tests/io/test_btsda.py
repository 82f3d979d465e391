"""Neware BTSDA CSV exports against BTSDA's own Parquet export of the same run."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import vendor_cycles as cycles
from ssblab.io import detect, read


@pytest.fixture(scope="module")
def neware(data_dir):
    return data_dir / "neware"


def test_interp_test_matches_btsda_reference(neware):
    run = read(neware / "interp-test.btsda-export.csv")
    ref = pl.read_parquet(neware / "reference_btsda" / "interp-test.parquet")
    t = run.table
    assert run.meta.source_format == "neware_btsda_csv"
    assert t.height == ref.height == 333
    # reference stores float32 in µA, mV; ours is SI float64
    np.testing.assert_allclose(t[s.CURRENT] * 1e6, ref["Current(uA)"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(t[s.VOLTAGE] * 1e3, ref["Voltage(mV)"], rtol=1e-6)
    total = ref["Total Time"].to_numpy()
    np.testing.assert_allclose(t[s.TIME], total - total[0], rtol=1e-9, atol=1e-9)
    ref_unix = ref["Date"].dt.epoch("ms").to_numpy() / 1000
    np.testing.assert_allclose(t[s.UNIX_TIME], ref_unix, rtol=0, atol=1e-3)
    assert t[s.CYCLE].to_list() == ref["Cycle Index"].cast(pl.Int64).to_list()
    assert t[s.STEP_INDEX].to_list() == ref["Step Index"].cast(pl.Int64).to_list()
    assert t[s.STEP_COUNT].to_list() == ref["Step Count"].cast(pl.Int64).to_list()


def test_interp_test_units_from_header(neware):
    # header says Current(µA) in Windows-1252 and Voltage(mV): 0.2 mV at rest
    run = read(neware / "interp-test.btsda-export.csv")
    assert run.table[s.VOLTAGE][0] == pytest.approx(0.2e-3)
    assert "Current(µA)" in run.meta.extra["units"]


@pytest.fixture(scope="module")
def uio(neware):
    return neware / "neware_uio.btsda-export.csv"


@pytest.fixture(scope="module")
def uio_raw(uio):
    return pl.read_csv(uio, encoding="utf8-lossy", infer_schema_length=None)


def test_uio_records_and_sign(uio, uio_raw):
    run = read(uio)
    t = run.table
    assert detect(uio) == "neware_btsda_csv"
    assert t.height == uio_raw.height == 9065
    assert run.meta.rows_skipped == 0
    dchg = uio_raw["Step Type"] == "CC DChg"
    assert (t.filter(dchg)[s.CURRENT] < 0).all()
    assert (t.filter(uio_raw["Step Type"] == "CC Chg")[s.CURRENT] > 0).all()
    # "Cumulative Time" 144:02:18 on the last record, first at 00:00:00
    assert t[s.TIME][-1] == 144 * 3600 + 2 * 60 + 18


def test_uio_cycle_capacities_are_the_sum_of_step_capacities(uio, uio_raw):
    """Independent truth: BTSDA's per-step counters summed over each cycle's steps."""
    per = cycles(read(uio))
    steps = (
        uio_raw.with_columns(
            (pl.col("Step Index") != pl.col("Step Index").shift(1))
            .fill_null(True)
            .cum_sum()
            .alias("k")
        )
        .group_by("k", maintain_order=True)
        .agg(pl.col("Cycle Index").first(), pl.col("Chg. Cap.(Ah)", "DChg. Cap.(Ah)").last())
        .group_by("Cycle Index", maintain_order=True)
        .agg(pl.col("Chg. Cap.(Ah)").sum(), pl.col("DChg. Cap.(Ah)").sum())
        .sort("Cycle Index")
    )
    assert per["cycle"].to_list() == [1, 2, 3, 4]
    np.testing.assert_allclose(per["charge_capacity_Ah"], steps["Chg. Cap.(Ah)"], rtol=1e-9)
    np.testing.assert_allclose(per["discharge_capacity_Ah"], steps["DChg. Cap.(Ah)"], rtol=1e-9)
    assert per["discharge_capacity_Ah"][1] == pytest.approx(0.004368, abs=2e-6)


SMALL = (
    "DataPoint,Cycle Index,Step Index,Step Type,Time,Total Time,Current(mA),Voltage(V),"
    "Capacity(mAh),Date,\r\n"
    "1,1,1,CC Chg,00:00:00,00:00:00,1.0,3.5,0.000,2024-01-01 00:00:00,\r\n"
    "2,1,1,CC Chg,01:00:00,01:00:00,1.0,3.9,1.000,2024-01-01 01:00:00,\r\n"
    "3,1,2,CC DChg,00:00:00,01:00:00,-1.0,3.8,0.000,2024-01-01 01:00:00,\r\n"
    "4,1,2,CC DChg,00:30:00,01:30:00,oops,3.6,0.500,2024-01-01 01:30:00,\r\n"
    "5,1,2,CC DChg,1-00:00:00,25:00:00,-1.0,3.0,0.900,2024-01-02 01:00:00,\r\n"
)


def test_single_capacity_split_by_step_type(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(SMALL.encode("cp1252"))
    run = read(path)
    t = run.table
    assert run.meta.rows_skipped == 1
    assert t[s.CURRENT].to_list() == [1e-3, 1e-3, -1e-3, -1e-3]
    assert t[s.CHARGE_CAPACITY].to_list() == pytest.approx([0, 1e-3, 1e-3, 1e-3])
    assert t[s.DISCHARGE_CAPACITY].to_list() == pytest.approx([0, 0, 0, 0.9e-3])
    assert t[s.TIME].to_list() == [0.0, 3600.0, 3600.0, 25 * 3600.0]
