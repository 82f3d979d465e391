"""Rate-capability tests: blocks of cycles at one current, and recovery.

A rate test cycles a cell a few times at each of several currents (e.g. 0.1,
0.2, 0.5, 1 C) and then returns to the first one. This module finds the blocks
from the data alone, on the half-cycle that CE and retention take as Q_out
(:mod:`ssblab.analysis.conventions`): the discharge of a full or cathode
half-cell, the charge (delithiation) of an anode half-cell. The block current of
a cycle is the median current of that half's records, and consecutive cycles
whose currents agree within a relative tolerance form a block; the block's
capacity is the mean Q_out of its cycles. Columns are named for that half
(``charge_capacity_Ah`` or ``discharge_capacity_Ah``, as in the cycle table).
Cycles are numbered by the cycle rule of :mod:`ssblab.analysis.cycles` (the
vendor's, checked) and the cycle table is the memoised one of the run; partial
cycles are left out of the blocks and counted in a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ssblab import schema as s
from ssblab.analysis import conventions as conv
from ssblab.analysis import steps
from ssblab.analysis.cycles import cycle_table, number_cycles
from ssblab.analysis.memo import per_run
from ssblab.errors import AnalysisError
from ssblab.flags import RETENTION_MAX_PCT, Flag, check_specific_capacity
from ssblab.schema import Run

#: Two cycles belong to one block when their currents differ by less than this
#: fraction of the block's first current.
CURRENT_TOLERANCE = 0.05

#: Old generic keys kept beside the half-named ones where they mean what they always did
#: (Q_out is the discharge): ``ssblab rate --json`` and the report's rate bars still read them.
ALIASES = {
    "current_A": "discharge_current_A",
    "current_density_mA_cm2": "discharge_current_density_mA_cm2",
    "c_rate": "discharge_c_rate",
    "specific_capacity_mAh_g": "specific_discharge_capacity_mAh_g",
}


def half_column(half: str, quantity: str) -> str:
    """The blocks' column of *quantity* (``capacity_Ah``, ``specific_capacity_mAh_g``,
    ``current_A``, ``current_density_mA_cm2``, ``c_rate``) on Q_out half *half*."""
    if quantity == "specific_capacity_mAh_g":
        return f"specific_{half}_capacity_mAh_g"
    return f"{half}_{quantity}"


def block_keys(half: str) -> tuple[str, ...]:
    """Columns of :attr:`RateTable.blocks` for Q_out half *half* (``charge``/``discharge``),
    aliases (:data:`ALIASES`) last when that half is the discharge."""
    keys = (
        "block",
        *(half_column(half, q) for q in ("current_A", "current_density_mA_cm2", "c_rate")),
        "first_cycle",
        "last_cycle",
        "cycles",
        half_column(half, "capacity_Ah"),
        half_column(half, "specific_capacity_mAh_g"),
    )
    return keys + (tuple(ALIASES) if half == "discharge" else ())


#: Columns of a full or cathode half-cell's rate table (stable ``--json`` keys).
BLOCK_KEYS = block_keys("discharge")


@dataclass(frozen=True)
class Recovery:
    """Return to the first rate after the faster ones.

    Attributes
    ----------
    block : int
        The later block at the first block's current.
    capacity_Ah : float
        Its mean Q_out [A·h] (the *half* named).
    specific_capacity_mAh_g : float or None
        Same, per gram of active material [mAh/g].
    ratio : float
        Recovered capacity / first-block capacity [1].
    half : str
        ``discharge`` or ``charge`` (an anode half-cell's delithiation).
    """

    block: int
    capacity_Ah: float
    specific_capacity_mAh_g: float | None
    ratio: float
    half: str = "discharge"

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain dict, the capacities keyed by their half (as the blocks' columns)."""
        out: dict[str, float | int | None] = {
            "block": self.block,
            half_column(self.half, "capacity_Ah"): self.capacity_Ah,
            half_column(self.half, "specific_capacity_mAh_g"): self.specific_capacity_mAh_g,
            "ratio": self.ratio,
        }
        if self.half == "discharge":
            out["specific_capacity_mAh_g"] = self.specific_capacity_mAh_g  # ALIASES
        return out


@dataclass(frozen=True)
class RateTable:
    """Result of :func:`rate_table`: one row per block, the recovery (or None), notes, flags.

    ``half`` names the Q_out half-cycle the blocks are on (``discharge``, or ``charge`` for
    an anode half-cell) and so the columns (:func:`block_keys`); ``out_half`` says it in
    words (``charge (delithiation)``).
    """

    blocks: pl.DataFrame
    recovery: Recovery | None
    tolerance: float
    rule: str = "vendor"
    notes: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = field(default_factory=tuple)
    half: str = "discharge"
    out_half: str = "discharge"

    def column(self, quantity: str) -> str:
        """The blocks' column of *quantity* for this table's half (:func:`half_column`)."""
        return half_column(self.half, quantity)


def half_currents(data: Run | pl.DataFrame, state: int) -> pl.DataFrame:
    """Median current magnitude of every cycle's records in *state* (+1 charge, -1
    discharge) [A] (``cycle``, ``current_A``); cycles without such a record are left out."""
    labelled = steps.label(data)
    if s.CYCLE not in labelled.columns:
        labelled = labelled.with_columns(pl.lit(1, dtype=pl.Int64).alias(s.CYCLE))
    return (
        labelled.filter(pl.col(steps.STATE) == state)
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


@per_run
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
    """Rate table: blocks of consecutive cycles at one current of the Q_out half-cycle.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table with ``Cycle Count / 1``. Mass and area default to the
        ``RunMeta`` of a :class:`Run`. Memoised per run (:mod:`ssblab.analysis.memo`).
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
        ``blocks`` with columns :func:`block_keys` of its ``half`` (capacity = mean Q_out
        of the block's cycles [A·h], current = mean of their Q_out currents [A]);
        ``recovery`` compares the first later block at the first block's current
        (within *tolerance*) with the first block, or is None when the test never
        returns to it.

    Raises
    ------
    AnalysisError
        If no cycle has a Q_out half, or *tolerance* is not in (0, 1).
    """
    if not 0 < tolerance < 1:
        raise AnalysisError(f"tolerance must be in (0, 1), got {tolerance}")
    if isinstance(data, Run):
        meta = data.meta
        active_mass_g = active_mass_g if active_mass_g is not None else meta.active_mass_g
        area_cm2 = area_cm2 if area_cm2 is not None else meta.area_cm2
    summary = cycle_table(data, rule)  # the run's own (memoised) cycle table
    o = conv.orientation(summary.cell_type)
    half = o.out_column.split("_")[0]  # "discharge" or "charge", as the cycle table's columns
    per_cycle = _per_cycle(data, rule, summary.table, o, skip_first_cycles)
    if per_cycle.height == 0:
        partial = int(summary.table.get_column("partial").sum())
        why = f" ({partial} partial cycle(s) left out: blocks need complete cycles)"
        raise AnalysisError(
            f"no cycle with a {o.out_name}: cannot build a rate table{why if partial else ''}"
        )
    blocks = _blocks(per_cycle, half, tolerance, active_mass_g, area_cm2, nominal_capacity_Ah)
    recovery = _recovery(blocks, tolerance, half)
    flags = [f for f in summary.flags if f.code != "partial_cycle"]
    if recovery is not None and 100.0 * recovery.ratio > RETENTION_MAX_PCT:
        flags.append(
            Flag(
                "recovery",
                "recovery_above_100",
                f"recovered capacity is {100 * recovery.ratio:.4g} % of the first block's",
            )
        )
    specific = half_column(half, "specific_capacity_mAh_g")
    top = blocks.get_column(specific).drop_nulls().max()
    mass_mg = None if active_mass_g is None else 1000.0 * active_mass_g
    flags += check_specific_capacity(specific, top, mass_mg)  # type: ignore[arg-type]
    return RateTable(
        blocks, recovery, tolerance, summary.rule, summary.notes, tuple(flags), half, o.out_name
    )


def _per_cycle(
    data: Run | pl.DataFrame,
    rule: str,
    cycles: pl.DataFrame,
    o: conv.Orientation,
    skip_first_cycles: int,
) -> pl.DataFrame:
    """``cycle``, ``current_A`` (median of the Q_out half [A]), ``capacity_Ah`` (Q_out)
    of every complete cycle after the first *skip_first_cycles*."""
    complete = cycles.filter(~pl.col("partial")).select(
        "cycle", pl.col(o.out_column).alias("capacity_Ah")
    )
    numbered = number_cycles(data, rule)  # memoised: the numbering cycle_table used
    return (
        half_currents(numbered.table, -o.in_state)
        .join(complete, on="cycle")
        .filter(pl.col("cycle") > pl.col("cycle").min() + skip_first_cycles - 1)
        .sort("cycle")
    )


def _blocks(
    per_cycle: pl.DataFrame,
    half: str,
    tolerance: float,
    active_mass_g: float | None,
    area_cm2: float | None,
    nominal_capacity_Ah: float | None,
) -> pl.DataFrame:
    """One row per block of *per_cycle* (:func:`_per_cycle`), columns :func:`block_keys`."""
    ids = _block_ids(per_cycle.get_column("current_A").to_list(), tolerance)
    current, capacity = half_column(half, "current_A"), half_column(half, "capacity_Ah")
    return (
        per_cycle.with_columns(pl.Series("block", ids))
        .group_by("block", maintain_order=True)
        .agg(
            pl.col("current_A").mean().alias(current),
            pl.col("cycle").min().alias("first_cycle"),
            pl.col("cycle").max().alias("last_cycle"),
            pl.len().cast(pl.Int64).alias("cycles"),
            pl.col("capacity_Ah").mean().alias(capacity),
        )
        .with_columns(
            _scaled(current, 1000.0, area_cm2).alias(half_column(half, "current_density_mA_cm2")),
            _scaled(current, 1.0, nominal_capacity_Ah).alias(half_column(half, "c_rate")),
            _scaled(capacity, 1000.0, active_mass_g).alias(
                half_column(half, "specific_capacity_mAh_g")
            ),
        )
        .with_columns(
            *(pl.col(new).alias(old) for old, new in ALIASES.items() if half == "discharge")
        )
        .select(block_keys(half))
    )


def _scaled(column: str, factor: float, divisor: float | None) -> pl.Expr:
    if divisor is None:
        return pl.lit(None, dtype=pl.Float64)
    if not divisor > 0:
        raise AnalysisError(f"normalising value must be positive, got {divisor}")
    return factor * pl.col(column) / divisor


def _recovery(blocks: pl.DataFrame, tolerance: float, half: str) -> Recovery | None:
    current, capacity = half_column(half, "current_A"), half_column(half, "capacity_Ah")
    first = blocks.row(0, named=True)
    later = blocks.slice(1).filter(
        (pl.col(current) - first[current]).abs() <= tolerance * first[current]
    )
    if later.height == 0 or first[capacity] <= 0:
        return None
    back = later.row(0, named=True)
    return Recovery(
        block=back["block"],
        capacity_Ah=back[capacity],
        specific_capacity_mAh_g=back[half_column(half, "specific_capacity_mAh_g")],
        ratio=back[capacity] / first[capacity],
        half=half,
    )
