"""Recipe -> PyBaMM parameter blocks: cathode, Li-Al anode, solid electrolyte.

The first step of :func:`ssblab.simulate.fullcell.build_cell`: each function writes one
electrode's (or the electrolyte's) entries into a ``pybamm.ParameterValues`` from the
recipe's masses, fractions and the catalog, appends what it assumed to *notes*, and
returns what the cell needs next (capacities, the diffusivity kept as an input).
"""

from __future__ import annotations

from ssblab.design import design
from ssblab.errors import SimulationError
from ssblab.materials import FARADAY_C_MOL, get_material
from ssblab.recipe import Recipe
from ssblab.simulate import electrodes as el

#: LPSC reduction onset vs Li [V] (computed thermodynamic value; parameter sheet A5).
LPSC_REDUCTION_V = 1.71
#: Spread of the lognormal LiCoO2 particle radii (sd / mean; an assumption: the rate test's
#: near-logarithmic fall needs a spread of diffusion times, one radius gives a cliff).
PSD_SPREAD = 1.5
#: Base-set values kept per cathode: (parameter set, radius [m], diffusivity [m2/s]).
CATHODE_KINETICS = {
    "LCO": ("Ai2020", 3e-6, 5.387e-15),
    "NCM622": ("MSMR_Example", 5.22e-6, 4e-15),
    "NCM811": ("MSMR_Example", 5.22e-6, 4e-15),
}  #: Li-Al particles: radius and diffusivity [m, m2/s] (no value for beta-LiAl at 60 °C was found:
#: an assumption; beta-LiAl is a fast Li conductor, parameter sheet Al4).
LIAL_RADIUS_M, LIAL_DIFFUSIVITY = 1e-6, 1e-14


def volume_fractions(electrode) -> dict[str, float]:
    """Volume fraction of each component in a pressed composite [-]."""
    volumes = {c.material: c.fraction / c.info.density_g_cm3 for c in electrode.components}
    total = sum(volumes.values()) / (1.0 - electrode.porosity)
    return {m: v / total for m, v in volumes.items()}


def electrolyte_fraction(electrode) -> float:
    fractions = volume_fractions(electrode)
    return max(sum(v for m, v in fractions.items() if get_material(m).role == "electrolyte"), 0.05)


def set_cathode(values, recipe: Recipe, loading: float, notes: list[str]) -> tuple[float, float]:
    """Positive-electrode parameters; returns (theoretical capacity [A h], diffusivity [m2/s])."""
    d = design(recipe)
    info = recipe.cathode.active_component.info
    name = info.name
    temperature = recipe.temperature_C + 273.15
    curve = el.cathode_curve(name, temperature)
    fractions = volume_fractions(recipe.cathode)
    active = fractions[info.name]
    se = electrolyte_fraction(recipe.cathode)
    thickness = loading * 1e-3 / (info.density_g_cm3 * active) * 1e-2  # [m]
    c_max = info.density_g_cm3 * 1e6 / info.molar_mass_g_mol  # one Li per formula unit
    _, radius, diffusivity = CATHODE_KINETICS.get(name, CATHODE_KINETICS["NCM622"])
    notes.append(curve.source)
    if name != "LCO":
        # the MSMR fit spans its own capacity: its x-range is mapped onto the catalog's
        # practical capacity between 3.0 V and 4.3 V vs Li (an input, stated)
        practical = info.practical_capacity_mAh_g(4.3)
        span = curve.stoichiometry_at(3.0) - curve.stoichiometry_at(4.3)
        c_max *= practical.capacity_mAh_g / info.theoretical_capacity_mAh_g() / span
        notes.append(
            f"{name} MSMR x-range scaled so that 3.0-4.3 V vs Li holds the catalog's "
            f"{practical.capacity_mAh_g:g} mAh/g (input)"
        )
    values.update(
        {
            "Positive electrode OCP [V]": curve.pybamm_function(f"{name}_OCP"),
            "Positive electrode thickness [m]": thickness,
            "Positive electrode active material volume fraction": active,
            "Positive electrode porosity": se,
            "Positive particle radius [m]": radius,
            "Positive particle diffusivity [m2.s-1]": "[input]",
            "Maximum concentration in positive electrode [mol.m-3]": c_max,
            "Positive electrode Bruggeman coefficient (electrolyte)": 1.5,
            "Positive electrode OCP entropic change [V.K-1]": 0.0,
        },
        check_already_exists=False,
    )
    if name == "LCO":
        values.update(
            {
                "Positive minimum particle radius [m]": 0.0,
                "Positive maximum particle radius [m]": radius * 6,
                "Positive area-weighted particle-size distribution [m-1]": lognormal_radii(radius),
            },
            check_already_exists=False,
        )
        notes.append(
            f"LCO particle radii lognormal, mean {radius:g} m, sd {PSD_SPREAD:g} x mean (assumed)"
        )
    notes.append(
        f"cathode {name}: {loading:.3g} mg/cm2, {thickness * 1e6:.0f} um, active {active:.2f}, "
        f"SE {se:.2f} (tortuosity eps^-0.5 = {se**-0.5:.2f}); radius {radius:g} m and "
        f"diffusivity {diffusivity:g} m2/s from PyBaMM's {CATHODE_KINETICS.get(name)[0]} set"
    )
    return c_max * FARADAY_C_MOL * thickness * active * d.area_cm2 * 1e-4 / 3600.0, diffusivity


def lognormal_radii(mean_m: float):
    import pybamm

    def distribution(radius):
        return pybamm.lognormal(radius, mean_m, PSD_SPREAD * mean_m)

    return distribution


def set_alloy_anode(values, recipe: Recipe, mass_mg: float, notes: list[str]) -> float:
    """Negative electrode = Li_x Al; returns its capacity on the LiAl basis [A h]."""
    anode = recipe.anode
    host = anode.active_component
    if host.material != "Al":
        raise SimulationError(f"{recipe.name}: alloy anode {host.material!r}: only Al is modelled")
    d = design(recipe)
    temperature = recipe.temperature_C + 273.15
    fractions = volume_fractions(anode)
    active = fractions["Al"]
    se = electrolyte_fraction(anode) if len(anode.components) > 1 else 0.05
    area_m2 = d.area_cm2 * 1e-4
    al_mass_g = mass_mg * host.fraction * 1e-3
    thickness = al_mass_g / (host.info.density_g_cm3 * 1e6 * active * area_m2)
    c_max = host.info.density_g_cm3 * 1e6 / host.info.molar_mass_g_mol  # LiAl: 1 Li per Al
    values.update(
        {
            "Negative electrode OCP [V]": el.lial_ocp_pybamm(temperature),
            "Negative electrode thickness [m]": thickness,
            "Negative electrode active material volume fraction": active,
            "Negative electrode porosity": se,
            "Negative particle radius [m]": LIAL_RADIUS_M,
            "Negative particle diffusivity [m2.s-1]": LIAL_DIFFUSIVITY,
            "Maximum concentration in negative electrode [mol.m-3]": c_max,
            "Negative electrode Bruggeman coefficient (electrolyte)": 1.5,
            "Negative electrode OCP entropic change [V.K-1]": 0.0,
            "Negative electrode conductivity [S.m-1]": 100.0,
            "SEI open-circuit potential [V]": LPSC_REDUCTION_V,
        },
        check_already_exists=False,
    )
    plateau = el.lial_plateau_V(temperature)
    notes.append(
        f"anode Li_x Al: {al_mass_g * 1e3:.3g} mg Al, {thickness * 1e6:.0f} um, Al {active:.2f} "
        f"and SE {se:.2f} by volume (tortuosity {se**-0.5:.2f}); alpha/beta plateau "
        f"{plateau:.3f} V at {recipe.temperature_C:g} °C (Handbook fit extrapolated); Al host "
        "volume kept (the +100 % expansion to LiAl is not modelled); graphene as the electronic "
        f"path (100 S/m assumed); radius {LIAL_RADIUS_M:g} m, D {LIAL_DIFFUSIVITY:g} m2/s assumed"
    )
    return c_max * FARADAY_C_MOL * thickness * active * area_m2 / 3600.0


def set_electrolyte(values, recipe: Recipe, notes: list[str]) -> None:
    d = design(recipe)
    material = get_material(recipe.separator.material)
    kappa, note = el.arrhenius_conductivity_S_m(
        material.name, material.conductivity_mS_cm or 1.0, recipe.temperature_C
    )
    temperature = recipe.temperature_C + 273.15
    values.update(
        {
            "Separator thickness [m]": d.separator_thickness_um * 1e-6,
            "Separator porosity": 1.0,
            "Separator Bruggeman coefficient (electrolyte)": 1.5,
            "Electrolyte conductivity [S.m-1]": kappa,
            "Cation transference number": 1.0,
            "Ambient temperature [K]": temperature,
            "Initial temperature [K]": temperature,
            "Reference temperature [K]": temperature,
        },
        check_already_exists=False,
    )
    notes.append(note + "; single-ion conductor (transference number 1)")
