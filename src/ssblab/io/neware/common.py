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
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s

#: Neware step-type codes, as BTSDA names them.
STEP_TYPES: dict[int, str] = {
    0: "Undefined",
    1: "CC Chg",
    2: "CC DChg",
    3: "CV Chg",
    4: "Rest",
    5: "Cycle",
    6: "End",
    7: "CCCV Chg",
    8: "CP DChg",
    9: "CP Chg",
    10: "CR DChg",
    11: "CR Chg",
    12: "IR",
    13: "Pause",
    16: "Pulse",
    17: "SIM",
    18: "PCCCV Chg",
    19: "CV DChg",
    20: "CCCV DChg",
    21: "Control",
    22: "OCV",
    25: "Ramp",
    26: "CPCV DChg",
    27: "CPCV Chg",
    28: "CRCV DChg",
    29: "CRCV Chg",
}
CHARGE_STEPS: frozenset[int] = frozenset({1, 3, 7, 9, 11, 18, 27, 29})
DISCHARGE_STEPS: frozenset[int] = frozenset({2, 8, 10, 19, 20, 26, 28})


#: BTSDA "CycleMode" (``NdaxConfig.xml``) -> rule used for ``Cycle Count / 1``.
CYCLE_MODES: dict[int, str] = {
    0: "vendor",
    1: "charge-first",
    2: "discharge-first",
}


def range_multiplier(current_range: np.ndarray) -> np.ndarray:
    """Milliamperes per raw count for integer-coded Neware records.

    Parameters
    ----------
    current_range : ndarray of int
        The record's current-range code: positive values are the range in mA,
        negative values the range in uA; 0 means "use the channel default".

    Returns
    -------
    ndarray of float
        Multiplier [mA per count] for current; capacity and energy counters use
        the same multiplier and are then in mA·s and mW·s.

    Notes
    -----
    Neware stores current as an integer with about four to five significant
    digits of its range; the resolution steps by decades of the range. The
    table below reproduces BTSDA's exported currents on every file with a
    reference export (ranges of 10 uA to 200 A).
    """
    r = np.asarray(current_range, dtype=np.int64)
    if r.size > 1 and bool((r == r[0]).all()):  # one range for the whole test
        return np.full(r.size, range_multiplier(r[:1])[0])
    a = np.abs(r)
    positive = np.select([a < 10, a < 100, a < 1000], [1e-4, 1e-3, 1e-2], 1e-1)
    negative = np.select(
        [a < 10, a < 100, a < 1000, a < 1_000_000, a < 10_000_000, a < 100_000_000],
        [1e-5, 1e-4, 1e-3, 1e-2, 1e-8, 1e-7],
        1e-6,
    )
    out = np.where(r < 0, negative, positive)
    return np.where((r == 0) | (r < -2_000_000_000), 1e-1, out)


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


def clean_records(raw: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Sort by record index, drop repeated indices; return the frame and the number dropped."""
    n = raw.height
    if n and not bool((raw["index"].diff().drop_nulls() > 0).all()):
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
    raw = raw.with_columns(count_changes(*marker).alias("step_count"))
    columns = [
        _test_time(raw).alias(s.TIME),
        pl.col("voltage_V").alias(s.VOLTAGE),
        pl.col("current_A").alias(s.CURRENT),
        cycle_from_mode(cycle_mode).alias(s.CYCLE),
        pl.col("step_count").alias(s.STEP_COUNT),
        pl.col("step_index").cast(pl.Int64).alias(s.STEP_INDEX),
        _cumulative("chg_Ah").alias(s.CHARGE_CAPACITY),
        _cumulative("dchg_Ah").alias(s.DISCHARGE_CAPACITY),
        _cumulative("chg_Wh").alias(s.CHARGE_ENERGY),
        _cumulative("dchg_Wh").alias(s.DISCHARGE_ENERGY),
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
