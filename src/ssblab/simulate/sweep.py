"""Sweeps of the symmetric-cell model: lifetime and overpotential vs coating thickness,
current density and areal capacity; the optimum thickness with its uncertainty.

A thickness sweep is one vectorised model call (a row per thickness), so 200
thicknesses over 5000 h take well under a second. The optimum's uncertainty
has two parts:

* **flatness**: the thicknesses whose lifetime is within ``band`` (default 10 %)
  of the best one; a flat optimum is a wide band;
* **parameters**: the optimum of each of ``samples`` draws of the calibration
  posterior (:mod:`ssblab.simulate.posterior`, ``symmetric_posterior.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ssblab.errors import SimulationError
from ssblab.simulate.protocol import expand, lifetime_protocol
from ssblab.simulate.symmetric import MODES, SymmetricCell, failures, trajectory

#: Columns of :func:`sweep`.
SWEEP_KEYS = (
    "thickness_nm",
    "current_density_mA_cm2",
    "areal_capacity_mAh_cm2",
    "lifetime_h",
    "failure_mode",
    "mean_overpotential_mV",
)


def parse_range(text: str) -> np.ndarray:
    """``"start:stop:count"`` (inclusive, e.g. ``0:500:200``) or ``"a,b,c"`` as an array."""
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            n = int(count)
            if n < 1 or n > 100_000:
                raise SimulationError(f"range {text!r}: count must be 1..100000")
            return np.linspace(float(start), float(stop), n)
        return np.array([float(v) for v in text.split(",") if v.strip()])
    except ValueError as exc:
        raise SimulationError(f"range {text!r}: expected 'start:stop:count' or 'a,b,c'") from exc


def sweep(
    cell: SymmetricCell,
    thickness_nm: Any,
    current_density_mA_cm2: Any = 0.1,
    areal_capacity_mAh_cm2: Any = 0.1,
    max_time_h: float = 5000.0,
) -> pl.DataFrame:
    """Lifetime and mean overpotential for every combination of the given values.

    Parameters
    ----------
    cell : SymmetricCell
        Geometry and parameters (its own coating thickness is replaced).
    thickness_nm : array_like
        Coating thicknesses [nm] (0 = bare Li).
    current_density_mA_cm2, areal_capacity_mAh_cm2 : float or array_like
        Protocol current densities [mA/cm²] and capacities per half-cycle [mAh/cm²].
    max_time_h : float
        Length of each simulated test [h]; ``lifetime_h`` is null if no failure.

    Returns
    -------
    DataFrame
        Columns :data:`SWEEP_KEYS`, one row per combination.
    """
    d = np.atleast_1d(np.asarray(thickness_nm, dtype=float))
    if d.size == 0 or np.any(d < 0):
        raise SimulationError("coating thicknesses must be >= 0 nm (and at least one)")
    frames = []
    for j in np.atleast_1d(current_density_mA_cm2):
        for q in np.atleast_1d(areal_capacity_mAh_cm2):
            hc = expand(lifetime_protocol(float(j), float(q), max_time_h))
            fail = failures(trajectory(d, hc, cell.params, cell))
            frames.append(
                pl.DataFrame(
                    {
                        "thickness_nm": d,
                        "current_density_mA_cm2": np.full(d.size, float(j)),
                        "areal_capacity_mAh_cm2": np.full(d.size, float(q)),
                        "lifetime_h": fail.lifetime_h,
                        "failure_mode": [MODES[m] for m in fail.mode],
                        "mean_overpotential_mV": fail.mean_overpotential_mV,
                    }
                ).with_columns(pl.col("lifetime_h").fill_nan(None))
            )
    return pl.concat(frames)


@dataclass(frozen=True)
class Optimum:
    """Best coating thickness of a thickness sweep.

    Attributes
    ----------
    thickness_nm : float
        Thickness of the longest lifetime [nm] (a cell that never fails counts
        as the test length).
    lifetime_h : float
        Its lifetime [h].
    low_nm, high_nm : float
        Thicknesses within ``band`` of the best lifetime [nm] (flatness).
    band : float
        The relative band used (0.1 = within 10 %).
    spread_nm : float or None
        Standard deviation of the optimum over parameter draws [nm], when computed.
    """

    thickness_nm: float
    lifetime_h: float
    low_nm: float
    high_nm: float
    band: float
    spread_nm: float | None = None


def optimum(result: pl.DataFrame, max_time_h: float = 5000.0, band: float = 0.1) -> Optimum:
    """The best thickness of a one-protocol thickness sweep and its flatness band."""
    d = result.get_column("thickness_nm").to_numpy()
    life = result.get_column("lifetime_h").fill_null(max_time_h).to_numpy()
    k = int(np.argmax(life))
    good = d[life >= (1.0 - band) * life[k]]
    return Optimum(float(d[k]), float(life[k]), float(good.min()), float(good.max()), band)


def optimum_uncertainty(
    cell: SymmetricCell,
    thickness_nm: Any,
    samples: int = 16,
    seed: int = 0,
    max_time_h: float = 5000.0,
    current_density_mA_cm2: float = 0.1,
    areal_capacity_mAh_cm2: float = 0.1,
    on_draw: Callable[[], None] | None = None,
) -> np.ndarray:
    """Optimum thickness [nm] for *samples* draws of the calibration posterior.

    The draws (:func:`ssblab.simulate.posterior.load_draws`) replace the free
    parameters of ``cell.params``; *on_draw* is called after each draw (progress bars).
    """
    from ssblab.simulate.posterior import load_draws, point_params

    draws = load_draws().draws
    rng = np.random.default_rng(seed)
    pick = rng.choice(draws.shape[0], size=min(samples, draws.shape[0]), replace=False)
    best = []
    for theta in draws[pick]:
        trial = cell.with_(params=point_params(cell.params, theta))
        swept = sweep(
            trial, thickness_nm, current_density_mA_cm2, areal_capacity_mAh_cm2, max_time_h
        )
        best.append(optimum(swept, max_time_h))
        if on_draw is not None:
            on_draw()
    return np.array([o.thickness_nm for o in best])


def plot_sweep(result: pl.DataFrame, best: Optimum | None = None, title: str = "") -> Any:
    """Lifetime (solid) and mean overpotential (dashed) vs thickness, one colour per protocol.

    Returns a matplotlib ``Figure`` (not shown, no pyplot state).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    twin = ax.twinx()
    groups = result.group_by(
        "current_density_mA_cm2", "areal_capacity_mAh_cm2", maintain_order=True
    )
    for n, ((j, q), part) in enumerate(groups):
        colour = f"C{n % 10}"
        d = part.get_column("thickness_nm").to_numpy()
        label = f"{j:g} mA/cm², {q:g} mAh/cm²"
        ax.plot(d, part.get_column("lifetime_h").to_numpy(), color=colour, label=label)
        twin.plot(d, part.get_column("mean_overpotential_mV").to_numpy(), color=colour, ls="--")
    if best is not None:
        ax.axvspan(best.low_nm, best.high_nm, color="C0", alpha=0.12)
        ax.axvline(best.thickness_nm, color="C0", ls=":", lw=1)
    ax.set_xlabel("coating thickness [nm]")
    ax.set_ylabel("lifetime [h] (solid)")
    twin.set_ylabel("mean overpotential [mV] (dashed)")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title or "symmetric cell: lifetime and overpotential vs coating thickness")
    return fig
