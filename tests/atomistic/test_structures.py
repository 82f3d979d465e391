"""Structures from structures.toml: every entry builds, with the right cell and sources."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.atomistic.structures import (
    conventional_cell,
    get_structure,
    largest_void,
    structures,
    supercell_repeats,
)
from ssblab.errors import SsblabError

# Atoms in the conventional cell, from the Wyckoff multiplicities in the data file.
EXPECTED_ATOMS = {
    "Li": 2, "Al": 4, "LiAl": 16, "Li2S": 12, "LiCl": 8, "Li3P": 8, "LiAlO2": 12,
    "Li6PS5Cl": 52, "Al2O3": 30, "LiNbO3": 30,
    "LiAlO2_gamma": 16, "Li5.5PS4.5Cl1.5": 50,
}  # fmt: skip


@pytest.mark.parametrize(("name", "n_atoms"), sorted(EXPECTED_ATOMS.items()))
def test_cell_composition_and_size(name, n_atoms):
    atoms = conventional_cell(name)
    entry = get_structure(name)
    assert len(atoms) == n_atoms
    from pymatgen.core import Composition

    assert Composition(atoms.get_chemical_formula()).reduced_formula == (
        Composition(entry.formula).reduced_formula
    )
    assert atoms.cell.cellpar()[0] == pytest.approx(entry.a_A)


def test_every_entry_has_a_source_and_no_overlapping_atoms():
    from ase.neighborlist import neighbor_list

    for name, entry in structures().items():
        assert len(entry.source) > 20, name
        atoms = conventional_cell(name)
        shortest = neighbor_list("d", atoms, 3.5).min()
        # P-O in a PO4 tetrahedron is a covalent 1.53 Å bond; Al-O in the AlO4 tetrahedra
        # of gamma-LiAlO2 is 1.76 Å; other ionic contacts are > 1.8 Å.
        limit = 1.45 if {"P", "O"} <= set(atoms.get_chemical_symbols()) else 1.7
        assert shortest > limit, f"{name}: atoms {shortest:.2f} Å apart"


def test_bcc_li_nearest_neighbour_distance():
    from ase.neighborlist import neighbor_list

    d = neighbor_list("d", conventional_cell("Li", a_A=3.45), 3.2)
    assert d.min() == pytest.approx(3.45 * np.sqrt(3) / 2, abs=1e-9)


def test_lattice_parameter_scales_the_whole_cell():
    scaled = conventional_cell("Li3P", a_A=4.0).cell.cellpar()
    entry = get_structure("Li3P")
    assert scaled[0] == pytest.approx(4.0)
    assert scaled[2] / scaled[0] == pytest.approx(entry.cellpar[2] / entry.cellpar[0])


def test_unknown_structure_lists_the_valid_ones():
    with pytest.raises(SsblabError, match="LiAl"):
        get_structure("Li7P3S11")


def test_largest_void_of_fcc_al_is_octahedral():
    cell = conventional_cell("Al")
    frac = largest_void(cell) @ np.linalg.inv(cell.cell.array)
    # Octahedral holes of fcc: the cube centre and the edge centres.
    doubled = np.round(2 * frac) % 2
    assert np.allclose(2 * frac, np.round(2 * frac))
    assert doubled.sum() in (1, 3)


def test_supercell_repeats_reach_the_minimum_spacing():
    cell = conventional_cell("Li")
    assert supercell_repeats(cell, 9.0) == (3, 3, 3)
    assert supercell_repeats(cell, 3.0) == (1, 1, 1)


def test_ordered_argyrodite_keeps_one_li_of_each_48h_pair():
    """Half of the 48 Li sites, no two Li of a 1.96 Å pair, anion sites by majority."""
    from ase.neighborlist import neighbor_list

    atoms = conventional_cell("Li6PS5Cl")
    symbols = np.array(atoms.get_chemical_symbols())
    i, j, d = neighbor_list("ijd", atoms, 2.2)
    li_li = (symbols[i] == "Li") & (symbols[j] == "Li")
    assert not li_li.any(), f"Li-Li at {d[li_li].min():.2f} Å"
    # Cl on 4d (1/4, 1/4, 3/4) and the S of the 4a site at the origin, as in the refinement.
    frac = atoms.get_scaled_positions()
    cl = frac[symbols == "Cl"]
    assert np.allclose(np.mod(cl * 4, 1.0), 0.0, atol=1e-6)
    assert any(np.allclose(f, 0.0, atol=1e-6) for f in frac[symbols == "S"])
    assert atoms.cell.cellpar()[0] == pytest.approx(9.86026)


def test_ordered_argyrodite_fills_every_cl_cage_but_not_every_free_s():
    """6 Li around each 4d Cl (2.49 Å); 0 / 4 / 8 / 12 around the four free 4a S (2.51 Å).

    The uneven 4a environment is stated in the structure's source (structures.toml).
    """
    from ase.neighborlist import neighbor_list

    atoms = conventional_cell("Li6PS5Cl")
    symbols = np.array(atoms.get_chemical_symbols())
    i, j, d = neighbor_list("ijd", atoms, 3.2)
    frac = atoms.get_scaled_positions()
    li_near = {k: int(((i == k) & (symbols[j] == "Li")).sum()) for k in range(len(atoms))}
    cl = np.flatnonzero(symbols == "Cl")
    free_s = [k for k in np.flatnonzero(symbols == "S") if np.allclose(np.mod(frac[k] * 2, 1), 0)]
    assert [li_near[k] for k in cl] == [6, 6, 6, 6]
    assert sorted(li_near[k] for k in free_s) == [0, 4, 8, 12]
    li_s = d[np.isin(i, free_s) & (symbols[j] == "Li")]
    assert li_s == pytest.approx(2.51, abs=0.01)


def test_linbo3_nb_octahedron_matches_abrahams_1966():
    """Nb sits in a distorted NbO6 octahedron: 3 × 1.889 Å + 3 × 2.112 Å (Abrahams et al. 1966)."""
    from ase.neighborlist import neighbor_list

    atoms = conventional_cell("LiNbO3")
    i, j, d = neighbor_list("ijd", atoms, 2.5)
    symbols = np.array(atoms.get_chemical_symbols())
    for nb in np.flatnonzero(symbols == "Nb"):
        bonds = np.sort(d[(i == nb) & (symbols[j] == "O")])
        assert bonds == pytest.approx([1.889] * 3 + [2.112] * 3, abs=0.002)
    for li in np.flatnonzero(symbols == "Li"):
        assert np.count_nonzero((i == li) & (symbols[j] == "O")) == 6


def test_gamma_lialo2_is_tetrahedral_where_alpha_is_octahedral():
    """gamma-LiAlO2: LiO4 and AlO4 tetrahedra (Al-O 1.752 / 1.764 Å); alpha-LiAlO2: octahedral."""
    from ase.neighborlist import neighbor_list

    for name, n_o in (("LiAlO2_gamma", 4), ("LiAlO2", 6)):
        atoms = conventional_cell(name)
        i, j, d = neighbor_list("ijd", atoms, 2.3)
        symbols = np.array(atoms.get_chemical_symbols())
        for cation in ("Li", "Al"):
            for k in np.flatnonzero(symbols == cation):
                assert np.count_nonzero((i == k) & (symbols[j] == "O")) == n_o, (name, cation)
    atoms = conventional_cell("LiAlO2_gamma")
    i, j, d = neighbor_list("ijd", atoms, 2.3)
    symbols = np.array(atoms.get_chemical_symbols())
    al_o = d[(symbols[i] == "Al") & (symbols[j] == "O")]
    assert al_o.min() == pytest.approx(1.752, abs=0.001) and al_o.max() == pytest.approx(
        1.764, abs=0.001
    )
