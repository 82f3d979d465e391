"""Per-cycle summary: cycle rules, capacities, energies, CE and EE, partial cycles flagged.

How to call it::

    from ssblab.analysis.cycles import cycle_table, cycles, number_cycles

    result = cycle_table(run)              # CycleTable: .table, .rule, .notes, .flags
    result.table                           # one row per cycle: CYCLE_KEYS, partial, ce_carry_over
    cycles(run)                            # just the DataFrame (same numbers)
    numbered = number_cycles(run, "pairs") # the run's table renumbered by a rule
    vendor_cycles(run)                     # the cycler's own numbers, unchecked (reader tests)

Cycle rules (:data:`RULES`):

* ``vendor`` (default): the instrument's own ``Cycle Count / 1``, *checked*:
  a counter that lumps cycles (a vendor cycle holding two charges or two
  discharges of real size, e.g. a Maccor counter that never increments),
  that counts half-cycles (no cycle holds both) or that has gaps (null where
  the file's cycle number was unreadable) is replaced by ``pairs``, with a note
  and an ``info`` flag saying so;
* ``half_cycles``: every half-cycle (by current sign) is its own cycle; CE
  and EE are null (a row holds one half), and a row is ``partial`` only when
  it is truncated (see below), not for lacking the other half;
* ``pairs``: a cycle is the "in" half-cycle then the "out" one, the cell
  type's orientation (:mod:`ssblab.analysis.conventions`): charge first for
  full and cathode half-cells, discharge (lithiation) first for anode
  half-cells (navani/cellpy's "full cycles starting with either");
* ``charge_first`` / ``discharge_first``: pairs with the start forced.

Half-cycles of less than *min_capacity_fraction* (5 %) of the median one (or
with no charge at all), or shorter than *min_duration_s* (10 s, rests included)
and than 5 % of their shorter neighbour (or 1 s), are absorbed into their
neighbour (a DCIR pulse does not split a charge); the first and last ones never
are. Capacities and energies are the rise of the cumulative counters across a
cycle (integrated from I(t) when a counter is missing; energies rebuilt from
the records when the energy counter is coarse). A cycle is ``partial`` when it
lacks its "in" or "out" half (under 0.1 % of the median cycle's larger half), when the
first or last cycle holds less than half the median of that half, or when the
vendor folded a part-charged cell's first half-cycle into it (BTSDA's cycle 1).
Under ``half_cycles`` the same thresholds judge each half-cycle alone: it is
partial when under 0.1 % of the median cycle's larger half, or when the first or last
one holds less than half the median of the other half-cycles of its sign (a
cell that came in part-charged, a test stopped mid-discharge); a charge or
discharge that ran its course, as the halves of a complete ``pairs`` cycle do,
is complete. Partial cycles are kept in the table, flagged, and left out of
ICE and retention (:mod:`ssblab.analysis.metrics`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import conventions as conv
from ssblab.analysis import steps
from ssblab.analysis.cycle_checks import (
    capacity_text,
    carry_over,
    ce_resolution,
    ce_resolution_flags,
    coarse_counters,
    cycle_flags,
    energies_from_records,
    format_to_resolution,
    time_flags,
)
from ssblab.analysis.cycle_rules import (
    MIN_CAPACITY_FRACTION,
    MIN_DURATION_S,
    MISSING_FRACTION,
    PARTIAL_SHARE,
    RULES,
    Numbering,
    merged_halves,
    number_cycles,
    resolve_cell_type,
)
from ssblab.analysis.memo import per_run
from ssblab.analysis.steps import integrated_counters
from ssblab.flags import Flag
from ssblab.schema import Run

__all__ = [
    "CYCLE_KEYS",
    "MIN_CAPACITY_FRACTION",
    "MIN_DURATION_S",
    "MISSING_FRACTION",
    "RULES",
    "CycleTable",
    "Numbering",
    "cycle_table",
    "cycles",
    "integrated_counters",
    "merged_halves",
    "number_cycles",
    "resolve_cell_type",
    "vendor_cycles",
]

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


@dataclass(frozen=True)
class CycleTable:
    """Result of :func:`cycle_table`.

    ``table`` has :data:`CYCLE_KEYS`, ``partial`` and ``ce_carry_over`` (the cycles flagged
    so: a CE above the range that is charge carried over); ``rule`` is the rule used
    (``requested`` the one asked for); ``definitions`` the CE/EE/retention
    definitions of ``cell_type``; ``notes`` and ``flags`` say what was changed
    or looks wrong.
    """

    table: pl.DataFrame
    rule: str
    requested: str
    cell_type: str
    definitions: dict[str, str]
    notes: tuple[str, ...]
    flags: tuple[Flag, ...]
    #: Counter steps of the "in" and "out" capacity counters [A·h] (0: not coarse).
    counter_steps_Ah: tuple[float, float] = (0.0, 0.0)
    #: The energies are capacity × mean voltage of the records (the energy counter is coarse).
    energies_rebuilt: bool = False

    @property
    def capacity_steps_Ah(self) -> dict[str, float]:
        """Step of the counter behind each capacity column [A·h] (0: a fine counter)."""
        o = conv.orientation(self.cell_type)
        return {o.in_column: self.counter_steps_Ah[0], o.out_column: self.counter_steps_Ah[1]}

    @property
    def capacity_texts(self) -> dict[str, list[str]]:
        """Each cycle's charge and discharge capacity (by column) as mAh text to the decimals
        its counter carries (:func:`ssblab.analysis.cycle_checks.capacity_text`): the one rule
        for printing a capacity."""
        return {
            column: [capacity_text(q, step) for q in self.table.get_column(column).to_list()]
            for column, step in sorted(self.capacity_steps_Ah.items())
        }

    @property
    def ce_texts(self) -> list[str]:
        """Each cycle's CE printed to the decimals its counters carry (4 at most; an em dash
        where undefined): the one rule for printing a CE
        (:func:`ssblab.analysis.cycle_checks.format_to_resolution`)."""
        o = conv.orientation(self.cell_type)
        return self._ratio_texts("coulombic_efficiency", o.in_column, o.out_column)

    @property
    def ee_texts(self) -> list[str]:
        """Each cycle's EE printed to the decimals it carries: energies rebuilt from coarse
        capacity counters (Q × a fine mean voltage) carry the capacities' steps, as a CE does."""
        return self._ratio_texts("energy_efficiency", "charge_capacity_Ah", "discharge_capacity_Ah")

    def _ratio_texts(self, column: str, below: str, above: str) -> list[str]:
        """*column* = *above* / *below* (capacities, or energies built from them) as text."""
        steps = self.capacity_steps_Ah
        if column == "energy_efficiency" and not self.energies_rebuilt:
            steps = dict.fromkeys(steps, 0.0)
        out = []
        for row in self.table.iter_rows(named=True):
            value = row[column]
            res = ce_resolution(value, row[below], row[above], steps[below], steps[above])
            out.append(format_to_resolution(value, res))
        return out

    @property
    def complete(self) -> pl.DataFrame:
        """The cycles that are not partial."""
        return self.table.filter(~pl.col("partial"))


def _summary(table: pl.DataFrame) -> pl.DataFrame:
    """Per-cycle rises of the four cumulative counters."""
    table = integrated_counters(table)
    if s.CYCLE not in table.columns:
        table = table.with_columns(pl.lit(1, dtype=pl.Int64).alias(s.CYCLE))
    counters = [s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY]
    per_cycle = (
        table.group_by(s.CYCLE, maintain_order=True)
        .agg([pl.col(c).max() for c in counters])
        .sort(s.CYCLE)
    )
    rises = [
        (
            (pl.col(c) - pl.col(c).cum_max().shift(1).fill_null(0.0)).clip(lower_bound=0.0) + 0.0
        ).alias(c)
        for c in counters
    ]
    return per_cycle.with_columns(rises).select(
        pl.col(s.CYCLE).alias("cycle"),
        pl.col(s.CHARGE_CAPACITY).alias("charge_capacity_Ah"),
        pl.col(s.DISCHARGE_CAPACITY).alias("discharge_capacity_Ah"),
        pl.col(s.CHARGE_ENERGY).alias("charge_energy_Wh"),
        pl.col(s.DISCHARGE_ENERGY).alias("discharge_energy_Wh"),
    )


def _missing_floor(summary: pl.DataFrame) -> float:
    """Charge under which a half-cycle counts as missing [A·h].

    :data:`MISSING_FRACTION` of the median cycle's larger half (cycles with any charge),
    not of the largest: a cell whose capacity fades a thousandfold after a long first
    charge (Neware ``nw4-120-1-6-53.ndax``: 1.7 mAh, then ~1 µAh halves) keeps its late
    cycles complete.
    """
    big = summary.select(
        pl.max_horizontal("charge_capacity_Ah", "discharge_capacity_Ah").alias("q")
    ).get_column("q")
    big = big.filter(big > 0)
    return MISSING_FRACTION * float(big.median()) if big.len() else 0.0


def _partial(summary: pl.DataFrame, o: conv.Orientation, floor_Ah: float) -> np.ndarray:
    q_in = summary.get_column(o.in_column).to_numpy()
    q_out = summary.get_column(o.out_column).to_numpy()
    partial = (q_in <= floor_Ah) | (q_out <= floor_Ah)
    whole = ~partial
    for k in {0, len(q_in) - 1}:
        others = whole.copy()
        others[k] = False
        if not others.any():
            continue
        med_in, med_out = np.median(q_in[others]), np.median(q_out[others])
        if q_in[k] < PARTIAL_SHARE * med_in or q_out[k] < PARTIAL_SHARE * med_out:
            partial[k] = True
    return partial


def _partial_halves(summary: pl.DataFrame, floor_Ah: float) -> np.ndarray:
    """Partial rows of a ``half_cycles`` table: each row is one charge or one discharge.

    A half-cycle is judged on its own capacity (the larger of its two counters,
    its sign the side that holds it): partial when under *floor_Ah*, or when it
    is the first or last row and holds less than :data:`PARTIAL_SHARE` of the
    median of the other complete half-cycles of its sign (the thresholds the
    ``pairs`` rule applies to a cycle's halves).
    """
    q_ch = summary.get_column("charge_capacity_Ah").to_numpy()
    q_dis = summary.get_column("discharge_capacity_Ah").to_numpy()
    own = np.maximum(q_ch, q_dis)
    sign = np.where(q_ch >= q_dis, 1, -1)
    partial = own <= floor_Ah
    whole = ~partial
    for k in {0, len(own) - 1}:
        others = whole & (sign == sign[k])
        others[k] = False
        if others.any() and own[k] < PARTIAL_SHARE * float(np.median(own[others])):
            partial[k] = True
    return partial


@per_run
def cycle_table(
    data: Run | pl.DataFrame,
    rule: str = "vendor",
    *,
    cell_type: str | None = None,
    min_capacity_fraction: float = MIN_CAPACITY_FRACTION,
    min_duration_s: float = MIN_DURATION_S,
) -> CycleTable:
    """One row per cycle with the conventions of the cell type; see the module docstring.

    Returns
    -------
    CycleTable
        ``table``: :data:`CYCLE_KEYS`, ``partial`` and ``ce_carry_over``; capacities [A·h],
        energies [W·h], ``coulombic_efficiency`` = Q_out/Q_in and
        ``energy_efficiency`` = E_discharge/E_charge (null where undefined).
    """
    numbered = number_cycles(
        data,
        rule,
        cell_type=cell_type,
        min_capacity_fraction=min_capacity_fraction,
        min_duration_s=min_duration_s,
    )
    o = conv.orientation(numbered.cell_type)
    summary = _summary(numbered.table)
    coarse = coarse_counters(numbered.table)
    coarse_notes = (
        [
            "coarse counters, per-cycle values carry ± half a step: "
            + ", ".join(
                f"{name.split(' / ')[0]} steps by {_milli(step, name)}"
                for name, step in coarse.items()
            )
        ]
        if coarse
        else []
    )
    rebuilt = any(c in coarse for c in (s.CHARGE_ENERGY, s.DISCHARGE_ENERGY))
    if rebuilt:
        summary = energies_from_records(summary, numbered.table)
        coarse_notes.append(
            "energies = capacity × the current-weighted mean voltage of the records "
            "(the energy counter is too coarse)"
        )
    floor = _missing_floor(summary)
    if numbered.rule == "half_cycles":
        partial = _partial_halves(summary, floor)
    else:
        partial = _partial(summary, o, floor)
    partial |= summary.get_column("cycle").is_in(list(numbered.partial_cycles)).to_numpy()
    both = (pl.col(o.in_column) > floor) & (pl.col(o.out_column) > floor)
    ce = pl.when(both).then(pl.col(o.out_column) / pl.col(o.in_column))
    ee = pl.when(both & (pl.col("charge_energy_Wh") > 0)).then(
        pl.col("discharge_energy_Wh") / pl.col("charge_energy_Wh")
    )
    if not o.ce_defined:
        ce = pl.lit(None, dtype=pl.Float64)
    if not o.ee_defined:
        ee = pl.lit(None, dtype=pl.Float64)
    table = summary.with_columns(
        ce.alias("coulombic_efficiency"),
        ee.alias("energy_efficiency"),
        pl.Series("partial", partial),
    ).select(*CYCLE_KEYS, "partial")
    out_word = o.out_name.split()[0]
    carried = carry_over(table, o.in_column, o.out_column, out_word) if floor > 0 else {}
    carried = {k: f for k, f in carried.items() if not partial[k]}
    table = table.with_columns(
        pl.Series("ce_carry_over", [k in carried for k in range(table.height)], pl.Boolean)
    )
    flags = list(numbered.flags) + (
        cycle_flags(table, o.in_column, o.out_column, out_word, carried) if floor > 0 else []
    )
    counter = {
        "charge_capacity_Ah": s.CHARGE_CAPACITY,
        "discharge_capacity_Ah": s.DISCHARGE_CAPACITY,
    }
    steps_in_out = [coarse.get(counter[c], 0.0) for c in (o.in_column, o.out_column)]
    if any(steps_in_out) and o.ce_defined:
        flags += ce_resolution_flags(table, tuple(steps_in_out), o.in_column, o.out_column)
    flags += time_flags(numbered.table)
    notes = list(numbered.notes) + coarse_notes
    flags += [
        Flag(name, "coarse_counter", f"the counter steps by {_milli(step, name)}", "info")
        for name, step in coarse.items()
    ]
    n_partial = int(partial.sum())
    if n_partial:
        which = table.filter(pl.col("partial")).get_column("cycle").to_list()
        notes.append(f"partial cycles {which} are left out of ICE and retention")
    return CycleTable(
        table,
        numbered.rule,
        rule,
        numbered.cell_type,
        conv.definitions(numbered.cell_type),
        tuple(notes),
        tuple(flags),
        (float(steps_in_out[0]), float(steps_in_out[1])),
        rebuilt,
    )


def _milli(step: float, column: str) -> str:
    """A counter step in the milli-unit of its column (``... / Ah``: "0.1 mAh")."""
    return f"{1e3 * step:.3g} m{column.rsplit(' / ', 1)[-1]}"


def vendor_cycles(data: Run | pl.DataFrame) -> pl.DataFrame:
    """Per-cycle counters exactly as the cycler numbers and prints them (unchecked).

    ``Cycle Count / 1`` as recorded, CE = Q_discharge / Q_charge and EE =
    E_discharge / E_charge whatever the cell type, as vendor software shows
    them; columns :data:`CYCLE_KEYS`. For comparing a reader with the vendor's
    own export; analyses use :func:`cycle_table`.
    """
    summary = _summary(steps.as_table(data))
    ce = pl.when(pl.col("charge_capacity_Ah") > 0).then(
        pl.col("discharge_capacity_Ah") / pl.col("charge_capacity_Ah")
    )
    ee = pl.when(pl.col("charge_energy_Wh") > 0).then(
        pl.col("discharge_energy_Wh") / pl.col("charge_energy_Wh")
    )
    return summary.with_columns(
        ce.alias("coulombic_efficiency"), ee.alias("energy_efficiency")
    ).select(CYCLE_KEYS)


def cycles(data: Run | pl.DataFrame, rule: str = "vendor", **kwargs) -> pl.DataFrame:
    """The DataFrame of :func:`cycle_table` (same arguments)."""
    return cycle_table(data, rule, **kwargs).table
