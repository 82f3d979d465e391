"""Rate test, CV and symmetric rate panels on synthetic runs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.report.build import make_panels
from ssblab.report.inputs import LabelledRun, collect
from ssblab.report.model import NotAvailable
from ssblab.report.panels_echem import cyclic_voltammetry, looks_like_cv, rate_bars

from .conftest import cv_run, symmetric_rate_run

RATES = [0.1] * 3 + [0.5] * 3 + [1.0] * 3 + [2.0] * 3 + [0.1] * 3  # mA per cycle


def test_rate_bars_with_recovery(make_cycling):
    run = make_cycling(n_cycles=len(RATES), fade_per_cycle=0.0, currents_mA=RATES)
    panel = rate_bars([LabelledRun("rate cell", run)])
    bars = panel.traces[0]
    assert bars.mode == "bar" and len(bars.x) == 5
    assert str(bars.x[0]).startswith("0: 0.127 mA cm⁻²")  # 0.1 mA over 0.785 cm²
    # discharge = 0.99 mAh / (1 + 0.2 I) over 8 mg: 0.1 mA -> 121.3 mAh/g, 2 mA -> 88.4 mAh/g
    assert bars.y[0] == pytest.approx(0.99 / 1.02 / 0.008, rel=1e-3)
    assert bars.y[3] == pytest.approx(0.99 / 1.4 / 0.008, rel=1e-3)
    assert "block 4 recovers 100.0 % of block 0" in panel.note
    # the recovery is named under its bars, the bar text is its number only (a narrow bar
    # had shrunk "104 (recovery)" to an unreadable size)
    assert str(bars.x[4]).endswith("(recovery)") and "recovery" not in str(bars.x[3])
    assert not any("recovery" in t for t in bars.text)


def test_constant_current_run_is_not_a_rate_test(cycling):
    with pytest.raises(NotAvailable, match="not a rate test"):
        rate_bars([LabelledRun("cell", cycling)])


def test_cv_is_recognised_and_drawn_per_cycle(cycling):
    cv = LabelledRun("CV cell", cv_run())
    assert looks_like_cv(cv) and not looks_like_cv(LabelledRun("gcd", cycling))
    (panel,) = cyclic_voltammetry([cv])
    assert panel.x_label == "Voltage [V]" and panel.y_label == "Current [mA]"
    assert len(panel.traces) == 3
    peak = max(float(np.nanmax(t.y)) for t in panel.traces)
    assert peak == pytest.approx(0.21, abs=0.005)  # 0.2 mA peak + 0.01 mA capacitive


def test_symmetric_rate_overpotential_panel():
    rendered = make_panels(collect([symmetric_rate_run()]))
    panel = next(p for p in rendered.panels if p.key == "overpotential_current_density")
    x, y = panel.traces[0].x, panel.traces[0].y
    assert x.tolist() == pytest.approx([0.1, 0.25, 0.5, 1.0])
    assert y.tolist() == pytest.approx([50.0, 125.0, 250.0, 500.0], rel=1e-6)  # 500 Ω cm²


def test_symmetric_lifetimes_side_by_side(make_symmetric):
    from ssblab.report.panels_symmetric import lifetimes

    runs = [
        LabelledRun("bare", make_symmetric(fail_at=20)),
        LabelledRun("200 nm", make_symmetric(fail_at=40)),
        LabelledRun("300 nm", make_symmetric(fail_at=1000)),  # never fails in 60 h
    ]
    (bars,) = lifetimes(runs).traces
    assert bars.x.tolist() == ["bare", "200 nm", "300 nm"]
    assert bars.y[:2].tolist() == pytest.approx([20.0, 40.0])  # 1 h half-cycles
    assert bars.y[2] == pytest.approx(60.0, abs=0.01)
    assert bars.text[2].endswith("(no failure)") and bars.text[0] == "20 h"


def test_gitt_d_li_from_the_recipe_cathode(examples_dir):
    import math

    pytest.importorskip("ssblab.design")
    from ssblab.materials import get_material
    from ssblab.report.panels_echem import gitt

    from .conftest import gitt_run

    data = collect([gitt_run(), examples_dir / "al-foil_ncm622.toml"])
    (panel,) = gitt(data.runs, data.designs)
    d_trace = next(t for t in panel.traces if t.secondary)
    assert len(d_trace.y) == 10
    # Weppner–Huggins with ΔEs/ΔEτ = 1: D = 4/(π τ) (m V_M / (M S))², V_M = M/ρ
    ncm = get_material("NCM622")
    design = data.designs[0].data
    mass_g = design["cathode"]["active_mass_mg"] / 1000.0
    expected = 4 / (math.pi * 300.0) * (mass_g / ncm.density_g_cm3 / design["area_cm2"]) ** 2
    assert np.nanmedian(d_trace.y) == pytest.approx(expected, rel=0.02)
    assert "NCM622 of recipe" in panel.note


def test_gitt_without_material_draws_ocv_only():
    from ssblab.report.panels_echem import gitt

    from .conftest import gitt_run

    (panel,) = gitt([LabelledRun("GITT cell", gitt_run())])
    assert not any(t.secondary for t in panel.traces)
    assert "D_Li needs" in panel.note
    ocv = panel.traces[0].y
    assert ocv[0] == pytest.approx(3.71) and ocv[-1] == pytest.approx(3.80)
