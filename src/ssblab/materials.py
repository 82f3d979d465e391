"""The materials catalog: chemistry as data, capacities derived from it.

Entries live in ``ssblab/data/materials.toml``, each number with its source.
Theoretical specific capacities are computed from the formula with pymatgen's
``Composition``, never typed by hand:

    q_theo = n F / (3.6 M)   [mAh g-1]

with *n* the Li exchanged per formula unit of the host and *M* its molar mass
[g mol-1]; F = 96485.332 C mol-1 and 3.6 C per mAh.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ssblab.errors import MaterialError

FARADAY_C_MOL = 96485.33212  # CODATA 2018, exact by the 2019 SI definition
COULOMB_PER_MAH = 3.6

Role = Literal["anode_active", "cathode_active", "electrolyte", "coating", "conductor"]


class Product(BaseModel):
    """A lithiation product of an anode host (LiAl, Li9Al4, LiC6, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    li_per_formula_unit: float = Field(gt=0)
    average_potential_V: float
    source: str


class PracticalCapacity(BaseModel):
    """Practical specific capacity of a cathode up to a cut-off potential vs Li/Li+."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    upper_V_vs_Li: float
    capacity_mAh_g: float = Field(gt=0)
    source: str


class Material(BaseModel):
    """One catalog entry. Derived quantities are properties, computed from the formula."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    formula: str
    role: Role
    aliases: tuple[str, ...] = ()
    density_g_cm3: float = Field(gt=0)
    density_source: str
    conductivity_mS_cm: float | None = None
    conductivity_source: str | None = None
    li_per_formula_unit: float | None = None
    average_potential_V: float | None = None
    potential_source: str | None = None
    default_product: str | None = None
    products: dict[str, Product] = {}
    practical: tuple[PracticalCapacity, ...] = ()

    @property
    def molar_mass_g_mol(self) -> float:
        """Molar mass of the formula unit [g mol-1] (pymatgen)."""
        from pymatgen.core import Composition

        return float(Composition(self.formula).weight)

    def theoretical_capacity_mAh_g(self, product: str | None = None) -> float:
        """Theoretical specific capacity [mAh g-1 of this material].

        For an anode host the capacity depends on the lithiation *product*
        (default: the catalog's ``default_product``); for a cathode it is the
        full delithiation of one Li per formula unit (``li_per_formula_unit``).
        """
        n = self.li_per_formula_unit
        if self.products:
            key = product or self.default_product
            if key not in self.products:
                valid = ", ".join(self.products)
                raise MaterialError(f"{self.name}: unknown product {key!r}; valid: {valid}")
            n = self.products[key].li_per_formula_unit
        if n is None:
            raise MaterialError(
                f"{self.name} stores no Li per formula unit: not an active material"
            )
        return n * FARADAY_C_MOL / (COULOMB_PER_MAH * self.molar_mass_g_mol)

    def potential_V(self, product: str | None = None) -> float | None:
        """Average potential vs Li/Li+ [V] of the material (or of its lithiation product)."""
        if self.products:
            key = product or self.default_product
            return self.products[key].average_potential_V if key in self.products else None
        return self.average_potential_V

    def practical_capacity_mAh_g(self, upper_V_vs_Li: float | None) -> PracticalCapacity | None:
        """The practical capacity entry for the highest cut-off not above *upper_V_vs_Li*.

        Returns None when the catalog has no entry at or below that cut-off.
        """
        if not self.practical:
            return None
        ordered = sorted(self.practical, key=lambda p: p.upper_V_vs_Li)
        if upper_V_vs_Li is None:
            return ordered[0]
        eligible = [p for p in ordered if p.upper_V_vs_Li <= upper_V_vs_Li + 1e-9]
        return eligible[-1] if eligible else None


@cache
def catalog() -> dict[str, Material]:
    """All materials by name (loaded once from the packaged TOML)."""
    text = resources.files("ssblab.data").joinpath("materials.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    out: dict[str, Material] = {}
    for name, entry in raw.items():
        entry = dict(entry)
        if "practical" in entry:
            entry["practical"] = tuple(entry["practical"])
        if "aliases" in entry:
            entry["aliases"] = tuple(entry["aliases"])
        out[name] = Material(name=name, **entry)
    return out


def get_material(name: str) -> Material:
    """Look up a material by name or alias (case-insensitive); unknown names list the valid ones."""
    cat = catalog()
    if name in cat:
        return cat[name]
    lowered = name.strip().lower()
    for material in cat.values():
        if lowered == material.name.lower() or lowered in (a.lower() for a in material.aliases):
            return material
    raise MaterialError(f"unknown material {name!r}; known: {', '.join(sorted(cat))}")
