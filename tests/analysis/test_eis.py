"""Equivalent-circuit fitting: impedance.py agreement, synthetic truth, batch, checks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis import eis_batch
from ssblab.analysis.eis import (
    fit_circuit,
    fit_spectrum,
    frequency_window,
    parse_circuit,
    spectrum_arrays,
    zarc_tau,
)
from ssblab.analysis.eis_batch import FLAGS, R_B, R_B_ERR, R_CT, fit_batch, split_spectra
from ssblab.analysis.eis_checks import features
from ssblab.errors import AnalysisError
from ssblab.io.eis import read_eis_text

# impedance.py getting-started example (docs/source/getting-started.rst)
EXAMPLE_CIRCUIT = "R0-p(R1,C1)-p(R2-Wo1,C2)"
EXAMPLE_GUESS = [0.01, 0.01, 100, 0.01, 0.05, 100, 1]
ZARC2_CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)"
ZARC2_GUESS = [5, 40, 1e-3, 0.9, 40, 1e-5, 0.9]


@pytest.fixture(scope="module")
def zarc2(data_dir) -> pl.DataFrame:
    return read_eis_text(data_dir / "eis" / "2XZARCequal.csv")


def test_reproduces_a_direct_impedancepy_fit(data_dir):
    from impedance import preprocessing
    from impedance.models.circuits import CustomCircuit

    path = data_dir / "eis" / "impedancepy_exampleData.csv"
    f, z = preprocessing.ignoreBelowX(*preprocessing.readCSV(str(path)))
    direct = CustomCircuit(EXAMPLE_CIRCUIT, initial_guess=EXAMPLE_GUESS).fit(f, z)

    ours = fit_spectrum(read_eis_text(path), EXAMPLE_CIRCUIT, EXAMPLE_GUESS, drop_inductive=True)

    assert ours.names == ("R0", "R1", "C1", "R2", "Wo1_0", "Wo1_1", "C2")
    assert ours.frequency_hz.size == f.size == 57
    np.testing.assert_allclose(ours.values, direct.parameters_, rtol=1e-9)
    np.testing.assert_allclose(ours.stderrs, direct.conf_, rtol=1e-9)
    np.testing.assert_allclose(ours.z_fit_ohm, direct.predict(f), rtol=1e-9)
    # pinned from impedance.py 1.7.1's own fit of this file: R0 1.652e-2 Ω, R1 8.677e-3 Ω
    assert ours.parameters["R0"] == pytest.approx(1.652e-2, rel=1e-3)
    assert ours.parameters["R1"] == pytest.approx(8.677e-3, rel=1e-3)
    assert ours.rmse_ohm < 1e-3


def test_recovers_the_true_two_zarc_parameters(zarc2):
    fit = fit_spectrum(zarc2, ZARC2_CIRCUIT, ZARC2_GUESS)
    p = fit.parameters
    # truth: R_inf 10 Ω, R_ct 50 Ω each, φ 0.8, τ 0.1 s and 1e-4 s, noise σ 0.5 Ω
    assert p["R0"] == pytest.approx(10.0, abs=0.5)
    assert p["R1"] == pytest.approx(50.0, abs=1.5)
    assert p["R2"] == pytest.approx(50.0, abs=1.5)
    assert p["CPE1_1"] == pytest.approx(0.8, abs=0.02)
    assert p["CPE2_1"] == pytest.approx(0.8, abs=0.02)
    assert zarc_tau(p["R1"], p["CPE1_0"], p["CPE1_1"]) == pytest.approx(0.1, rel=0.1)
    assert zarc_tau(p["R2"], p["CPE2_0"], p["CPE2_1"]) == pytest.approx(1e-4, rel=0.1)
    assert 0.4 < fit.rmse_ohm < 0.65  # the noise level
    assert fit.r_b_ohm == pytest.approx(p["R0"])
    assert fit.r_ct_ohm == pytest.approx(p["R1"] + p["R2"])
    assert all(0 < e < 0.1 * abs(v) for v, e in zip(fit.values, fit.stderrs, strict=True))


def test_predict_matches_the_fitted_spectrum_and_extrapolates(zarc2):
    fit = fit_spectrum(zarc2, ZARC2_CIRCUIT, ZARC2_GUESS)
    np.testing.assert_allclose(fit.predict(fit.frequency_hz), fit.z_fit_ohm, rtol=1e-12)
    z_dc, z_hf = fit.predict([1e-6, 1e9])
    p = fit.parameters
    assert z_dc.real == pytest.approx(p["R0"] + p["R1"] + p["R2"], rel=1e-3)
    assert z_hf.real == pytest.approx(p["R0"], rel=1e-3)


def test_constants_are_held_and_left_out_of_the_parameters(zarc2):
    fit = fit_spectrum(zarc2, ZARC2_CIRCUIT, ZARC2_GUESS[1:], constants={"R0": 10.0})
    assert "R0" not in fit.parameters
    assert fit.r_b_ohm == 10.0
    assert fit.parameters["R1"] == pytest.approx(50.0, abs=1.5)


def test_simple_rc_is_exact_without_noise():
    f = np.logspace(-2, 5, 50)
    z = 5.0 + 20.0 / (1 + 1j * 2 * np.pi * f * 20.0 * 1e-4)
    fit = fit_circuit(f, z, "R0-p(R1,C1)", [1, 10, 1e-3])
    assert fit.values == pytest.approx([5.0, 20.0, 1e-4], rel=1e-6)
    assert zarc_tau(20.0, 1e-4, 1.0) == pytest.approx(2e-3)
    assert fit.to_dict().keys() == {
        "circuit", "parameters", "stderr", "rmse_ohm", "relative_residual", "initial", "flags",
    }  # fmt: skip
    assert fit.relative_residual < 1e-8
    # noise-free: the covariance is ~0, so the standard errors are no uncertainty
    assert {f.code for f in fit.flags} <= {"no_uncertainty"}


@pytest.mark.parametrize(
    ("circuit", "message"),
    [
        ("R0-p(R1)", "two or more branches"),
        ("R0-X1", "unknown element 'X'"),
        ("R0-R0", "used twice"),
        ("__import__('os')", "cannot read"),
        ("R0-p(R1,C1", "two or more branches"),
        ("R0--C1", "unexpected '-'"),
        ("", "empty"),
    ],
)
def test_bad_circuits_are_refused_before_impedancepy_sees_them(circuit, message):
    with pytest.raises(AnalysisError, match=message):
        parse_circuit(circuit)


def test_parse_circuit_names_parameters_and_resistors():
    spec = parse_circuit("R0-p(R1,CPE1)-p(R2-Wo1,C2)", constants={"Wo1_1": 100.0})
    assert spec.parameter_names == ("R0", "R1", "CPE1_0", "CPE1_1", "R2", "Wo1_0", "C2")
    assert spec.series_resistors == ("R0",)
    assert spec.parallel_resistors == ("R1", "R2")
    with pytest.raises(AnalysisError, match="unknown"):
        parse_circuit("R0-p(R1,C1)", constants={"R9": 1.0})


def test_wrong_number_of_initial_values_names_the_parameters(zarc2):
    with pytest.raises(AnalysisError, match=r"3 free parameters \(R0, R1, C1\) but 2"):
        fit_spectrum(zarc2, "R0-p(R1,C1)", [1, 2])


def _three_cycles(table: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(
        table.with_columns(
            pl.col(s.Z_REAL) * k, pl.col(s.Z_IMAG) * k, pl.lit(i + 1, dtype=pl.Int64).alias(s.CYCLE)
        )
        for i, k in enumerate((1.0, 1.1, 1.25))
    )


def test_batch_over_cycles_tracks_the_resistances(zarc2):
    result = fit_batch(_three_cycles(zarc2), ZARC2_CIRCUIT, ZARC2_GUESS)
    assert result[s.CYCLE].to_list() == [1, 2, 3]
    r_b, r_ct = result[R_B].to_numpy(), result[R_CT].to_numpy()
    np.testing.assert_allclose(r_b / r_b[0], [1.0, 1.1, 1.25], rtol=1e-4)
    np.testing.assert_allclose(r_ct / r_ct[0], [1.0, 1.1, 1.25], rtol=1e-4)
    assert r_ct[0] == pytest.approx(100.0, abs=2.0)


def test_batch_warm_starts_from_the_previous_fit(zarc2, monkeypatch):
    guesses: list[list[float]] = []
    real_fit = eis_batch.fit_spectrum

    def spy(table, circuit, guess, **options):
        guesses.append(list(guess))
        return real_fit(table, circuit, guess, **options)

    monkeypatch.setattr(eis_batch, "fit_spectrum", spy)
    first = fit_spectrum(zarc2, ZARC2_CIRCUIT, ZARC2_GUESS)
    fit_batch([zarc2, zarc2], ZARC2_CIRCUIT, ZARC2_GUESS)
    assert guesses[0] == ZARC2_GUESS
    np.testing.assert_allclose(guesses[1], first.values, rtol=1e-9)
    guesses.clear()
    fit_batch([zarc2, zarc2], ZARC2_CIRCUIT, ZARC2_GUESS, warm_start=False)
    assert guesses == [ZARC2_GUESS, ZARC2_GUESS]


def test_batch_reports_a_failed_spectrum_and_carries_on(zarc2):
    result = fit_batch([zarc2.head(4), zarc2], ZARC2_CIRCUIT, ZARC2_GUESS, labels=["short", "ok"])
    assert result["Spectrum"].to_list() == ["short", "ok"]
    assert result[R_B][0] is None
    assert "too few" in result["Error"][0]
    assert result[R_B][1] == pytest.approx(10.0, abs=0.5)


def test_split_spectra_orders_cycles_and_keeps_single_tables(zarc2):
    multi = _three_cycles(zarc2).sort(s.CYCLE, descending=True)
    assert [k for k, _ in split_spectra(multi)] == ["1", "2", "3"]
    assert [k for k, _ in split_spectra(zarc2)] == ["1"]
    with pytest.raises(AnalysisError, match="2 labels for 1 spectra"):
        fit_batch(zarc2, ZARC2_CIRCUIT, ZARC2_GUESS, labels=["a", "b"])


def test_frequency_window_keeps_the_band_and_refuses_an_empty_one(zarc2):
    band = frequency_window(zarc2, 1.0, 1e4)
    freq = band[s.FREQUENCY].to_numpy()
    assert band.height == 41  # 10 points per decade, 1 Hz to 10 kHz inclusive
    assert freq.min() >= 1.0 and freq.max() <= 1e4
    assert frequency_window(zarc2).height == zarc2.height
    with pytest.raises(AnalysisError, match="keeps 0 of 81 points"):
        frequency_window(zarc2, 1e7, None)


@pytest.fixture(scope="module")
def peis0(data_dir) -> pl.DataFrame:
    """BioLogic PEIS: ~5.5 Ω intercept, one arc of ~65 Ω at ~1 Hz, a diffusion tail below."""
    from ssblab.io.eis import read_eis

    result = read_eis(data_dir / "biologic" / "PEIS-0.mpr")
    return getattr(result, "table", result)


def test_features_read_intercept_and_arcs(zarc2, peis0):
    feat = features(*spectrum_arrays(zarc2))
    assert feat.r_hf_ohm == pytest.approx(10.0, abs=0.6)  # truth R_inf 10 Ω
    assert [d for d, _ in feat.arcs] == pytest.approx([50.0, 50.0], abs=1.5)
    # apexes at 1/(2π τ): τ = 1e-4 s and 0.1 s
    assert [fa for _, fa in feat.arcs] == pytest.approx([1592.0, 1.592], rel=0.01)
    assert feat.tail_from_hz is None
    peis = features(*spectrum_arrays(peis0))
    assert peis.r_hf_ohm == pytest.approx(5.52, abs=0.01)
    assert peis.arcs[0][0] == pytest.approx(65.7, abs=0.5)
    assert peis.tail_from_hz == pytest.approx(0.165, rel=0.01)


def test_automatic_start_recovers_the_two_zarcs_unflagged(zarc2):
    fit = fit_spectrum(zarc2, ZARC2_CIRCUIT)
    p = fit.parameters
    assert p["R0"] == pytest.approx(10.0, abs=0.5)
    assert p["R1"] == pytest.approx(50.0, abs=1.5) and p["R2"] == pytest.approx(50.0, abs=1.5)
    assert p["CPE1_1"] == pytest.approx(0.8, abs=0.02)
    assert fit.relative_residual < 0.02
    assert fit.flags == ()
    assert np.all(np.isfinite(fit.stderrs)) and np.all(fit.stderrs < np.abs(fit.values))


def test_degenerate_fit_on_a_real_spectrum_is_flagged(peis0):
    """The issue's case: one ZARC on a spectrum with a diffusion tail collapses R0 and
    sends R1 to ~1e10 Ω; each is flagged, and the poor fit names the tail."""
    fit = fit_spectrum(peis0, "R0-p(R1,CPE1)", [10, 100, 1e-5, 0.8])
    assert fit.parameters["R0"] < 1e-100 and fit.parameters["R1"] > 1e9
    codes = {(f.quantity, f.code) for f in fit.flags}
    assert {("R0", "collapsed"), ("R1", "beyond_scale"), ("fit", "poor_fit")} <= codes
    poor = next(f for f in fit.flags if f.code == "poor_fit")
    assert "--fmin 0.165" in poor.message
    assert fit.relative_residual == pytest.approx(0.214, abs=0.005)
    # automatic start values with bounds: R1 stops at 1000 x max|Z| and is flagged there
    auto = fit_spectrum(peis0, "R0-p(R1,CPE1)")
    assert ("R1", "at_bound") in {(f.quantity, f.code) for f in auto.flags}


def test_fit_above_the_tail_is_right_but_its_r0_is_above_the_intercept(peis0):
    """Above the tail one ZARC fits (R1 76 Ω), but its R0 7.86 Ω lies over the measured
    Z' 5.52 Ω at 10 kHz: from 10 kHz to 1 kHz Z' climbs 5.5 -> 7.8 Ω at −Z'' ≈ 1.6 Ω, a
    high-frequency feature the circuit has no element for, so R0 is flagged."""
    fit = fit_spectrum(frequency_window(peis0, 0.165), "R0-p(R1,CPE1)")
    p, e = fit.parameters, fit.stderr
    assert p["R0"] == pytest.approx(7.8, abs=0.2)
    assert p["R1"] == pytest.approx(76.0, abs=1.0)
    assert 0 < e["R1"] < 2.0 and 0 < e["R0"] < 0.5
    assert fit.relative_residual < 0.05
    assert [(f.quantity, f.code) for f in fit.flags] == [("R0", "above_hf_intercept")]
    assert "2.34 Ω above the measured high-frequency intercept 5.521 Ω" in fit.flags[0].message
    same = fit_spectrum(frequency_window(peis0, 0.165), "R0-p(R1,CPE1)", [1, 1, 1e-6, 0.9])
    assert same.values == pytest.approx(fit.values, rel=1e-4)


def test_batch_carries_flags_and_uncertainty(peis0, zarc2):
    result = fit_batch([peis0, zarc2], "R0-p(R1,CPE1)", [10, 100, 1e-5, 0.8])
    first = {f["code"] for f in result[FLAGS][0]}
    assert {"collapsed", "beyond_scale", "poor_fit"} <= first
    assert result[R_B_ERR][0] == pytest.approx(result["R0 stderr"][0])
    # the degenerate first fit is no warm start: the second begins at the user's guess
    assert result[R_B][1] == pytest.approx(
        fit_spectrum(zarc2, "R0-p(R1,CPE1)", [10, 100, 1e-5, 0.8]).r_b_ohm, rel=1e-9
    )


def test_cut_tail_fits_above_the_diffusion_tail(peis0):
    """--cut-tail: the issue's start values now reach the same R_b/R_ct as a fit above
    0.165 Hz, with the 12 points left out counted."""
    fit = fit_spectrum(peis0, "R0-p(R1,CPE1)", [10, 100, 1e-5, 0.8], cut_tail=True)
    assert fit.r_b_ohm == pytest.approx(7.86, abs=0.05)
    assert fit.r_ct_ohm == pytest.approx(75.4, abs=0.5)
    codes = [(f.code, f.severity) for f in fit.flags]
    assert codes == [("tail_cut", "info"), ("above_hf_intercept", "warning")]
    assert fit.flags[0].message.startswith("12 of 60 points below 0.165 Hz")
    assert fit.frequency_hz.min() == pytest.approx(0.165, rel=0.01)
    warburg = fit_spectrum(peis0, "R0-p(R1,CPE1)-Wo1", cut_tail=True)
    assert warburg.frequency_hz.size == 60  # a circuit with a Warburg keeps the tail


def test_a_truncated_chi_file_is_refused_fast_not_wandered(data_dir, tmp_path):
    """The first 23 lines of the CH Instruments export (5 points, 46-100 kHz, no arc):
    impedance.py's 1e5-evaluation budget let the fit wander 11 836 evaluations (18 s,
    every value's error above the value); 200 a parameter refuse it in about 1 s."""
    import time

    from ssblab.analysis.eis import MAX_EVALUATIONS_PER_PARAMETER
    from ssblab.io.eis import read_eis

    lines = (data_dir / "eis" / "exampleDataCHInstruments.txt").read_text().splitlines(True)
    path = tmp_path / "chi23.txt"
    path.write_text("".join(lines[:23]))
    table = read_eis(path)
    assert table.height == 5
    start = time.perf_counter()
    with pytest.raises(AnalysisError) as info:
        fit_spectrum(table, "R0-p(R1,CPE1)")
    assert time.perf_counter() - start < 10.0
    assert str(info.value) == (
        f"circuit 'R0-p(R1,CPE1)': fit did not converge in {MAX_EVALUATIONS_PER_PARAMETER * 4} "
        "evaluations: 5 points over 4.64e+04-9.96e+04 Hz do not determine its 4 parameters "
        "(hold some with --constant, or fit a wider frequency range)"
    )
    # the whole file (73 points down to 0.1 Hz) still fits, in a few tens of evaluations
    whole = fit_spectrum(
        read_eis(data_dir / "eis" / "exampleDataCHInstruments.txt"), "R0-p(R1,CPE1)-W1"
    )
    assert whole.relative_residual == pytest.approx(0.0265, abs=5e-4)


def test_a_cpe_exponent_far_below_a_capacitive_arc_is_flagged(data_dir, zarc2):
    # LIB_data.txt (impedance.py's example Li-ion spectrum) with one ZARC: phi 0.16
    from ssblab.io.eis import read_eis

    fit = fit_spectrum(read_eis(data_dir / "eis" / "LIB_data.txt"), "R0-p(R1,CPE1)")
    assert fit.parameters["CPE1_1"] == pytest.approx(0.16, abs=0.02)
    codes = {(f.quantity, f.code) for f in fit.flags}
    assert ("CPE1_1", "cpe_not_capacitive") in codes
    clean = fit_spectrum(zarc2, ZARC2_CIRCUIT, ZARC2_GUESS)  # phi 0.8: not flagged
    assert not [f for f in clean.flags if f.code == "cpe_not_capacitive"]


JR862_GEIS = "jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_02_GEIS_C05.mpr"


def test_jr862_fit_r0_and_drt_r_inf_share_one_unreached_intercept(data_dir):
    """The jr862 Li|Li GEIS (9 points, 500-0.8 Hz) stops on the low-frequency side of an arc:
    at 500 Hz Z' is 203.1 Ω and −Z'' 35.0 Ω, its largest. The fit's R0 (collapsed to 0) and
    the DRT's R_inf (167.4 Ω) are both flagged with the one bracket the data give, 0-203.1 Ω."""
    from ssblab.analysis.drt import drt_of_table
    from ssblab.analysis.eis_intercept import hf_intercept
    from ssblab.io.eis import read_spectrum

    spectra = split_spectra(read_spectrum(data_dir / "symmetric" / JR862_GEIS).table)
    assert len(spectra) == 45
    first = spectra[0][1]
    icpt = hf_intercept(*spectrum_arrays(first))
    assert (icpt.r_ohm, icpt.f_hz) == pytest.approx((203.13, 500.16), abs=0.01)
    assert icpt.minus_z_imag_ohm == pytest.approx(34.99, abs=0.01)
    assert icpt.fraction == 1.0 and not icpt.reached and not icpt.crossing
    fit = fit_spectrum(first, "R0-p(R1,CPE1)")
    drt = drt_of_table(first)
    assert fit.parameters["R0"] < 1e-6
    assert drt.r_inf_ohm == pytest.approx(167.4, abs=0.5)
    for quantity, flags in (("R0", fit.flags), ("R_inf", drt.flags)):
        hit = [f for f in flags if f.code == "hf_intercept_not_reached"]
        assert [f.quantity for f in hit] == [quantity]
        assert "bound the ohmic resistance only to 0-203.1 Ω (Z' there)" in hit[0].message
    # every one of the 45 spectra stops above its arc's apex; each DRT R_inf is in its bracket
    for _, table in spectra:
        f, z = spectrum_arrays(table)
        icpt = hf_intercept(f, z)
        assert not icpt.reached
        assert 0.0 <= drt_of_table(table).r_inf_ohm <= icpt.r_ohm


@pytest.mark.parametrize(
    ("name", "intercept", "r_inf", "r0"),
    [
        ("2XZARCequal.csv", 10.41, 9.91, 10.10),  # truth R_inf 10 Ω (noise σ 0.5 Ω)
        ("LIB_data.txt", 0.1133, 0.1118, 0.1140),  # Z'' = 0 crossing at 447 Hz
    ],
)
def test_where_the_intercept_is_reached_fit_drt_and_data_agree(
    data_dir, name, intercept, r_inf, r0
):
    from ssblab.analysis.drt import drt_of_table
    from ssblab.analysis.eis_intercept import hf_intercept
    from ssblab.io.eis import read_eis

    table = read_eis(data_dir / "eis" / name)
    icpt = hf_intercept(*spectrum_arrays(table))
    assert icpt.reached and icpt.r_ohm == pytest.approx(intercept, rel=2e-3)
    drt = drt_of_table(table)
    fit = fit_spectrum(table, ZARC2_CIRCUIT)
    assert drt.r_inf_ohm == pytest.approx(r_inf, rel=5e-3)
    assert fit.r_b_ohm == pytest.approx(r0, rel=5e-3)
    ours = {"hf_intercept_not_reached", "above_hf_intercept", "below_hf_intercept"}
    assert not [f for f in (*drt.flags, *fit.flags) if f.code in ours]
    # one ZARC on the two-ZARC file collapses R0 to 0, 10.4 Ω below the intercept: flagged
    if name == "2XZARCequal.csv":
        one = fit_spectrum(table, "R0-p(R1,CPE1)")
        assert ("R0", "below_hf_intercept") in {(f.quantity, f.code) for f in one.flags}


def test_start_intercept_is_read_at_the_top_of_the_band(data_dir):
    """peis.mpr: the smallest Z' of the whole spectrum is a noisy 51 Hz point (0.914 Ω);
    the start R0 is read at the top of the band instead (10.35 Ω at 135 kHz)."""
    from ssblab.io.eis import read_eis

    result = read_eis(data_dir / "eis" / "peis.mpr")
    table = getattr(result, "table", result)
    f, z = spectrum_arrays(split_spectra(table)[0][1])
    assert z.real.min() == pytest.approx(0.914, abs=1e-3)
    assert features(f, z).r_hf_ohm == pytest.approx(10.35, abs=0.01)
