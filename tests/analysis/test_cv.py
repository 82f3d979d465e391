"""CV peaks on a synthetic reversible couple whose peak potentials and currents are known."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cv import CV_KEYS, cv_analysis, cv_peaks, sweep_labels
from ssblab.errors import AnalysisError
from ssblab.flags import NotApplicableError

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


def codes(result) -> list[tuple[str, str]]:
    return [(f.quantity, f.code) for f in result.flags]


def test_refuses_flat_potential_and_flags_absent_peaks():
    flat = cv_table().with_columns(pl.lit(3.0).alias(s.VOLTAGE))
    with pytest.raises(AnalysisError, match="cv needs cyclic/linear sweep voltammetry"):
        cv_peaks(flat)
    table = cv_table()
    capacitive = table.with_columns(
        (pl.col(s.VOLTAGE).diff().fill_null(1.0).sign() * 1e-6).alias(s.CURRENT)
    )
    # a constant current with a linear ramp reads as galvanostatic: forced, no peak invented
    with pytest.raises(NotApplicableError):
        cv_analysis(capacitive)
    result = cv_analysis(capacitive, force=True)
    assert result.peaks.select(pl.col("anodic_peak_V", "cathodic_peak_V").null_count()).row(0) == (
        3,
        3,
    )
    assert [c for _, c in codes(result)] == ["forced"] + ["no_peak"] * 6


def test_wrong_sign_vertex_hold_and_spike_are_not_peaks():
    """An anodic current rising to the vertex, a positive bump on the cathodic sweep and a
    one-record spike give no peak."""
    table = cv_table(cycles=1)
    e = table.get_column(s.VOLTAGE).to_numpy()
    rising = np.concatenate([np.diff(e), [-1.0]]) > 0
    # anodic sweep: exponential onset up to the vertex; cathodic sweep: a positive bump
    onset = 1e-4 * np.exp((e - 3.8) / 0.05)
    bump = 2e-4 * np.exp(-(((e - 3.4) / 0.03) ** 2))
    i = np.where(rising, onset, bump + 1e-7)
    i[200] += 5e-3  # one-record spike on the anodic sweep
    result = cv_analysis(table.with_columns(pl.Series(s.CURRENT, i)))
    assert result.peaks.get_column("anodic_peak_V").to_list() == [None]
    assert result.peaks.get_column("cathodic_peak_V").to_list() == [None]
    messages = {f.quantity: f.message for f in result.flags}
    assert "turning point" in messages["cycle 1 anodic peak"]
    assert "never has the sweep's sign" in messages["cycle 1 cathodic peak"]


def test_unpaired_peaks_give_no_negative_separation():
    table = cv_table(cycles=1)
    e = table.get_column(s.VOLTAGE).to_numpy()
    rising = np.concatenate([np.diff(e), [-1.0]]) > 0
    anodic = 2e-4 * np.exp(-(((e - 3.2) / 0.03) ** 2)) + 5e-6  # + double-layer current
    cathodic = -2e-4 * np.exp(-(((e - 3.6) / 0.03) ** 2)) - 5e-6
    result = cv_analysis(
        table.with_columns(pl.Series(s.CURRENT, np.where(rising, anodic, cathodic)))
    )
    row = result.peaks.row(0, named=True)
    assert row["anodic_peak_V"] == pytest.approx(3.2, abs=2e-3)
    assert row["cathodic_peak_V"] == pytest.approx(3.6, abs=2e-3)
    assert row["peak_separation_V"] is None
    assert ("cycle 1 peak_separation_V", "peaks_unpaired") in codes(result)


def test_weak_peak_flagged():
    """Noise of 30 % of i_p: both peaks still found within 10 mV, and flagged weak."""
    result = cv_analysis(cv_table(cycles=1, noise_A=0.3 * randles_sevcik_A()))
    row = result.peaks.row(0, named=True)
    assert row["anodic_peak_V"] == pytest.approx(E_HALF + OFFSET_V, abs=0.01)
    assert row["cathodic_peak_V"] == pytest.approx(E_HALF - OFFSET_V, abs=0.01)
    assert codes(result) == [
        ("cycle 1 anodic peak", "weak_peak"),
        ("cycle 1 cathodic peak", "weak_peak"),
    ]
    assert codes(cv_analysis(cv_table(cycles=1, noise_A=0.05 * randles_sevcik_A()))) == []


def test_real_cv_flags_absent_peaks(data_dir):
    """EC-Lab CV 1.5-5.5 V at 0.1 mV/s: oxidation rises to the vertex, no reduction peak."""
    from ssblab.io import read

    result = cv_analysis(read(data_dir / "biologic" / "cv.mpr"))
    peaks = result.peaks
    assert peaks.get_column("cycle").to_list() == [1, 2]
    assert peaks.get_column("scan_rate_V_s").to_list() == pytest.approx([1.0e-4] * 2, rel=0.01)
    assert peaks.drop("cycle", "scan_rate_V_s").null_count().sum_horizontal().item() == 12
    assert ("cycle 1 anodic peak", "no_peak") in codes(result)
    assert ("cycle 1 cathodic peak", "no_peak") in codes(result)
    assert ("cycle 2 anodic peak", "partial_sweep") in codes(result)
    # after the 5.5 V vertex the current stays anodic (~10 mA) down to ~2.1 V
    assert ("cycle 2 cathodic peak", "opposite_current") in codes(result)
    assert ("cycle 1 cathodic peak", "opposite_current") not in codes(result)
    oxidation = next(f for f in result.flags if f.quantity == "cycle 1 anodic peak")
    assert "turning point" in oxidation.message


def test_real_galvanostatic_file_refused(data_dir):
    from ssblab.io import read

    run = read(data_dir / "biologic" / "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    with pytest.raises(
        NotApplicableError, match=r"cv needs cyclic/linear sweep voltammetry; the data are galv"
    ) as err:
        cv_analysis(run)
    assert "\n" not in str(err.value)
    forced = cv_analysis(run, force=True)
    assert forced.flags[0].code == "forced"
    separation = forced.peaks.get_column("peak_separation_V").drop_nulls()
    assert (separation >= 0).all()


def test_cli_refuses_galvanostatic_file_in_one_line(data_dir, capsys):
    import json

    from ssblab.cli import main

    gcpl = str(data_dir / "biologic" / "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    with pytest.raises(SystemExit) as stop:
        main(["cv", gcpl])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cv needs cyclic/linear sweep voltammetry" in err
    main(["cv", gcpl, "--force", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["flags"][0]["code"] == "forced"


def test_a_hold_inside_a_sweep_is_no_peak():
    """A 100-record potential hold at 3.30 V on the rising sweep, its current decaying from
    2 i_p: no anodic peak at 3.30 V; the true one (3.43 V) is still found."""
    table = cv_table(cycles=1)
    ip = randles_sevcik_A()
    k = int(np.argmin(np.abs(table.get_column(s.VOLTAGE).to_numpy()[:800] - 3.30)))
    hold = pl.DataFrame(
        {
            s.TIME: table[s.TIME][k] + np.linspace(0.01, 0.09, 100),
            s.VOLTAGE: np.full(100, table[s.VOLTAGE][k]),
            s.CURRENT: 2 * ip * np.exp(-np.arange(100) / 20.0),
        }
    )
    after = table[k + 1 :].with_columns(pl.col(s.TIME) + 0.1)
    held = pl.concat([table[: k + 1], hold, after])
    row = cv_analysis(held).peaks.row(0, named=True)
    assert row["anodic_peak_V"] == pytest.approx(E_HALF + OFFSET_V, abs=2e-3)
    assert row["peak_separation_V"] == pytest.approx(0.057, abs=3e-3)
