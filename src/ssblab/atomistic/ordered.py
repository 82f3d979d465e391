"""Ordered models of partially occupied crystals, built by a stated rule.

A DFT or MLIP cell needs every site fully occupied. Each builder here reads a
published, partially occupied structure and fills it by an explicit rule, so
the model is reproducible and its choice is written down. Lengths in Å.

``lgps``: Li10GeP2S12 from the P4_2/nmc structure shipped with pymatgen
(``pymatgen/util/structures/Li10GeP2S12.json``: a = 8.694 Å, c = 12.599 Å,
Li on 16h (occupancy 0.691), 4d (1.0) and 8f (0.643), Ge0.515P0.485 on 4d,
P on 2b, S on three 8g sites). Rule: Ge on the two mixed 4d sites at
(0, ½, z), P on the two at (½, 0, z); Li on every 4d and 8f site; of the 16h
sites, which come in pairs 1.7 Å apart along c, the first of each pair in file
order (a site is skipped when a kept Li lies within 2.0 Å). Result: 50 atoms,
Li20Ge2P4S24 = 2 × Li10GeP2S12, symmetry lowered from P4_2/nmc.

``argyrodite``: Li6PS5Cl from the F-43m neutron structure in ``structures.toml``
(Li on 48h at half occupancy, the two anion sites 4a and 4d each shared by S
and Cl). Rule: each anion site takes its majority species (S on 4a, Cl on 4d,
62 % each in the refinement); of the 48h Li sites, which come in pairs 1.96 Å
apart, the first of each pair in the order ``ase.spacegroup.crystal`` expands
them (a site is skipped when a kept Li lies within 2.0 Å). Result: 52 atoms,
Li24P4S20Cl4 = 4 × Li6PS5Cl, symmetry lowered from F-43m (to P222).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import SsblabError

if TYPE_CHECKING:
    from ase import Atoms

#: Two Li closer than this cannot both be occupied [Å].
LI_EXCLUSION_A = 2.0


def _pymatgen_structure(name: str):
    from pymatgen.core import Structure

    path = resources.files("pymatgen.util").joinpath("structures", name)
    return Structure.from_str(path.read_text(encoding="utf-8"), fmt="json")


def lgps() -> Atoms:
    """The ordered Li10GeP2S12 model described in the module docstring (50 atoms)."""
    from ase import Atoms

    src = _pymatgen_structure("Li10GeP2S12.json")
    symbols: list[str] = []
    frac: list[np.ndarray] = []
    pending_16h: list[np.ndarray] = []
    for site in src:
        occ = site.species.as_dict()
        f = np.mod(site.frac_coords, 1.0)
        if set(occ) == {"Ge", "P"}:
            symbols.append("Ge" if abs(f[0]) < 1e-3 else "P")
            frac.append(f)
        elif set(occ) == {"Li"} and occ["Li"] < 0.68:  # 8f (0.643): keep
            symbols.append("Li")
            frac.append(f)
        elif set(occ) == {"Li"} and occ["Li"] < 1.0:  # 16h (0.691): one of each pair
            pending_16h.append(f)
        else:
            symbols.append(next(iter(occ)))
            frac.append(f)
    cell = src.lattice.matrix
    for f in pending_16h:
        kept = [p for s, p in zip(symbols, frac, strict=True) if s == "Li"]
        d = np.array(kept) - f
        d -= np.round(d)
        if np.min(np.linalg.norm(d @ cell, axis=1)) >= LI_EXCLUSION_A:
            symbols.append("Li")
            frac.append(f)
    atoms = Atoms(symbols, scaled_positions=np.array(frac), cell=cell, pbc=True)
    counts = {s: symbols.count(s) for s in set(symbols)}
    if counts != {"Li": 20, "Ge": 2, "P": 4, "S": 24}:
        raise SsblabError(f"ordered LGPS came out as {counts}, not Li20Ge2P4S24")
    return atoms


def from_cif(filename: str) -> Atoms:
    """The ordered crystal in the packaged CIF *filename* (``ssblab/data/``), read by pymatgen.

    pymatgen applies the CIF's own symmetry operators, so non-standard settings
    (Pcmn for gamma-Li3PO4) are expanded as published.
    """
    import warnings

    from pymatgen.core import Structure
    from pymatgen.io.ase import AseAtomsAdaptor

    text = resources.files("ssblab.data").joinpath(filename).read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = Structure.from_str(text, fmt="cif")
    if not structure.is_ordered:
        raise SsblabError(f"{filename}: the CIF has partial occupancies; order it first")
    return AseAtomsAdaptor.get_atoms(structure)


def _first_of_pairs(frac: np.ndarray, cell: np.ndarray, exclusion_A: float) -> list[int]:
    """Indices of the fractional positions kept in order, skipping any within *exclusion_A*."""
    kept: list[int] = []
    for i, f in enumerate(frac):
        if kept:
            d = frac[kept] - f
            d -= np.round(d)
            if np.min(np.linalg.norm(d @ cell, axis=1)) < exclusion_A:
                continue
        kept.append(i)
    return kept


def argyrodite() -> Atoms:
    """The ordered Li6PS5Cl model described in the module docstring (52 atoms)."""
    from ase.spacegroup import crystal

    from ssblab.atomistic.structures import get_structure

    entry = get_structure("Li6PS5Cl")
    full = crystal(
        symbols=list(entry.symbols),
        basis=[list(b) for b in entry.basis],
        spacegroup=entry.spacegroup,
        cellpar=list(entry.cellpar),
        primitive_cell=False,
    )
    is_li = np.array(full.get_chemical_symbols()) == "Li"
    li = np.flatnonzero(is_li)
    kept = li[_first_of_pairs(full.get_scaled_positions()[li], full.cell.array, LI_EXCLUSION_A)]
    atoms = full[np.concatenate([np.flatnonzero(~is_li), kept])]
    counts = {s: atoms.get_chemical_symbols().count(s) for s in set(atoms.get_chemical_symbols())}
    if counts != {"Li": 24, "P": 4, "S": 20, "Cl": 4}:
        raise SsblabError(f"ordered Li6PS5Cl came out as {counts}, not Li24P4S20Cl4")
    return atoms


#: Vacuum around a molecule on every side [Å] (the seed's "at least 10 Å").
MOLECULE_VACUUM_A = 10.0


def p4s10() -> Atoms:
    """One P4S10 molecule (the building block of the P2S5 crystal) in a box with 10 Å vacuum.

    Built from the molecule's topology only: P on the corners of a tetrahedron,
    six S bridging its edges (the adamantane-type P4S6 cage, P–S–P ≈ 109.5°)
    and one terminal S on each P, with starting P–S lengths of 2.1 Å (bridge)
    and 1.9 Å (terminal); the geometry is the potential's after relaxation.
    The molecule stands in for the triclinic P4S10 crystal, whose atomic
    coordinates ssblab has not retrieved from a published source.
    """
    from ase import Atoms

    bridge, terminal = 2.1, 1.9
    t = bridge / np.sqrt(3.0)  # P at t(±1,±1,±1) (even parity), S_bridge at 2t on the axes
    corners = t * np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    axes = 2 * t * np.vstack([np.eye(3), -np.eye(3)])
    ends = corners + terminal * corners / np.linalg.norm(corners, axis=1)[:, None]
    atoms = Atoms("P4S6S4", positions=np.vstack([corners, axes, ends]))
    atoms.center(vacuum=MOLECULE_VACUUM_A)
    atoms.pbc = True
    return atoms


#: Builders a structures.toml entry may name with ``builder = "<name>"``.
BUILDERS: dict[str, Callable[[], Atoms]] = {
    "lgps": lgps,
    "p4s10": p4s10,
    "argyrodite": argyrodite,
}
