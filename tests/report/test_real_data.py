"""Reports of real instrument files and the seed recipes."""

from __future__ import annotations

import re

import pytest

from ssblab.report.build import build

LAND = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"


def test_land_csv_and_real_spectra(data_dir, tmp_path):
    pytest.importorskip("ssblab.io.land")
    report = build(
        [data_dir / LAND, data_dir / "eis" / "2XZARCequal.csv"], tmp_path / "r", png=False
    )
    assert "voltage_capacity_sintef_ligrr2032_2024_04_30_25degc_landt" in report.panels
    assert {"capacity_ce", "eis_nyquist", "eis_bode"} <= set(report.panels)
    text = report.index.read_text("utf-8")
    # synthetic two-ZARC truth: R_inf = 10 Ω, R_ct = 50 + 50 Ω (data README); the
    # report's one-arc fit recovers the bulk and the total arc resistance.
    assert "2XZARCequal: R0-p(R1,CPE1), R_b = 10.08 ± 2.0 Ω, R_ct = 98.88 ± 3.6 Ω" in text


def test_multi_spectrum_file_is_split(data_dir, tmp_path):
    report = build([data_dir / "eis" / "peis.mpr"], tmp_path / "r", png=False)
    assert "eis_nyquist" in report.panels
    assert "peis" in report.index.read_text("utf-8")


def test_seed_recipes_render_the_design_and_audit(examples_dir, tmp_path):
    pytest.importorskip("ssblab.design")
    recipes = [examples_dir / "li-bare_lgps_lco.toml", examples_dir / "al-foil_ncm622.toml"]
    report = build(recipes, tmp_path / "r", png=False)
    text = report.index.read_text("utf-8")
    assert "<h2>Cell design</h2>" in text
    assert "N/P ratio [-]" in text and "Cathode areal capacity [mAh/cm²]" in text
    # every reported number of these two recipes is a result, not a design quantity: one line
    assert "Audit of reported numbers" not in text
    assert "reported rate_capacities_mAh_g, rate_c_rates" in text
    assert "not design quantities" in text
    assert "literature_np_capacity" in report.panels


def test_symmetric_recipes_are_simulated_and_overlaid(examples_dir, make_symmetric, tmp_path):
    pytest.importorskip("ssblab.simulate.symmetric")
    name = "Li@LiAlO2 200nm | LGPS | Li@LiAlO2 200nm"
    measured = make_symmetric(name=name)
    recipes = [examples_dir / f"sym-li-{v}_lgps.toml" for v in ("bare", "lialo2-200nm")]
    report = build([measured, *recipes], tmp_path / "r", png=False, simulate=True)
    assert "model_vs_experiment_symmetric" in report.panels
    text = report.index.read_text("utf-8")
    assert f"{name} (model)" in text
    # the model's bare cell fails before the 200 nm cell (Chang et al.: ~300 h vs 3000 h),
    # both by divergence (the 200 nm film ruptured over its stripping voids at 2400 h)
    ends = re.findall(r"\(model\): overpotential divergence at ([0-9.]+) h", text)
    assert [float(h) for h in ends] == [469.0, 2840.0], ends
    assert "(model): hard short" not in text and "(model): overpotential_" not in text
    # the simulated plateaus rise linearly at constant current: not voltammetry
    assert not [key for key in report.panels if key.startswith("cv")], report.panels


def test_real_100k_record_file_gives_a_small_page(data_dir, tmp_path):
    pytest.importorskip("ssblab.io.neware")
    from ssblab.report.plotlyjs import library_bytes

    report = build([data_dir / "neware" / "SIM.nda.zip"], tmp_path / "r", png=False)
    assert "voltage_capacity_sim_nda" in report.panels
    text = report.index.read_text("utf-8")
    assert "10 of 100 cycles shown" in text
    data_bytes = len(text.encode("utf-8")) - library_bytes()
    assert data_bytes < 400_000  # 108 642 records thinned for display
    assert report.index.stat().st_size < 1_500_000  # self-contained page of a typical file


def test_gitt_panel_only_for_a_recognised_pulse_train(data_dir):
    from ssblab.io import read
    from ssblab.report import panels_echem
    from ssblab.report.inputs import LabelledRun
    from ssblab.report.model import NotAvailable

    run = read(data_dir / "neware" / "test_2.ndax")  # 54 cycles of CC cycling, not GITT
    with pytest.raises(NotAvailable, match="recognised as GITT"):
        panels_echem.gitt([LabelledRun("test_2", run)])


def test_one_arc_fit_stops_above_the_diffusion_tail(data_dir):
    from ssblab.report.inputs import collect
    from ssblab.report.panels_eis import fit, nyquist

    (spectrum,) = collect([data_dir / "eis" / "impedancepy_exampleData.csv"]).spectra
    z = spectrum.table.get_column("Z Real / Ohm").to_numpy()
    result = fit(spectrum)
    # R_b at the high-frequency intercept (Z' ~ 0.015 Ω where -Z'' crosses 0); R_ct at least
    # the arc's chord to the dip before the tail (~0.018 Ω), not the 0.067 Ω a fit through
    # the tail gave (bounded at its limit)
    assert 0.014 < result.r_b_ohm < 0.017 and abs(result.r_b_ohm - z.min()) < 1e-3
    assert 0.018 < result.r_ct_ohm < 0.03
    assert "fitted above 0.398 Hz (diffusion tail below)" in nyquist([spectrum])[0].note


def test_summary_carries_flags_and_the_definitions(data_dir, tmp_path):
    """jdb11: partial first/last cycles are flagged beside the numbers, and the page states
    how CE/ICE/retention are defined for the recognised cell type."""
    jdb = data_dir / "biologic" / "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
    report = build([jdb], tmp_path / "r", png=False)
    text = report.index.read_text("utf-8")
    summary = text.split("<h2>Summary</h2>", 1)[1].split("<h2>", 1)[0]
    assert "partial_cycle" in summary
    assert "ICE: " in summary and "CE of the first complete cycle" in summary
    # retention from complete cycles only (issue 11: 425.8 % before)
    cells = re.findall(r'<td class="num">([\d.]+)</td>', summary)
    _, first, last, retention, _, ice = (float(c) for c in cells[:6])
    assert retention == pytest.approx(100 * last / first, abs=0.06) and retention < 105
    assert ice == pytest.approx(86.43, abs=0.01)


def test_report_takes_the_mass_of_a_sidecar(data_dir, tmp_path):
    """A ``<file>.cell.toml`` beside the data gives the report the active mass, as it gives
    every command (ssblab.cellmeta): the run's metadata and notes say so."""
    from ssblab.report.inputs import collect

    src = data_dir / LAND
    link = tmp_path / src.name
    link.symlink_to(src)
    (tmp_path / (src.name + ".cell.toml")).write_text("active_mass_mg = 12.5\n")
    run = collect([link]).runs[0].run
    assert run.meta.active_mass_g == pytest.approx(0.0125)
    assert any(
        n.startswith("active_mass_mg from ") and n.endswith(".cell.toml") for n in run.meta.notes
    )
