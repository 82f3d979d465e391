"""``ssblab calibrate``: PyBOP on a rate table, predictions apart, BPX that PyBaMM loads."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pybop")
pytest.importorskip("bpx")

from typer.testing import CliRunner

from ssblab.cli import app
from ssblab.errors import SimulationError
from ssblab.simulate.fit import parse_targets

runner = CliRunner()


def test_targets_parse_and_refuse():
    targets = parse_targets("0.1C=125, 0.2 C=110")
    assert [(t.c_rate, t.capacity_mAh_g) for t in targets] == [(0.1, 125.0), (0.2, 110.0)]
    with pytest.raises(SimulationError, match="expected RATE C=mAh/g"):
        parse_targets("0.1=125")


@pytest.mark.slow
def test_calibrate_coated_lco_then_predict(examples_dir, tmp_path):
    import pybamm

    out = tmp_path / "lco.bpx.json"
    recipe = examples_dir / "li-lialo2-200nm_lgps_lco.toml"
    args = ["calibrate", str(recipe), "--interphase", "1006", "--bpx", str(out), "--json"]
    result = runner.invoke(app, [*args, "--max-iterations", "25"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {r["c_rate"]: r for r in data["rows"]}
    # the recipe's [reported] table: 0.1 and 0.2 C fit, 0.5 and 1 C are predictions
    assert {r: rows[r]["role"] for r in rows} == {
        0.1: "calibrated",
        0.2: "calibrated",
        0.5: "predicted",
        1.0: "predicted",
    }
    assert abs(rows[0.1]["error_percent"]) < 2 and abs(rows[0.2]["error_percent"]) < 2
    assert abs(rows[0.5]["error_percent"]) < 15
    assert data["interface"] == "butler-volmer"  # the default, as in the case study
    diffusivity = data["parameters"]["diffusivity"]
    # the case study's shipped fit (1.484e-15 m2/s); measured 1.48e-15 at 25 iterations
    assert diffusivity["value"] == pytest.approx(1.484e-15, rel=0.05)
    # the loading is not identifiable (factor 1e8 measured): it stays near its start, and
    # its correlation with the diffusivity inflates that one's marginal factor (68 here)
    assert data["parameters"]["loading"]["sigma_factor"] > 1e3
    bpx_extra = json.loads(out.read_text())["Parameterisation"]["User-defined"]
    assert bpx_extra["ssblab Li exchange-current density [A.m-2]"] > 0
    values = pybamm.ParameterValues.create_from_bpx(str(out))
    assert values["Separator thickness [m]"] == pytest.approx(
        json.loads(out.read_text())["Parameterisation"]["Separator"]["Thickness [m]"]
    )


@pytest.mark.slow
def test_shipped_lialo2_calibration_is_what_pybop_finds():
    """The case study's stored fit (lialo2_fullcell.CALIBRATED) is reproduced by a refit."""
    from ssblab.reproduce.lialo2_fullcell import CALIBRATED, INTERPHASE, calibrate_rate

    result = calibrate_rate(max_iterations=40)
    shipped = CALIBRATED[INTERPHASE]["diffusivity"]
    assert result.values["diffusivity"] == pytest.approx(shipped, rel=0.1)
    pairs = zip(result.fitted_measured, result.fitted_model, strict=True)
    assert max(abs(m - f) for m, f in pairs) < 2.0


@pytest.mark.slow
def test_coated_predictions_across_fit_starts():
    """The coated 0.5/1 C predictions from three optimiser starts (~160 s).

    Measured (session 6, the same at 2a3fc3c, before its changes): 1 C -10.7 / -14.6 /
    -16.0 % from starts at loading 0.3 / 1 / 3 mg/cm2; the loading is not identifiable and
    ends at 0.28 / 1.00 / 2.44 (at fca4f0e: -15.7 / -14.7 / -15.8 %, ending at 1.75 / 1.0 /
    3.0; what moved the low start is not traced). The shipped -14.7 % is the default
    start's; within 15 % at 1 C is not robust. 0.5 C: -5.4 / -7.6 / -8.3 %.
    """
    from ssblab.reproduce.lialo2_sensitivity import fit_stability

    rows = fit_stability()
    for row in rows:
        assert abs(row["error_0.1C_percent"]) < 1.5 and abs(row["error_0.2C_percent"]) < 1.5
        assert abs(row["error_0.5C_percent"]) < 10
    errors = [row["error_1C_percent"] for row in rows]
    assert errors == [pytest.approx(e, abs=0.3) for e in (-10.7, -14.6, -16.0)]
    assert [row["fitted_loading"] for row in rows] == [
        pytest.approx(v, rel=0.05) for v in (0.285, 1.0, 2.44)
    ]
    assert max(errors) - min(errors) > 0.5  # the start moves the 1 C figure by 5 points
    assert min(errors) < -15.0 < max(errors)  # and across the 15 % line
