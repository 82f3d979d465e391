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
    assert {"ice", "cycles", "definitions", "flags", "rule", "cell_type"} <= set(out)
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
    assert "gitt needs GITT" in capsys.readouterr().err  # a rate test is no pulse train


def test_human_tables(rate_file):
    result = runner.invoke(app, ["rate", str(rate_file)])
    assert result.exit_code == 0, result.output
    assert "Rate table" in result.stdout and "recovery" in result.stdout


TESLA = "maccor/xTESLADIAG_000019_CH70.070"


def test_cycles_human_output_in_mah_with_flags_on_stderr(data_dir):
    result = CliRunner().invoke(app, ["cycles", str(data_dir / TESLA)])
    assert result.exit_code == 0, result.output
    assert "discharge_mAh" in result.stdout and "3029.5" in result.stdout
    assert "e-0" not in result.stdout and "e+0" not in result.stdout
    assert "rule pairs" in result.stdout and "lumps cycles" in result.stdout
    assert "[vendor_cycles_replaced]" in result.stderr
    assert "[ce_out_of_range]" in result.stderr  # cycle 31: 3.24 Ah out after 2.72 Ah in


def test_cycles_and_metrics_json_agree_and_define_ce(data_dir):
    land = str(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    cyc = _json(["cycles", land, "--json"])
    met = _json(["metrics", land, "--json"])
    assert cyc["cell_type"] == met["cell_type"] == "anode_half"
    assert cyc["definitions"]["CE"] == "Q_charge / Q_discharge of the cycle"
    ce = [r["coulombic_efficiency"] for r in cyc["cycles"]]
    assert ce == [r["coulombic_efficiency"] for r in met["cycles"]]
    assert met["ice"]["ice"] == pytest.approx(ce[0]) == pytest.approx(0.0032 / 0.0063)
    assert {f["code"] for f in met["flags"]} >= {"partial_cycle", "coarse_counter"}


def test_cycles_and_metrics_print_ce_to_the_counters_resolution(data_dir):
    """LANDT counters step by 0.1 mAh on 6.3 / 3.2 mAh: the CE carries 3 decimals (0.508 ± 0.009),
    so the tables and the ICE line print 0.508, not 0.5079; a finer counter keeps 4 decimals."""
    land = str(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    for command in ("cycles", "metrics"):
        out = runner.invoke(app, [command, land]).output
        assert "0.508 " in out and "0.5079" not in out
    assert "ICE = 0.508 (cycle 1" in runner.invoke(app, ["metrics", land]).output
    jdb = str(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    ce = _json(["cycles", jdb, "--json"])["cycles"][1]["coulombic_efficiency"]
    assert f"{ce:.4f}" in runner.invoke(app, ["cycles", jdb]).output


def test_capacities_print_to_the_counters_step(data_dir):
    """LANDT's capacity counters step by 0.1 mAh: 3.2 / 6.3 mAh print as such (were 3.200 /
    6.300, and 0.00000 for cycle 2's empty charge); EE from energies rebuilt on those
    capacities carries 2 decimals; EC-Lab and Neware nw4 counters are fine: 4-5 digits."""
    land = str(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    for command in ("cycles", "metrics"):
        out = runner.invoke(app, [command, land]).output
        assert "│ 3.2        │ 6.3           │ 0.508 │" in out
        assert "│ 0.0        │ 1.3           │" in out and "3.200" not in out
    assert "discharge first: 3.2 / 6.3 mAh)" in runner.invoke(app, ["metrics", land]).output
    full = runner.invoke(app, ["cycles", land, "--cell-type", "full"]).output
    assert "│ 1.97 │ 2.30 │" in full  # 6.3/3.2 ± 0.035 and 2.299 ± 0.04: 2 decimals each
    steps = _json(["cycles", land, "--json"])["capacity_steps_Ah"]
    assert steps == {"charge_capacity_Ah": 1e-4, "discharge_capacity_Ah": 1e-4}
    jdb = str(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    assert "│ 0.98678    │ 0.85285       │ 0.8643 │" in runner.invoke(app, ["cycles", jdb]).output
    assert set(_json(["cycles", jdb, "--json"])["capacity_steps_Ah"].values()) == {None}
    nw4 = runner.invoke(app, ["cycles", str(data_dir / "neware/nw4-120-1-6-53.ndax")]).output
    assert "│ 1.697      │ 0.32362       │ 0.1908 │ 0.1600 │" in nw4


def test_metrics_per_gram_and_retention_to_the_counters_step(data_dir):
    """``metrics`` shows Q_out per gram, named: an anode half-cell's charge (LANDT, 10 mg:
    3.2 mAh = 320 mAh/g, good to the 10 mAh/g step, was "630.00" of its lithiation under
    "mAh_g"); a fine counter keeps 2 decimals; a coarse retention carries its ± (synthetic)."""
    import polars as pl

    from ssblab.analysis.headline import retention_texts
    from ssblab.analysis.metrics import Metrics

    land = str(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    out = runner.invoke(app, ["metrics", land, "--mass-mg", "10"]).output
    assert "charge_mAh_g" in out and "│ 100.00      │ 320          │" in out
    assert "630" not in out
    jdb = str(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    out = runner.invoke(app, ["metrics", jdb, "--mass-mg", "10"]).output
    assert "discharge_mAh_g" in out and "│ 102.75      │ 87.63           │" in out
    table = pl.DataFrame(
        {"cycle": [1, 2, 3], "retention": [None, 1.0, 32 / 31], "charge_capacity_Ah": [0.0] * 3,
         "discharge_capacity_Ah": [0.0031, 0.0031, 0.0032]}
    )  # fmt: skip
    coarse = Metrics(table, None, "full", "vendor", {}, capacity_steps_Ah={
        "charge_capacity_Ah": 1e-4, "discharge_capacity_Ah": 1e-4})  # fmt: skip
    # 103.2 % +- 2.4 %: no decimal carries; the reference cycle 2 is 100 % by definition
    assert retention_texts(coarse) == ["—", "100.00", "103"]
    assert retention_texts(Metrics(table, None, "full", "vendor", {})) == ["—", "100.00", "103.23"]


def test_report_summary_prints_coarse_counters_to_their_resolution(data_dir):
    """The report's ICE and mean CE of the LANDT cell are 50.8 % (± 0.9 %), text; a fine
    counter's stay numbers (the page prints them to 4 significant digits)."""
    from ssblab.io import read
    from ssblab.report.inputs import LabelledRun, ReportData
    from ssblab.report.summary import summary_rows

    land = read(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    jdb = read(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    rows = summary_rows(ReportData(runs=[LabelledRun("land", land), LabelledRun("jdb", jdb)]))
    assert (rows[0]["ICE [%]"], rows[0]["mean CE [%]"]) == ("50.8", "50.8")
    assert rows[1]["ICE [%]"] == pytest.approx(100 * 0.852855 / 0.986781, rel=1e-4)


def test_report_summary_names_the_capacity_its_retention_is_on(data_dir):
    """An anode half-cell's retention is on Q_charge (delithiation): the row showed "first
    discharge" 6.3 mAh (the lithiation) beside it; it shows the charge, 3.2 mAh, and says so."""
    from ssblab.io import read
    from ssblab.report.inputs import LabelledRun, ReportData
    from ssblab.report.summary import summary_rows

    land = read(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    jdb = read(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    rows = summary_rows(ReportData(runs=[LabelledRun("land", land), LabelledRun("jdb", jdb)]))
    assert rows[0]["capacity from"] == "charge (delithiation)"
    assert (rows[0]["first capacity [mAh]"], rows[0]["last capacity [mAh]"]) == ("3.2", "3.2")
    assert rows[1]["capacity from"] == "discharge"
    assert rows[1]["first capacity [mAh]"] == pytest.approx(0.852855, rel=1e-4)
    first, last = rows[1]["first capacity [mAh]"], rows[1]["last capacity [mAh]"]
    assert rows[1]["retention [%]"] == pytest.approx(100 * last / first, rel=1e-12)
    assert not any("discharge [mAh]" in c for c in rows[0])


def test_cycles_rule_and_cell_type_options(data_dir, capsys):
    jdb = str(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    out = _json(["cycles", jdb, "--rule", "half_cycles", "--cell-type", "cathode_half", "--json"])
    assert out["rule"] == "half_cycles" and out["cell_type"] == "cathode_half"
    assert len(out["cycles"]) == 13
    with pytest.raises(SystemExit) as exc:
        main(["cycles", jdb, "--rule", "nope"])
    assert exc.value.code == 2
    assert "unknown cycle rule 'nope'" in capsys.readouterr().err


def test_metrics_refuses_a_cv_file(data_dir, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["metrics", str(data_dir / "biologic/cv.mpr")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "metrics needs galvanostatic cycling" in err and err.count("\n") == 1
    forced = runner.invoke(app, ["metrics", str(data_dir / "biologic/cv.mpr"), "--force"])
    assert "[forced]" in forced.stderr


def test_metrics_help_states_the_convention():
    result = runner.invoke(app, ["metrics", "--help"], env={"COLUMNS": "200"})
    assert "Q_charge/Q_discharge" in result.output and "mg" in result.output


def test_cycles_names_the_procedure_of_a_sidecar(data_dir, tmp_path):
    import shutil

    src = data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
    data = tmp_path / src.name
    shutil.copyfile(src, data)  # a temporary copy, so that a sidecar can sit beside it
    (tmp_path / f"{src.name}.cell.toml").write_text(
        'cell_type = "cathode_half"\n[procedure]\n'
        'start = ["Discharge at C/24 until 2 V"]\n'
        'cycling = { steps = ["Charge at C/24 until 3.8 V", "Discharge at C/24 until 2 V"], '
        "repeat = 6 }\n"
    )
    out = _json(["cycles", str(data), "--json"])
    assert out["cell_type"] == "cathode_half"
    assert [p["group"] for p in out["procedure"]] == ["start", "cycling"]
    assert out["procedure"][1]["segments"] == 12


@pytest.mark.parametrize(
    "name",
    [
        "maccor/xTESLADIAG_000019_CH70.070",
        "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr",
        "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    ],
)
def test_one_answer_for_ce_ice_and_retention_everywhere(data_dir, name):
    """cycles, metrics, the Python API and the report summary give the same numbers."""
    from ssblab.analysis.headline import cycling_summary
    from ssblab.analysis.metrics import initial_coulombic_efficiency
    from ssblab.io import read
    from ssblab.report.inputs import LabelledRun, ReportData
    from ssblab.report.summary import summary_rows

    path = str(data_dir / name)
    cyc, met = _json(["cycles", path, "--json"]), _json(["metrics", path, "--json"])
    ce = [r["coulombic_efficiency"] for r in cyc["cycles"]]
    assert ce == [r["coulombic_efficiency"] for r in met["cycles"]]
    run = read(path)
    ice = initial_coulombic_efficiency(run).ice
    assert met["ice"]["ice"] == pytest.approx(ice, rel=1e-12)
    assert ice in ce  # ICE is one cycle's CE, under one convention
    (row,) = summary_rows(ReportData(runs=[LabelledRun("cell", run)]))
    if isinstance(row["ICE [%]"], str):  # LANDT's 0.1 mAh counters: 50.8 ± 0.9 %, as text
        assert row["ICE [%]"] == f"{100 * ice:.1f}"
    else:
        assert row["ICE [%]"] == pytest.approx(100 * ice, rel=1e-12)
    retention = [r["retention"] for r in met["cycles"] if r["retention"] is not None]
    assert row["retention [%]"] == pytest.approx(100 * retention[-1], rel=1e-9)
    assert cycling_summary(run)["cycles"] == sum(not r["partial"] for r in cyc["cycles"])


def test_metrics_says_where_mass_and_area_came_from(data_dir, examples_dir):
    jdb = str(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    recipe = str(examples_dir / "al-foil_ncm622.toml")
    out = _json(["metrics", jdb, "--recipe", recipe, "--mass-mg", "5", "--json"])
    assert out["active_mass_mg"] == pytest.approx(5.0)
    assert out["cell_sources"]["active_mass_mg"] == "option"
    assert out["cell_sources"]["area_cm2"] == "recipe"
    q = out["cycles"][1]["discharge_capacity_Ah"]
    assert out["cycles"][1]["specific_discharge_capacity_mAh_g"] == pytest.approx(1000 * q / 0.005)
    human = runner.invoke(app, ["metrics", jdb, "--recipe", recipe])
    assert "cell: active mass 23.52 mg (recipe)" in human.stdout


def test_cycles_thresholds_decide_what_a_blip_is(data_dir):
    # Arbin xlsx: the last 5 uAh charge is a half-cycle of its own only without thresholds
    xlsx = str(data_dir / "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")
    default = _json(["cycles", xlsx, "--rule", "half_cycles", "--json"])
    assert len(default["cycles"]) == 4  # first and last halves are never absorbed
    strict = _json(["cycles", xlsx, "--rule", "half_cycles", "--min-half-s", "400000", "--json"])
    # the 378 ks lithiation is absorbed, so the charges on either side of it merge
    assert len(strict["cycles"]) == 2


def test_many_flags_of_one_kind_are_one_stderr_line():
    from ssblab.cli.analysis import _grouped
    from ssblab.flags import Flag

    flags = [Flag(f"cycle {k}", "ce_out_of_range", f"CE {k}") for k in range(10)]
    flags.append(Flag("cycle 1", "partial_cycle", "partial", "info"))
    out = _grouped(flags)
    assert [f.code for f in out] == ["ce_out_of_range", "partial_cycle"]
    assert out[0].message.startswith("10 times (cycle 0, cycle 1, cycle 2, …")
