"""Full-cell simulation with PyBaMM, from a cell recipe, into the canonical table.

Three pieces kept apart, as PyBaMM does: the recipe becomes a
``pybamm.ParameterValues`` (:func:`parameter_values`), the protocol a list of
PyBaMM step strings (:func:`cycling_protocol`, :func:`rate_protocol`), and the
model is a choice (``"SPMe"`` by default). :func:`simulate_full` runs them and
returns a :class:`~ssblab.schema.Run`, so measured and simulated data go through
the same analysis and overlay in reports.

The solid-state cell is mapped onto PyBaMM's half-cell model
(``{"working electrode": "positive"}``: a composite cathode against a metal
counter electrode):

* the solid electrolyte plays PyBaMM's electrolyte: a single-ion conductor, so
  the cation transference number is 1 (no salt gradients) and its conductivity
  is the catalog value for the recipe's separator material;
* the composite cathode's solid-electrolyte volume fraction is the "porosity";
  its active volume fraction comes from the mass fractions and densities;
* an alloy anode (LiAl, LiIn) is a counter electrode at its plateau potential
  vs Li/Li+: the cell voltage is the cathode's vs Li minus that plateau.

PyBaMM's NMC parameter set ``Xu2019`` is the base, OCP included, for every
cathode (PyBaMM's LiCoO2 OCP fits, Ramadass2004 and Ai2020, are valid over
narrower stoichiometry windows than a 4.2 V charge needs; said in the notes).
The Li inventory is scaled so that the OCP window holds the catalog's practical
capacity. Base-set values that the recipe does not determine (particle radius,
diffusivity, kinetics) are kept and listed in the run's notes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.design import design
from ssblab.errors import SimulationError, require
from ssblab.materials import FARADAY_C_MOL, get_material
from ssblab.recipe import Recipe

if TYPE_CHECKING:
    import pybamm

#: Cathode active loading assumed when a paper does not report the cathode mass [mg cm-2].
DEFAULT_LOADING_MG_CM2 = 10.0
#: The simulated cell starts at the OCP this far above the lower cut-off [V].
START_ABOVE_CUTOFF_V = 0.02
#: Voltage window vs Li/Li+ used when the recipe gives none [V].
DEFAULT_WINDOW_VS_LI = {"LCO": (3.0, 4.2), "NCM622": (3.0, 4.3), "NCM811": (3.0, 4.3)}
_KEPT = ("particle radius", "particle diffusivity", "exchange-current density", "OCP shape")


def _cathode_volume_fractions(recipe: Recipe) -> tuple[float, float]:
    """(active, solid-electrolyte) volume fractions of the composite cathode [-]."""
    comps = recipe.cathode.components
    volumes = {c.material: c.fraction / c.info.density_g_cm3 for c in comps}
    total = sum(volumes.values()) / (1.0 - recipe.cathode.porosity)
    active = recipe.cathode.active_component.material
    electrolyte = sum(v for m, v in volumes.items() if get_material(m).role == "electrolyte")
    return volumes[active] / total, max(electrolyte / total, 0.05)


def anode_offset_V(recipe: Recipe) -> float:
    """Plateau potential of the anode vs Li/Li+ [V] (0 for Li metal)."""
    return recipe.anode.active_component.info.potential_V(recipe.anode.product) or 0.0


def window_vs_li(recipe: Recipe) -> tuple[float, float]:
    """Cathode potential window vs Li/Li+ [V]: the recipe's cell window + the anode plateau."""
    offset = anode_offset_V(recipe)
    if recipe.voltage_window_V is not None:
        low, high = recipe.voltage_window_V
        return max(low + offset, 2.5), high + offset
    name = recipe.cathode.active_component.material
    return DEFAULT_WINDOW_VS_LI.get(name, (3.0, 4.2))


def parameter_values(recipe: Recipe) -> tuple[pybamm.ParameterValues, list[str]]:
    """PyBaMM parameter values for the recipe's cathode half-cell, and notes on assumptions."""
    require("pybamm", "sim")
    import pybamm

    if recipe.kind != "full" or recipe.cathode is None:
        raise SimulationError(f"{recipe.name}: PyBaMM simulation needs a full cell with a cathode")
    notes = [f"kept from the PyBaMM Xu2019 set: {', '.join(_KEPT)}"]
    d = design(recipe)
    cathode = recipe.cathode.active_component.info
    values = pybamm.ParameterValues("Xu2019")
    if cathode.name != "NCM622":
        notes.append(f"OCP of NMC532 (Xu2019) used for {cathode.name}: shape not fitted to it")
    active_fraction, se_fraction = _cathode_volume_fractions(recipe)
    loading = d.cathode.active_loading_mg_cm2
    if loading is None:
        loading = DEFAULT_LOADING_MG_CM2
        notes.append(
            f"cathode mass not in the recipe: simulated at {loading} mg/cm2 (read per gram)"
        )
    # thickness from the active loading, density and active volume fraction
    thickness_m = loading * 1e-3 / (cathode.density_g_cm3 * active_fraction) * 1e-2
    c_max = cathode.density_g_cm3 * 1e6 / cathode.molar_mass_g_mol  # [mol m-3], 1 Li per f.u.
    electrolyte = get_material(recipe.separator.material)
    kappa = (electrolyte.conductivity_mS_cm or 1.0) * 0.1  # mS/cm -> S/m
    side = math.sqrt(d.area_cm2) * 1e-2
    low, high = window_vs_li(recipe)
    temperature = recipe.temperature_C + 273.15
    values.update(
        {
            "Electrode height [m]": side,
            "Electrode width [m]": side,
            "Positive electrode thickness [m]": thickness_m,
            "Positive electrode active material volume fraction": active_fraction,
            "Positive electrode porosity": se_fraction,
            "Maximum concentration in positive electrode [mol.m-3]": c_max,
            "Separator thickness [m]": d.separator_thickness_um * 1e-6,
            "Separator porosity": 1.0,
            "Electrolyte conductivity [S.m-1]": kappa,
            "Cation transference number": 1.0,
            # the model's hard limits sit outside the protocol's step limits
            "Lower voltage cut-off [V]": low - 0.2,
            "Upper voltage cut-off [V]": high + 0.2,
            "Ambient temperature [K]": temperature,
            "Initial temperature [K]": temperature,
            "Reference temperature [K]": temperature,
        },
        check_already_exists=False,
    )
    capacity_ah = c_max * FARADAY_C_MOL * thickness_m * active_fraction * side**2 / 3600.0
    practical = cathode.practical_capacity_mAh_g(high)
    if practical is not None:
        # scale the Li inventory so that the OCP window [low, high] holds the practical capacity
        window = initial_stoichiometry(values, low) - initial_stoichiometry(
            values, high, clamp=True
        )
        fraction = practical.capacity_mAh_g / cathode.theoretical_capacity_mAh_g()
        values["Maximum concentration in positive electrode [mol.m-3]"] = c_max * fraction / window
        capacity_ah *= fraction
        notes.append(
            f"Li inventory scaled so that {low:.2f}-{high:.2f} V vs Li holds the catalog's "
            f"practical {practical.capacity_mAh_g:g} mAh/g"
        )
    values["Nominal cell capacity [A.h]"] = capacity_ah
    notes.append(f"solid electrolyte {electrolyte.name}: {kappa:.3g} S/m, transference number 1")
    return values, notes


def initial_stoichiometry(
    values: pybamm.ParameterValues, voltage_V: float, clamp: bool = False
) -> float:
    """Cathode stoichiometry whose OCP is *voltage_V* (the start of a charge-first test).

    Found on a grid of the OCP function from the parameter values (monotonic over
    the window); the highest stoichiometry whose OCP is at or above the voltage.
    With *clamp*, a voltage above the whole curve gives the curve's lowest stoichiometry.
    """
    import pybamm

    ocp = values["Positive electrode OCP [V]"]
    grid = np.linspace(0.01, 0.999, 800)
    if callable(ocp):
        potentials = np.array([np.ravel(ocp(pybamm.Scalar(x)).evaluate())[0] for x in grid])
    else:
        potentials = np.full_like(grid, float(ocp))
    above = grid[potentials >= voltage_V]
    if above.size == 0 and clamp:
        return float(grid[0])
    if above.size == 0:
        raise SimulationError(f"the cathode OCP never reaches {voltage_V:.2f} V vs Li")
    return float(above.max())


def cycling_protocol(
    c_rate: float | None, cycles: int, window: tuple[float, float], current_mA: float | None = None
) -> list[str]:
    """Charge-then-discharge CC steps as PyBaMM step strings, at a C-rate or a current [mA]."""
    low, high = window
    rate = f"{current_mA:.5g} mA" if current_mA is not None else f"{c_rate:g} C"
    return [
        f"Charge at {rate} until {high:.3f} V",
        f"Discharge at {rate} until {low:.3f} V",
    ] * cycles


def rate_protocol(c_rates: list[float], cycles_each: int, window: tuple[float, float]) -> list[str]:
    """A rate test: *cycles_each* cycles at each C-rate in turn."""
    steps: list[str] = []
    for rate in c_rates:
        steps += cycling_protocol(rate, cycles_each, window)
    return steps


def solution_table(
    solution: pybamm.Solution, offset_V: float, steps_per_cycle: int = 2
) -> pl.DataFrame:
    """The canonical table of a PyBaMM solution (+ current = charge, cell voltage)."""
    from ssblab.analysis.cycles import integrated_counters

    time, voltage, current, step = [], [], [], []
    for index, step_solution in enumerate(s_ for c in solution.cycles for s_ in c.steps):
        time.append(step_solution["Time [s]"].entries)
        voltage.append(step_solution["Voltage [V]"].entries - offset_V)
        current.append(-step_solution["Current [A]"].entries)  # PyBaMM: + = discharge
        step.append(np.full(len(time[-1]), index, dtype=np.int64))
    steps = np.concatenate(step)
    table = pl.DataFrame(
        {
            s.TIME: np.concatenate(time),
            s.VOLTAGE: np.concatenate(voltage),
            s.CURRENT: np.concatenate(current),
            s.CYCLE: steps // steps_per_cycle + 1,
            s.STEP_COUNT: steps + 1,
            s.STEP_INDEX: steps % steps_per_cycle + 1,
        }
    )
    table = table.unique(subset=[s.TIME], keep="last", maintain_order=True)
    return s.conform(integrated_counters(table))


def simulate_full(
    recipe: Recipe,
    steps: list[str] | None = None,
    model: str = "SPMe",
    series_resistance_ohm: float = 0.0,
) -> s.Run:
    """Run a PyBaMM simulation of *recipe* and return it as a canonical :class:`Run`.

    Parameters
    ----------
    recipe : Recipe
        A full cell.
    steps : list of str, optional
        PyBaMM step strings; default: 3 cycles at the recipe's C-rate (or 0.1 C).
    model : {"SPM", "SPMe", "DFN"}
    series_resistance_ohm : float
        Interface resistance in series with the cell [Ω] (e.g. the Li|electrolyte
        interphase predicted by the symmetric-cell model); PyBaMM's contact resistance.
    """
    require("pybamm", "sim")
    import pybamm

    values, notes = parameter_values(recipe)
    window = window_vs_li(recipe)
    sto = initial_stoichiometry(values, window[0] + START_ABOVE_CUTOFF_V)
    c_max = values["Maximum concentration in positive electrode [mol.m-3]"]
    values["Initial concentration in positive electrode [mol.m-3]"] = sto * c_max
    if steps is None:
        rate = recipe.protocol.c_rate if recipe.protocol and recipe.protocol.c_rate else 0.1
        steps = cycling_protocol(rate, 3, window)
    models = {
        "SPM": pybamm.lithium_ion.SPM,
        "SPMe": pybamm.lithium_ion.SPMe,
        "DFN": pybamm.lithium_ion.DFN,
    }
    if model not in models:
        raise SimulationError(f"unknown model {model!r}; valid: {', '.join(models)}")
    try:
        experiment = pybamm.Experiment(steps)
    except Exception as exc:
        raise SimulationError(f"invalid protocol step: {exc}") from None
    options = {"working electrode": "positive"}
    if series_resistance_ohm > 0:
        options["contact resistance"] = "true"
        values.update(
            {"Contact resistance [Ohm]": series_resistance_ohm}, check_already_exists=False
        )
        notes.append(f"series interface resistance {series_resistance_ohm:.4g} Ohm")
    sim = pybamm.Simulation(
        models[model](options),
        parameter_values=values,
        experiment=experiment,
    )
    try:
        solution = sim.solve()
    except pybamm.SolverError as exc:
        raise SimulationError(f"{recipe.name}: PyBaMM solver failed: {exc}") from None
    table = solution_table(solution, anode_offset_V(recipe))
    d = design(recipe)
    active_g = (d.cathode.active_mass_mg or DEFAULT_LOADING_MG_CM2 * d.area_cm2) / 1000.0
    meta = s.RunMeta(
        source=f"PyBaMM {pybamm.__version__} {model} half-cell: {recipe.name}",
        source_format="simulation",
        cell_name=recipe.name,
        active_mass_g=active_g,
        area_cm2=d.area_cm2,
        kind="simulated",
        cycle_numbering="one charge + one discharge per cycle",
        notes=(*notes, f"protocol: {'; '.join(dict.fromkeys(steps))}"),
    )
    return s.Run(table, meta)
