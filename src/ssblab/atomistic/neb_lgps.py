"""The Li path along a c-axis channel of ordered Li10GeP2S12 (16h → 8f → 16h), built in code.

In P4_2/nmc LGPS the fast Li channels run along c through Li1 (16h) and Li3
(8f) sites: 8f, a pair of 16h sites 1.7 Å apart, 8f, another pair, with 2.3 Å
between an 8f site and the nearer site of each pair (Kamaya et al., Nat. Mater.
10 (2011) 682; the sites as in pymatgen's ``Li10GeP2S12.json``). The ordered
model (:func:`ssblab.atomistic.ordered.lgps`) fills every 8f site and one site of
each pair, so each channel reads, along c: an 8f Li flanked by two 16h Li at
2.3 Å (a trimer), then an *isolated* 8f Li with both channel neighbours ~4 Å away.

The path (:func:`channel_hop`): the isolated 8f Li and the 16h Li of the pair
above it are removed (two Li vacancies in one channel); the 16h Li of the pair
below then moves up the channel through the empty second site of its pair, the
empty 8f site and the empty near site of the upper pair into the upper pair's
far site. Start and end each have the Li next to an occupied 8f site across
the same empty stretch of channel: the two states are mirror images under the
two-fold axis of the 8f site in P4_2/nmc, a symmetry the ordered model keeps
for the Li and S and breaks only by its Ge/P order (Ge and P swap), so the
end-state energy difference measures that ordering and is reported.
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

#: A channel Li lies within this distance of the channel axis, in the ab plane [Å].
CHANNEL_RADIUS_A = 0.8
#: Channel neighbours farther than this leave an 8f Li "isolated" (no 16h at 2.3 Å) [Å].
ISOLATED_GAP_A = 3.0

CHANNEL_MECHANISM = (
    "Li vacancy migration along the c-axis channel of ordered LGPS, 16h -> 8f -> 16h "
    "(two Li vacancies in the channel: the isolated 8f Li and the 16h Li above it), "
    "start and end states mirror images across the empty 8f site; the channel is "
    "the fast-diffusion direction of LGPS (Kamaya et al. 2011; Mo, Ong, Ceder 2012)"
)


@dataclass(frozen=True)
class ChannelPath:
    """Initial and final states of the channel hop and the mover's waypoints.

    ``waypoints_A`` are the Cartesian positions [Å] the moving Li passes on its
    way (the empty 16h partner, the empty 8f site, the empty near 16h site above),
    in the cell of ``initial``; ``mover`` indexes the moving Li in both states.
    """

    initial: Atoms
    final: Atoms
    mover: int
    waypoints_A: tuple[np.ndarray, ...]
    removed: tuple[int, int]


def _channels(atoms: Atoms) -> list[np.ndarray]:
    """Li indices of each c-axis channel (Li near the axes at (1/4|3/4, 1/4|3/4) of a cell)."""
    li = np.flatnonzero(np.array(atoms.get_chemical_symbols()) == "Li")
    frac = atoms.get_scaled_positions(wrap=True)[li]
    reps = np.maximum(np.rint(atoms.cell.lengths()[:2] / 8.0).astype(int), 1)
    out = []
    for i in range(2 * reps[0]):
        for j in range(2 * reps[1]):
            axis = np.array([(i + 0.5) / (2 * reps[0]), (j + 0.5) / (2 * reps[1])])
            d = frac[:, :2] - axis
            d -= np.round(d)
            lateral = np.linalg.norm(d @ atoms.cell.array[:2, :2], axis=1)
            members = li[lateral < CHANNEL_RADIUS_A]
            if members.size:
                out.append(members)
    return out


def _along_c(
    atoms: Atoms, ref: int, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indices, vectors from atom *ref*, heights along c) of the channel *members*
    and their periodic images within ¾ of a period, sorted by height (so a
    one-cell-high channel still lists the 8f site below and above) [Å]."""
    c = atoms.cell.array[2]
    length = float(np.linalg.norm(c))
    vectors = atoms.get_distances(ref, members, mic=True, vector=True)
    idx, vec = [], []
    for m, v in zip(members, vectors, strict=True):
        for shift in (-1, 0, 1):
            w = v + shift * c
            if 1e-6 < abs(w @ c) / length < 0.75 * length:
                idx.append(m)
                vec.append(w)
    height = np.array([w @ c for w in vec]) / length
    order = np.argsort(height)
    return np.array(idx)[order], np.array(vec)[order], height[order]


def channel_hop(host: Atoms) -> ChannelPath:
    """The 16h → 8f → 16h channel path in *host* (the relaxed ordered LGPS cell or a supercell).

    The isolated 8f Li nearest the cell centre defines the channel segment.
    Raises :class:`SsblabError` when *host* has no channel of the ordered model's pattern.
    """
    centre = host.cell.array.sum(axis=0) / 2
    candidates = []
    for members in _channels(host):
        for ref in members:
            idx, vec, height = _along_c(host, ref, members)
            below, above = height[height < 0], height[height > 0]
            if len(below) < 2 or len(above) < 2:
                continue
            if min(-below[-1], above[0]) > ISOLATED_GAP_A:
                off = float(np.linalg.norm(host.positions[ref] - centre))
                candidates.append((off, ref, idx, vec, height))
    if not candidates:
        raise SsblabError(
            f"{host.get_chemical_formula()}: no c-axis channel with an isolated 8f Li "
            "(the ordered LGPS pattern) was found"
        )
    _, iso, idx, vec, height = min(candidates, key=lambda c: (round(c[0], 3), c[1]))
    down, up = height < 0, height > 0
    h_below, h_above = idx[down][-1], idx[up][0]
    v_h_below, v_f_lower = vec[down][-1], vec[down][-2]
    v_h_above, v_f_upper = vec[up][0], vec[up][1]
    origin = host.positions[iso]
    # Empty partner of each pair: its occupied site reflected through the midpoint of
    # the two 8f sites around the pair (the inversion centre of P4_2/nmc between them).
    partner_below = origin + v_f_lower - v_h_below
    partner_above = origin + v_f_upper - v_h_above
    removed = (int(iso), int(h_above))
    keep = [i for i in range(len(host)) if i not in removed]
    initial = host[keep]
    mover = keep.index(int(h_below))
    final = initial.copy()
    final.positions[mover] = origin + v_h_above
    # Waypoints relative to the mover's start, so they follow its periodic image.
    start = initial.positions[mover]
    rel = [partner_below, origin.copy(), partner_above]
    anchor = origin + v_h_below
    waypoints_A = tuple(start + (p - anchor) for p in rel)
    final.positions[mover] = start + (origin + v_h_above - anchor)
    return ChannelPath(initial, final, mover, waypoints_A, removed)


def channel_sites(host: Atoms) -> dict[str, float]:
    """Distances [Å] along the channel path of *host*: each leg, for tests and the report."""
    path = channel_hop(host)
    points = [
        path.initial.positions[path.mover],
        *path.waypoints_A,
        path.final.positions[path.mover],
    ]
    legs = [float(np.linalg.norm(b - a)) for a, b in pairwise(points)]
    names = ("16h -> 16h partner", "16h -> 8f", "8f -> 16h", "16h -> 16h partner above")
    return dict(zip(names, legs, strict=True))
