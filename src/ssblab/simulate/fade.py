"""Long cycling of Li-metal full cells with a growing Li-side interphase.

The interphase (Li|LGPS reduction products, or the LiAlO2-protected interface) is a
resistance in series with the cell, PyBaMM's contact resistance, that grows
parabolically with time, ``R(t) = R0 (1 + g sqrt(t / 1 h))`` — the square-root
law seen for Li|LGPS by time-resolved EIS (Wenzel et al., Chem. Mater. 28 (2016)
2400; parameter sheet L10).

Cycle skipping: a cycle at a given resistance reaches a periodic state (charge to
the upper cut-off, discharge to the lower), so its capacity, energies and duration
are functions of R alone. :func:`cycle_response` solves one PyBaMM cycle pair per
resistance on a grid (the model is built once; R is an input parameter), and
:func:`long_cycling` walks the cycles through time with the interpolated response:
800 cycles cost a grid of PyBaMM solves, not 800 of them. Full tables of chosen
cycles (``save_at_cycles``) are solved at those cycles' resistance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ssblab.errors import SimulationError

if TYPE_CHECKING:
    from ssblab.simulate.fullcell import Cell

CONTACT = "Contact resistance [Ohm]"
LI_J0 = "Exchange-current density for lithium metal electrode [A.m-2]"
#: Current density at which the seed measured the interphase's overpotential [A/m2]
#: (three-electrode cells at 0.1 mA/cm2, Fig. 3b, c).
REFERENCE_CURRENT_A_M2 = 1.0
FARADAY, GAS = 96485.33212, 8.314462618
#: Resistance grid points of :func:`cycle_response` (log-spaced).
GRID_POINTS = 12


def interface_inputs(cell: Cell, r_ohm: float, scale: float = 1.0) -> dict[str, float]:
    """PyBaMM inputs for a Li-side interphase of (dc) resistance *r_ohm* [Ω].

    *r_ohm* is the measured overpotential over the current at
    :data:`REFERENCE_CURRENT_A_M2`; *scale* the model's current density over the real
    one's inverse (the fitted loading over the built one). Ohmic cells: a linear contact
    resistance ``r * scale``. Kinetic cells: Butler–Volmer on the Li electrode,
    ``eta = (2RT/F) asinh(i / 2 i0)``, with the i0 that gives the measured overpotential
    at the reference current, ``i0 = i_ref / (2 sinh(F i_ref R A / 2RT))``, over *scale*;
    ``"small-signal"`` cells read R as the linearised slope instead, ``i0 = RT / (F R A)``.
    """
    if not cell.kinetic_interphase:
        return {CONTACT: r_ohm * scale}
    rt_f = GAS * float(cell.values["Ambient temperature [K]"]) / FARADAY
    asr = max(r_ohm * cell.area_cm2 * 1e-4, 1e-12)  # [Ohm m2]
    if cell.interphase == "small-signal":  # R as the linearised BV slope, RT/(F i0)
        return {CONTACT: 0.0, LI_J0: rt_f / asr / scale}
    eta = REFERENCE_CURRENT_A_M2 * asr
    j0 = REFERENCE_CURRENT_A_M2 / max(2.0 * np.sinh(min(eta / (2.0 * rt_f), 600.0)), 1e-9)
    return {CONTACT: 0.0, LI_J0: max(float(j0), 1e-200) / scale}


@dataclass(frozen=True)
class Interphase:
    """Li-side interphase: ``R(t) = r0_ohm * (1 + growth * sqrt(t / h))`` [Ω]."""

    r0_ohm: float
    growth_per_sqrt_h: float

    def resistance(self, time_h: np.ndarray | float) -> np.ndarray:
        """R at *time_h* [Ω]."""
        t = np.maximum(np.asarray(time_h, dtype=float), 0.0)
        return self.r0_ohm * (1.0 + self.growth_per_sqrt_h * np.sqrt(t))

    def scaled(self, factor: float) -> Interphase:
        """The same growth law, *factor* times the resistance (another interface)."""
        return Interphase(self.r0_ohm * factor, self.growth_per_sqrt_h)


@dataclass(frozen=True)
class Response:
    """Per-cycle quantities as functions of the series resistance (a grid)."""

    resistance_ohm: np.ndarray
    discharge_mAh_g: np.ndarray
    charge_mAh_g: np.ndarray
    energy_efficiency: np.ndarray
    duration_h: np.ndarray

    def at(self, resistance_ohm: np.ndarray) -> dict[str, np.ndarray]:
        """Interpolated quantities at *resistance_ohm* (log axis)."""
        x = np.log(self.resistance_ohm)
        r = np.log(np.clip(resistance_ohm, self.resistance_ohm[0], self.resistance_ohm[-1]))
        return {
            "discharge_mAh_g": np.interp(r, x, self.discharge_mAh_g),
            "charge_mAh_g": np.interp(r, x, self.charge_mAh_g),
            "energy_efficiency": np.interp(r, x, self.energy_efficiency),
            "duration_h": np.interp(r, x, self.duration_h),
        }


def cycle_response(
    cell: Cell,
    c_rate: float,
    r_min_ohm: float,
    r_max_ohm: float,
    inputs: dict[str, float] | None = None,
    points: int = GRID_POINTS,
    scale: float = 1.0,
) -> Response:
    """Solve a two-cycle test at *c_rate* per resistance; keep the second (periodic) cycle.

    The grid is in model resistance ``R * scale`` (see :func:`interface_inputs`)."""
    import pybamm

    from ssblab.simulate.cycling import HOURS_PER_INVERSE_C, VAR_PTS, pybamm_log_to, step_capacities

    if not cell.half_cell:
        raise SimulationError("interphase growth applies to Li-metal cells (half-cell model)")
    low, high = cell.window_V
    hours = HOURS_PER_INVERSE_C / c_rate
    cycle = (
        f"Charge at {c_rate:g} C for {hours:g} hours or until {high} V",
        f"Discharge at {c_rate:g} C for {hours:g} hours or until {low} V",
    )
    model = pybamm.lithium_ion.SPMe(dict(cell.options))
    sim = pybamm.Simulation(
        model,
        parameter_values=cell.values,
        experiment=pybamm.Experiment([cycle, cycle]),
        var_pts=VAR_PTS,
    )
    grid = np.geomspace(max(r_min_ohm, 1e-3), max(r_max_ohm, 2 * r_min_ohm), points)
    rows = []
    for r in grid:
        with pybamm_log_to(cell.notes):
            try:
                own = interface_inputs(cell, float(r) / scale, scale)
                solution = sim.solve(inputs={**cell.inputs, **(inputs or {}), **own})
                steps = step_capacities(solution)
            except pybamm.SolverError:
                steps = []
        if len(steps) < 4:
            rows.append((0.0, 0.0, 0.0, 0.0))
            continue
        (q_c, e_c, i_c), (q_d, e_d, i_d) = steps[2], steps[3]
        duration = (abs(q_c / i_c) if i_c else 0.0) + (abs(q_d / i_d) if i_d else 0.0)
        rows.append((-q_d, q_c, (-e_d / e_c) if e_c > 0 else 0.0, duration))
    arr = np.array(rows)
    per_g = 1e3 / cell.active_mass_g
    return Response(grid, arr[:, 0] * per_g, arr[:, 1] * per_g, arr[:, 2], arr[:, 3])


def long_cycling(
    cell: Cell,
    interphase: Interphase,
    c_rate: float,
    n_cycles: int,
    start_h: float = 0.0,
    inputs: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Per-cycle capacity, energy efficiency and resistance over *n_cycles* cycles.

    Time advances by each cycle's own duration (which shrinks as R grows); *start_h*
    is the cell's age at the first cycle (e.g. after a rate test). The end of life
    (no capacity) stops the walk: the remaining cycles deliver 0.
    """
    if n_cycles < 1:
        raise SimulationError(f"cycles must be >= 1, got {n_cycles}")
    # bound R over the test from the growth law and a generous duration guess
    t_max = start_h + n_cycles * 2.5 * 1.0 / c_rate
    response = cycle_response(
        cell,
        c_rate,
        interphase.r0_ohm * 0.9,
        float(interphase.resistance(t_max)) * 1.1,
        inputs,
    )
    return walk(response, interphase, n_cycles, start_h)


def walk(
    response: Response, interphase: Interphase, n_cycles: int, start_h: float = 0.0
) -> pl.DataFrame:
    """Cycles 1..*n_cycles* through a precomputed *response*, time advancing per cycle."""
    time_h, rows = start_h, []
    for n in range(1, n_cycles + 1):
        r = float(interphase.resistance(time_h))
        point = response.at(np.array([r]))
        q = float(point["discharge_mAh_g"][0])
        rows.append((n, time_h, r, q, float(point["energy_efficiency"][0])))
        time_h += max(float(point["duration_h"][0]), 1e-3)
    return pl.DataFrame(
        rows,
        schema=["cycle", "time_h", "resistance_ohm", "discharge_mAh_g", "energy_efficiency"],
        orient="row",
    )


def retention(table: pl.DataFrame, cycle: int) -> float:
    """Discharge capacity at *cycle* over that of cycle 1 [%]."""
    q = table["discharge_mAh_g"]
    return 100.0 * float(q[cycle - 1]) / float(q[0]) if q[0] > 0 else 0.0


def rate_test_resistances(
    interphase: Interphase, c_rates: Sequence[float], hours_per_rate: Sequence[float]
) -> np.ndarray:
    """The interphase resistance at the middle of each block of a rate test [Ω]."""
    ends = np.cumsum(hours_per_rate)
    mids = ends - np.asarray(hours_per_rate) / 2.0
    return interphase.resistance(mids[: len(c_rates)])
