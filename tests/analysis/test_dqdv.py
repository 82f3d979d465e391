"""dQ/dV and dV/dQ on a synthetic cell with known phase transitions, and on a real LANDT file."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from cycling_data import cycling_table

from ssblab import schema as s
from ssblab.analysis.dqdv import DQDV_KEYS, DVDQ_KEYS, dqdv, dvdq, find_peaks, track_peaks
from ssblab.errors import AnalysisError

# Three two-phase plateaus: Q(V) = sum q_k / (1 + exp(-(V - V_k) / w_k)), so dQ/dV peaks at V_k
PEAK_V = np.array([3.70, 3.90, 4.10])
WIDTH_V = np.array([0.010, 0.015, 0.010])
SHARE = np.array([0.3, 0.5, 0.2])
R_OHM = 2.0
I_A = 1e-3
IR_V = I_A * R_OHM  # 2 mV: charge peaks sit 2 mV above V_k, discharge peaks 2 mV below
TOLERANCE_V = 0.003  # stated recovery tolerance


def ocv(x: np.ndarray) -> np.ndarray:
    grid = np.linspace(3.4, 4.4, 20001)
    content = (SHARE / (1 + np.exp(-(grid[:, None] - PEAK_V) / WIDTH_V))).sum(axis=1)
    content = (content - content[0]) / (content[-1] - content[0])
    return np.interp(np.clip(x, 0.0, 1.0), content, grid)


@pytest.fixture(scope="module")
def cell() -> pl.DataFrame:
    table = cycling_table(
        [1e-3, 1e-3], [1e-3, 1e-3], I_A, I_A, ocv=ocv, resistance_ohm=R_OHM, points=3000
    )
    noise = np.random.default_rng(7).normal(0.0, 5e-4, table.height)  # 0.5 mV noise
    return table.with_columns(pl.col(s.VOLTAGE) + noise)


def test_dqdv_recovers_known_peak_voltages(cell):
    curves = dqdv(cell, voltage_step_V=0.002, smoothing_V=0.004)
    assert curves.columns == list(DQDV_KEYS)
    peaks = find_peaks(curves, min_prominence=0.1)
    for direction, shift in (("charge", IR_V), ("discharge", -IR_V)):
        for cycle in (1, 2):
            got = peaks.filter((pl.col("direction") == direction) & (pl.col("cycle") == cycle))
            assert got.get_column("voltage_V").to_list() == pytest.approx(
                list(PEAK_V + shift), abs=TOLERANCE_V
            )


def test_dqdv_conserves_charge(cell):
    curves = dqdv(cell, voltage_step_V=0.005, smoothing_V=0.01)
    first = curves.filter(pl.col("half_cycle") == 1)
    area_raw = first.get_column("dqdv_raw_Ah_V").sum() * 0.005
    area_smooth = first.get_column("dqdv_Ah_V").sum() * 0.005
    assert area_raw == pytest.approx(1e-3, rel=1e-6)  # all of the 1 mAh charge
    assert area_smooth == pytest.approx(1e-3, rel=1e-3)


def test_peak_tracking_follows_each_feature(cell):
    peaks = track_peaks(find_peaks(dqdv(cell, 0.002, 0.004), min_prominence=0.1))
    assert peaks.get_column("track").n_unique() == 6  # 3 charge + 3 discharge features
    per_track = peaks.group_by("track").agg(pl.col("cycle").sort())
    assert all(c == [1, 2] for c in per_track.get_column("cycle").to_list())


def test_dvdq_peaks_sit_between_plateaus(cell):
    from scipy.signal import find_peaks as scipy_find_peaks

    curve = dvdq(cell, capacity_step_Ah=5e-6)
    assert curve.columns == list(DVDQ_KEYS)
    # plateaus hold 30 %, 50 % and 20 % of 1 mAh: the voltage jumps after 0.3 and 0.8 mAh
    # on charge, and after 0.2 and 0.7 mAh on discharge (from full)
    for half, expected in ((1, [0.3e-3, 0.8e-3]), (2, [0.2e-3, 0.7e-3])):
        part = curve.filter(pl.col("half_cycle") == half)
        y = np.nan_to_num(part.get_column("dvdq_V_Ah").to_numpy())
        assert np.median(y) > 0  # positive on both halves (against charge content)
        idx, _ = scipy_find_peaks(y, prominence=0.2 * y.max())
        q = part.get_column("capacity_Ah").to_numpy()[idx]
        assert list(q) == pytest.approx(expected, abs=10e-6)


def test_refuses_bad_input(cell):
    with pytest.raises(AnalysisError, match="voltage_step_V"):
        dqdv(cell, voltage_step_V=0.0)
    with pytest.raises(AnalysisError, match="none of cycles"):
        dqdv(cell, cycles=[99])
    rest = cell.with_columns(pl.lit(0.0).alias(s.CURRENT))
    with pytest.raises(AnalysisError, match="the data are open-circuit rest"):
        dqdv(rest)
    with pytest.raises(AnalysisError, match="no charge or discharge"):
        dqdv(rest, force=True)


def test_real_landt_file_end_to_end(data_dir):
    from ssblab.io import read

    path = next(iter(sorted((data_dir / "land").glob("*Landt.csv"))))
    run = read(path)
    curves = dqdv(run, voltage_step_V=0.005, smoothing_V=0.01, cycles=[1, 2])
    assert set(curves.get_column("cycle").unique()) == {1, 2}
    peaks = find_peaks(curves)
    # Li||graphite delithiation (charge): the three staging peaks of graphite, near
    # 0.10, 0.14 and 0.23 V vs Li (Ohzuku et al., J. Electrochem. Soc. 140 (1993) 2490,
    # doi:10.1149/1.2220849); the LANDT counters carry only 0.1 mAh resolution, so
    # charge is spread by I*dt within each half-cycle.
    charge = peaks.filter(pl.col("direction") == "charge").get_column("voltage_V").to_list()
    assert charge == pytest.approx([0.10, 0.14, 0.23], abs=0.02)
    # first lithiation: SEI formation shows as a peak above 0.4 V
    first_dis = peaks.filter((pl.col("direction") == "discharge") & (pl.col("cycle") == 1))
    assert first_dis.get_column("voltage_V").max() > 0.4


def test_landt_coarse_counter_noted_and_totals_follow_it(data_dir):
    """LANDT: counter in 0.1 mAh steps, current exported as 0.2 mA. ∫|I| dt is 13 % above
    the counter (more than one step), so the totals follow the counter."""
    from ssblab.analysis.charge_basis import capacity_basis
    from ssblab.io import read

    run = read(next(iter(sorted((data_dir / "land").glob("*Landt.csv")))))
    basis = capacity_basis(run)
    assert basis.counter_step_Ah == pytest.approx(1e-4, rel=1e-9)
    assert basis.integral_ratio == pytest.approx(1.134, abs=0.002)
    assert basis.frozen_fraction == pytest.approx(0.995, abs=0.001)
    assert not basis.use_integral
    (flag,) = basis.flags
    assert flag.code == "coarse_counter" and "rounded current" in flag.message
    curves = dqdv(run, cycles=[1])
    first = curves.filter(pl.col("half_cycle") == curves.get_column("half_cycle").min())
    charge = float(first.get_column("dqdv_raw_Ah_V").sum()) * 0.005
    assert charge == pytest.approx(0.0063, rel=1e-6)  # the counter's 6.3 mAh


def test_precise_current_with_coarse_counter_takes_the_integral(cell):
    """Counters rounded to 1/20 of a half-cycle, current exact: ∫|I| dt gives the totals."""
    from ssblab.analysis.charge_basis import capacity_basis

    step = 5e-5
    coarse = cell.with_columns(
        (pl.col(c) / step).floor() * step for c in (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY)
    )
    basis = capacity_basis(coarse)
    assert basis.use_integral and basis.flags[0].code == "coarse_counter"
    assert "charges are ∫|I| dt" in basis.flags[0].message
    exact = dqdv(cell, smoothing_V=0.0)
    rounded = dqdv(coarse, smoothing_V=0.0)
    total = pl.col("dqdv_raw_Ah_V").sum()
    assert rounded.select(total).item() == pytest.approx(exact.select(total).item(), rel=1e-3)
    assert capacity_basis(cell).flags == ()


def test_voltammetry_is_refused_in_one_line(data_dir):
    from ssblab.flags import NotApplicableError
    from ssblab.io import read

    run = read(data_dir / "biologic" / "cv.mpr")
    with pytest.raises(NotApplicableError, match=r"dqdv needs .*the data are cyclic/linear sweep"):
        dqdv(run)
    assert dqdv(run, force=True).height > 0
