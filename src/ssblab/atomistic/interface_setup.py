"""Steps of an interface calculation: slabs joined, the gap scanned, atoms held or freed.

Helpers of :mod:`ssblab.atomistic.interface_energy`; tags 1 (substrate) and 2
(film) as in :mod:`ssblab.atomistic.slab_geometry`. Lengths in Å, energies in eV.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

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

#: Stage callback: (stage name, optimizer steps done in it).
StageCallback = Callable[[str, int], object]
#: Optimizer scheme of every interface relaxation (see :func:`ssblab.atomistic.relax.relax`).
OPTIMIZER = "fire-bfgs"
#: Rigid film shifts [Å] scanned for the starting slab distance.
GAP_SHIFTS_A = (-0.4, -0.2, 0.0, 0.2, 0.4, 0.7, 1.0)
#: An anion that moves farther than this in the relaxation counts as pulled [Å].
PULLED_A = 1.0


class Stages:
    """Runs the relaxations of one calculation and records steps and convergence per stage."""

    def __init__(self, model: str, fmax: float, steps: int, on_step: StageCallback | None):
        self.model, self.fmax, self.cap, self.on_step = model, fmax, steps, on_step
        self.steps: dict[str, int] = {}
        self.converged: dict[str, bool] = {}

    def tick(self, name: str, n: int = 0) -> None:
        if self.on_step is not None:
            self.on_step(name, n)

    def band_step(self, n: int) -> None:
        """Band step callback: records the step count and ticks the progress bar."""
        self.steps["band"] = n
        self.tick("band", n)

    def all(self, earlier) -> dict[str, int]:
        """Steps per stage of *earlier* (a result with ``steps``) and of these stages."""
        return {**earlier.steps, **self.steps}

    def relax(self, name: str, atoms: Atoms, cap: int | None = None):
        from ssblab.atomistic.relax import relax

        done = relax(
            atoms,
            self.model,
            self.fmax,
            cap or self.cap,
            on_step=None if self.on_step is None else (lambda n: self.on_step(name, n)),
            optimizer=OPTIMIZER,
        )
        self.steps[name], self.converged[name] = done.steps, done.converged
        return done


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


def contact_reaction(before: Atoms, after: Atoms) -> tuple[int, int, np.ndarray]:
    """(framework bonds broken, bonds formed, anion displacement lengths [Å]) *before* -> *after*.

    *before* is the re-joined start of the contact relaxation (relaxed slabs at
    the gap-scan height), so neither the slabs' own relaxation nor the rigid
    gap-scan shift of the film counts as a reaction. Bonds are compared pair by
    pair, so a bond broken and another formed count once each, not as zero.
    """
    from ssblab.atomistic.slab_geometry import framework_bonds

    old = {tuple(p) for p in framework_bonds(before).tolist()}
    new = {tuple(p) for p in framework_bonds(after).tolist()}
    return len(old - new), len(new - old), anion_shifts(before, after)


#: Substrates whose Li sublattice is full and close-packed: Li enters them by filling a
#: Li vacancy of the first Li layer from the Li metal (no open interstitial network), and why.
VACANCY_CROSSING = {
    "LiAlO2": "alpha-LiAlO2: every octahedral Li site is filled in close-packed O",
    "LiAlO2_gamma": "gamma-LiAlO2: every tetrahedral Li site is filled in its LiO4/AlO4 framework",
}
#: Largest hop [Å] from the Li metal into a first-layer Li vacancy that counts as one hop.
MAX_HOP_A = 3.5
#: The straight path of the hop must stay this far from every other atom [Å].
MIN_CLEARANCE_A = 1.5
#: Substrate Li within this height [Å] of the highest substrate Li form its first Li layer.
LI_LAYER_TOL_A = 1.0
#: Atoms within this distance of the moving Li (either end point) relax in a vacancy hop [Å].
VACANCY_FREE_RADIUS_A = 6.0
#: An interstitial end point that relaxes closer than this to the start made no hop [Å].
MIN_INTERSTITIAL_HOP_A = 1.0
#: Stage names of the two end points of the vacancy hop at each depth.
HOP_STAGES = (("hop start", "Li in first layer"), ("2nd hop start", "Li in second layer"))


def path_clearance(atoms: Atoms, start: np.ndarray, end: np.ndarray, skip=(), n: int = 41):
    """Smallest distance [Å] from the straight segment *start*→*end* to any atom not in *skip*."""
    from ase.geometry import get_distances

    others = np.setdiff1d(np.arange(len(atoms)), np.asarray(skip, dtype=int))
    points = start + np.linspace(0.0, 1.0, n)[:, None] * (end - start)
    _, dist = get_distances(points, atoms.positions[others], cell=atoms.cell, pbc=atoms.pbc)
    return float(dist.min())


def first_li_layer(host: Atoms, depth: int = 0, free: bool = True) -> np.ndarray:
    """Substrate Li (with *free*, only those not held) of Li layer *depth* (0 the highest):
    each layer holds the Li within :data:`LI_LAYER_TOL_A` below the highest substrate Li
    left under the layers above it."""
    z, tags = heights(host), host.get_tags()
    fixed, _ = constrained_indices(host)
    li = np.flatnonzero((host.symbols == "Li") & (tags == SUBSTRATE_TAG))
    for _ in range(depth + 1):
        if li.size == 0:
            return li
        top = z[li].max()
        layer, li = li[z[li] >= top - LI_LAYER_TOL_A], li[z[li] < top - LI_LAYER_TOL_A]
    return np.array([i for i in layer if not (free and i in fixed)], int)


def vacancy_hops(host: Atoms, depth: int = 0) -> list[tuple[float, float, int, int]]:
    """(hop [Å], clearance [Å], vacancy index, mover index), shortest hop first (minimum
    image): a free film Li into each free site of the first substrate Li layer (*depth* 0),
    or a free Li of layer *depth* − 1 into each site of layer *depth* (held ones too: the
    held lower half stands for the bulk below)."""
    fixed, _ = constrained_indices(host)
    film = np.flatnonzero((host.symbols == "Li") & (host.get_tags() == FILM_TAG))
    movers = [i for i in film if i not in fixed] if depth == 0 else first_li_layer(host, depth - 1)
    out = []
    for v in first_li_layer(host, depth, free=depth == 0):
        vectors = host.get_distances(v, movers, mic=True, vector=True)
        for m, vec in zip(movers, vectors, strict=True):
            site = host.positions[m] - vec
            clear = path_clearance(host, host.positions[m], site, skip=(v, m))
            out.append((float(np.linalg.norm(vec)), clear, int(v), int(m)))
    return sorted(out)


#: Who moves into which vacancy at each depth, for the messages.
HOP_WORDS = (
    "a Li-metal atom into a Li vacancy of the first substrate Li layer",
    "a first-layer Li into a Li vacancy of the second substrate Li layer",
)


class VacancyHop(NamedTuple):
    """A chosen vacancy hop: lengths [Å], host indices, and its end points built once."""

    length_A: float
    clearance_A: float
    vacancy: int
    mover: int
    #: :func:`vacancy_end_points` of the hop: initial, final, the mover's index in them.
    initial: Atoms
    final: Atoms
    k: int


def choose_vacancy_hop(host: Atoms, depth: int = 0) -> tuple[VacancyHop | None, str]:
    """The shortest clear hop of at most :data:`MAX_HOP_A`, or None, and a sentence why."""
    hops = vacancy_hops(host, depth)
    if not hops:
        return None, f"no free Li for {HOP_WORDS[depth]}"
    for length, clear, v, m in hops:
        if length > MAX_HOP_A:
            break
        said = f"{HOP_WORDS[depth]}: hop {length:.2f} Å, straight path {clear:.2f} Å from "
        ends = vacancy_end_points(host, v, m, VACANCY_FREE_RADIUS_A)
        if clear >= MIN_CLEARANCE_A:
            return VacancyHop(length, clear, v, m, *ends), said + "the nearest atom"
        bent = idpp_clearance(*ends)
        if bent >= MIN_CLEARANCE_A:
            return VacancyHop(length, clear, v, m, *ends), (
                said + f"an atom, the IDPP start path bends around it ({bent:.2f} Å)"
            )
    length, clear, v, m = hops[0]
    return None, (
        f"no hop for {HOP_WORDS[depth]} is <= {MAX_HOP_A} Å with its straight (or IDPP) path "
        f">= {MIN_CLEARANCE_A} Å from other atoms: the shortest is {length:.2f} Å and passes "
        f"{clear:.2f} Å from {_blocker(host, v, m)}; the layer lies "
        f"{_depth(host, depth):.2f} Å below the substrate top"
    )


def idpp_clearance(initial: Atoms, final: Atoms, mover: int, n_images: int = 5) -> float:
    """Smallest distance [Å] of atom *mover* from any other atom along the IDPP start band."""
    from ase.geometry import get_distances
    from ase.mep import NEB

    images = [initial.copy() for _ in range(n_images + 1)] + [final.copy()]
    NEB(images, method="improvedtangent").interpolate(method="idpp", mic=True)
    closest = np.inf
    for image in images[1:-1]:
        others = np.delete(image.positions, mover, axis=0)
        _, dist = get_distances([image.positions[mover]], others, cell=image.cell, pbc=image.pbc)
        closest = min(closest, float(dist.min()))
    return closest


def _blocker(host: Atoms, vacancy: int, mover: int) -> str:
    """Symbol and height [Å] of the atom nearest the straight path *mover* → *vacancy*."""
    from ase.geometry import get_distances

    site = host.positions[mover] - host.get_distances(vacancy, [mover], mic=True, vector=True)[0]
    points = host.positions[mover] + np.linspace(0, 1, 41)[:, None] * (site - host.positions[mover])
    _, dist = get_distances(points, host.positions, cell=host.cell, pbc=host.pbc)
    dist[:, [vacancy, mover]] = np.inf
    k = int(np.unravel_index(np.argmin(dist), dist.shape)[1])
    return f"an {host.symbols[k]} atom at height {heights(host)[k]:.2f} Å"


def _depth(host: Atoms, depth: int = 0) -> float:
    z = heights(host)
    layer = first_li_layer(host, depth, free=False)
    top = z[host.get_tags() == SUBSTRATE_TAG].max()
    return float(top - z[layer].mean()) if layer.size else float("nan")


def vacancy_end_points(
    host: Atoms, vacancy: int, mover: int, radius_A: float
) -> tuple[Atoms, Atoms, int]:
    """(initial, final, mover index) of a film Li hopping into the vacancy at *vacancy*.

    The substrate Li *vacancy* is taken out in both states; in the final one the
    film Li *mover* sits at its site (minimum image). Atoms farther than
    *radius_A* from the mover at both ends are held at the *host* positions in
    both states (same constraints), on top of those *host* already has.
    """
    site = host.positions[mover] - host.get_distances(vacancy, [mover], mic=True, vector=True)[0]
    keep = np.delete(np.arange(len(host)), vacancy)
    initial = host[keep]
    k = int(np.flatnonzero(keep == mover)[0])
    final = initial.copy()
    final.positions[k] = site
    close = near(initial, initial.positions[k], radius_A) | near(final, site, radius_A)
    fixed, line = constrained_indices(host)
    renum = {int(i): n for n, i in enumerate(keep)}
    fixed = {renum[i] for i in fixed if i in renum}
    line = {renum[i] for i in line if i in renum}
    held = fixed | set(np.flatnonzero(~close).tolist())
    for atoms in (initial, final):
        constrain(atoms, held, line - held)
    return initial, final, k


def vacancy_crossing(host: Atoms, run: Stages, label: str):
    """Relaxed (start, end, mover, clearance [Å], mechanism) of the first vacancy hop into
    the substrate whose end points stay apart, or None, with (code, message) flags.

    Depth 0 first (:func:`choose_vacancy_hop`); when its relaxed start falls into the
    vacancy (the hop has no barrier), flagged ``end_points_merged``, depth 1 next.
    """
    notes: list[tuple[str, str]] = []
    for depth, stages in enumerate(HOP_STAGES):
        hop, why = choose_vacancy_hop(host, depth)
        if hop is None:
            return None, [*notes, ("no_short_hop", f"{label}: {why}")]
        start, end = run.relax(stages[0], hop.initial), run.relax(stages[1], hop.final)
        mover = hop.k
        apart = float(np.linalg.norm(end.atoms.positions[mover] - start.atoms.positions[mover]))
        if apart >= 0.5 * hop.length_A:
            return (start, end, mover, hop.clearance_A, f"vacancy: {why}"), notes
        notes.append(
            (
                "end_points_merged",
                f"{label}: {HOP_WORDS[depth]} has no barrier: its relaxed start fell into the "
                f"vacancy (end points {apart:.2f} Å apart, built {hop.length_A:.2f} Å)",
            )
        )
    return None, notes
