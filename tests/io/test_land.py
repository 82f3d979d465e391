"""LANDT CSV reader against the BDF conversion of the same run by its authors.

The ground truth ``*.bdf.csv`` copies LANDT's counters as they are: capacity
*per step* (reset to 0 at each step) and test time from 0.020 s. ssblab's
convention is capacity *cumulative since the test start* and test time from 0,
so the test rebuilds both conventions from the ground truth independently
(a plain loop over the steps) before comparing.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycles
from ssblab.errors import ReadError
from ssblab.io import detect, read

STEM = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt"
N_ROWS = 25162
RTOL = 1e-6


@pytest.fixture(scope="module")
def land_file(data_dir):
    return data_dir / "land" / f"{STEM}.csv"


@pytest.fixture(scope="module")
def run(land_file):
    return read(land_file)


@pytest.fixture(scope="module")
def truth(data_dir):
    return pl.read_csv(data_dir / "land" / f"{STEM}.bdf.csv", infer_schema_length=None)


def per_step_to_cumulative(step: np.ndarray, counter: np.ndarray) -> np.ndarray:
    """Independent re-implementation: add each finished step's final value."""
    out = counter.astype(float).copy()
    offset = 0.0
    starts = np.flatnonzero(np.diff(step)) + 1
    bounds = [0, *starts.tolist(), len(step)]
    for a, b in itertools.pairwise(bounds):
        out[a:b] = counter[a:b] + offset
        offset += counter[b - 1]
    return out


def test_detected_by_content_and_suffix(land_file):
    assert detect(land_file) == "landt_csv"


def test_rows_and_metadata(run):
    assert run.n_rows == N_ROWS
    assert run.meta.source_format == "landt_csv"
    assert run.meta.rows_skipped == 0
    assert run.meta.start_time_utc.startswith("2024-04-30 14:33:19")
    assert any("cumulative" in n for n in run.meta.notes)
    # the preamble's fields are empty in this export ("Nominal capacity ...:Ah,,")
    assert run.meta.extra == {}


def test_time_voltage_current_match_ground_truth(run, truth):
    t = run.table
    gt_time = truth["test_time_second"].to_numpy()
    np.testing.assert_allclose(t[s.TIME].to_numpy(), gt_time - gt_time[0], rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(t[s.VOLTAGE].to_numpy(), truth["voltage_volt"], rtol=RTOL)
    np.testing.assert_allclose(t[s.CURRENT].to_numpy(), truth["current_ampere"], rtol=RTOL)
    assert t[s.STEP_INDEX].to_list() == truth["step_index"].to_list()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (s.CHARGE_CAPACITY, "charging_capacity_ah"),
        (s.DISCHARGE_CAPACITY, "discharging_capacity_ah"),
    ],
)
def test_capacities_match_ground_truth(run, truth, ours, theirs):
    expected = per_step_to_cumulative(truth["step_index"].to_numpy(), truth[theirs].to_numpy())
    np.testing.assert_allclose(run.table[ours].to_numpy(), expected, rtol=RTOL, atol=1e-12)


def test_counters_cumulative_and_sign(run):
    t = run.table
    for c in (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY):
        assert (t[c].diff().drop_nulls() >= 0).all(), c
    # positive current charges: the charge counter only rises while current > 0
    rising = t.filter(pl.col(s.CHARGE_CAPACITY).diff() > 0)
    assert (rising[s.CURRENT] > 0).all()


def test_unix_time_is_utc_of_the_clock(run):
    # 04/30/2024 14:33:19 read as UTC (no zone in the file)
    assert run.table[s.UNIX_TIME][0] == 1714487599.0
    assert run.meta.timezone == "UTC"


def test_timezone_from_environment(land_file, monkeypatch):
    monkeypatch.setenv("SSBLAB_INSTRUMENT_TZ", "Europe/Oslo")
    run = read(land_file)
    assert run.table[s.UNIX_TIME][0] == 1714487599.0 - 2 * 3600  # CEST = UTC+2
    assert run.meta.timezone == "Europe/Oslo"


def test_unknown_timezone_is_refused_naming_the_file(land_file, monkeypatch):
    monkeypatch.setenv("SSBLAB_INSTRUMENT_TZ", "Mars/Olympus_Mons")
    with pytest.raises(ReadError, match=r"Landt\.csv: SSBLAB_INSTRUMENT_TZ='Mars/Olympus_Mons'"):
        read(land_file)


def test_per_cycle_capacities_match_ground_truth(run, truth):
    per = cycles(run)
    # ground truth: a step's capacity is its counter's last value; cycle 1 holds
    # steps 1-3 (rest, discharge, charge), cycle 2 the second discharge
    step_end = (
        truth.with_columns(
            (pl.col("step_index") != pl.col("step_index").shift(1))
            .fill_null(True)
            .cum_sum()
            .alias("k")
        )
        .group_by("k", maintain_order=True)
        .agg(pl.all().last())
    )
    chg = step_end["charging_capacity_ah"].to_list()
    dchg = step_end["discharging_capacity_ah"].to_list()
    assert per["cycle"].to_list() == [1, 2]
    assert per["charge_capacity_Ah"].to_list() == pytest.approx([sum(chg[:3]), chg[3]], rel=RTOL)
    assert per["discharge_capacity_Ah"].to_list() == pytest.approx(
        [sum(dchg[:3]), dchg[3]], rel=RTOL
    )
    assert per["discharge_capacity_Ah"][0] == pytest.approx(0.0063, rel=RTOL)


def test_counter_agrees_with_integrated_current(run):
    t = run.table
    i = t[s.CURRENT].to_numpy()
    time_h = t[s.TIME].to_numpy() / 3600
    charge = np.sum(np.clip(i[1:], 0, None) * np.diff(time_h))
    # the file logs current to 0.1 mA (0.0002 A printed for ~0.18 mA), so the
    # integral is ~11 % high; a unit or sign error would be far off
    assert charge == pytest.approx(t[s.CHARGE_CAPACITY][-1], rel=0.15)


HEADER = (
    "channel_index,cycle_index,step_index,date_time_iso_string,test_time_s,step_time_s,"
    "current_A,voltage_V,discharge_capacity_Ah,charge_capacity_Ah,discharge_energy_Wh,"
    "charge_energy_Wh,temperature_1_C,step_name"
)


def test_undecodable_rows_are_counted(tmp_path):
    lines = [
        "cell model:,,,",
        HEADER,
        "1,1,1,01/02/2024 10:00:00,0.5,0.5,0.001,3.5,0,0.0001,0,0.0003,25,charge CC,",
        "2,1,1,01/02/2024 10:00:01,1.5,1.5,garbage,3.6,0,0.0002,0,0.0007,25,charge CC,",
        "3,1,2,01/02/2024 10:00:02,2.5,0.5,-0.001,3.4,0.0001,0,0.0003,0,25,discharge CC,",
    ]
    path = tmp_path / "small.txt"  # suffix says nothing: detection by content
    path.write_text("\n".join(lines) + "\n")
    run = read(path)
    assert run.meta.source_format == "landt_csv"
    assert run.n_rows == 2
    assert run.meta.rows_skipped == 1
    assert any("1 records" in n for n in run.meta.notes)
    assert run.table[s.TIME].to_list() == [0.0, 2.0]
    assert run.table[s.CHARGE_CAPACITY].to_list() == [0.0001, 0.0001]
    assert run.table[s.TEMPERATURE].to_list() == [25.0, 25.0]


def test_header_missing_is_a_read_error(tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_text("cell model:,,\n1,2,3\n")
    from ssblab.io.land.landt import read_landt_csv

    with pytest.raises(ReadError, match=r"nohead\.csv"):
        read_landt_csv(path)


def test_unreadable_clock_is_noted_not_dropped(tmp_path):
    lines = [
        "cell id: C7,,,",
        "Nominal capacity used to define the C rate:Ah,0.0035,,",
        HEADER,
        "1,0,1,01/02/2024 10:00:00,0.0,0.0,0.001,3.5,0,0,0,0,25,charge CC,",
        "2,0,1,yesterday,1.0,1.0,0.001,3.6,0,0.0001,0,0.0003,25,charge CC,",
        "3,1,1,01/02/2024 10:00:02,2.0,0.0,0.001,3.7,0,0.0002,0,0.0007,25,charge CC,",
    ]
    path = tmp_path / "clock.csv"
    path.write_text("\n".join(lines) + "\n")
    run = read(path)
    assert run.n_rows == 3 and run.meta.rows_skipped == 0
    assert run.table[s.UNIX_TIME].null_count() == 1
    assert any("1 records have an unreadable wall-clock time" in n for n in run.meta.notes)
    # LANDT cycle 0 -> Cycle Count 1, the vendor number kept
    assert run.table[s.CYCLE].to_list() == [1, 1, 2]
    assert run.table[s.VENDOR_CYCLE].to_list() == [0, 0, 1]
    assert run.meta.cell_name == "C7"
    assert run.meta.extra["Nominal capacity used to define the C rate [Ah]"] == "0.0035"


def test_landt_header_without_preamble_is_detected(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text(HEADER + "\n1,1,1,01/02/2024 10:00:00,0.0,0.0,0.001,3.5,0,0,0,0,25,rest,\n")
    # the LANDT names (cycle_index, test_time_s, current_A, voltage_V) also match the
    # Arbin CSV sniff case-insensitively: the LANDT reader is asked first
    assert detect(path) == "landt_csv"
    assert read(path).meta.source_format == "landt_csv"
