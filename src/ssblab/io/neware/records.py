"""Low-level helpers for Neware binary records: NumPy views, clocks and unit scaling.

Nothing here knows a file layout; the layout modules describe records as
NumPy structured dtypes and use these helpers to turn a byte buffer into
columns without a per-record Python loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import ReadError
from ssblab.io.neware.sniff import MAGIC as MAGIC  # first bytes of every .nda

if TYPE_CHECKING:
    import polars as pl

DATA_ID = 0x55  # record kind: main channel data
#: record kinds that are known not to be samples
OTHER_KINDS = {0xAA: "step summary", 0xFF: "header", 0x00: "empty"}


def record_view(buf: bytes | memoryview, start: int, length: int, dtype: np.dtype) -> np.ndarray:
    """Whole records of *dtype* in ``buf[start:start+length]`` (a trailing partial record is left).

    Parameters
    ----------
    buf : bytes
        The file content.
    start, length : int
        Byte offset and size of the record area; ``length <= 0`` means "to the end".
    dtype : numpy.dtype
        Structured record type (its ``itemsize`` is the record length).
    """
    end = len(buf) if length <= 0 else min(len(buf), start + length)
    n = max(0, (end - start) // dtype.itemsize)
    return np.frombuffer(buf, dtype=dtype, count=n, offset=start)


def civil_to_unix(
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    hour: np.ndarray,
    minute: np.ndarray,
    second: np.ndarray,
) -> np.ndarray:
    """Seconds since 1970-01-01 for calendar fields read as UTC (vectorised, no datetime objects).

    Uses the proleptic Gregorian day count (H. Hinnant, "chrono-compatible
    low-level date algorithms", days_from_civil). Records come in time order,
    so the day count is computed once per run of equal dates and repeated.
    Impossible dates give NaN.
    """
    keys = (year.astype(np.int64) * 13 + month) * 32 + day
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    lengths = np.diff(np.r_[starts, keys.size])
    days = np.repeat(_days_from_civil(year[starts], month[starts], day[starts]), lengths)
    clock = hour.astype(np.int64) * 3600 + minute.astype(np.int64) * 60 + second
    return days + clock


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of each (year, month, day); NaN where the date is impossible."""
    y = year.astype(np.int64) - (month <= 2)
    m = month.astype(np.int64)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + day.astype(np.int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = (era * 146097 + doe - 719468).astype(np.float64)
    valid = (m >= 1) & (m <= 12) & (day >= 1) & (day <= 31) & (year > 1970)
    return np.where(valid, days * 86400.0, np.nan)


def require(condition: bool, path: object, problem: str) -> None:
    """Raise a one-line :class:`ReadError` naming *path* unless *condition* holds."""
    if not condition:
        raise ReadError(f"{path}: {problem}")


def census(kinds: np.ndarray, data: set[int], other: dict[int, str]) -> tuple[int, list[str]]:
    """Count records that are neither samples (*data*) nor a known other kind.

    Parameters
    ----------
    kinds : ndarray of int
        The record-kind tag of every record slot in the data area.
    data : set of int
        Tags of time-series samples (decoded).
    other : dict
        Tags of known non-sample records (headers, step summaries) -> description.

    Returns
    -------
    skipped : int
        Records of an unknown kind (left out, reported in ``RunMeta.rows_skipped``).
    notes : list of str
        One line per kind that was left out, with its count.
    """
    tally = np.bincount(np.asarray(kinds, dtype=np.int64), minlength=1)
    skipped, notes = 0, []
    for value in np.flatnonzero(tally).tolist():
        count = int(tally[value])
        if value in data:
            continue
        if value in other:
            notes.append(f"{count} {other[value]} records (kind 0x{value:02X}) are not samples")
        else:
            skipped += count
            notes.append(f"{count} records of unknown kind 0x{value:02X} could not be decoded")
    return skipped, notes


def attach_by_index(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Left join of *right*'s columns onto *left* by the record number column ``index``.

    Both sides come from files in record order, so the usual case (both
    strictly increasing) is a binary search in NumPy; anything else falls back
    to a Polars join that keeps *left*'s order. Unmatched rows get nulls.
    """
    import polars as pl

    if right.height == 0:
        return left
    left_idx = left["index"].to_numpy().astype(np.int64)
    right_idx = right["index"].to_numpy().astype(np.int64)
    if np.array_equal(left_idx, right_idx):  # same records on both sides (aux members)
        return left.with_columns(right.drop("index").get_columns())
    if not (_increasing(left_idx) and _increasing(right_idx)):
        right = right.cast({"index": left.schema["index"]})
        return left.join(right, on="index", how="left", maintain_order="left")
    pos = np.searchsorted(left_idx, right_idx)
    inside = pos < left_idx.size
    hit = np.zeros(right_idx.size, dtype=bool)
    hit[inside] = left_idx[pos[inside]] == right_idx[inside]
    target, source = pos[hit], np.flatnonzero(hit)
    missing = np.ones(left.height, dtype=bool)
    missing[target] = False
    missing_mask = pl.Series(missing)
    columns = []
    for name in right.columns:
        if name == "index":
            continue
        series = right[name]
        dtype = np.float64 if series.dtype.is_float() else np.int64
        values = np.zeros(left.height, dtype=dtype)
        values[target] = series.to_numpy()[source]
        column = pl.Series(name, values)
        if missing.any():
            column = column.set(missing_mask, None)
        columns.append(column.cast(series.dtype))
    return left.with_columns(columns)


def _increasing(values: np.ndarray) -> bool:
    return values.size < 2 or bool((values[1:] > values[:-1]).all())


def shortfall(size: int, blocks: list[tuple[int, int]], itemsize: int) -> tuple[int, list[str]]:
    """Records a cut file lacks: its header declares data blocks ``(begin, length)`` that end
    beyond the file's *size* [bytes], or (for ``length <= 0``, "to the end") its data end
    inside a record. Returns the count (to add to the skipped rows) and a note."""
    missing = sum(max(0, b + n - size) for b, n in blocks if n > 0)
    if missing:
        count = -(-missing // itemsize)
        end = max(b + n for b, n in blocks)
        note = (
            f"file is cut short: its header declares data up to byte {end}, the file ends at "
            f"byte {size}; {count} records of {itemsize} bytes are missing (counted as skipped)"
        )
        return count, [note]
    tail = sum((size - b) % itemsize for b, n in blocks if n <= 0)
    if tail:
        return 1, [f"file ends inside a record ({tail} bytes after the last whole one, left out)"]
    return 0, []


def decoder_facts(clock: str, skipped: int, notes: list[str]) -> dict[str, str]:
    """Header facts shared by the decoders: clock kind, skipped records, record notes."""
    return {"clock": clock, "skipped": str(skipped), "record_notes": "\n".join(notes)}
