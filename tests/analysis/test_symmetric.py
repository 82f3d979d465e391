"""Symmetric-cell analysis on synthetic Li‖Li tables whose answers are known."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.symmetric import (
    FailureCriteria,
    area_specific_resistance,
    critical_current_density,
    detect_failure,
    half_cycle_overpotentials,
    lifetime_table,
    rate_overpotentials,
)
from ssblab.errors import AnalysisError

AREA_CM2 = 0.785


def cycling_table(
    current_density_mA_cm2: np.ndarray,
    half_cycle_h: float,
    voltage_of: callable,
    points: int = 11,
    noise: float = 0.01,
) -> pl.DataFrame:
    """A galvanostatic Li‖Li table: one half-cycle per entry of *current_density*.

    ``voltage_of(t_h, i_A, k)`` gives |V| [V] at times t_h in half-cycle k.
    """
    rng = np.random.default_rng(0)
    n = current_density_mA_cm2.size
    k = np.repeat(np.arange(n), points)
    frac = np.tile(np.linspace(0.0, 1.0, points, endpoint=False), n)
    t_h = (k + frac) * half_cycle_h
    sign = np.where(k % 2 == 0, 1.0, -1.0)
    i_a = sign * current_density_mA_cm2[k] * 1e-3 * AREA_CM2
    v = sign * voltage_of(t_h, np.abs(i_a), k) * (1 + noise * rng.standard_normal(k.size))
    return pl.DataFrame({s.TIME: t_h * 3600.0, s.VOLTAGE: v, s.CURRENT: i_a})


def test_hard_short_at_812_h_is_found_within_one_half_cycle():
    short_h, asr = 812.0, 1000.0  # Ω·cm2

    def volts(t_h, i_a, k):
        ohmic = i_a / AREA_CM2 * asr * (1 + t_h / 2000.0)
        return np.where(t_h < short_h, ohmic, i_a * 0.5)  # 0.5 Ω after the short

    table = cycling_table(np.full(1200, 0.1), 1.0, volts)
    failure = detect_failure(half_cycle_overpotentials(table))
    assert failure.mode == "hard_short"
    assert abs(failure.time_h - short_h) <= 1.0


def test_soft_short_collapse_is_found():
    def volts(t_h, i_a, k):
        base = i_a / AREA_CM2 * 800.0
        return np.where(t_h < 400.0, base, base * 0.1)

    failure = detect_failure(
        half_cycle_overpotentials(cycling_table(np.full(600, 0.1), 1.0, volts))
    )
    assert failure.mode == "soft_short"
    assert abs(failure.time_h - 400.0) <= 1.0
    assert "previous 5" in failure.criterion


def test_divergence_with_cutoff_reports_time_and_rule():
    def volts(t_h, i_a, k):  # 80 mV growing as sqrt: 1 V at 80 mV * sqrt(1+t/10)
        return 0.08 * np.sqrt(1.0 + t_h / 10.0)

    hc = half_cycle_overpotentials(cycling_table(np.full(2000, 0.1), 1.0, volts, noise=0.0))
    failure = detect_failure(hc, FailureCriteria(cutoff_mV=1000.0, growth_factor=1e9))
    expected_h = 10.0 * ((1000.0 / 80.0) ** 2 - 1.0)  # 1552.5 h
    assert failure.mode == "overpotential_divergence"
    assert abs(failure.time_h - expected_h) <= 2.0
    assert "1000" in failure.criterion


def test_stable_cell_does_not_fail_and_plateau_is_exact():
    def volts(t_h, i_a, k):
        return i_a / AREA_CM2 * 600.0 + 0.0 * t_h

    hc = half_cycle_overpotentials(cycling_table(np.full(100, 0.1), 1.0, volts))
    assert hc.height == 100
    assert hc.get_column("overpotential_mV").median() == pytest.approx(60.0, rel=0.01)
    assert detect_failure(hc).mode == "none"
    assert detect_failure(hc).time_h is None


def test_rate_test_recovers_known_asr_and_no_false_failure():
    densities = np.repeat([0.1, 0.25, 0.5, 1.0], 10)
    asr, offset = 750.0, 0.005  # Ω·cm2, V

    def volts(t_h, i_a, k):
        return offset + i_a / AREA_CM2 * asr + 0 * t_h

    table = cycling_table(densities, 1.0, volts)
    hc = half_cycle_overpotentials(table)
    rate = rate_overpotentials(hc, AREA_CM2)
    assert rate.get_column("current_density_mA_cm2").to_list() == [0.1, 0.25, 0.5, 1.0]
    fit = area_specific_resistance(rate)
    assert fit.asr_ohm_cm2 == pytest.approx(asr, rel=0.01)
    assert fit.intercept_mV == pytest.approx(5.0, abs=1.0)
    assert critical_current_density(table, AREA_CM2) is None


def test_rate_test_stepping_back_down_is_not_a_short():
    densities = np.repeat([0.1, 0.25, 0.5, 1.0, 0.1], 10)

    def volts(t_h, i_a, k):
        return i_a / AREA_CM2 * 900.0 + 0 * t_h

    hc = half_cycle_overpotentials(cycling_table(densities, 1.0, volts))
    assert detect_failure(hc).mode == "none"


def test_critical_current_density_is_the_block_that_shorts():
    densities = np.repeat([0.1, 0.25, 0.5, 1.0], 10)

    def volts(t_h, i_a, k):
        return np.where(k < 25, i_a / AREA_CM2 * 700.0, i_a * 0.2)  # shorts in 0.5 block

    assert critical_current_density(cycling_table(densities, 1.0, volts), AREA_CM2) == 0.5


def test_lifetime_table_lists_each_cell():
    def stable(t_h, i_a, k):
        return i_a / AREA_CM2 * 600.0 + 0 * t_h

    def shorted(t_h, i_a, k):
        return np.where(t_h < 50, i_a / AREA_CM2 * 600.0, 1e-5)

    runs = {
        "good": cycling_table(np.full(100, 0.1), 1.0, stable),
        "bad": cycling_table(np.full(100, 0.1), 1.0, shorted),
    }
    table = lifetime_table(runs)
    good, bad = table.row(0, named=True), table.row(1, named=True)
    assert good["failure_time_h"] is None and good["tested_h"] == pytest.approx(100.0, abs=0.1)
    assert bad["failure_mode"] == "hard_short"
    assert bad["failure_time_h"] == pytest.approx(50.0, abs=1.0)
    assert bad["mean_overpotential_mV"] == pytest.approx(60.0, rel=0.02)


def test_table_without_current_is_an_analysis_error():
    table = pl.DataFrame({s.TIME: [0.0, 1.0], s.VOLTAGE: [0.0, 0.0], s.CURRENT: [0.0, 0.0]})
    with pytest.raises(AnalysisError):
        half_cycle_overpotentials(table)


def test_single_density_test_has_no_ccd():
    def shorted(t_h, i_a, k):
        return np.where(t_h < 50, i_a / AREA_CM2 * 600.0, 1e-5)

    assert (
        critical_current_density(cycling_table(np.full(100, 0.1), 1.0, shorted), AREA_CM2) is None
    )


SOFT = "jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA"


def test_synthetic_soft_shorts_are_counted_and_timed():
    from ssblab.analysis.soft_shorts import find_soft_shorts

    t = np.arange(0.0, 3600.0, 0.5)
    v = np.full(t.size, 0.100)
    for start in (600.0, 1500.0, 2400.0):  # 40 mV drops in 0.5 s, linear recovery over 20 s
        k = t >= start
        v[k] -= np.clip(0.040 * (1.0 - (t[k] - start - 0.5) / 20.0), 0.0, 0.040)
    v[(t >= 3000.0)] = 0.05  # a permanent 50 mV drop: not a soft short
    found = find_soft_shorts(t, v, np.full(t.size, 4e-4))
    assert found.count == 3
    assert found.time_h * 3600.0 == pytest.approx([599.5, 1499.5, 2399.5], abs=1.0)
    assert found.depth_mV == pytest.approx([40.0, 40.0, 40.0], abs=1.0)
    assert found.n_unrecovered == 1


def test_real_one_way_li_li_cell_soft_shorts(data_dir):
    from ssblab.analysis.soft_shorts import (
        find_soft_shorts,
        read_loop_indexes,
        read_time_voltage_export,
    )
    from ssblab.analysis.symmetric import check_symmetric

    stem = data_dir / "symmetric" / f"{SOFT}_03_GCPL_C05"
    t, v = read_time_voltage_export(stem.with_suffix(".txt"))
    loops = read_loop_indexes(stem.parent / f"{stem.name}_LOOP.txt")
    assert t.size == 76807 and loops.size == 45  # 45 one-hour GCPL segments between GEIS
    current = np.full(t.size, 0.4e-3)  # 0.4 mA (the .mps settings); the export has no I
    table = pl.DataFrame({s.TIME: t, s.VOLTAGE: v, s.CURRENT: current})
    assert check_symmetric(table) == ()  # 0.1 V under current of one sign: Li‖Li
    found = find_soft_shorts(t, v, current, segment_starts=loops)
    assert found.count == 890
    assert found.time_h[0] == pytest.approx(0.4551, abs=1e-3)
    counts = np.histogram(found.time_h, bins=[0, 25, 30, 46])[0]
    assert counts.tolist() == [241, 648, 1]  # the erratic stretch from 25 to 30 h
    assert 20.0 <= np.median(found.depth_mV) < 40.0


def test_real_li_li_mpr_is_recognised_and_a_full_cell_refused(data_dir):
    from ssblab.analysis.symmetric import check_symmetric, symmetric_evidence
    from ssblab.flags import NotApplicableError
    from ssblab.io import read

    li = read(data_dir / "symmetric" / f"{SOFT}_01_GCPL_C05.mpr")
    assert check_symmetric(li) == ()
    assert symmetric_evidence(li)["median_abs_V"] == pytest.approx(0.135, abs=0.01)
    full = read(data_dir / "neware" / "test_2.ndax")
    with pytest.raises(NotApplicableError, match="galvanostatic cycling of a full cell"):
        check_symmetric(full, name="test_2.ndax")
    (flag,) = check_symmetric(full, force=True)
    assert flag.code == "forced"


def test_negative_asr_is_flagged():
    from ssblab.analysis.symmetric import AreaSpecificResistance, check_asr

    (flag,) = check_asr(AreaSpecificResistance(-193.8, 500.0, 0.95, 4))
    assert flag.code == "asr_negative" and flag.severity == "error"
    assert check_asr(AreaSpecificResistance(750.0, 5.0, 0.999, 4)) == ()


def test_full_cell_table_without_metadata_is_refused_by_its_voltage():
    from ssblab.analysis.symmetric import check_symmetric
    from ssblab.flags import NotApplicableError

    t = np.arange(0.0, 7200.0, 10.0)
    i = np.where(t < 3600.0, 1e-3, -1e-3)
    v = np.where(t < 3600.0, 3.4 + t / 36000.0, 3.6 - (t - 3600.0) / 36000.0)  # a 3.4 V cell
    table = pl.DataFrame({s.TIME: t, s.VOLTAGE: v, s.CURRENT: i})
    with pytest.raises(NotApplicableError, match="follows the current's sign in only 50 %"):
        check_symmetric(table, name="cell.csv")


def test_a_run_without_rows_has_no_verdict(data_dir):
    """The real header-only EC-Lab WAIT file: refused as empty, not called a rest."""
    from ssblab.analysis.symmetric import check_symmetric
    from ssblab.io import read

    run = read(data_dir / "biologic" / "wait.mpr")
    assert run.n_rows == 0
    for force in (False, True):
        with pytest.raises(AnalysisError, match=r"^x\.mpr: the table has no rows$"):
            check_symmetric(run, force=force, name="x.mpr")
    with pytest.raises(AnalysisError, match=r"^the table has no rows$"):
        check_symmetric(run.table)
    with pytest.raises(AnalysisError, match=r"^the table has no rows$"):
        half_cycle_overpotentials(run)
