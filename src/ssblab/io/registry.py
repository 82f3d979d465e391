"""Registry of instrument readers, keyed by format name.

A reader module decorates its entry function with :func:`reader`; the function
takes a path and returns a :class:`ssblab.schema.Run`. Detection asks every
reader's ``sniff`` (content first, as a file extension can lie), then falls back
to the file suffix.
"""

from __future__ import annotations

import importlib
import sysconfig
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ssblab.errors import ReadError, SsblabError, UnknownFormatError

if TYPE_CHECKING:  # detection and light sniffs run without Polars (``ssblab info``)
    from ssblab.schema import Run

ReaderFn = Callable[[Path], "Run"]
#: sniff(head_bytes, path) -> True when the file is of this format.
SniffFn = Callable[[bytes, Path], bool]

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ReaderInfo:
    """A registered reader: its name, what it reads and how to recognise a file."""

    name: str
    fn: ReaderFn
    suffixes: tuple[str, ...]
    sniff: SniffFn | None
    description: str
    #: The file's field behind ``Unix Time / s``, as the out-of-range note names it.
    time_field: str = "timestamps"


READERS: dict[str, ReaderInfo] = {}


class DuplicateReaderError(SsblabError):
    """A reader name is registered twice without ``overwrite=True``."""


def reader(
    name: str,
    *,
    suffixes: tuple[str, ...] = (),
    sniff: SniffFn | None = None,
    description: str = "",
    overwrite: bool = False,
    time_field: str = "timestamps",
) -> Callable[[ReaderFn], ReaderFn]:
    """Register the decorated function as the reader for format *name*.

    *time_field* names the file's field behind ``Unix Time / s`` in the note that
    counts stamps outside 1970-2100 (:func:`bound_time`).
    """

    def register(fn: ReaderFn) -> ReaderFn:
        if name in READERS and not overwrite:
            raise DuplicateReaderError(f"reader {name!r} is already registered")
        doc = description or (fn.__doc__ or "").strip().splitlines()[0:1]
        READERS[name] = ReaderInfo(
            name=name,
            fn=fn,
            suffixes=tuple(s.lower() for s in suffixes),
            sniff=sniff,
            description=doc if isinstance(doc, str) else (doc[0] if doc else ""),
            time_field=time_field,
        )
        return fn

    return register


def _suffixes_of(path: Path) -> list[str]:
    """All trailing suffixes of *path*, longest first (".nda.zip", ".zip")."""
    parts = [s.lower() for s in path.suffixes]
    return ["".join(parts[i:]) for i in range(len(parts))]


@dataclass(frozen=True)
class Format:
    """A built-in format as detection sees it before its reader module is imported.

    *module* registers the reader when imported; *sniff* names a light
    ``"module:function"`` that recognises the format without importing *module*
    (``None``: import *module* and use the sniff it registers).
    """

    name: str
    module: str
    sniff: str | None = None


def light_sniff(ref: str) -> SniffFn:
    """The sniff function that ``"module:function"`` (:attr:`Format.sniff`) names, imported."""
    mod, _, attr = ref.partition(":")
    return getattr(importlib.import_module(mod), attr)


def import_module(fmt: Format) -> bool:
    """Import *fmt*'s reader module; False when that module is not installed."""
    try:
        importlib.import_module(fmt.module)
    except ModuleNotFoundError as exc:
        if exc.name != fmt.module:  # a reader's own dependency is missing: say so
            raise
        return False
    return True


def _sniffers(formats: tuple[Format, ...]) -> Iterator[tuple[str, SniffFn | None]]:
    """(name, sniff) in detection order: *formats* first (reader modules imported only
    where no light sniff exists), then readers registered from elsewhere."""
    for fmt in formats:
        if fmt.sniff is not None:
            yield fmt.name, light_sniff(fmt.sniff)
        elif import_module(fmt) and fmt.name in READERS:
            yield fmt.name, READERS[fmt.name].sniff
    names = {fmt.name for fmt in formats}
    for info in list(READERS.values()):
        if info.name not in names:
            yield info.name, info.sniff


def detect(path: Path, head: bytes, formats: tuple[Format, ...] = ()) -> str:
    """Return the format name for *path*, by content first, then by suffix.

    *formats* are sniffed first, in order, without importing their readers where
    a light sniff exists; then every reader in :data:`READERS` not among them.
    """
    for name, sniff in _sniffers(formats):
        if sniff is not None:
            try:
                if sniff(head, path):
                    return name
            except (Exception, *_panic_types()):
                continue
    for suffix in _suffixes_of(path):
        for info in READERS.values():
            if info.sniff is None and suffix in info.suffixes:
                return info.name
    known = set(READERS) | {fmt.name for fmt in formats}
    valid = ", ".join(sorted(known)) or "(none registered)"
    raise UnknownFormatError(f"{path}: no reader recognises this file (known formats: {valid})")


def get(name: str) -> ReaderInfo:
    """Look up a reader by name; unknown names list the valid ones."""
    try:
        return READERS[name]
    except KeyError:
        valid = ", ".join(sorted(READERS))
        raise UnknownFormatError(f"unknown format {name!r}; valid formats: {valid}") from None


# --- the error boundary of read(): nothing but an SsblabError gets out -------------------------

#: Third-party exception classes -> what they mean for a user reading a file.
_MEANING: tuple[tuple[str, str], ...] = (
    ("PanicException", "the parser hit corrupt data (internal panic)"),
    ("JSONDecodeError", "embedded JSON metadata is malformed"),
    ("UnicodeDecodeError", "text is not in the expected encoding"),
    ("UnicodeError", "text is not in the expected encoding"),
    ("OverflowError", "a number or date is out of range"),
    ("OutOfBoundsDatetime", "a date is out of range"),
    ("ZeroDivisionError", "a header field that is a divisor is zero"),
    ("MemoryError", "the file needs more memory than is available"),
    ("RecursionError", "the file is nested too deeply"),
    ("BadZipFile", "not a valid zip archive"),
    ("LargeZipFile", "zip archive needs ZIP64 support it lacks"),
    ("error", "binary or compressed data is truncated or corrupt"),  # struct.error, zlib.error
    ("EOFError", "the file ends before its data does (truncated)"),
    ("ParseError", "XML is malformed"),
    ("ExpatError", "XML is malformed"),
    ("InvalidFileException", "not a valid spreadsheet"),
    ("ComputeError", "a table cannot be parsed"),
    ("ShapeError", "columns have different lengths"),
    ("ColumnNotFoundError", "an expected column is missing"),
    ("SchemaError", "a column has an unexpected type"),
    ("InvalidOperationError", "a column has values of the wrong type"),
    ("ArrowInvalid", "the Parquet/Arrow data is invalid"),
    ("ArrowException", "the Parquet/Arrow data is invalid"),
    ("KeyError", "a required field is missing"),
    ("IndexError", "a record is shorter than its header says"),
    ("TypeError", "a field has an unexpected type"),
    ("ValueError", "a value cannot be parsed"),
    ("OSError", "the file cannot be read"),
)


def _panic_types() -> tuple[type[BaseException], ...]:
    """Rust panics raised through pyo3 (polars) derive from BaseException, not Exception."""
    try:
        from polars.exceptions import PanicException
    except ImportError:  # pragma: no cover - polars is a core dependency
        return ()
    return (PanicException,)


def meaning(exc: BaseException) -> str:
    """A user-facing description of a third-party exception (most specific class first)."""
    names = [cls.__name__ for cls in type(exc).__mro__]
    for name, text in _MEANING:
        if name in names:
            return text
    return "the file does not have the expected layout"


_STDLIB = sysconfig.get_paths()["stdlib"]


def where(exc: BaseException) -> str:
    """Where it went wrong: a byte offset or line when the exception knows it, and the
    innermost frame of our own code (``neware_nda.py:123``) of its traceback."""
    parts = []
    start = getattr(exc, "start", None)
    if isinstance(exc, UnicodeDecodeError) and isinstance(start, int):
        parts.append(f"byte {start}")
    lineno, colno = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if isinstance(lineno, int) and isinstance(colno, int):
        parts.append(f"line {lineno} column {colno}")
    frame = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name != __file__ and "site-packages" not in name and not name.startswith(_STDLIB):
            frame = tb
        tb = tb.tb_next
    if frame is not None:
        parts.append(f"in {Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno}")
    return ", ".join(parts)


def detail(exc: BaseException, limit: int = 160) -> str:
    """The first line of the exception's own message, shortened to *limit* characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CorruptFileError(ReadError):
    """A reader failed on a third-party error; the message says what and where."""


def refuse_infinite(path: Path, table) -> None:
    """Refuse a table whose time, voltage, current or counters hold ±inf (``1e999`` in a file).

    Such a value is beyond any instrument's range: the file is corrupt, and every
    number computed from it (time span, capacity) would be infinite.
    """
    import numpy as np

    from ssblab import schema as s

    names = (s.TIME, s.VOLTAGE, s.CURRENT, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY)
    schema = table.schema  # built once: each .schema call rebuilds it
    for name in names:
        if name not in schema or not schema[name].is_float():
            continue
        bad = np.isinf(table.get_column(name).to_numpy())  # nulls come out as NaN, not inf
        n_bad = int(np.count_nonzero(bad))
        if n_bad:
            first = int(np.flatnonzero(bad)[0])
            raise CorruptFileError(
                f"{path}: {n_bad} value{'s' * (n_bad > 1)} of {name} beyond the float range "
                f"(±inf), first at record {first + 1}; the file is corrupt there"
            )


def bound_time(info: ReaderInfo, run: Run) -> Run:
    """*run* with every ``Unix Time / s`` outside 1970-2100 UTC nulled and a note counting
    them (:func:`ssblab.limits.bound_unix_time`); unchanged when there is none."""
    from dataclasses import replace

    from ssblab.limits import bound_unix_time

    table, note = bound_unix_time(run.table, info.time_field)
    if not note:
        return run
    return replace(run, table=table, meta=run.meta.with_(notes=(*run.meta.notes, note)))


def call_reader(info: ReaderInfo, path: Path) -> Run:
    """Run *info*'s reader on *path*; any non-ssblab failure becomes one ReadError line.

    The line names the file, the format, what is wrong in words, where (offset, line,
    reader frame) and the original message, e.g.
    ``x.nda: cannot be read as neware_nda: a number or date is out of range
    (in neware_nda.py:88; OverflowError: ...)``. Every run read here has its Unix
    times bounded to 1970-2100 (:func:`bound_time`). The table's schema is checked
    once, where the reader builds its :class:`~ssblab.schema.Run` (``Run.__post_init__``).
    """
    from ssblab import limits
    from ssblab.io import safety

    token = safety.DECOMPRESSED.set(0)
    try:
        safety.preflight(path, safety.read_head(path, SNIFF_BYTES))
        if info.name.endswith("xlsx"):
            with limits.time_limit(path, "xlsx_parse_s"):
                run = info.fn(path)
        else:
            run = info.fn(path)
        safety.check_rows(path, run.table.height)
        refuse_infinite(path, run.table)
        return bound_time(info, run)
    except SsblabError as exc:
        if path.name in str(exc):
            raise
        raise type(exc)(f"{path}: {exc}") from exc  # every refusal names its file
    except (Exception, *_panic_types()) as exc:
        loc = where(exc)
        raise CorruptFileError(
            f"{path}: cannot be read as {info.name}: {meaning(exc)} "
            f"({loc + '; ' if loc else ''}{type(exc).__name__}: {detail(exc)})"
        ) from exc
    finally:
        safety.DECOMPRESSED.reset(token)
