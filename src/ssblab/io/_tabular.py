"""Column conversions shared by the text readers (LANDT, Novonix, BTSDA, BDF).

Each helper is a Polars expression or a small pure function, so that a reader
reads as: parse the text with an explicit schema, then map vendor columns onto
the canonical ones with these expressions, then :func:`finish`.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io._sniff import sniff_text as sniff_text  # light sniffs import it from there

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
    """Conform the canonical table: canonical dtypes and column order (the last step of
    every text reader). Not validated here: the :class:`~ssblab.schema.Run` the reader
    builds from it validates it, once."""
    return s.conform(table)


def decode_text(path: Path, data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), else cp1252 (Windows exports)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{path}: text is neither UTF-8 nor Windows-1252")


def start_utc(table: pl.DataFrame) -> str:
    """ISO 8601 UTC time of the first record with a ``Unix Time / s`` ('' when none)."""
    if s.UNIX_TIME not in table.columns or table.height == 0:
        return ""
    first = table.get_column(s.UNIX_TIME).drop_nulls().first()
    if first is None:
        return ""
    return pl.Series([round(first * 1000)]).cast(pl.Datetime("ms", "UTC")).dt.to_string()[0]


def checked_lines(
    path: Path, data: bytes, header_lines: int, sep: bytes = b",", at: tuple[int, int] = (0, 0)
) -> tuple[bytes, int, list[str]]:
    """Leave out the data lines whose values would be wrong, and say so.

    *data* is the whole text; its first *header_lines* lines (preamble and column
    header) are kept as they are. A data line is left out when its number of *sep*
    separators differs from the usual one (a stray separator, decimal commas, a cut
    line: its fields would be shifted) or when it is the last line and the file ends
    without a line end and its last field is shorter than on the line before (cut
    mid-line: its last number may be shortened; a complete last line without a line
    end is kept). Empty lines
    are kept (readers skip them). For unquoted numeric exports: quotes are not special.
    *at* is (lines, bytes) before *data* in its file, so the notes name file positions.

    Returns
    -------
    tuple
        The text without those lines (*data* itself when none), how many were left
        out, and one note per reason naming the first line (1-based) and byte offset.

    Raises
    ------
    ReadError
        When most data lines have more fields than the header (every row shifted:
        decimal commas in a file with comma separators), so no table could be right.
    """
    if _uniform(path, data, header_lines, sep):
        return data, 0, []
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], ends + 1))
    ends = np.concatenate((ends, [len(data)]))
    seps = np.flatnonzero(arr == sep[0])
    counts = np.searchsorted(seps, ends) - np.searchsorted(seps, starts)
    lengths = ends - starts
    has_cr = np.zeros(len(ends), dtype=bool)
    has_cr[lengths > 0] = arr[ends[lengths > 0] - 1] == 13
    empty = (lengths - has_cr) <= 0
    body = np.arange(len(ends)) >= header_lines
    data_lines = body & ~empty
    if not data_lines.any():
        return data, 0, []
    widths, freq = np.unique(counts[data_lines], return_counts=True)
    usual = int(widths[np.argmax(freq)])
    header = int(counts[header_lines - 1]) if header_lines else usual
    top = int(np.argmax(data_lines & (counts == usual)))
    _check_header(path, data[starts[top] : ends[top]], usual, header, sep)
    ragged = data_lines & (counts != usual)
    cut = np.zeros(len(ends), dtype=bool)
    if data and not data.endswith(b"\n") and data_lines[-1]:
        cut[-1] = ragged[-1] or _last_field_shortened(data, starts, ends, data_lines, sep)
        ragged[-1] = False
    bad = ragged | cut
    if not bad.any():
        return data, 0, []
    notes = []
    if ragged.any():
        first = int(np.argmax(ragged))
        notes.append(
            f"{int(ragged.sum())} data lines have another number of fields than the usual "
            f"{usual + 1} (first at line {at[0] + first + 1}, byte {at[1] + int(starts[first])}: "
            "a stray separator, decimal commas or a cut line); their values would be "
            "shifted, so they are left out (counted as skipped)"
        )
    if cut.any():
        notes.append(
            f"the file ends mid-line at byte {at[1] + len(data)} (line {at[0] + len(ends)} has "
            "no line end: the file was cut); that line is left out (counted as skipped)"
        )
    keep = np.flatnonzero(~bad)
    text = b"\n".join(data[starts[i] : ends[i]] for i in keep)
    return text if text.endswith(b"\n") else text + b"\n", int(bad.sum()), notes


def _uniform(path: Path, data: bytes, header_lines: int, sep: bytes) -> bool:
    """Fast path of :func:`checked_lines`: True when the file ends with a line end and its
    separators are exactly the first data line's count times the
    number of data lines (then no line can have another count, short of two mistakes that
    cancel out). Bytes are counted in C; no per-line work."""
    pos = start = 0
    for _ in range(header_lines):
        start, pos = pos, data.find(b"\n", pos) + 1
        if pos == 0:
            return False
    first = data[pos : data.find(b"\n", pos)]
    if not data.endswith(b"\n") or not first.rstrip(b"\r"):
        return False
    usual, lines = first.count(sep), data.count(b"\n", pos)
    # an empty line has no separator, so it breaks the equality (then the per-line path)
    if not usual or data.count(sep, pos) != usual * lines:
        return False
    header = data[start:pos].count(sep) if header_lines else usual
    _check_header(path, first, usual, header, sep)
    return True


def _check_header(path: Path, line: bytes, usual: int, header: int, sep: bytes) -> None:
    """Refuse a table whose data lines (such as *line*) have more fields than its header
    (all shifted); one more is fine when it is empty (rows end with a separator)."""
    if usual > header + 1 or (usual == header + 1 and not line.rstrip(b"\r").endswith(sep)):
        raise ReadError(
            f"{path}: data lines have {usual + 1} fields, the header {header + 1} "
            "(decimal commas or a shifted column?); no table can be right"
        )


def read_counted(
    path: Path,
    source: Path | bytes,
    dtypes: dict[str, pl.DataType | type[pl.DataType]],
    **options,
) -> tuple[pl.DataFrame, list[str]]:
    """``pl.read_csv(source, schema_overrides=dtypes, **options)`` that never turns a bad
    value into null unnoticed: when the strict typed read fails, the columns are read as
    text and cast one by one; values that are not empty and do not parse become null and
    are counted in the returned note (with the first data row and column). *path* names
    the file in the one-line refusal when even the text read fails.
    ``decimal_comma=True`` in *options* is honoured by the fallback cast too."""
    try:
        return pl.read_csv(source, schema_overrides=dtypes, **options), []
    except pl.exceptions.ComputeError:
        pass
    try:
        text = pl.read_csv(source, schema_overrides={c: pl.String for c in dtypes}, **options)
    except pl.exceptions.ComputeError as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise ReadError(
            f"{path}: the rows cannot be split into fields (a stray quote?): {first}"
        ) from None
    comma = bool(options.get("decimal_comma"))
    casts, bad = [], []
    for name, dtype in dtypes.items():
        if name not in text.columns or dtype == pl.String:
            continue
        raw = pl.col(name).str.strip_chars()
        if comma and dtype in (pl.Float64, pl.Float32):
            raw = raw.str.replace(",", ".", literal=True)
        casts.append(raw.cast(dtype, strict=False).alias(name))
        failed = pl.col(name).str.strip_chars().ne("") & raw.cast(dtype, strict=False).is_null()
        bad.append(failed.fill_null(False).alias(name))
    flags = text.select(bad) if bad else pl.DataFrame()
    frame = text.with_columns(casts)
    total = int(flags.select(pl.sum_horizontal(pl.all())).to_series().sum()) if bad else 0
    if not total:
        return frame, []
    rows = flags.select(pl.any_horizontal(pl.all())).to_series()
    first = int(rows.arg_true()[0])
    column = next(c for c in flags.columns if flags[c][first])
    note = (
        f"{total} values in {int(rows.sum())} data rows are not numbers (first at data row "
        f"{first + 1}, column {column!r}: {text[column][first]!r}); read as null, rows "
        "missing time, voltage or current left out (counted as skipped)"
    )
    return frame, [note]


def _last_field_shortened(
    data: bytes, starts: np.ndarray, ends: np.ndarray, data_lines: np.ndarray, sep: bytes
) -> bool:
    """Whether the last field of the last data line is shorter than that of the data
    line before it (a file cut inside its last number or word)."""
    rows = np.flatnonzero(data_lines)
    if len(rows) < 2:
        return False
    last, before = (data[starts[i] : ends[i]].rstrip(b"\r") for i in rows[-1:-3:-1])
    return len(last.rsplit(sep, 1)[-1]) < len(before.rsplit(sep, 1)[-1])


def cut_last_line(
    data: bytes, sep: bytes = b",", at: tuple[int, int] = (0, 0)
) -> tuple[bytes, int, list[str]]:
    """For files whose rows differ in width by design (Neware's three-level export): the
    last line is left out when the file ends without a line end and that line has fewer
    fields than the line before or a shorter last field (the file was cut mid-line).
    *at* is (lines, bytes) before *data* in its file. Returns the text, 1 or 0 lines left
    out, and the note."""
    if not data or data.endswith(b"\n"):
        return data, 0, []
    head, _, last = data.rpartition(b"\n")
    before = head.rstrip(b"\r").rpartition(b"\n")[2].rstrip(b"\r")
    last = last.rstrip(b"\r")
    if not head or not last.strip():
        return data, 0, []
    shorter = last.count(sep) < before.count(sep) or (
        last.count(sep) == before.count(sep)
        and len(last.rsplit(sep, 1)[-1]) < len(before.rsplit(sep, 1)[-1])
    )
    if not shorter:
        return data, 0, []
    line = at[0] + head.count(b"\n") + 2
    note = (
        f"the file ends mid-line at byte {at[1] + len(data)} (line {line} has no line end: "
        "the file was cut); that line is left out (counted as skipped)"
    )
    return head + b"\n", 1, [note]
