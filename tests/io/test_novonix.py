"""Novonix CSV reader on the real export (whole-line quotes, CC-CV charge)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycles
from ssblab.errors import ReadError
from ssblab.io import detect, read

STEM = "test_Nova_Form-CH01-01_short"


@pytest.fixture(scope="module")
def nova_file(data_dir):
    return data_dir / "novonix" / f"{STEM}.csv"


@pytest.fixture(scope="module")
def run(nova_file):
    return read(nova_file)


def test_detected_and_all_records_read(nova_file, run):
    assert detect(nova_file) == "novonix_csv"
    assert run.n_rows == 3942  # 4000 lines - 57 preamble lines - 1 header
    assert run.meta.rows_skipped == 0
    assert run.meta.file_version == "2.2.1.6"
    assert run.meta.channel == "01"


def test_values_of_first_and_last_record(run):
    t = run.table
    # first record: "2022-04-11 10:58:07 AM,1,0,0.0000000,...,0.13736417,..."
    assert t[s.VOLTAGE][0] == 0.13736417
    assert t[s.TEMPERATURE][0] == 38.92947006
    assert t[s.UNIX_TIME][0] == 1649674687.0
    # last record: run time 17.4345750 h, 0.0120000763 A, capacity 0.0294679161 Ah
    assert t[s.TIME][-1] == pytest.approx(17.4345750 * 3600, rel=1e-12)
    assert t[s.CURRENT][-1] == pytest.approx(0.0120000763, rel=1e-12)
    assert t[s.CHARGE_CAPACITY][-1] == pytest.approx(0.0294679161, rel=1e-12)
    assert t[s.DISCHARGE_CAPACITY].max() == 0.0


def test_capacity_carries_over_consecutive_charge_steps(run):
    # step 2 (CC-CV charge) ends at 0.000669 Ah and step 3 (CC charge) starts
    # there: the Novonix counter runs on within one direction, no double count
    per = cycles(run)
    assert per["charge_capacity_Ah"].to_list() == pytest.approx([0.0294679161], rel=1e-9)
    assert (run.table[s.CHARGE_CAPACITY].diff().drop_nulls() >= 0).all()


def test_counter_agrees_with_integrated_current(run):
    t = run.table
    i = t[s.CURRENT].to_numpy()
    dt_h = np.diff(t[s.TIME].to_numpy()) / 3600
    integral = np.sum(0.5 * (i[1:] + i[:-1]) * dt_h)
    assert integral == pytest.approx(t[s.CHARGE_CAPACITY][-1], rel=0.01)


def test_cycle_summary_is_refused_with_its_name(data_dir):
    path = data_dir / "novonix" / f"{STEM}_metadata.csv"
    with pytest.raises(ReadError, match=r"_metadata\.csv: a Novonix per-cycle summary"):
        read(path)


SMALL = """[Summary]
Novonix HPC data file
Channel: 07
Version: 2.2.1.6
[End Summary]
[Data]
"Date and Time,Cycle Number,Step Type,Run Time (h),Step Time (h),Current (A),Potential (V),\
Capacity (Ah),Energy (Wh),Step Number"
"2022-04-11 11:00:00 PM,1,1,0.0,0.0,0.01,3.5,0.0,0.0,1"
"2022-04-11 11:30:00 PM,1,1,0.5,0.5,0.01,3.9,0.005,0.019,1"
"2022-04-12 12:00:00 AM,1,2,1.0,0.0,0.01,3.8,0.0,0.0,2"
"not a date,1,2,x,0.5,0.01,3.5,0.004,0.014,2"
"2022-04-12 12:30:00 AM,1,2,1.5,0.5,0.01,3.4,0.006,0.021,2"
"""


def test_discharge_signed_negative_and_bad_rows_counted(tmp_path):
    path = tmp_path / "nova.csv"
    path.write_text(SMALL, encoding="utf-8")
    run = read(path)
    t = run.table
    assert run.meta.rows_skipped == 1
    assert t[s.CURRENT].to_list() == [0.01, 0.01, -0.01, -0.01]
    assert t[s.CHARGE_CAPACITY].to_list() == [0.0, 0.005, 0.005, 0.005]
    assert t[s.DISCHARGE_CAPACITY].to_list() == [0.0, 0.0, 0.0, 0.006]
    # 12-hour clock: 11:00 PM then 12:00 AM next day is one hour later
    unix = t[s.UNIX_TIME].to_list()
    assert unix[2] - unix[0] == 3600.0
    assert t[s.STEP_COUNT].to_list() == [1, 1, 2, 2]
    assert pl.Series(t[s.TIME]).to_list() == [0.0, 1800.0, 3600.0, 5400.0]


def test_header_mass_and_area(data_dir, tmp_path):
    """The file's Mass (g) 1.000 / Area (cm2) 1.000 are the unset defaults; real ones are kept."""
    path = data_dir / "novonix" / "test_Nova_Form-CH01-01_short.csv"
    run = read(path)
    assert run.meta.active_mass_g is None and run.meta.area_cm2 is None
    assert run.meta.extra["Mass (g)"] == "1.000"
    assert any("Mass (g) 1.000 taken as Novonix's unset default" in n for n in run.meta.notes)
    edited = tmp_path / path.name
    edited.write_bytes(
        path.read_bytes()
        .replace(b"Mass (g): 1.000", b"Mass (g): 0.0123", 1)
        .replace(b"Area (cm2): 1.000", b"Area (cm2): 1.131", 1)
    )
    meta = read(edited).meta
    assert meta.active_mass_g == 0.0123 and meta.area_cm2 == 1.131
