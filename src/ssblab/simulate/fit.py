"""Calibration of full-cell parameters with PyBOP, on a measured rate table.

The measured quantity is the discharge capacity [mAh/g] at each C-rate (what the
seed papers report). A :class:`RateSimulator` (a ``pybop.BaseSimulator``) turns a
set of named physical parameters into those capacities with ssblab's
:class:`~ssblab.simulate.cycling.RateTest`; PyBOP's ``SumSquaredError`` and its
SciPy Nelder–Mead optimiser fit them, in log space. Targets are split into a
fitting set and a validation set by the caller; only the fitting set reaches PyBOP.

Named parameters (:data:`PARAMETERS`):

* ``diffusivity`` — LiCoO2 solid diffusivity [m2/s] (PyBaMM input);
* ``loading`` — cathode active loading [mg/cm2] where the paper omits it. Exactly,
  it changes the electrode thickness (a mesh quantity PyBaMM cannot take as an
  input); here it acts through the only term it changes at a fixed C-rate, the
  series IR drop ``I R`` with ``I`` proportional to the loading, so the model is
  built once (the composite's own ionic drop, < 2 Ω here, is left unscaled);
* ``interphase`` — the Li-side interphase resistance at the start [Ω].

The uncertainty is the Gauss–Newton covariance at the optimum, ``s^2 (J^T J)^-1``
in log parameters, with *s* the reading error of the figure (:data:`READING_ERROR`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ssblab.errors import SimulationError
from ssblab.simulate.fade import interface_inputs

#: name -> (PyBaMM input or ssblab role, lower, upper bound, unit)
PARAMETERS = {
    "diffusivity": ("Positive particle diffusivity [m2.s-1]", 1e-17, 1e-12, "m2/s"),
    "loading": ("loading", 0.05, 40.0, "mg/cm2"),
    "interphase": ("interphase", 0.1, 1e5, "Ohm"),
}
#: Reading error of a capacity taken off a paper's figure [mAh/g] (one standard deviation).
READING_ERROR = 2.0
_TARGET = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*C\s*=\s*([0-9]*\.?[0-9]+)\s*$")


@dataclass(frozen=True)
class Target:
    """A measured discharge capacity at a C-rate [mAh/g]."""

    c_rate: float
    capacity_mAh_g: float


def parse_targets(text: str) -> list[Target]:
    """``"0.1C=125,0.2C=110"`` as targets; one-line error naming the bad item."""
    targets = []
    for item in (p for p in text.split(",") if p.strip()):
        m = _TARGET.match(item)
        if m is None:
            raise SimulationError(f"target {item!r}: expected RATE C=mAh/g, e.g. 0.1C=125")
        targets.append(Target(float(m[1]), float(m[2])))
    if not targets:
        raise SimulationError("no targets given, e.g. --targets 0.1C=125,0.2C=110")
    return targets


@dataclass
class RateModel:
    """Named physical parameters -> rate capacities, through one built :class:`RateTest`."""

    cell: object
    c_rates: tuple[float, ...]
    fixed: dict[str, float]
    reference_loading: float
    rate_test: object = field(init=False)

    def __post_init__(self) -> None:
        from ssblab.simulate.cycling import RateTest

        self.rate_test = RateTest(self.cell, self.c_rates)

    def inputs(self, params: dict[str, float]) -> dict[str, float]:
        """PyBaMM inputs for a full parameter set (fixed values filled in)."""
        p = {**self.fixed, **params}
        scale = p.get("loading", self.reference_loading) / self.reference_loading
        out = interface_inputs(self.cell, p.get("interphase", 0.0), scale)
        if "diffusivity" in p:
            out[PARAMETERS["diffusivity"][0]] = p["diffusivity"]
        return out

    def capacities(self, params: dict[str, float]) -> np.ndarray:
        """Discharge capacity [mAh/g] at each of :attr:`c_rates`."""
        return self.rate_test(self.inputs(params))


def _pybop_simulator(model: RateModel, names: Sequence[str], initial: dict[str, float]):
    import pybop

    class RateSimulator(pybop.BaseSimulator):
        """PyBOP simulator: parameters -> capacities at the fitting C-rates."""

        def solve_batch(self, inputs, calculate_sensitivities=False):
            out = []
            for x in inputs:
                solution = pybop.Solution(inputs=x)
                params = {n: float(np.exp(x[n])) for n in names}
                solution.set_solution_variable("Capacity [mAh.g-1]", model.capacities(params))
                out.append(solution)
            return out

    parameters = pybop.Parameters(
        {
            n: pybop.Parameter(
                bounds=(math.log(PARAMETERS[n][1]), math.log(PARAMETERS[n][2])),
                initial_value=math.log(initial[n]),
            )
            for n in names
        }
    )
    return RateSimulator(parameters)


@dataclass(frozen=True)
class Calibration:
    """Fitted values, their 1-sigma factor (log-normal), and the fit residuals."""

    values: dict[str, float]
    sigma_factor: dict[str, float]
    fitted_rates: tuple[float, ...]
    fitted_model: tuple[float, ...]
    fitted_measured: tuple[float, ...]
    evaluations: int

    def to_dict(self) -> dict:
        """Stable keys for JSON."""
        return {
            "parameters": {
                n: {"value": v, "unit": PARAMETERS[n][3], "sigma_factor": self.sigma_factor[n]}
                for n, v in self.values.items()
            },
            "fit": [
                {"c_rate": r, "measured_mAh_g": m, "model_mAh_g": f}
                for r, m, f in zip(
                    self.fitted_rates, self.fitted_measured, self.fitted_model, strict=True
                )
            ],
            "evaluations": self.evaluations,
        }


def calibrate(
    cell,
    targets: Sequence[Target],
    names: Sequence[str],
    initial: dict[str, float],
    fixed: dict[str, float] | None = None,
    max_iterations: int = 80,
) -> Calibration:
    """Fit *names* (see :data:`PARAMETERS`) to *targets* with PyBOP; the rest stay *fixed*."""
    import pybop

    unknown = [n for n in names if n not in PARAMETERS]
    if unknown:
        raise SimulationError(f"cannot fit {unknown}; valid: {', '.join(PARAMETERS)}")
    if len(names) > len(targets):
        raise SimulationError(
            f"{len(names)} parameters from {len(targets)} targets: give more targets or fit less"
        )
    rates = tuple(t.c_rate for t in targets)
    measured = np.array([t.capacity_mAh_g for t in targets])
    reference = (fixed or {}).get("loading", initial.get("loading", 1.0))
    model = RateModel(cell, rates, dict(fixed or {}), reference)
    simulator = _pybop_simulator(model, names, initial)
    dataset = pybop.Dataset(
        {"C-rate": np.array(rates), "Capacity [mAh.g-1]": measured}, domain="C-rate"
    )
    cost = pybop.SumSquaredError(dataset, target="Capacity [mAh.g-1]")
    problem = pybop.Problem(simulator, cost)
    options = pybop.SciPyMinimizeOptions(method="Nelder-Mead", maxiter=max_iterations)
    result = pybop.SciPyMinimize(problem, options=options).run()
    best = {n: float(np.exp(v)) for n, v in zip(names, np.atleast_1d(result.x), strict=True)}
    fitted = model.capacities(best)
    sigma = _sigma_factors(model, best, names)
    return Calibration(
        best,
        sigma,
        rates,
        tuple(map(float, fitted)),
        tuple(map(float, measured)),
        int(getattr(result, "n_evaluations", 0) or 0),
    )


def _sigma_factors(model: RateModel, best: dict[str, float], names) -> dict[str, float]:
    """exp(1-sigma) of each log parameter from the Gauss–Newton covariance."""
    step = 0.05
    base = model.capacities(best)
    columns = []
    for n in names:
        moved = {**best, n: best[n] * math.exp(step)}
        columns.append((model.capacities(moved) - base) / step)
    jac = np.array(columns).T
    try:
        cov = READING_ERROR**2 * np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        return {n: math.inf for n in names}
    return {n: float(math.exp(math.sqrt(max(cov[i, i], 0.0)))) for i, n in enumerate(names)}
