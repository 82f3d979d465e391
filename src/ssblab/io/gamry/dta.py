"""Gamry Framework ``.DTA`` files (format ``gamry_dta``).

A ``.DTA`` file is Windows text: it starts with ``EXPLAIN``, then one setting
per line (``KEY<TAB>TYPE<TAB>VALUE...``), and tables written as::

    NAME<TAB>TABLE[<TAB>rows]
    <TAB>Pt<TAB>T<TAB>Vf<TAB>Im ...      column names
    <TAB>#<TAB>s<TAB>V vs. Ref.<TAB>A ... units
    <TAB>0<TAB>0.1<TAB>...               rows, each starting with a tab

``ZCURVE`` holds an impedance spectrum (``Freq`` [Hz], ``Zreal``, ``Zimag``
[ohm], Zimag the true imaginary part); ``CURVE``, ``CURVE1``, ``CURVE2``...
hold DC records (``T`` [s], ``Vf`` [V], ``Im`` [A]), one table per cycle.

Sign: Gamry's ``Im`` is positive for an oxidation at the working electrode,
which is charge for a full cell with the cathode as working electrode (the
ssblab convention), so it is kept.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io._tabular import instrument_timezone, timezone_note
from ssblab.io.gamry.rows import CheckedRows, check_rows
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

MAGIC = b"EXPLAIN"
#: A table: its "NAME<TAB>TABLE" line, then every following line that starts with a tab.
_TABLE_BLOCK = re.compile(r"^(\w+)\tTABLE([^\n]*)\n((?:\t[^\n]*(?:\n|$))*)", re.MULTILINE)
_DC_TABLE = re.compile(r"^CURVE\d*$")
#: Largest file read [bytes]; Gamry text files are a few MB at most.
MAX_BYTES = 512 * 1024**2


@dataclass(frozen=True)
class DtaContent:
    """Settings (``KEY -> VALUE``) and tables (``NAME -> frame``) of a ``.DTA`` file."""

    settings: dict[str, str]
    tables: dict[str, pl.DataFrame]
    checks: dict[str, CheckedRows] = field(default_factory=dict)  # per table: rows left out, notes


def is_dta(head: bytes) -> bool:
    """True when *head* starts like a Gamry ``.DTA`` file."""
    return head.lstrip(b"\xef\xbb\xbf").startswith(MAGIC)


def _table_frame(
    path: Path, match: re.Match[str], first_line: int, at_end: bool
) -> tuple[pl.DataFrame, CheckedRows]:
    """One table block (names line, units line, rows) as floats (text -> null).

    *first_line* is the file line of the ``NAME<TAB>TABLE`` line; *at_end*: the
    block runs to the end of a file without a final line end. Rows are checked
    by :func:`ssblab.io.gamry.rows.check_rows` first, so every row parsed has
    one field per name.
    """
    name, count, block = match.group(1), match.group(2).strip(), match.group(3)
    parts = block.split("\n", 2)
    if len(parts) < 2 or not parts[0].strip():
        raise ReadError(f"{path}: Gamry table {name} lacks its column and unit lines")
    names = parts[0].strip("\t").split("\t")
    declared = int(count) if count.isdigit() else None
    checked = check_rows(
        name, parts[2] if len(parts) == 3 else "", len(names), first_line + 3, declared, at_end
    )
    body = checked.body
    if not body.strip():
        return pl.DataFrame(schema={n: pl.Float64 for n in names}), checked
    first_row = body.split("\n", 1)[0]
    uses_comma = "," in first_row and "." not in first_row
    frame = pl.read_csv(
        io.StringIO(body),
        separator="\t",
        has_header=False,
        new_columns=["_indent", *names],  # every row starts with a tab
        infer_schema=False,
        quote_char=None,
    )
    to_float = [
        (pl.col(n).str.replace(",", ".") if uses_comma else pl.col(n))
        .cast(pl.Float64, strict=False)
        .alias(n)
        for n in names
    ]
    return frame.select(to_float), checked


def parse_dta(path: Path) -> DtaContent:
    """Split a ``.DTA`` file into its settings and its tables.

    Tables are cut out of the text with one regular expression (a table runs
    while lines start with a tab) and parsed by Polars; only the few setting
    lines are split in Python.
    """
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(f"{path}: larger than {MAX_BYTES} bytes; not a Gamry .DTA file")
    raw = path.read_bytes()
    if not is_dta(raw[:16]):
        raise ReadError(f"{path}: not a Gamry .DTA file (does not start with EXPLAIN)")
    text = raw.decode("cp1252", errors="replace").replace("\r\n", "\n")
    tables: dict[str, pl.DataFrame] = {}
    checks: dict[str, CheckedRows] = {}
    line, pos = 1, 0
    for match in _TABLE_BLOCK.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        at_end = match.end() == len(text) and not text.endswith("\n")
        tables[match.group(1)], checks[match.group(1)] = _table_frame(path, match, line, at_end)
    settings: dict[str, str] = {}
    for line in _TABLE_BLOCK.sub("", text).split("\n")[1:]:
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0]:
            settings[fields[0]] = fields[2] if len(fields) >= 3 else fields[1]
    return DtaContent(settings=settings, tables=tables, checks=checks)


def _start_unix_s(settings: dict[str, str], tz: str) -> float | None:
    """``DATE`` + ``TIME`` settings (local clock in *tz*) as seconds since 1970 UTC."""
    date, time = settings.get("DATE", ""), settings.get("TIME", "")
    for fmt in ("%m/%d/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            wall = dt.datetime.strptime(f"{date} {time}", fmt)
        except ValueError:
            continue
        return wall.replace(tzinfo=zoneinfo.ZoneInfo(tz)).timestamp()
    return None


def eis_from_dta(path: Path, content: DtaContent) -> tuple[pl.DataFrame, int, tuple[str, ...]]:
    """The ``ZCURVE`` spectrum in the EIS table (``Zimag`` is already the true Im Z), the
    rows of ``ZCURVE`` left out and the notes counting them (ragged, cut or not numbers)."""
    z = content.tables.get("ZCURVE")
    if z is None:
        raise ReadError(f"{path}: Gamry file has no ZCURVE (impedance) table")
    missing = [c for c in ("Freq", "Zreal", "Zimag") if c not in z.columns]
    if missing:
        raise ReadError(f"{path}: Gamry ZCURVE lacks columns {missing}")
    out = z.select(
        pl.col("Freq").alias(s.FREQUENCY),
        pl.col("Zreal").alias(s.Z_REAL),
        pl.col("Zimag").alias(s.Z_IMAG),
    )
    numeric = out.drop_nulls()
    if numeric.height == 0:
        raise ReadError(f"{path}: Gamry ZCURVE has no numeric rows")
    check = content.checks.get("ZCURVE", CheckedRows(""))
    notes = list(check.notes)
    if no_number := out.height - numeric.height:
        notes.append(f"{no_number} ZCURVE rows without a numeric Freq, Zreal or Zimag left out")
    return numeric, check.left_out + no_number, tuple(notes)


def _dc_records(path: Path, content: DtaContent) -> tuple[pl.DataFrame, str, list[str]]:
    """DC time series: the CURVE tables (one cycle each), else ZCURVE's Time/Vdc/Idc.

    Returns the records, a note on where they came from and the tables used.
    """
    curves = [name for name in content.tables if _DC_TABLE.match(name)]
    if curves:
        parts = []
        for cycle, name in enumerate(curves, start=1):
            t = content.tables[name]
            if not {"T", "Vf", "Im"} <= set(t.columns):
                raise ReadError(f"{path}: Gamry {name} lacks T, Vf or Im columns")
            parts.append(
                t.select(
                    pl.col("T").alias(s.TIME),
                    pl.col("Vf").alias(s.VOLTAGE),
                    pl.col("Im").alias(s.CURRENT),
                    pl.lit(cycle, dtype=pl.Int64).alias(s.CYCLE),
                )
            )
        how = f"DC records from tables {', '.join(curves)} (one cycle each)"
        return pl.concat(parts), how, curves
    z = content.tables.get("ZCURVE")
    if z is not None and {"Time", "Vdc", "Idc"} <= set(z.columns):
        records = z.select(
            pl.col("Time").alias(s.TIME),
            pl.col("Vdc").alias(s.VOLTAGE),
            pl.col("Idc").alias(s.CURRENT),
        )
        how = "impedance file: DC potential and current of each ZCURVE point"
        return records, how, ["ZCURVE"]
    raise ReadError(f"{path}: Gamry file has no CURVE or ZCURVE table to read")


@reader(
    "gamry_dta",
    suffixes=(".dta",),
    sniff=lambda head, path: is_dta(head),
    description="Gamry Framework .DTA (CURVE tables; ZCURVE impedance via read_eis)",
)
def read_dta(path: Path) -> Run:
    """Read a Gamry ``.DTA`` file's DC records into the canonical table."""
    path = Path(path)
    content = parse_dta(path)
    records, how, used = _dc_records(path, content)
    complete = records.drop_nulls([s.TIME, s.VOLTAGE, s.CURRENT])
    no_number = records.height - complete.height
    notes = [how, "current sign kept: Gamry Im > 0 is oxidation at the working electrode"]
    if no_number:
        notes.append(f"{no_number} rows without numeric time, voltage or current left out")
    notes += [note for check in content.checks.values() for note in check.notes]
    unread = [
        f"{name} ({t.height} records)" for name, t in content.tables.items() if name not in used
    ]
    if unread:  # e.g. the OCVCURVE before an impedance scan: said, not dropped silently
        notes.append(f"not read (the DC view takes {', '.join(used)}): {', '.join(unread)}")
    skipped = no_number + sum(content.checks[name].left_out for name in used)
    tz = instrument_timezone(path)
    start = _start_unix_s(content.settings, tz)
    table = complete
    if start is not None:
        table = table.with_columns((pl.col(s.TIME) + start).alias(s.UNIX_TIME))
        notes.append(timezone_note(tz))
    table = table.with_columns(pl.col(s.TIME) - pl.col(s.TIME).first())
    start_iso = "" if start is None else dt.datetime.fromtimestamp(start, dt.UTC).isoformat()
    return Run(
        s.conform(table),
        RunMeta(
            source=str(path),
            source_format="gamry_dta",
            instrument=content.settings.get("PSTAT", "Gamry"),
            file_version=content.settings.get("FRAMEWORKVERSION", ""),
            timezone=tz,
            start_time_utc=start_iso,
            cycle_numbering="CURVE table order from 1" if s.CYCLE in table.columns else "none",
            rows_skipped=skipped,
            notes=tuple(notes),
            extra={
                "tag": content.settings.get("TAG", ""),
                "title": content.settings.get("TITLE", ""),
            },
        ),
    )


def read_gamry_eis(path: Path) -> tuple[pl.DataFrame, int, tuple[str, ...]]:
    """The impedance spectrum of a Gamry ``.DTA`` file in the EIS table, with the rows
    left out and the notes counting them (:func:`eis_from_dta`)."""
    path = Path(path)
    return eis_from_dta(path, parse_dta(path))
