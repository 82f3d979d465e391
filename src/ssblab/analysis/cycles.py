"""Per-cycle summary from the canonical table: capacities, energies, efficiencies.

Capacities and energies come from the instrument's own cumulative counters
when the table has them (integrating a decimated current is wrong); only when a
counter is absent is it rebuilt by trapezoidal integration of current (and
power) over time. Efficiency = discharge / charge, as cycler software prints it.
"""

from __future__ import annotations

import polars as pl

from ssblab import schema as s
from ssblab.errors import AnalysisError
from ssblab.schema import Run

#: Output column names of :func:`cycles` (also the stable ``--json`` keys).
CYCLE_KEYS = (
    "cycle",
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "coulombic_efficiency",
    "charge_energy_Wh",
    "discharge_energy_Wh",
    "energy_efficiency",
)


def _as_table(data: Run | pl.DataFrame) -> pl.DataFrame:
    table = data.table if isinstance(data, Run) else data
    s.validate(table)
    if table.height == 0:
        raise AnalysisError("the table has no rows")
    return table


def integrated_counters(table: pl.DataFrame) -> pl.DataFrame:
    """Add any missing cumulative capacity/energy counters by integrating I(t) and I·V(t).

    Trapezoidal rule over ``Test Time / s``; charge counters integrate the
    positive part of the current, discharge counters the negative part [A·h, W·h].
    """
    dt_h = pl.col(s.TIME).diff().fill_null(0.0) / 3600.0
    i_mid = (pl.col(s.CURRENT) + pl.col(s.CURRENT).shift(1)).fill_null(0.0) / 2.0
    p = pl.col(s.CURRENT) * pl.col(s.VOLTAGE)
    p_mid = (p + p.shift(1)).fill_null(0.0) / 2.0
    wanted = {
        s.CHARGE_CAPACITY: (i_mid.clip(lower_bound=0.0) * dt_h).cum_sum(),
        s.DISCHARGE_CAPACITY: (-i_mid.clip(upper_bound=0.0) * dt_h).cum_sum(),
        s.CHARGE_ENERGY: (p_mid.clip(lower_bound=0.0) * dt_h).cum_sum(),
        s.DISCHARGE_ENERGY: (-p_mid.clip(upper_bound=0.0) * dt_h).cum_sum(),
    }
    missing = {k: v.alias(k) for k, v in wanted.items() if k not in table.columns}
    return table.with_columns(list(missing.values())) if missing else table


def cycles(data: Run | pl.DataFrame) -> pl.DataFrame:
    """One row per cycle: charge/discharge capacity [A·h] and energy [W·h], CE and EE.

    Parameters
    ----------
    data : Run or DataFrame
        A canonical table with ``Cycle Count / 1`` (a table without it is one cycle).

    Returns
    -------
    DataFrame
        Columns :data:`CYCLE_KEYS`. A cycle's value is the rise of the cumulative
        counter across the cycle (from the last record of the previous cycle);
        efficiencies are null where the charge is zero.
    """
    table = integrated_counters(_as_table(data))
    if s.CYCLE not in table.columns:
        table = table.with_columns(pl.lit(1, dtype=pl.Int64).alias(s.CYCLE))
    counters = [s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY]
    per_cycle = (
        table.group_by(s.CYCLE, maintain_order=True)
        .agg([pl.col(c).max() for c in counters])
        .sort(s.CYCLE)
    )
    rises = [
        (pl.col(c) - pl.col(c).cum_max().shift(1).fill_null(0.0)).clip(lower_bound=0.0).alias(c)
        for c in counters
    ]
    per_cycle = per_cycle.with_columns(rises)
    ce = pl.when(pl.col(s.CHARGE_CAPACITY) > 0).then(
        pl.col(s.DISCHARGE_CAPACITY) / pl.col(s.CHARGE_CAPACITY)
    )
    ee = pl.when(pl.col(s.CHARGE_ENERGY) > 0).then(
        pl.col(s.DISCHARGE_ENERGY) / pl.col(s.CHARGE_ENERGY)
    )
    return per_cycle.select(
        pl.col(s.CYCLE).alias("cycle"),
        pl.col(s.CHARGE_CAPACITY).alias("charge_capacity_Ah"),
        pl.col(s.DISCHARGE_CAPACITY).alias("discharge_capacity_Ah"),
        ce.alias("coulombic_efficiency"),
        pl.col(s.CHARGE_ENERGY).alias("charge_energy_Wh"),
        pl.col(s.DISCHARGE_ENERGY).alias("discharge_energy_Wh"),
        ee.alias("energy_efficiency"),
    )
