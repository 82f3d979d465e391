"""The Li path along a c-axis channel of ordered Li10GeP2S12 (16h → 8f → 16h), built in code.

In P4_2/nmc LGPS the fast Li channels run along c through Li1 (16h) and Li3
(8f) sites: 8f, a pair of 16h sites 1.7 Å apart, 8f, another pair (Kamaya et
al., Nat. Mater. 10 (2011) 682; sites as in pymatgen's ``Li10GeP2S12.json``).
The ordered model (:func:`ssblab.atomistic.ordered.lgps`) fills every 8f site
and one site of each 16h pair, so a channel holds, along c, 8f – 16h – 8f – 16h
per cell. Relaxed by CHGNet, each 16h Li moves about 1.2 Å, to the middle of
its pair and about 1 Å off the channel axis (it stays between the two 8f Li).

The path (:func:`channel_hop`), found on the unrelaxed model and applied by atom
index to the relaxed cell (same atom order): of the 8f Li nearest the cell
centre, the Li itself and the 16h Li above it are removed (two Li vacancies in
one channel); the 16h Li below then moves up the channel through the empty 8f
site into the place of the removed 16h Li. Start and end each have the moving
Li next to an occupied 8f site across the same empty stretch: mirror images
under the two-fold axis of the 8f site in P4_2/nmc, which the ordered model
keeps for the Li and S framework and breaks by its Ge/P order (Ge and P swap),
so the end-state energy difference is that ordering's, and is reported.
Distances in Å.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import SsblabError

if TYPE_CHECKING:
    from ase import Atoms

#: A channel Li of the unrelaxed model lies within this distance of the axis [Å].
CHANNEL_RADIUS_A = 0.8
#: Atoms in the ordered LGPS cell (Li20Ge2P4S24).
CELL_ATOMS = 50

CHANNEL_MECHANISM = (
    "Li vacancy migration along the c-axis channel of ordered LGPS, 16h -> 8f -> 16h "
    "(two Li vacancies in the channel: an 8f Li and the 16h Li above it), start and "
    "end states mirror images across the empty 8f site; the channel is the "
    "fast-diffusion direction of LGPS (Kamaya et al. 2011)"
)


@dataclass(frozen=True)
class ChannelPath:
    """Initial and final states of the channel hop and the mover's waypoint.

    ``waypoints_A`` holds the Cartesian position [Å] of the empty 8f site the
    moving Li passes, in the cell of ``initial``; ``mover`` indexes the moving Li
    in both states; ``removed`` the two Li taken out of the host (8f, 16h).
    """

    initial: Atoms
    final: Atoms
    mover: int
    waypoints_A: tuple[np.ndarray, ...]
    removed: tuple[int, int]


def _reference(host: Atoms) -> Atoms:
    """The unrelaxed ordered model repeated like *host* (same atom order)."""
    from ssblab.atomistic.structures import conventional_cell

    unit = conventional_cell("LGPS")
    reps = np.rint(host.cell.lengths() / unit.cell.lengths()).astype(int)
    ref = unit.repeat(tuple(int(r) for r in reps))
    if len(host) % CELL_ATOMS or len(ref) != len(host):
        raise SsblabError(
            f"{host.get_chemical_formula()}: not a repeat of the ordered 50-atom LGPS cell"
        )
    if ref.get_chemical_symbols() != host.get_chemical_symbols():
        raise SsblabError("the host's atom order differs from the ordered LGPS model")
    return ref


def _channels(ref: Atoms) -> list[np.ndarray]:
    """Li indices of each c-axis channel of the unrelaxed model (axes at (1/4|3/4, 1/4|3/4))."""
    li = np.flatnonzero(np.array(ref.get_chemical_symbols()) == "Li")
    frac = ref.get_scaled_positions(wrap=True)[li]
    unit_ab = ref.cell.lengths()[:2]
    reps = np.maximum(np.rint(unit_ab / 8.69).astype(int), 1)
    out = []
    for i in range(2 * reps[0]):
        for j in range(2 * reps[1]):
            axis = np.array([(i + 0.5) / (2 * reps[0]), (j + 0.5) / (2 * reps[1])])
            d = frac[:, :2] - axis
            d -= np.round(d)
            lateral = np.linalg.norm(d @ ref.cell.array[:2, :2], axis=1)
            members = li[lateral < CHANNEL_RADIUS_A]
            if members.size:
                out.append(members)
    return out


def _is_8f(ref: Atoms, i: int) -> bool:
    """True for an 8f Li of the unrelaxed model (fractional z on 0 or ½ of its cell)."""
    z = ref.get_scaled_positions(wrap=True)[i, 2] * np.rint(ref.cell.lengths()[2] / 12.5994)
    return bool(abs(2 * z - np.rint(2 * z)) < 0.02)


def _neighbours_along_c(ref: Atoms, ref_i: int, members: np.ndarray) -> tuple[int, int]:
    """(below, above): the channel Li nearest atom *ref_i* below and above it along c."""
    c = ref.cell.array[2] / np.linalg.norm(ref.cell.array[2])
    others = members[members != ref_i]
    height = ref.get_distances(ref_i, others, mic=True, vector=True) @ c
    below, above = others[height < 0], others[height > 0]
    if not below.size or not above.size:
        raise SsblabError("an LGPS channel needs Li below and above the 8f site")
    return int(below[np.argmax(height[height < 0])]), int(above[np.argmin(height[height > 0])])


def channel_hop(host: Atoms) -> ChannelPath:
    """The 16h → 8f → 16h channel path in *host* (the ordered LGPS cell, relaxed or not,
    or a repeat of it). Raises :class:`SsblabError` for any other cell."""
    ref = _reference(host)
    centre = ref.cell.array.sum(axis=0) / 2
    best = None
    for members in _channels(ref):
        for i in members:
            if not _is_8f(ref, int(i)):
                continue
            below, above = _neighbours_along_c(ref, int(i), members)
            if _is_8f(ref, below) or _is_8f(ref, above):
                continue
            key = (round(float(np.linalg.norm(ref.positions[i] - centre)), 3), int(i))
            if best is None or key < best[0]:
                best = (key, int(i), below, above)
    if best is None:
        raise SsblabError("no 8f Li between two 16h Li in the ordered LGPS channels")
    _, iso, below, above = best
    origin = host.positions[iso]
    up = host.get_distances(iso, [above], mic=True, vector=True)[0]
    down = host.get_distances(iso, [below], mic=True, vector=True)[0]
    removed = (iso, above)
    keep = [k for k in range(len(host)) if k not in removed]
    initial = host[keep]
    mover = keep.index(below)
    initial.positions[mover] = origin + down  # the image of the 16h Li just below the 8f
    final = initial.copy()
    final.positions[mover] = origin + up
    return ChannelPath(initial, final, mover, (origin.copy(),), removed)


def channel_legs(host: Atoms) -> tuple[float, float]:
    """Lengths [Å] of the two legs of the channel path, 16h → 8f and 8f → 16h."""
    path = channel_hop(host)
    mover = path.mover
    points = [path.initial.positions[mover], *path.waypoints_A, path.final.positions[mover]]
    first, second = (float(np.linalg.norm(b - a)) for a, b in pairwise(points))
    return first, second
