"""The report of synthetic cells: panels drawn, numbers in the summary, skips explained."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest
from PIL import Image

from ssblab.report.build import build, make_panels
from ssblab.report.inputs import collect

EXPECTED_PANELS = {
    "voltage_capacity_ncm622_full_cell",
    "voltage_capacity_ncm622_full_cell_2",
    "capacity_ce",
    "retention",
    "symmetric",
    "symmetric_zoom_start",
    "eis_nyquist",
    "eis_bode",
    "model_vs_experiment",
}


def test_expected_panels_are_drawn(full_report):
    assert set(full_report.panels) >= EXPECTED_PANELS
    assert any(k.startswith("symmetric_zoom_failure") for k in full_report.panels)


def test_unsupported_panels_are_listed_with_a_reason(full_report):
    reasons = dict(full_report.unavailable)
    assert "rate test" in reasons and "not a rate test" in reasons["rate test"]
    assert "cyclic voltammetry" in reasons
    text = full_report.index.read_text("utf-8")
    assert "not available: no run with two or more discharge currents" in text


def test_page_is_self_contained(full_report):
    text = full_report.index.read_text("utf-8")
    assert text.count('class="ssblab-fig"') == len(full_report.panels)
    assert "<script src" not in text and "<link" not in text  # nothing fetched at load
    assert text.count('id="ssblab-plotly-gz"') == 1  # library inlined exactly once (gzipped)
    assert text.count("DecompressionStream") >= 1
    scripts = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S)
    data_bytes = sum(len(s) for s in scripts)
    assert data_bytes < 600_000, data_bytes  # figures are thinned for display


def test_summary_numbers_match_the_synthetic_truth(full_report):
    text = full_report.index.read_text("utf-8")
    summary = text[text.index("<h2>Summary</h2>") : text.index("<h2>Plots</h2>")]
    # 20 cycles, discharge 0.99 mAh fading 0.5 %/cycle: last = 0.99 * 0.905 = 0.896 mAh
    assert ">0.99<" in summary and ">0.8959<" in summary and ">90.5<" in summary
    assert ">99<" in summary  # CE 99 %
    assert "soft_short at 40 h" in summary
    assert ">10<" in summary and ">50<" in summary  # R_b = 10 Ω, R_ct = 50 Ω fitted


def test_pngs_exist_and_are_not_blank(full_report):
    assert len(full_report.pngs) == len(full_report.panels)
    for path in full_report.pngs:
        pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
        assert pixels.std() > 10.0, path.name
        assert pixels.shape[1] > 800  # ~200 dpi


def test_voltage_capacity_shows_each_cycle_with_capacity_in_mAh_per_g(cycling):
    rendered = make_panels(collect([cycling]))
    panel = next(p for p in rendered.panels if p.key.startswith("voltage_capacity"))
    assert panel.x_label == "Capacity [mAh g⁻¹]"
    assert panel.colorbar is not None and (panel.colorbar.vmin, panel.colorbar.vmax) == (1, 20)
    first_charge = next(t for t in panel.traces if t.name == "cycle 1 charge")
    # 1 mAh over 8 mg of active material = 125 mAh/g at the end of the first charge
    assert first_charge.x.max() == pytest.approx(125.0, rel=1e-6)
    assert first_charge.y.max() == pytest.approx(4.24, abs=1e-6)


def test_retention_panel_reads_the_metrics(cycling):
    rendered = make_panels(collect([cycling]))
    panel = next(p for p in rendered.panels if p.key == "retention")
    y = panel.traces[0].y
    assert y[0] == pytest.approx(100.0) and y[-1] == pytest.approx(90.5, abs=1e-6)


def test_large_run_is_thinned_for_display(make_cycling, tmp_path):
    big = make_cycling(n_cycles=10, points_per_half=5000)  # 100 000 rows
    assert big.n_rows == 100_000
    report = build([big], tmp_path / "big", png=False)
    html_bytes = report.index.stat().st_size
    from ssblab.report.plotlyjs import library_bytes

    assert html_bytes - library_bytes() < 1_000_000
    assert html_bytes < 1_500_000  # the whole page, the gzipped plotting library included


def test_eis_only_report_has_no_cycling_panels(eis_table, tmp_path):
    report = build([eis_table], tmp_path / "eis", png=False)
    assert {"eis_nyquist", "eis_bode"} <= set(report.panels)
    assert not any(k.startswith("voltage_capacity") for k in report.panels)


def test_parquet_table_round_trips_through_the_report(cycling, tmp_path):
    path = tmp_path / "cell.parquet"
    cycling.table.write_parquet(path)
    report = build([path], tmp_path / "pq", png=False)
    assert "voltage_capacity_cell" in report.panels
    assert pl.read_parquet(path).height == cycling.n_rows


def test_no_panel_failed_with_a_bug(full_report):
    assert not [n for n, reason in full_report.unavailable if "a bug" in reason]


def test_a_broken_panel_is_reported_not_raised(cycling, monkeypatch):
    from ssblab.report import build as build_module

    def broken(_data):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(build_module, "PANELS", (("broken", broken), *build_module.PANELS[1:]))
    rendered = make_panels(collect([cycling]))
    assert ("broken", "failed with ZeroDivisionError: boom (a bug: please report it)") in (
        rendered.unavailable
    )
    assert "capacity_ce" in [p.key for p in rendered.panels]


def test_rebuild_removes_only_its_own_stale_pngs(cycling, symmetric, tmp_path):
    import json

    out = tmp_path / "r"
    first = build([cycling, symmetric], out)
    assert (out / "symmetric.png").is_file()
    mine = out / "my_photo.png"
    mine.write_bytes(b"not ours")
    second = build([cycling], out)
    assert not (out / "symmetric.png").exists()  # written by the first report only
    assert mine.is_file()  # never listed in a manifest: left alone
    manifest = json.loads((out / "report.json").read_text("utf-8"))
    assert manifest["panels"] == list(second.panels) != list(first.panels)
    assert all((out / name).is_file() for name in manifest["png"])


def test_design_table_has_no_python_reprs_and_no_empty_rows(examples_dir, tmp_path):
    recipes = [
        examples_dir / "al-lpsc-composite_ncm622.toml",
        examples_dir / "sym-li-bare_lgps.toml",
    ]
    text = build(recipes, tmp_path / "d", png=False).index.read_text("utf-8")
    design = text[
        text.index("<h2>Cell design</h2>") : text.index(
            "</table>", text.index("<h2>Cell design</h2>")
        )
    ]
    assert "basis=" not in design and "mass_mg=" not in design and "{" not in design
    assert "<td>cathode</td>" not in design and "<td>name</td>" not in design
    assert "anode_active_loading_mg_cm2" not in design  # labels, not keys
    row = design[design.index(">Cathode active loading [mg/cm²]</td>") :]
    assert row[: row.index("</tr>")].endswith('<td class="num">29.95</td><td class="num">—</td>')
    audit = '<td>Cathode loading [mg/cm²]</td><td class="num">30</td><td class="num">29.95</td>'
    assert audit in text
    assert "Audit of reported numbers — Al-LPSC-C" in text  # its checked entries keep a table
    summary = text[text.index("<h2>Cells</h2>") : text.index("<h2>Cell design</h2>")]
    assert "<th>instrument</th>" not in summary  # no column of dashes for recipes only


def test_literature_panel_only_for_a_cell_it_can_place(eis_table, examples_dir, tmp_path):
    alone = build([eis_table], tmp_path / "e", png=False)
    assert "literature_np_capacity" not in alone.panels
    placed = build([examples_dir / "al-lpsc-composite_ncm622.toml"], tmp_path / "p", png=False)
    assert "literature_np_capacity" in placed.panels


def test_several_symmetric_cells_are_drawn_as_envelopes(make_symmetric, tmp_path):
    a, b = make_symmetric(name="cell A"), make_symmetric(name="cell B", fail_at=20)
    from ssblab.report.inputs import LabelledRun
    from ssblab.report.panels_symmetric import symmetric_voltage

    overview, zoom, *_ = symmetric_voltage([LabelledRun("A", a), LabelledRun("B", b)])
    assert len(overview.traces) == 4  # upper and lower envelope per cell, lines (no bands)
    upper = overview.traces[0]
    assert np.all(np.diff(upper.x) > 0) and float(np.nanmin(upper.y)) > 0
    # the zoom is thinned inside its own window: a 1 h half-cycle keeps its 60 records
    inside = (zoom.traces[0].x >= zoom.x_range[0]) & (zoom.traces[0].x <= zoom.x_range[1])
    assert inside.sum() >= 300


def test_symmetric_cells_of_very_different_voltage_get_their_own_panels(make_symmetric):
    from ssblab import schema as s
    from ssblab.report.inputs import LabelledRun
    from ssblab.report.panels_symmetric import symmetric_voltage
    from ssblab.schema import Run

    a = make_symmetric(name="cell A")
    a = Run(a.table.with_columns(pl.col(s.VOLTAGE) * 0.05), a.meta)  # ~2.5 mV
    b = make_symmetric(name="cell B")  # ~50 mV: 20x larger
    panels = symmetric_voltage([LabelledRun("A", a), LabelledRun("B", b)])
    overviews = [p for p in panels if p.key.startswith("symmetric_") and "zoom" not in p.key]
    assert [p.key for p in overviews] == ["symmetric_a", "symmetric_b"]
    assert all(len(p.traces) == 1 for p in overviews)


def test_full_plotly_bundle_on_request(eis_table, tmp_path):
    small = build([eis_table], tmp_path / "small", png=False).index.read_text("utf-8")
    full = build([eis_table], tmp_path / "full", png=False, full_plotly=True).index.read_text(
        "utf-8"
    )
    assert 'id="ssblab-plotly-gz"' in small and "plotly.js v" not in small
    assert 'id="ssblab-plotly-gz"' not in full and full.count("plotly.js v") == 1
    assert len(full) > 4_000_000 > 1_500_000 > len(small)


def test_labels_name_two_runs_of_one_cell_apart(make_cycling, tmp_path):
    """Two runs with one cell name read "X" and "X (2)" unless the caller names them
    (the case studies pass "<cell>: PyBaMM at 0.25 mA/cm2" and "... at 7 mA/cm2")."""
    slow = make_cycling(n_cycles=3, name="Al-LPSC-C", kind="simulated")
    fast = make_cycling(n_cycles=3, name="Al-LPSC-C", kind="simulated", fade_per_cycle=0.02)
    plain = build([slow, fast], tmp_path / "a", png=False).index.read_text("utf-8")
    assert "Al-LPSC-C (2)" in plain
    named = build(
        [slow, fast],
        tmp_path / "b",
        png=False,
        labels={0: "Al-LPSC-C at 0.25 mA/cm2", 1: "Al-LPSC-C at 7 mA/cm2"},
    ).index.read_text("utf-8")
    assert "Al-LPSC-C (2)" not in named
    assert "<td>Al-LPSC-C at 7 mA/cm2</td>" in named and "Al-LPSC-C at 0.25 mA/cm2" in named
