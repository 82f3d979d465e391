"""Maccor text exports (MIMS "Export to text"): ``maccor_text``.

Layout: one to a few header lines (``Today's Date``, ``Date of Test``,
``Filename``, ``Procedure``...), then a tab-separated table whose header line
starts with ``Rec#``. The columns that matter:

========================  ==============================================
``Cyc#``                  vendor cycle, from 0
``Step``                  step number of the procedure
``Test (Sec)`` / ``Test (Min)`` / ``TestTime``   test time (s, min, or ``"2d 02:52:51.57"``)
``Amp-hr``, ``Watt-hr``   capacity [Ah] / energy [Wh] *of the current step*
``Amps``, ``Volts``       current [A] (signed or not, by export setting), voltage [V]
``State``                 ``C`` charge, ``D`` discharge, ``R`` rest, ``O``/``S``/... other
``DPt Time``              wall-clock date and time of the record
========================  ==============================================

Conversion: the current gets its sign from ``State`` (+ while ``C``, - while
``D``; other states keep the file's value); the per-step counters become
cumulative charge and discharge counters (:func:`~ssblab.io.arbin_common.cumulative`
restarts at each fall of the counter and books each increment to the state of
its record); ``Cycle Count / 1`` is ``Cyc#`` shifted to start at 1. Decimal
commas are recognised from the first record. The instrument clock's zone is not
stored: ``Unix Time / s`` treats it as UTC (note in the metadata).

A Maccor AC-impedance export (``MACCOR, INC. AC Impedance Test``) and Maccor's
binary raw data files are refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PureWindowsPath

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.arbin_common import cumulative, step_count
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

#: Bytes scanned for the table header line.
HEADER_SCAN_BYTES = 65536
TABLE_START = "Rec#"
EIS_MARK = b"MACCOR, INC."
#: Time column name -> seconds per unit (``None``: "Nd HH:MM:SS.f" text).
TIME_COLUMNS: dict[str, float | None] = {
    "Test (Sec)": 1.0,
    "Test (Min)": 60.0,
    "Test (Hr)": 3600.0,
    "TestTime": None,
}
NUMERIC = {"Cyc#": pl.Int64, "Step": pl.Int64, "Amp-hr": pl.Float64, "Watt-hr": pl.Float64}
NUMERIC |= {"Amps": pl.Float64, "Volts": pl.Float64}
STATE = "State"
DATE = "DPt Time"
DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y %H:%M:%S")
HEADER_DATE_FORMATS = ("%m/%d/%Y", "%d %B %Y, %I:%M:%S %p", "%d %B %Y")
TZ_NOTE = "Maccor DPt Time is the tester PC's local clock (zone not stored); taken as UTC"


# --- detection -------------------------------------------------------------
def _header_line_index(text: str) -> int | None:
    for i, line in enumerate(text.splitlines()[:50]):
        if line.startswith(TABLE_START + "\t"):
            return i
    return None


def sniff_text(head: bytes, path: Path) -> bool:
    """A ``Rec#<TAB>Cyc#`` table header near the top, or a Maccor EIS export."""
    if head.startswith(EIS_MARK):
        return True
    if b"\x00" in head[:1024]:
        return False
    return b"\nRec#\tCyc#\t" in head or head.startswith(b"Rec#\tCyc#\t")


# --- header ----------------------------------------------------------------
def parse_header(lines: list[str]) -> dict[str, str]:
    """``Label: value`` pairs of the lines above the table (labels without colons)."""
    fields: dict[str, str] = {}
    text = "\t".join(lines)
    pattern = (
        r"(Today's Date|Date of Test|Filename|Procedure|Comment/Barcode|Tester Channel|Description)"
    )
    parts = re.split(pattern + r":?", text)
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[label] = value.strip(" \t:")
    return fields


def _header_date(value: str) -> dt.datetime | None:
    for fmt in HEADER_DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


# --- table -----------------------------------------------------------------
def _load_table(path: Path, skip: int, columns: list[str], decimal_comma: bool) -> pl.DataFrame:
    """The wanted columns of the tab-separated table as typed Polars columns."""
    schema = {c: NUMERIC.get(c, pl.String) for c in columns}
    return pl.read_csv(
        path,
        separator="\t",
        skip_rows=skip,
        has_header=True,
        columns=columns,
        schema_overrides=schema,
        quote_char=None,
        ignore_errors=True,
        truncate_ragged_lines=True,
        decimal_comma=decimal_comma,
        encoding="utf8-lossy",
    )


def _time_seconds(name: str) -> pl.Expr:
    """Test time [s] from whichever time column the export has."""
    factor = TIME_COLUMNS[name]
    col = pl.col(name)
    if factor is not None:
        return col.str.strip_chars().str.replace(",", ".").cast(pl.Float64, strict=False) * factor
    parts = col.str.extract_groups(r"(\d+)d\s*(\d+):(\d+):([\d.]+)")
    return (
        parts.struct.field("1").cast(pl.Float64) * 86400.0
        + parts.struct.field("2").cast(pl.Float64) * 3600.0
        + parts.struct.field("3").cast(pl.Float64) * 60.0
        + parts.struct.field("4").cast(pl.Float64, strict=False)
    )


def _unix_time(date: pl.Expr, start: dt.datetime | None, time_s: pl.Expr) -> pl.Expr:
    """Unix time [s] from ``DPt Time`` (full date) or header date + test time."""
    text = date.str.strip_chars()
    full = pl.coalesce([text.str.to_datetime(f, strict=False) for f in DATE_FORMATS])
    from_date = full.dt.epoch("us").cast(pl.Float64) / 1e6
    if start is None:
        return from_date
    # time-only stamps: the header's test date plus the time of the first record
    first_clock = text.first().str.to_time("%H:%M:%S", strict=False)
    seconds = (first_clock.cast(pl.Int64) / 1e9).cast(pl.Float64)
    day0 = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp()
    fallback = day0 + seconds + time_s - time_s.first()
    return pl.coalesce([from_date, fallback])


def _canonical(frame: pl.DataFrame, time_col: str, start: dt.datetime | None) -> pl.DataFrame:
    """Canonical table from the typed Maccor columns (rows already validated)."""
    state = pl.col(STATE).str.strip_chars()
    amps = pl.col("Amps")
    current = (
        pl.when(state == "C").then(amps.abs()).when(state == "D").then(-amps.abs()).otherwise(amps)
    )
    t = _time_seconds(time_col)
    cyc = pl.col("Cyc#")
    first_cycle = frame["Cyc#"].min()
    shift = max(1 - int(first_cycle), 0) if first_cycle is not None else 0
    exprs = [
        (t - t.first()).alias(s.TIME),
        pl.col("Volts").alias(s.VOLTAGE),
        current.alias(s.CURRENT),
        (cyc + shift).alias(s.CYCLE),
        pl.col("Step").alias(s.STEP_INDEX),
        step_count(pl.col("Step"), cyc).alias(s.STEP_COUNT),
        cyc.alias(s.VENDOR_CYCLE),
    ]
    for counter, charge, discharge in (
        ("Amp-hr", s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY),
        ("Watt-hr", s.CHARGE_ENERGY, s.DISCHARGE_ENERGY),
    ):
        if counter in frame.columns:
            total = cumulative(pl.col(counter), restart=state != state.shift(1))
            inc = total.diff().fill_null(total.first())
            exprs.append(pl.when(state == "C").then(inc).otherwise(0.0).cum_sum().alias(charge))
            exprs.append(pl.when(state == "D").then(inc).otherwise(0.0).cum_sum().alias(discharge))
    if DATE in frame.columns:
        exprs.append(_unix_time(pl.col(DATE), start, t).alias(s.UNIX_TIME))
    return s.conform(frame.select(exprs))


@reader("maccor_text", suffixes=(".txt",), sniff=sniff_text)
def read_maccor_text(path: Path) -> Run:
    """Maccor MIMS text export (tab-separated, ``Rec#`` table)."""
    with open(path, "rb") as fh:
        head = fh.read(HEADER_SCAN_BYTES)
    if head.startswith(EIS_MARK):
        raise ReadError(
            f"{path}: Maccor AC-impedance (EIS) export, not a cycling record; "
            "read it as an impedance spectrum"
        )
    text = head.decode("latin-1")
    skip = _header_line_index(text)
    if skip is None:
        kind = "binary Maccor data file" if b"\x00" in head[:1024] else "text"
        raise ReadError(
            f"{path}: {kind} without a 'Rec#' table header; export it as text from Maccor MIMS"
        )
    lines = text.splitlines()
    names = lines[skip].rstrip("\r").split("\t")
    time_col = next((c for c in TIME_COLUMNS if c in names), None)
    missing = [c for c in ("Cyc#", "Step", "Amps", "Volts", STATE) if c not in names]
    if time_col is None or missing:
        raise ReadError(f"{path}: Maccor table lacks columns {missing or ['test time']}")
    wanted = [time_col, "Cyc#", "Step", "Amp-hr", "Watt-hr", "Amps", "Volts", STATE, DATE]
    wanted = [c for c in wanted if c in names]
    first = lines[skip + 1].split("\t") if len(lines) > skip + 1 else []
    volts = first[names.index("Volts")] if len(first) > names.index("Volts") else ""
    decimal_comma = "," in volts
    raw = _load_table(path, skip, wanted, decimal_comma)
    raw = raw.filter(~pl.all_horizontal(pl.all().is_null()))  # blank lines
    ok = pl.col("Volts").is_not_null() & pl.col("Amps").is_not_null() & pl.col("Cyc#").is_not_null()
    ok = ok & _time_seconds(time_col).is_not_null()
    frame = raw.filter(ok)
    skipped = raw.height - frame.height
    if frame.height == 0:
        raise ReadError(f"{path}: Maccor table holds no readable records")
    header = parse_header(lines[:skip])
    start = _header_date(header.get("Date of Test", ""))
    table = _canonical(frame, time_col, start)
    notes = [TZ_NOTE]
    unsigned = frame.filter((pl.col(STATE).str.strip_chars() == "D") & (pl.col("Amps") > 0))
    if unsigned.height:
        notes.append(
            f"Amps unsigned in file ({unsigned.height} discharge records); sign from State"
        )
    if skipped:
        notes.append(f"{skipped} records with unreadable time, voltage, current or cycle left out")
    if decimal_comma:
        notes.append("decimal commas")
    meta = RunMeta(
        source=str(path),
        source_format="maccor_text",
        instrument="Maccor",
        cell_name=PureWindowsPath(header.get("Filename", "")).stem or path.stem,
        channel=header.get("Tester Channel", ""),
        timezone="UTC",
        start_time_utc=start.replace(tzinfo=dt.UTC).isoformat() if start else "",
        cycle_numbering=f"Maccor Cyc# + {shift_of(frame)}",
        rows_skipped=skipped,
        notes=tuple(notes),
        extra={k: v for k, v in header.items() if v} | {"time_column": time_col},
    )
    return Run(table, meta)


def shift_of(frame: pl.DataFrame) -> int:
    """Offset added to ``Cyc#`` so that cycles start at 1."""
    first = frame["Cyc#"].min()
    return max(1 - int(first), 0) if first is not None else 0
