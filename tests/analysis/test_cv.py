"""CV peaks on a synthetic reversible couple whose peak potentials and currents are known."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cv import CV_KEYS, cv_peaks, sweep_labels
from ssblab.errors import AnalysisError

F, R, T = 96485.332, 8.314462, 298.15
N_E = 1
AREA_CM2, CONC_MOL_CM3, D_CM2_S = 1.0, 1e-5, 1e-5  # 10 mM, D = 1e-5 cm2/s
SCAN_V_S = 0.010
E_HALF = 3.40
# reversible couple: E_pa - E_1/2 = E_1/2 - E_pc = 1.109 RT/nF = 28.5 mV at 25 C
OFFSET_V = 1.109 * R * T / (N_E * F)
C_DL_F = 2e-6  # double layer, adds +-C_dl*v to every current


def randles_sevcik_A() -> float:
    """i_p = 0.4463 n F A C sqrt(n F v D / R T) [A]."""
    return (
        0.4463 * N_E * F * AREA_CM2 * CONC_MOL_CM3 * np.sqrt(N_E * F * SCAN_V_S * D_CM2_S / (R * T))
    )


def cv_table(cycles: int = 3, noise_A: float = 0.0) -> pl.DataFrame:
    """Triangle wave 3.0 -> 3.8 -> 3.0 V; peaks shaped as a Gaussian head with a diffusion tail."""
    ip = randles_sevcik_A()
    up = np.linspace(3.0, 3.8, 801)[:-1]
    down = np.linspace(3.8, 3.0, 801)[:-1]
    e = np.concatenate([np.concatenate([up, down]) for _ in range(cycles)] + [[3.0]])
    rising = np.concatenate([np.diff(e), [-1.0]]) > 0

    def wave(x: np.ndarray) -> np.ndarray:  # peak 1 at x = 0, decays as the Cottrell tail after
        return np.where(x < 0, np.exp(-(x**2)), 1.0 / np.sqrt(1.0 + 2.0 * x**2))

    anodic = ip * wave((e - (E_HALF + OFFSET_V)) / 0.03)
    cathodic = -ip * wave(((E_HALF - OFFSET_V) - e) / 0.03)
    i = np.where(rising, anodic + C_DL_F * SCAN_V_S, cathodic - C_DL_F * SCAN_V_S)
    i = i + np.random.default_rng(3).normal(0.0, noise_A, e.size)
    t = np.arange(e.size) * (0.001 / SCAN_V_S)  # 1 mV steps
    return pl.DataFrame({s.TIME: t, s.VOLTAGE: e, s.CURRENT: i})


def test_sweeps_and_cycles():
    labelled = sweep_labels(cv_table(cycles=3))
    assert labelled.get_column("sweep").n_unique() == 6
    assert labelled.get_column("cycle").max() == 3
    assert labelled.filter(pl.col("sweep") == 0).get_column("sweep_direction")[0] == 1


def test_peaks_recovered():
    ip = randles_sevcik_A()  # about 0.30 mA
    peaks = cv_peaks(cv_table(cycles=3, noise_A=0.002 * ip))
    assert peaks.columns == list(CV_KEYS)
    assert peaks.height == 3
    assert peaks.get_column("anodic_peak_V").to_list() == pytest.approx(
        [E_HALF + OFFSET_V] * 3, abs=2e-3
    )
    assert peaks.get_column("cathodic_peak_V").to_list() == pytest.approx(
        [E_HALF - OFFSET_V] * 3, abs=2e-3
    )
    assert peaks.get_column("peak_separation_V").to_list() == pytest.approx([0.0570] * 3, abs=3e-3)
    assert peaks.get_column("half_wave_V").to_list() == pytest.approx([E_HALF] * 3, abs=2e-3)
    assert peaks.get_column("anodic_peak_A").to_list() == pytest.approx(
        [ip + C_DL_F * SCAN_V_S] * 3, rel=0.02
    )
    assert peaks.get_column("cathodic_peak_A")[0] == pytest.approx(
        -ip - C_DL_F * SCAN_V_S, rel=0.02
    )
    assert peaks.get_column("scan_rate_V_s").to_list() == pytest.approx([SCAN_V_S] * 3, rel=1e-6)


def test_refuses_flat_potential_and_no_peaks():
    flat = cv_table().with_columns(pl.lit(3.0).alias(s.VOLTAGE))
    with pytest.raises(AnalysisError, match="not a CV sweep"):
        cv_peaks(flat)
    table = cv_table()
    capacitive = table.with_columns(
        (pl.col(s.VOLTAGE).diff().fill_null(1.0).sign() * 1e-6).alias(s.CURRENT)
    )
    with pytest.raises(AnalysisError, match="no current peak"):
        cv_peaks(capacitive)
