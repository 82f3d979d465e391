"""Which measures a half-cycle's charge better: the cycler's counters or ∫|I| dt.

Exports round both. LANDT's CSV counts capacity in 0.1 mAh steps and gives the
current to 0.1 mA; binary formats store both as floats. :func:`capacity_basis`
checks whether the counter is coarse and, if so, whether ∫|I| dt agrees with
it within a counter step; it says which one half-cycle totals should follow,
with a flag when the counter is coarse. :mod:`ssblab.analysis.dqdv` uses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.flags import Flag
from ssblab.schema import Run

#: The counter is coarse when more than this fraction of records with current
#: show no rise of it (LANDT exports count in 0.1 mAh steps).
COARSE_FRACTION = 0.5


@dataclass(frozen=True)
class CapacityBasis:
    """How charge per half-cycle is measured: counters or ∫|I| dt, and why.

    ``counter_step_Ah`` is the median positive rise of the counters [A·h],
    ``frozen_fraction`` the share of records with current whose counter did not
    move, ``integral_ratio`` the median over half-cycles of ∫|I| dt / counter rise.
    """

    counter_step_Ah: float
    frozen_fraction: float
    integral_ratio: float
    use_integral: bool
    flags: tuple[Flag, ...]


def capacity_basis(data: Run | pl.DataFrame, rest_current_A: float | None = None) -> CapacityBasis:
    """Choose between the counter and ∫|I| dt for half-cycle totals.

    The counter is coarse when most records with current show no rise of it
    (:data:`COARSE_FRACTION`). Then ∫|I| dt takes over if it agrees with the
    counter within one counter step per half-cycle (the median over
    half-cycles); if it differs by more, the current itself is rounded (LANDT
    exports 0.2 mA for ~0.18 mA) and the totals stay with the counter. Either
    way an ``info`` flag ``coarse_counter`` gives the numbers.
    """
    labelled = steps.label(data, rest_current_A)
    throughput = pl.col(s.CHARGE_CAPACITY) + pl.col(s.DISCHARGE_CAPACITY)
    i_mid = (pl.col(s.CURRENT).abs() + pl.col(s.CURRENT).abs().shift(1)).fill_null(0.0) / 2.0
    flowing = labelled.with_columns(
        throughput.diff().alias("_rise"),
        (i_mid * pl.col(s.TIME).diff() / 3600.0).alias("_int"),
    ).filter((pl.col(steps.STATE) != 0) & pl.col("_rise").is_not_null())
    if flowing.height == 0:
        return CapacityBasis(math.nan, 0.0, math.nan, False, ())
    rise = flowing.get_column("_rise")
    moving = rise.filter(rise > 0)
    frozen = 1.0 - moving.len() / flowing.height
    step = float(moving.median()) if moving.len() else math.nan
    halves = (
        flowing.group_by(steps.HALF_CYCLE)
        .agg(pl.col("_rise").sum().alias("q"), pl.col("_int").sum().alias("i"))
        .filter(pl.col("q") > 0)
    )
    if halves.height == 0:
        return CapacityBasis(step, frozen, math.nan, False, ())
    ratio = float(halves.select((pl.col("i") / pl.col("q")).median()).item())
    if frozen <= COARSE_FRACTION:
        return CapacityBasis(step, frozen, ratio, False, ())
    one_step = step / float(halves.get_column("q").median())
    use_integral = abs(ratio - 1.0) <= one_step
    verdict = (
        "agrees within one step, so half-cycle charges are ∫|I| dt"
        if use_integral
        else "differs by more than one step (a rounded current?), so half-cycle charges "
        "follow the counter and ∫|I| dt only spreads them over the records"
    )
    flag = Flag(
        "capacity",
        "coarse_counter",
        f"the capacity counter moves in {step * 1e3:.3g} mAh steps ({frozen:.1%} of records "
        f"with current show none; one step is {one_step:.1%} of a half-cycle); "
        f"∫|I| dt / counter = {ratio:.3f} {verdict}",
        "info",
    )
    return CapacityBasis(step, frozen, ratio, use_integral, (flag,))


def capacity_flags(data: Run | pl.DataFrame, rest_current_A: float | None = None):
    """The flags of :func:`capacity_basis` (a note when the counter is coarse)."""
    return capacity_basis(data, rest_current_A).flags
