"""Crystal structures as data: sourced space groups and cell parameters → ASE ``Atoms``.

The structures live in the packaged file ``ssblab/data/structures.toml``; every
number there carries its source. This module only reads that file and expands
an entry into an ASE :class:`~ase.Atoms` with :func:`ase.spacegroup.crystal`.
Lengths are in Å, angles in degrees.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.errors import SsblabError

if TYPE_CHECKING:
    from ase import Atoms

DATA_FILE = "structures.toml"


@dataclass(frozen=True)
class Surface:
    """How to cut a slab: an ASE surface builder and an adsorption site name."""

    builder: str
    site: str
    miller: str
    source: str


@dataclass(frozen=True)
class Structure:
    """One crystal structure from ``structures.toml``.

    Attributes
    ----------
    cellpar : tuple of float
        a, b, c [Å] and alpha, beta, gamma [degrees].
    basis : tuple of tuple of float
        Fractional positions of the asymmetric unit, one per symbol.
    sites : dict
        Named interstitial sites, fractional coordinates of the conventional cell.
    hops : dict
        ``vacancy``: species that hops; ``interstitial``: pair of site names.
    """

    name: str
    formula: str
    description: str
    spacegroup: int
    setting: int
    symbols: tuple[str, ...]
    basis: tuple[tuple[float, float, float], ...]
    cellpar: tuple[float, ...]
    source: str
    sites: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    surface: Surface | None = None
    hops: dict[str, Any] = field(default_factory=dict)
    builder: str | None = None
    experiment: dict[str, Any] = field(default_factory=dict)
    cif: str | None = None
    molecule: bool = False

    @property
    def a_A(self) -> float:
        """Tabulated lattice parameter a [Å]."""
        return self.cellpar[0]


def _parse(name: str, entry: dict[str, Any]) -> Structure:
    try:
        surface = entry.get("surface")
        builder = entry.get("builder") or ("cif" if "cif" in entry else None)
        return Structure(
            name=name,
            formula=entry["formula"],
            description=entry["description"],
            spacegroup=int(entry["spacegroup"]),
            setting=int(entry.get("setting", 1)),
            symbols=tuple(entry["symbols"] if builder is None else entry.get("symbols", ())),
            basis=tuple(
                tuple(float(x) for x in b)
                for b in (entry["basis"] if builder is None else entry.get("basis", ()))
            ),
            cellpar=tuple(float(x) for x in entry["cellpar"]),
            source=entry["source"],
            sites={k: tuple(float(x) for x in v) for k, v in entry.get("sites", {}).items()},
            surface=Surface(**surface) if surface else None,
            hops=dict(entry.get("hops", {})),
            builder=builder,
            experiment=dict(entry.get("experiment", {})),
            cif=entry.get("cif"),
            molecule=bool(entry.get("molecule", False)),
        )
    except (KeyError, TypeError) as exc:
        raise SsblabError(
            f"{DATA_FILE}: entry {name!r} is incomplete or malformed ({exc})"
        ) from None


@cache
def structures() -> dict[str, Structure]:
    """All structures in the packaged data file, keyed by name (e.g. ``"Li"``, ``"LiAl"``)."""
    text = resources.files("ssblab.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return {name: _parse(name, entry) for name, entry in tomllib.loads(text).items()}


def get_structure(name: str) -> Structure:
    """The structure called *name*; an unknown name raises with the list of valid ones."""
    table = structures()
    if name not in table:
        raise SsblabError(f"unknown structure {name!r}; choose one of: {', '.join(table)}")
    return table[name]


def conventional_cell(name: str, a_A: float | None = None) -> Atoms:
    """The conventional cell of structure *name* as ASE ``Atoms``.

    Parameters
    ----------
    name : str
        Structure name in ``structures.toml``.
    a_A : float, optional
        Lattice parameter a [Å]; all cell lengths are scaled by ``a_A / a`` so the
        shape (c/a) is kept. Default: the tabulated value.
    """
    from ase.spacegroup import crystal

    entry = get_structure(name)
    if a_A is not None and not a_A > 0:
        raise SsblabError(f"lattice parameter must be positive, got {a_A} Å")
    if entry.builder is not None:
        from ssblab.atomistic.ordered import BUILDERS, from_cif
        from ssblab.atomistic.ordered_argyrodite import BUILDERS as MORE_BUILDERS

        builders = {**BUILDERS, **MORE_BUILDERS}
        if entry.cif is not None:
            atoms = from_cif(entry.cif)
        elif entry.builder in builders:
            atoms = builders[entry.builder]()
        else:
            raise SsblabError(f"{DATA_FILE}: {name} names an unknown builder {entry.builder!r}")
        if a_A is not None:
            atoms.set_cell(atoms.cell.array * a_A / atoms.cell.cellpar()[0], scale_atoms=True)
        return atoms
    cellpar = np.array(entry.cellpar)
    if a_A is not None:
        cellpar[:3] *= a_A / entry.a_A
    return crystal(
        symbols=list(entry.symbols),
        basis=[list(b) for b in entry.basis],
        spacegroup=entry.spacegroup,
        setting=entry.setting,
        cellpar=cellpar.tolist(),
        primitive_cell=False,
    )


def supercell_repeats(atoms: Atoms, min_length_A: float) -> tuple[int, int, int]:
    """Smallest repeats along a, b, c so that each plane spacing is ≥ *min_length_A* [Å]."""
    spacings = 1.0 / np.linalg.norm(np.linalg.inv(atoms.cell.array).T, axis=1)
    reps = np.maximum(1, np.ceil(min_length_A / spacings - 1e-9)).astype(int)
    return (int(reps[0]), int(reps[1]), int(reps[2]))


def largest_void(atoms: Atoms, grid: int = 24) -> np.ndarray:
    """Cartesian position [Å] of the point farthest from every atom (the largest empty sphere).

    Searches a regular grid of ``grid³`` fractional points of the cell, with
    periodic images, and returns the best grid point. Good enough as a start
    position for an interstitial that is then relaxed.
    """
    from scipy.spatial import cKDTree

    axis = np.arange(grid) / grid
    frac = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3)
    shifts = np.stack(np.meshgrid(*([np.arange(-1, 2)] * 3), indexing="ij"), axis=-1).reshape(-1, 3)
    images = (atoms.get_scaled_positions()[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
    tree = cKDTree(images @ atoms.cell.array)
    nearest, _ = tree.query(frac @ atoms.cell.array)
    return frac[int(np.argmax(nearest))] @ atoms.cell.array
