"""Cycle rules: renumber a run's cycles (vendor checked, half-cycles, in/out pairs).

See :mod:`ssblab.analysis.cycles` for the rules; this module holds the
machinery: half-cycles after absorbing blips (:func:`merged_halves`), the
vendor-counter checks, and :func:`number_cycles`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import conventions as conv
from ssblab.analysis import steps
from ssblab.analysis.memo import per_run
from ssblab.errors import AnalysisError
from ssblab.flags import Flag
from ssblab.schema import Run

RULES = ("vendor", "half_cycles", "pairs", "charge_first", "discharge_first")
#: Default thresholds below which a half-cycle is absorbed into its neighbour.
MIN_CAPACITY_FRACTION = 0.05
MIN_DURATION_S = 10.0
#: A shorter half-cycle still counts when it lasts this share of its shorter neighbour...
MIN_NEIGHBOUR_FRACTION = 0.05
#: ... and at least this long [s].
MIN_SHORT_HALF_S = 1.0
#: A half-cycle under this fraction of the median cycle's larger half is missing (partial).
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


def _table(data: Run | pl.DataFrame) -> pl.DataFrame:
    return steps.as_table(data)


def resolve_cell_type(data: Run | pl.DataFrame, cell_type: str | None = None) -> str:
    """*cell_type*, else ``RunMeta.cell_type``, else recognised from the voltages."""
    return cell_type_and_why(data, cell_type)[0]


def cell_type_and_why(data: Run | pl.DataFrame, cell_type: str | None = None) -> tuple[str, str]:
    """:func:`resolve_cell_type` and one sentence saying where the cell type came from."""
    if cell_type:
        conv.orientation(cell_type)  # validates
        return cell_type, f"cell type {cell_type} (given)"
    if isinstance(data, Run) and data.meta.cell_type:
        conv.orientation(data.meta.cell_type)
        return data.meta.cell_type, f"cell type {data.meta.cell_type} (metadata)"
    from ssblab.analysis.recognize import cell_type_from_data

    found, why = cell_type_from_data(_table(data))
    return found, f"cell type {found} from the data: {why}"


def half_cycles_of(table: pl.DataFrame) -> tuple[np.ndarray, pl.DataFrame]:
    """Half-cycle id of every record (0: rest before any current) and one row per half.

    The same half-cycles as :func:`ssblab.analysis.steps.half_cycles` (rests
    belong to the half they follow), computed with NumPy on the record arrays.
    Rows: ``half_cycle``, ``state``, ``duration_s``, ``capacity_Ah`` and the
    vendor ``cycle`` of its first record (when the table has one).
    """
    i = table.get_column(s.CURRENT).to_numpy()
    t = table.get_column(s.TIME).to_numpy()
    rest = steps.rest_threshold(table)
    state = (i > rest).astype(np.int8) - (i < -rest).astype(np.int8)
    last_on = np.where(state != 0, np.arange(state.size), -1)
    last_on = np.maximum.accumulate(last_on)
    direction = np.where(last_on >= 0, state[np.maximum(last_on, 0)], 0).astype(np.int8)
    change = np.r_[direction[0] != 0, direction[1:] != direction[:-1]]
    half = np.cumsum(change)
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:] - 1, state.size - 1].astype(np.int64)
    counted = steps.integrated_counters(table)
    thr = (
        counted.get_column(s.CHARGE_CAPACITY).to_numpy()
        + counted.get_column(s.DISCHARGE_CAPACITY).to_numpy()
    )
    before = np.r_[thr[:1], thr[:-1]]
    columns = {
        steps.HALF_CYCLE: half[starts].astype(np.int64),
        "state": direction[starts],
        "duration_s": t[ends] - t[starts],
        "capacity_Ah": thr[ends] - before[starts],
    }
    if s.CYCLE in table.columns:
        columns["cycle"] = table.get_column(s.CYCLE).to_numpy()[starts]
    return half, pl.DataFrame(columns)


def merged_halves(
    halves: pl.DataFrame,
    min_capacity_fraction: float = MIN_CAPACITY_FRACTION,
    min_duration_s: float = MIN_DURATION_S,
) -> pl.DataFrame:
    """*halves* (of :func:`half_cycles_of`) after absorbing blips into their neighbour.

    Adds ``substantial`` (at least *min_capacity_fraction* of the median half
    and *min_duration_s* long; the first and last half always count),
    ``merged`` (from 1: consecutive substantial halves of one sign merge) and
    ``merged_state`` (the sign of each merged half).
    """
    if halves.height == 0:
        raise AnalysisError("the table has no charge or discharge (current is zero throughout)")
    cap = halves.get_column("capacity_Ah").to_numpy()
    dur = halves.get_column("duration_s").to_numpy()
    state = halves.get_column("state").to_numpy()
    enough = (cap > 0) & (cap >= min_capacity_fraction * float(np.median(cap)))
    big = enough & _long_enough(dur, min_duration_s)
    big[[0, -1]] |= cap[[0, -1]] > 0  # a first or last half is partial, not a blip
    merged = np.zeros(len(cap), dtype=np.int64)
    group_state: dict[int, int] = {}
    current, last_state = 0, 0
    for k in range(len(cap)):  # a loop over half-cycles (thousands at most), not records
        if big[k] and state[k] != last_state:
            current += 1
            last_state = state[k]
            group_state[current] = int(state[k])
        merged[k] = max(current, 1)
    lead = group_state.get(1, int(state[0]))
    mstate = np.array([group_state.get(int(m), lead) for m in merged], dtype=np.int8)
    return halves.with_columns(
        pl.Series("merged", merged),
        pl.Series("substantial", big),
        pl.Series("merged_state", mstate),
    )


def _long_enough(dur: np.ndarray, min_duration_s: float) -> np.ndarray:
    """Which half-cycles are not blips by duration [s].

    At least *min_duration_s*, or at least :data:`MIN_NEIGHBOUR_FRACTION` of the
    shorter neighbour (and :data:`MIN_SHORT_HALF_S`): a cell whose cycles shrink to
    a 40 s charge and a 4 s discharge (Neware ``nw4-120-1-6-53.ndax``, 150 vendor
    cycles, each a CC-CV charge and a CC discharge) keeps its discharges, while a
    1 s blip inside half-hour halves is still absorbed. A bound above the default
    :data:`MIN_DURATION_S` (``--min-half-s``) is taken as absolute.
    """
    if dur.size < 2 or min_duration_s > MIN_DURATION_S:
        return dur >= min_duration_s
    prev = np.r_[np.inf, dur[:-1]]
    nxt = np.r_[dur[1:], np.inf]
    relative = MIN_NEIGHBOUR_FRACTION * np.minimum(prev, nxt)
    return (dur >= min_duration_s) | ((dur >= MIN_SHORT_HALF_S) & (dur >= relative))


def _vendor_problem(halves: pl.DataFrame, table: pl.DataFrame) -> str:
    """Why the vendor counter cannot be right ('' when it can).

    A counter with gaps (null where the file's cycle number was unreadable) is
    not used. A partial leading half-cycle (a cell that came in charged, which
    BTSDA folds into cycle 1) does not count as lumping.
    """
    if "cycle" not in halves.columns:
        return ""
    gaps = table.get_column(s.CYCLE).null_count()
    if gaps:
        return f"the vendor cycle counter is missing at {gaps} record{'s' * (gaps > 1)}"
    big = halves.filter(pl.col("substantial")).unique("merged", keep="first", maintain_order=True)
    if big.height < 3:
        return ""
    n_total = big.height
    n_vendor = big.get_column("cycle").n_unique()
    lead = big.row(0, named=True)
    same = big.filter(pl.col("merged_state") == lead["merged_state"]).get_column("capacity_Ah")
    if same.len() >= 2 and lead["capacity_Ah"] < PARTIAL_SHARE * float(same.slice(1).median()):
        big = big.slice(1)
    per = big.group_by("cycle").agg(
        (pl.col("merged_state") > 0).sum().alias("n_ch"),
        (pl.col("merged_state") < 0).sum().alias("n_dis"),
    )
    lumped = per.filter((pl.col("n_ch") > 1) | (pl.col("n_dis") > 1))
    if lumped.height:
        worst = lumped.with_columns((pl.col("n_ch") + pl.col("n_dis")).alias("n")).sort(
            ["n", "cycle"], descending=[True, False]
        )[0]  # the most half-cycles, the first such cycle on a tie (group_by has no order)
        return (
            f"the vendor cycle counter lumps cycles (vendor cycle {worst['cycle'][0]} holds "
            f"{worst['n'][0]} of the run's {n_total} half-cycles, {n_vendor} vendor cycles "
            "in all)"
        )
    both = per.filter((pl.col("n_ch") > 0) & (pl.col("n_dis") > 0))
    if per.height >= 4 and both.height == 0:
        return (
            "the vendor cycle counter counts half-cycles (no cycle holds a charge and a discharge)"
        )
    return ""


@per_run
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
    ctype, ctype_why = cell_type_and_why(data, cell_type)
    steps.check_finite(table, (s.TIME, s.CURRENT))
    half_of_record, raw_halves = half_cycles_of(table)
    raw_halves = raw_halves.filter(pl.col(steps.HALF_CYCLE) > 0)
    if raw_halves.height == 0:
        note = "no current above the rest threshold: no half-cycles, vendor numbering kept"
        return Numbering(table, "vendor", ctype, (note,), ())
    halves = merged_halves(raw_halves, min_capacity_fraction, min_duration_s)
    if not halves.get_column("substantial").any():
        note = "no half-cycle passes the duration/charge thresholds: vendor numbering kept"
        return Numbering(table, "vendor", ctype, (note,), ())
    notes: list[str] = [ctype_why]
    flags: list[Flag] = []
    used = rule
    if rule == "vendor":
        if s.CYCLE not in table.columns:
            used = "pairs"
            notes.append("the file has no cycle counter: cycles numbered as in/out pairs")
        else:
            problem = _vendor_problem(halves, table)
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
    lookup = np.ones(int(half_of_record.max()) + 1, dtype=np.int64)
    lookup[mapping.get_column(steps.HALF_CYCLE).to_numpy()] = mapping.get_column("_cycle")
    out = table.with_columns(pl.Series("_cycle", lookup[half_of_record]))
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


def _folded_lead(halves: pl.DataFrame) -> int | None:
    """Vendor cycle into which a partial first half-cycle was folded (BTSDA's cycle 1).

    A lead under :data:`MISSING_FRACTION` of the median half-cycle is no half-cycle at all
    (Arbin GITT file 01: one record of 1e-11 A h before its 3.82 mAh charge): nothing is
    folded, and the vendor's cycle 1 keeps its two whole halves.
    """
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
    if lead["capacity_Ah"] <= MISSING_FRACTION * float(rest.get_column("capacity_Ah").median()):
        return None
    in_cycle = rest.filter(pl.col("cycle") == lead["cycle"]).get_column("merged_state")
    return lead["cycle"] if (in_cycle == lead["merged_state"]).any() else None
