"""Per-cycle summary: cycle rules, capacities, energies, CE and EE, partial cycles flagged.

How to call it::

    from ssblab.analysis.cycles import cycle_table, cycles, number_cycles

    result = cycle_table(run)              # CycleTable: .table, .rule, .notes, .flags
    result.table                           # one row per cycle, CYCLE_KEYS + "partial"
    cycles(run)                            # just the DataFrame (same numbers)
    numbered = number_cycles(run, "pairs") # the run's table renumbered by a rule
    vendor_cycles(run)                     # the cycler's own numbers, unchecked (reader tests)

Cycle rules (:data:`RULES`):

* ``vendor`` (default): the instrument's own ``Cycle Count / 1``, *checked*:
  a counter that lumps cycles (a vendor cycle holding two charges or two
  discharges of real size, e.g. a Maccor counter that never increments) or
  that counts half-cycles (no cycle holds both) is replaced by ``pairs``, with
  a note and an ``info`` flag saying so;
* ``half_cycles``: every half-cycle (by current sign) is its own cycle;
* ``pairs``: a cycle is the "in" half-cycle then the "out" one, the cell
  type's orientation (:mod:`ssblab.analysis.conventions`): charge first for
  full and cathode half-cells, discharge (lithiation) first for anode
  half-cells (navani/cellpy's "full cycles starting with either");
* ``charge_first`` / ``discharge_first``: pairs with the start forced.

Half-cycles of less than *min_capacity_fraction* (5 %) of the median one, or
shorter than *min_duration_s* (10 s, rests included), are absorbed into their
neighbour (a DCIR
pulse does not split a charge). Capacities and energies are the rise of the
cumulative counters across a cycle (integrated from I(t) when a counter is
missing). A cycle is ``partial`` when it lacks its "in" or "out" half (under
0.1 % of the largest half-cycle), or when
the first or last cycle holds less than half the median of that half:
partial cycles are kept in the table, flagged, and left out of ICE and
retention (:mod:`ssblab.analysis.metrics`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import conventions as conv
from ssblab.analysis import steps
from ssblab.analysis.steps import integrated_counters
from ssblab.errors import AnalysisError
from ssblab.flags import CE_RANGE, Flag, check_ce
from ssblab.schema import Run

__all__ = [
    "CYCLE_KEYS",
    "RULES",
    "CycleTable",
    "cycle_table",
    "cycles",
    "integrated_counters",
    "number_cycles",
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
RULES = ("vendor", "half_cycles", "pairs", "charge_first", "discharge_first")
#: Default thresholds below which a half-cycle is absorbed into its neighbour.
MIN_CAPACITY_FRACTION = 0.05
MIN_DURATION_S = 10.0
#: A half-cycle under this fraction of the largest one is missing (its cycle is partial).
MISSING_FRACTION = 1e-3
#: A first/last cycle with less than this share of the median "in"/"out" is partial.
PARTIAL_SHARE = 0.5


@dataclass(frozen=True)
class Numbering:
    """A table renumbered by a cycle rule (see :func:`number_cycles`)."""

    table: pl.DataFrame
    rule: str
    cell_type: str
    notes: tuple[str, ...]
    flags: tuple[Flag, ...]
    partial_cycles: tuple[int, ...] = ()


@dataclass(frozen=True)
class CycleTable:
    """Result of :func:`cycle_table`.

    ``table`` has :data:`CYCLE_KEYS` and ``partial``; ``rule`` is the rule used
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

    @property
    def complete(self) -> pl.DataFrame:
        """The cycles that are not partial."""
        return self.table.filter(~pl.col("partial"))


def _table(data: Run | pl.DataFrame) -> pl.DataFrame:
    return steps.as_table(data)


def resolve_cell_type(data: Run | pl.DataFrame, cell_type: str | None = None) -> str:
    """*cell_type*, else ``RunMeta.cell_type``, else recognised from the voltages."""
    if cell_type:
        conv.orientation(cell_type)  # validates
        return cell_type
    if isinstance(data, Run) and data.meta.cell_type:
        return data.meta.cell_type
    from ssblab.analysis.recognize import cell_type_from_data

    return cell_type_from_data(_table(data))[0]


def merged_halves(
    labelled: pl.DataFrame,
    min_capacity_fraction: float = MIN_CAPACITY_FRACTION,
    min_duration_s: float = MIN_DURATION_S,
) -> pl.DataFrame:
    """Half-cycles after absorbing small ones: ``half_cycle`` → ``merged`` (from 1), ``state``.

    Also returns per half ``capacity_Ah``, ``substantial`` and the vendor
    ``cycle`` of its first record (when the table has one).
    """
    halves = steps._group_summary(labelled, steps.HALF_CYCLE).filter(pl.col(steps.HALF_CYCLE) > 0)
    if halves.height == 0:
        raise AnalysisError("the table has no charge or discharge (current is zero throughout)")
    cap = halves.get_column("capacity_Ah").to_numpy()
    dur = halves.get_column("duration_s").to_numpy()
    state = halves.get_column("state").to_numpy()
    big = (cap >= min_capacity_fraction * float(np.median(cap))) & (dur >= min_duration_s)
    big[[0, -1]] |= cap[[0, -1]] > 0  # a first or last half is partial, not a blip
    merged = np.zeros(len(cap), dtype=np.int64)
    current, last_state = 0, 0
    for k in range(len(cap)):  # a loop over half-cycles (thousands at most), not records
        if big[k] and state[k] != last_state:
            current += 1
            last_state = state[k]
        merged[k] = max(current, 1)
    lead_state = state[int(np.flatnonzero(big)[0])] if big.any() else state[0]
    return halves.with_columns(
        pl.Series("merged", merged),
        pl.Series("substantial", big),
        pl.Series("merged_state", _merged_states(merged, state, big, lead_state)),
    )


def _merged_states(merged: np.ndarray, state: np.ndarray, big: np.ndarray, lead: int) -> np.ndarray:
    out = np.full(len(merged), lead, dtype=np.int8)
    for k in range(len(merged)):
        if big[k]:
            out[merged == merged[k]] = state[k]
    return out


def _vendor_problem(halves: pl.DataFrame) -> str:
    """Why the vendor counter cannot be right ('' when it can).

    A partial leading half-cycle (a cell that came in charged, which BTSDA folds
    into cycle 1) does not count as lumping.
    """
    if "cycle" not in halves.columns:
        return ""
    big = halves.filter(pl.col("substantial")).unique("merged", keep="first", maintain_order=True)
    if big.height < 3:
        return ""
    lead = big.row(0, named=True)
    same = big.filter(pl.col("merged_state") == lead["merged_state"]).get_column("capacity_Ah")
    if same.len() >= 2 and lead["capacity_Ah"] < PARTIAL_SHARE * float(same.slice(1).median()):
        big = big.slice(1)
    per = big.group_by("cycle").agg(
        (pl.col("merged_state") > 0).sum().alias("n_in"),
        (pl.col("merged_state") < 0).sum().alias("n_out"),
    )
    lumped = per.filter((pl.col("n_in") > 1) | (pl.col("n_out") > 1))
    if lumped.height:
        worst = lumped.with_columns((pl.col("n_in") + pl.col("n_out")).alias("n")).sort("n")[-1]
        return (
            f"the vendor cycle counter lumps cycles (vendor cycle {worst['cycle'][0]} holds "
            f"{worst['n'][0]} half-cycles of {big.height} in {per.height} vendor cycles)"
        )
    both = per.filter((pl.col("n_in") > 0) & (pl.col("n_out") > 0))
    if per.height >= 4 and both.height == 0:
        return (
            "the vendor cycle counter counts half-cycles (no cycle holds a charge and a discharge)"
        )
    return ""


def number_cycles(
    data: Run | pl.DataFrame,
    rule: str = "vendor",
    *,
    cell_type: str | None = None,
    min_capacity_fraction: float = MIN_CAPACITY_FRACTION,
    min_duration_s: float = MIN_DURATION_S,
) -> Numbering:
    """The run's table with ``Cycle Count / 1`` set by *rule* (see the module docstring).

    The vendor's numbers are kept in ``Vendor Cycle / 1`` when they are replaced.
    """
    if rule not in RULES:
        raise AnalysisError(f"unknown cycle rule {rule!r}; choose one of {', '.join(RULES)}")
    table = _table(data)
    ctype = resolve_cell_type(data, cell_type)
    labelled = steps.label(table)
    if not (labelled.get_column(steps.STATE) != 0).any():
        note = "no current above the rest threshold: no half-cycles, vendor numbering kept"
        return Numbering(table, "vendor", ctype, (note,), ())
    halves = merged_halves(labelled, min_capacity_fraction, min_duration_s)
    if not halves.get_column("substantial").any():
        note = "no half-cycle passes the duration/charge thresholds: vendor numbering kept"
        return Numbering(table, "vendor", ctype, (note,), ())
    notes: list[str] = []
    flags: list[Flag] = []
    used = rule
    if rule == "vendor":
        if s.CYCLE not in table.columns:
            used = "pairs"
            notes.append("the file has no cycle counter: cycles numbered as in/out pairs")
        else:
            problem = _vendor_problem(halves)
            if problem:
                used = "pairs"
                notes.append(f"{problem}; cycles renumbered as {_pairs_words(ctype)}")
                flags.append(Flag("cycle", "vendor_cycles_replaced", notes[-1], "info"))
            else:
                notes.append("cycle numbering: the vendor's")
                folded = _folded_lead(halves)
                if folded is not None:
                    notes.append(
                        f"vendor cycle {folded} also holds the partial first half-cycle "
                        "(the cell came in part-charged): it counts as partial; "
                        "--rule pairs splits it off"
                    )
                    return Numbering(table, used, ctype, tuple(notes), tuple(flags), (folded,))
    if used == "vendor":
        return Numbering(table, used, ctype, tuple(notes), tuple(flags))
    mapping = _cycle_of_half(halves, used, ctype)
    if rule != "vendor":
        notes.append(f"cycle numbering: rule {used!r} ({_pairs_words(ctype, used)})")
    out = labelled.join(mapping, on=steps.HALF_CYCLE, how="left").with_columns(
        pl.col("_cycle").fill_null(1).cast(pl.Int64)
    )
    if s.CYCLE in table.columns and s.VENDOR_CYCLE not in table.columns:
        out = out.with_columns(pl.col(s.CYCLE).alias(s.VENDOR_CYCLE))
    out = out.with_columns(pl.col("_cycle").alias(s.CYCLE))
    keep = list(table.columns)
    keep += [c for c in (s.CYCLE, s.VENDOR_CYCLE) if c in out.columns and c not in keep]
    out = out.select(keep)
    return Numbering(s.conform(out), used, ctype, tuple(notes), tuple(flags))


def _pairs_words(cell_type: str, rule: str = "pairs") -> str:
    if rule == "half_cycles":
        return "one cycle per half-cycle"
    o = conv.orientation(cell_type)
    first = {"charge_first": "charge", "discharge_first": "discharge"}.get(rule, o.in_name)
    return f"pairs starting with the {first}"


def _cycle_of_half(halves: pl.DataFrame, rule: str, cell_type: str) -> pl.DataFrame:
    """``half_cycle`` → ``_cycle`` for a non-vendor rule."""
    merged = halves.get_column("merged").to_numpy()
    mstate = halves.get_column("merged_state").to_numpy()
    if rule == "half_cycles":
        cyc = merged
    else:
        first = {"charge_first": 1, "discharge_first": -1}.get(
            rule, conv.orientation(cell_type).in_state
        )
        starts = np.zeros(len(merged), dtype=np.int64)
        new = np.r_[True, merged[1:] != merged[:-1]] & (mstate == first)
        starts = np.cumsum(new)
        cyc = starts + (0 if mstate[0] == first else 1)
    first_half = int(halves.get_column(steps.HALF_CYCLE)[0])
    extra = pl.DataFrame({steps.HALF_CYCLE: [0], "_cycle": [int(cyc[0])]}) if first_half else None
    mapping = pl.DataFrame(
        {steps.HALF_CYCLE: halves.get_column(steps.HALF_CYCLE), "_cycle": cyc.astype(np.int64)}
    )
    return pl.concat([extra, mapping]) if extra is not None else mapping


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
        (pl.col(c) - pl.col(c).cum_max().shift(1).fill_null(0.0)).clip(lower_bound=0.0).alias(c)
        for c in counters
    ]
    return per_cycle.with_columns(rises).select(
        pl.col(s.CYCLE).alias("cycle"),
        pl.col(s.CHARGE_CAPACITY).alias("charge_capacity_Ah"),
        pl.col(s.DISCHARGE_CAPACITY).alias("discharge_capacity_Ah"),
        pl.col(s.CHARGE_ENERGY).alias("charge_energy_Wh"),
        pl.col(s.DISCHARGE_ENERGY).alias("discharge_energy_Wh"),
    )


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


def _folded_lead(halves: pl.DataFrame) -> int | None:
    """Vendor cycle into which a partial first half-cycle was folded (BTSDA's cycle 1)."""
    if "cycle" not in halves.columns:
        return None
    big = halves.filter(pl.col("substantial")).unique("merged", keep="first", maintain_order=True)
    if big.height < 3:
        return None
    lead = big.row(0, named=True)
    rest = big.slice(1)
    same = rest.filter(pl.col("merged_state") == lead["merged_state"]).get_column("capacity_Ah")
    if same.len() == 0 or lead["capacity_Ah"] >= PARTIAL_SHARE * float(same.median()):
        return None
    in_cycle = rest.filter(pl.col("cycle") == lead["cycle"]).get_column("merged_state")
    return lead["cycle"] if (in_cycle == lead["merged_state"]).any() else None


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
        ``table``: :data:`CYCLE_KEYS` and ``partial``; capacities [A·h],
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
    coarse_notes = [
        f"{name} steps by {step:.3g} (a coarse counter): per-cycle values carry ±{step / 2:.2g}"
        for name, step in coarse.items()
    ]
    if any(c in coarse for c in (s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)):
        summary = _energies_from_records(summary, numbered.table)
        coarse_notes.append(
            "energies = capacity × the current-weighted mean voltage of the records "
            "(the energy counter is too coarse)"
        )
    largest = summary.select(
        pl.max_horizontal("charge_capacity_Ah", "discharge_capacity_Ah").max()
    ).item()
    floor = MISSING_FRACTION * float(largest or 0.0)
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
    flags = list(numbered.flags) + (_cycle_flags(table) if floor > 0 else [])
    notes = list(numbered.notes) + coarse_notes
    flags += [
        Flag(name, "coarse_counter", f"the counter steps by {step:.3g}", "info")
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
    )


def coarse_counters(table: pl.DataFrame) -> dict[str, float]:
    """Counters that stay flat over most records under current, with their step [Ah or Wh]."""
    out: dict[str, float] = {}
    current = pl.col(s.CURRENT)
    rest = steps.rest_threshold(table)
    for name, sign in (
        (s.CHARGE_CAPACITY, 1),
        (s.DISCHARGE_CAPACITY, -1),
        (s.CHARGE_ENERGY, 1),
        (s.DISCHARGE_ENERGY, -1),
    ):
        if name not in table.columns:
            continue
        rise = table.select(
            pl.col(name).diff().alias("d"), ((sign * current) > rest).alias("on")
        ).filter(pl.col("on") & pl.col("d").is_not_null())
        if rise.height < 20:
            continue
        d = rise.get_column("d")
        if float((d == 0).mean() or 0.0) > 0.5:
            positive = d.filter(d > 0)
            if positive.len():
                out[name] = float(positive.median())
    return out


def _energies_from_records(summary: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Replace per-cycle energies by Q × (Σ V|I|dt / Σ |I|dt) of each cycle's half [W·h]."""
    dt = pl.col(s.TIME).diff().fill_null(0.0).clip(lower_bound=0.0)
    w = (pl.col(s.CURRENT).abs() * dt).alias("w")
    rest = steps.rest_threshold(table)
    mean_v = (
        table.select(
            pl.col(s.CYCLE).alias("cycle"),
            pl.when(pl.col(s.CURRENT) > rest)
            .then(1)
            .when(pl.col(s.CURRENT) < -rest)
            .then(-1)
            .otherwise(0)
            .alias("sign"),
            w,
            (pl.col(s.VOLTAGE) * w).alias("vw"),
        )
        .group_by("cycle", "sign")
        .agg((pl.col("vw").sum() / pl.col("w").sum()).alias("v"))
    )
    ch = mean_v.filter(pl.col("sign") == 1).select("cycle", pl.col("v").alias("_vch"))
    dis = mean_v.filter(pl.col("sign") == -1).select("cycle", pl.col("v").alias("_vdis"))
    return (
        summary.join(ch, on="cycle", how="left")
        .join(dis, on="cycle", how="left")
        .with_columns(
            (pl.col("charge_capacity_Ah") * pl.col("_vch").fill_null(0.0)).alias(
                "charge_energy_Wh"
            ),
            (pl.col("discharge_capacity_Ah") * pl.col("_vdis").fill_null(0.0)).alias(
                "discharge_energy_Wh"
            ),
        )
        .drop("_vch", "_vdis")
    )


def _cycle_flags(table: pl.DataFrame) -> list[Flag]:
    """Partial-cycle flags, and CE out of range on complete cycles."""
    flags: list[Flag] = []
    for row in table.iter_rows(named=True):
        if row["partial"]:
            flags.append(
                Flag(
                    f"cycle {row['cycle']}",
                    "partial_cycle",
                    "partial cycle (one half missing or cut short)",
                    "info",
                )
            )
        else:
            flags += check_ce(f"cycle {row['cycle']}", row["coulombic_efficiency"])
            flags += check_ee(f"cycle {row['cycle']}", row["energy_efficiency"])
    return flags


def check_ee(quantity: str, ee: float | None) -> tuple[Flag, ...]:
    """Flag an energy efficiency above :data:`ssblab.flags.CE_RANGE`'s top (None passes)."""
    hi = CE_RANGE[1]
    if ee is None or not np.isfinite(ee) or 0 < ee <= hi:
        return ()
    return (Flag(quantity, "ee_out_of_range", f"energy efficiency {ee:.4g} is outside 0-{hi}"),)


def vendor_cycles(data: Run | pl.DataFrame) -> pl.DataFrame:
    """Per-cycle counters exactly as the cycler numbers and prints them (unchecked).

    ``Cycle Count / 1`` as recorded, CE = Q_discharge / Q_charge and EE =
    E_discharge / E_charge whatever the cell type, as vendor software shows
    them; columns :data:`CYCLE_KEYS`. For comparing a reader with the vendor's
    own export; analyses use :func:`cycle_table`.
    """
    summary = _summary(_table(data))
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
