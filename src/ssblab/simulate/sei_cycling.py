"""Long cycling of the Li–Al alloy full cell: SEI growth by cycle skipping.

The alloy cell's only slow state is the anode's interphase (PyBaMM's "tunnelling
limited" SEI, the LPSC reduction layer of :mod:`ssblab.simulate.fullcell`): its
thickness L and the lithium it has taken from the cyclable inventory,
``n_lost = (L - L0) * z a V / Vbar`` (:func:`li_per_thickness_mol_m`). One cycle at a
given L — charge to the upper cut-off, discharge to the lower — therefore has a
capacity, energy efficiency, duration and SEI growth that are functions of L alone.

:func:`sei_response` solves one PyBaMM cycle per L on a grid (the model is built
once; the initial SEI thickness and the cathode's starting lithium are input
parameters), and :func:`walk_sei` steps the cycles ``L <- L + dL(L)`` through the
interpolated response: 1000 cycles cost a grid of PyBaMM solves, not 1000 of them.
The same idea as :mod:`ssblab.simulate.fade` for the Li-metal cells, whose slow state
is a resistance. :func:`direct_cycles` is PyBaMM stepping every cycle itself, the
check of the skipping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ssblab.errors import SimulationError
from ssblab.materials import FARADAY_C_MOL

if TYPE_CHECKING:
    from ssblab.simulate.fullcell import Cell

THICKNESS = "Initial SEI thickness [m]"
C_POS0 = "Initial concentration in positive electrode [mol.m-3]"
L_VAR = "X-averaged negative SEI thickness [m]"
LOST = "Loss of lithium to negative SEI [mol]"
#: Grid points of :func:`sei_response` (log-spaced in L above the first cycle's L).
SEI_POINTS = 10
#: The grid's first span, in multiples of the SEI thickness after cycle 1 (extended when
#: the walk runs past it).
FIRST_SPAN = 8.0


def li_per_thickness_mol_m(cell: Cell) -> float:
    """Lithium bound per metre of SEI on the whole negative electrode [mol/m].

    ``z a V / Vbar``: Li per SEI formula unit, the particles' surface per volume
    ``3 eps / R``, the electrode's volume, the SEI's partial molar volume (PyBaMM's
    own bookkeeping of "Loss of lithium to negative SEI [mol]").
    """
    v = cell.values
    surface = 3.0 * v["Negative electrode active material volume fraction"]
    surface /= v["Negative particle radius [m]"]
    volume = v["Negative electrode thickness [m]"] * v["Electrode height [m]"]
    volume *= v["Electrode width [m]"]
    return (
        v["Ratio of lithium moles to SEI moles"]
        * surface
        * volume
        / v["SEI partial molar volume [m3.mol-1]"]
    )


def cathode_start(cell: Cell, lost_mol: float) -> float:
    """Cathode starting concentration once *lost_mol* of Li sit in the SEI [mol/m3]."""
    v = cell.values
    solid = v["Positive electrode active material volume fraction"]
    volume = v["Positive electrode thickness [m]"] * v["Electrode height [m]"]
    volume *= v["Electrode width [m]"]
    return max(float(v[C_POS0]) - lost_mol / (solid * volume), 1.0)


def _cycle_steps(cell: Cell, current_mA: float) -> tuple[str, str]:
    low, high = cell.window_V
    return (
        f"Charge at {current_mA:.5g} mA for 200 hours or until {high:.3f} V",
        f"Discharge at {current_mA:.5g} mA for 200 hours or until {low:.3f} V",
    )


@dataclass(frozen=True)
class SeiResponse:
    """Per-cycle quantities as functions of the SEI thickness at the cycle's start."""

    thickness_m: np.ndarray
    growth_m: np.ndarray
    discharge_mAh_g: np.ndarray
    charge_mAh_g: np.ndarray
    energy_efficiency: np.ndarray
    duration_h: np.ndarray
    #: lithium bound per metre of SEI, as capacity per gram of cathode [mAh/g/m]
    li_mAh_g_per_m: float = 0.0

    def at(self, thickness_m: float) -> dict[str, float]:
        """Interpolated quantities at *thickness_m* (log axis; growth log-log)."""
        x = np.log(self.thickness_m)
        r = float(np.log(np.clip(thickness_m, self.thickness_m[0], self.thickness_m[-1])))
        growth = np.exp(np.interp(r, x, np.log(np.maximum(self.growth_m, 1e-30))))
        out = {
            k: float(np.interp(r, x, getattr(self, k)))
            for k in ("discharge_mAh_g", "charge_mAh_g", "energy_efficiency", "duration_h")
        }
        return {**out, "growth_m": float(growth)}


class _OneCycle:
    """One charge/discharge of the alloy cell, built once, solved at any (L, Li lost)."""

    def __init__(self, cell: Cell, current_mA: float, model: str = "SPMe"):
        import pybamm

        from ssblab.simulate.cycling import VAR_PTS, pybamm_model

        if cell.half_cell or "SEI" not in cell.options:
            raise SimulationError("SEI cycle skipping applies to the alloy full cell (SEI on)")
        self.cell = cell
        self.l0 = float(cell.values[THICKNESS])
        self.per_m = li_per_thickness_mol_m(cell)
        values = cell.values.copy()
        values.update({THICKNESS: "[input]", C_POS0: "[input]"})
        self.sim = pybamm.Simulation(
            pybamm_model(cell, model),
            parameter_values=values,
            experiment=pybamm.Experiment([_cycle_steps(cell, current_mA)]),
            var_pts=VAR_PTS,
        )

    def __call__(self, thickness_m: float) -> tuple[float, float, float, float, float]:
        """(growth [m], discharge, charge [mAh/g], energy efficiency, duration [h])."""
        import pybamm

        from ssblab.simulate.cycling import pybamm_log_to, step_capacities

        lost = (thickness_m - self.l0) * self.per_m
        inputs = {**self.cell.inputs, THICKNESS: thickness_m}
        inputs[C_POS0] = cathode_start(self.cell, lost)
        with pybamm_log_to(self.cell.notes):
            try:
                solution = self.sim.solve(inputs=inputs)
            except pybamm.SolverError:
                return 0.0, 0.0, 0.0, 0.0, 0.0
        steps = step_capacities(solution)
        if len(steps) < 2:
            return 0.0, 0.0, 0.0, 0.0, 0.0
        (q_c, e_c, i_c), (q_d, e_d, i_d) = steps[0], steps[1]
        grown = float(solution[L_VAR].entries[-1]) - thickness_m
        duration = (abs(q_c / i_c) if i_c else 0.0) + (abs(q_d / i_d) if i_d else 0.0)
        per_g = 1e3 / self.cell.active_mass_g
        ee = -e_d / e_c if e_c > 0 else 0.0
        return grown, -q_d * per_g, q_c * per_g, ee, duration


def sei_response(
    cell: Cell, current_mA: float, n_cycles: int, points: int = SEI_POINTS
) -> SeiResponse:
    """The response grid: the pristine L0, then log-spaced L from cycle 1's end onwards.

    The top of the grid starts at :data:`FIRST_SPAN` x L1 and doubles (more solves)
    until a walk of *n_cycles* stays inside it.
    """
    one = _OneCycle(cell, current_mA)
    per_m = one.per_m * FARADAY_C_MOL / 3.6 / cell.active_mass_g
    rows = {one.l0: one(one.l0)}
    l1 = one.l0 + rows[one.l0][0]
    top = l1 * FIRST_SPAN
    while True:
        for thickness in np.geomspace(l1, top, points):
            if float(thickness) not in rows:
                rows[float(thickness)] = one(float(thickness))
        response = _as_response(rows, per_m)
        end = float(walk_sei(response, n_cycles)["sei_thickness_m"][-1])
        if end < top or response.at(top)["discharge_mAh_g"] <= 0.0 or top > 1e-3:
            return response
        top *= 2.0


def _as_response(rows: dict[float, tuple], per_m: float) -> SeiResponse:
    keys = sorted(rows)
    arr = np.array([rows[k] for k in keys])
    return SeiResponse(np.array(keys), *(arr[:, i] for i in range(5)), per_m)


def walk_sei(response: SeiResponse, n_cycles: int) -> pl.DataFrame:
    """Cycles 1..*n_cycles* from the pristine cell, L advancing by each cycle's growth.

    ``sei_li_mAh_g`` is the lithium the SEI bound in the cycle. It is not the cycler's
    charge minus discharge: in PyBaMM's own cycling that difference is smaller (part of
    the SEI's lithium comes out of the stored inventory as the end-of-discharge state
    drifts), and the one-cycle solves start from an assembled-like state, so no
    coulombic efficiency is given after cycle 1.
    """
    if n_cycles < 1:
        raise SimulationError(f"cycles must be >= 1, got {n_cycles}")
    thickness, time_h, rows = float(response.thickness_m[0]), 0.0, []
    for n in range(1, n_cycles + 1):
        p = response.at(thickness)
        bound = p["growth_m"] * response.li_mAh_g_per_m
        rows.append((n, time_h, thickness, p["discharge_mAh_g"], p["energy_efficiency"], bound))
        thickness += p["growth_m"]
        time_h += max(p["duration_h"], 1e-3)
    return pl.DataFrame(
        rows,
        schema=[
            "cycle",
            "time_h",
            "sei_thickness_m",
            "discharge_mAh_g",
            "energy_efficiency",
            "sei_li_mAh_g",
        ],
        orient="row",
    )


def alloy_long_cycling(
    cell: Cell, current_mA: float, n_cycles: int, points: int = SEI_POINTS
) -> pl.DataFrame:
    """Per-cycle capacity, efficiencies and SEI thickness over *n_cycles* (cycle skipping)."""
    return walk_sei(sei_response(cell, current_mA, n_cycles, points), n_cycles)


def direct_cycles(
    cell: Cell, current_mA: float, n_cycles: int, save: list[int]
) -> dict[int, tuple[float, float]]:
    """PyBaMM stepping all *n_cycles* itself: {cycle: (discharge, SEI lithium) [mAh/g]}."""
    from ssblab.simulate.cycling import solve

    steps = [_cycle_steps(cell, current_mA)] * n_cycles
    solution = solve(cell, steps, save_at_cycles=sorted(set(save) | {1}))
    out = {}
    for n, cycle in enumerate(solution.cycles, start=1):
        if cycle is None or n not in save:
            continue
        per_g = 1e3 / cell.active_mass_g
        charge, discharge = cycle.steps
        q = discharge["Discharge capacity [A.h]"].entries
        lost = discharge[LOST].entries[-1] - charge[LOST].entries[0]
        out[n] = (
            float(q[-1] - q[0]) * per_g,
            float(lost) * FARADAY_C_MOL / 3.6 / cell.active_mass_g,
        )
    return out


SEI_J0 = "SEI reaction exchange current density [A.m-2]"


def first_cycle_ice(cell: Cell, current_mA: float, j0_values: list[float]) -> list[float]:
    """Initial coulombic efficiency [%] of the pristine cell for each SEI exchange current."""
    import pybamm

    from ssblab.simulate.cycling import VAR_PTS, pybamm_log_to, pybamm_model, step_capacities

    values = cell.values.copy()
    values.update({SEI_J0: "[input]"})
    sim = pybamm.Simulation(
        pybamm_model(cell, "SPMe"),
        parameter_values=values,
        experiment=pybamm.Experiment([_cycle_steps(cell, current_mA)]),
        var_pts=VAR_PTS,
    )
    out = []
    for j0 in j0_values:
        with pybamm_log_to(cell.notes):
            steps = step_capacities(sim.solve(inputs={**cell.inputs, SEI_J0: j0}))
        out.append(100.0 * -steps[1][0] / steps[0][0] if steps[0][0] > 0 else 0.0)
    return out


def calibrate_ice(
    cell: Cell, current_mA: float, target_percent: float, bounds=(1.0, 1e4), steps: int = 12
) -> float:
    """The SEI exchange current [A/m2] whose first cycle gives *target_percent* (bisection).

    The ICE falls monotonically with the exchange current (more Li to the SEI on the
    first charge); the search is on log j0 within *bounds*.
    """
    low, high = np.log(bounds[0]), np.log(bounds[1])
    ends = first_cycle_ice(cell, current_mA, [bounds[0], bounds[1]])
    if not ends[1] <= target_percent <= ends[0]:
        raise SimulationError(
            f"ICE {target_percent:g} % outside {ends[1]:.1f}-{ends[0]:.1f} % for SEI j0 in "
            f"{bounds[0]:g}-{bounds[1]:g} A/m2"
        )
    for _ in range(steps):
        mid = 0.5 * (low + high)
        ice = first_cycle_ice(cell, current_mA, [float(np.exp(mid))])[0]
        low, high = (mid, high) if ice > target_percent else (low, mid)
    return float(np.exp(0.5 * (low + high)))
