"""The records of a Maccor text export: typed columns, test and Unix time, canonical table.

The second step of :mod:`ssblab.io.maccor.text`, after :mod:`.header` has found
the table and named its columns: load the tab-separated records as typed
columns (:func:`load_table`), put the test time in seconds (:func:`typed`,
:func:`macnet_time_factor`), and build the canonical table (:func:`canonical`):
current signed by ``State``, per-step counters made cumulative, cycles from 1,
``Unix Time / s`` from the ``DPt Time`` stamps (:func:`unix_time`,
:func:`date_notes`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import _tabular as t
from ssblab.io.arbin.common import increments, step_count
from ssblab.io.maccor.header import DATE, STATE, TIME_COLUMNS

#: MIMS columns read as numbers (the rest as text), by the MIMS name.
NUMERIC = {"Cyc#": pl.Int64, "Step": pl.Int64, "Amp-hr": pl.Float64, "Watt-hr": pl.Float64}
NUMERIC |= {"Amps": pl.Float64, "Volts": pl.Float64}
#: Formats of the ``DPt Time`` stamps, recognised from the first record.
DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y %H:%M:%S")


def load_table(
    path: Path, skip: int, columns: list[str], decimal_comma: bool, names: dict[str, str]
) -> tuple[pl.DataFrame, int, list[str]]:
    """The wanted columns of the tab-separated table as typed Polars columns, how many
    lines were left out (another field count, cut last line) and the notes saying why.

    *names* maps a file column to its MIMS name (MacNet exports), for the types.
    """
    schema = {c: NUMERIC.get(names.get(c, c), pl.String) for c in columns}
    data, cut, notes = t.checked_lines(path, path.read_bytes(), skip + 1, b"\t")
    frame, value_notes = t.read_counted(
        path,
        data,
        schema,
        separator="\t",
        skip_rows=skip,
        has_header=True,
        columns=columns,
        quote_char=None,
        decimal_comma=decimal_comma,
        encoding="utf8-lossy",
    )
    return frame, cut, notes + value_notes


def macnet_time_factor(path: Path, frame: pl.DataFrame) -> tuple[float, str]:
    """Seconds per ``TestTime`` unit of a MacNet export, from the ``DPT Time`` clock."""
    both = frame.select(
        pl.col(DATE).str.strip_chars().str.to_datetime(DATE_FORMATS[0], strict=False),
        pl.col("TestTime").str.replace(",", ".").cast(pl.Float64, strict=False),
    ).drop_nulls()
    if both.height < 2:
        return 1.0, "s (too few records to check against the clock)"
    span_clock = (both[DATE].max() - both[DATE].min()).total_seconds()
    span_test = float(both["TestTime"].max() - both["TestTime"].min())
    for factor, unit in ((1.0, "s"), (60.0, "min"), (3600.0, "h")):
        if span_test > 0 and abs(span_test * factor - span_clock) <= 0.01 * span_clock + 2.0:
            return factor, unit
    raise ReadError(
        f"{path}: MacNet TestTime has no unit and matches no unit of the DPT Time clock"
    )


def in_units(
    path: Path, raw: pl.DataFrame, time_col: str, factors: dict[str, float], macnet: bool
) -> tuple[pl.DataFrame, str]:
    """*raw* with the test time [s] as the time column, a clean ``State`` and each column
    of *factors* (MIMS name -> factor) in A, Ah, Wh or V; and the note on the units
    (``""`` for a MIMS export in A, Ah and Wh)."""
    if macnet:
        seconds, unit = macnet_time_factor(path, raw)
        test_time = pl.col("TestTime").str.strip_chars().str.replace(",", ".")
        raw = raw.with_columns(
            (test_time.cast(pl.Float64, strict=False) * seconds).alias(s.TIME),
            pl.col(STATE).str.strip_chars(),
            *[(pl.col(c) * f).alias(c) for c, f in factors.items() if f != 1.0],
        )
        return raw, (
            f"MacNet export: units from the column headers; TestTime in {unit} "
            "(matched to the DPT Time clock, the header gives none)"
        )
    raw = typed(raw, time_col).with_columns(
        (pl.col(c) * f).alias(c) for c, f in factors.items() if c in raw.columns
    )
    return raw, ""


def time_seconds(name: str) -> pl.Expr:
    """Test time [s] from whichever time column the export has."""
    factor = TIME_COLUMNS[name]
    col = pl.col(name)
    if factor is not None:
        number = col.str.strip_chars().str.replace(",", ".", literal=True)
        return number.cast(pl.Float64, strict=False) * factor
    # "  2d 02:52:51.57": days, then a clock time (seconds may have one digit);
    # without a "d", the whole text is the clock time
    parts = col.str.split_exact("d", 1)
    has_days = parts.struct.field("field_1").is_not_null()
    days = parts.struct.field("field_0").str.strip_chars().cast(pl.Float64, strict=False)
    clock_text = pl.when(has_days).then(parts.struct.field("field_1")).otherwise(col)
    clock = clock_text.str.strip_chars().str.to_time("%H:%M:%S%.f", strict=False)
    return pl.when(has_days).then(days).otherwise(0.0) * 86400.0 + clock.cast(pl.Int64) / 1e9


def date_format(sample: str | None) -> str | None:
    """The :data:`DATE_FORMATS` entry that parses *sample*, or None."""
    for fmt in DATE_FORMATS:
        try:
            dt.datetime.strptime((sample or "").strip(), fmt.replace("%.f", ""))
        except ValueError:
            continue
        return fmt
    return None


def unix_time(frame: pl.DataFrame, start: dt.datetime | None) -> pl.Expr | pl.Series | None:
    """Unix time [s] from ``DPt Time`` (full date) or header date + test time.

    The date format is recognised once, from the first record; records whose
    stamp does not parse get a null. A full date gives the values (a Series of
    *frame*'s rows), a clock time alone an expression of the test time.
    """
    if DATE not in frame.columns:
        return None
    fmt = date_format(frame[DATE].drop_nulls().first())
    if fmt is not None:
        return stamp_seconds(frame[DATE].str.strip_chars(), fmt)
    if start is None:
        return None
    text = pl.col(DATE).str.strip_chars()
    # time-only stamps: the header's test date plus the clock time of the first record
    clock = text.first().str.to_time("%H:%M:%S", strict=False).cast(pl.Int64) / 1e9
    day0 = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp()
    return day0 + clock + pl.col(s.TIME)


def stamp_seconds(text: pl.Series, fmt: str) -> pl.Series:
    """Unix time [s] of date-and-time stamps *text* in format *fmt* (null where none reads).

    The record at midnight is stamped with the date alone ('10/22/2019', real .052
    file): only the stamps the full format misses are parsed again by the date."""
    stamp = text.str.to_datetime(fmt, strict=False, cache=False)  # stamps are mostly unique
    missed = stamp.is_null() & text.is_not_null()
    if missed.any():
        midnight = text.filter(missed).str.to_datetime(fmt.split(" ")[0], strict=False, cache=False)
        stamp = stamp.scatter(missed.arg_true(), midnight.cast(stamp.dtype))
    return stamp.dt.epoch("us").cast(pl.Float64) / 1e6


def date_notes(frame: pl.DataFrame, table: pl.DataFrame) -> list[str]:
    """The note counting the ``DPt Time`` stamps that do not read as a date (those that
    read but lie outside 1970-2100 are nulled and counted by the registry)."""
    notes = []
    if DATE in frame.columns and s.UNIX_TIME in table.columns:
        stated = frame.get_column(DATE).str.strip_chars().fill_null("") != ""
        unread = int((stated & table.get_column(s.UNIX_TIME).is_null()).sum())
        if unread:
            notes.append(f"{unread} DPt Time stamps do not read as a date: Unix Time null there")
    return notes


def typed(raw: pl.DataFrame, time_col: str) -> pl.DataFrame:
    """Add the test time [s] and a clean ``State``; done once, before validation."""
    return raw.with_columns(time_seconds(time_col).alias(s.TIME), pl.col(STATE).str.strip_chars())


def canonical(frame: pl.DataFrame, start: dt.datetime | None) -> pl.DataFrame:
    """Canonical table from the typed Maccor columns (rows already validated)."""
    state, amps, cyc = pl.col(STATE), pl.col("Amps"), pl.col("Cyc#")
    new_state = state != state.shift(1)
    counters = [c for c in ("Amp-hr", "Watt-hr") if c in frame.columns]
    stage = frame.with_columns(
        pl.col(s.TIME) - pl.col(s.TIME).first(),
        pl.when(state == "C").then(amps.abs()).when(state == "D").then(-amps.abs()).otherwise(amps),
        *[increments(pl.col(c), restart=new_state).alias(c) for c in counters],
    )
    targets = {
        "Amp-hr": (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY),
        "Watt-hr": (s.CHARGE_ENERGY, s.DISCHARGE_ENERGY),
    }
    exprs = [
        pl.col(s.TIME),
        pl.col("Volts").alias(s.VOLTAGE),
        amps.alias(s.CURRENT),
        (cyc + shift_of(frame)).alias(s.CYCLE),
        pl.col("Step").alias(s.STEP_INDEX),
        step_count(pl.col("Step"), cyc).alias(s.STEP_COUNT),
        cyc.alias(s.VENDOR_CYCLE),
    ]
    for counter in counters:
        charge, discharge = targets[counter]
        exprs.append(
            pl.when(state == "C").then(pl.col(counter)).otherwise(0.0).cum_sum().alias(charge)
        )
        exprs.append(
            pl.when(state == "D").then(pl.col(counter)).otherwise(0.0).cum_sum().alias(discharge)
        )
    unix = unix_time(frame, start)
    if unix is not None:
        exprs.append(unix.alias(s.UNIX_TIME))
    return s.conform(stage.select(exprs))


def shift_of(frame: pl.DataFrame) -> int:
    """Offset added to ``Cyc#`` so that cycles start at 1."""
    first = frame["Cyc#"].min()
    return max(1 - int(first), 0) if first is not None else 0
