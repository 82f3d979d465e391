"""Relaxed lattice constants of the new phases against experiment, with both potentials.

Tolerance 3 %: potentials trained on PBE data inherit PBE's typical 1-2 %
overestimate of lattice constants; a larger error means a wrong structure or a
broken relaxation. (c/a of the ordered LGPS model is kept by the E(V) fallback.)

The ordered Li6PS5Cl model fills half of the 48h Li sites of a cubic crystal
whose experimental cell averages over the Li disorder; one ordering cannot keep
the cubic shape (it relaxes to a ≠ b ≠ c within about ±4 %), so its comparable
number is the volume-equivalent cubic lattice parameter V^(1/3).
"""

from __future__ import annotations

import pytest

from ssblab.atomistic.relax import relaxed_lattice
from ssblab.atomistic.structures import get_structure

TOLERANCE = 0.03
#: Ordered models of cubic, disordered crystals: compared by V^(1/3) with a.
PSEUDO_CUBIC = ("Li6PS5Cl",)
#: Deviations [%] of a and c measured on this machine (session 6): gamma-LiAlO2 from the
#: Wiedemann et al. 2016 neutron refinement, against that refinement's cell.
MEASURED_PERCENT = {
    ("LiAlO2_gamma", "chgnet"): {"a": 1.48, "c": 0.46},
    ("LiAlO2_gamma", "sevennet"): {"a": 1.18, "c": 1.27},
}


@pytest.mark.slow
@pytest.mark.parametrize("model", ["chgnet", "sevennet"])
@pytest.mark.parametrize("name", ["LGPS", "Li3PO4", "Li6PS5Cl", "Al2O3", "LiNbO3", "LiAlO2_gamma"])
def test_relaxed_lattice_within_3_percent_of_experiment(name, model):
    pytest.importorskip("sevenn" if model == "sevennet" else "chgnet")
    experiment = get_structure(name).experiment
    atoms = relaxed_lattice(name, model).atoms
    a, b, c = atoms.cell.cellpar()[:3]
    measured = MEASURED_PERCENT.get((name, model), {})
    for axis, value in zip("abc", (a, b, c), strict=True):
        if f"{axis}_A" in experiment:
            ref = experiment[f"{axis}_A"]
            deviation = 100 * (value / ref - 1)
            print(f"{name} {model} {axis} = {value:.4f} Å vs {ref} Å: {deviation:+.2f} %")
            if axis in measured:
                assert deviation == pytest.approx(measured[axis], abs=0.02)
    if name in PSEUDO_CUBIC:
        cube = atoms.get_volume() ** (1 / 3)
        deviation = 100 * (cube / experiment["a_A"] - 1)
        print(f"{name} {model} V^(1/3) = {cube:.4f} Å: {deviation:+.2f} %")
        assert cube == pytest.approx(experiment["a_A"], rel=TOLERANCE)
        assert max(a, b, c) / min(a, b, c) < 1.08  # the ordering distorts, it does not collapse
        return
    assert a == pytest.approx(experiment["a_A"], rel=TOLERANCE)
    assert c == pytest.approx(experiment["c_A"], rel=TOLERANCE)
    if "b_A" in experiment:
        assert b == pytest.approx(experiment["b_A"], rel=TOLERANCE)
