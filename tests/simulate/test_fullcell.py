"""PyBaMM full-cell simulation from a recipe, into the canonical table."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("pybamm")

from ssblab import schema as s
from ssblab.analysis.cycles import cycles
from ssblab.errors import SimulationError
from ssblab.recipe import load_recipe
from ssblab.simulate.fullcell import (
    anode_offset_V,
    cycling_protocol,
    initial_stoichiometry,
    parameter_values,
    simulate_full,
    window_vs_li,
)


def test_parameters_follow_the_recipe(examples_dir):
    recipe = load_recipe(examples_dir / "al-lpsc-composite_ncm622.toml")
    values, notes = parameter_values(recipe)
    side = values["Electrode height [m]"]
    assert side**2 == pytest.approx(math.pi * 0.005**2, rel=1e-9)  # 10 mm die
    # Li inventory: the OCP window 0-4 V + 0.38 V holds the practical 180 mAh/g, i.e.
    # c_max * (sto at 3.0 V - sto at 4.38 V) = rho / M * 180 / 276.5
    low, high = window_vs_li(recipe)
    window = initial_stoichiometry(values, low) - initial_stoichiometry(values, high, clamp=True)
    c_max = values["Maximum concentration in positive electrode [mol.m-3]"]
    assert c_max * window == pytest.approx(4.75e6 / 96.93 * 180 / 276.5, rel=3e-3)
    assert values["Cation transference number"] == 1.0
    assert values["Electrolyte conductivity [S.m-1]"] == pytest.approx(0.94)  # 9.4 mS/cm
    # window: cell 0-4 V plus the LiAl plateau (0.38 V) -> 4.38 V vs Li
    assert window_vs_li(recipe)[1] == pytest.approx(4.38)
    assert anode_offset_V(recipe) == pytest.approx(0.38)
    assert any("Xu2019" in n for n in notes)


def test_simulated_run_is_a_canonical_table(examples_dir):
    recipe = load_recipe(examples_dir / "al-lpsc-composite_ncm622.toml")
    window = window_vs_li(recipe)
    run = simulate_full(recipe, cycling_protocol(0.1, 2, window))
    s.validate(run.table)
    assert run.meta.kind == "simulated"
    table = run.table
    assert table[s.TIME].is_sorted()
    # cell voltage = cathode vs Li minus the LiAl plateau: stays inside the recipe window
    assert table[s.VOLTAGE].max() == pytest.approx(4.0, abs=0.01)
    summary = cycles(run)
    assert summary.height == 2
    # + current = charge: the first half-cycle charges
    assert table[s.CURRENT][1] > 0
    specific = summary["discharge_capacity_Ah"][1] * 1e6 / (run.meta.active_mass_g * 1e3)
    assert specific == pytest.approx(180, rel=0.05)  # mAh/g: the catalog's practical value at 0.1 C
    assert summary["coulombic_efficiency"][1] == pytest.approx(1.0, abs=0.02)


def test_symmetric_recipe_refused(examples_dir):
    with pytest.raises(SimulationError, match="needs a full cell"):
        parameter_values(load_recipe(examples_dir / "sym-li-bare_lgps.toml"))
