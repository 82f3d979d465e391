"""Geometry relaxations with ASE optimizers: atom positions, or positions and cell.

Energies in eV, forces (``fmax``) in eV/Å, lengths in Å. The functions copy
the input ``Atoms`` and never change the caller's object.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ssblab.atomistic.calculator import get_calculator
from ssblab.atomistic.structures import conventional_cell
from ssblab.errors import SimulationError

if TYPE_CHECKING:
    from ase import Atoms

#: Optimizer step callback: receives the number of steps done so far.
StepCallback = Callable[[int], object]


@dataclass(frozen=True)
class Relaxed:
    """A relaxed structure.

    Attributes
    ----------
    atoms : ase.Atoms
        The relaxed copy (its calculator detached).
    energy_eV : float
        Potential energy of the relaxed structure [eV].
    steps : int
        Optimizer steps taken.
    converged : bool
        Whether the largest force fell below ``fmax``.
    method : str
        How the cell was found: ``stress`` (relaxed to zero stress) or ``eos``
        (the potential's stress contradicts its own energies, so the volume is
        the minimum of an isotropic energy-volume scan; c/a kept).
    """

    atoms: Atoms
    energy_eV: float
    steps: int
    converged: bool
    method: str = "stress"


def relax(
    atoms: Atoms,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 200,
    cell: bool = False,
    on_step: StepCallback | None = None,
    optimizer: str = "bfgs",
) -> Relaxed:
    """Relax *atoms* until every force is below *fmax*.

    Parameters
    ----------
    atoms : ase.Atoms
        Start structure; constraints (e.g. fixed bottom slab layers) are kept.
    model : {"chgnet", "emt"}
        The potential (see :func:`ssblab.atomistic.calculator.get_calculator`).
    fmax : float
        Force convergence threshold [eV/Å].
    steps : int
        Maximum optimizer steps.
    cell : bool
        Also relax the cell (lattice vectors and volume) through ASE's
        ``FrechetCellFilter``, to zero stress.
    on_step : callable, optional
        Called with the step count after each optimizer step (progress bars).
    optimizer : {"bfgs", "fire-bfgs"}
        ``bfgs``: ASE BFGS from the start. ``fire-bfgs``: ASE FIRE until the
        largest force is below :data:`FIRE_SWITCH_EV_A` (or for
        :data:`FIRE_STEPS_MAX` steps), then BFGS; FIRE is robust far from the
        minimum and on the soft modes of metal films, BFGS converges fast near
        it. *steps* caps both stages together.
    """
    from ase.filters import FrechetCellFilter

    if not fmax > 0:
        raise SimulationError(f"fmax must be positive, got {fmax} eV/Å")
    if optimizer not in OPTIMIZERS:
        raise SimulationError(f"unknown optimizer {optimizer!r}; choose: {', '.join(OPTIMIZERS)}")
    work = atoms.copy()
    work.calc = get_calculator(model)
    target = FrechetCellFilter(work) if cell else work
    with warnings.catch_warnings():
        # scipy's logm inside FrechetCellFilter warns about 1e-13 errors at every step.
        warnings.filterwarnings("ignore", message="logm result may be inaccurate")
        done, converged = _optimize(target, optimizer, fmax, steps, on_step)
    energy = float(work.get_potential_energy())
    if not np.isfinite(energy):
        raise SimulationError(f"{work.get_chemical_formula()}: the energy became {energy}")
    work.calc = None
    return Relaxed(atoms=work, energy_eV=energy, steps=done, converged=converged)


#: Optimizer schemes of :func:`relax`.
OPTIMIZERS = ("bfgs", "fire-bfgs")
#: ``fire-bfgs`` hands over from FIRE to BFGS below this largest force [eV/Å] ...
FIRE_SWITCH_EV_A = 0.25
#: ... or after this many FIRE steps.
FIRE_STEPS_MAX = 80


def _optimize(target, scheme: str, fmax: float, steps: int, on_step) -> tuple[int, bool]:
    """Run the optimizer *scheme* on *target*; (steps taken, converged)."""
    from ase.optimize import BFGS, FIRE

    done = 0
    if scheme == "fire-bfgs":
        fire = FIRE(target, logfile=None, maxstep=0.15)
        if on_step is not None:
            fire.attach(lambda: on_step(fire.nsteps))
        first = min(FIRE_STEPS_MAX, steps)
        if fire.run(fmax=max(fmax, FIRE_SWITCH_EV_A), steps=first) and fmax >= FIRE_SWITCH_EV_A:
            return int(fire.nsteps), True
        done = int(fire.nsteps)
    bfgs = BFGS(target, logfile=None)
    if on_step is not None:
        bfgs.attach(lambda: on_step(done + bfgs.nsteps))
    converged = bool(bfgs.run(fmax=fmax, steps=max(steps - done, 0)))
    return done + int(bfgs.nsteps), converged


def single_point(atoms: Atoms, model: str = "chgnet") -> float:
    """Potential energy of *atoms* as given, without relaxing [eV]."""
    work = atoms.copy()
    work.calc = get_calculator(model)
    return float(work.get_potential_energy())


def relaxed_lattice(name: str, model: str = "chgnet", fmax: float = 0.01) -> Relaxed:
    """The conventional cell of structure *name* with cell and positions relaxed.

    The cell shape follows the relaxation, so non-cubic cells may change c/a;
    a molecule in a box (``molecule = true``) relaxes its atoms only.
    ``Relaxed.atoms.cell.cellpar()`` gives the relaxed a, b, c [Å].
    """
    from ssblab.atomistic.structures import get_structure

    start = conventional_cell(name)
    if get_structure(name).molecule:  # a molecule in a box keeps its box
        done = relax(start, model=model, fmax=fmax, steps=300)
    else:
        # Atoms first at the tabulated cell: ordered models start far from equilibrium.
        inner = relax(start, model=model, fmax=0.05, steps=200)
        if stress_is_consistent(inner.atoms, model):
            done = relax(inner.atoms, model=model, fmax=fmax, steps=300, cell=True)
        else:
            done = eos_lattice(inner.atoms, model, fmax=fmax)
    if not done.converged:
        raise SimulationError(f"{name}: the cell relaxation did not reach fmax = {fmax} eV/Å")
    return done


#: Isotropic scale factors of the energy-volume scan.
EOS_SCALES = (0.96, 0.98, 1.0, 1.02, 1.04)


def _scaled(atoms: Atoms, factor: float) -> Atoms:
    out = atoms.copy()
    out.set_cell(atoms.cell.array * factor, scale_atoms=True)
    return out


def stress_is_consistent(atoms: Atoms, model: str, step: float = 0.01) -> bool:
    """Whether the potential's pressure agrees in sign with −dE/dV by finite differences.

    A pressure below 2e-3 eV/Å³ (0.3 GPa) either way counts as consistent.
    """
    work = atoms.copy()
    work.calc = get_calculator(model)
    pressure = -float(np.trace(work.get_stress(voigt=False))) / 3
    e_lo, e_hi = (single_point(_scaled(atoms, 1 + d), model) for d in (-step, step))
    v = atoms.get_volume()
    dv = v * ((1 + step) ** 3 - (1 - step) ** 3)
    fd_pressure = -(e_hi - e_lo) / dv
    return abs(fd_pressure) < 2e-3 or np.sign(pressure) == np.sign(fd_pressure)


def eos_lattice(atoms: Atoms, model: str, fmax: float = 0.01) -> Relaxed:
    """Cell at the minimum of an isotropic E(V) scan (:data:`EOS_SCALES`), atoms relaxed there."""
    energies = [single_point(_scaled(atoms, f), model) for f in EOS_SCALES]
    volumes = [atoms.get_volume() * f**3 for f in EOS_SCALES]
    c2, c1, _ = np.polyfit(volumes, energies, 2)
    if not c2 > 0:
        raise SimulationError(f"{atoms.get_chemical_formula()}: E(V) has no minimum")
    v0 = float(np.clip(-c1 / (2 * c2), min(volumes), max(volumes)))
    best = _scaled(atoms, (v0 / atoms.get_volume()) ** (1 / 3))
    done = relax(best, model=model, fmax=fmax, steps=300)
    return Relaxed(done.atoms, done.energy_eV, done.steps, done.converged, method="eos")
