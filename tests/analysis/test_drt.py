"""DRT: synthetic truths, the two-ZARC file, real spectra end to end, input checks."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.analysis.drt import basis_matrices, drt_of_table, fit_drt
from ssblab.errors import AnalysisError
from ssblab.io.eis import read_eis_text

F_HZ = np.logspace(-2, 5, 71)


def _rc(f_hz: np.ndarray, r_ohm: float, tau_s: float) -> np.ndarray:
    return r_ohm / (1 + 1j * 2 * np.pi * f_hz * tau_s)


def test_two_zarc_file_gives_two_peaks_near_the_truth(data_dir):
    result = drt_of_table(read_eis_text(data_dir / "eis" / "2XZARCequal.csv"))
    # truth: R_inf 10 Ω, two ZARCs of 50 Ω at τ 1e-4 s and 0.1 s, noise σ 0.5 Ω
    assert len(result.peaks) == 2
    fast, slow = result.peaks
    assert fast.tau_s == pytest.approx(1e-4, rel=0.3)
    assert slow.tau_s == pytest.approx(1e-1, rel=0.3)
    assert fast.r_ohm == pytest.approx(50.0, rel=0.1)
    assert slow.r_ohm == pytest.approx(50.0, rel=0.1)
    assert fast.r_ohm + slow.r_ohm == pytest.approx(100.0, rel=0.03)
    assert result.r_inf_ohm == pytest.approx(10.0, abs=0.5)
    assert result.criterion == "gcv"
    assert 0.4 < result.rmse_ohm < 0.65  # the noise level


def test_single_rc_is_one_peak_of_area_r():
    z = 3.0 + _rc(F_HZ, 20.0, 1e-3)
    result = fit_drt(F_HZ, z)
    assert len(result.peaks) == 1
    assert result.peaks[0].tau_s == pytest.approx(1e-3, rel=0.15)
    assert result.peaks[0].r_ohm == pytest.approx(20.0, rel=0.03)
    assert result.r_inf_ohm == pytest.approx(3.0, abs=0.1)
    assert result.r_polarisation_ohm == pytest.approx(20.0, rel=0.03)
    assert result.rmse_ohm < 0.05


def test_inductance_is_recovered_and_can_be_switched_off():
    z = 1.0 + 1j * 2 * np.pi * F_HZ * 2e-6 + _rc(F_HZ, 5.0, 1e-2)
    with_l = fit_drt(F_HZ, z)
    assert with_l.inductance_h == pytest.approx(2e-6, rel=0.05)
    without = fit_drt(F_HZ, z, inductance=False)
    assert without.inductance_h == 0.0
    assert without.rmse_ohm > 5 * with_l.rmse_ohm


def test_predict_reproduces_the_fit_and_the_limits():
    z = 3.0 + _rc(F_HZ, 20.0, 1e-3)
    result = fit_drt(F_HZ, z, lam=1e-3)
    assert result.criterion == "given"
    assert result.lambda_ == 1e-3
    np.testing.assert_allclose(result.predict(F_HZ), result.z_fit_ohm, rtol=1e-9, atol=1e-9)
    assert result.predict([1e-6])[0].real == pytest.approx(23.0, rel=0.02)


def test_basis_kernels_match_the_rc_formula_for_a_narrow_gaussian():
    omega = np.array([10.0, 1e3])
    epsilon = 50.0  # narrow: ∫φ ≈ √π/ε, kernel ≈ 1/(1 + jωτ) at the centre
    re, im = basis_matrices(omega, np.log([1e-2]), epsilon)
    area = np.sqrt(np.pi) / epsilon
    expected = area / (1 + 1j * omega * 1e-2)
    np.testing.assert_allclose(re[:, 0], expected.real, rtol=1e-3)
    np.testing.assert_allclose(im[:, 0], expected.imag, rtol=1e-3)


@pytest.mark.parametrize("name", ["impedancepy_exampleData.csv", "LIB_data.txt"])
def test_real_li_ion_spectra_run_end_to_end(data_dir, name):
    table = read_eis_text(data_dir / "eis" / name)
    result = drt_of_table(table)
    z_real = table["Z Real / Ohm"].to_numpy()
    assert 0.8 * z_real.min() < result.r_inf_ohm < 1.02 * z_real.min()
    assert result.inductance_h > 0  # both cells are inductive at the highest frequencies
    assert 1 <= len(result.peaks) <= 6
    assert result.rmse_ohm < 0.01 * np.abs(z_real).mean()
    assert sum(p.r_ohm for p in result.peaks) == pytest.approx(result.r_polarisation_ohm, rel=1e-6)


@pytest.mark.parametrize(
    ("f", "z", "lam", "message"),
    [
        (F_HZ[:4], np.ones(4), None, "at least 5 frequencies"),
        (F_HZ, np.ones(F_HZ.size - 1), None, "equal length"),
        (-F_HZ, np.ones(F_HZ.size), None, "positive frequencies"),
        (np.linspace(1, 2, 10), np.ones(10), None, "spanning a decade"),
        (F_HZ, np.ones(F_HZ.size), -1.0, "must be positive"),
    ],
)
def test_bad_inputs_raise_analysis_error(f, z, lam, message):
    with pytest.raises(AnalysisError, match=message):
        fit_drt(f, z, lam=lam)


def test_gcv_regularises_noisier_data_more():
    rng = np.random.default_rng(7)
    clean = 3.0 + _rc(F_HZ, 20.0, 1e-3) + _rc(F_HZ, 10.0, 1.0)
    noise = rng.normal(size=F_HZ.size) + 1j * rng.normal(size=F_HZ.size)
    quiet = fit_drt(F_HZ, clean + 0.001 * noise)
    loud = fit_drt(F_HZ, clean + 0.3 * noise)
    assert loud.lambda_ > 100 * quiet.lambda_
    assert [round(np.log10(p.tau_s)) for p in loud.peaks] == [-3, 0]
    assert [p.r_ohm for p in loud.peaks] == pytest.approx([20.0, 10.0], rel=0.1)


def test_gamry_lambda_is_inside_the_grid_and_the_tail_is_flagged(data_dir):
    """The issue's case: λ sat at the old grid's edge (1e-7) with RMSE 317 Ω, unflagged."""
    from ssblab.analysis.drt import LAMBDA_GRID
    from ssblab.analysis.eis import frequency_window
    from ssblab.io.eis import read_eis

    result = read_eis(data_dir / "eis" / "impedancepy_exampleDataGamry.DTA")
    table = getattr(result, "table", result)
    full = drt_of_table(table)
    assert LAMBDA_GRID[0] < full.lambda_ < LAMBDA_GRID[-1]
    assert full.rmse_ohm == pytest.approx(316.6, rel=0.01)
    assert full.relative_rmse == pytest.approx(0.069, abs=0.002)
    assert [f.code for f in full.flags] == ["poor_fit", "hf_intercept_not_reached"]
    assert "--fmin" in full.flags[0].message
    # -Z'' is still 1367 Ω (21 % of its largest) at 200 kHz: R_inf 8.0 Ω only bounded
    assert "bound the ohmic resistance only to 0-825.9 Ω" in full.flags[1].message
    cut = drt_of_table(frequency_window(table, 1.0))
    assert cut.relative_rmse < 0.01
    # what is left of the tail below 1 Hz shows as a peak beyond 1/ω_min = 0.16 s: noted
    assert [(f.code, f.severity) for f in cut.flags] == [
        ("peak_outside_window", "info"),
        ("hf_intercept_not_reached", "warning"),
    ]
    assert "τ = 0.857 s" in cut.flags[0].message


def test_lambda_at_the_grid_edge_is_flagged():
    f = np.logspace(-2, 5, 50)
    z = 5.0 + 20.0 / (1 + 1j * 2 * np.pi * f * 2e-3)  # noise-free: GCV wants λ -> 0
    result = fit_drt(f, z)
    assert result.lambda_ == 1e-12
    assert [fl.code for fl in result.flags] == ["lambda_at_edge"]
    assert result.to_dict()["flags"][0]["code"] == "lambda_at_edge"
    assert fit_drt(f, z, lam=1e-3).flags == ()  # a given λ is the user's choice


def test_two_zarc_drt_is_unflagged(data_dir):
    from ssblab.io.eis import read_eis_text

    result = drt_of_table(read_eis_text(data_dir / "eis" / "2XZARCequal.csv"))
    assert result.flags == ()
    assert result.relative_rmse == pytest.approx(0.0108, abs=0.001)  # σ 0.5 Ω noise
