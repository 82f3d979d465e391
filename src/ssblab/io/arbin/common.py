"""Turn a table with Arbin's column names into the canonical ssblab table.

Every Arbin route (``.res`` database, CSV export, XLSX export) first gets the
raw Arbin columns into a Polars frame under one set of names (those of the
``Channel_Normal_Table``), then calls :func:`arbin_to_canonical`.

Arbin conventions, checked on the real files in ``shared/data/arbin``:

* ``Current`` [A] is positive while charging (``Charge_Capacity`` rises only
  while it is positive; the time at I > 0 per cycle equals ``Charge_Time`` of
  the ``Channel_Statistic_Table``), the ssblab sign: no flip.
* ``Charge_Capacity``/``Discharge_Capacity`` [Ah] and the energies [Wh] are
  reset at the start of each cycle in the ``.res`` files and CSV exports here,
  and at every step in the archive export ``p492-13-raw.csv``;
  :func:`cumulative` makes any of these cumulative over the test.
* ``Test_Time`` [s] counts from the start of the test, so the first logged
  record is often at 300 s; the canonical table restarts it at 0 and the
  offset is kept in ``RunMeta.extra["test_time_offset_s"]``.
* ``Cycle_Index`` starts at 1 (0 in some exports, then shifted by one and the
  vendor number kept in ``Vendor Cycle / 1``).
"""

from __future__ import annotations

import polars as pl

from ssblab import schema as s
from ssblab.io.arbin.resfile import OLE_TO_UNIX_DAYS, SECONDS_PER_DAY

#: Arbin raw column -> canonical column (quantities needing no conversion).
DIRECT = {
    "Voltage": s.VOLTAGE,
    "Current": s.CURRENT,
    "Step_Index": s.STEP_INDEX,
    "Temperature": s.TEMPERATURE,
}
#: Arbin counters reset per cycle by some software versions -> canonical counter.
COUNTERS = {
    "Charge_Capacity": s.CHARGE_CAPACITY,
    "Discharge_Capacity": s.DISCHARGE_CAPACITY,
    "Charge_Energy": s.CHARGE_ENERGY,
    "Discharge_Energy": s.DISCHARGE_ENERGY,
}


def increments(value: pl.Expr, restart: pl.Expr | None = None) -> pl.Expr:
    """Per-record increase of a counter that may be reset to zero.

    Parameters
    ----------
    value : Expr
        The vendor counter [any unit], non-negative, reset from time to time.
    restart : Expr, optional
        Boolean, True on rows where the vendor starts counting again from zero
        (a new step or state). Any fall of the counter also counts as a restart.

    Returns
    -------
    Expr
        The rise since the previous record within a segment, and the whole value
        on the first record of a segment (counted from zero). Rounding noise that
        makes a counter dip is ignored, so increments are never negative.
    """
    v = value.fill_null(strategy="forward").fill_null(0.0).abs()
    prev = v.shift(1)
    fell = v < prev * (1.0 - 1e-9) - 1e-15
    starts = prev.is_null() | fell
    if restart is not None:
        starts = starts | restart.fill_null(False)
    return pl.when(starts).then(v).otherwise((v - prev).clip(lower_bound=0.0))


def cumulative(value: pl.Expr, restart: pl.Expr | None = None) -> pl.Expr:
    """A non-decreasing running total of a resettable counter (see :func:`increments`)."""
    return increments(value, restart).cum_sum()


def ole_to_unix(days: pl.Expr) -> pl.Expr:
    """OLE automation date [days since 1899-12-30, clock time] -> Unix time [s]."""
    return (days - OLE_TO_UNIX_DAYS) * SECONDS_PER_DAY


def step_count(step: pl.Expr, cycle: pl.Expr) -> pl.Expr:
    """1, 2, 3... increasing every time the step or the cycle number changes."""
    changed = (step != step.shift(1)) | (cycle != cycle.shift(1))
    return changed.fill_null(True).cast(pl.Int64).cum_sum()


def _fill_indices(raw: pl.DataFrame) -> pl.DataFrame:
    """Fill gaps in ``Cycle_Index``/``Step_Index`` from neighbours; drop all-empty ones.

    Some exports leave the indices blank on the records logged before the
    schedule's first step; those belong to the first cycle and step.
    """
    for name in ("Cycle_Index", "Step_Index"):
        if name not in raw.columns:
            continue
        if raw[name].null_count() == raw.height:
            raw = raw.drop(name)
        elif raw[name].null_count():
            raw = raw.with_columns(
                pl.col(name).fill_null(strategy="forward").fill_null(strategy="backward")
            )
    return raw


def arbin_to_canonical(raw: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str], str]:
    """Canonical table from a frame with Arbin ``Channel_Normal_Table`` names.

    Parameters
    ----------
    raw : DataFrame
        Columns ``Test_Time`` [s], ``Voltage`` [V], ``Current`` [A] and any of
        ``Cycle_Index``, ``Step_Index``, the four counters [Ah, Wh],
        ``Unix_Time`` [s UTC], ``Temperature`` [degC] and auxiliary channels
        already named ``Aux <k> <Quantity> / <unit>`` (kept as they are), in
        record order.

    Returns
    -------
    table : DataFrame
        The canonical table (conformed dtypes and column order).
    extra : dict
        ``test_time_offset_s`` (the first ``Test_Time``) for ``RunMeta.extra``, and
        ``temperature_source`` when an auxiliary temperature fills
        ``Ambient Temperature / degC``.
    cycle_numbering : str
        The rule behind ``Cycle Count / 1``.
    """
    offset = float(raw["Test_Time"][0]) if raw.height else 0.0
    raw = _fill_indices(raw)
    exprs = [(pl.col("Test_Time").cast(pl.Float64) - offset).alias(s.TIME)]
    exprs += [pl.col(a).cast(pl.Float64).alias(c) for a, c in DIRECT.items() if a in raw.columns]
    exprs += [
        cumulative(pl.col(a).cast(pl.Float64)).alias(c)
        for a, c in COUNTERS.items()
        if a in raw.columns
    ]
    if "Unix_Time" in raw.columns:
        exprs.append(pl.col("Unix_Time").cast(pl.Float64).alias(s.UNIX_TIME))
    exprs += [pl.col(c).cast(pl.Float64) for c in raw.columns if c.startswith("Aux ")]
    numbering = "none in file (one cycle)"
    if "Cycle_Index" in raw.columns:
        vendor = pl.col("Cycle_Index").cast(pl.Int64)
        first = raw["Cycle_Index"].min()
        shift = max(1 - int(first), 0) if first is not None else 0
        exprs.append((vendor + shift).alias(s.CYCLE))
        numbering = "Arbin Cycle_Index" + (f" + {shift}" if shift else "")
        if shift:
            exprs.append(vendor.alias(s.VENDOR_CYCLE))
        if "Step_Index" in raw.columns:
            exprs.append(step_count(pl.col("Step_Index"), vendor).alias(s.STEP_COUNT))
    table = s.conform(raw.select(exprs))
    if s.STEP_INDEX in table.columns:
        table = table.with_columns(pl.col(s.STEP_INDEX).cast(pl.Int64))
    extra = {"test_time_offset_s": repr(offset)}
    if s.TEMPERATURE in table.columns:
        extra["temperature_source"] = "Arbin auxiliary thermocouple (placement not recorded)"
    return table, extra, numbering
