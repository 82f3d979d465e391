"""What the session-6 Chromium screenshots of the report showed wrong, one test each."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.report.inputs import collect

STEM = "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA"


def test_the_start_zoom_of_a_short_li_li_run_shows_its_current_step(data_dir):
    """jr862 _01 rests 0.083 h at about 2 mV, then plates for 0.167 h with a 298 mV
    nucleation peak. The zoom on 5 % of the run from t = 0 showed only the rest
    (1.95-2.35 mV); it now starts at the current step and shows the peak."""
    from ssblab.report.panels_symmetric import symmetric_voltage

    data = collect([data_dir / f"{STEM}_01_GCPL_C05.mpr"])
    zoom = next(p for p in symmetric_voltage(data.runs) if p.key == "symmetric_zoom_start")
    width = 0.05 * 0.25  # 5 % of the 0.25 h run
    assert np.allclose(zoom.x_range, (1 / 12 - 0.1 * width, 1 / 12 + width), rtol=1e-3)
    (trace,) = zoom.traces
    shown = (trace.x >= zoom.x_range[0]) & (trace.x <= zoom.x_range[1])
    assert np.nanmax(trace.y[shown]) > 290.0  # the nucleation peak, 298.4 mV
    assert np.nanmin(trace.y[shown]) < 5.0  # and the rest before the step
    assert "0.0821-0.0958 h (5 % of the run from the first current step)" in zoom.note


def test_a_long_png_legend_does_not_squash_the_axes(data_dir, tmp_path):
    """The capacity/CE PNG of four cells has 11 legend entries in one column below the
    plot: in the 3.9 in figure the axes kept 1.32 in of height. The figure now grows by
    one legend row at a time (3.03 in axes), so the axes keep over half the base height."""
    pytest.importorskip("matplotlib")
    from ssblab.report.figures import draw, save_png
    from ssblab.report.panels_cycling import capacity_efficiency
    from ssblab.report.style import PNG_SIZE_IN

    data = collect(
        [
            data_dir / "neware" / "TestFile.nda",
            data_dir / "biologic" / "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr",
            data_dir / "land" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
            data_dir / "arbin" / "arbin_example.res",
        ]
    )
    fig = draw(capacity_efficiency(data.runs))
    save_png(fig, tmp_path / "capacity_ce.png")  # lays the figure out in its own style
    (texts,) = [leg.get_texts() for leg in fig.legends]
    assert len(texts) == 11
    height_in = fig.axes[0].get_position().height * fig.get_size_inches()[1]
    assert height_in > 0.5 * PNG_SIZE_IN[1], height_in
    assert fig.get_size_inches()[1] == pytest.approx(PNG_SIZE_IN[1] + 9 * 0.19)


def test_retention_leaves_out_a_run_without_a_complete_cycle(data_dir):
    """maccor_example.001 (8 records of rest) had an empty retention trace, listed in the
    PNG legend beside the cells that have points."""
    from ssblab.report.panels_cycling import retention

    data = collect(
        [data_dir / "maccor" / "maccor_example.001", data_dir / "arbin" / "arbin_example.res"]
    )
    (trace,) = retention(data.runs).traces
    assert trace.name == "ajm314_LCO_ajm5-SSB1-F_Wait48hr-Repeat-01-012"
    assert np.allclose(trace.y, [100.0, 99.831, 99.757, 99.695], atol=1e-3)


def test_model_lifetimes_say_what_they_are(examples_dir, data_dir):
    """The seed-cell page gave the model's 300 nm lifetime beside the bare cell's with
    nothing to tell a calibrated number from a predicted one, or that it has no interval."""
    from ssblab.report.panels_symmetric import MODEL_NOTE, lifetimes, symmetric_voltage

    recipes = [
        examples_dir / "sym-li-bare_lgps.toml",
        examples_dir / "sym-li-lialo2-300nm_lgps.toml",
    ]
    runs = collect(recipes, simulate=True).runs
    assert [r.run.meta.kind for r in runs] == ["simulated", "simulated"]
    assert lifetimes(runs).note.endswith(MODEL_NOTE)
    note = symmetric_voltage(runs)[0].note
    assert note.endswith(". " + MODEL_NOTE) and ".. " not in note  # its own sentence
    assert "calibrated on the seed's bare and 200 nm cells" in MODEL_NOTE
    measured = collect([data_dir / f"{STEM}_01_GCPL_C05.mpr"]).runs
    assert "Model runs" not in symmetric_voltage(measured)[0].note


def test_png_point_labels_do_not_overlap(examples_dir):
    """The literature PNG printed 'Al foil | LPSC | NCM622' across 'Al-LPSC-C | ...' and
    'Al powder', 'nSi' across 'Li-In': a label that would overlap an earlier one is hidden."""
    pytest.importorskip("matplotlib")
    from ssblab.report.figures import POINT_LABEL, draw
    from ssblab.report.panels_echem import literature

    recipes = [examples_dir / "al-foil_ncm622.toml", examples_dir / "al-lpsc-composite_ncm622.toml"]
    fig = draw(literature(collect(recipes).designs))
    labels = [t for t in fig.axes[0].texts if t.get_gid() == POINT_LABEL]
    shown = [t for t in labels if t.get_visible()]
    assert len(labels) > len(shown) >= 10  # some hidden, most of the literature kept
    fig.draw_without_rendering()
    boxes = [t.get_window_extent() for t in shown]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_png_lifetime_bars_wrap_their_cell_names(examples_dir):
    """Four cell names at 30° took more height than the bars, and a one-series legend
    ('lifetime') said nothing: the names are wrapped under the bars, no legend."""
    pytest.importorskip("matplotlib")
    from ssblab.report.figures import draw
    from ssblab.report.panels_symmetric import lifetimes

    recipes = [
        examples_dir / "sym-li-bare_lgps.toml",
        examples_dir / "sym-li-lialo2-300nm_lgps.toml",
    ]
    fig = draw(lifetimes(collect(recipes, simulate=True).runs))
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == [
        "Li | LGPS | Li\n(bare) (model)",
        "Li@LiAlO2 300nm |\nLGPS | Li@LiAlO2\n300nm (model)",
    ]
    assert all(t.get_rotation() == 0 for t in fig.axes[0].get_xticklabels())
    assert fig.legends == []


def test_fitted_resistances_carry_their_standard_error(data_dir):
    """The Nyquist note gave R_b = 0.01507 Ω and R_ct = 0.02213 Ω of a fit with no error:
    each now carries the fit's standard error (diagonal of its covariance)."""
    from ssblab.report.panels_eis import nyquist, with_error

    (panel,) = nyquist(collect([data_dir / "eis" / "impedancepy_exampleData.csv"]).spectra)
    assert "R_b = 0.01507 ± 0.00021 Ω, R_ct = 0.02213 ± 0.00055 Ω (± one standard" in panel.note
    assert with_error(10.0756, float("nan")) == "10.08"  # no covariance: no ± shown
    assert with_error(10.0756, 0.0) == "10.08"  # a fixed parameter
    assert with_error(10.0756, 1.9713) == "10.08 ± 2.0"


def test_a_screenshot_ends_between_two_rows_of_panels(tmp_path):
    """docs/make_screenshots.py cut the README images through a panel at 2600 px; it now
    cuts in the last full-width white gap above the height asked for."""
    import importlib.util
    from pathlib import Path

    from PIL import Image

    script = Path(__file__).resolve().parents[2] / "docs" / "make_screenshots.py"
    spec = importlib.util.spec_from_file_location("make_screenshots", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    im = Image.new("L", (200, 300), 255)
    im.paste(200, (20, 10, 180, 120))  # a panel row: grey box with a border
    im.paste(200, (20, 140, 180, 280))  # the next row, through which 200 px would cut
    png = tmp_path / "page.png"
    im.save(png)
    assert module.trim_to_gap(png, 200) == 140  # rows 120-139 are the gap
    with Image.open(png) as out:
        assert out.size == (200, 140)


def test_the_drt_marks_its_measured_window(data_dir):
    """The impedance.py example's DRT rose to 0.32 Ω at τ ≈ 500 s, past the lowest measured
    frequency: the page did not show where the data end. Dotted lines now mark 1/ω_max
    and 1/ω_min (placed in decades on the page's log axis)."""
    from ssblab.report.panels_eis import drt
    from ssblab.report.plotly_panels import figure_dict

    spectra = collect([data_dir / "eis" / "impedancepy_exampleData.csv"]).spectra
    panel = drt(spectra)
    f = spectra[0].table.get_column("Frequency / Hz").to_numpy()
    assert [e.label for e in panel.events] == ["1/ω_max", "1/ω_min"]
    assert np.allclose([e.x for e in panel.events], 1 / (2 * np.pi * np.array([f.max(), f.min()])))
    assert panel.events[1].x == pytest.approx(50.33, abs=0.01)  # the 503 s peak lies beyond
    assert "τ = 503 s, R = 0.0773 Ω (outside the measured window: extrapolated)" in panel.note
    layout = figure_dict(panel)["layout"]
    assert [a["x"] for a in layout["annotations"]] == pytest.approx(
        np.log10([e.x for e in panel.events]).tolist()
    )
    assert [a["xanchor"] for a in layout["annotations"]] == ["left", "right"]
