"""Arbin readers: ``arbin_res`` (Access database), ``arbin_csv`` and ``arbin_xlsx``.

Formats are recognised by content: an Access file starts with
``\\x00\\x01\\x00\\x00Standard Jet DB`` (or ``ACE DB``); a ``.res.gz`` is a gzip
stream of one; CSV exports by their column names; XLSX exports by their
``Channel_*`` and ``Global_Info`` sheets. All three produce the same canonical
table through :mod:`ssblab.io.arbin.common`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from ssblab.errors import ReadError
from ssblab.io import _tabular as t
from ssblab.io.arbin.common import arbin_to_canonical
from ssblab.io.arbin.res import read_res
from ssblab.io.arbin.sniff import sniff_res
from ssblab.io.arbin.text import looks_like_arbin, rename_map, to_raw
from ssblab.io.registry import reader
from ssblab.io.safety import read_zip_member, zip_names
from ssblab.schema import Run, RunMeta

#: Header of an Arbin ``_Metadata.csv`` sidecar (normalised, lower case).
SIDECAR_KEYS = ("test_id", "iv_ch_id", "first_start_datetime")
#: Largest number of spreadsheet rows read from an XLSX export.
MAX_XLSX_ROWS = 5_000_000
#: The field behind ``Unix Time / s`` in the registry's note on stamps outside 1970-2100.
DATE_FIELD = "DateTime stamps"


# --- .res ------------------------------------------------------------------
@reader("arbin_res", suffixes=(".res", ".res.gz"), sniff=sniff_res, time_field=DATE_FIELD)
def read_arbin_res(path: Path) -> Run:
    """Arbin MITS Pro / MITS 7 result database (.res, .res.gz)."""
    return read_res(path)


# --- CSV ------------------------------------------------------------------
def _layout(head: bytes) -> tuple[list[str], str, bool]:
    """Header names, separator and decimal-comma flag of a delimited export.

    The separator is whichever of ``,`` ``;`` TAB splits the header line most;
    with ``;`` or TAB, a comma in the first record means decimal commas.
    """
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    header = lines[0].strip() if lines else ""
    sep = max((",", ";", "\t"), key=header.count)
    names = [c.strip().strip('"') for c in header.split(sep)]
    decimal_comma = sep != "," and len(lines) > 1 and "," in lines[1]
    return names, sep, decimal_comma


def sniff_csv(head: bytes, path: Path) -> bool:
    """Delimited header naming Arbin quantities, or an Arbin metadata sidecar."""
    if b"\x00" in head[:512]:
        return False
    cols = _layout(head)[0]
    lowered = [c.lower() for c in cols]
    return looks_like_arbin(cols) or all(k in lowered for k in SIDECAR_KEYS)


@reader("arbin_csv", suffixes=(".csv",), sniff=sniff_csv, time_field=DATE_FIELD)
def read_arbin_csv(path: Path) -> Run:
    """Arbin CSV export (MITS Pro, Data Watcher, or archive style headers)."""
    with open(path, "rb") as fh:
        cols, sep, decimal_comma = _layout(fh.read(65536))
    if all(k in [c.lower() for c in cols] for k in SIDECAR_KEYS):
        raise ReadError(
            f"{path}: Arbin metadata sidecar without records; read the data file beside it"
        )
    if not looks_like_arbin(cols):
        raise ReadError(f"{path}: header lacks Arbin time, voltage, current and cycle columns")
    mapping = rename_map(cols)
    numbers = {c: pl.Float64 for c, (name, _) in mapping.items() if name != "DateTime"}
    data, shifted, line_notes = t.checked_lines(path, path.read_bytes(), 1, sep.encode())
    frame, value_notes = t.read_counted(
        path,
        data,
        numbers,
        separator=sep,
        decimal_comma=decimal_comma,
        columns=list(mapping),
        null_values=["", "NaN", "nan"],
        truncate_ragged_lines=True,  # only rows one trailing separator longer (checked above)
    )
    raw, notes = to_raw(frame)
    notes += _columns_not_kept(cols, mapping) + line_notes + value_notes
    raw = raw.filter(pl.col("Test_Time").is_not_null())
    no_time = frame.height - raw.height
    skipped = no_time + shifted
    if raw.height == 0:
        raise ReadError(f"{path}: no records with a test time")
    table, extra, numbering = arbin_to_canonical(raw)
    extra |= _sidecar(path)
    if no_time:
        notes.append(f"{no_time} rows without a test time left out")
    meta = RunMeta(
        source=str(path),
        source_format="arbin_csv",
        instrument="Arbin",
        channel=extra.get("IV_Ch_ID", ""),
        start_time_utc=extra.get("start_time_utc", ""),
        cycle_numbering=numbering,
        rows_skipped=skipped,
        notes=tuple(notes),
        extra=extra,
    )
    return Run(table, meta)


#: Export columns that are bookkeeping, not a quantity, and are left out without a note.
_BOOKKEEPING = {"data_point", "date_time", "datetime", "step_time", "step_time(s)", "date time"}


def _sheet_channel(title: str) -> str:
    """The channel of an Arbin data sheet: ``Channel_11_2`` -> ``11`` (part 2 of it)."""
    match = re.match(r"Channel_([^_]+)", title)
    return match.group(1) if match else title


def _columns_not_kept(columns: list[str], mapping: dict[str, tuple[str, float]]) -> list[str]:
    """A note naming the export's quantity columns the canonical table does not hold."""
    left = [c for c in columns if c not in mapping and c.strip().lower() not in _BOOKKEEPING]
    if not left:
        return []
    shown = ", ".join(left[:8]) + (f" and {len(left) - 8} more" if len(left) > 8 else "")
    return [f"{len(left)} export columns not kept (no canonical column): {shown}"]


def _sidecar(path: Path) -> dict[str, str]:
    """Fields of ``<stem>_Metadata.csv`` beside an export, when there is one.

    Adds ``IV_Ch_ID`` (the channel) and ``start_time_utc`` (from
    ``First_Start_DateTime``, Unix seconds) under fixed names, whatever the case
    of the sidecar's headers.
    """
    side = path.with_name(path.stem + "_Metadata.csv")
    if not side.is_file() or side.stat().st_size > 1_000_000:
        return {}
    try:
        first = pl.read_csv(side, infer_schema=False).row(0, named=True)
    except (pl.exceptions.PolarsError, IndexError):
        return {}
    extra = {str(k): str(v) for k, v in first.items() if k and v not in (None, "")}
    lowered = {k.lower(): v for k, v in extra.items()}
    start = lowered.get("first_start_datetime", "")
    if re.fullmatch(r"\d+(\.\d+)?", start):
        extra["start_time_utc"] = dt.datetime.fromtimestamp(float(start), tz=dt.UTC).isoformat()
    if "iv_ch_id" in lowered:
        extra["IV_Ch_ID"] = lowered["iv_ch_id"]
    extra["metadata_file"] = side.name
    return extra


# --- XLSX -----------------------------------------------------------------
def sniff_xlsx(head: bytes, path: Path) -> bool:
    """A zip with a workbook whose sheets are Arbin's ``Global_Info`` and ``Channel_*``."""
    if head[:4] != b"PK\x03\x04" or "xl/workbook.xml" not in zip_names(path):
        return False
    book = read_zip_member(path, "xl/workbook.xml", max_bytes=10_000_000)
    return b'name="Channel_' in book and b'name="Global_Info"' in book


@reader("arbin_xlsx", suffixes=(".xlsx",), sniff=sniff_xlsx, time_field=DATE_FIELD)
def read_arbin_xlsx(path: Path) -> Run:
    """Arbin Excel export: the ``Channel_<n>_<part>`` sheets of one channel, in order.

    A workbook holding several channels gives the first channel's table; the
    others are named in the notes (their records are not mixed in).
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on bad zips
        raise ReadError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        sheets = [ws for ws in book.worksheets if ws.title.startswith("Channel_")]
        if not sheets:
            raise ReadError(f"{path}: workbook has no Channel_* sheet")
        channels = list(dict.fromkeys(_sheet_channel(ws.title) for ws in sheets))
        sheets = [ws for ws in sheets if _sheet_channel(ws.title) == channels[0]]
        frames = [_sheet_frame(ws, path) for ws in sheets]
        info = _global_info(book)
    finally:
        book.close()
    frame = pl.concat(frames, how="diagonal_relaxed")
    raw, notes = to_raw(frame)
    notes += _columns_not_kept(frame.columns, rename_map(frame.columns))
    if len(channels) > 1:
        notes.append(
            f"workbook holds channels {', '.join(channels)}: channel {channels[0]} read, "
            "the others not (read them one by one)"
        )
    raw = raw.filter(pl.col("Test_Time").is_not_null())
    skipped = frame.height - raw.height
    table, extra, numbering = arbin_to_canonical(raw)
    if skipped:
        notes.append(f"{skipped} rows without a test time left out")
    meta = RunMeta(
        source=str(path),
        source_format="arbin_xlsx",
        instrument="Arbin " + info.get("Software Version", ""),
        cell_name=path.stem,
        channel=info.get("Channel", ""),
        cycle_numbering=numbering,
        rows_skipped=skipped,
        notes=tuple(notes),
        extra=extra | info | {"sheets": ",".join(ws.title for ws in sheets)},
    )
    return Run(table, meta)


def _sheet_frame(ws, path: Path) -> pl.DataFrame:
    """One ``Channel_*`` sheet as a frame (first row = header)."""
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return pl.DataFrame()
    names = [str(h) if h is not None else f"column_{i}" for i, h in enumerate(header)]
    if not looks_like_arbin(names):
        raise ReadError(f"{path}: sheet {ws.title!r} lacks Arbin time, voltage and current")
    data = []
    for i, row in enumerate(rows):
        if i >= MAX_XLSX_ROWS:
            raise ReadError(f"{path}: sheet {ws.title!r} has more than {MAX_XLSX_ROWS} rows")
        data.append(row)
    return pl.DataFrame(data, schema=names, orient="row", infer_schema_length=None)


def _global_info(book) -> dict[str, str]:
    """Header/value pairs of the ``Global_Info`` sheet (row of names, row of values)."""
    if "Global_Info" not in book.sheetnames:
        return {}
    rows = list(book["Global_Info"].iter_rows(max_row=20, values_only=True))
    for i, row in enumerate(rows[:-1]):
        if row and row[0] == "Channel":
            values = rows[i + 1]
            return {
                str(k): str(v) for k, v in zip(row, values, strict=False) if k and v is not None
            }
    return {}
