"""Column conversions shared by the text readers (LANDT, Novonix, BTSDA, BDF).

Each helper is a Polars expression or a small pure function, so that a reader
reads as: parse the text with an explicit schema, then map vendor columns onto
the canonical ones with these expressions, then :func:`finish`.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError

#: Environment variable naming the IANA timezone of instrument clocks whose
#: files carry local timestamps without a zone (LANDT, Novonix, BTSDA).
TIMEZONE_ENV = "SSBLAB_INSTRUMENT_TZ"

#: Within one step, a counter that falls below this fraction of its previous
#: value is taken as reset by the instrument (smaller drops are noise).
RESET_FRACTION = 0.5


def instrument_timezone(path: Path) -> str:
    """IANA name of the clock that wrote *path*: ``$SSBLAB_INSTRUMENT_TZ`` or ``"UTC"``.

    Raises
    ------
    ReadError
        When the variable names a zone unknown to the system tz database.
    """
    name = os.environ.get(TIMEZONE_ENV, "").strip() or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ReadError(f"{path}: {TIMEZONE_ENV}={name!r} is not a known IANA timezone") from None
    return name


def timezone_note(tz: str) -> str:
    """The sentence every text reader adds about how ``Unix Time / s`` was made."""
    if tz == "UTC":
        return (
            "file timestamps carry no timezone; read as UTC "
            f"(set {TIMEZONE_ENV} to the instrument's zone to convert)"
        )
    return f"file timestamps read as local time in {tz} ({TIMEZONE_ENV}) and converted to UTC"


def unix_seconds(text: pl.Expr, fmt: str, tz: str) -> pl.Expr:
    """Parse local timestamps in *text* with *fmt* and return seconds since 1970 UTC.

    Ambiguous times at a DST change resolve to the earlier instant; unparsable
    text gives null (never an error), so the caller can count it.
    """
    local = text.str.strip_chars().str.strptime(pl.Datetime("ms"), fmt, strict=False)
    aware = local.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    return aware.dt.epoch("ms").cast(pl.Float64) / 1000.0


def hms_seconds(text: pl.Expr) -> pl.Expr:
    """Duration text ``[D-]H:MM:SS[.fff]`` (hours may exceed 24) in seconds."""
    clock = text.str.strip_chars().str.split_exact(":", 2)
    day_hour = clock.struct.field("field_0").str.split_exact("-", 1)
    first = day_hour.struct.field("field_0").cast(pl.Float64, strict=False)
    after_dash = day_hour.struct.field("field_1").cast(pl.Float64, strict=False)
    hours = pl.when(after_dash.is_null()).then(first).otherwise(first * 24.0 + after_dash)
    minutes = clock.struct.field("field_1").cast(pl.Float64, strict=False)
    seconds = clock.struct.field("field_2").cast(pl.Float64, strict=False)
    return hours * 3600.0 + minutes * 60.0 + seconds


def step_changed(*keys: str) -> pl.Expr:
    """True on the first record of every new step (any of *keys* changes)."""
    changed = pl.lit(False)
    for key in keys:
        changed = changed | (pl.col(key) != pl.col(key).shift(1)).fill_null(False)
    return changed


def step_count(*keys: str) -> pl.Expr:
    """Running step number from 1: increments whenever any of *keys* changes."""
    return (step_changed(*keys).cast(pl.Int64).cum_sum() + 1).alias(s.STEP_COUNT)


def cumulative(counter: pl.Expr, new_step: pl.Expr | None = None) -> pl.Expr:
    """Turn a vendor counter that resets (per step or per half-cycle) into a cumulative one.

    A reset is a fall of the counter at a step change (*new_step*), or a fall to
    below :data:`RESET_FRACTION` of the previous value anywhere. At each reset
    the previous value is carried into an offset, so within a step the result is
    the vendor value plus a constant (exact, no re-summing), and a counter that
    never resets comes back unchanged. A final running maximum removes noise
    dips, so the result never decreases.
    """
    prev = counter.shift(1)
    fell = counter < prev
    big_fall = counter < prev * RESET_FRACTION
    reset = (fell & new_step) | big_fall if new_step is not None else big_fall
    offset = pl.when(reset.fill_null(False)).then(prev).otherwise(0.0).cum_sum()
    return (counter.fill_null(0.0) + offset).cum_max()


def directional(counter: pl.Expr, mask: pl.Expr) -> pl.Expr:
    """*counter* where *mask* holds, 0 elsewhere (split one counter by direction)."""
    return pl.when(mask).then(counter).otherwise(0.0)


def tidy(
    table: pl.DataFrame, skipped: int, what: str = "time, voltage or current"
) -> tuple[pl.DataFrame, list[str]]:
    """The common last steps of a text reader: time from 0, cycles from 1, and notes on each.

    Returns the table and the notes (time shift, *skipped* undecodable records, cycle
    renumbering, clock gaps).
    """
    notes: list[str] = []
    table, shift = zero_based_time(table)
    if shift:
        notes.append(f"test time shifted by {-shift:g} s so the first record is at 0")
    if skipped:
        notes.append(f"{skipped} records with undecodable {what} left out")
    table, renumbered = cycles_from_one(table)
    return table, notes + renumbered + clock_gaps(table)


def zero_based_time(table: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Shift ``Test Time / s`` so the first record is at 0; returns the shift [s]."""
    first = table.get_column(s.TIME).first() if table.height else 0.0
    first = float(first or 0.0)
    if first == 0.0:
        return table, 0.0
    return table.with_columns(pl.col(s.TIME) - first), first


def drop_undecodable(table: pl.DataFrame, required: tuple[str, ...]) -> tuple[pl.DataFrame, int]:
    """Drop rows with a null in any *required* column; return the table and how many."""
    ok = pl.all_horizontal([pl.col(c).is_not_null() for c in required])
    kept = table.filter(ok)
    return kept, table.height - kept.height


def cycles_from_one(table: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Renumber cycles that start at 0 so ``Cycle Count / 1`` starts at 1.

    The vendor number is kept in ``Vendor Cycle / 1``; returns the note to add.
    """
    if s.CYCLE not in table.columns or table.height == 0:
        return table, []
    first = table.get_column(s.CYCLE).min()
    if first is None or first >= 1:
        return table, []
    renumbered = table.with_columns(
        pl.col(s.CYCLE).alias(s.VENDOR_CYCLE), (pl.col(s.CYCLE) - first + 1).alias(s.CYCLE)
    )
    return renumbered, [f"vendor cycles start at {first}; Cycle Count = vendor - {first} + 1"]


def clock_gaps(table: pl.DataFrame) -> list[str]:
    """A note when some wall-clock stamps could not be parsed (Unix time null there)."""
    if s.UNIX_TIME not in table.columns:
        return []
    missing = table.get_column(s.UNIX_TIME).null_count()
    if missing == 0:
        return []
    return [f"{missing} records have an unreadable wall-clock time; Unix Time is null there"]


def finish(table: pl.DataFrame) -> pl.DataFrame:
    """Conform and validate the canonical table (the last step of every reader)."""
    return s.validate(s.conform(table))


def decode_text(path: Path, data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), else cp1252 (Windows exports)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{path}: text is neither UTF-8 nor Windows-1252")


def sniff_text(head: bytes) -> str:
    """The first bytes of a file as text for sniffing ('' for binary content)."""
    if b"\x00" in head:
        return ""
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the head is fine
        if exc.start >= len(head) - 4:
            return head[: exc.start].decode("utf-8", errors="replace")
        return head.decode("cp1252", errors="replace")


def start_utc(table: pl.DataFrame) -> str:
    """ISO 8601 UTC time of the first record with a ``Unix Time / s`` ('' when none)."""
    if s.UNIX_TIME not in table.columns or table.height == 0:
        return ""
    first = table.get_column(s.UNIX_TIME).drop_nulls().first()
    if first is None:
        return ""
    return pl.Series([round(first * 1000)]).cast(pl.Datetime("ms", "UTC")).dt.to_string()[0]
