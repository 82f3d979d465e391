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


def layers(atoms: Atoms, indices: np.ndarray, tol_A: float = 0.5) -> list[np.ndarray]:
    """*indices* grouped into atomic layers along the normal, lowest first.

    A layer ends where the next height is more than *tol_A* [Å] above the previous atom.
    """
    z = heights(atoms)
    order = np.asarray(indices)[np.argsort(z[indices])]
    groups: list[list[int]] = []
    for i in order:
        if groups and z[i] - z[groups[-1][-1]] <= tol_A:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    return [np.array(g) for g in groups]


def geometry(atoms: Atoms) -> dict[str, list]:
    """Numbers, positions [Å], cell [Å], tags and constraints of *atoms* as JSON lists.

    ``fixed``: atoms held in place (``FixAtoms``); ``normal_only``: atoms that
    move along the surface normal only (``FixedLine``).
    """
    from ase.constraints import FixAtoms, FixedLine

    fixed = [int(i) for c in atoms.constraints if isinstance(c, FixAtoms) for i in c.index]
    line = [int(i) for c in atoms.constraints if isinstance(c, FixedLine) for i in c.index]
    return {
        "numbers": atoms.numbers.tolist(),
        "positions": atoms.positions.round(5).tolist(),
        "cell": atoms.cell.array.tolist(),
        "tags": atoms.get_tags().tolist(),
        "fixed": fixed,
        "normal_only": line,
    }


def constrain(atoms: Atoms, fixed, normal_only=()) -> None:
    """Set *fixed* atoms held in place and *normal_only* ones free along the normal only."""
    from ase.constraints import FixAtoms, FixedLine

    fixed = sorted({int(i) for i in fixed})
    line = sorted({int(i) for i in normal_only} - set(fixed))
    cons = [FixAtoms(indices=fixed)]
    if line:
        cons.append(FixedLine(line, normal(atoms)))
    atoms.set_constraint(cons)


def from_geometry(data: dict[str, list]) -> Atoms:
    """ASE atoms from :func:`geometry` output, with the same constraints."""
    from ase import Atoms

    atoms = Atoms(data["numbers"], positions=data["positions"], cell=data["cell"], pbc=True)
    atoms.set_tags(data["tags"])
    constrain(atoms, data["fixed"], data.get("normal_only", ()))
    return atoms


def constrained_indices(atoms: Atoms) -> tuple[set[int], set[int]]:
    """(held in place, normal-only) atom indices of *atoms*."""
    data = geometry(atoms)
    return set(data["fixed"]), set(data["normal_only"])


def near(atoms: Atoms, point: np.ndarray, radius_A: float) -> np.ndarray:
    """Mask of atoms within *radius_A* [Å] of *point* (minimum image)."""
    from ase.geometry import get_distances

    _, dist = get_distances([point], atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    return dist[0] <= radius_A
