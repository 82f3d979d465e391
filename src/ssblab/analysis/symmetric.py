"""Li‖Li symmetric cells: overpotential per half-cycle, failure, lifetime, ASR and CCD.

All functions are pure: a canonical table (measured or simulated) goes in, a
Polars frame or a small dataclass comes out. The data flow is

    table ──> :func:`half_cycle_overpotentials` (one row per plating/stripping half-cycle)
          ──> :func:`detect_failure` (time, mode and the criterion that fired)
          ──> :func:`lifetime_table` (several cells), :func:`rate_overpotentials`,
              :func:`area_specific_resistance`, :func:`critical_current_density`

Definitions
-----------
* **overpotential** of a half-cycle: the median of ``|V|`` over the middle of the
  half-cycle (records between 25 % and 75 % of its duration; all its records when
  that window holds none) [mV]. A Li‖Li cell has zero open-circuit voltage, so
  ``|V|`` is the total polarisation of both electrodes and the electrolyte.
* **peak** overpotential: the largest ``|V|`` in the half-cycle [mV].
* **noise**: the relative spread of ``|V|`` in the middle window,
  (P90 − P10) / median — large for the erratic voltage of a soft short.

The failure rule (one rule for measured and simulated tables)
-------------------------------------------------------------
* **short**: voltage collapse — a half-cycle whose peak ``|V|`` stays below
  ``hard_short_mV`` (hard short), or whose plateau resistance ``|V|/|I|`` falls
  below ``collapse_fraction`` of its recent median, or whose plateau is noisy
  (soft short);
* **divergence**: the plateau overpotential above the stated bound
  :data:`DIVERGENCE_BOUND_MV` (1 V for long cycling; a rate test states its own
  bound, :data:`RATE_TEST_BOUND_MV`).

The failure time is the start of the first failed half-cycle. The symmetric-cell
model (:mod:`ssblab.simulate.symmetric`) applies the same bounds to its
half-cycle plateaus, so ``simulate``, ``symmetric``, ``calibrate``, ``reproduce``
and the report give one lifetime and one failure mode per cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis.steps import HALF_CYCLE, STATE, label
from ssblab.errors import AnalysisError
from ssblab.schema import Run

#: Divergence bound of long cycling: a plateau above this is failure [mV]. The
#: seed's symmetric cells cycle at 80-400 mV; 1 V is a common symmetric-cell limit.
DIVERGENCE_BOUND_MV = 1000.0
#: Divergence bound of a rate test [mV]: the seed's bare cell ran at 4 V at 1 mA/cm2
#: (Chang et al., Fig. 4a), so a rate test is judged against 5 V.
RATE_TEST_BOUND_MV = 5000.0

#: Columns of :func:`half_cycle_overpotentials` (also the CLI's JSON keys per half-cycle).
HALF_CYCLE_KEYS = (
    "half_cycle",
    "start_h",
    "end_h",
    "current_A",
    "overpotential_mV",
    "peak_mV",
    "noise",
    "n_points",
)


@dataclass(frozen=True)
class FailureCriteria:
    """Thresholds of :func:`detect_failure` (all overpotentials in mV).

    Attributes
    ----------
    hard_short_mV : float
        A half-cycle whose peak ``|V|`` stays below this is a hard short [mV].
    collapse_fraction : float
        A soft short: plateau / |I| falls below this fraction of its median over
        the preceding ``reference_window`` half-cycles.
    noise_limit : float
        A soft short: the plateau's relative spread exceeds this (noisy ohmic voltage).
    cutoff_mV : float or None
        Divergence: the plateau exceeds this bound [mV] (default
        :data:`DIVERGENCE_BOUND_MV`; None: not used).
    growth_factor : float or None
        Optional extra divergence rule: plateau / |I| exceeds this multiple of its
        early value (None, the default: not used).
    early_window : int
        Half-cycles (after the first two, which carry the formation transient)
        whose median is the early value of plateau / |I|.
    reference_window : int
        Half-cycles before the current one used as the reference of a collapse.
    """

    hard_short_mV: float = 2.0
    collapse_fraction: float = 0.3
    noise_limit: float = 0.8
    cutoff_mV: float | None = DIVERGENCE_BOUND_MV
    growth_factor: float | None = None
    early_window: int = 10
    reference_window: int = 5


@dataclass(frozen=True)
class Failure:
    """The failure found by :func:`detect_failure`.

    Attributes
    ----------
    time_h : float or None
        Start of the first failed half-cycle [h]; None when the cell did not fail.
    mode : str
        ``"hard_short"``, ``"soft_short"``, ``"overpotential_divergence"`` or ``"none"``.
    criterion : str
        The rule that fired, with its numbers, in words.
    half_cycle : int or None
        Index of the failed half-cycle (as in :func:`half_cycle_overpotentials`).
    """

    time_h: float | None
    mode: str
    criterion: str
    half_cycle: int | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain dict with stable keys (``failure_time_h``, ``failure_mode``, ...)."""
        d = asdict(self)
        return {
            "failure_time_h": d["time_h"],
            "failure_mode": d["mode"],
            "criterion": d["criterion"],
            "failed_half_cycle": d["half_cycle"],
        }


def half_cycle_overpotentials(
    data: Run | pl.DataFrame, rest_current_A: float | None = None
) -> pl.DataFrame:
    """One row per plating/stripping half-cycle with its overpotential.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table of a Li‖Li cell.
    rest_current_A : float, optional
        Records with ``|I|`` at or below this are rest [A] (default: 1 % of the
        largest current); rests are left out of every statistic.

    Returns
    -------
    DataFrame
        Columns :data:`HALF_CYCLE_KEYS`: index from 1, ``start_h``/``end_h`` [h],
        median ``current_A`` [A], plateau ``overpotential_mV`` and ``peak_mV``
        [mV], ``noise`` (relative spread, 1) and the number of records used.
    """
    labelled = label(data, rest_current_A).filter(pl.col(STATE) != 0)
    if labelled.height == 0:
        raise AnalysisError("the table has no plating or stripping (current is zero throughout)")
    t = pl.col(s.TIME)
    frac = ((t - t.min()) / (t.max() - t.min())).over(HALF_CYCLE).fill_nan(0.5)
    in_middle = frac.is_between(0.25, 0.75)
    abs_mv = pl.col(s.VOLTAGE).abs() * 1000.0
    middle = pl.when(pl.col("_mid").any()).then(pl.col("_mid")).otherwise(True)
    plateau = abs_mv.filter(middle)
    median = plateau.median()
    return (
        labelled.with_columns(in_middle.alias("_mid"))
        .group_by(HALF_CYCLE, maintain_order=True)
        .agg(
            (t.first() / 3600.0).alias("start_h"),
            (t.last() / 3600.0).alias("end_h"),
            pl.col(s.CURRENT).median().alias("current_A"),
            median.alias("overpotential_mV"),
            abs_mv.max().alias("peak_mV"),
            ((plateau.quantile(0.9) - plateau.quantile(0.1)) / median).alias("noise"),
            pl.len().alias("n_points"),
        )
        .sort(HALF_CYCLE)
        .with_columns(
            pl.int_range(1, pl.len() + 1).alias("half_cycle"),
            pl.col("noise").fill_nan(0.0).fill_null(0.0),
        )
        .select(HALF_CYCLE_KEYS)
    )


def _early_value(values: np.ndarray, window: int) -> float:
    """Median of the early values, skipping the first two half-cycles when possible."""
    skip = 2 if values.size > 4 else 0
    return float(np.nanmedian(values[skip : skip + max(window, 1)]))


def _rolling_reference(values: np.ndarray, window: int) -> np.ndarray:
    """Median of the *window* values before each half-cycle (NaN for the first)."""
    ref = pl.Series(values).shift(1).rolling_median(window, min_samples=1).to_numpy()
    return np.asarray(ref, dtype=float)


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def detect_failure(half_cycles: pl.DataFrame, criteria: FailureCriteria | None = None) -> Failure:
    """The first half-cycle at which the cell fails, its mode and the rule that fired.

    Rules, checked on every half-cycle; the earliest hit wins (a tie goes to the
    rule listed first):

    1. **hard short**: peak ``|V|`` < ``hard_short_mV`` (no polarisation at all);
    2. **soft short**: plateau / |I| < ``collapse_fraction`` × its median over the
       preceding ``reference_window`` half-cycles (a sudden collapse; a resistance,
       so that a step down in current is not mistaken for a short), or
       noise > ``noise_limit``;
    3. **overpotential divergence**: plateau > ``cutoff_mV`` (the stated bound), or
       (optional) plateau / |I| > ``growth_factor`` × its early value.

    Parameters
    ----------
    half_cycles : DataFrame
        Output of :func:`half_cycle_overpotentials`.
    criteria : FailureCriteria, optional
        Thresholds; defaults as in :class:`FailureCriteria`.
    """
    c = criteria or FailureCriteria()
    if half_cycles.height == 0:
        raise AnalysisError("no half-cycles to check for failure")
    eta = half_cycles.get_column("overpotential_mV").to_numpy().astype(float)
    peak = half_cycles.get_column("peak_mV").to_numpy().astype(float)
    noise = half_cycles.get_column("noise").to_numpy().astype(float)
    current = np.abs(half_cycles.get_column("current_A").to_numpy().astype(float))
    resistance = eta / np.where(current > 0, current, np.nan)  # mV/A, constant-current safe
    early = _early_value(resistance, c.early_window)
    ref = _rolling_reference(resistance, c.reference_window)
    diverged = np.zeros(eta.size, dtype=bool)
    parts = []
    if c.cutoff_mV is not None:
        diverged |= eta > c.cutoff_mV
        parts.append(f"plateau > bound {c.cutoff_mV:g} mV")
    if c.growth_factor is not None:
        diverged |= resistance > c.growth_factor * early
        parts.append(f"|V|/|I| > {c.growth_factor:g} x its early value")
    rule_text = ", or ".join(parts) or "no divergence rule"
    rules = (
        ("hard_short", peak < c.hard_short_mV, f"peak |V| < {c.hard_short_mV:g} mV"),
        (
            "soft_short",
            resistance < c.collapse_fraction * ref,
            f"|V|/|I| < {c.collapse_fraction:g} x median of previous {c.reference_window}",
        ),
        ("soft_short", noise > c.noise_limit, f"noise (P90-P10)/median > {c.noise_limit:g}"),
        ("overpotential_divergence", diverged, rule_text),
    )
    hits = [(idx, order) for order, (_, m, _) in enumerate(rules) if (idx := _first(m)) is not None]
    if not hits:
        return Failure(None, "none", "no rule fired")
    idx, order = min(hits)
    mode, _, text = rules[order]
    row = half_cycles.row(idx, named=True)
    return Failure(float(row["start_h"]), mode, text, int(row["half_cycle"]))


def lifetime_table(
    runs: Mapping[str, Run | pl.DataFrame], criteria: FailureCriteria | None = None
) -> pl.DataFrame:
    """Failure time, mode and mean overpotential of each cell in *runs*.

    Returns
    -------
    DataFrame
        ``cell``, ``failure_time_h`` (null: no failure; then ``tested_h`` is a lower
        bound of the lifetime), ``failure_mode``, ``criterion``,
        ``mean_overpotential_mV`` (before failure), ``tested_h`` and ``n_half_cycles``.
    """
    rows = []
    for name, run in runs.items():
        hc = half_cycle_overpotentials(run)
        failure = detect_failure(hc, criteria)
        before = (
            hc
            if failure.half_cycle is None
            else hc.filter(pl.col("half_cycle") < failure.half_cycle)
        )
        mean = before.get_column("overpotential_mV").mean() if before.height else None
        rows.append(
            {
                "cell": name,
                "failure_time_h": failure.time_h,
                "failure_mode": failure.mode,
                "criterion": failure.criterion,
                "mean_overpotential_mV": mean,
                "tested_h": float(hc.get_column("end_h").max()),
                "n_half_cycles": hc.height,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"failure_time_h": pl.Float64})


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


# The plausibility checks live in their own module; re-exported here (one import path).
from ssblab.analysis.symmetric_checks import (  # noqa: E402
    ASR_MAX_OHM_CM2,
    ONE_WAY_VOLTAGE_MAX_V,
    REST_VOLTAGE_MAX_V,
    SIGN_AGREEMENT_MIN,
    check_asr,
    check_symmetric,
    symmetric_evidence,
)

__all__ = [
    "ASR_MAX_OHM_CM2",
    "DIVERGENCE_BOUND_MV",
    "ONE_WAY_VOLTAGE_MAX_V",
    "RATE_TEST_BOUND_MV",
    "REST_VOLTAGE_MAX_V",
    "SIGN_AGREEMENT_MIN",
    "AreaSpecificResistance",
    "Failure",
    "FailureCriteria",
    "area_specific_resistance",
    "check_asr",
    "check_symmetric",
    "critical_current_density",
    "detect_failure",
    "half_cycle_overpotentials",
    "lifetime_table",
    "rate_overpotentials",
    "symmetric_evidence",
]
