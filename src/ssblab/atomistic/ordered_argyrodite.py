"""The Cl-rich argyrodite Li5.5PS4.5Cl1.5 as an ordered cell, by a stated rule.

The seed's electrolyte is the Cl-rich Li5.4PS4.4Cl1.6; the nearest composition
that fits a one-conventional-cell model is Li5.5PS4.5Cl1.5 (x = 0.5 of
Li6-xPS5-xCl1+x, the end of the solid-solution range reported by Adeli et al.,
Angew. Chem. Int. Ed. 58, 8681 (2019)). In that series Cl replaces S on the
"free" anion sites (those not bonded to P) and one Li leaves per Cl added.

Rule, applied to the ordered 52-atom Li6PS5Cl model of
:func:`ssblab.atomistic.ordered.argyrodite` (Li24P4S20Cl4, a = 9.860 Å):
two of its four free S (the 4a sites) become Cl and two of its 24 Li are
removed. Of the 6 × 276 = 1656 ways to choose them, the one with the lowest
point-charge (Ewald) energy is kept (Li⁺, P⁵⁺, S²⁻, Cl⁻; the first in
enumeration order on a tie), as pymatgen's ordering transformations do.
Result: 50 atoms, Li22P4S18Cl6 = 4 × Li5.5PS4.5Cl1.5, charge-neutral, cell
unchanged (the potential relaxes it). Lengths in Å, energies in eV.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import SsblabError

if TYPE_CHECKING:
    from ase import Atoms

#: Formal charges of the point-charge ordering energy.
CHARGES = {"Li": 1.0, "P": 5.0, "S": -2.0, "Cl": -1.0}
#: An S with no P closer than this is a "free" anion (4a/4d sites) [Å].
PS_BOND_A = 2.5


def _pair_potential(atoms: Atoms) -> np.ndarray:
    """φ_ij [eV/e²] between the sites of *atoms* (periodic Ewald sum; self terms on the diagonal).

    For any charges q on the sites, qᵀφq is pymatgen's Ewald energy of the cell
    with those charges, so one summation scores every ordering of the same sites.
    """
    import warnings

    from pymatgen.analysis.ewald import EwaldSummation
    from pymatgen.io.ase import AseAtomsAdaptor

    structure = AseAtomsAdaptor.get_structure(atoms)
    q = np.array([CHARGES[s] for s in atoms.get_chemical_symbols()])
    structure.add_oxidation_state_by_site(q.tolist())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matrix = EwaldSummation(structure).total_energy_matrix
    return matrix / np.outer(q, q)


def cl_rich_choice(atoms: Atoms) -> tuple[tuple[int, int], tuple[int, int], float]:
    """(free-S indices that become Cl, Li indices removed, Ewald energy of the result [eV]).

    *atoms* is the ordered Li6PS5Cl model; each of the 1656 choices is scored by
    the point-charge energy qᵀφq of the neutral result (removed Li carry q = 0).
    """
    symbols = np.array(atoms.get_chemical_symbols())
    p_idx = np.flatnonzero(symbols == "P")
    free_s = [
        int(s)
        for s in np.flatnonzero(symbols == "S")
        if atoms.get_distances(int(s), p_idx, mic=True).min() > PS_BOND_A
    ]
    li = np.flatnonzero(symbols == "Li")
    if len(free_s) != 4 or len(li) != 24:
        raise SsblabError(
            f"the Li6PS5Cl model has {len(free_s)} free S and {len(li)} Li, not 4 and 24"
        )
    phi = _pair_potential(atoms)
    q0 = np.array([CHARGES[s] for s in symbols])
    choices = [(cl, gone) for cl in combinations(free_s, 2) for gone in combinations(li, 2)]
    charges = np.tile(q0, (len(choices), 1))
    for row, (cl, gone) in enumerate(choices):
        charges[row, list(cl)] = CHARGES["Cl"]
        charges[row, list(gone)] = 0.0
    energies = np.einsum("ci,ij,cj->c", charges, phi, charges)
    best = int(np.argmin(energies))  # the first one on a tie
    cl, gone = choices[best]
    return (int(cl[0]), int(cl[1])), (int(gone[0]), int(gone[1])), float(energies[best])


def argyrodite_cl_rich() -> Atoms:
    """The ordered Li5.5PS4.5Cl1.5 model described in the module docstring (50 atoms)."""
    from ssblab.atomistic.ordered import argyrodite

    atoms = argyrodite()
    cl, gone, _ = cl_rich_choice(atoms)
    symbols = atoms.get_chemical_symbols()
    for i in cl:
        symbols[i] = "Cl"
    atoms.set_chemical_symbols(symbols)
    keep = [i for i in range(len(atoms)) if i not in gone]
    out = atoms[keep]
    counts = {s: out.get_chemical_symbols().count(s) for s in set(out.get_chemical_symbols())}
    if counts != {"Li": 22, "P": 4, "S": 18, "Cl": 6}:
        raise SsblabError(f"ordered Li5.5PS4.5Cl1.5 came out as {counts}, not Li22P4S18Cl6")
    return out


#: Builders of this module a structures.toml entry may name.
BUILDERS = {"argyrodite_cl_rich": argyrodite_cl_rich}
