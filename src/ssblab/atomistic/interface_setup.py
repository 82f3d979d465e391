"""Steps of an interface calculation: slabs joined, the gap scanned, atoms held or freed.

Helpers of :mod:`ssblab.atomistic.interface_energy`; tags 1 (substrate) and 2
(film) as in :mod:`ssblab.atomistic.slab_geometry`. Lengths in Å, energies in eV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ssblab.atomistic.slab_geometry import (
    ANIONS,
    FILM_TAG,
    SUBSTRATE_TAG,
    constrain,
    constrained_indices,
    heights,
    layers,
    near,
    normal,
)

if TYPE_CHECKING:
    from ase import Atoms

#: Rigid film shifts [Å] scanned for the starting slab distance.
GAP_SHIFTS_A = (-0.4, -0.2, 0.0, 0.2, 0.4, 0.7, 1.0)
#: An anion that moves farther than this in the relaxation counts as pulled [Å].
PULLED_A = 1.0


def part(atoms: Atoms, tag: int) -> Atoms:
    """The atoms of one slab (tag 1 substrate, 2 film), constraints kept."""
    return atoms[atoms.get_tags() == tag]


def joined(start: Atoms, substrate: Atoms, film: Atoms, shift_A: float = 0.0) -> Atoms:
    """*start* with relaxed slabs put back, the film moved *shift_A* along the normal [Å]."""
    out = start.copy()
    out.set_constraint()
    tags = out.get_tags()
    positions = out.positions.copy()
    positions[tags == SUBSTRATE_TAG] = substrate.positions
    positions[tags == FILM_TAG] = film.positions + shift_A * normal(out)
    out.positions = positions
    constrain(out, constrained_indices(start)[0])
    return out


def best_gap(atoms: Atoms, model: str) -> float:
    """Rigid film shift [Å] of lowest energy over :data:`GAP_SHIFTS_A` (parabola-refined)."""
    from ssblab.atomistic.relax import single_point

    shifts = np.asarray(GAP_SHIFTS_A)
    film = atoms.get_tags() == FILM_TAG
    energies = []
    for d in shifts:
        trial = atoms.copy()
        trial.set_constraint()
        trial.positions[film] += d * normal(trial)
        energies.append(single_point(trial, model))
    k = int(np.argmin(energies))
    if 0 < k < len(shifts) - 1:
        c2, c1, _ = np.polyfit(shifts[k - 1 : k + 2], energies[k - 1 : k + 2], 2)
        if c2 > 0:
            return float(np.clip(-c1 / (2 * c2), shifts[k - 1], shifts[k + 1]))
    return float(shifts[k])


def pin_film_top(atoms: Atoms) -> Atoms:
    """A copy whose outermost film layer moves along the normal only (no lateral glide)."""
    out = atoms.copy()
    fixed, line = constrained_indices(atoms)
    top = layers(out, np.flatnonzero(out.get_tags() == FILM_TAG))[-1]
    constrain(out, fixed, line | set(top.tolist()))
    return out


def anion_shifts(start: Atoms, end: Atoms) -> np.ndarray:
    """Displacement length [Å] of every anion (O, S, Cl, ...) between two states."""
    from ase.geometry import find_mic

    anion = np.isin(start.get_chemical_symbols(), list(ANIONS))
    _, lengths = find_mic(end.positions - start.positions, start.cell, start.pbc)
    return lengths[anion]


def with_li(atoms: Atoms, position: np.ndarray) -> Atoms:
    """A copy of *atoms* with one extra Li at *position* [Å], tagged as the film."""
    from ase import Atom

    out = atoms.copy()
    out.append(Atom("Li", position=position, tag=FILM_TAG))
    return out


def slab_edges(atoms: Atoms) -> tuple[float, float]:
    """(top of the substrate, bottom of the film) along the normal [Å]."""
    z, tags = heights(atoms), atoms.get_tags()
    return float(z[tags == SUBSTRATE_TAG].max()), float(z[tags == FILM_TAG].min())


def moved_li(initial: Atoms, position: np.ndarray, radius_A: float) -> tuple[Atoms, Atoms]:
    """Band end points: *initial* and a copy with its last atom (the Li) at *position* [Å].

    In both, atoms farther than *radius_A* from the Li at either position are
    held (at the positions of *initial*, so the two end points share them) on
    top of the constraints *initial* already has.
    """
    final = initial.copy()
    final.positions[-1] = position
    close = near(initial, initial.positions[-1], radius_A) | near(final, position, radius_A)
    fixed, line = constrained_indices(initial)
    held = fixed | set(np.flatnonzero(~close).tolist())
    out = []
    for atoms in (initial, final):
        copy = atoms.copy()
        constrain(copy, held, line - held)
        out.append(copy)
    return out[0], out[1]


def bulk_binding(name: str, model: str) -> float | None:
    """E of an extra Li in bulk *name* vs Li metal [eV] (0 for Li; void site otherwise)."""
    if name == "Li":
        return 0.0
    from ssblab.atomistic.screen import BindingJob, run_job
    from ssblab.atomistic.stability import KINETICS_MIN_LENGTH_A

    job = BindingJob(
        name, site="void", model=model, min_length_A=KINETICS_MIN_LENGTH_A.get(name, 8.0)
    )
    return run_job(job).E_int_vs_metal_eV
