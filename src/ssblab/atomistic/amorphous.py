"""Amorphous phases by melt-quench molecular dynamics with the potential.

The seed's sputtered LiAlO2 film is amorphous (Chang et al., XPS "due to its
amorphous nature"). ssblab makes a model of it the standard way: take a
supercell of the crystal, melt it at fixed volume far above the melting point,
quench it linearly to room temperature, and relax atoms and cell. The protocol
is returned with the structure so every number made from it says how it was
made. Temperatures in K, times in fs, lengths in Å, density in g/cm³.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.errors import SsblabError
from ssblab.flags import Flag, as_dicts

if TYPE_CHECKING:
    from ase import Atoms


#: Al–O and Li–O neighbour cut-offs [Å]: the first minimum after the AlO4 (1.76 Å) and
#: LiO4/LiO6 (1.9–2.2 Å) bonds of the crystals.
AL_O_CUTOFF_A = 2.3
LI_O_CUTOFF_A = 2.6
#: RMS displacement [Å] of Al and O at the end of the melt below which the Al-O framework
#: has not melted: about one Al-O bond (1.75 Å) less thermal vibration.
MELT_RMS_A = 1.5


@dataclass(frozen=True)
class MeltQuench:
    """The protocol: NVT Langevin melt, linear quench, then relaxation (atoms + cell).

    The default melts γ-LiAlO2 (the ambient polymorph, AlO4 tetrahedra, 2.62
    g/cm³) in a 2 × 2 × 1 supercell of 64 atoms (10.3 × 10.3 × 6.3 Å) at its
    own density; the dense α polymorph (AlO6, 3.40 g/cm³) would be melted
    compressed by 30 %. 4000 K for 1 ps: at 3000 K for 0.6 ps the CHGNet γ
    cell did not melt (RMS displacement 0.77 Å after the quench, 0.024 eV/atom
    above the crystal, every Al still AlO4). At 4000 K for 1 ps (CHGNet, session 6)
    the Li sublattice is liquid (3.59 Å RMS) but the framework moved only 1.22 (Al)
    / 1.09 (O) Å, below :data:`MELT_RMS_A`: a partial melt, flagged
    ``framework_not_melted``.
    """

    crystal: str = "LiAlO2_gamma"
    repeats: tuple[int, int, int] = (2, 2, 1)
    melt_K: float = 4000.0
    melt_fs: float = 1000.0
    final_K: float = 300.0
    quench_fs: float = 1500.0
    timestep_fs: float = 1.0
    friction_per_fs: float = 0.02
    seed: int = 7

    @property
    def quench_rate_K_per_ps(self) -> float:
        return (self.melt_K - self.final_K) / (self.quench_fs / 1000.0)


@dataclass(frozen=True)
class AmorphousResult:
    """The quenched, relaxed structure and what was measured on it."""

    atoms: Atoms
    protocol: MeltQuench
    model: str
    density_g_cm3: float
    crystal_density_g_cm3: float
    coordination: dict[str, float]
    rms_displacement_A: float
    energy_above_crystal_eV_atom: float
    al_o_peak_A: float = float("nan")
    al_o_mean_A: float = float("nan")
    al_o_fractions: dict[int, float] = field(default_factory=dict)
    relax_converged: bool = False
    elapsed_s: float = float("nan")
    melt_rms_A: dict[str, float] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        skip = ("atoms", "protocol", "flags")
        out = {k: v for k, v in asdict(self).items() if k not in skip}
        out["flags"] = as_dicts(self.flags)
        out["protocol"] = {
            **asdict(self.protocol),
            "quench_rate_K_per_ps": self.protocol.quench_rate_K_per_ps,
        }
        out["n_atoms"] = len(self.atoms)
        out["al_o_fractions"] = {f"AlO{n}": v for n, v in self.al_o_fractions.items()}
        return out


def density_g_cm3(atoms: Atoms) -> float:
    """Mass density [g/cm³] of a periodic cell."""
    return float(atoms.get_masses().sum() / atoms.get_volume() * 1.66053907)


def mean_coordination(atoms: Atoms, centre: str, ligand: str, cutoff_A: float) -> float:
    """Average number of *ligand* atoms within *cutoff_A* [Å] of each *centre* atom."""
    from ase.neighborlist import neighbor_list

    i, j = neighbor_list("ij", atoms, cutoff_A)
    symbols = np.array(atoms.get_chemical_symbols())
    hits = (symbols[i] == centre) & (symbols[j] == ligand)
    n_centre = int((symbols == centre).sum())
    if n_centre == 0:
        raise SsblabError(f"{atoms.get_chemical_formula()} has no {centre}")
    return float(hits.sum() / n_centre)


def bond_lengths_A(atoms: Atoms, centre: str, ligand: str, cutoff_A: float) -> np.ndarray:
    """Every *centre*–*ligand* distance shorter than *cutoff_A* [Å] (periodic images included)."""
    from ase.neighborlist import neighbor_list

    i, j, d = neighbor_list("ijd", atoms, cutoff_A)
    symbols = np.array(atoms.get_chemical_symbols())
    return d[(symbols[i] == centre) & (symbols[j] == ligand)]


def coordination_fractions(
    atoms: Atoms, centre: str, ligand: str, cutoff_A: float
) -> dict[int, float]:
    """Fraction of *centre* atoms with n *ligand* neighbours within *cutoff_A* [Å], by n."""
    from ase.neighborlist import neighbor_list

    i, j = neighbor_list("ij", atoms, cutoff_A)
    symbols = np.array(atoms.get_chemical_symbols())
    centres = np.flatnonzero(symbols == centre)
    if centres.size == 0:
        raise SsblabError(f"{atoms.get_chemical_formula()} has no {centre}")
    hits = (symbols[i] == centre) & (symbols[j] == ligand)
    counts = np.bincount(i[hits], minlength=len(atoms))[centres]
    values, n = np.unique(counts, return_counts=True)
    return {int(v): float(k / centres.size) for v, k in zip(values, n, strict=True)}


def rdf_peak_A(
    atoms: Atoms, centre: str, ligand: str, r_max_A: float = 3.0, bin_A: float = 0.02
) -> float:
    """Position [Å] of the highest peak of the *centre*–*ligand* pair distribution below *r_max_A*.

    The histogram of distances is divided by r² (the shell volume), so its
    maximum is that of g(r) up to a constant.
    """
    d = bond_lengths_A(atoms, centre, ligand, r_max_A)
    if d.size == 0:
        raise SsblabError(f"no {centre}-{ligand} pair closer than {r_max_A} Å")
    edges = np.arange(0.5, r_max_A + bin_A, bin_A)
    hist, _ = np.histogram(d, bins=edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    return float(mid[int(np.argmax(hist / mid**2))])


def melt_flags(melt_rms_A: dict[str, float], protocol: MeltQuench) -> tuple[Flag, ...]:
    """``framework_not_melted`` when Al or O moved less than :data:`MELT_RMS_A` in the melt."""
    framework = {s: melt_rms_A[s] for s in ("Al", "O") if s in melt_rms_A}
    if not framework or min(framework.values()) >= MELT_RMS_A:
        return ()
    moved = " / ".join(f"{s} {v:.2f}" for s, v in framework.items())
    return (
        Flag(
            "melt_rms_A",
            "framework_not_melted",
            f"after {protocol.melt_fs:.0f} fs at {protocol.melt_K:.0f} K the Al-O framework "
            f"moved {moved} Å RMS (< {MELT_RMS_A} Å): a partial melt, so the glass keeps "
            "memory of the crystal; melt longer, hotter or at the liquid's lower density",
            "warning",
        ),
    )


def _rms_by_species(atoms: Atoms, reference: Atoms) -> dict[str, float]:
    """RMS displacement [Å] of each species from *reference* (same atoms, same cell)."""
    from ase.geometry import find_mic

    vectors, _ = find_mic(atoms.positions - reference.positions, reference.cell, reference.pbc)
    symbols = np.array(reference.get_chemical_symbols())
    return {
        str(s): float(np.sqrt(np.mean(np.sum(vectors[symbols == s] ** 2, axis=1))))
        for s in sorted(set(symbols))
    }


def melt_thermostat(atoms: Atoms, protocol: MeltQuench, rng: np.random.Generator) -> Any:
    """Maxwell-Boltzmann momenta at ``protocol.melt_K`` [K] and the ASE Langevin NVT that
    melts *atoms* (timestep ``protocol.timestep_fs`` [fs], friction [1/fs]).

    Kept as measured: the README's glass was made with Langevin's default ``fixcm=True``,
    which ASE 3.28+ warns does not sample NVT exactly (more so for small cells, 64 atoms
    here). ``FixCom`` with ``fixcm=False`` is the fix, but it changes the trajectory, so it
    waits for a re-run of the 65-minute melt (slow test in tests/atomistic/test_amorphous.py);
    the two warnings are silenced here, by their text only. ``MaxwellBoltzmannDistribution``
    is ASE 3.29's ``thermalize_momenta`` under its old name (the same numbers)."""
    import warnings

    from ase import units
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Use thermalize_momenta", DeprecationWarning)
        warnings.filterwarnings("ignore", "The implementation of `fixcm=True`", FutureWarning)
        MaxwellBoltzmannDistribution(atoms, temperature_K=protocol.melt_K, rng=rng)
        return Langevin(
            atoms,
            protocol.timestep_fs * units.fs,
            temperature_K=protocol.melt_K,
            friction=protocol.friction_per_fs / units.fs,
            rng=rng,
        )


def melt_quench(
    model: str = "chgnet",
    protocol: MeltQuench = MeltQuench(),
    on_step: Callable[[str, int], object] | None = None,
) -> AmorphousResult:
    """An amorphous model of ``protocol.crystal`` made with *model* (see :class:`MeltQuench`)."""
    import time

    from ssblab.atomistic.binding import relaxed_cell
    from ssblab.atomistic.calculator import get_calculator
    from ssblab.atomistic.relax import relax

    start = time.perf_counter()
    cell = relaxed_cell(protocol.crystal, model)  # relaxed once, then from the disk cache
    crystal = cell.atoms.repeat(protocol.repeats)
    e_crystal, n_cell = cell.energy_eV, len(cell.atoms)
    work = crystal.copy()
    work.calc = get_calculator(model)
    rng = np.random.default_rng(protocol.seed)
    dyn = melt_thermostat(work, protocol, rng)
    melt_steps = int(protocol.melt_fs / protocol.timestep_fs)
    quench_steps = int(protocol.quench_fs / protocol.timestep_fs)
    if on_step is not None:
        dyn.attach(lambda: on_step("melt", dyn.nsteps), interval=10)
    dyn.run(melt_steps)
    melt_rms = _rms_by_species(work, crystal)  # a liquid has moved its Al-O framework too
    for k in range(quench_steps):
        dyn.set_temperature(
            temperature_K=protocol.melt_K
            - (protocol.melt_K - protocol.final_K) * (k + 1) / quench_steps
        )
        dyn.run(1)
        if on_step is not None and k % 10 == 0:
            on_step("quench", k)
    work.calc = None
    done = relax(work, model=model, fmax=0.05, steps=400, cell=True)
    glass = done.atoms
    from ase.geometry import find_mic

    _, lengths = find_mic(glass.get_scaled_positions() @ crystal.cell.array - crystal.positions,
                          crystal.cell, crystal.pbc)  # fmt: skip
    per_atom_crystal = e_crystal / n_cell
    return AmorphousResult(
        atoms=glass,
        protocol=protocol,
        model=model,
        density_g_cm3=density_g_cm3(glass),
        crystal_density_g_cm3=density_g_cm3(crystal),
        coordination={
            "Al-O": mean_coordination(glass, "Al", "O", AL_O_CUTOFF_A),
            "Li-O": mean_coordination(glass, "Li", "O", LI_O_CUTOFF_A),
        },
        rms_displacement_A=float(np.sqrt(np.mean(lengths**2))),
        energy_above_crystal_eV_atom=float(done.energy_eV / len(glass) - per_atom_crystal),
        al_o_peak_A=rdf_peak_A(glass, "Al", "O"),
        al_o_mean_A=float(np.mean(bond_lengths_A(glass, "Al", "O", AL_O_CUTOFF_A))),
        al_o_fractions=coordination_fractions(glass, "Al", "O", AL_O_CUTOFF_A),
        relax_converged=done.converged,
        elapsed_s=time.perf_counter() - start,
        melt_rms_A=melt_rms,
        flags=melt_flags(melt_rms, protocol),
    )
