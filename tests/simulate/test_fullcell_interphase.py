"""The Li-side interphase of the LCO full cells: Butler–Volmer (default) vs a linear resistance."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("pybamm")

from ssblab.simulate.fade import CONTACT, LI_J0, interface_inputs

RT_F_25C = 8.314462618 * 298.15 / 96485.33212


@pytest.fixture(scope="module")
def cells(examples_dir):
    from ssblab.recipe import load_recipe
    from ssblab.simulate.fullcell import build_cell

    recipe = load_recipe(examples_dir / "li-lialo2-200nm_lgps_lco.toml")
    return {k: build_cell(recipe, loading_mg_cm2=10.0, interphase=k) for k in ("ohmic", "kinetic")}


def test_kinetic_i0_reproduces_the_measured_overpotential(cells):
    """i0 from the dc overpotential at 0.1 mA/cm2: BV there gives the measured eta back."""
    cell = cells["kinetic"]
    assert cell.kinetic_interphase and not cells["ohmic"].kinetic_interphase
    r = 0.079 / (0.1e-3 * cell.area_cm2)  # coated: 79 mV at 0.1 mA/cm2 (seed Fig. 3c)
    j0 = interface_inputs(cell, r)[LI_J0]
    assert j0 == pytest.approx(0.225, rel=0.01)  # A/m2 (the small-signal RT/(F ASR): 0.325)
    eta = 2 * RT_F_25C * math.asinh(1.0 / (2 * j0))  # at 1 A/m2 = 0.1 mA/cm2
    assert eta == pytest.approx(0.079, rel=1e-6)
    assert interface_inputs(cell, r)[CONTACT] == 0.0
    # model at 10x the real current density: i0 10x too, the same eta
    assert interface_inputs(cell, r, 0.1)[LI_J0] == pytest.approx(10 * j0)
    assert interface_inputs(cells["ohmic"], r, 0.1) == {CONTACT: pytest.approx(0.1 * r)}


@pytest.mark.slow
def test_lialo2_full_cell_predictions_with_the_kinetic_interphase():
    """Roles and predicted numbers of the seed's LCO cells (about 50 s of PyBaMM)."""
    from ssblab.reproduce.common import CaseStudy
    from ssblab.reproduce.lialo2_fullcell import INTERPHASE, add_rows

    assert INTERPHASE == "kinetic"
    case = CaseStudy("lialo2", "t")
    add_rows(case)
    rows = {(c.cell, c.quantity): c for c in case.comparisons}
    coated, bare = "li-lialo2-200nm_lgps_lco", "li-bare_lgps_lco"

    def row(cell, quantity, role):
        assert rows[(cell, quantity)].role == role
        return rows[(cell, quantity)]

    for rate in (0.1, 0.2):
        assert (
            abs(row(coated, f"discharge capacity at {rate:g} C", "calibrated").rel_diff_percent)
            < 1.5
        )
    # predicted (linear interface: 86.4 / 63.0, -8 / -19 %)
    assert row(coated, "discharge capacity at 0.5 C", "predicted").ssblab == pytest.approx(
        86.8, abs=1
    )
    assert row(coated, "discharge capacity at 1 C", "predicted").ssblab == pytest.approx(
        66.5, abs=1
    )
    assert abs(rows[(coated, "discharge capacity at 1 C")].rel_diff_percent) < 15
    # bare: only its interphase differs (linear: 120.5/104.2/69.3/5.0)
    expected = {0.1: 103.1, 0.2: 85.8, 0.5: 58.9, 1: 37.0}
    for rate, value in expected.items():
        q = row(bare, f"discharge capacity at {rate:g} C", "predicted")
        assert q.ssblab == pytest.approx(value, abs=1.5)
        assert abs(q.rel_diff_percent) < 18
    ee = "energy efficiency, cycle 50 at 0.1 C"
    assert row(coated, ee, "predicted").ssblab == pytest.approx(97.8, abs=0.5)  # paper 96.6
    assert row(bare, ee, "predicted").ssblab == pytest.approx(78.8, abs=1.0)  # paper 83.6
    ret = "capacity retention after 800 cycles at 1 C"
    assert row(coated, ret, "calibrated").ssblab == pytest.approx(95.0, abs=0.2)
    assert row(bare, ret, "predicted").ssblab == pytest.approx(9.0, abs=3)
    # coated vs bare in the paper's direction, |error| against the stated tolerance
    gap = row(coated, "energy efficiency, coated minus bare, cycle 50 at 0.1 C", "predicted")
    assert gap.reported == pytest.approx(13.0) and gap.ssblab == pytest.approx(19.0, abs=1)
    # measured: |error| 6.0 vs 13.1 points (each R +-19 %, the coated interphase at cycle 50,
    # model 1326 Ohm vs EIS 1077 Ohm); the old assumed +-10 % gave 5.6 (outside)
    # (12.9 / 12.3 / 5.5 and 1324 Ohm at 3122a60; as test_reproduce has it since cef264c)
    assert (
        "direction reproduced" in gap.method and "vs tolerance 13.1 points (within)" in gap.method
    )
    assert "bare |-4.8| vs 12.5 (within)" in gap.method and "5.6, outside" in gap.method
    assert not gap.all_flags  # judged on its own tolerance, not the 15 % miss rule
    kept = row(coated, "capacity retention after 800 cycles at 1 C, coated minus bare", "predicted")
    assert kept.ssblab > 80 and "direction reproduced" in kept.method


def test_small_signal_reading_and_refusal(examples_dir):
    """i0 = RT/(F R A) reads R as the linearised slope; it under-returns the measured eta."""
    from ssblab.errors import SimulationError
    from ssblab.recipe import load_recipe
    from ssblab.simulate.fullcell import build_cell

    recipe = load_recipe(examples_dir / "li-lialo2-200nm_lgps_lco.toml")
    cell = build_cell(recipe, loading_mg_cm2=10.0, interphase="small-signal")
    r = 0.079 / (0.1e-3 * cell.area_cm2)
    j0 = interface_inputs(cell, r)[LI_J0]
    assert j0 == pytest.approx(0.325, rel=0.01)  # A/m2
    assert 2 * RT_F_25C * math.asinh(1.0 / (2 * j0)) == pytest.approx(0.063, abs=0.001)
    with pytest.raises(SimulationError, match="ohmic, kinetic or small-signal"):
        build_cell(recipe, interphase="linear")
