"""Full-cell simulation with PyBaMM, from a cell recipe, into the canonical table.

Three pieces kept apart, as PyBaMM does: the recipe becomes a ``pybamm.ParameterValues``
(:func:`build_cell`, electrode by electrode in :mod:`ssblab.simulate.cell_parts`), the
protocol a list of PyBaMM step strings (:func:`cycling_protocol`, :func:`rate_protocol`),
and the model is a choice
(``"SPMe"`` by default). :func:`simulate_full` runs them and returns a
:class:`~ssblab.schema.Run`, so measured and simulated data share every analysis.

Which PyBaMM model each anode gets:

* **Li metal** (the LiAlO2 seed): PyBaMM's half-cell, ``"working electrode":
  "positive"`` (a planar Li counter electrode). The Li|electrolyte interphase is, by
  default (:data:`DEFAULT_INTERFACE`), Butler-Volmer kinetics on that Li electrode
  with its exchange-current density an *input parameter*, or (``"linear"``) a series
  resistance, PyBaMM's ``"contact resistance"`` option, also an input: either way
  :mod:`ssblab.simulate.fade` grows it between cycles without rebuilding the model.
  The Li-Al full cell's slow state is its SEI instead (:mod:`ssblab.simulate.sei_cycling`).
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
from ssblab.recipe import Recipe
from ssblab.simulate import cell_parts as parts
from ssblab.simulate import electrodes as el
from ssblab.simulate.cell_parts import LPSC_REDUCTION_V, PSD_SPREAD  # noqa: F401 (re-exported)

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
#: PyBaMM's Li-metal exchange-current density (an input when the interphase is kinetic).
LI_J0 = "Exchange-current density for lithium metal electrode [A.m-2]"
#: First-charge interphase (PyBaMM "tunnelling limited" SEI): barrier factor [1/m] (assumed,
#: sets how fast the growth self-limits) and exchange current [A/m2], calibrated by
#: :func:`ssblab.simulate.sei_cycling.calibrate_ice` on the seed's ICE of 84.7 % at
#: 0.25 mA/cm2 (a slow test refits it).
SEI_BARRIER_M = 1e7
SEI_J0_A_M2 = 107.1
#: The Li-side interphase models by their CLI names (``--interface``) -> build_cell's names:
#: a linear resistance, Butler-Volmer with i0 from the dc overpotential, or Butler-Volmer with
#: i0 = RT/(F R A) (R read as the linearised slope; shown only, see lialo2_fullcell).
INTERFACES = {"linear": "ohmic", "butler-volmer": "kinetic", "small-signal": "small-signal"}
#: The default everywhere (build_cell, ``ssblab simulate``/``calibrate``, the LCO case study).
DEFAULT_INTERFACE = "butler-volmer"
DEFAULT_INTERPHASE = INTERFACES[DEFAULT_INTERFACE]


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
    q_pos, diffusivity = parts.set_cathode(values, recipe, loading, notes)
    parts.set_electrolyte(values, recipe, notes)
    low, high = cell_window(recipe)
    options: dict[str, str] = {}
    inputs = {"Positive particle diffusivity [m2.s-1]": diffusivity}
    if recipe.cathode.active_component.material == "LCO":
        options["particle size"] = "distribution"
    if alloy:
        mass = anode_mass_mg or recipe.anode.total_mass_mg
        q_neg = parts.set_alloy_anode(values, recipe, mass, notes)
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
