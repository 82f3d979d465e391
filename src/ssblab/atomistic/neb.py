"""Li migration barriers with the climbing-image nudged elastic band (``ase.mep.NEB``).

Three kinds of hop, all built in a periodic supercell of a relaxed crystal:

- ``vacancy``: one atom of the species is removed and its nearest neighbour of
  the same species jumps into the empty site (bcc Li, LiAl, Li2S, LGPS, ...);
- ``solute_vacancy``: a substitutional Li solute in a metal (Li on an Al site
  of fcc Al) exchanges with a vacancy on a neighbouring lattice site, the way
  Li diffuses in Al;
- ``interstitial``: an extra Li moves between two named interstitial sites
  through a third (octahedral → tetrahedral → octahedral).

``hop="auto"`` chooses the mechanism from the host's chemistry
(:func:`choose_mechanism`) and the result says which and why.

End points are relaxed, the band starts from an IDPP interpolation (or, for an
interstitial hop, a path bent through the middle site) and is relaxed with the
climbing image on. The barrier is the highest image energy minus the initial
energy. Energies in eV, distances in Å, forces in eV/Å.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.atomistic.binding import bulk_host, host_cell, site_position, with_interstitial
from ssblab.atomistic.calculator import check_elements, get_calculator, model_label
from ssblab.atomistic.consensus import path_flags
from ssblab.atomistic.relax import relax
from ssblab.atomistic.structures import get_structure
from ssblab.errors import SimulationError, SsblabError
from ssblab.flags import Flag, as_dicts

if TYPE_CHECKING:
    from ase import Atoms

HOPS = ("auto", "vacancy", "solute_vacancy", "interstitial")
#: Neighbours within this factor of the nearest distance count for a directed hop.
SHELL_TOLERANCE = 1.25


def choose_mechanism(structure: str) -> tuple[str, str]:
    """The physical Li migration mechanism in *structure* and the reason, from its chemistry.

    - Li is a lattice species (Li, LiAl, Li2S, LGPS, LiAlO2): Li-vacancy hops;
    - a metal without Li (Al): Li is a substitutional solute and moves by
      exchange with a vacancy (``solute_vacancy``);
    - a non-metallic framework without Li: Li enters interstitial sites.
    """
    from pymatgen.core import Element

    entry = get_structure(structure)
    if "Li" in entry.symbols:
        return "vacancy", (
            f"Li is a lattice species of {entry.formula}: it moves by hops into a "
            "neighbouring Li vacancy"
        )
    if all(Element(sym).is_metal for sym in set(entry.symbols)):
        return "solute_vacancy", (
            f"Li dissolves substitutionally in metallic {entry.formula} (it takes lattice "
            "sites): it moves by exchange with a neighbouring vacancy"
        )
    return "interstitial", (
        f"{entry.formula} has no Li and is not a metal: Li enters its open interstitial sites"
    )


@dataclass(frozen=True)
class NEBResult:
    """A converged (or not) minimum-energy path.

    Attributes
    ----------
    barrier_eV : float
        Highest image energy minus the initial-state energy [eV].
    reverse_barrier_eV : float
        Highest image energy minus the final-state energy [eV].
    energies_eV : tuple of float
        Image energies relative to the initial state [eV], end points included.
    distance_A : float
        Straight-line hop length of the moving atom [Å].
    """

    structure: str
    hop: str
    species: str
    barrier_eV: float
    reverse_barrier_eV: float
    energies_eV: tuple[float, ...]
    distance_A: float
    n_atoms: int
    model: str
    converged: bool
    mechanism: str = ""
    flags: tuple[Flag, ...] = ()

    @property
    def peak_image(self) -> int:
        """Index of the highest-energy image (0 = initial state)."""
        return int(np.argmax(self.energies_eV))

    def as_dict(self) -> dict[str, Any]:
        """Plain dict with the stable JSON keys (``path`` lists image energies)."""
        return {
            "structure": self.structure,
            "hop": self.hop,
            "species": self.species,
            "barrier_eV": self.barrier_eV,
            "reverse_barrier_eV": self.reverse_barrier_eV,
            "path": [{"image": i, "energy_eV": e} for i, e in enumerate(self.energies_eV)],
            "distance_A": self.distance_A,
            "n_atoms": self.n_atoms,
            "model": self.model,
            "converged": self.converged,
            "mechanism": self.mechanism,
            "flags": as_dicts(self.flags),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NEBResult:
        """The inverse of :meth:`as_dict` (used by the result cache)."""
        fields = {k: v for k, v in data.items() if k not in ("path", "flags")}
        return cls(
            **fields,
            energies_eV=tuple(p["energy_eV"] for p in data["path"]),
            flags=tuple(Flag(**f) for f in data.get("flags", ())),
        )


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


def bent_path(initial: Atoms, via: Atoms, final: Atoms, n_images: int) -> list[np.ndarray]:
    """Positions [Å] of *n_images* images on two straight legs, initial → via → final.

    Each leg is half of the path parameter; displacements use the minimum image.
    """
    from ase.geometry import find_mic

    def leg(a: Atoms, b: Atoms) -> np.ndarray:
        return find_mic(b.positions - a.positions, a.cell, a.pbc)[0]

    first, second = leg(initial, via), leg(via, final)
    path = []
    for s in np.linspace(0.0, 1.0, n_images + 2)[1:-1]:
        if s <= 0.5:
            path.append(initial.positions + (s / 0.5) * first)
        else:
            path.append(via.positions + ((s - 0.5) / 0.5) * second)
    return path


def run_neb(
    initial: Atoms,
    final: Atoms,
    n_images: int = 5,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 300,
    on_step: Callable[[int], object] | None = None,
    via: Atoms | None = None,
) -> tuple[list[float], bool]:
    """Relax a climbing-image band between two relaxed end points.

    Parameters
    ----------
    initial, final : ase.Atoms
        End points with the same atoms in the same order [positions in Å].
    via : ase.Atoms, optional
        A state the starting band passes through (see :func:`bent_path`);
        default: IDPP interpolation between the end points.
    n_images : int
        Intermediate images (end points excluded).
    fmax : float
        Force threshold on the band [eV/Å].

    Returns
    -------
    energies : list of float
        Absolute image energies [eV], end points included.
    converged : bool
    """
    from ase.mep import NEB
    from ase.optimize import FIRE

    if n_images < 1:
        raise SsblabError(f"a band needs at least one intermediate image, got {n_images}")
    if len(initial) != len(final):
        raise SsblabError("initial and final states have different numbers of atoms")
    images = [initial.copy() for _ in range(n_images + 1)] + [final.copy()]
    for image in images:
        image.calc = get_calculator(model)
    band = NEB(images, climb=True, method="improvedtangent")
    if via is None:
        band.interpolate(method="idpp", mic=True)
    else:
        guess = bent_path(initial, via, final, n_images)
        for image, positions in zip(images[1:-1], guess, strict=True):
            image.positions = positions
    optimizer = FIRE(band, logfile=None)
    if on_step is not None:
        optimizer.attach(lambda: on_step(optimizer.nsteps))
    converged = bool(optimizer.run(fmax=fmax, steps=steps))
    energies = [float(image.get_potential_energy()) for image in images]
    if not np.all(np.isfinite(energies)):
        raise SimulationError(f"{initial.get_chemical_formula()}: NEB energies are not finite")
    return energies, converged


def migration_barrier(
    structure: str,
    hop: str = "vacancy",
    n_images: int = 5,
    model: str = "chgnet",
    fmax: float = 0.05,
    min_length_A: float = 6.0,
    steps: int = 300,
    on_step: Callable[[str, int], object] | None = None,
) -> NEBResult:
    """Migration barrier of the hop listed for *structure* in ``structures.toml``.

    Parameters
    ----------
    structure : str
        Structure name (``ssblab atoms list``).
    hop : {"auto", "vacancy", "solute_vacancy", "interstitial"}
        Which hop to run; ``auto`` takes :func:`choose_mechanism`.
    n_images : int
        Intermediate NEB images.
    fmax : float
        Force threshold for end points and band [eV/Å].
    min_length_A : float
        Smallest plane spacing of the supercell [Å].
    on_step : callable, optional
        Called with (stage name, step count) during relaxations (progress bars).
    """
    entry = get_structure(structure)
    if hop not in HOPS:
        raise SsblabError(f"unknown hop {hop!r}; choose one of: {', '.join(HOPS)}")
    physical, reason = choose_mechanism(structure)
    hop = physical if hop == "auto" else hop
    if hop not in entry.hops:
        listed = ", ".join(entry.hops) or "none"
        raise SsblabError(f"structure {structure!r} lists no {hop} hop (listed: {listed})")
    flags: tuple[Flag, ...] = ()
    self_diffusion = hop == "vacancy" and entry.hops.get("vacancy") != "Li"
    if self_diffusion:
        physical, reason = hop, f"{entry.hops['vacancy']} self-diffusion by vacancy hops"
    if hop != physical:
        flags += (
            Flag(
                "barrier_eV",
                "not_the_physical_mechanism",
                f"{hop} hop run on request; the physical mechanism is {physical}: {reason}",
            ),
        )
    host = bulk_host(structure, model, min_length_A=min_length_A)
    via = None
    if hop == "vacancy":
        species = entry.hops["vacancy"]
        check_elements(model, set(entry.symbols))
        axis = "abc".index(entry.hops["axis"]) if "axis" in entry.hops else None
        initial, final = vacancy_hop(host, species, axis)
    elif hop == "solute_vacancy":
        species = entry.hops["solute_vacancy"]
        check_elements(model, {*entry.symbols, species})
        initial, final = solute_vacancy_hop(host, species)
    else:
        species = "Li"
        check_elements(model, {*entry.symbols, species})
        initial, via, final = interstitial_hop(
            structure, host, species, tuple(entry.hops["interstitial"]), model
        )

    def stage(name: str):
        return None if on_step is None else (lambda n: on_step(name, n))

    start = relax(initial, model=model, fmax=fmax, on_step=stage("initial state"))
    end = relax(final, model=model, fmax=fmax, on_step=stage("final state"))
    mover = int(np.argmax(np.linalg.norm(start.atoms.positions - end.atoms.positions, axis=1)))
    step_A = _mic(end.atoms.positions[mover] - start.atoms.positions[mover], host)
    distance = float(np.linalg.norm(step_A))
    energies, converged = run_neb(
        start.atoms, end.atoms, n_images, model, fmax, steps, on_step=stage("band"), via=via
    )
    relative = [e - energies[0] for e in energies]
    peak = max(energies)
    return NEBResult(
        structure=structure,
        hop=hop,
        species=species,
        barrier_eV=peak - energies[0],
        reverse_barrier_eV=peak - energies[-1],
        energies_eV=tuple(relative),
        distance_A=distance,
        n_atoms=len(initial),
        model=model_label(model),
        converged=converged and start.converged and end.converged,
        mechanism=f"{hop}: {reason}" if hop == physical else f"{hop} (requested)",
        flags=flags + path_flags(relative),
    )


def _mic(vector: np.ndarray, atoms: Atoms) -> np.ndarray:
    """The shortest periodic image of a displacement *vector* [Å] in the cell of *atoms*."""
    from ase.geometry import find_mic

    shortest, _ = find_mic(vector[None, :], atoms.cell, atoms.pbc)
    return shortest[0]
