"""Geometry of slabs and interfaces: heights, vacuum, framework bonds, empty sites.

The surface normal is the cross product of the first two cell vectors; a
"height" is an atom's coordinate along it. Lengths in Å, areas in Å².
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import SsblabError

if TYPE_CHECKING:
    from ase import Atoms

#: Framework bond: cation–anion distance below this factor × the covalent radii sum.
BOND_FACTOR = 1.2
ANIONS = frozenset({"O", "S", "Cl", "N", "F"})
#: Tags of the two parts in the ASE atoms.
SUBSTRATE_TAG, FILM_TAG = 1, 2


def normal(atoms: Atoms) -> np.ndarray:
    """Unit vector normal to the first two cell vectors."""
    n = np.cross(atoms.cell.array[0], atoms.cell.array[1])
    return n / np.linalg.norm(n)


def heights(atoms: Atoms) -> np.ndarray:
    """Coordinate of each atom along the surface normal [Å]."""
    return atoms.positions @ normal(atoms)


def vacuum_thickness(atoms: Atoms) -> float:
    """Widest empty layer along the normal, across the periodic boundary [Å]."""
    period = float(atoms.cell.array[2] @ normal(atoms))
    z = np.sort(atoms.get_scaled_positions()[:, 2]) * period
    gaps = np.diff(np.append(z, z[0] + period))
    return float(gaps.max())


def in_plane_area(atoms: Atoms) -> float:
    """Area of the cell's a×b face [Å²]."""
    return float(np.linalg.norm(np.cross(atoms.cell.array[0], atoms.cell.array[1])))


def framework_bonds(atoms: Atoms, same_part: bool = True) -> np.ndarray:
    """Pairs (i, j) of non-Li cation–anion bonds (within :data:`BOND_FACTOR` of covalent radii).

    With *same_part*, only bonds inside one slab (equal tags) count.
    """
    from ase.data import covalent_radii
    from ase.neighborlist import neighbor_list

    symbols = np.array(atoms.get_chemical_symbols())
    cutoffs = covalent_radii[atoms.numbers] * BOND_FACTOR
    i, j = neighbor_list("ij", atoms, cutoffs.tolist(), self_interaction=False)
    anion = np.isin(symbols, list(ANIONS))
    cation = ~anion & (symbols != "Li")
    keep = cation[i] & anion[j]
    if same_part:
        keep &= atoms.get_tags()[i] == atoms.get_tags()[j]
    return np.stack([i[keep], j[keep]], axis=1)


def bulk_coordination(bulk: Atoms) -> dict[str, int]:
    """Anion coordination of each non-Li cation species in a bulk crystal (its minimum)."""
    pairs = framework_bonds(bulk, same_part=False)
    symbols = np.array(bulk.get_chemical_symbols())
    counts = np.bincount(pairs[:, 0], minlength=len(bulk)) if len(pairs) else np.zeros(len(bulk))
    out = {}
    for sym in set(symbols) - ANIONS - {"Li"}:
        out[sym] = int(counts[symbols == sym].min())
    return out


def missing_bonds(slab: Atoms, coordination: dict[tuple[int, str], int]) -> int:
    """Framework bonds the non-Li cations of *slab* lack against their bulk.

    *coordination* maps (tag, cation symbol) to the bulk coordination of that part.
    """
    pairs = framework_bonds(slab)
    symbols = np.array(slab.get_chemical_symbols())
    counts = np.bincount(pairs[:, 0], minlength=len(slab)) if len(pairs) else np.zeros(len(slab))
    total = 0
    for k, (tag, sym) in enumerate(zip(slab.get_tags(), symbols, strict=True)):
        total += max(0, coordination.get((int(tag), str(sym)), 0) - int(counts[k]))
    return int(total)


def largest_void_between(atoms: Atoms, z_lo: float, z_hi: float, grid: int = 16) -> np.ndarray:
    """Cartesian point [Å] farthest from every atom with normal coordinate in [z_lo, z_hi]."""
    from ase.geometry import get_distances

    if z_hi <= z_lo:
        raise SsblabError(f"empty height window [{z_lo:.2f}, {z_hi:.2f}] Å")
    n = normal(atoms)
    uv = np.arange(grid) / grid
    zs = np.arange(z_lo, z_hi + 1e-9, 0.2)
    u, v, z = np.meshgrid(uv, uv, zs, indexing="ij")
    cell = atoms.cell.array
    points = u.reshape(-1, 1) * cell[0] + v.reshape(-1, 1) * cell[1] + z.reshape(-1, 1) * n[None, :]
    _, dist = get_distances(points, atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    return points[int(np.argmax(dist.min(axis=1)))]
