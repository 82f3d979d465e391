"""Numbers and labels of the report seen wrong in its Chromium screenshots (session 5).

Each test is one thing the page showed: ticks of a right axis at odd values, a partial
cycle joined to the capacity line, a retention note that named another reference, an
unflagged EIS R_b / DRT R_inf, an extrapolated DRT peak given as a process, and a Li||Li
cell with 890 soft shorts summarised as "no failure" alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.report.inputs import collect

LAND = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
STEM = "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA"


def test_a_right_axis_has_its_own_ticks(data_dir):
    """Bode −phase over a log |Z| axis: the page's plotly synced the right ticks to the
    left log grid (37.34, 36.01, 34.51 ... °); it must place its own."""
    from ssblab.report.panels_eis import bode
    from ssblab.report.plotly_panels import figure_dict

    spectra = collect([data_dir / "biologic" / "PEIS-0.mpr"]).spectra
    layout = figure_dict(bode(spectra))["layout"]
    assert layout["yaxis"]["type"] == "log"
    assert layout["yaxis2"]["tickmode"] == "auto" and "type" not in layout["yaxis2"]


def test_a_partial_cycle_is_not_joined_to_the_capacity_line(data_dir):
    """LANDT Li||graphite: cycle 2 is partial (1.3 mAh discharge, no charge); it was drawn
    on the line from 6.3 mAh, an 80 % fade that never happened."""
    from ssblab.report.panels_cycling import capacity_efficiency, retention

    runs = collect([data_dir / LAND]).runs
    panel = capacity_efficiency(runs)
    line = next(t for t in panel.traces if t.name.endswith(" capacity"))
    apart = next(t for t in panel.traces if t.name.endswith(" partial cycle"))
    assert line.mode == "lines+markers" and line.x.tolist() == [1]
    assert line.y.tolist() == pytest.approx([6.3], abs=0.05)
    assert apart.mode == "markers" and apart.cross and apart.x.tolist() == [2]
    assert apart.text == ("partial",)
    assert apart.y.tolist() == pytest.approx([1.3], abs=0.05)
    assert "not joined to the line" in panel.note and ": 2." in panel.note
    assert retention(runs).note.startswith("100 % = the first complete cycle")


def test_a_carried_over_ce_is_drawn_apart_from_the_cells_ce(data_dir):
    """Maccor diagnostic cycle 4: CE 1.868 is charge the short cycles 2-3 left (ce_carry_over);
    the CE series leaves it out and a cross marks it, named in the note."""
    from ssblab.report.panels_cycling import capacity_efficiency

    runs = collect([data_dir / "maccor" / "PredictionDiagnostics_000109_tztest.010"]).runs
    panel = capacity_efficiency(runs)
    ce = next(t for t in panel.traces if t.name.endswith(" CE"))
    carried = next(t for t in panel.traces if t.name.endswith(" CE carried over"))
    assert carried.cross and carried.secondary and carried.x.tolist() == [4]
    assert carried.y.tolist() == pytest.approx([186.8], abs=0.1)
    assert carried.text == ("charge carried over",)
    assert np.isnan(ce.y[ce.x.tolist().index(4)])
    assert "ce_carry_over" in panel.note and ": 4." in panel.note


def test_eis_notes_carry_the_intercept_and_drt_flags(data_dir):
    from ssblab.report.panels_eis import drt, nyquist

    spectra = collect(
        [data_dir / f"{STEM}_02_GEIS_C05.mpr", data_dir / "biologic" / "PEIS-0.mpr"]
    ).spectra
    first = [sp for sp in spectra if sp.label.endswith("#1") or sp.label == "PEIS-0"]
    notes = " ".join(p.note for p in nyquist(first))
    # jr862: the band stops at 500 Hz on the low side of an arc: neither R_b nor R_ct is
    # measured, so neither is reported (the summary leaves both empty)
    assert "resistances not reported (R0: R0 = 172.4 Ω is not measured" in notes
    from ssblab.report.inputs import ReportData
    from ssblab.report.summary import summary_rows

    rows = {r["cell"]: r for r in summary_rows(ReportData(spectra=first))}
    jr862 = next(r for c, r in rows.items() if c.endswith("#1"))
    assert jr862["R_b [Ω]"] is None and jr862["R_ct [Ω]"] is None
    assert "0-203.1 Ω" in jr862["flags"]
    assert rows["PEIS-0"]["R_b [Ω]"] == pytest.approx(7.862, abs=1e-3)
    assert "above_hf_intercept (R0)" in notes  # PEIS-0: R_b 7.86 Ω over Z' 5.52 Ω
    note = drt(first).note
    # PEIS-0: the 464 Ω "peak" at τ 108 s lies past 1/ω_min (16 s): the diffusion tail
    assert "PEIS-0: R_inf = 4.239 Ω" in note
    assert "τ = 108 s, R = 464 Ω (outside the measured window: extrapolated)" in note
    assert "R_inf = 167.4 Ω" in note and "hf_intercept_not_reached (R_inf)" in note


def test_a_li_li_cell_with_soft_shorts_says_so(data_dir):
    """jr862 _03: one 45 h plating half-cycle, no failure by the rule, and 890 soft shorts
    by `ssblab symmetric`'s rule: the summary and the note say both."""
    from ssblab.report.panels_symmetric import symmetric_voltage
    from ssblab.report.summary import summary_rows

    data = collect([data_dir / f"{STEM}_03_GCPL_C05.txt"])
    (row,) = summary_rows(data)
    assert (row["type"], row["failure"], row["soft shorts"]) == ("symmetric", "none", 890)
    panels = symmetric_voltage(data.runs)
    assert "no failure detected; 890 soft shorts" in panels[0].note
    zoom = next(p for p in panels if p.key == "symmetric_zoom_start")
    assert "the run has 1 half-cycle(s), fewer than six" in zoom.note
    assert np.isclose(zoom.x_range[1], 0.05 * 45.09, rtol=1e-3)


def test_png_of_many_spectra_keeps_a_legend_and_nyquist_keeps_its_range(data_dir):
    """The PNG Bode of six spectra (18 entries) had no legend at all, so its series could
    not be told apart; the PNG Nyquist stretched Z' to -250 Ω to keep the aspect."""
    pytest.importorskip("matplotlib")
    from ssblab.report.figures import draw
    from ssblab.report.panels_eis import bode, nyquist

    spectra = collect(
        [
            data_dir / f"{STEM}_02_GEIS_C05.mpr",
            data_dir / "biologic" / "PEIS-0.mpr",
            data_dir / "eis" / "2XZARCequal.csv",
        ]
    ).spectra
    assert len(spectra) == 6  # four of the 45 jr862 spectra are drawn, and two files
    fig = draw(bode(spectra))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(texts) == 6 and texts[-1] == "2XZARCequal |Z|"
    (panel,) = nyquist(spectra)
    fig = draw(panel)
    fig.canvas.draw()
    left, right = fig.axes[0].get_xlim()
    assert -20.0 < left < 5.0 and right < 300.0  # the data span Z' 4.5-266 Ω


RATES = [0.1] * 3 + [0.5] * 3 + [1.0] * 3 + [2.0] * 3 + [0.1] * 3  # mA per cycle


def test_retention_of_a_rate_test_is_called_what_it_is(make_cycling, cycling):
    """The seed case study's full cells (0.1/0.2/0.5/1/0.1 C) drew 'retention' 100 -> 38
    -> 100 %: a rate, not fade. The panel note and the summary's flags now say so; a
    constant-current run gets neither."""
    from ssblab.report.inputs import LabelledRun, ReportData
    from ssblab.report.panels_cycling import rate_blocks, retention
    from ssblab.report.summary import summary_rows

    rate = LabelledRun(
        "rate cell", make_cycling(n_cycles=15, fade_per_cycle=0.0, currents_mA=RATES)
    )
    plain = LabelledRun("fading cell", cycling)
    assert (rate_blocks(rate), rate_blocks(plain)) == (5, 1)
    note = retention([rate, plain]).note
    assert "Rate tests: rate cell (5 current blocks)" in note and "fading cell" not in note
    rows = {r["cell"]: r for r in summary_rows(ReportData(runs=[rate, plain]))}
    assert "rate_test: 5 current blocks (discharge)" in rows["rate cell"]["flags"]
    assert "rate_test" not in (rows["fading cell"]["flags"] or "")


def test_rate_bars_are_labelled_without_exponents(data_dir):
    """maccor_001 (a 4.5 Ah cell at 0.5-10 A): the bars read '1: 2.5e+03 mA' and
    '4.54e+03'; they now read 2500 mA and 4540 mAh."""
    from ssblab.report.panels_echem import rate_bars

    (bars,) = rate_bars(collect([data_dir / "maccor" / "maccor_001.txt"]).runs).traces
    assert [str(x) for x in bars.x] == ["0: 500 mA", "1: 2500 mA", "2: 5000 mA", "3: 10000 mA"]
    assert bars.text[0] == "4540" and not any("e+" in t for t in bars.text)


def test_a_partial_cycle_gets_no_ce_marker(data_dir):
    """test_2.ndax: cycle 54 is partial (ssblab cycles: CE 0.0791 of a cut-short half),
    left out of the CE markers beside complete cycle 53's 93.95 %. (The Arbin GITT file
    01 this test first used has a complete cycle 1 since b77ec7e.)"""
    import ssblab
    from ssblab.report.panels_cycling import capacity_efficiency

    path = data_dir / "neware" / "test_2.ndax"
    table = ssblab.cycles(ssblab.read(path)).tail(2)
    assert table.get_column("partial").to_list() == [False, True]
    assert table.get_column("coulombic_efficiency")[1] == pytest.approx(0.0791, abs=1e-4)
    panel = capacity_efficiency(collect([path]).runs)
    ce = next(t for t in panel.traces if t.name.endswith(" CE"))
    assert ce.x.tolist()[-2:] == [53, 54] and np.isnan(ce.y[-1])
    assert ce.y[-2] == pytest.approx(93.95, abs=0.01)


def test_numbers_printed_as_text_are_aligned_as_numbers():
    from ssblab.report.html import table_html

    page = table_html([{"cell": "LANDT", "first capacity [mAh]": "3.2", "ICE [%]": 50.8}])
    assert '<td class="num">3.2</td>' in page and '<td class="num">50.8</td>' in page
    assert "<td>LANDT</td>" in page
