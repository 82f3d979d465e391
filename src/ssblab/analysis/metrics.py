"""Cycling metrics on top of the per-cycle summary: ICE, retention, voltages, normalised capacity.

Everything is derived from :func:`ssblab.analysis.cycles.cycle_table` (cycle
rule, partial cycles, cell-type conventions of
:mod:`ssblab.analysis.conventions`), so every command and the report give the
same CE, ICE and retention::

    from ssblab.analysis.metrics import metrics
    result = metrics(run)          # Metrics: .table, .ice, .flags, .notes, .definitions
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ssblab import schema as s
from ssblab.analysis import conventions as conv
from ssblab.analysis import steps
from ssblab.analysis.cycles import CYCLE_KEYS, CycleTable, cycle_table
from ssblab.errors import AnalysisError
from ssblab.flags import Flag, check_ce, check_retention, check_specific_capacity
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
    "partial",
)


@dataclass(frozen=True)
class InitialEfficiency:
    """Initial coulombic efficiency: the CE of the first complete cycle.

    Attributes
    ----------
    ice : float
        Q_out / Q_in of that cycle [1] (:mod:`ssblab.analysis.conventions`).
    first_half : str
        ``"charge"`` (full cell or cathode half-cell: the cycle starts by
        charging) or ``"discharge"`` (anode half-cell: it starts by lithiating).
    first_capacity_Ah, second_capacity_Ah : float
        Q_in and Q_out of that cycle [A·h].
    cycle : int
        The cycle it comes from (partial cycles before it are skipped).
    """

    ice: float
    first_half: str
    first_capacity_Ah: float
    second_capacity_Ah: float
    cycle: int = 1


@dataclass(frozen=True)
class Metrics:
    """Result of :func:`metrics`: the per-cycle table and everything said about it."""

    table: pl.DataFrame
    ice: InitialEfficiency | None
    cell_type: str
    rule: str
    definitions: dict[str, str]
    notes: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = field(default_factory=tuple)
    #: Each row's CE as printed, to the decimals its counters carry (:attr:`CycleTable.ce_texts`).
    ce_texts: tuple[str, ...] = ()
    #: Each row's charge and discharge capacity as printed, mAh text to the decimals their
    #: counters carry, by column (:meth:`CycleTable.capacity_texts`).
    capacity_texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Step of the counter behind each capacity column [A·h] (0: fine).
    capacity_steps_Ah: dict[str, float] = field(default_factory=dict)


def _ice_from(ct: CycleTable) -> InitialEfficiency | None:
    o = conv.orientation(ct.cell_type)
    if not o.ce_defined:
        return None
    whole = ct.complete.filter(pl.col("coulombic_efficiency").is_not_null())
    if whole.height == 0:
        return None
    row = whole.row(0, named=True)
    return InitialEfficiency(
        ice=row["coulombic_efficiency"],
        first_half="charge" if o.in_state > 0 else "discharge",
        first_capacity_Ah=row[o.in_column],
        second_capacity_Ah=row[o.out_column],
        cycle=row["cycle"],
    )


def initial_coulombic_efficiency(
    data: Run | pl.DataFrame, rest_current_A: float | None = None, *, rule: str = "vendor"
) -> InitialEfficiency:
    """ICE: the CE of the first complete cycle (Q_out / Q_in, cell-type conventions).

    Full and cathode half-cells: Q_discharge / Q_charge; anode half-cells
    (lithiation first): Q_charge / Q_discharge, delithiation over lithiation.
    Partial cycles (a first discharge-only cycle of EC-Lab, a cell that came
    in charged) are skipped. *rest_current_A* is kept for compatibility and
    unused: the cycle rule's thresholds decide what a half-cycle is.

    Raises
    ------
    AnalysisError
        If the run has no complete cycle, or is a symmetric cell (no ICE).
    """
    del rest_current_A
    ct = cycle_table(data, rule)
    ice = _ice_from(ct)
    if ice is None:
        raise AnalysisError(
            f"ICE is undefined: {ct.definitions['ICE']}"
            if not conv.orientation(ct.cell_type).ce_defined
            else "ICE needs a complete cycle (a charge and a discharge); the run has none"
        )
    return ice


def metrics(
    data: Run | pl.DataFrame,
    active_mass_g: float | None = None,
    area_cm2: float | None = None,
    reference_cycle: int | None = None,
    *,
    rule: str = "vendor",
    cell_type: str | None = None,
) -> Metrics:
    """:func:`cycle_metrics` with ICE, the rule used, notes, flags and definitions."""
    if isinstance(data, Run):
        active_mass_g = active_mass_g if active_mass_g is not None else data.meta.active_mass_g
        area_cm2 = area_cm2 if area_cm2 is not None else data.meta.area_cm2
    table = steps.as_table(data)
    steps.check_finite(table, tuple(c for c in COUNTERS + s.REQUIRED if c in table.columns))
    ct = cycle_table(data, rule, cell_type=cell_type)
    out = metrics_from_summary(
        ct.table, active_mass_g, area_cm2, reference_cycle, cell_type=ct.cell_type
    )
    ice = _ice_from(ct)
    flags = list(ct.flags)
    if ice is not None:
        flags += check_ce("ICE", ice.ice)
    flags += _retention_flags(out)
    flags += _specific_capacity_flags(out, active_mass_g)
    texts = {c: tuple(v) for c, v in ct.capacity_texts.items()}
    return Metrics(
        out,
        ice,
        ct.cell_type,
        ct.rule,
        ct.definitions,
        ct.notes,
        tuple(flags),
        tuple(ct.ce_texts),
        texts,
        ct.capacity_steps_Ah,
    )


def _specific_capacity_flags(table: pl.DataFrame, mass_g: float | None) -> list[Flag]:
    """One flag when any cycle's mAh/g exceeds what any electrode can hold (a wrong mass)."""
    cols = ("specific_charge_capacity_mAh_g", "specific_discharge_capacity_mAh_g")
    worst = table.select(pl.max_horizontal(*cols).alias("q"), "cycle").drop_nulls("q")
    if worst.height == 0:
        return []
    row = worst.sort("q").row(-1, named=True)
    mass_mg = None if mass_g is None else 1000.0 * mass_g
    return list(
        check_specific_capacity("specific_capacity", row["q"], mass_mg, f" (cycle {row['cycle']})")
    )


def _retention_flags(table: pl.DataFrame) -> list[Flag]:
    worst = table.get_column("retention").drop_nulls().max()
    if worst is None:
        return [
            Flag("retention", "no_complete_cycle", "no complete cycle: retention and ICE are null")
        ]
    return list(check_retention("retention", 100.0 * float(worst)))


def cycle_metrics(
    data: Run | pl.DataFrame,
    active_mass_g: float | None = None,
    area_cm2: float | None = None,
    reference_cycle: int | None = None,
    *,
    rule: str = "vendor",
    cell_type: str | None = None,
) -> pl.DataFrame:
    """Per-cycle metrics: efficiencies, mean voltages, hysteresis, retention, normalised capacity.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table. With a :class:`Run`, missing *active_mass_g* and
        *area_cm2* are taken from ``RunMeta`` (grams, as the schema stores it;
        the CLI and sidecars take mg: :mod:`ssblab.cellmeta`).
    active_mass_g : float, optional
        Active material mass of the working electrode [g].
    area_cm2 : float, optional
        Electrode area [cm²].
    reference_cycle : int, optional
        Cycle whose Q_out is 100 % retention; default: the first complete cycle.
    rule, cell_type : str
        Cycle rule and cell type, as in :func:`ssblab.analysis.cycles.cycle_table`.

    Returns
    -------
    DataFrame
        Columns :data:`METRIC_KEYS`:

        * mean voltage of a half = energy / capacity [V]; hysteresis =
          mean charge voltage − mean discharge voltage [V];
        * ``retention`` = Q_out(n) / Q_out(reference) [1], null on partial cycles
          and on rows without an "out" half (the "in" rows of ``half_cycles``);
        * ``cumulative_capacity_loss_Ah`` = Σ_{k≤n} (Q_in(k) − Q_out(k)) over the
          complete cycles, the charge not returned so far [A·h]; null on partial
          cycles (a first discharge of a cell that came in charged is no loss);
        * specific capacity = 1000 Q / m [mAh/g]; areal = 1000 Q / A [mAh/cm²]
          (null when the mass or area is unknown).

    Raises
    ------
    AnalysisError
        If the run has no complete cycle, or *reference_cycle* is not in the run.
    """
    return metrics(
        data, active_mass_g, area_cm2, reference_cycle, rule=rule, cell_type=cell_type
    ).table


def _positive_or_none(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if not value > 0:
        raise AnalysisError(f"{name} must be a positive number, got {value}")
    return float(value)


def metrics_from_summary(
    summary: pl.DataFrame,
    active_mass_g: float | None = None,
    area_cm2: float | None = None,
    reference_cycle: int | None = None,
    *,
    cell_type: str = "full",
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
    o = conv.orientation(cell_type)
    if "partial" not in summary.columns:
        summary = summary.with_columns(pl.lit(False).alias("partial"))
    q_ref = _reference_capacity(summary, reference_cycle, o.out_column)

    def per(q: str, divisor: float | None) -> pl.Expr:
        return pl.lit(None, dtype=pl.Float64) if divisor is None else 1000.0 * pl.col(q) / divisor

    def mean_voltage(e: str, q: str) -> pl.Expr:
        return pl.when(pl.col(q) > 0).then(pl.col(e) / pl.col(q))

    ch, dis = "charge_capacity_Ah", "discharge_capacity_Ah"
    return (
        summary.with_columns(
            mean_voltage("charge_energy_Wh", ch).alias("mean_charge_voltage_V"),
            mean_voltage("discharge_energy_Wh", dis).alias("mean_discharge_voltage_V"),
            (
                pl.when(~pl.col("partial") & (pl.col(o.out_column) > 0)).then(
                    pl.col(o.out_column) / q_ref
                )
                if q_ref is not None
                else pl.lit(None, dtype=pl.Float64)
            ).alias("retention"),
            pl.when(~pl.col("partial"))
            .then(
                pl.when(~pl.col("partial"))
                .then(pl.col(o.in_column) - pl.col(o.out_column))
                .otherwise(0.0)
                .cum_sum()
            )
            .alias("cumulative_capacity_loss_Ah"),
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


def _reference_capacity(
    summary: pl.DataFrame, reference_cycle: int | None, column: str = "discharge_capacity_Ah"
) -> float | None:
    """Q_out [A·h] of the reference cycle (default: the first complete one with Q_out > 0)."""
    if reference_cycle is None:
        nonzero = summary.filter((pl.col(column) > 0) & ~pl.col("partial"))
        if nonzero.height == 0:
            return None  # no complete cycle: retention is null (metrics() flags it)
        return float(nonzero.get_column(column)[0])
    row = summary.filter(pl.col("cycle") == reference_cycle)
    if row.height == 0:
        have = summary.get_column("cycle")
        raise AnalysisError(
            f"reference cycle {reference_cycle} is not in the run "
            f"(cycles {have.min()}-{have.max()})"
        )
    q = float(row.get_column(column)[0])
    if q <= 0:
        raise AnalysisError(f"reference cycle {reference_cycle} returned no capacity")
    return q
