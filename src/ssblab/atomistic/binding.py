"""Binding energy of an adsorbed or inserted atom (Li) to a host phase.

Following the composite-Al seed (Cui et al., Supplementary "Calculations"):

    E_int = E_AB − E_A − E_B

with E_AB the relaxed host + atom, E_A the relaxed host alone and E_B the atom
on its own. Negative E_int means the atom binds. Two kinds of site:

- ``surface``: the atom on a high-symmetry hollow of a close-packed slab (Al(111),
  Li(110)), bottom half of the slab fixed, ≥ 10 Å of vacuum on each side (the
  seed's "vacuum layer of at least 10 Å" for non-periodic directions);
- a named interstitial site or ``void`` (the largest empty sphere) inside a bulk
  supercell of a compound (Li2S, LiCl, Li3P, LiAl, ...), fully periodic.

References for E_B: ``atom`` is the isolated atom in a box (the seed's
definition; note that an MLIP trained on crystals describes a free atom only
roughly), ``bulk`` is the energy per atom of the element's relaxed crystal
(e.g. bcc Li), which makes E_int the energy to move an atom from the metal onto
the host. Energies in eV, lengths in Å.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.atomistic.calculator import EMT_ELEMENTS, check_elements, check_model, model_label
from ssblab.atomistic.consensus import lithiated_binding
from ssblab.atomistic.relax import Relaxed, relax, relaxed_lattice, single_point
from ssblab.atomistic.structures import (
    get_structure,
    largest_void,
    structures,
    supercell_repeats,
)
from ssblab.errors import SimulationError, SsblabError
from ssblab.flags import Flag, as_dicts

if TYPE_CHECKING:
    from ase import Atoms

#: Stage callback: receives a stage name and the optimizer step count within it.
StageCallback = Callable[[str, int], object]

REFERENCES = ("atom", "bulk")
#: ASE surface builders a structure may name in its [X.surface] table.
SLAB_BUILDERS = ("fcc100", "fcc110", "fcc111", "bcc100", "bcc110", "bcc111", "hcp0001")
#: Edge of the cubic box that holds the isolated reference atom [Å].
ATOM_BOX_A = 15.0


@dataclass(frozen=True)
class BindingResult:
    """E_int = E_AB − E_A − E_B for one host, atom and site (all energies in eV)."""

    host: str
    adsorbate: str
    site: str
    reference: str
    E_int_eV: float
    E_AB_eV: float
    E_A_eV: float
    E_B_eV: float
    model: str
    n_atoms_host: int
    converged: bool
    E_int_vs_metal_eV: float | None = None
    flags: tuple[Flag, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain dict with the stable JSON keys (``flags`` as a list of dicts)."""
        out = asdict(self)
        out["flags"] = as_dicts(self.flags)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BindingResult:
        """The inverse of :meth:`as_dict` (used by the result cache)."""
        return cls(**{**data, "flags": tuple(Flag(**f) for f in data.get("flags", ()))})


@cache
def relaxed_cell(name: str, model: str) -> Relaxed:
    """The relaxed conventional cell, from the on-disk cache when this model has made it."""
    from ase import Atoms

    from ssblab.atomistic import cache as disk

    key = disk.cache_key("lattice", {"name": name}, model)
    hit = disk.load(key)
    if hit is not None:
        atoms = Atoms(hit["numbers"], positions=hit["positions"], cell=hit["cell"], pbc=True)
        return Relaxed(atoms, hit["energy_eV"], hit["steps"], hit["converged"], hit["method"])
    done = relaxed_lattice(name, model=model)
    disk.save(
        key,
        {
            "numbers": done.atoms.numbers.tolist(),
            "positions": done.atoms.positions.tolist(),
            "cell": done.atoms.cell.array.tolist(),
            "energy_eV": done.energy_eV,
            "steps": done.steps,
            "converged": done.converged,
            "method": done.method,
        },
    )
    return done


def host_cell(name: str, model: str = "chgnet") -> Atoms:
    """The conventional cell of *name* relaxed with *model* (cached per process)."""
    return relaxed_cell(name, model).atoms.copy()


def surface_slab(
    name: str,
    model: str = "chgnet",
    size: tuple[int, int, int] = (2, 2, 4),
    vacuum_A: float = 10.0,
) -> Atoms:
    """A slab of *name* on its listed surface, at the model's relaxed lattice parameter.

    Parameters
    ----------
    size : (int, int, int)
        Surface repeats along the two in-plane vectors and the number of layers.
    vacuum_A : float
        Vacuum on each side of the slab [Å] (≥ 10 Å as in the seed).

    The lower half of the layers is fixed at bulk positions.
    """
    from ase import build
    from ase.constraints import FixAtoms

    entry = get_structure(name)
    if entry.surface is None:
        raise SsblabError(
            f"structure {name!r} has no surface listed; use an interstitial site instead"
        )
    if vacuum_A < 10.0:
        raise SsblabError(f"vacuum must be at least 10 Å, got {vacuum_A} Å")
    if entry.surface.builder not in SLAB_BUILDERS:
        raise SsblabError(
            f"{name}: unknown slab builder {entry.surface.builder!r}; "
            f"choose one of: {', '.join(SLAB_BUILDERS)}"
        )
    builder = getattr(build, entry.surface.builder)
    a = host_cell(name, model).cell.cellpar()[0]
    slab = builder(entry.formula, size=size, a=a, vacuum=vacuum_A, orthogonal=True)
    layer = slab.get_tags()  # ASE tags layers 1 (top) .. n (bottom)
    slab.set_constraint(FixAtoms(mask=layer > size[2] // 2))
    return slab


def with_adsorbate(slab: Atoms, symbol: str, site: str, height_A: float = 2.0) -> Atoms:
    """A copy of *slab* with one *symbol* atom *height_A* [Å] above the named site."""
    from ase.build import add_adsorbate

    out = slab.copy()
    try:
        add_adsorbate(out, symbol, height_A, position=site)
    except (KeyError, TypeError):
        raise SsblabError(f"the slab has no adsorption site {site!r}") from None
    return out


def bulk_host(name: str, model: str = "chgnet", min_length_A: float = 8.0) -> Atoms:
    """A supercell of the relaxed cell of *name* with every plane spacing ≥ *min_length_A* [Å]."""
    cell = host_cell(name, model)
    if get_structure(name).molecule:
        return cell
    return cell.repeat(supercell_repeats(cell, min_length_A))


#: Distance of a Li placed beyond a terminal S of a molecule, along P→S [Å].
MOLECULE_LI_S_A = 2.3


def terminal_site(atoms: Atoms, bonded: float = 2.3) -> np.ndarray:
    """Cartesian position [Å] beyond the first terminal S (one P neighbour) of a molecule."""
    symbols = np.array(atoms.get_chemical_symbols())
    p_idx = np.flatnonzero(symbols == "P")
    for s in np.flatnonzero(symbols == "S"):
        d = atoms.get_distances(s, p_idx, mic=True, vector=True)
        close = np.linalg.norm(d, axis=1) < bonded
        if close.sum() == 1:
            away = -d[close][0] / np.linalg.norm(d[close][0])
            return atoms.positions[s] + MOLECULE_LI_S_A * away
    raise SsblabError(f"{atoms.get_chemical_formula()}: no terminal S (one P neighbour) found")


def with_interstitial(host: Atoms, symbol: str, position_A: np.ndarray) -> Atoms:
    """A copy of *host* with one *symbol* atom at the Cartesian *position_A* [Å]."""
    from ase import Atom

    out = host.copy()
    out.append(Atom(symbol, position=position_A))
    return out


def site_position(name: str, unit_cell: Atoms, site: str) -> np.ndarray:
    """Cartesian position [Å] of a named interstitial site of *name* (or ``void``).

    The position lies in *unit_cell* (the conventional cell), which is also the
    first cell of any supercell made from it with ``Atoms.repeat``.
    """
    if site == "void":
        return largest_void(unit_cell)
    sites = get_structure(name).sites
    if site not in sites:
        valid = ", ".join([*sites, "void"])
        raise SsblabError(f"structure {name!r} has no site {site!r}; choose one of: {valid}")
    return np.asarray(sites[site]) @ unit_cell.cell.array


def reference_energy(symbol: str, reference: str, model: str = "chgnet") -> float:
    """E_B: energy of one *symbol* atom, isolated (``atom``) or in its crystal (``bulk``) [eV]."""
    from ase import Atoms

    if reference == "atom":
        box = Atoms(symbol, positions=[[ATOM_BOX_A / 2] * 3], cell=[ATOM_BOX_A] * 3, pbc=True)
        return single_point(box, model)
    if reference == "bulk":
        if symbol not in structures():
            raise SsblabError(f"no crystal of {symbol!r} in structures.toml for a bulk reference")
        cell = relaxed_cell(symbol, model)
        return cell.energy_eV / len(cell.atoms)
    raise SsblabError(f"unknown reference {reference!r}; choose one of: {', '.join(REFERENCES)}")


def binding_energy(
    host: str,
    adsorbate: str = "Li",
    site: str | None = None,
    reference: str = "atom",
    model: str = "chgnet",
    fmax: float = 0.05,
    size: tuple[int, int, int] = (2, 2, 4),
    min_length_A: float = 8.0,
    on_step: StageCallback | None = None,
) -> BindingResult:
    """E_int of one *adsorbate* atom on or in *host* (relaxed with *model*).

    Parameters
    ----------
    host : str
        Structure name in ``structures.toml`` (``ssblab atoms list``).
    adsorbate : str
        Chemical symbol of the bound atom (``"Li"``).
    site : str, optional
        ``"surface"`` (default when the host lists a surface), a named
        interstitial site of the host, or ``"void"`` (largest empty sphere;
        default for hosts without a surface).
    reference : {"atom", "bulk"}
        E_B as the isolated atom or per atom of the element's crystal.
    fmax : float
        Force threshold of every relaxation [eV/Å].
    size : (int, int, int)
        Slab repeats and layers (surface sites only).
    min_length_A : float
        Smallest plane spacing of the bulk supercell [Å] (interstitial sites only).
    on_step : callable, optional
        Called with (stage name, step count) during relaxations.
    """
    from ase.data import chemical_symbols

    check_model(model)
    if adsorbate not in chemical_symbols[1:]:
        raise SsblabError(f"adsorbate {adsorbate!r} is not a chemical symbol")
    entry = get_structure(host)
    check_elements(model, {*entry.symbols, adsorbate})
    site = site or ("surface" if entry.surface else "terminal_S" if entry.molecule else "void")
    e_b = reference_energy(adsorbate, reference, model)

    if site == "surface":
        clean = surface_slab(host, model, size=size)
        loaded = with_adsorbate(clean, adsorbate, entry.surface.site)
        site_label = f"{entry.surface.miller} {entry.surface.site}"
    elif site == "terminal_S":
        clean = bulk_host(host, model)
        loaded = with_interstitial(clean, adsorbate, terminal_site(clean))
        site_label = "beyond a terminal S (molecule, 10 Å vacuum)"
    else:
        clean = bulk_host(host, model, min_length_A=min_length_A)
        position = site_position(host, host_cell(host, model), site)
        loaded = with_interstitial(clean, adsorbate, position)
        site_label = site

    def stage(name: str):
        return None if on_step is None else (lambda n: on_step(name, n))

    a = relax(clean, model=model, fmax=fmax, on_step=stage(f"{host} host"))
    ab = relax(loaded, model=model, fmax=fmax, on_step=stage(f"{host} + {adsorbate}"))
    e_int = ab.energy_eV - a.energy_eV - e_b
    if not np.isfinite(e_int):
        raise SimulationError(f"{host} + {adsorbate}: the binding energy is not finite")
    e_metal = None
    flags: tuple[Flag, ...] = ()
    if adsorbate in structures() and (model != "emt" or adsorbate in EMT_ELEMENTS):
        e_metal = float(ab.energy_eV - a.energy_eV - reference_energy(adsorbate, "bulk", model))
        if adsorbate == "Li":
            flags = lithiated_binding(host, entry.formula, e_metal, model_label(model))
    if not (a.converged and ab.converged):
        flags += (Flag("E_int_eV", "not_converged", "a relaxation stopped before fmax"),)
    return BindingResult(
        host=host,
        adsorbate=adsorbate,
        site=site_label,
        reference=reference,
        E_int_eV=float(e_int),
        E_AB_eV=ab.energy_eV,
        E_A_eV=a.energy_eV,
        E_B_eV=float(e_b),
        model=model_label(model),
        n_atoms_host=len(clean),
        converged=a.converged and ab.converged,
        E_int_vs_metal_eV=e_metal,
        flags=flags,
    )
