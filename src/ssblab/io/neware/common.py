"""Shared pieces of the Neware readers: step codes, unit scaling, and the raw→canonical step.

Every Neware decoder (``.nda`` of any version, the ``.ndc`` members of an
``.ndax``) first produces a *raw frame* with these columns, in file order:

=====================  =========================================================
``index``              record number in the file (UInt32, unique after cleaning)
``vendor_cycle``       the instrument's cycle counter, 1-based (absent in BTS 9.0)
``step_index``         program step number (the "Step Index" of BTSDA)
``step_type``          Neware step code (:data:`STEP_TYPES`)
``step_marker``        anything that changes when a new step starts (optional)
``step_time_s``        time since the start of the step [s]
``total_time_s``       time since the start of the test [s] (optional)
``voltage_V``          cell voltage [V]
``current_A``          current [A], positive while charging
``chg_Ah``/``dchg_Ah``  per-step charge / discharge counters [A·h], reset each step
``chg_Wh``/``dchg_Wh``  per-step charge / discharge energy counters [W·h]
``unix_time_s``        clock time [s since 1970] (optional)
``temperature_degC``   first auxiliary temperature channel (optional)
=====================  =========================================================

:func:`to_canonical` then turns it into the ssblab table: test time from 0,
cumulative counters since the start, BTSDA's cycle numbering and step count.
The step count, the test time and the four counters are computed on NumPy
arrays when their columns hold no null (every decoder's output; the Polars
expressions, kept for the other case, cost ~8 ms on 47 k records against
~1 ms): the same operations in the same order (a sequential cumulative sum),
so the same bits.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.io.neware.codes import (
    CHARGE_STEPS,
    CYCLE_MODES,
    DISCHARGE_STEPS,
    STEP_TYPES,
    range_multiplier,
)

__all__ = [
    "CHARGE_STEPS",
    "CYCLE_MODES",
    "DISCHARGE_STEPS",
    "STEP_TYPES",
    "clean_records",
    "count_changes",
    "cycle_from_mode",
    "range_multiplier",
    "step_type_names",
    "to_canonical",
]

#: Step types that apply no current: listed after the active ones.
PASSIVE_STEPS = frozenset({"Rest", "Pause", "OCV"})


def step_type_names(names: pl.Series) -> str:
    """The step types present, comma-separated: active steps in order of first
    appearance, then the passive ones (:data:`PASSIVE_STEPS`).

    *names* holds Neware step codes (mapped through :data:`STEP_TYPES`,
    unknown codes as ``"code <n>"``) or BTSDA's step-type text. This is the
    ``RunMeta.extra["step_types"]`` that experiment recognition reads, whose
    first name is the run's main technique (e.g. ``"CC Chg,CC DChg,Rest"`` for
    a cycling run that starts with a rest).
    """
    seen = names.drop_nulls().unique(maintain_order=True).to_list()
    if names.dtype.is_integer():
        seen = [STEP_TYPES.get(int(c), f"code {c}") for c in seen]
    texts = list(dict.fromkeys(t for t in (str(n).strip() for n in seen) if t))
    order = [t for t in texts if t not in PASSIVE_STEPS] + [t for t in texts if t in PASSIVE_STEPS]
    return ",".join(order)


def count_changes(*cols: str) -> pl.Expr:
    """1, 2, 3... increasing by one at every row where any of *cols* changes value."""
    changed = pl.lit(False)
    for c in cols:
        changed = changed | (pl.col(c).diff().fill_null(0) != 0)
    return (changed.cast(pl.Int64).cum_sum() + 1).cast(pl.Int64)


def _direction() -> pl.Expr:
    """+1 for charge steps, -1 for discharge steps, null otherwise."""
    t = pl.col("step_type")
    return (
        pl.when(t.is_in(list(CHARGE_STEPS)))
        .then(pl.lit(1))
        .when(t.is_in(list(DISCHARGE_STEPS)))
        .then(pl.lit(-1))
        .otherwise(None)
    )


def cycle_from_mode(mode: str) -> pl.Expr:
    """``Cycle Count / 1`` for a BTSDA cycle-statistics *mode*.

    ``"vendor"`` keeps the instrument counter. ``"charge-first"`` starts a new
    cycle at every charge step that follows a discharge step (rests and other
    steps in between do not matter); ``"discharge-first"`` the mirror image.
    """
    if mode == "vendor":
        return pl.col("vendor_cycle").cast(pl.Int64)
    target = 2 if mode == "charge-first" else -2
    return (_direction().forward_fill().diff() == target).fill_null(False).cast(
        pl.Int64
    ).cum_sum() + 1


def _test_time(raw: pl.DataFrame) -> pl.Expr:
    """Test time [s] from the step clocks: each step starts where the last one ended.

    Neware's record time resets at every step (``SIM.nda`` steps last 10.8 s
    while the test runs 1085 s), so the test time is the step time plus the
    durations of all earlier steps, as BTSDA's "Total Time" column is built.
    """
    if "total_time_s" in raw.columns:
        return pl.col("total_time_s") - pl.col("total_time_s").first()
    is_last = pl.col("step_count") != pl.col("step_count").shift(-1).fill_null(-1)
    ended = pl.when(is_last).then(pl.col("step_time_s")).otherwise(0.0)
    elapsed = pl.col("step_time_s") + ended.shift(1).fill_null(0.0).cum_sum()
    return elapsed - elapsed.first()


def _cumulative(col: str) -> pl.Expr:
    """Per-step counter -> counter since the start of the test (sum of earlier steps' ends)."""
    is_last = pl.col("step_count") != pl.col("step_count").shift(-1).fill_null(-1)
    ended = pl.when(is_last).then(pl.col(col)).otherwise(0.0)
    return pl.col(col) + ended.shift(1).fill_null(0.0).cum_sum()


def _is_last(step_count: np.ndarray) -> np.ndarray:
    """True on the last record of each step (and on the last record)."""
    last = np.ones(step_count.size, dtype=bool)
    np.not_equal(step_count[:-1], step_count[1:], out=last[:-1])
    return last


def _cumulative_np(values: np.ndarray, is_last: np.ndarray) -> np.ndarray:
    """:func:`_cumulative` on a float64 array without nulls: *values* plus the sum of
    the earlier steps' final values."""
    before = np.empty_like(values)
    if values.size:
        before[0] = 0.0
        np.copyto(before[1:], np.where(is_last[:-1], values[:-1], 0.0))
        np.cumsum(before, out=before)
    return values + before


def _floats(raw: pl.DataFrame, names: list[str]) -> dict[str, np.ndarray] | None:
    """The columns as float64 NumPy arrays when all are Float64 without nulls, else None."""
    if raw.height == 0 or any(raw.schema[c] != pl.Float64 or raw[c].null_count() for c in names):
        return None
    return {c: raw[c].to_numpy() for c in names}


def _step_count(raw: pl.DataFrame, marker: list[str]) -> pl.Series | pl.Expr:
    """:func:`count_changes` of *marker*: on NumPy when the columns are integers without
    nulls, else as the Polars expression."""
    if raw.height == 0 or any(
        not raw.schema[c].is_integer() or raw[c].null_count() for c in marker
    ):
        return count_changes(*marker)
    changed = np.zeros(raw.height, dtype=bool)
    for name in marker:
        values = raw[name].to_numpy()
        changed[1:] |= values[1:] != values[:-1]
    count = np.cumsum(changed, dtype=np.int64)
    count += 1
    return pl.Series("step_count", count)


COUNTERS = ("chg_Ah", "dchg_Ah", "chg_Wh", "dchg_Wh")


def _time_and_counters(raw: pl.DataFrame) -> list[pl.Expr | pl.Series]:
    """Test time and the four cumulative counters, as NumPy-built series where the
    inputs allow (:func:`_floats`), else as :func:`_test_time` / :func:`_cumulative`."""
    canonical = (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)
    clock = "total_time_s" if "total_time_s" in raw.columns else "step_time_s"
    arrays = _floats(raw, [clock, *COUNTERS])
    if arrays is None:
        return [_test_time(raw).alias(s.TIME)] + [
            _cumulative(c).alias(name) for c, name in zip(COUNTERS, canonical, strict=True)
        ]
    is_last = _is_last(raw["step_count"].to_numpy())
    elapsed = arrays[clock]
    if clock == "step_time_s":  # each step starts where the last one ended
        elapsed = _cumulative_np(elapsed, is_last)
    columns = [pl.Series(s.TIME, elapsed - elapsed[0])]
    for c, name in zip(COUNTERS, canonical, strict=True):
        columns.append(pl.Series(name, _cumulative_np(arrays[c], is_last)))
    return columns


def clean_records(raw: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Sort by record index, drop repeated indices; return the frame and the number dropped."""
    n = raw.height
    index = raw["index"]
    if n and not index.null_count():
        values = index.to_numpy()
        ordered = bool(np.all(values[1:] > values[:-1]))
    else:
        ordered = not n or bool((index.diff().drop_nulls() > 0).all())
    if not ordered:
        raw = raw.unique(subset="index", keep="first", maintain_order=True).sort("index")
    return raw, n - raw.height


def to_canonical(raw: pl.DataFrame, cycle_mode: str) -> pl.DataFrame:
    """Build the canonical ssblab table from a Neware raw frame (see module docstring).

    Parameters
    ----------
    raw : DataFrame
        Decoded records in file order, units already SI (s, V, A, A·h, W·h).
    cycle_mode : {"vendor", "charge-first", "discharge-first"}
        BTSDA's cycle statistics rule for ``Cycle Count / 1``.
    """
    marker = ["step_index", "step_marker"] if "step_marker" in raw.columns else ["step_index"]
    if "vendor_cycle" in raw.columns:
        marker.append("vendor_cycle")
    raw = raw.with_columns(_step_count(raw, marker).alias("step_count"))
    time, *counters = _time_and_counters(raw)
    columns = [
        time,
        pl.col("voltage_V").alias(s.VOLTAGE),
        pl.col("current_A").alias(s.CURRENT),
        cycle_from_mode(cycle_mode).alias(s.CYCLE),
        pl.col("step_count").alias(s.STEP_COUNT),
        pl.col("step_index").cast(pl.Int64).alias(s.STEP_INDEX),
        *counters,
    ]
    if "unix_time_s" in raw.columns:
        columns.append(pl.col("unix_time_s").cast(pl.Float64).alias(s.UNIX_TIME))
    if "temperature_degC" in raw.columns:
        columns.append(pl.col("temperature_degC").cast(pl.Float64).alias(s.TEMPERATURE))
    if "vendor_cycle" in raw.columns and cycle_mode != "vendor":
        columns.append(pl.col("vendor_cycle").cast(pl.Int64).alias(s.VENDOR_CYCLE))
    extra = [c for c in raw.columns if c.startswith("Aux ")]
    table = raw.select(columns + [pl.col(c) for c in extra])
    return s.conform(table)
