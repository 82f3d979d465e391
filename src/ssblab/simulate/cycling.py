"""Running the full-cell models: protocols, the canonical table, PyBaMM's log kept as notes.

:func:`simulate` runs any PyBaMM step list on a recipe's :class:`~ssblab.simulate.fullcell.Cell`
and returns a canonical :class:`~ssblab.schema.Run`. :func:`rate_capacities` is the
rate test reduced to the numbers a paper reports (discharge mAh/g per C-rate), the
quantity the calibration fits. PyBaMM's WARNING lines and solver warnings go into
the run's notes instead of the terminal.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import SimulationError, require

if TYPE_CHECKING:
    import pybamm

    from ssblab.recipe import Recipe
    from ssblab.simulate.fullcell import Cell

#: A CC step gets this many hours per 1/C-rate before PyBaMM stops it (PyBaMM's default is 24 h).
HOURS_PER_INVERSE_C = 2.0
#: Mesh: PyBaMM's defaults except the particle-size grid (12 points, not 30: 1C capacity within
#: 1.5 mAh/g of the default mesh).
VAR_PTS = {"x_n": 10, "x_s": 10, "x_p": 10, "r_n": 20, "r_p": 20, "R_n": 12, "R_p": 12}
#: Longest step of a current-controlled protocol [h].
MAX_STEP_H = 200.0


def cycling_protocol(
    c_rate: float | None, cycles: int, window: tuple[float, float], current_mA: float | None = None
) -> list[str]:
    """Charge-then-discharge CC steps as PyBaMM step strings, at a C-rate or a current [mA]."""
    low, high = window
    if current_mA is not None:
        rate, hours = f"{current_mA:.5g} mA", MAX_STEP_H
    else:
        rate, hours = f"{c_rate:g} C", max(HOURS_PER_INVERSE_C / c_rate, 0.5)
    return [
        f"Charge at {rate} for {hours:g} hours or until {high:.3f} V",
        f"Discharge at {rate} for {hours:g} hours or until {low:.3f} V",
    ] * cycles


#: Said of every constant-current protocol: why a cycle after a faster one can give CE > 1.
CC_ONLY_NOTE = (
    "protocol: constant current both ways, no CV hold at either cutoff (the seeds name none: "
    "the LiAlO2 seed's LAND CT-2001A test gives C-rates only); a discharge that stops at the "
    "cutoff leaves lithium undelivered, and the next, slower cycle gives it back (CE > 1, "
    "flagged ce_carry_over)"
)


def _hold_note(steps: Sequence[str | tuple[str, ...]]) -> tuple[str, ...]:
    """:data:`CC_ONLY_NOTE` when no step holds a voltage."""
    flat = [p for step in steps for p in ((step,) if isinstance(step, str) else step)]
    held = any(p.strip().lower().startswith("hold") for p in flat)
    return () if held else (CC_ONLY_NOTE,)


def rate_protocol(c_rates: Sequence[float], cycles_each: int, window: tuple[float, float]):
    """A rate test: *cycles_each* cycles at each C-rate in turn."""
    steps: list[str] = []
    for rate in c_rates:
        steps += cycling_protocol(rate, cycles_each, window)
    return steps


@dataclass(frozen=True)
class SolverLog:
    """The lines the C solvers (SUNDIALS IDA) wrote to stderr during the solves run inside
    one :func:`solver_log` block, in order (count them with :func:`solver_note`)."""

    lines: list[str] = field(default_factory=list)


#: The :class:`SolverLog` objects of the :func:`solver_log` blocks open in this context
#: (innermost last; an immutable tuple, set and reset per block, never appended to).
_OPEN_LOGS: contextvars.ContextVar[tuple[SolverLog, ...]] = contextvars.ContextVar(
    "ssblab_solver_logs", default=()
)


@contextlib.contextmanager
def solver_log() -> Iterator[SolverLog]:
    """Collect the solver's stderr lines of every solve run inside the block, however deep
    (:func:`pybamm_log_to`), into a fresh :class:`SolverLog`; blocks nest (an outer one gets
    its inner ones' lines too), and a solve outside any block is counted in its notes only."""
    log = SolverLog()
    token = _OPEN_LOGS.set((*_OPEN_LOGS.get(), log))
    try:
        yield log
    finally:
        _OPEN_LOGS.reset(token)


def solver_note(lines: Sequence[str], where: str) -> str | None:
    """One note that counts SUNDIALS' error lines and failed solves (None when there are none).

    IDA writes three lines per failed solve (IDAHandleFailure, then IDAGetDky or IDAICFailFlag);
    the failed solves are counted by their IDAHandleFailure line.
    """
    errors = [line for line in lines if "[ERROR]" in line]
    if not errors:
        return None
    failed = [line for line in errors if "IDAHandleFailure" in line]
    at_start = sum("At t = 0 " in line for line in failed)
    first = (failed or errors)[0].rsplit("]", 1)[-1].strip()
    return (
        f"{where}: SUNDIALS IDA wrote {len(errors)} error lines to stderr, {len(failed)} failed "
        f"solves ({at_start} at t = 0: the step is infeasible from its start, and the code "
        f"that asked takes it as no capacity); first: {first!r}"
    )


@contextlib.contextmanager
def _stderr_lines(out: list[str]) -> Iterator[None]:
    """Send what is written to file descriptor 2 (C libraries included) into *out*."""
    import sys
    import tempfile

    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (a daemon): nothing to capture
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            out.extend(sink.read().decode("utf-8", "replace").splitlines())


@contextlib.contextmanager
def pybamm_log_to(notes: list[str]) -> Iterator[None]:
    """Collect PyBaMM's log records (WARNING and up) and Python warnings into *notes*, and
    the solver's own stderr lines (SUNDIALS IDA) into each open :func:`solver_log` (counted
    into *notes* by :func:`solver_note`; other stderr lines are written back)."""
    import sys

    import pybamm

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            notes.append("PyBaMM: " + " ".join(record.getMessage().split()))

    logger = pybamm.logger
    saved = logger.handlers[:]
    keep = _Keep(level=logging.WARNING)
    logger.handlers = [keep]
    lines: list[str] = []
    try:
        with _stderr_lines(lines), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        notes.extend(
            f"PyBaMM: {w.category.__name__}: {w.message}"
            for w in caught
            if "pybamm" in (w.filename or "")
        )
    finally:
        logger.handlers = saved
        solver = [line for line in lines if "sundials" in line.lower()]
        for log in _OPEN_LOGS.get():
            log.lines.extend(solver)
        note = solver_note(solver, "this solve")
        if note:
            notes.append(note)
        rest = [line for line in lines if "sundials" not in line.lower()]
        if rest:
            sys.stderr.write("\n".join(rest) + "\n")


def pybamm_model(cell: Cell, model: str) -> pybamm.BaseModel:
    """The PyBaMM lithium-ion model *model* (SPM, SPMe or DFN) with the cell's options."""
    import pybamm

    models = {
        "SPM": pybamm.lithium_ion.SPM,
        "SPMe": pybamm.lithium_ion.SPMe,
        "DFN": pybamm.lithium_ion.DFN,
    }
    if model not in models:
        raise SimulationError(f"unknown model {model!r}; valid: {', '.join(models)}")
    return models[model](dict(cell.options))


def solve(
    cell: Cell,
    steps: Sequence[str | tuple[str, ...]],
    model: str = "SPMe",
    inputs: dict[str, float] | None = None,
    notes: list[str] | None = None,
    save_at_cycles: int | list[int] | None = None,
) -> pybamm.Solution:
    """Solve *steps* on *cell*; PyBaMM's warnings land in *notes* (or the cell's notes)."""
    import pybamm

    try:
        experiment = pybamm.Experiment(list(steps))
    except Exception as exc:
        raise SimulationError(f"invalid protocol step: {exc}") from None
    sink = cell.notes if notes is None else notes
    with pybamm_log_to(sink):
        sim = pybamm.Simulation(
            pybamm_model(cell, model),
            parameter_values=cell.values,
            experiment=experiment,
            var_pts=VAR_PTS,
        )
        try:
            solution = sim.solve(
                inputs={**cell.inputs, **(inputs or {})}, save_at_cycles=save_at_cycles
            )
        except pybamm.SolverError as exc:
            raise SimulationError(f"PyBaMM solver failed: {exc}") from None
    if solution is None or not solution.cycles:
        raise SimulationError("PyBaMM returned no cycle: the first step is infeasible")
    return solution


def step_capacities(solution: pybamm.Solution) -> list[tuple[float, float, float]]:
    """Per step: (charge passed [A h], energy [W h], mean current [A], + = charge)."""
    out = []
    for cycle in solution.cycles:
        if cycle is None:
            continue
        for step in cycle.steps:
            if type(step).__name__ == "EmptySolution":
                out.append((0.0, 0.0, 0.0))
                continue
            t = step["Time [s]"].entries
            i = -step["Current [A]"].entries
            v = step["Voltage [V]"].entries
            if t.size < 2:
                out.append((0.0, 0.0, 0.0))
                continue
            q = float(np.trapezoid(i, t)) / 3600.0
            e = float(np.trapezoid(i * v, t)) / 3600.0
            out.append((q, e, float(np.mean(i))))
    return out


def solution_table(solution: pybamm.Solution, steps_per_cycle: int = 2) -> pl.DataFrame:
    """The canonical table of a PyBaMM solution (+ current = charge, cell voltage)."""
    from ssblab.analysis.cycles import integrated_counters

    time, voltage, current, step = [], [], [], []
    all_steps = [st for c in solution.cycles if c is not None for st in c.steps]
    for index, step_solution in enumerate(all_steps):
        time.append(step_solution["Time [s]"].entries)
        voltage.append(step_solution["Voltage [V]"].entries)
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


def simulate(
    recipe: Recipe,
    steps: list[str] | None = None,
    model: str = "SPMe",
    series_resistance_ohm: float = 0.0,
    inputs: dict[str, float] | None = None,
    **build: float,
) -> s.Run:
    """Run a PyBaMM simulation of *recipe* and return it as a canonical :class:`Run`.

    *series_resistance_ohm* is the Li-side interphase of a Li-metal cell [Ω] (its dc
    resistance at 0.1 mA/cm2, through the cell's interface model, ``interphase``:
    :func:`ssblab.simulate.fade.interface_inputs`); *inputs* override PyBaMM input
    parameters (e.g. a fitted diffusivity); *build* goes to
    :func:`~ssblab.simulate.fullcell.build_cell` (``loading_mg_cm2``, ``anode_mass_mg``,
    ``interphase``).
    """
    require("pybamm", "sim")
    import pybamm

    from ssblab.simulate.fade import interface_inputs
    from ssblab.simulate.fullcell import INTERFACES, build_cell

    cell = build_cell(recipe, contact_resistance_ohm=series_resistance_ohm, **build)
    if cell.half_cell:
        cell.inputs.update(interface_inputs(cell, series_resistance_ohm))
    if steps is None:
        rate = recipe.protocol.c_rate if recipe.protocol and recipe.protocol.c_rate else None
        density = recipe.protocol.current_density_mA_cm2 if recipe.protocol else None
        current = density * cell.area_cm2 if density and rate is None else None
        steps = cycling_protocol(rate or 0.1, 3, cell.window_V, current_mA=current)
    solution = solve(cell, steps, model, inputs=inputs)
    table = solution_table(solution)
    kind = "half-cell (Li metal)" if cell.half_cell else "full cell (Li-Al negative)"
    if series_resistance_ohm > 0:
        how = {v: k for k, v in INTERFACES.items()}[cell.interphase]
        cell.notes.append(f"Li-side interphase {series_resistance_ohm:.4g} Ohm ({how} interface)")
    meta = s.RunMeta(
        source=f"PyBaMM {pybamm.__version__} {model} {kind}: {recipe.name}",
        source_format="simulation",
        cell_name=recipe.name,
        active_mass_g=cell.active_mass_g,
        area_cm2=cell.area_cm2,
        kind="simulated",
        cycle_numbering="one charge + one discharge per cycle",
        notes=(*cell.notes, f"protocol: {'; '.join(dict.fromkeys(steps))}", *_hold_note(steps)),
    )
    return s.Run(table, meta)


class RateTest:
    """The rate test as numbers: discharge capacity [mAh/g] per C-rate, fast to repeat.

    One charge and one discharge per C-rate, the rates in turn as a cycler runs them
    (each rate starts where the previous discharge ended). The PyBaMM simulation is
    built once; each call re-solves with new *inputs* (PyBaMM input parameters such as
    the contact resistance or the diffusivity). When a rate is infeasible from its
    first step (the IR drop alone spans the window) PyBaMM stops the test: that rate
    and the later ones deliver 0 mAh/g (the shorter tests are built when first needed).
    """

    def __init__(self, cell: Cell, c_rates: Sequence[float], model: str = "SPMe"):
        self.cell, self.c_rates, self.model = cell, tuple(c_rates), model
        self._sims: dict[int, object] = {}

    def _sim(self, n: int):
        import pybamm

        if n not in self._sims:
            low, high = self.cell.window_V
            cycles = [
                (
                    f"Charge at {r:g} C for {HOURS_PER_INVERSE_C / r:g} hours or until {high} V",
                    f"Discharge at {r:g} C for {HOURS_PER_INVERSE_C / r:g} hours or until {low} V",
                )
                for r in self.c_rates[:n]
            ]
            self._sims[n] = pybamm.Simulation(
                pybamm_model(self.cell, self.model),
                parameter_values=self.cell.values,
                experiment=pybamm.Experiment(cycles),
                var_pts=VAR_PTS,
            )
        return self._sims[n]

    def __call__(self, inputs: dict[str, float] | None = None) -> np.ndarray:
        import pybamm

        out = np.zeros(len(self.c_rates))
        notes: list[str] = []
        for n in range(len(self.c_rates), 0, -1):
            with pybamm_log_to(notes):
                try:
                    solution = self._sim(n).solve(inputs={**self.cell.inputs, **(inputs or {})})
                except pybamm.SolverError:
                    continue
            per_step = step_capacities(solution)
            discharges = [-q for q, _, _ in per_step[1::2]][:n]
            out[: len(discharges)] = np.array(discharges) * 1e3 / self.cell.active_mass_g
            break
        return out


def rate_capacities(
    cell: Cell,
    c_rates: Sequence[float],
    inputs: dict[str, float] | None = None,
    model: str = "SPMe",
) -> np.ndarray:
    """Discharge capacity [mAh/g] at each C-rate (see :class:`RateTest`)."""
    return RateTest(cell, c_rates, model)(inputs)
