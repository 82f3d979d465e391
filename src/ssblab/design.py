"""Design metrics of a cell recipe: loadings, areal capacities, N/P, thicknesses, energy.

Every function is pure and takes its inputs in the units of its argument names.
``design(recipe)`` gathers them in a :class:`Design` with a stable ``to_dict()``
(the keys of ``ssblab design --json``) and the audit of the reported numbers
(:mod:`ssblab.audit`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ssblab.materials import get_material
from ssblab.recipe import Electrode, Recipe

#: Display label, with its unit, of each scalar key of :meth:`Design.to_dict` and of
#: the audited quantities (the report and ``ssblab design``; JSON keeps the keys).
LABELS: dict[str, str] = {
    "kind": "Cell type",
    "area_cm2": "Cell area [cm²]",
    "anode_active_loading_mg_cm2": "Anode active loading [mg/cm²]",
    "cathode_active_loading_mg_cm2": "Cathode active loading [mg/cm²]",
    "anode_specific_capacity_mAh_g": "Anode specific capacity [mAh/g]",
    "cathode_specific_capacity_mAh_g": "Cathode specific capacity [mAh/g]",
    "anode_areal_capacity_mAh_cm2": "Anode areal capacity [mAh/cm²]",
    "cathode_areal_capacity_mAh_cm2": "Cathode areal capacity [mAh/cm²]",
    "np_ratio": "N/P ratio [-]",
    "anode_thickness_um": "Anode thickness [µm]",
    "separator_thickness_um": "Separator (SE) thickness [µm]",
    "cathode_thickness_um": "Cathode thickness [µm]",
    "interlayer_thickness_nm": "Interlayer thickness [nm]",
    "cell_voltage_V": "Cell voltage [V]",
    "capacity_mAh": "Cell capacity (limiting electrode) [mAh]",
    "stack_mass_mg": "Stack mass (anode + SE + cathode) [mg]",
    "specific_energy_Wh_kg": "Specific energy (stack) [Wh/kg]",
    "energy_density_Wh_L": "Energy density (stack) [Wh/L]",
    "cathode_loading_mg_cm2": "Cathode loading [mg/cm²]",
    "anode_loading_mg_cm2": "Anode loading [mg/cm²]",
    "areal_capacity_mAh_cm2": "Areal capacity [mAh/cm²]",
    "energy_density_Wh_kg": "Specific energy [Wh/kg]",
}


def label(key: str) -> str:
    """Display label of a design or audit *key*; ``"a vs b"`` labels both; unknown keys as is."""
    return " vs ".join(LABELS.get(part, part) for part in key.split(" vs "))


def disc_area_cm2(diameter_mm: float) -> float:
    """Area of a disc [cm2] of diameter [mm]."""
    return math.pi * (diameter_mm / 20.0) ** 2


def loading_mg_cm2(mass_mg: float, area_cm2: float) -> float:
    """Areal loading [mg cm-2] = mass [mg] / area [cm2]."""
    return mass_mg / area_cm2


def areal_capacity_mAh_cm2(loading: float, specific_capacity_mAh_g: float) -> float:
    """Areal capacity [mAh cm-2] = loading [mg cm-2] × specific capacity [mAh g-1] / 1000."""
    return loading * specific_capacity_mAh_g / 1000.0


def composite_density_g_cm3(fractions_and_densities: list[tuple[float, float]]) -> float:
    """Density of a dense mixture [g cm-3] from (mass fraction, density) pairs: 1/ρ = Σ w_i/ρ_i."""
    return 1.0 / sum(w / rho for w, rho in fractions_and_densities)


def layer_thickness_um(
    mass_mg: float, area_cm2: float, density_g_cm3: float, porosity: float = 0.0
) -> float:
    """Thickness [µm] of a pressed layer of mass [mg] over area [cm2] with a void fraction."""
    return mass_mg / 1000.0 / (area_cm2 * density_g_cm3 * (1.0 - porosity)) * 1e4


@dataclass(frozen=True)
class Basis:
    """A specific-capacity basis [mAh g-1] and where it comes from."""

    value_mAh_g: float | None
    source: str


@dataclass(frozen=True)
class Layer:
    """Design numbers of one electrode layer."""

    name: str
    active_material: str
    mass_mg: float | None
    active_mass_mg: float | None
    area_cm2: float
    active_loading_mg_cm2: float | None
    basis: Basis
    areal_capacity_mAh_cm2: float | None
    capacity_mAh: float | None
    density_g_cm3: float
    thickness_um: float | None
    potential_V_vs_Li: float | None


def electrode_mass_mg(electrode: Electrode, area_cm2: float) -> float | None:
    """Electrode mass [mg]: as given, or from a dense foil's thickness × area × density."""
    if electrode.total_mass_mg is not None:
        return electrode.total_mass_mg
    if electrode.thickness_um is None:
        return None
    density = _density(electrode)
    return electrode.thickness_um * 1e-4 * area_cm2 * density * (1 - electrode.porosity) * 1000.0


def _density(electrode: Electrode) -> float:
    return composite_density_g_cm3(
        [(c.fraction, c.info.density_g_cm3) for c in electrode.components]
    )


def anode_basis(electrode: Electrode) -> Basis:
    """Capacity basis of an anode host: override, or theoretical for its lithiation product."""
    if electrode.specific_capacity_mAh_g is not None:
        return Basis(electrode.specific_capacity_mAh_g, "given in the recipe")
    material = electrode.active_component.info
    product = electrode.product or material.default_product
    value = material.theoretical_capacity_mAh_g(product)
    return Basis(value, f"theoretical, {material.name} -> {product} (n F / 3.6 M, pymatgen)")


def cathode_basis(electrode: Electrode, upper_V_vs_Li: float | None) -> Basis:
    """Capacity basis of a cathode: override, or the catalog's practical value at the cut-off."""
    if electrode.specific_capacity_mAh_g is not None:
        return Basis(electrode.specific_capacity_mAh_g, "given in the recipe")
    material = electrode.active_component.info
    entry = material.practical_capacity_mAh_g(upper_V_vs_Li)
    if entry is None:
        theo = material.theoretical_capacity_mAh_g()
        return Basis(theo, f"theoretical {material.name} (no practical value at this cut-off)")
    cutoff = "no window given" if upper_V_vs_Li is None else f"cut-off {upper_V_vs_Li:.2f} V vs Li"
    return Basis(
        entry.capacity_mAh_g,
        f"practical {material.name} to {entry.upper_V_vs_Li} V vs Li ({cutoff}): {entry.source}",
    )


def layer(electrode: Electrode, area_cm2: float, basis: Basis, name: str) -> Layer:
    """Loading, capacity and thickness of one electrode over *area_cm2*."""
    area = disc_area_cm2(electrode.diameter_mm) if electrode.diameter_mm else area_cm2
    area = min(area, area_cm2)  # the die bounds the active area
    mass = electrode_mass_mg(electrode, area)
    active = electrode.active_component
    active_mass = None if mass is None else mass * active.fraction
    loading = None if active_mass is None else loading_mg_cm2(active_mass, area)
    areal = (
        None
        if loading is None or basis.value_mAh_g is None
        else areal_capacity_mAh_cm2(loading, basis.value_mAh_g)
    )
    density = _density(electrode)
    thickness = electrode.thickness_um
    if thickness is None and mass is not None:
        thickness = layer_thickness_um(mass, area, density, electrode.porosity)
    return Layer(
        name=electrode.name or name,
        active_material=active.material,
        mass_mg=mass,
        active_mass_mg=active_mass,
        area_cm2=area,
        active_loading_mg_cm2=loading,
        basis=basis,
        areal_capacity_mAh_cm2=areal,
        capacity_mAh=None if areal is None else areal * area,
        density_g_cm3=density,
        thickness_um=thickness,
        potential_V_vs_Li=active.info.potential_V(electrode.product),
    )


@dataclass(frozen=True, repr=False)
class Design:
    """All design numbers of a recipe, plus the audit of its reported values."""

    name: str
    kind: str
    area_cm2: float
    anode: Layer
    cathode: Layer | None
    separator_thickness_um: float
    interlayer_thickness_nm: float | None
    np_ratio: float | None
    cell_voltage_V: float | None
    capacity_mAh: float | None
    stack_mass_mg: float | None
    specific_energy_Wh_kg: float | None
    energy_density_Wh_L: float | None
    audit: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Flat, stable keys (the ``--json`` output); layer details nested."""
        a, c = self.anode, self.cathode
        return {
            "name": self.name,
            "kind": self.kind,
            "area_cm2": self.area_cm2,
            "anode_active_loading_mg_cm2": a.active_loading_mg_cm2,
            "cathode_active_loading_mg_cm2": c.active_loading_mg_cm2 if c else None,
            "anode_specific_capacity_mAh_g": a.basis.value_mAh_g,
            "cathode_specific_capacity_mAh_g": c.basis.value_mAh_g if c else None,
            "anode_areal_capacity_mAh_cm2": a.areal_capacity_mAh_cm2,
            "cathode_areal_capacity_mAh_cm2": c.areal_capacity_mAh_cm2 if c else None,
            "np_ratio": self.np_ratio,
            "anode_thickness_um": a.thickness_um,
            "separator_thickness_um": self.separator_thickness_um,
            "cathode_thickness_um": c.thickness_um if c else None,
            "interlayer_thickness_nm": self.interlayer_thickness_nm,
            "cell_voltage_V": self.cell_voltage_V,
            "capacity_mAh": self.capacity_mAh,
            "stack_mass_mg": self.stack_mass_mg,
            "specific_energy_Wh_kg": self.specific_energy_Wh_kg,
            "energy_density_Wh_L": self.energy_density_Wh_L,
            "anode": asdict(a),
            "cathode": asdict(c) if c else None,
            "audit": list(self.audit),
        }

    def __repr__(self) -> str:
        from ssblab._repr import design_repr

        return design_repr(self)

    def _repr_html_(self) -> str:
        from ssblab._repr import design_html

        return design_html(self)


def design(recipe: Recipe) -> Design:
    """Compute the design numbers of *recipe* and audit its reported values."""
    from ssblab.audit import audit

    area = recipe.area_cm2
    anode = layer(recipe.anode, area, anode_basis(recipe.anode), "anode")
    cathode = None
    if recipe.cathode is not None:
        upper = None
        if recipe.voltage_window_V is not None:
            upper = recipe.voltage_window_V[1] + (anode.potential_V_vs_Li or 0.0)
        cathode = layer(recipe.cathode, area, cathode_basis(recipe.cathode, upper), "cathode")
    separator_um = recipe.electrolyte_thickness_um
    sep_mass = recipe.separator.mass_mg
    if sep_mass is None:
        rho = get_material(recipe.separator.material).density_g_cm3
        sep_mass = separator_um * 1e-4 * area * rho * (1 - recipe.separator.porosity) * 1000.0

    np_ratio = voltage = capacity = stack = energy_kg = energy_l = None
    if cathode is not None:
        if anode.areal_capacity_mAh_cm2 and cathode.areal_capacity_mAh_cm2:
            np_ratio = anode.areal_capacity_mAh_cm2 / cathode.areal_capacity_mAh_cm2
        if cathode.potential_V_vs_Li is not None and anode.potential_V_vs_Li is not None:
            voltage = cathode.potential_V_vs_Li - anode.potential_V_vs_Li
        if anode.capacity_mAh is not None and cathode.capacity_mAh is not None:
            capacity = min(anode.capacity_mAh, cathode.capacity_mAh)
        if None not in (anode.mass_mg, cathode.mass_mg):
            stack = anode.mass_mg + sep_mass + cathode.mass_mg
        if capacity is not None and voltage is not None and stack:
            energy_kg = capacity * voltage / stack * 1000.0  # mWh/mg = Wh/g -> Wh/kg
            thick_um = (anode.thickness_um or 0) + separator_um + (cathode.thickness_um or 0)
            energy_l = (
                capacity * voltage / (area * thick_um * 1e-4) if cathode.thickness_um else None
            )
    result = Design(
        name=recipe.name,
        kind=recipe.kind,
        area_cm2=area,
        anode=anode,
        cathode=cathode,
        separator_thickness_um=separator_um,
        interlayer_thickness_nm=recipe.interlayer.thickness_nm if recipe.interlayer else None,
        np_ratio=np_ratio,
        cell_voltage_V=voltage,
        capacity_mAh=capacity,
        stack_mass_mg=stack,
        specific_energy_Wh_kg=energy_kg,
        energy_density_Wh_L=energy_l,
    )
    return Design(**{**result.__dict__, "audit": tuple(audit(recipe, result))})
