"""Full-cell simulation with PyBaMM, from a cell recipe, into the canonical table.

Three pieces kept apart, as PyBaMM does: the recipe becomes a ``pybamm.ParameterValues``
(:func:`build_cell`), the protocol a list of PyBaMM step strings
(:func:`cycling_protocol`, :func:`rate_protocol`), and the model is a choice
(``"SPMe"`` by default). :func:`simulate_full` runs them and returns a
:class:`~ssblab.schema.Run`, so measured and simulated data share every analysis.

Which PyBaMM model each anode gets:

* **Li metal** (the LiAlO2 seed): PyBaMM's half-cell, ``"working electrode":
  "positive"`` (a planar Li counter electrode). The Li|electrolyte interphase is a
  series resistance, PyBaMM's ``"contact resistance"`` option, taken as an
  *input parameter* so that :mod:`ssblab.simulate.cycling` can grow it between
  cycles without rebuilding the model.
* **Alloy hosts** (Li-Al, the composite-Al seed): PyBaMM has no alloy option, so the
  cell is PyBaMM's full-cell model whose negative electrode is Li_x Al over
  0 <= x <= 1: ``c_max`` from the Al density and one Li per Al, the volume fraction
  and thickness from the recipe's Al mass and composite fractions, the two-phase OCP
  of :mod:`ssblab.simulate.electrodes`. The anode's capacity is therefore finite and
  the cell is anode- or cathode-limited as its N/P says. The first-charge Li loss
  (ICE) is PyBaMM's SEI submodel on that electrode (``"SEI": "tunnelling limited"``, self-limiting:
  LPSC reduced to Li2S/Li3P/LiCl below :data:`LPSC_REDUCTION_V`).

In both, the solid electrolyte is PyBaMM's electrolyte as a single-ion conductor
(transference number 1, so no salt gradients) with the catalog's 25 °C
conductivity moved to the cell temperature by Arrhenius; the composite's
solid-electrolyte volume fraction is the "porosity", its tortuosity Bruggeman's
``eps^-0.5`` (stated in the notes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ssblab.design import design
from ssblab.errors import SimulationError, require
from ssblab.materials import FARADAY_C_MOL, get_material
from ssblab.recipe import Recipe
from ssblab.simulate import electrodes as el

#: Cathode active loading assumed when a paper does not report the cathode mass [mg cm-2]
#: (calibrated by ``ssblab calibrate`` where the measured rate table allows).
DEFAULT_LOADING_MG_CM2 = 10.0
#: Voltage window vs Li/Li+ used when the recipe gives none [V].
DEFAULT_WINDOW_VS_LI = {"LCO": (3.0, 4.2), "NCM622": (3.0, 4.3), "NCM811": (3.0, 4.3)}
#: Lowest cell voltage simulated for an alloy cell [V]: the seeds' 0 V limit lies below
#: every electrode's OCP, so the discharge ends on the anode's alpha tail well above it.
ALLOY_LOWER_CUTOFF_V = 2.5
#: Li_x Al at the start (as-pressed Al, before any lithiation).
ALLOY_START_X = 0.003
#: OCP of the pristine cathode in an alloy cell [V vs Li] (as synthesised, fully lithiated).
ALLOY_CATHODE_START_V = 3.4
#: LPSC reduction onset vs Li [V] (computed thermodynamic value; parameter sheet A5).
LPSC_REDUCTION_V = 1.71
#: Spread of the lognormal LiCoO2 particle radii (sd / mean; an assumption: the rate test's
#: near-logarithmic fall needs a spread of diffusion times, one radius gives a cliff).
PSD_SPREAD = 1.5
#: PyBaMM's Li-metal exchange-current density (an input when the interphase is kinetic).
LI_J0 = "Exchange-current density for lithium metal electrode [A.m-2]"
#: First-charge interphase (PyBaMM "tunnelling limited" SEI): barrier factor [1/m] (assumed,
#: sets how fast the growth self-limits) and exchange current [A/m2], calibrated by
#: :func:`ssblab.simulate.fit.calibrate_ice` on the seed's ICE of 84.7 %.
SEI_BARRIER_M = 1e7
SEI_J0_A_M2 = 100.0
#: Base-set values kept per cathode: (parameter set, radius [m], diffusivity [m2/s]).
CATHODE_KINETICS = {
    "LCO": ("Ai2020", 3e-6, 5.387e-15),
    "NCM622": ("MSMR_Example", 5.22e-6, 4e-15),
    "NCM811": ("MSMR_Example", 5.22e-6, 4e-15),
}
#: The Li-side interphase models by their CLI names (``--interface``) -> build_cell's names:
#: a linear resistance, Butler-Volmer with i0 from the dc overpotential, or Butler-Volmer with
#: i0 = RT/(F R A) (R read as the linearised slope; shown only, see lialo2_fullcell).
INTERFACES = {"linear": "ohmic", "butler-volmer": "kinetic", "small-signal": "small-signal"}
#: The default everywhere (build_cell, ``ssblab simulate``/``calibrate``, the LCO case study).
DEFAULT_INTERFACE = "butler-volmer"
DEFAULT_INTERPHASE = INTERFACES[DEFAULT_INTERFACE]
#: Li-Al particles: radius and diffusivity [m, m2/s] (no value for beta-LiAl at 60 °C was found:
#: an assumption; beta-LiAl is a fast Li conductor, parameter sheet Al4).
LIAL_RADIUS_M, LIAL_DIFFUSIVITY = 1e-6, 1e-14


@dataclass
class Cell:
    """A recipe as PyBaMM inputs: parameter values, model options, window and notes."""

    values: Any
    options: dict[str, str]
    window_V: tuple[float, float]
    active_mass_g: float
    area_cm2: float
    anode: str
    notes: list[str] = field(default_factory=list)
    inputs: dict[str, float] = field(default_factory=dict)
    #: Li-side interphase: "ohmic", "kinetic" (i0 from the dc overpotential) or
    #: "small-signal" (i0 = RT/(F R A), R read as a linearised resistance)
    interphase: str = "ohmic"

    @property
    def half_cell(self) -> bool:
        """True for a Li-metal counter electrode (PyBaMM's half-cell model)."""
        return self.options.get("working electrode") == "positive"

    @property
    def kinetic_interphase(self) -> bool:
        """True when the Li-side interphase is Butler-Volmer kinetics (see :mod:`fade`)."""
        return self.interphase != "ohmic"


def _volume_fractions(electrode) -> dict[str, float]:
    """Volume fraction of each component in a pressed composite [-]."""
    volumes = {c.material: c.fraction / c.info.density_g_cm3 for c in electrode.components}
    total = sum(volumes.values()) / (1.0 - electrode.porosity)
    return {m: v / total for m, v in volumes.items()}


def _electrolyte_fraction(electrode) -> float:
    fractions = _volume_fractions(electrode)
    return max(sum(v for m, v in fractions.items() if get_material(m).role == "electrolyte"), 0.05)


def anode_offset_V(recipe: Recipe) -> float:
    """Average plateau of the anode vs Li/Li+ [V] (0 for Li metal)."""
    return recipe.anode.active_component.info.potential_V(recipe.anode.product) or 0.0


def is_alloy(recipe: Recipe) -> bool:
    """True when the anode is an alloy host (modelled as a finite electrode)."""
    return recipe.anode.active_component.material != "Li"


def window_vs_li(recipe: Recipe) -> tuple[float, float]:
    """Cathode potential window vs Li/Li+ [V]: the recipe's cell window + the anode plateau."""
    offset = anode_offset_V(recipe)
    if recipe.voltage_window_V is not None:
        low, high = recipe.voltage_window_V
        return max(low + offset, 2.5), high + offset
    return DEFAULT_WINDOW_VS_LI.get(recipe.cathode.active_component.material, (3.0, 4.2))


def cell_window(recipe: Recipe) -> tuple[float, float]:
    """The simulated cell-voltage window [V]."""
    if not is_alloy(recipe):
        return window_vs_li(recipe)
    low, high = recipe.voltage_window_V or (0.0, 4.0)
    return max(low, ALLOY_LOWER_CUTOFF_V), high


def _set_cathode(values, recipe: Recipe, loading: float, notes: list[str]) -> tuple[float, float]:
    """Positive-electrode parameters; returns (theoretical capacity [A h], diffusivity [m2/s])."""
    d = design(recipe)
    info = recipe.cathode.active_component.info
    name = info.name
    temperature = recipe.temperature_C + 273.15
    curve = el.cathode_curve(name, temperature)
    fractions = _volume_fractions(recipe.cathode)
    active = fractions[info.name]
    se = _electrolyte_fraction(recipe.cathode)
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
                "Positive area-weighted particle-size distribution [m-1]": _lognormal(radius),
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


def _lognormal(mean_m: float):
    import pybamm

    def distribution(radius):
        return pybamm.lognormal(radius, mean_m, PSD_SPREAD * mean_m)

    return distribution


def _set_alloy_anode(values, recipe: Recipe, mass_mg: float, notes: list[str]) -> float:
    """Negative electrode = Li_x Al; returns its capacity on the LiAl basis [A h]."""
    anode = recipe.anode
    host = anode.active_component
    if host.material != "Al":
        raise SimulationError(f"{recipe.name}: alloy anode {host.material!r}: only Al is modelled")
    d = design(recipe)
    temperature = recipe.temperature_C + 273.15
    fractions = _volume_fractions(anode)
    active = fractions["Al"]
    se = _electrolyte_fraction(anode) if len(anode.components) > 1 else 0.05
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


def _set_electrolyte(values, recipe: Recipe, notes: list[str]) -> None:
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


def build_cell(
    recipe: Recipe,
    loading_mg_cm2: float | None = None,
    anode_mass_mg: float | None = None,
    contact_resistance_ohm: float = 0.0,
    interphase: str = DEFAULT_INTERPHASE,
) -> Cell:
    """The recipe as PyBaMM parameter values and options (see the module docstring).

    *loading_mg_cm2* overrides the cathode active loading, *anode_mass_mg* the anode
    composite mass (an Al-mass sweep); *contact_resistance_ohm* is the Li-side
    interphase of a Li-metal cell (a PyBaMM input, changeable without a rebuild);
    *interphase* ``"kinetic"`` makes the Li electrode's exchange-current density an input
    too (:func:`ssblab.simulate.fade.interface_inputs` maps R onto it).
    """
    require("pybamm", "sim")
    import pybamm

    if recipe.kind != "full" or recipe.cathode is None:
        raise SimulationError(f"{recipe.name}: PyBaMM simulation needs a full cell with a cathode")
    d = design(recipe)
    notes: list[str] = []
    loading = loading_mg_cm2 or d.cathode.active_loading_mg_cm2
    if loading is None:
        loading = DEFAULT_LOADING_MG_CM2
        notes.append(f"cathode mass not in the recipe: {loading:g} mg/cm2 assumed (per gram)")
    alloy = is_alloy(recipe)
    values = pybamm.ParameterValues("Chen2020" if alloy else "Xu2019")
    if alloy:
        values.update(pybamm.ParameterValues("OKane2022"), check_already_exists=False)
    base = "OKane2022 (SEI) over Chen2020" if alloy else "Xu2019 (half cell)"
    notes.append(f"PyBaMM base set {base}: kinetics and numerics not named here are kept")
    side = math.sqrt(d.area_cm2) * 1e-2
    values.update({"Electrode height [m]": side, "Electrode width [m]": side})
    q_pos, diffusivity = _set_cathode(values, recipe, loading, notes)
    _set_electrolyte(values, recipe, notes)
    low, high = cell_window(recipe)
    options: dict[str, str] = {}
    inputs = {"Positive particle diffusivity [m2.s-1]": diffusivity}
    if recipe.cathode.active_component.material == "LCO":
        options["particle size"] = "distribution"
    if alloy:
        mass = anode_mass_mg or recipe.anode.total_mass_mg
        q_neg = _set_alloy_anode(values, recipe, mass, notes)
        options["SEI"] = "tunnelling limited"
        values.update(
            {
                "Tunneling barrier factor [m-1]": SEI_BARRIER_M,
                "SEI reaction exchange current density [A.m-2]": SEI_J0_A_M2,
            },
            check_already_exists=False,
        )
        notes.append(
            f"first-charge LPSC reduction: PyBaMM 'tunnelling limited' SEI, j0 {SEI_J0_A_M2:g} "
            f"A/m2 (calibrated on the seed's ICE), barrier {SEI_BARRIER_M:g} 1/m (assumed)"
        )
        notes.append(f"N/P (model, LiAl basis over the theoretical cathode) {q_neg / q_pos:.3f}")
    else:
        options.update({"working electrode": "positive", "contact resistance": "true"})
        values.update({"Contact resistance [Ohm]": "[input]"}, check_already_exists=False)
        inputs["Contact resistance [Ohm]"] = contact_resistance_ohm
        if interphase not in ("ohmic", "kinetic", "small-signal"):
            raise SimulationError(f"interphase {interphase!r}: ohmic, kinetic or small-signal")
        if interphase != "ohmic":
            values.update({LI_J0: "[input]"}, check_already_exists=False)
            inputs[LI_J0] = 1e3  # placeholder: interface_inputs() sets it from R
    values.update(
        {
            "Lower voltage cut-off [V]": low - 1.5,
            "Upper voltage cut-off [V]": high + 0.5,
            "Nominal cell capacity [A.h]": _nominal_Ah(recipe, loading, d.area_cm2, q_pos, notes),
        },
        check_already_exists=False,
    )
    _set_start(values, recipe, low, alloy)
    active_g = loading * d.area_cm2 * 1e-3
    return Cell(
        values,
        options,
        (low, high),
        active_g,
        d.area_cm2,
        "alloy" if alloy else "Li",
        notes,
        inputs,
        interphase if not alloy else "ohmic",
    )


def _nominal_Ah(recipe: Recipe, loading: float, area_cm2: float, q_pos: float, notes) -> float:
    """1 C [A h]: the catalog's practical capacity of the cathode mass (else its theoretical)."""
    info = recipe.cathode.active_component.info
    practical = info.practical_capacity_mAh_g(window_vs_li(recipe)[1])
    if practical is None:
        return q_pos
    notes.append(f"1 C = {practical.capacity_mAh_g:g} mAh/g (catalog practical capacity)")
    return practical.capacity_mAh_g * loading * area_cm2 * 1e-6


def _set_start(values, recipe: Recipe, low: float, alloy: bool) -> None:
    """Initial concentrations: the cell as assembled (cathode lithiated, Al empty)."""
    temperature = recipe.temperature_C + 273.15
    curve = el.cathode_curve(recipe.cathode.active_component.material, temperature)
    start_V = ALLOY_CATHODE_START_V if alloy else low + 0.02
    sto = curve.stoichiometry_at(start_V)
    c_pos = values["Maximum concentration in positive electrode [mol.m-3]"]
    values["Initial concentration in positive electrode [mol.m-3]"] = sto * c_pos
    if alloy:
        c_neg = values["Maximum concentration in negative electrode [mol.m-3]"]
        values["Initial concentration in negative electrode [mol.m-3]"] = ALLOY_START_X * c_neg


def initial_stoichiometry(recipe: Recipe, voltage_vs_li_V: float) -> float:
    """Cathode stoichiometry whose OCP is *voltage_vs_li_V* (one ``np.interp`` on the curve)."""
    curve = el.cathode_curve(
        recipe.cathode.active_component.material, recipe.temperature_C + 273.15
    )
    return curve.stoichiometry_at(voltage_vs_li_V)


def simulate_full(
    recipe: Recipe,
    steps: list[str] | None = None,
    model: str = "SPMe",
    series_resistance_ohm: float = 0.0,
    inputs: dict[str, float] | None = None,
    **build: float,
):
    """Run *recipe* through PyBaMM into a canonical Run (see :mod:`ssblab.simulate.cycling`)."""
    from ssblab.simulate.cycling import simulate

    return simulate(recipe, steps, model, series_resistance_ohm, inputs, **build)


def cycling_protocol(c_rate, cycles, window, current_mA=None) -> list[str]:
    """Charge/discharge CC steps (:func:`ssblab.simulate.cycling.cycling_protocol`)."""
    from ssblab.simulate.cycling import cycling_protocol as protocol

    return protocol(c_rate, cycles, window, current_mA)


def rate_protocol(c_rates, cycles_each, window) -> list[str]:
    """A rate test (:func:`ssblab.simulate.cycling.rate_protocol`)."""
    from ssblab.simulate.cycling import rate_protocol as protocol

    return protocol(c_rates, cycles_each, window)
