"""``ssblab eis`` through the CLI: JSON keys and values, tables, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ssblab.cli import app, main

runner = CliRunner()
ZARC2 = ["-c", "R0-p(R1,CPE1)-p(R2,CPE2)", "-i", "5,40,1e-3,0.9,40,1e-5,0.9"]


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_fit_json_keys_and_values(data_dir):
    out = _json(["eis", "fit", str(data_dir / "eis" / "2XZARCequal.csv"), *ZARC2, "--json"])
    assert {"circuit", "parameters", "stderr", "rmse_ohm"} <= out.keys()
    assert out["circuit"] == "R0-p(R1,CPE1)-p(R2,CPE2)"
    assert out["parameters"]["R0"] == pytest.approx(10.0, abs=0.5)
    assert out["parameters"]["R1"] == pytest.approx(50.0, abs=1.5)
    assert out["stderr"].keys() == out["parameters"].keys()
    assert out["R_ct_ohm"] == pytest.approx(100.0, abs=2.0)
    assert out["units"]["CPE1_0"].startswith("Ohm^-1")


def test_fit_impedancepy_example_with_constant(data_dir):
    path = str(data_dir / "eis" / "impedancepy_exampleData.csv")
    args = ["eis", "fit", path, "-c", "R0-p(R1,C1)", "-i", "0.01,100", "--constant", "R0=0.015"]
    out = _json([*args, "--drop-inductive", "--json"])
    assert list(out["parameters"]) == ["R1", "C1"]
    assert out["R_b_ohm"] == 0.015


def test_fit_prints_a_table_without_json(data_dir):
    result = runner.invoke(app, ["eis", "fit", str(data_dir / "eis" / "2XZARCequal.csv"), *ZARC2])
    assert result.exit_code == 0
    assert "CPE2_1" in result.stdout and "RMSE" in result.stdout


def test_drt_json(data_dir):
    out = _json(["eis", "drt", str(data_dir / "eis" / "2XZARCequal.csv"), "--json"])
    assert {"R_inf_ohm", "peaks", "lambda"} <= out.keys()
    assert out["R_inf_ohm"] == pytest.approx(10.0, abs=0.5)
    assert [p.keys() for p in out["peaks"]] == [{"tau_s", "R_ohm"}] * 2
    assert out["peaks"][0]["tau_s"] == pytest.approx(1e-4, rel=0.3)
    assert out["criterion"] == "gcv"


def test_drt_with_given_lambda(data_dir):
    out = _json(
        ["eis", "drt", str(data_dir / "eis" / "LIB_data.txt"), "--lambda", "0.01", "--json"]
    )
    assert out["lambda"] == 0.01
    assert out["criterion"] == "given"
    assert out["R_inf_ohm"] == pytest.approx(0.112, rel=0.02)


def test_batch_json_one_row_per_spectrum(data_dir):
    files = [str(data_dir / "eis" / n) for n in ("2XZARCequal.csv", "LIB_data.txt")]
    rows = _json(["eis", "batch", *files, "-c", "R0-p(R1,CPE1)", "-i", "1,10,1e-3,0.9", "--json"])
    assert [r["spectrum"] for r in rows] == ["2XZARCequal.csv", "LIB_data.txt"]
    assert set(rows[0]) == {
        "spectrum", "cycle", "R_b_ohm", "R_ct_ohm", "R_b_stderr_ohm", "R_ct_stderr_ohm",
        "rmse_ohm", "parameters", "stderr", "flags", "error",
    }  # fmt: skip
    assert rows[1]["R_b_ohm"] == pytest.approx(0.10, rel=0.1)
    assert list(rows[1]["parameters"]) == ["R0", "R1", "CPE1_0", "CPE1_1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "R0-p(R1,X1)", "-i", "1,2"], "unknown element 'X'"),
        (["-c", "R0", "-i", "1,a"], "expected comma-separated numbers"),
        (["-c", "R0", "-i", "1", "--constant", "R0"], "expected NAME=VALUE"),
    ],
)
def test_bad_options_exit_2_with_one_line(data_dir, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main(["eis", "fit", str(data_dir / "eis" / "LIB_data.txt"), *args])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_unreadable_file_exits_2_naming_it(capsys):
    Path("junk.txt").write_text("hello\nworld\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["eis", "drt", "junk.txt", "--json"])
    assert info.value.code == 2
    assert "junk.txt" in capsys.readouterr().err


def test_drt_frequency_window_cuts_a_diffusion_tail(data_dir):
    # Gamry spectrum: a high-frequency arc (~4 kOhm at tau ~2 us), then a diffusion tail
    path = str(data_dir / "eis" / "impedancepy_exampleDataGamry.DTA")
    full = _json(["eis", "drt", path, "--json"])
    cut = _json(["eis", "drt", path, "--fmin", "1", "--json"])
    assert cut["rmse_ohm"] < 0.1 * full["rmse_ohm"]
    assert len(cut["peaks"]) == 2
    assert cut["peaks"][0]["tau_s"] == pytest.approx(1.7e-6, rel=0.2)
    assert cut["peaks"][0]["R_ohm"] == pytest.approx(3950.0, rel=0.1)


def test_batch_on_the_issue_spectrum_flags_every_wrong_number(data_dir, capsys, tmp_path):
    """eis batch PEIS-0.mpr with one ZARC: R_b ~1e-231 Ω and R_ct ~1e10 Ω come flagged
    (stderr, and the flags column of -o); the JSON keys are checked on other files."""
    path = str(data_dir / "biologic" / "PEIS-0.mpr")
    table = tmp_path / "batch.csv"
    main(["eis", "batch", path, "-c", "R0-p(R1,CPE1)", "-i", "10,100,1e-5,0.8", "-o", str(table)])
    err = capsys.readouterr().err
    # the collapsed values themselves (R0 ~1e-231 Ω, R1 ~1e10 Ω) move with the platform
    assert re.search(r"PEIS-0\.mpr: R1: [0-9.]+e\+(09|10) Ω is over 100 × the spectrum's", err)
    assert re.search(r"PEIS-0\.mpr: R0: [0-9.]+e-2[0-9]{2} Ohm is below 1e-6 of 125", err)
    assert "(--cut-tail, or --fmin 0.165)" in err
    written = table.read_text(encoding="utf-8")
    assert "R0 collapsed" in written and "R1 no_uncertainty" in written


def test_fit_without_initial_values_reads_them_off_the_spectrum(data_dir, capsys):
    path = str(data_dir / "biologic" / "PEIS-0.mpr")
    main(["eis", "fit", path, "-c", "R0-p(R1,CPE1)", "--fmin", "0.165", "--json"])
    out = json.loads(capsys.readouterr().out)
    # one ZARC above the tail leaves R0 over Z'(10 kHz): a high-frequency feature it lacks
    assert [(f["quantity"], f["code"]) for f in out["flags"]] == [("R0", "above_hf_intercept")]
    assert out["initial"]["R0"] == pytest.approx(5.52, abs=0.01)  # high-frequency intercept
    assert out["R_b_ohm"] == pytest.approx(7.86, abs=0.05)
    assert out["R_ct_ohm"] == pytest.approx(75.4, abs=0.5)
    assert out["R_ct_stderr_ohm"] == pytest.approx(1.04, rel=0.05)
    assert out["relative_residual"] == pytest.approx(0.046, abs=0.002)


JR862_GEIS = "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_02_GEIS_C05.mpr"


def test_fit_and_drt_report_one_measured_intercept_on_the_jr862_geis(data_dir, capsys):
    """eis fit's R0 (4.6e-31 Ω) and eis drt's R_inf (167.4 Ω) disagreed silently; both now
    print the same measured high-frequency end (Z' 203.1 Ω, −Z'' 35.0 Ω at 500 Hz, not
    reached) and the flag that bounds the ohmic resistance to 0-203.1 Ω."""
    path = str(data_dir / JR862_GEIS)
    main(["eis", "fit", path, "-c", "R0-p(R1,CPE1)", "--json"])
    fit = json.loads(capsys.readouterr().out)
    main(["eis", "drt", path, "--json"])
    drt = json.loads(capsys.readouterr().out)
    assert fit["hf_intercept"] == drt["hf_intercept"]
    icpt = drt["hf_intercept"]
    assert icpt["reached"] is False
    assert (icpt["Z_real_ohm"], icpt["frequency_hz"]) == pytest.approx((203.13, 500.16), abs=0.01)
    assert icpt["minus_Z_imag_ohm"] == pytest.approx(34.99, abs=0.01)
    assert fit["R_b_ohm"] < 1e-6 and drt["R_inf_ohm"] == pytest.approx(167.4, abs=0.5)
    for payload, quantity in ((fit, "R0"), (drt, "R_inf")):
        (flag,) = [f for f in payload["flags"] if f["code"] == "hf_intercept_not_reached"]
        assert flag["quantity"] == quantity and "0-203.1 Ω" in flag["message"]
