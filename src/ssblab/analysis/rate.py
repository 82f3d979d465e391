"""Rate-capability tests: blocks of cycles at one discharge current, and recovery.

A rate test cycles a cell a few times at each of several currents (e.g. 0.1,
0.2, 0.5, 1 C) and then returns to the first one. This module finds the blocks
from the data alone: the discharge current of each cycle is the median current
of its discharging records, and consecutive cycles whose currents agree within a
relative tolerance form a block. Cycles are numbered by the cycle rule of
:mod:`ssblab.analysis.cycles` (the vendor's, checked); partial cycles are left
out of the blocks and counted in a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.cycles import cycle_table, number_cycles
from ssblab.errors import AnalysisError
from ssblab.flags import RETENTION_MAX_PCT, Flag, check_specific_capacity
from ssblab.schema import Run

#: Two cycles belong to one block when their discharge currents differ by less
#: than this fraction of the block's first current.
CURRENT_TOLERANCE = 0.05

#: Columns of :attr:`RateTable.blocks` (stable ``--json`` keys).
BLOCK_KEYS = (
    "block",
    "current_A",
    "current_density_mA_cm2",
    "c_rate",
    "first_cycle",
    "last_cycle",
    "cycles",
    "discharge_capacity_Ah",
    "specific_capacity_mAh_g",
)


@dataclass(frozen=True)
class Recovery:
    """Return to the first rate after the faster ones.

    Attributes
    ----------
    block : int
        The later block at the first block's current.
    discharge_capacity_Ah : float
        Its mean discharge capacity [A·h].
    specific_capacity_mAh_g : float or None
        Same, per gram of active material [mAh/g].
    ratio : float
        Recovered capacity / first-block capacity [1].
    """

    block: int
    discharge_capacity_Ah: float
    specific_capacity_mAh_g: float | None
    ratio: float

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain dict with the attribute names as keys."""
        return {
            "block": self.block,
            "discharge_capacity_Ah": self.discharge_capacity_Ah,
            "specific_capacity_mAh_g": self.specific_capacity_mAh_g,
            "ratio": self.ratio,
        }


@dataclass(frozen=True)
class RateTable:
    """Result of :func:`rate_table`: one row per block, the recovery (or None), notes, flags."""

    blocks: pl.DataFrame
    recovery: Recovery | None
    tolerance: float
    rule: str = "vendor"
    notes: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = field(default_factory=tuple)


def discharge_currents(data: Run | pl.DataFrame) -> pl.DataFrame:
    """Median discharge current magnitude of every cycle [A] (``cycle``, ``current_A``).

    Cycles without a discharging record are left out.
    """
    labelled = steps.label(data)
    if s.CYCLE not in labelled.columns:
        labelled = labelled.with_columns(pl.lit(1, dtype=pl.Int64).alias(s.CYCLE))
    return (
        labelled.filter(pl.col(steps.STATE) < 0)
        .group_by(s.CYCLE)
        .agg(pl.col(s.CURRENT).abs().median().alias("current_A"))
        .sort(s.CYCLE)
        .rename({s.CYCLE: "cycle"})
    )


def _block_ids(currents: list[float], tolerance: float) -> list[int]:
    """Block number of each cycle: a new block starts when the current leaves the band.

    A loop over cycles (hundreds at most), not over records.
    """
    ids, block, anchor = [], 0, None
    for current in currents:
        if anchor is not None and abs(current - anchor) > tolerance * anchor:
            block += 1
            anchor = None
        if anchor is None:
            anchor = current
        ids.append(block)
    return ids


def rate_table(
    data: Run | pl.DataFrame,
    active_mass_g: float | None = None,
    area_cm2: float | None = None,
    nominal_capacity_Ah: float | None = None,
    tolerance: float = CURRENT_TOLERANCE,
    skip_first_cycles: int = 0,
    *,
    rule: str = "vendor",
) -> RateTable:
    """Rate table: blocks of consecutive cycles at one discharge current.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table with ``Cycle Count / 1``. Mass and area default to the
        ``RunMeta`` of a :class:`Run`.
    active_mass_g : float, optional
        Active material mass [g] (for mAh/g).
    area_cm2 : float, optional
        Electrode area [cm²] (for mA/cm²).
    nominal_capacity_Ah : float, optional
        Capacity that defines 1 C [A·h]; C-rate = I / Q_nominal [1/h].
    tolerance : float
        Relative current tolerance of a block (default 5 %).
    skip_first_cycles : int
        Formation cycles to leave out before the rate test starts.
    rule : str
        Cycle rule (:data:`ssblab.analysis.cycles.RULES`); default the vendor's, checked.

    Returns
    -------
    RateTable
        ``blocks`` with columns :data:`BLOCK_KEYS` (capacity = mean discharge
        capacity of the block's cycles [A·h]); ``recovery`` compares the first
        later block at the first block's current (within *tolerance*) with the
        first block, or is None when the test never returns to it.

    Raises
    ------
    AnalysisError
        If no cycle has a discharge, or *tolerance* is not in (0, 1).
    """
    if not 0 < tolerance < 1:
        raise AnalysisError(f"tolerance must be in (0, 1), got {tolerance}")
    meta = data.meta if isinstance(data, Run) else s.RunMeta()
    if isinstance(data, Run):
        active_mass_g = active_mass_g if active_mass_g is not None else meta.active_mass_g
        area_cm2 = area_cm2 if area_cm2 is not None else meta.area_cm2
    numbered = number_cycles(data, rule)
    run = Run(numbered.table, meta.with_(cell_type=numbered.cell_type))
    summary = cycle_table(run)
    complete = summary.table.filter(~pl.col("partial")).select("cycle", "discharge_capacity_Ah")
    per_cycle = (
        discharge_currents(run)
        .join(complete, on="cycle")
        .filter(pl.col("cycle") > pl.col("cycle").min() + skip_first_cycles - 1)
        .sort("cycle")
    )
    if per_cycle.height == 0:
        raise AnalysisError("no cycle with a discharge: cannot build a rate table")
    ids = _block_ids(per_cycle.get_column("current_A").to_list(), tolerance)
    blocks = (
        per_cycle.with_columns(pl.Series("block", ids))
        .group_by("block", maintain_order=True)
        .agg(
            pl.col("current_A").mean(),
            pl.col("cycle").min().alias("first_cycle"),
            pl.col("cycle").max().alias("last_cycle"),
            pl.len().cast(pl.Int64).alias("cycles"),
            pl.col("discharge_capacity_Ah").mean(),
        )
        .with_columns(
            _scaled("current_A", 1000.0, area_cm2).alias("current_density_mA_cm2"),
            _scaled("current_A", 1.0, nominal_capacity_Ah).alias("c_rate"),
            _scaled("discharge_capacity_Ah", 1000.0, active_mass_g).alias(
                "specific_capacity_mAh_g"
            ),
        )
        .select(BLOCK_KEYS)
    )
    recovery = _recovery(blocks, tolerance)
    flags = [*numbered.flags, *(f for f in summary.flags if f.code != "partial_cycle")]
    notes = (
        *numbered.notes,
        *(n for n in summary.notes if not n.startswith(("cycle numbering", "cell type"))),
    )
    if recovery is not None and 100.0 * recovery.ratio > RETENTION_MAX_PCT:
        flags.append(
            Flag(
                "recovery",
                "recovery_above_100",
                f"recovered capacity is {100 * recovery.ratio:.4g} % of the first block's",
            )
        )
    top = blocks.get_column("specific_capacity_mAh_g").drop_nulls().max()
    mass_mg = None if active_mass_g is None else 1000.0 * active_mass_g
    flags += check_specific_capacity("specific_capacity_mAh_g", top, mass_mg)  # type: ignore[arg-type]
    rule_used = numbered.rule
    return RateTable(blocks, recovery, tolerance, rule_used, notes, tuple(flags))


def _scaled(column: str, factor: float, divisor: float | None) -> pl.Expr:
    if divisor is None:
        return pl.lit(None, dtype=pl.Float64)
    if not divisor > 0:
        raise AnalysisError(f"normalising value must be positive, got {divisor}")
    return factor * pl.col(column) / divisor


def _recovery(blocks: pl.DataFrame, tolerance: float) -> Recovery | None:
    first = blocks.row(0, named=True)
    later = blocks.slice(1).filter(
        (pl.col("current_A") - first["current_A"]).abs() <= tolerance * first["current_A"]
    )
    if later.height == 0 or first["discharge_capacity_Ah"] <= 0:
        return None
    back = later.row(0, named=True)
    return Recovery(
        block=back["block"],
        discharge_capacity_Ah=back["discharge_capacity_Ah"],
        specific_capacity_mAh_g=back["specific_capacity_mAh_g"],
        ratio=back["discharge_capacity_Ah"] / first["discharge_capacity_Ah"],
    )
