"""Resource limits on untrusted input, stated once (README: "Resource limits").

Every limit has a name; a file that breaches one is refused with one line naming
it (``... exceeds limit member_bytes = 268435456``). Each can be raised for a
trusted big file with an environment variable ``SSBLAB_LIMIT_<NAME>`` (upper case),
e.g. ``SSBLAB_LIMIT_ROWS=100000000``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ssblab.errors import ReadError

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Limit:
    """A named bound with its unit and why it is set where it is."""

    name: str
    default: float
    unit: str
    why: str

    @property
    def value(self) -> float:
        """The bound in force: ``$SSBLAB_LIMIT_<NAME>`` when set, else the default."""
        raw = os.environ.get(f"SSBLAB_LIMIT_{self.name.upper()}")
        if raw is None:
            return self.default
        try:
            return float(raw)
        except ValueError:
            raise ReadError(f"SSBLAB_LIMIT_{self.name.upper()}={raw!r} is not a number") from None


LIMITS: dict[str, Limit] = {
    lim.name: lim
    for lim in (
        Limit(
            "member_bytes",
            256 * 1024**2,
            "bytes",
            "decompressed size of one archive member (.ndax part, .nda.zip, .res.gz); "
            "largest real member 9.4 MB",
        ),
        Limit(
            "compression_ratio",
            64,
            "1",
            "decompressed / compressed size of a member beyond its first MiB; real members "
            "1.7-15, zeros deflate ~1000",
        ),
        Limit(
            "bytes_per_row",
            1024,
            "bytes/row",
            "decompressed bytes per row read, beyond the first 8 MiB (headers); real Neware "
            "21-100 B/row",
        ),
        Limit(
            "rows",
            50_000_000,
            "rows",
            "rows in one file (a year at 1 s sampling is 32 M)",
        ),
        Limit(
            "rows_per_file_byte",
            16,
            "rows/byte",
            "rows per byte of a Parquet file beyond 100 000 rows (real noisy data "
            "needs > 2 bytes a row)",
        ),
        Limit(
            "xlsx_xml_bytes",
            512 * 1024**2,
            "bytes",
            "decompressed XML of one workbook (real Arbin export: 2.7 MB for 4 526 rows)",
        ),
        Limit(
            "xlsx_parse_s",
            60,
            "s",
            "wall time to parse one workbook (real: 0.5 s)",
        ),
        Limit(
            "file_s",
            300,
            "s",
            "wall time of one file in `catalog build` (read + cycles + Parquet)",
        ),
    )
}

#: Decompressed bytes allowed regardless of the row count (headers, metadata) [bytes].
FIXED_ALLOWANCE_BYTES = 8 * 1024**2
#: Rows a Parquet file may hold regardless of its size.
FIXED_ROWS = 100_000


#: Wall-clock range a record's timestamp may take [Unix s]: 1970-01-01 to 2100-01-01 UTC.
#: Outside it a stamp is a corrupt field (a year 60000, an OLE date of 1e20 days), not a date.
UNIX_TIME_BOUNDS_S = (0.0, 4_102_444_800.0)


def bound_unix_time(table: pl.DataFrame, what: str = "timestamps") -> tuple[pl.DataFrame, str]:
    """*table* with each ``Unix Time / s`` outside :data:`UNIX_TIME_BOUNDS_S` set to null,
    and the note counting them (``""`` when none is, or there is no such column).

    *what* names the file's field in the note (e.g. ``"DPt Time stamps"``). Every read
    passes here (:func:`ssblab.io.registry.call_reader`, with the reader's field name).
    """
    import polars as pl

    from ssblab import schema as s

    if s.UNIX_TIME not in table.columns:
        return table, ""
    lo, hi = UNIX_TIME_BOUNDS_S
    unix = pl.col(s.UNIX_TIME)
    outside = unix.is_not_null() & (unix.is_nan() | (unix < lo) | (unix >= hi))
    mask = table.select(outside.alias("m")).get_column("m")
    n = int(mask.sum())
    if not n:
        return table, ""
    first = int(mask.arg_true()[0])
    found = table.get_column(s.UNIX_TIME)[first]
    note = (
        f"{n} {what} outside 1970-01-01..2100-01-01 UTC (first at record {first + 1}: "
        f"{found:.6g} s): Unix Time set to null there"
    )
    return table.with_columns(pl.when(outside).then(None).otherwise(unix).alias(s.UNIX_TIME)), note


def unix_times_within(unix_s: object) -> bool:
    """True when every value of the array *unix_s* [Unix s] is a number within
    :data:`UNIX_TIME_BOUNDS_S` (NumPy only: a light ``info`` summary hands any other
    file, NaN included, to the full reader, whose registry nulls and counts them)."""
    import numpy as np

    values = np.asarray(unix_s, dtype=np.float64)
    lo, hi = UNIX_TIME_BOUNDS_S
    return bool(((values >= lo) & (values < hi)).all())


def value(name: str) -> float:
    """The bound in force for the limit *name*."""
    return LIMITS[name].value


def _num(x: float) -> str:
    """Integers in full (60000000), other values to 4 significant digits."""
    return f"{int(x)}" if float(x).is_integer() else f"{x:.4g}"


def breach(path: object, name: str, found: float, detail: str = "") -> ReadError:
    """The one-line refusal of *path* for breaching limit *name* at *found*."""
    lim = LIMITS[name]
    extra = f" ({detail})" if detail else ""
    return ReadError(
        f"{path}: {_num(found)} {lim.unit} exceeds limit {name} = {_num(lim.value)}{extra}; "
        f"raise it with SSBLAB_LIMIT_{name.upper()} if the file is trusted"
    )


def check(path: object, name: str, found: float, detail: str = "") -> None:
    """Raise :func:`breach` when *found* exceeds the limit *name*."""
    if found > value(name):
        raise breach(path, name, found, detail)


def table_markdown() -> str:
    """The limits as a Markdown table (the README's, regenerated by this function)."""
    lines = ["| limit | default | unit | why |", "|---|---|---|---|"]
    for lim in LIMITS.values():
        lines.append(f"| `{lim.name}` | {_num(lim.default)} | {lim.unit} | {lim.why} |")
    return "\n".join(lines)


class _Expired(BaseException):  # not an Exception: readers' own handlers let it by
    """Raised by the alarm inside a reader; turned into a one-line breach at the boundary."""


@contextmanager
def time_limit(path: object, name: str) -> Iterator[None]:
    """Refuse *path* when the block runs past the limit *name* [s].

    Uses ``SIGALRM``, so it works in the main thread only (elsewhere, e.g. inside a
    Dask worker's thread, the block runs unbounded) and interrupts Python code, not a
    single long call into compiled code. An outer limit is restored afterwards.
    """
    seconds = value(name)
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise _Expired(name)

    start = time.monotonic()
    old_handler = signal.signal(signal.SIGALRM, expire)
    outer_left, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    if outer_left and outer_left < seconds:  # the outer deadline comes first: keep it
        signal.setitimer(signal.ITIMER_REAL, outer_left)
    try:
        yield
    except _Expired:
        raise breach(path, name, time.monotonic() - start) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start), 1e-3))
