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
    """

    atoms: Atoms
    energy_eV: float
    steps: int
    converged: bool


def relax(
    atoms: Atoms,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 200,
    cell: bool = False,
    on_step: StepCallback | None = None,
) -> Relaxed:
    """Relax *atoms* with BFGS until every force is below *fmax*.

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
    """
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    if not fmax > 0:
        raise SimulationError(f"fmax must be positive, got {fmax} eV/Å")
    work = atoms.copy()
    work.calc = get_calculator(model)
    target = FrechetCellFilter(work) if cell else work
    optimizer = BFGS(target, logfile=None)
    if on_step is not None:
        optimizer.attach(lambda: on_step(optimizer.nsteps))
    with warnings.catch_warnings():
        # scipy's logm inside FrechetCellFilter warns about 1e-13 errors at every step.
        warnings.filterwarnings("ignore", message="logm result may be inaccurate")
        converged = bool(optimizer.run(fmax=fmax, steps=steps))
    energy = float(work.get_potential_energy())
    if not np.isfinite(energy):
        raise SimulationError(f"{work.get_chemical_formula()}: the energy became {energy}")
    work.calc = None
    return Relaxed(atoms=work, energy_eV=energy, steps=int(optimizer.nsteps), converged=converged)


def single_point(atoms: Atoms, model: str = "chgnet") -> float:
    """Potential energy of *atoms* as given, without relaxing [eV]."""
    work = atoms.copy()
    work.calc = get_calculator(model)
    return float(work.get_potential_energy())


def relaxed_lattice(name: str, model: str = "chgnet", fmax: float = 0.01) -> Relaxed:
    """The conventional cell of structure *name* with cell and positions relaxed.

    The cell shape follows the relaxation, so non-cubic cells may change c/a.
    ``Relaxed.atoms.cell.cellpar()`` gives the relaxed a, b, c [Å].
    """
    start = conventional_cell(name)
    done = relax(start, model=model, fmax=fmax, steps=300, cell=True)
    if not done.converged:
        raise SimulationError(f"{name}: the cell relaxation did not reach fmax = {fmax} eV/Å")
    return done
