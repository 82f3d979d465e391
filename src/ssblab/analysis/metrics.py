"""Cycling metrics on top of the per-cycle summary: ICE, retention, voltages, normalised capacity.

Everything is derived from :func:`ssblab.analysis.cycles.cycles` (the rise of the
instrument's cumulative counters per cycle) and, for the initial coulombic
efficiency, from the half-cycles of :mod:`ssblab.analysis.steps`, so the result
does not depend on how a vendor numbers its first cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.cycles import CYCLE_KEYS, cycles
from ssblab.errors import AnalysisError
from ssblab.schema import Run

COUNTERS = (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)

#: Output columns of :func:`cycle_metrics` (also the stable ``--json`` keys).
METRIC_KEYS = (
    "cycle",
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "coulombic_efficiency",
    "energy_efficiency",
    "mean_charge_voltage_V",
    "mean_discharge_voltage_V",
    "voltage_hysteresis_V",
    "retention",
    "cumulative_capacity_loss_Ah",
    "specific_charge_capacity_mAh_g",
    "specific_discharge_capacity_mAh_g",
    "areal_charge_capacity_mAh_cm2",
    "areal_discharge_capacity_mAh_cm2",
)


@dataclass(frozen=True)
class InitialEfficiency:
    """Initial coulombic efficiency from the first two half-cycles.

    Attributes
    ----------
    ice : float
        Capacity of the second half-cycle / capacity of the first [1].
    first_half : str
        ``"charge"`` (cathode-first: a full cell or a cathode half-cell, which
        starts by charging) or ``"discharge"`` (anode-first: e.g. a Li‖graphite
        or Li‖Si half-cell, which starts by lithiating the working electrode).
    first_capacity_Ah, second_capacity_Ah : float
        Charge passed in the first and second half-cycle [A·h].
    """

    ice: float
    first_half: str
    first_capacity_Ah: float
    second_capacity_Ah: float


def initial_coulombic_efficiency(
    data: Run | pl.DataFrame, rest_current_A: float | None = None
) -> InitialEfficiency:
    """ICE: charge returned in the second half-cycle over charge put in during the first.

    Cathode-first cells (first current positive): ICE = Q_discharge / Q_charge.
    Anode-first cells (first current negative, e.g. Li‖graphite): ICE =
    Q_charge / Q_discharge, i.e. delithiation over lithiation of the working
    electrode. Both are "what came back / what went in". The half-cycles are
    found from the current sign (:func:`ssblab.analysis.steps.half_cycles`), so
    a vendor that folds the first discharge into cycle 0 or 1 gives the same ICE.

    Raises
    ------
    AnalysisError
        If the run has fewer than two half-cycles or the first passed no charge.
    """
    halves = steps.half_cycles(_first_two_halves(data, rest_current_A), rest_current_A)
    if halves.height < 2:
        raise AnalysisError("ICE needs a charge and a discharge; the run has one half-cycle")
    first, second = halves.row(0, named=True), halves.row(1, named=True)
    if first["capacity_Ah"] <= 0:
        raise AnalysisError("the first half-cycle passed no charge; ICE is undefined")
    return InitialEfficiency(
        ice=second["capacity_Ah"] / first["capacity_Ah"],
        first_half="charge" if first["state"] > 0 else "discharge",
        first_capacity_Ah=first["capacity_Ah"],
        second_capacity_Ah=second["capacity_Ah"],
    )


def _first_two_halves(data: Run | pl.DataFrame, rest_current_A: float | None) -> pl.DataFrame:
    """The records before the third half-cycle starts (so ICE does not label a whole run)."""
    table = steps.as_table(data)
    current = table.get_column(s.CURRENT).to_numpy()
    rest = steps.rest_threshold(table, rest_current_A)
    state = (current > rest).astype(np.int8) - (current < -rest).astype(np.int8)
    active = np.flatnonzero(state)
    turns = np.flatnonzero(np.diff(state[active]) != 0)
    if turns.size < 2:
        return table
    return table.head(int(active[turns[1] + 1]))


def _positive_or_none(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if not value > 0:
        raise AnalysisError(f"{name} must be a positive number, got {value}")
    return float(value)


def cycle_metrics(
    data: Run | pl.DataFrame,
    active_mass_g: float | None = None,
    area_cm2: float | None = None,
    reference_cycle: int | None = None,
) -> pl.DataFrame:
    """Per-cycle metrics: efficiencies, mean voltages, hysteresis, retention, normalised capacity.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table. With a :class:`Run`, missing *active_mass_g* and
        *area_cm2* are taken from ``RunMeta``.
    active_mass_g : float, optional
        Active material mass of the working electrode [g].
    area_cm2 : float, optional
        Electrode area [cm²].
    reference_cycle : int, optional
        Cycle whose discharge capacity is 100 % retention; default: the first
        cycle with a non-zero discharge capacity.

    Returns
    -------
    DataFrame
        Columns :data:`METRIC_KEYS`:

        * mean voltage of a half = energy / capacity [V]; hysteresis =
          mean charge voltage − mean discharge voltage [V];
        * ``retention`` = Q_dis(n) / Q_dis(reference) [1];
        * ``cumulative_capacity_loss_Ah`` = Σ_{k≤n} (Q_ch(k) − Q_dis(k)), the
          charge not returned so far [A·h];
        * specific capacity = 1000 Q / m [mAh/g]; areal = 1000 Q / A [mAh/cm²]
          (null when the mass or area is unknown).

    Raises
    ------
    AnalysisError
        If the run has no discharge, or *reference_cycle* is not in the run.
    """
    if isinstance(data, Run):
        active_mass_g = active_mass_g if active_mass_g is not None else data.meta.active_mass_g
        area_cm2 = area_cm2 if area_cm2 is not None else data.meta.area_cm2
    table = steps.as_table(data)
    steps.check_finite(table, tuple(c for c in COUNTERS + s.REQUIRED if c in table.columns))
    return metrics_from_summary(cycles(table), active_mass_g, area_cm2, reference_cycle)


def metrics_from_summary(
    summary: pl.DataFrame,
    active_mass_g: float | None = None,
    area_cm2: float | None = None,
    reference_cycle: int | None = None,
) -> pl.DataFrame:
    """:func:`cycle_metrics` from a per-cycle summary already made by :func:`cycles`.

    Parameters are those of :func:`cycle_metrics`; *summary* has the columns
    :data:`ssblab.analysis.cycles.CYCLE_KEYS`. Lets a caller that already holds
    the summary (a report, a benchmark) skip a second pass over the records.
    """
    missing = [c for c in CYCLE_KEYS if c not in summary.columns]
    if missing:
        raise AnalysisError(f"the per-cycle summary lacks columns {missing}")
    mass = _positive_or_none("active_mass_g", active_mass_g)
    area = _positive_or_none("area_cm2", area_cm2)
    q_ref = _reference_capacity(summary, reference_cycle)

    def per(q: str, divisor: float | None) -> pl.Expr:
        return pl.lit(None, dtype=pl.Float64) if divisor is None else 1000.0 * pl.col(q) / divisor

    def mean_voltage(e: str, q: str) -> pl.Expr:
        return pl.when(pl.col(q) > 0).then(pl.col(e) / pl.col(q))

    ch, dis = "charge_capacity_Ah", "discharge_capacity_Ah"
    return (
        summary.with_columns(
            mean_voltage("charge_energy_Wh", ch).alias("mean_charge_voltage_V"),
            mean_voltage("discharge_energy_Wh", dis).alias("mean_discharge_voltage_V"),
            (pl.col(dis) / q_ref).alias("retention"),
            (pl.col(ch) - pl.col(dis)).cum_sum().alias("cumulative_capacity_loss_Ah"),
            per(ch, mass).alias("specific_charge_capacity_mAh_g"),
            per(dis, mass).alias("specific_discharge_capacity_mAh_g"),
            per(ch, area).alias("areal_charge_capacity_mAh_cm2"),
            per(dis, area).alias("areal_discharge_capacity_mAh_cm2"),
        )
        .with_columns(
            (pl.col("mean_charge_voltage_V") - pl.col("mean_discharge_voltage_V")).alias(
                "voltage_hysteresis_V"
            )
        )
        .select(METRIC_KEYS)
    )


def _reference_capacity(summary: pl.DataFrame, reference_cycle: int | None) -> float:
    """Discharge capacity [A·h] of the reference cycle (default: first non-zero one)."""
    if reference_cycle is None:
        nonzero = summary.filter(pl.col("discharge_capacity_Ah") > 0)
        if nonzero.height == 0:
            raise AnalysisError("the run has no discharge; retention is undefined")
        return float(nonzero.get_column("discharge_capacity_Ah")[0])
    row = summary.filter(pl.col("cycle") == reference_cycle)
    if row.height == 0:
        have = summary.get_column("cycle")
        raise AnalysisError(
            f"reference cycle {reference_cycle} is not in the run "
            f"(cycles {have.min()}-{have.max()})"
        )
    q = float(row.get_column("discharge_capacity_Ah")[0])
    if q <= 0:
        raise AnalysisError(f"reference cycle {reference_cycle} has no discharge capacity")
    return q
