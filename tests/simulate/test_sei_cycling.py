"""SEI cycle skipping of the Li-Al full cell against PyBaMM stepping every cycle."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pybamm")

from ssblab.errors import SimulationError
from ssblab.recipe import load_recipe
from ssblab.reproduce.common import recipe_path
from ssblab.simulate.fullcell import build_cell
from ssblab.simulate.sei_cycling import (
    SeiResponse,
    direct_cycles,
    li_per_thickness_mol_m,
    sei_response,
    walk_sei,
)


@pytest.fixture(scope="module")
def al_cell():
    recipe = load_recipe(recipe_path("al-lpsc-composite_ncm622"))
    return build_cell(recipe), 7.0 * recipe.area_cm2


def test_skipping_follows_pybamm_cycle_by_cycle(al_cell):
    cell, current = al_cell
    response = sei_response(cell, current, 40)
    table = walk_sei(response, 40)
    direct = direct_cycles(cell, current, 40, [1, 10, 40])
    q = table["discharge_mAh_g"].to_numpy()
    # cycle 1 is a grid point (the pristine cell): the same solve
    # the skipped cycles stay within 1.5 % of PyBaMM's own (measured: -1.0 % at 10, -0.6 % at
    # 40; the one-cycle solves start from an assembled-like state, not the cycled one)
    assert q[0] == pytest.approx(direct[1][0], rel=1e-6)
    bound = table["sei_li_mAh_g"].to_numpy()
    assert bound[0] == pytest.approx(direct[1][1], rel=1e-3)
    for n in (10, 40):
        assert q[n - 1] == pytest.approx(direct[n][0], rel=0.015)
        # the lithium the SEI binds per cycle (measured: within 5 % at cycles 10 and 40)
        assert bound[n - 1] == pytest.approx(direct[n][1], rel=0.1)
    # the SEI keeps growing, more slowly each cycle, and the capacity falls with it
    grown = np.diff(table["sei_thickness_m"].to_numpy())
    assert np.all(grown > 0) and grown[-1] < grown[1]
    assert q[-1] < 0.9 * q[0]


def test_li_bound_per_thickness_matches_pybamm(al_cell):
    cell, current = al_cell
    from ssblab.simulate.cycling import solve
    from ssblab.simulate.sei_cycling import L_VAR, _cycle_steps

    solution = solve(cell, [_cycle_steps(cell, current)])
    lost = float(solution["Loss of lithium to negative SEI [mol]"].entries[-1])
    grown = float(solution[L_VAR].entries[-1]) - float(cell.values["Initial SEI thickness [m]"])
    assert lost / grown == pytest.approx(li_per_thickness_mol_m(cell), rel=1e-3)


def test_walk_on_a_table_and_refusals():
    grid = np.array([1e-9, 1e-7, 1e-6])
    response = SeiResponse(
        grid, np.array([1e-7, 1e-8, 1e-9]), np.array([100.0, 90.0, 50.0]),
        np.array([120.0, 92.0, 51.0]), np.array([0.8, 0.85, 0.8]), np.ones(3), 1e6,
    )  # fmt: skip
    table = walk_sei(response, 3)
    assert table["sei_thickness_m"].to_list() == pytest.approx([1e-9, 1.01e-7, 1.11e-7], rel=1e-2)
    # lithium bound per cycle: the growth x the table's 1e6 mAh/g per metre
    growth = table["sei_thickness_m"][2] - table["sei_thickness_m"][1]
    assert table["sei_li_mAh_g"][1] == pytest.approx(growth * 1e6, rel=1e-9)
    with pytest.raises(SimulationError, match="cycles must be >= 1"):
        walk_sei(response, 0)


@pytest.mark.slow
def test_shipped_sei_exchange_current_is_the_ice_calibration(al_cell):
    """fullcell.SEI_J0_A_M2 is what the bisection on the seed's 84.7 % ICE finds (~45 s)."""
    from ssblab.simulate.fullcell import SEI_J0_A_M2
    from ssblab.simulate.sei_cycling import calibrate_ice, first_cycle_ice

    cell, _ = al_cell
    current = 0.25 * cell.area_cm2  # the seed's formation current density
    j0 = calibrate_ice(cell, current, 84.7)
    assert j0 == pytest.approx(SEI_J0_A_M2, rel=0.02)  # measured 107.1 A/m2
    assert first_cycle_ice(cell, current, [j0])[0] == pytest.approx(84.7, abs=0.05)
    with pytest.raises(SimulationError, match="outside"):
        calibrate_ice(cell, current, 99.0)


@pytest.mark.slow
def test_al_retention_is_set_by_the_assumed_barrier():
    """Halving/doubling the SEI barrier (ICE refitted each time) moves the retention (~80 s)."""
    from ssblab.reproduce.al_composite import barrier_sensitivity

    rows = barrier_sensitivity()
    kept = [r["retention_percent"] for r in rows]
    # measured 10.6 / 41.5 / 73.3 % at 5e6 / 1e7 / 2e7 1/m
    assert kept == pytest.approx([10.6, 41.5, 73.3], abs=3)
    assert rows[1]["sei_j0_A_m2"] == pytest.approx(107.1, rel=0.03)
