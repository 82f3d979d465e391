"""End points and starting bands of Li hops for the NEB in :mod:`ssblab.atomistic.neb`.

Three kinds of hop in a periodic supercell of a relaxed crystal (every builder
returns states with the same atoms in the same order, as NEB requires):

- :func:`vacancy_hop`: a vacancy at one atom of the species, its nearest
  same-species neighbour jumps into it;
- :func:`solute_vacancy_hop`: a substitutional solute (Li on an Al site)
  exchanges with a vacancy on a neighbouring lattice site;
- :func:`interstitial_hop`: an extra Li between two named interstitial sites
  through a third.

:func:`bent_path` and :func:`polyline_path` give a starting band through named
intermediate positions instead of a straight interpolation. Distances in Å.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from ssblab.atomistic.binding import host_cell, site_position, with_interstitial
from ssblab.errors import SsblabError

if TYPE_CHECKING:
    from ase import Atoms

#: Neighbours within this factor of the nearest distance count for a directed hop.
SHELL_TOLERANCE = 1.25


def _central_atom(atoms: Atoms, species: str) -> int:
    """Index of the *species* atom closest to the cell centre."""
    idx = np.flatnonzero(np.array(atoms.get_chemical_symbols()) == species)
    if idx.size < 2:
        raise SsblabError(f"{atoms.get_chemical_formula()}: needs two {species} atoms for a hop")
    centre = atoms.cell.array.sum(axis=0) / 2
    return int(idx[np.argmin(np.linalg.norm(atoms.positions[idx] - centre, axis=1))])


def _nearest_same_species(atoms: Atoms, i: int, axis: int | None = None) -> int:
    """Index of the nearest atom of the same species as atom *i* (minimum image).

    With *axis* (0, 1, 2 for a, b, c), the neighbour within
    :data:`SHELL_TOLERANCE` × the nearest distance whose hop is best aligned
    with that cell axis.
    """
    symbols = np.array(atoms.get_chemical_symbols())
    same = np.flatnonzero((symbols == symbols[i]) & (np.arange(len(atoms)) != i))
    vectors = atoms.get_distances(i, same, mic=True, vector=True)
    distances = np.linalg.norm(vectors, axis=1)
    if axis is None:
        return int(same[np.argmin(distances)])
    shell = distances <= SHELL_TOLERANCE * distances.min()
    direction = atoms.cell.array[axis] / np.linalg.norm(atoms.cell.array[axis])
    alignment = np.abs(vectors @ direction) / distances
    alignment[~shell] = -1.0
    return int(same[np.argmax(alignment)])


def _aligned_pair(atoms: Atoms, species: str, axis: int) -> tuple[int, int]:
    """(vacancy, mover): the *species* pair whose short hop is best aligned with cell *axis*.

    Short means within :data:`SHELL_TOLERANCE` × the shortest *species*–*species*
    distance; among equally aligned hops the vacancy nearest the cell centre wins.
    """
    idx = np.flatnonzero(np.array(atoms.get_chemical_symbols()) == species)
    vectors = atoms.get_all_distances(mic=True, vector=True)[np.ix_(idx, idx)]
    lengths = np.linalg.norm(vectors, axis=2)
    np.fill_diagonal(lengths, np.inf)
    direction = atoms.cell.array[axis] / np.linalg.norm(atoms.cell.array[axis])
    with np.errstate(invalid="ignore", divide="ignore"):
        alignment = np.abs(vectors @ direction) / lengths
    alignment[lengths > SHELL_TOLERANCE * lengths.min()] = -1.0
    centre = atoms.cell.array.sum(axis=0) / 2
    off_centre = np.linalg.norm(atoms.positions[idx] - centre, axis=1)
    score = np.round(alignment, 3) - 1e-6 * off_centre[:, None]
    i, j = np.unravel_index(int(np.argmax(score)), score.shape)
    return int(idx[i]), int(idx[j])


def vacancy_hop(host: Atoms, species: str, axis: int | None = None) -> tuple[Atoms, Atoms]:
    """Initial and final states of a nearest-neighbour *species* vacancy hop in *host*.

    The vacancy is made at the *species* atom nearest the cell centre; its
    nearest same-species neighbour (along cell *axis* if given) moves into it.
    Atom order is the same in both states, as NEB requires.
    """
    if axis is None:
        vacant = _central_atom(host, species)
        mover = _nearest_same_species(host, vacant)
    else:
        vacant, mover = _aligned_pair(host, species, axis)
    target = host.positions[vacant].copy()
    initial = host.copy()
    del initial[vacant]
    final = initial.copy()
    mover -= mover > vacant
    final.positions[mover] = target
    return initial, final


def solute_vacancy_hop(host: Atoms, solute: str = "Li") -> tuple[Atoms, Atoms]:
    """A substitutional *solute* next to a vacancy in a pure metal *host*, and the exchanged state.

    The host atom nearest the cell centre becomes the solute; its nearest
    neighbour is removed (the vacancy); in the final state the solute sits on
    the vacant site. Atom order is the same in both states.
    """
    matrix = host.get_chemical_symbols()[0]
    site = _central_atom(host, matrix)
    neighbour = _nearest_same_species(host, site)
    target = host.positions[neighbour].copy()
    initial = host.copy()
    initial[site].symbol = solute
    del initial[neighbour]
    site -= site > neighbour
    final = initial.copy()
    final.positions[site] = target
    return initial, final


def interstitial_hop(
    name: str, host: Atoms, species: str, sites: tuple[str, str, str], model: str
) -> tuple[Atoms, Atoms, Atoms]:
    """Initial, middle and final states of an extra *species* atom hopping from
    ``sites[0]`` through ``sites[1]`` to ``sites[2]`` (named sites of *name*)."""
    if len(sites) != 3:
        raise SsblabError(f"{name}: an interstitial hop lists three sites, got {list(sites)}")
    unit = host_cell(name, model)
    start, via, end = (
        with_interstitial(host, species, site_position(name, unit, s)) for s in sites
    )
    return start, via, end


def _leg(a: np.ndarray, b: np.ndarray, atoms: Atoms) -> np.ndarray:
    """Minimum-image displacements [Å] from positions *a* to *b* in the cell of *atoms*."""
    from ase.geometry import find_mic

    return find_mic(b - a, atoms.cell, atoms.pbc)[0]


def polyline_path(
    initial: Atoms,
    final: Atoms,
    mover: int,
    waypoints_A: Sequence[np.ndarray],
    n_images: int,
) -> list[np.ndarray]:
    """Positions [Å] of *n_images* images: atom *mover* on straight legs through *waypoints_A*.

    The moving atom goes initial → each waypoint (Cartesian, in the cell of
    *initial*) → final, the images spaced evenly along its path length; every
    other atom moves on the straight (minimum-image) line from its initial to
    its final position by the same fraction of the path.
    """
    start, end = initial.positions[mover], final.positions[mover]
    nodes = [start, *[np.asarray(w, dtype=float) for w in waypoints_A], end]
    legs = [b - a for a, b in pairwise(nodes)]
    lengths = np.linalg.norm(legs, axis=1)
    if not np.all(lengths > 1e-6):
        raise SsblabError("two consecutive points of the path coincide")
    ends = np.concatenate([[0.0], np.cumsum(lengths)])
    rest = _leg(initial.positions, final.positions, initial)
    path = []
    for s in np.linspace(0.0, ends[-1], n_images + 2)[1:-1]:
        k = min(int(np.searchsorted(ends, s, side="right")) - 1, len(legs) - 1)
        positions = initial.positions + (s / ends[-1]) * rest
        positions[mover] = nodes[k] + (s - ends[k]) / lengths[k] * legs[k]
        path.append(positions)
    return path


def bent_path(initial: Atoms, via: Atoms, final: Atoms, n_images: int) -> list[np.ndarray]:
    """Positions [Å] of *n_images* images on two straight legs, initial → via → final.

    Each leg is half of the path parameter; displacements use the minimum image.
    """
    first = _leg(initial.positions, via.positions, initial)
    second = _leg(via.positions, final.positions, initial)
    path = []
    for s in np.linspace(0.0, 1.0, n_images + 2)[1:-1]:
        if s <= 0.5:
            path.append(initial.positions + (s / 0.5) * first)
        else:
            path.append(via.positions + ((s - 0.5) / 0.5) * second)
    return path


def mic_vector(vector: np.ndarray, atoms: Atoms) -> np.ndarray:
    """The shortest periodic image of a displacement *vector* [Å] in the cell of *atoms*."""
    return _leg(np.zeros((1, 3)), vector[None, :], atoms)[0]
