"""Rate tests, ASR and critical current density of Li‖Li cells (last step of the data flow).

Half-cycle overpotentials (:mod:`ssblab.analysis.symmetric_halfcycles`) and the
failure (:mod:`ssblab.analysis.symmetric_failure`) in; per-density medians, the
ASR line and the CCD out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab.analysis.symmetric_failure import Failure, FailureCriteria, detect_failure
from ssblab.analysis.symmetric_halfcycles import half_cycle_overpotentials
from ssblab.errors import AnalysisError
from ssblab.schema import Run


def _area(area_cm2: float) -> float:
    if not area_cm2 > 0:
        raise AnalysisError(f"area_cm2 must be > 0, got {area_cm2}")
    return float(area_cm2)


def rate_overpotentials(
    half_cycles: pl.DataFrame,
    area_cm2: float,
    decimals: int = 3,
    failure: Failure | None = None,
) -> pl.DataFrame:
    """Overpotential per block of constant current density (a rate test).

    Parameters
    ----------
    half_cycles : DataFrame
        Output of :func:`half_cycle_overpotentials`.
    area_cm2 : float
        Electrode area [cm2].
    decimals : int
        Current densities equal after rounding to this many decimals [mA/cm2]
        form one block.
    failure : Failure, optional
        The cell's failure (:func:`detect_failure`): half-cycles from the failed one
        on are left out of the medians, and the block where it happened is marked.

    Returns
    -------
    DataFrame
        One row per consecutive block: ``current_density_mA_cm2``, median plateau
        ``overpotential_mV`` (null when the block failed at once), ``start_h``,
        ``first_half_cycle``, ``n_half_cycles`` and ``failure_mode`` (``"none"``
        or the mode of a failure in this block).
    """
    j = (pl.col("current_A").abs() * 1000.0 / _area(area_cm2)).round(decimals)
    block = (j != j.shift(1)).fill_null(False).cast(pl.Int64).cum_sum().alias("_block")
    at = failure.half_cycle if failure is not None and failure.half_cycle is not None else None
    failed = pl.lit(False) if at is None else pl.col("half_cycle") >= at
    mode = "none" if failure is None else failure.mode
    return (
        half_cycles.with_columns(j.alias("current_density_mA_cm2"), failed.alias("_failed"))
        .with_columns(block)
        .group_by("_block", maintain_order=True)
        .agg(
            pl.col("current_density_mA_cm2").first(),
            pl.col("overpotential_mV").filter(~pl.col("_failed")).median(),
            pl.col("start_h").first(),
            pl.col("half_cycle").first().alias("first_half_cycle"),
            pl.len().alias("n_half_cycles"),
            pl.when(pl.col("_failed").any())
            .then(pl.lit(mode))
            .otherwise(pl.lit("none"))
            .alias("failure_mode"),
        )
        .drop("_block")
    )


@dataclass(frozen=True)
class AreaSpecificResistance:
    """Least-squares line overpotential = intercept + ASR × current density.

    Attributes
    ----------
    asr_ohm_cm2 : float
        Slope [Ω·cm²] (mV per mA/cm² is Ω·cm²).
    intercept_mV : float
        Overpotential extrapolated to zero current [mV].
    r_squared : float
        Coefficient of determination of the fit.
    n_points : int
    """

    asr_ohm_cm2: float
    intercept_mV: float
    r_squared: float
    n_points: int


def area_specific_resistance(rate_table: pl.DataFrame) -> AreaSpecificResistance:
    """ASR [Ω·cm²] as the slope of overpotential [mV] vs current density [mA/cm²].

    Parameters
    ----------
    rate_table : DataFrame
        Output of :func:`rate_overpotentials` (needs two distinct densities or more).
    """
    rate_table = rate_table.drop_nulls("overpotential_mV")
    j = rate_table.get_column("current_density_mA_cm2").to_numpy().astype(float)
    eta = rate_table.get_column("overpotential_mV").to_numpy().astype(float)
    if np.unique(j).size < 2:
        raise AnalysisError("the ASR needs at least two different current densities")
    slope, intercept = np.polyfit(j, eta, 1)
    residual = eta - (intercept + slope * j)
    total = float(np.sum((eta - eta.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual**2)) / total if total > 0 else 1.0
    return AreaSpecificResistance(float(slope), float(intercept), r2, int(j.size))


def critical_current_density(
    data: Run | pl.DataFrame, area_cm2: float, criteria: FailureCriteria | None = None
) -> float | None:
    """First current density at which the cell fails (short or divergence) [mA/cm²].

    The failure rules of :func:`detect_failure` run over the whole test; the CCD
    is the density of the block holding the failed half-cycle. None when the
    cell survives every block (the CCD is then above the largest density tested),
    and None for a test at a single current density (not a CCD test).
    """
    hc = half_cycle_overpotentials(data)
    blocks = rate_overpotentials(hc, area_cm2)
    if blocks.get_column("current_density_mA_cm2").n_unique() < 2:
        return None
    failure = detect_failure(hc, criteria)
    if failure.half_cycle is None:
        return None
    started = blocks.filter(pl.col("first_half_cycle") <= failure.half_cycle)
    return float(started.get_column("current_density_mA_cm2")[-1])
