"""Li migration barriers with the climbing-image nudged elastic band (``ase.mep.NEB``).

Four kinds of hop, all built in a periodic supercell of a relaxed crystal
(end points and starting bands in :mod:`ssblab.atomistic.neb_paths` and
:mod:`ssblab.atomistic.neb_lgps`):

- ``vacancy``: one atom of the species is removed and its nearest neighbour of
  the same species jumps into the empty site (bcc Li, LiAl, Li2S, ...);
- ``solute_vacancy``: a substitutional Li solute in a metal (Li on an Al site
  of fcc Al) exchanges with a vacancy on a neighbouring lattice site, the way
  Li diffuses in Al;
- ``interstitial``: an extra Li moves between two named interstitial sites
  through a third (octahedral → tetrahedral → octahedral);
- ``channel``: in LGPS, a Li moves along the c-axis channel 16h → 8f → 16h
  between two mirror-image states (:mod:`ssblab.atomistic.neb_lgps`).

``hop="auto"`` chooses the mechanism from the host's chemistry
(:func:`choose_mechanism`) and the result says which and why.

End points are relaxed, the band starts from an IDPP interpolation (or a path
bent through the intermediate sites) and is relaxed with the climbing image
on. The barrier is the highest image energy minus the initial energy. Energies
in eV, distances in Å, forces in eV/Å.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.atomistic.binding import bulk_host
from ssblab.atomistic.calculator import check_elements, get_calculator, model_label
from ssblab.atomistic.consensus import path_flags
from ssblab.atomistic.neb_lgps import CHANNEL_MECHANISM, channel_hop
from ssblab.atomistic.neb_paths import (
    SHELL_TOLERANCE,
    bent_path,
    interstitial_hop,
    mic_vector,
    polyline_path,
    solute_vacancy_hop,
    vacancy_hop,
)
from ssblab.atomistic.relax import relax
from ssblab.atomistic.structures import get_structure
from ssblab.errors import SimulationError, SsblabError
from ssblab.flags import Flag, as_dicts

if TYPE_CHECKING:
    from ase import Atoms

__all__ = [
    "CODE_HOPS",
    "HOPS",
    "SHELL_TOLERANCE",
    "NEBResult",
    "bent_path",
    "choose_mechanism",
    "interstitial_hop",
    "migration_barrier",
    "polyline_path",
    "run_neb",
    "solute_vacancy_hop",
    "vacancy_hop",
]

HOPS = ("auto", "vacancy", "solute_vacancy", "interstitial", "channel")
#: Hops defined in code rather than in structures.toml: structure -> hop names.
CODE_HOPS: dict[str, tuple[str, ...]] = {"LGPS": ("channel",)}


def choose_mechanism(structure: str) -> tuple[str, str]:
    """The physical Li migration mechanism in *structure* and the reason, from its chemistry.

    - LGPS: the c-axis channel path 16h → 8f → 16h (Li vacancies in the channel);
    - Li is a lattice species (Li, LiAl, Li2S, LiAlO2): Li-vacancy hops;
    - a metal without Li (Al): Li is a substitutional solute and moves by
      exchange with a vacancy (``solute_vacancy``);
    - a non-metallic framework without Li: Li enters interstitial sites.
    """
    from pymatgen.core import Element

    entry = get_structure(structure)
    if "channel" in CODE_HOPS.get(structure, ()):
        return "channel", CHANNEL_MECHANISM
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

    @property
    def migration_eV(self) -> float:
        """Highest minus lowest image energy of the band [eV]: what long-range diffusion
        through a chain of such hops must climb. It is the larger of the forward and
        reverse barriers when the end points are the band's minima, and more when an
        image lies below both (flagged ``intermediate_minimum``)."""
        return max(self.energies_eV) - min(self.energies_eV)

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


def run_neb(
    initial: Atoms,
    final: Atoms,
    n_images: int = 5,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 300,
    on_step: Callable[[int], object] | None = None,
    via: Atoms | None = None,
    waypoints: tuple[int, Sequence[np.ndarray]] | None = None,
) -> tuple[list[float], bool]:
    """Relax a climbing-image band between two relaxed end points.

    Parameters
    ----------
    initial, final : ase.Atoms
        End points with the same atoms in the same order [positions in Å].
    via : ase.Atoms, optional
        A state the starting band passes through (see :func:`bent_path`);
        default: IDPP interpolation between the end points.
    waypoints : (int, sequence of positions), optional
        The moving atom's index and the Cartesian points [Å] its starting
        path passes through (see :func:`polyline_path`); excludes *via*.
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
    if via is not None and waypoints is not None:
        raise SsblabError("give the starting band either a via state or waypoints, not both")
    if via is None and waypoints is None:
        band.interpolate(method="idpp", mic=True)
    else:
        guess = (
            bent_path(initial, via, final, n_images)
            if via is not None
            else polyline_path(initial, final, waypoints[0], waypoints[1], n_images)
        )
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
    hop : {"auto", "vacancy", "solute_vacancy", "interstitial", "channel"}
        Which hop to run; ``auto`` takes :func:`choose_mechanism`; ``channel``
        only where :data:`CODE_HOPS` lists it (LGPS).
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
    available = (*entry.hops, *CODE_HOPS.get(structure, ()))
    if hop not in available:
        listed = ", ".join(h for h in available if h != "axis") or "none"
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
    via, points, mover = None, None, None
    if hop == "channel":
        species = "Li"
        check_elements(model, set(entry.symbols))
        path = channel_hop(host)
        initial, final, mover = path.initial, path.final, path.mover
        points = path.waypoints_A
    elif hop == "vacancy":
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
    if mover is None:
        moved = np.linalg.norm(start.atoms.positions - end.atoms.positions, axis=1)
        mover = int(np.argmax(moved))
    step_A = end.atoms.positions[mover] - start.atoms.positions[mover]
    if points is None:  # a channel path is unwrapped: the short periodic image is blocked
        step_A = mic_vector(step_A, host)
    distance = float(np.linalg.norm(step_A))
    energies, converged = run_neb(
        start.atoms,
        end.atoms,
        n_images,
        model,
        fmax,
        steps,
        on_step=stage("band"),
        via=via,
        waypoints=None if points is None else (mover, points),
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
