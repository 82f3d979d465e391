"""``ssblab symmetric`` and ``ssblab simulate`` through the CLI: JSON keys, numbers, errors."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from ssblab import schema as s
from ssblab.cli import app, main
from ssblab.io.export import write
from ssblab.schema import Run, RunMeta

runner = CliRunner()
AREA_CM2 = 0.785


def _ohmic_rate_file(path, asr_ohm_cm2: float = 800.0):
    """A Li‖Li rate test (0.1, 0.25, 0.5, 1.0 mA/cm2 x 10 half-cycles of 1 h) with known ASR."""
    j = np.repeat([0.1, 0.25, 0.5, 1.0], 10)
    k = np.repeat(np.arange(j.size), 5)
    t_h = k + np.tile(np.linspace(0.0, 1.0, 5, endpoint=False), j.size)
    i_a = np.where(k % 2 == 0, 1.0, -1.0) * j[k] * 1e-3 * AREA_CM2
    table = pl.DataFrame(
        {s.TIME: t_h * 3600.0, s.VOLTAGE: i_a / AREA_CM2 * asr_ohm_cm2, s.CURRENT: i_a}
    )
    return write(Run(table, RunMeta(area_cm2=AREA_CM2)), path)


def test_symmetric_json_on_a_rate_file():
    path = _ohmic_rate_file("rate.parquet")
    result = runner.invoke(app, ["symmetric", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"failure_time_h", "failure_mode", "criterion", "half_cycles"} <= set(data)
    assert data["failure_time_h"] is None and data["failure_mode"] == "none"
    assert len(data["half_cycles"]) == 40
    assert set(data["half_cycles"][0]) == {"start_h", "current_A", "overpotential_mV"}
    assert data["half_cycles"][0]["overpotential_mV"] == pytest.approx(80.0)
    assert data["asr_ohm_cm2"] == pytest.approx(800.0, rel=1e-6)  # area from the metadata
    assert data["critical_current_density_mA_cm2"] is None


def test_symmetric_table_output():
    path = _ohmic_rate_file("rate.parquet")
    result = runner.invoke(app, ["symmetric", str(path), "--area-cm2", "0.785"])
    assert result.exit_code == 0, result.output
    assert "Overpotential per current density" in result.output


def test_simulate_recipe_json_and_round_trip(examples_dir):
    recipe = examples_dir / "sym-li-lialo2-200nm_lgps.toml"
    result = runner.invoke(app, ["simulate", str(recipe), "--json", "-o", "sim.parquet"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["lifetime_h"] == pytest.approx(2840.0, abs=1.0)  # calibrated: seed 3000 h, -5 %
    assert data["failure_mode"] == "overpotential_divergence"  # film ruptured over voids
    assert 100.0 < data["mean_overpotential_mV"] < 1000.0
    again = runner.invoke(app, ["symmetric", "sim.parquet", "--json", "--cutoff-mV", "1000"])
    assert again.exit_code == 0, again.output
    found = json.loads(again.output)
    assert found["failure_mode"] == "overpotential_divergence"
    assert found["failure_time_h"] == pytest.approx(data["lifetime_h"], abs=1.0)
    split = found["three_electrode"]  # the model writes both electrode potentials
    assert split["stripping_to_plating"] > 1.0
    assert 50.0 < split["plating_mV"] < split["stripping_mV"]


def test_simulate_with_protocol_and_settings(examples_dir):
    recipe = examples_dir / "sym-li-bare_lgps.toml"
    args = ["simulate", str(recipe), "--protocol", "0.1 mA/cm2, 0.1 mAh/cm2, 50 h", "--json"]
    data = json.loads(runner.invoke(app, args).output)
    assert data["lifetime_h"] is None and data["failure_mode"] == "none"
    assert data["simulated_h"] == pytest.approx(50.0, abs=0.01)
    thick = runner.invoke(app, [*args, "--set", "coating_thickness_nm=200"])
    assert json.loads(thick.output)["coating_thickness_nm"] == 200.0


def test_simulate_sweep_json_and_plot(examples_dir):
    recipe = examples_dir / "sym-li-lialo2-100nm_lgps.toml"
    result = runner.invoke(
        app, ["simulate", "sweep", str(recipe), "--thickness", "0:500:26", "--json", "-o", "s.png"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert 200.0 <= data["optimum_thickness_nm"] <= 240.0  # rupture below, cracking above
    low, high = data["optimum_band_nm"]
    assert low <= data["optimum_thickness_nm"] <= high
    assert len(data["points"]) == 26
    with open("s.png", "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_simulate_calibrate_json():
    data = json.loads(runner.invoke(app, ["simulate", "calibrate", "--json"]).output)
    roles = {row["role"] for row in data["rows"]}
    assert roles == {"calibrated", "predicted"}
    life = next(r for r in data["rows"] if r["quantity"].startswith("lifetime 200 nm, 0.1"))
    assert life["model"] == pytest.approx(3000.0, rel=0.15)
    assert data["flags"] == [] and "posterior" not in data


def test_full_cell_recipe_dispatches_to_the_full_model(examples_dir, monkeypatch):
    import ssblab.simulate.fullcell as fullcell

    seen = {}

    def fake(recipe, steps=None, model="SPMe", **build):
        seen["kind"], seen["steps"] = recipe.kind, steps
        seen["interphase"] = build.get("interphase")
        table = pl.DataFrame(
            {s.TIME: [0.0, 3600.0], s.VOLTAGE: [3.0, 4.0], s.CURRENT: [1e-3, 1e-3]}
        )
        return Run(table, RunMeta(kind="simulated"))

    monkeypatch.setattr(fullcell, "simulate_full", fake)
    recipe = examples_dir / "li-lialo2-200nm_lgps_lco.toml"
    result = runner.invoke(
        app, ["simulate", str(recipe), "--protocol", "Rest for 1 hour", "--json"]
    )
    assert result.exit_code == 0, result.output
    # the Li-side interface defaults to Butler-Volmer (fullcell.DEFAULT_INTERFACE)
    assert seen == {"kind": "full", "steps": ["Rest for 1 hour"], "interphase": "kinetic"}
    assert json.loads(result.output)["simulated_h"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "sweep"], "expected RECIPE"),
        (["simulate", "{recipe}", "--protocol", "quickly"], "examples"),
        (["simulate", "{recipe}", "--set", "bogus=1"], "valid names"),
        (["simulate", "{recipe}", "--set", "void_rate"], "name=number"),
    ],
)
def test_errors_are_one_line_and_exit_2(examples_dir, capsys, argv, message):
    recipe = str(examples_dir / "sym-li-bare_lgps.toml")
    with pytest.raises(SystemExit) as exc:
        main([a.replace("{recipe}", recipe) for a in argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("ssblab: error:") and message in err
    assert err.count("\n") == 1


def test_sweep_over_capacity_gives_one_optimum_per_protocol(examples_dir):
    recipe = examples_dir / "sym-li-lialo2-200nm_lgps.toml"
    argv = ["simulate", "sweep", str(recipe), "--thickness", "0:500:26"]
    result = runner.invoke(app, [*argv, "--areal-capacity", "0.1,1.0", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [o["areal_capacity_mAh_cm2"] for o in data["optima"]] == [0.1, 1.0]
    assert len(data["points"]) == 52
    short, long = data["optima"]
    assert short["optimum_lifetime_h"] > long["optimum_lifetime_h"]


SEED_CELLS = (
    "sym-li-bare_lgps",
    "sym-li-lialo2-100nm_lgps",
    "sym-li-lialo2-200nm_lgps",
    "sym-li-lialo2-300nm_lgps",
)


def test_every_command_gives_one_lifetime_mode_and_overpotential(examples_dir):
    """simulate, symmetric (on the simulated table), calibrate, reproduce and the report's
    lifetime table agree on every seed symmetric recipe (issue 11: one answer per quantity)."""
    from ssblab.analysis.symmetric import lifetime_table
    from ssblab.recipe import load_recipe
    from ssblab.report.inputs import simulate_symmetric
    from ssblab.reproduce import lialo2
    from ssblab.reproduce.common import CaseStudy
    from ssblab.simulate.calibrate import lifetime_h
    from ssblab.simulate.symmetric import SymmetricCell, from_recipe

    case = CaseStudy("t", "t")
    lialo2._lifetimes(case)
    reproduced = {c.cell: c.ssblab for c in case.comparisons if c.quantity.endswith("0.1 mAh/cm2")}
    for stem in SEED_CELLS:
        recipe = examples_dir / f"{stem}.toml"
        sim = json.loads(
            runner.invoke(app, ["simulate", str(recipe), "--json", "-o", "s.parquet"]).output
        )
        ana = json.loads(runner.invoke(app, ["symmetric", "s.parquet", "--json"]).output)
        cell = from_recipe(load_recipe(recipe))
        calibrated = lifetime_h(cell.coating_thickness_nm, cell.params, SymmetricCell())
        report = lifetime_table({stem: simulate_symmetric(load_recipe(recipe))}).row(0, named=True)
        life = sim["lifetime_h"]
        assert life is not None, stem  # every seed cell fails within the recipe's 5000 h
        assert ana["failure_time_h"] == pytest.approx(life, abs=1e-3), stem
        assert calibrated == pytest.approx(life, abs=1e-3), stem
        assert reproduced[stem] == pytest.approx(life, abs=1e-3), stem
        assert report["failure_time_h"] == pytest.approx(life, abs=1e-3), stem
        assert ana["failure_mode"] == report["failure_mode"] == sim["analysis_failure_mode"]
        assert report["mean_overpotential_mV"] == pytest.approx(
            sim["mean_overpotential_mV"], rel=1e-3
        ), stem


def _rate_run(recipe, extra=()):
    from ssblab.analysis.symmetric import RATE_TEST_BOUND_MV
    from ssblab.reproduce import lialo2

    args = ["simulate", str(recipe), "--json", "-o", "r.parquet", "--protocol"]
    args += [lialo2.RATE_PROTOCOL, "--bound-mV", str(RATE_TEST_BOUND_MV), *extra]
    sim = json.loads(runner.invoke(app, args).output)
    cut = ["--cutoff-mV", str(RATE_TEST_BOUND_MV)]
    ana = json.loads(runner.invoke(app, ["symmetric", "r.parquet", "--json", *cut]).output)
    return sim, ana


def test_bare_cell_at_1_mA_cm2_is_one_number_in_every_command(examples_dir):
    """The calibrated bare cell at 1 mA/cm2: calibrate, reproduce and `symmetric` on the
    simulated rate test quote the same overpotential (seed: 4000 mV)."""
    from ssblab.reproduce import lialo2
    from ssblab.reproduce.common import CaseStudy
    from ssblab.simulate.calibrate import calibration_report

    rows = {r.quantity: r.to_dict() for r in calibration_report()}
    calibrated = rows["overpotential bare at 1.0 mA/cm2 [mV]"]["model"]
    assert calibrated == pytest.approx(4000.0, rel=0.3)
    case = CaseStudy("t", "t")
    lialo2._rate(case)
    (bare,) = [c for c in case.comparisons if c.cell == "sym-li-bare_lgps" and "1 mA" in c.quantity]
    assert bare.ssblab == pytest.approx(calibrated, rel=5e-3)
    sim, ana = _rate_run(examples_dir / "sym-li-bare_lgps.toml")
    assert sim["failure_mode"] == "none" and ana["failure_mode"] == "none"
    (last,) = [r for r in ana["rate"] if r["current_density_mA_cm2"] == 1.0]
    assert last["overpotential_mV"] == pytest.approx(calibrated, rel=5e-3)


def test_a_model_short_is_a_short_in_every_command(examples_dir):
    """With a low penetration threshold the bare cell shorts at 1 mA/cm2: simulate says
    short, `symmetric` on its table says hard_short at the same time, calibrate quotes no
    overpotential for that density and the rate table leaves it empty."""
    from ssblab.simulate.calibrate import rate_test
    from ssblab.simulate.symmetric import SymmetricCell

    weak = "penetration_current_density_A_cm2=1.0e-3"
    sim, ana = _rate_run(examples_dir / "sym-li-bare_lgps.toml", ["--set", weak])
    assert sim["failure_mode"] == "short" and ana["failure_mode"] == "hard_short"
    assert ana["failure_time_h"] == pytest.approx(sim["lifetime_h"], abs=1e-3)
    (last,) = [r for r in ana["rate"] if r["current_density_mA_cm2"] == 1.0]
    assert last["overpotential_mV"] is None and last["failure_mode"] == "hard_short"
    cell = SymmetricCell()
    eta, mode = rate_test(0.0, cell.params.with_(penetration_current_density_A_cm2=1.0e-3), cell)[
        1.0
    ]
    assert np.isnan(eta) and mode == "short"


def test_symmetric_cli_counts_soft_shorts_of_the_real_one_way_cell(data_dir):
    stem = "jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_03_GCPL_C05.txt"
    path = data_dir / "symmetric" / stem
    result = runner.invoke(app, ["symmetric", str(path), "--current-mA", "0.4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["soft_shorts"]["soft_short_count"] == 890
    assert data["soft_shorts"]["soft_short_times_h"][0] == pytest.approx(0.4551, abs=1e-3)
    assert "recovers" in data["soft_shorts"]["soft_short_rule"]
    assert data["failure_mode"] == "none" and data["flags"] == []


def test_symmetric_cli_refuses_a_full_cell_in_one_line(data_dir):
    path = data_dir / "neware" / "test_2.ndax"
    result = runner.invoke(app, ["symmetric", str(path)])
    assert result.exit_code != 0
    forced = runner.invoke(app, ["symmetric", str(path), "--force", "--json"])
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.output)["flags"][0]["code"] == "forced"


@pytest.mark.slow  # ~20 s: predictions, optimum and sensitivity over the draws
def test_simulate_calibrate_with_posterior_draws():
    result = runner.invoke(app, ["simulate", "calibrate", "--samples", "20", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    post = data["posterior"]
    assert post["draws"] == 20
    rows = {r["quantity"]: r for r in post["rows"]}
    thin = rows["lifetime 100 nm, 0.1 mAh/cm2 [h]"]
    assert thin["role"] == "predicted" and len(thin["model_interval_90"]) == 2
    assert 0.0 <= post["ordering_200_300_100_bare_fraction"] <= 1.0
    assert {r["parameter"] for r in data["sensitivity"]} >= {"tearing_thickness_nm"}
    codes = {f["code"] for f in data["flags"]}
    assert codes == {"seed_outside_interval"}  # the misses are stated, not hidden
