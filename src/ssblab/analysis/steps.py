"""Segments of a run: rests, constant-current blocks and half-cycles, by current sign.

Every function here is pure and vectorised (Polars expressions, no loop over
rows), so other analyses can reuse it on tables of millions of records.

Definitions used throughout ssblab:

* **state** of a record: ``+1`` charging (``I > rest``), ``-1`` discharging
  (``I < -rest``), ``0`` resting (``|I| <= rest``), with the sign convention
  of :mod:`ssblab.schema` (positive current charges the cell).
* **segment**: a maximal run of consecutive records with the same state. A
  constant-current step followed by a constant-voltage hold at the same sign is
  one segment; a GITT pulse and its rest are two.
* **half-cycle**: a maximal run of records with the same non-zero state, rests
  included in the half-cycle they follow (a rest before any current belongs to
  half-cycle 0). Half-cycles ignore the instrument's cycle numbering, which is
  why dQ/dV uses them and :mod:`ssblab.analysis.cycle_rules` builds its cycle
  rules (and its check of the vendor's counter) on them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import AnalysisError
from ssblab.schema import Run

#: Column added by :func:`label` (per record).
STATE = "state"
SEGMENT = "segment"
HALF_CYCLE = "half_cycle"
ROW = "row"

#: Default rest threshold, as a fraction of the largest |current| in the table.
REST_FRACTION = 0.01


def integrated_counters(table: pl.DataFrame) -> pl.DataFrame:
    """Add any missing cumulative capacity/energy counters by integrating I(t) and I·V(t).

    Trapezoidal rule over ``Test Time / s``; charge counters integrate the
    positive part of the current, discharge counters the negative part [A·h, W·h].
    A missing energy counter beside capacity counters the file does have is
    ∫ |V| dQ over those counters' own rises (the mean voltage of each interval times
    its charge; I·V > 0 is charge energy, as without them), so it passes energy only
    where the counters pass charge: a reader that knows the charge stood still (jr862
    ``_03``: the 44 loop gaps) keeps the energy still there too. A coarse counter (flat over
    most records under current, LANDT's 0.1 mAh steps) is not used so: I·V dt is finer.
    """
    dt_h = pl.col(s.TIME).diff().fill_null(0.0) / 3600.0
    i_mid = (pl.col(s.CURRENT) + pl.col(s.CURRENT).shift(1)).fill_null(0.0) / 2.0
    p = pl.col(s.CURRENT) * pl.col(s.VOLTAGE)
    p_mid = (p + p.shift(1)).fill_null(0.0) / 2.0
    v_mid = (pl.col(s.VOLTAGE) + pl.col(s.VOLTAGE).shift(1)).fill_null(0.0) / 2.0

    counted = _fine_counters(table)

    def rise(name: str) -> pl.Expr:
        if name in table.columns:
            return pl.col(name).diff().fill_null(0.0).clip(lower_bound=0.0)
        sign = 1.0 if name == s.CHARGE_CAPACITY else -1.0
        return (sign * i_mid).clip(lower_bound=0.0) * dt_h

    up, down = v_mid.clip(lower_bound=0.0), (-v_mid).clip(lower_bound=0.0)
    # I·V > 0 is charge energy: a charge at V > 0, or a discharge at V < 0 (as p_mid below)
    by_counter = {
        s.CHARGE_ENERGY: up * rise(s.CHARGE_CAPACITY) + down * rise(s.DISCHARGE_CAPACITY),
        s.DISCHARGE_ENERGY: up * rise(s.DISCHARGE_CAPACITY) + down * rise(s.CHARGE_CAPACITY),
    }
    wanted = {
        s.CHARGE_CAPACITY: (i_mid.clip(lower_bound=0.0) * dt_h).cum_sum(),
        s.DISCHARGE_CAPACITY: (-i_mid.clip(upper_bound=0.0) * dt_h).cum_sum(),
        s.CHARGE_ENERGY: (
            by_counter[s.CHARGE_ENERGY] if counted else p_mid.clip(lower_bound=0.0) * dt_h
        ).cum_sum(),
        s.DISCHARGE_ENERGY: (
            by_counter[s.DISCHARGE_ENERGY] if counted else -p_mid.clip(upper_bound=0.0) * dt_h
        ).cum_sum(),
    }
    missing = {k: v.alias(k) for k, v in wanted.items() if k not in table.columns}
    return table.with_columns(list(missing.values())) if missing else table


#: Records a counter's resolution is judged on (it does not change within a file).
COUNTER_HEAD = 250_000


def counter_rises(table: pl.DataFrame, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Rises of each counter in *names* the table has, over the records under current in the
    counter's direction (charge counters: I > rest; discharge: I < −rest), first
    :data:`COUNTER_HEAD` records [Ah or Wh]."""
    head = table.head(COUNTER_HEAD)
    current = head.get_column(s.CURRENT).to_numpy()[1:]
    rest = rest_threshold(head)
    charge = (s.CHARGE_CAPACITY, s.CHARGE_ENERGY)
    return {
        name: np.diff(head.get_column(name).to_numpy())[
            (1.0 if name in charge else -1.0) * current > rest
        ]
        for name in names
        if name in head.columns
    }


def is_flat(rises: np.ndarray) -> bool:
    """A counter is coarse when it stays flat over more than half of ≥ 20 records under current."""
    return rises.size >= 20 and float((rises == 0).mean()) > 0.5


def _fine_counters(table: pl.DataFrame) -> bool:
    """True when the table has a capacity counter and none is coarse (:func:`is_flat`)."""
    rises = counter_rises(table, (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY))
    return bool(rises) and not any(is_flat(d) for d in rises.values())


def as_table(data: Run | pl.DataFrame) -> pl.DataFrame:
    """The canonical table of *data*, validated, with at least one row."""
    table = data.table if isinstance(data, Run) else data
    s.validate(table)
    if table.height == 0:
        raise AnalysisError("the table has no rows")
    return table


def check_finite(table: pl.DataFrame, columns: tuple[str, ...]) -> None:
    """Raise :class:`AnalysisError` if any of *columns* holds NaN or null values."""
    for name in columns:
        if name not in table.columns:
            raise AnalysisError(f"the table has no column {name!r}")
        col = table.get_column(name)
        bad = col.null_count() + (col.is_nan().sum() if col.dtype.is_float() else 0)
        if bad:
            raise AnalysisError(f"column {name!r} has {bad} NaN/null values; clean them first")


def rest_threshold(table: pl.DataFrame, rest_current_A: float | None = None) -> float:
    """Current below which a record counts as rest [A].

    Parameters
    ----------
    table : DataFrame
        Canonical table.
    rest_current_A : float, optional
        Explicit threshold [A]. Default: :data:`REST_FRACTION` (1 %) of the
        largest absolute current in the table, and never below 1e-12 A.
    """
    if rest_current_A is not None:
        if rest_current_A < 0:
            raise AnalysisError(f"rest_current_A must be >= 0, got {rest_current_A}")
        return float(rest_current_A)
    peak = table.get_column(s.CURRENT).abs().max()
    return max(REST_FRACTION * float(peak or 0.0), 1e-12)


def state_expr(rest_A: float) -> pl.Expr:
    """Expression: +1 charging, -1 discharging, 0 resting, from ``Current / A``."""
    i = pl.col(s.CURRENT)
    return (
        pl.when(i > rest_A).then(1).when(i < -rest_A).then(-1).otherwise(0).cast(pl.Int8)
    ).alias(STATE)


def run_id(col: str) -> pl.Expr:
    """Expression numbering maximal runs of equal values of *col*, from 0."""
    c = pl.col(col)
    return (c != c.shift(1)).fill_null(False).cast(pl.Int64).cum_sum()


def label(data: Run | pl.DataFrame, rest_current_A: float | None = None) -> pl.DataFrame:
    """Add per-record ``row``, ``state``, ``segment`` and ``half_cycle`` columns.

    Missing cumulative counters are integrated from current (see
    :func:`integrated_counters`), so the result always
    has the four counters.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table.
    rest_current_A : float, optional
        Rest threshold [A]; see :func:`rest_threshold`.
    """
    table = as_table(data)
    check_finite(table, (s.TIME, s.CURRENT))
    rest = rest_threshold(table, rest_current_A)
    direction = pl.col(STATE).replace(0, None).forward_fill().fill_null(0).alias("_direction")
    starts_with_current = (pl.col("_direction").first() != 0).cast(pl.Int64)
    return (
        integrated_counters(table)
        .with_row_index(ROW)
        .with_columns(state_expr(rest))
        .with_columns(direction, run_id(STATE).alias(SEGMENT))
        .with_columns((run_id("_direction") + starts_with_current).alias(HALF_CYCLE))
        .drop("_direction")
    )


def _group_summary(labelled: pl.DataFrame, key: str) -> pl.DataFrame:
    """Summary of each run of equal *key* (runs are contiguous by construction).

    Reads the first and last record of every run instead of grouping, so it
    costs two filters over the records; the mean current comes from the
    difference of its running sum across the run.
    """
    k = pl.col(key)
    is_first = (k != k.shift(1)).fill_null(True)
    is_last = (k != k.shift(-1)).fill_null(True)
    throughput_ah = pl.col(s.CHARGE_CAPACITY) + pl.col(s.DISCHARGE_CAPACITY)
    throughput_wh = pl.col(s.CHARGE_ENERGY) + pl.col(s.DISCHARGE_ENERGY)
    rows = labelled.with_columns(
        throughput_ah.alias("_ah"),
        throughput_wh.alias("_wh"),
        throughput_ah.shift(1).fill_null(throughput_ah.first()).alias("_ah_before"),
        throughput_wh.shift(1).fill_null(throughput_wh.first()).alias("_wh_before"),
        pl.col(s.CURRENT).cum_sum().alias("_i_sum"),
    )
    cycle = [pl.col(s.CYCLE).alias("cycle")] if s.CYCLE in labelled.columns else []
    firsts = rows.filter(is_first).select(
        k,
        pl.col(STATE),
        pl.col(ROW).alias("first_row"),
        pl.col(s.TIME).alias("start_s"),
        pl.col(s.VOLTAGE).alias("start_voltage_V"),
        pl.col("_ah_before"),
        pl.col("_wh_before"),
        (pl.col("_i_sum") - pl.col(s.CURRENT)).alias("_i_sum_before"),
        *cycle,
    )
    lasts = rows.filter(is_last).select(
        pl.col(ROW).alias("last_row"),
        pl.col(s.TIME).alias("end_s"),
        pl.col(s.VOLTAGE).alias("end_voltage_V"),
        pl.col("_ah"),
        pl.col("_wh"),
        pl.col("_i_sum"),
    )
    n_records = (pl.col("last_row") - pl.col("first_row") + 1).cast(pl.Float64)
    return pl.concat([firsts, lasts], how="horizontal").select(
        k,
        pl.col(STATE),
        pl.col("first_row"),
        pl.col("last_row"),
        pl.col("start_s"),
        pl.col("end_s"),
        (pl.col("end_s") - pl.col("start_s")).alias("duration_s"),
        ((pl.col("_i_sum") - pl.col("_i_sum_before")) / n_records).alias("mean_current_A"),
        pl.col("start_voltage_V"),
        pl.col("end_voltage_V"),
        (pl.col("_ah") - pl.col("_ah_before")).alias("capacity_Ah"),
        (pl.col("_wh") - pl.col("_wh_before")).alias("energy_Wh"),
        *([pl.col("cycle")] if cycle else []),
    )


def segments(data: Run | pl.DataFrame, rest_current_A: float | None = None) -> pl.DataFrame:
    """One row per segment (maximal run of one current state).

    Returns
    -------
    DataFrame
        ``segment``, ``state`` (+1/0/-1), ``first_row``, ``last_row``,
        ``start_s``/``end_s``/``duration_s`` [s] (end = last record of the
        segment), ``mean_current_A`` [A] (mean over its records),
        ``start_voltage_V``/``end_voltage_V`` [V], ``capacity_Ah`` [A·h] and
        ``energy_Wh`` [W·h] passed, and ``cycle`` when the table has cycles.
    """
    return segments_from_labelled(label(data, rest_current_A))


def segments_from_labelled(labelled: pl.DataFrame) -> pl.DataFrame:
    """:func:`segments` of a table already passed through :func:`label`."""
    return _group_summary(labelled, SEGMENT)


def half_cycles(data: Run | pl.DataFrame, rest_current_A: float | None = None) -> pl.DataFrame:
    """One row per half-cycle (charge or discharge, trailing rest included).

    Half-cycle 0 (a rest before any current) is left out. Columns as in
    :func:`segments` with ``half_cycle`` as key; ``state`` is +1 for a charge
    and -1 for a discharge.
    """
    summary = _group_summary(label(data, rest_current_A), HALF_CYCLE)
    out = summary.filter(pl.col(HALF_CYCLE) > 0)
    if out.height == 0:
        raise AnalysisError("the table has no charge or discharge (current is zero throughout)")
    return out
