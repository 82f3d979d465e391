"""``ssblab metrics/rate/gitt/cv/dqdv`` through the CLI on synthetic runs written to Parquet."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ssblab.cli import app, main
from ssblab.io.export import write
from ssblab.schema import Run, RunMeta

runner = CliRunner()
ANALYSIS_TESTS = Path(__file__).resolve().parents[1] / "analysis"


def _load(name: str):
    """A module of synthetic-run generators from tests/analysis (importlib import mode)."""
    spec = importlib.util.spec_from_file_location(f"_cli_{name}", ANALYSIS_TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def rate_file(tmp_path_factory) -> Path:
    rate = _load("test_rate")
    path = tmp_path_factory.mktemp("cli") / "rate.parquet"
    write(Run(rate.rate_test_table(), RunMeta(source="synthetic", active_mass_g=rate.MASS_G)), path)
    return path


def test_metrics_json(rate_file):
    out = _json(["metrics", str(rate_file), "--area-cm2", "0.5", "--json"])
    assert set(out) == {"ice", "cycles"}
    assert len(out["cycles"]) == 25
    first = out["cycles"][0]
    # the mass comes from the file's metadata: 10 mg, first discharge 125.0 * 0.996 mAh/g
    assert first["specific_discharge_capacity_mAh_g"] == pytest.approx(124.80 * 0.996, rel=1e-3)
    assert first["areal_discharge_capacity_mAh_cm2"] == pytest.approx(
        first["discharge_capacity_Ah"] * 1000 / 0.5
    )
    assert out["ice"]["first_half"] == "charge"
    assert out["ice"]["ice"] == pytest.approx(0.995, rel=1e-6)


def test_rate_json(rate_file):
    out = _json(["rate", str(rate_file), "--mass-mg", "10", "--nominal-mah", "1.4", "--json"])
    blocks = out["blocks"]
    assert [b["cycles"] for b in blocks] == [5, 5, 5, 5, 5]
    assert [round(b["c_rate"], 3) for b in blocks] == [0.1, 0.2, 0.5, 1.0, 0.1]
    assert blocks[3]["specific_capacity_mAh_g"] == pytest.approx(78.714, rel=1e-4)
    assert blocks[0]["current_A"] == pytest.approx(1.4e-4, rel=1e-9)
    assert {"current_A", "cycles", "discharge_capacity_Ah", "specific_capacity_mAh_g"} <= set(
        blocks[0]
    )
    assert out["recovery"]["specific_capacity_mAh_g"] == pytest.approx(110.0, rel=1e-6)
    assert out["recovery"]["ratio"] == pytest.approx(110.0 / 124.785, rel=1e-4)


def test_gitt_json(tmp_path):
    gitt = _load("test_gitt")
    path = tmp_path / "gitt.parquet"
    write(Run(gitt.gitt_table(), RunMeta(source="synthetic")), path)
    args = ["gitt", str(path), "--mass-mg", "5", "--molar-mass", str(gitt.MOLAR_MASS)]
    args += ["--molar-volume", str(gitt.MOLAR_VOLUME), "--area-cm2", "1", "--json"]
    out = _json(args)
    assert len(out["pulses"]) == 5
    pulse = out["pulses"][0]
    assert {"start_h", "D_cm2_s", "ocv_V"} <= set(pulse)
    assert pulse["D_cm2_s"] == pytest.approx(gitt.D_TRUE, rel=1e-3)
    assert pulse["start_h"] == pytest.approx((gitt.REST_S + 1.0) / 3600.0, rel=1e-9)


def test_cv_json(tmp_path):
    cv = _load("test_cv")
    path = tmp_path / "cv.parquet"
    write(Run(cv.cv_table(cycles=2), RunMeta(source="synthetic")), path)
    out = _json(["cv", str(path), "--json"])
    assert len(out["cycles"]) == 2
    assert out["cycles"][0]["peak_separation_V"] == pytest.approx(0.057, abs=3e-3)
    assert out["cycles"][1]["anodic_peak_V"] == pytest.approx(cv.E_HALF + cv.OFFSET_V, abs=2e-3)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_dqdv_writes_curves(rate_file, tmp_path, suffix):
    out_path = tmp_path / f"curves{suffix}"
    out = _json(["dqdv", str(rate_file), "-o", str(out_path), "--step-mv", "10", "--json"])
    assert out_path.exists()
    curves = pl.read_csv(out_path) if suffix == ".csv" else pl.read_parquet(out_path)
    assert curves.height == out["rows"] > 0
    assert out["half_cycles"] == 50
    assert set(curves.columns) >= {"voltage_V", "dqdv_Ah_V", "direction"}


def test_errors_are_one_line_exit_2(rate_file, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["dqdv", str(rate_file), "-o", str(tmp_path / "curves.txt")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ssblab: error:") and "csv or .parquet" in err and "\n" not in err
    with pytest.raises(SystemExit) as exc:
        main(["gitt", str(rate_file), "--min-rest-s", "100000"])
    assert exc.value.code == 2
    assert "no GITT pulses" in capsys.readouterr().err


def test_human_tables(rate_file):
    result = runner.invoke(app, ["rate", str(rate_file)])
    assert result.exit_code == 0, result.output
    assert "Rate table" in result.stdout and "recovery" in result.stdout
