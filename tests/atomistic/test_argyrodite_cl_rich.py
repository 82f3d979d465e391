"""The ordered Cl-rich argyrodite Li5.5PS4.5Cl1.5: composition, ordering rule, cache, lattice."""

from __future__ import annotations

import hashlib
import json
import warnings
from importlib import resources

import numpy as np
import pytest

from ssblab.atomistic.ordered import argyrodite
from ssblab.atomistic.ordered_argyrodite import CHARGES, cl_rich_choice
from ssblab.atomistic.structures import conventional_cell

NAME = "Li5.5PS4.5Cl1.5"


def _ewald(atoms) -> float:
    from pymatgen.analysis.ewald import EwaldSummation
    from pymatgen.io.ase import AseAtomsAdaptor

    structure = AseAtomsAdaptor.get_structure(atoms)
    structure.add_oxidation_state_by_site([CHARGES[s] for s in atoms.get_chemical_symbols()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EwaldSummation(structure).total_energy


def _variant(base, cl, gone):
    out = base.copy()
    symbols = out.get_chemical_symbols()
    for i in cl:
        symbols[i] = "Cl"
    out.set_chemical_symbols(symbols)
    return out[[i for i in range(len(out)) if i not in gone]]


def test_cl_rich_cell_is_four_formula_units_and_neutral():
    atoms = conventional_cell(NAME)
    symbols = atoms.get_chemical_symbols()
    counts = {s: symbols.count(s) for s in set(symbols)}
    assert counts == {"Li": 22, "P": 4, "S": 18, "Cl": 6}
    assert sum(CHARGES[s] for s in symbols) == 0.0
    # Every P keeps its PS4 tetrahedron (4 S within 2.2 Å); the new Cl sit on free sites.
    p = [i for i, s in enumerate(symbols) if s == "P"]
    s_idx = [i for i, s in enumerate(symbols) if s == "S"]
    for i in p:
        assert (atoms.get_distances(i, s_idx, mic=True) < 2.2).sum() == 4
    cl = [i for i, s in enumerate(symbols) if s == "Cl"]
    assert min(atoms.get_distances(i, p, mic=True).min() for i in cl) > 2.5


def test_ordering_is_the_lowest_ewald_energy_of_the_choices():
    base = argyrodite()
    cl, gone, energy = cl_rich_choice(base)
    # The pair-matrix score is pymatgen's Ewald energy of the built cell.
    assert energy == pytest.approx(_ewald(_variant(base, cl, gone)), abs=1e-6)
    symbols = np.array(base.get_chemical_symbols())
    li = np.flatnonzero(symbols == "Li")
    free = [c for c in range(4)]  # the four 4a S come first in the model
    rng = np.random.default_rng(3)
    for _ in range(5):
        other_cl = tuple(rng.choice(free, 2, replace=False))
        other_li = tuple(rng.choice(li, 2, replace=False))
        assert energy <= _ewald(_variant(base, other_cl, other_li)) + 1e-6


def test_cache_digest_of_existing_builders_is_unchanged():
    from ssblab.atomistic import cache

    entry = cache._entries()["LGPS"]
    blob = hashlib.sha256(
        json.dumps(cache._numbers_only(entry), sort_keys=True, default=str).encode()
    )
    blob.update(resources.files("ssblab.atomistic").joinpath("ordered.py").read_bytes())
    assert cache.structure_digest("LGPS") == blob.hexdigest()[:16]
    assert cache.structure_digest(NAME) != cache.structure_digest("Li6PS5Cl")


@pytest.mark.slow
@pytest.mark.parametrize("model", ["chgnet", "sevennet"])
def test_cl_rich_relaxed_cell_against_li6ps5cl(model):
    """Predicted: no refined lattice of Li5.5PS4.5Cl1.5 was retrieved to compare with."""
    pytest.importorskip("sevenn" if model == "sevennet" else "chgnet")
    from ssblab.atomistic.relax import relaxed_lattice

    rich = relaxed_lattice(NAME, model).atoms
    plain = relaxed_lattice("Li6PS5Cl", model).atoms
    cube_rich = rich.get_volume() ** (1 / 3)
    cube_plain = plain.get_volume() ** (1 / 3)
    change = 100 * (cube_rich / cube_plain - 1)
    print(f"{model}: V^(1/3) {cube_rich:.4f} Å (Cl-rich) vs {cube_plain:.4f} Å: {change:+.2f} %")
    a, b, c = rich.cell.cellpar()[:3]
    assert max(a, b, c) / min(a, b, c) < 1.08
    assert abs(change) < 3.0
