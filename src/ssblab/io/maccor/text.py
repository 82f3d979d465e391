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
cumulative charge and discharge counters (:func:`~ssblab.io.arbin.common.cumulative`
restarts at each fall of the counter and books each increment to the state of
its record); ``Cycle Count / 1`` is ``Cyc#`` shifted to start at 1. Decimal
commas are recognised from the first record. The instrument clock's zone is not
stored: ``Unix Time / s`` treats it as UTC (note in the metadata).

The MacNet form (``Name:``/``Channel:`` header lines, a ``Rec<TAB>Cycle P<TAB>
Cycle C`` table, often with decimal commas) names its columns with units in
brackets (``Current [A]``, ``Cap. [mAh]``...): the units are read from the
header and converted (A/mA, Ah/mAh, Wh/mWh, V/mV), never assumed. Its
``TestTime`` column carries no unit; it is taken as seconds, minutes or hours,
whichever matches the span of the ``DPT Time`` clock (refused when none does).

A MIMS export set to milli-units names its columns ``mAmps``, ``mAmp-hr`` and
``mWatt-hr``; they are converted to A, Ah and Wh (a note says so).

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
from ssblab.io import _tabular as t
from ssblab.io.arbin.common import increments, step_count
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
HEADER_DATE_FORMATS = ("%m/%d/%Y", "%d %B %Y, %I:%M:%S %p", "%d %B %Y", "%m/%d/%Y %H:%M:%S")
#: MacNet column (without its bracketed unit) -> the MIMS name used below.
MACNET_NAMES = {
    "Rec": "Rec#",
    "Cycle C": "Cyc#",
    "Step": "Step",
    "TestTime": "TestTime",
    "Cap.": "Amp-hr",
    "Ener.": "Watt-hr",
    "Current": "Amps",
    "Voltage": "Volts",
    "Md": STATE,
    "DPT Time": DATE,
}
#: Bracketed unit -> factor to the MIMS unit (A, Ah, Wh, V).
MACNET_UNITS = {"A": 1.0, "mA": 1e-3, "Ah": 1.0, "mAh": 1e-3, "Wh": 1.0, "mWh": 1e-3}
MACNET_UNITS |= {"V": 1.0, "mV": 1e-3}
MACNET_EXPECTED_UNIT = {"Amp-hr": ("Ah", "mAh"), "Watt-hr": ("Wh", "mWh"), "Amps": ("A", "mA")}
MACNET_EXPECTED_UNIT |= {"Volts": ("V", "mV")}
_BRACKETS = re.compile(r"^(.*?)\s*\[([^\]]*)\]\s*$")
TZ_NOTE = "Maccor DPt Time is the tester PC's local clock (zone not stored); taken as UTC"


# --- detection -------------------------------------------------------------
def _header_line_index(text: str) -> int | None:
    for i, line in enumerate(text.splitlines()[:50]):
        if line.startswith((TABLE_START + "\t", "Rec\tCycle P\t")):
            return i
    return None


def macnet_columns(path: Path, names: list[str]) -> tuple[dict[str, str], dict[str, float]]:
    """MacNet column -> MIMS name, and MIMS name -> unit factor (from the brackets).

    Raises
    ------
    ReadError
        For a bracketed unit that is not the quantity's (``Current [Ah]``) or unknown.
    """
    renames: dict[str, str] = {}
    factors: dict[str, float] = {}
    for name in names:
        match = _BRACKETS.match(name)
        base, unit = (match.group(1), match.group(2)) if match else (name, "")
        target = MACNET_NAMES.get(base.strip())
        if target is None:
            continue
        renames[name] = target
        if target in MACNET_EXPECTED_UNIT:
            if unit not in MACNET_EXPECTED_UNIT[target]:
                raise ReadError(f"{path}: MacNet column {name!r} has an unknown unit {unit!r}")
            factors[target] = MACNET_UNITS[unit]
    return renames, factors


#: MIMS columns of an export set to milli-units -> (the name used below, factor).
MIMS_MILLI = {"mAmps": ("Amps", 1e-3), "mAmp-hr": ("Amp-hr", 1e-3), "mWatt-hr": ("Watt-hr", 1e-3)}


def mims_milli_columns(names: list[str]) -> tuple[dict[str, str], dict[str, float]]:
    """Renames and factors for a MIMS export in mA, mAh and mWh (empty for A, Ah, Wh)."""
    renames = {n: MIMS_MILLI[n][0] for n in names if n in MIMS_MILLI}
    return renames, {MIMS_MILLI[n][0]: MIMS_MILLI[n][1] for n in renames}


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


def sniff_text(head: bytes, path: Path) -> bool:
    """True for a Maccor text export, a Maccor EIS export or a binary Maccor file.

    Text exports have a ``Rec#<TAB>Cyc#`` table header near the top. EIS exports
    and binary files with Maccor's numbered suffix (``.001``...) are claimed so
    that the reader refuses them with the reason, rather than leaving them
    unrecognised.
    """
    if head.startswith(EIS_MARK):
        return True
    if b"\x00" in head[:1024]:
        return re.fullmatch(r"\.\d{3}", path.suffix) is not None
    return (
        b"\nRec#\tCyc#\t" in head
        or head.startswith(b"Rec#\tCyc#\t")
        or b"\nRec\tCycle P\tCycle C\t" in head
    )


# --- header ----------------------------------------------------------------
def parse_header(lines: list[str]) -> dict[str, str]:
    """``Label: value`` pairs of the lines above the table (labels without colons)."""
    fields: dict[str, str] = {}
    text = "\t".join(lines)
    pattern = (
        r"(Today's Date|Date of Test|Filename|Procedure|Comment/Barcode|Tester Channel|Description"
        r"|Name:|Channel:|Tester|Started|SCap|C Rate)"
    )
    parts = re.split(pattern + r":?", text)
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[label.rstrip(":")] = value.strip(" \t:")
    return fields


def _header_date(value: str) -> dt.datetime | None:
    for fmt in HEADER_DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


# --- table -----------------------------------------------------------------
def _load_table(
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


def _time_seconds(name: str) -> pl.Expr:
    """Test time [s] from whichever time column the export has."""
    factor = TIME_COLUMNS[name]
    col = pl.col(name)
    if factor is not None:
        return col.str.strip_chars().str.replace(",", ".").cast(pl.Float64, strict=False) * factor
    # "  2d 02:52:51.57": days, then a clock time (seconds may have one digit);
    # without a "d", the whole text is the clock time
    parts = col.str.split_exact("d", 1)
    has_days = parts.struct.field("field_1").is_not_null()
    days = parts.struct.field("field_0").str.strip_chars().cast(pl.Float64, strict=False)
    clock_text = pl.when(has_days).then(parts.struct.field("field_1")).otherwise(col)
    clock = clock_text.str.strip_chars().str.to_time("%H:%M:%S%.f", strict=False)
    return pl.when(has_days).then(days).otherwise(0.0) * 86400.0 + clock.cast(pl.Int64) / 1e9


def _date_format(sample: str | None) -> str | None:
    """The :data:`DATE_FORMATS` entry that parses *sample*, or None."""
    for fmt in DATE_FORMATS:
        try:
            dt.datetime.strptime((sample or "").strip(), fmt.replace("%.f", ""))
        except ValueError:
            continue
        return fmt
    return None


def _unix_time(frame: pl.DataFrame, start: dt.datetime | None) -> pl.Expr | None:
    """Unix time [s] from ``DPt Time`` (full date) or header date + test time.

    The date format is recognised once, from the first record; records whose
    stamp does not parse get a null.
    """
    if DATE not in frame.columns:
        return None
    text = pl.col(DATE).str.strip_chars()
    fmt = _date_format(frame[DATE].drop_nulls().first())
    if fmt is not None:
        # the record at midnight is stamped with the date alone ('10/22/2019', real .052 file)
        midnight = text.str.to_datetime(fmt.split(" ")[0], strict=False)
        stamp = pl.coalesce(text.str.to_datetime(fmt, strict=False), midnight)
        return stamp.dt.epoch("us").cast(pl.Float64) / 1e6
    if start is None:
        return None
    # time-only stamps: the header's test date plus the clock time of the first record
    clock = text.first().str.to_time("%H:%M:%S", strict=False).cast(pl.Int64) / 1e9
    day0 = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp()
    return day0 + clock + pl.col(s.TIME)


def _date_notes(frame: pl.DataFrame, table: pl.DataFrame) -> list[str]:
    """The note counting the ``DPt Time`` stamps that do not read as a date (those that
    read but lie outside 1970-2100 are nulled and counted by the registry)."""
    notes = []
    if DATE in frame.columns and s.UNIX_TIME in table.columns:
        stated = frame.get_column(DATE).str.strip_chars().fill_null("") != ""
        unread = int((stated & table.get_column(s.UNIX_TIME).is_null()).sum())
        if unread:
            notes.append(f"{unread} DPt Time stamps do not read as a date: Unix Time null there")
    return notes


def _typed(raw: pl.DataFrame, time_col: str) -> pl.DataFrame:
    """Add the test time [s] and a clean ``State``; done once, before validation."""
    return raw.with_columns(_time_seconds(time_col).alias(s.TIME), pl.col(STATE).str.strip_chars())


def _canonical(frame: pl.DataFrame, start: dt.datetime | None) -> pl.DataFrame:
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
    unix = _unix_time(frame, start)
    if unix is not None:
        exprs.append(unix.alias(s.UNIX_TIME))
    return s.conform(stage.select(exprs))


@reader("maccor_text", suffixes=(".txt",), sniff=sniff_text, time_field="DPt Time stamps")
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
        if b"\x00" in head[:1024]:
            raise ReadError(
                f"{path}: binary Maccor raw data file (not readable); "
                "export it as text from Maccor MIMS"
            )
        raise ReadError(f"{path}: text without a 'Rec#' table header; not a Maccor export")
    lines = text.splitlines()
    names = lines[skip].rstrip("\r").split("\t")
    macnet = names[0] == "Rec"
    renames, factors = macnet_columns(path, names) if macnet else mims_milli_columns(names)
    names = [renames.get(n, n) for n in names]
    time_col = next((c for c in TIME_COLUMNS if c in names), None)
    missing = [c for c in ("Cyc#", "Step", "Amps", "Volts", STATE) if c not in names]
    if time_col is None or missing:
        raise ReadError(f"{path}: Maccor table lacks columns {missing or ['test time']}")
    wanted = [time_col, "Cyc#", "Step", "Amp-hr", "Watt-hr", "Amps", "Volts", STATE, DATE]
    wanted = [c for c in wanted if c in names]
    data_lines = [line for line in lines[skip + 1 : skip + 4] if line.strip()]
    first = data_lines[0].split("\t") if data_lines else []
    volts = first[names.index("Volts")] if len(first) > names.index("Volts") else ""
    decimal_comma = "," in volts
    inverse = {v: k for k, v in renames.items()}
    raw, cut, line_notes = _load_table(
        path, skip, [inverse.get(c, c) for c in wanted], decimal_comma, renames
    )
    raw = raw.rename({k: v for k, v in renames.items() if k in raw.columns})
    raw = raw.filter(~pl.all_horizontal(pl.all().is_null()))  # blank lines
    unit_notes = []
    if macnet:
        seconds, unit = macnet_time_factor(path, raw)
        test_time = pl.col("TestTime").str.strip_chars().str.replace(",", ".")
        raw = raw.with_columns(
            (test_time.cast(pl.Float64, strict=False) * seconds).alias(s.TIME),
            pl.col(STATE).str.strip_chars(),
            *[(pl.col(c) * f).alias(c) for c, f in factors.items() if f != 1.0],
        )
        unit_notes.append(
            f"MacNet export: units from the column headers; TestTime in {unit} "
            "(matched to the DPT Time clock, the header gives none)"
        )
    else:
        raw = _typed(raw, time_col).with_columns(
            (pl.col(c) * f).alias(c) for c, f in factors.items() if c in raw.columns
        )
        if factors:
            unit_notes.append(
                "milliampere export ("
                + ", ".join(inverse[c] for c in factors if c in inverse)
                + "): converted to A, Ah, Wh"
            )
    frame = raw.filter(pl.all_horizontal(pl.col("Volts", "Amps", "Cyc#", s.TIME).is_not_null()))
    skipped = raw.height - frame.height
    if frame.height == 0:
        raise ReadError(f"{path}: Maccor table holds no readable records")
    header = parse_header(lines[:skip])
    start = _header_date(header.get("Date of Test", header.get("Started", "")))
    table = _canonical(frame, start)
    date_notes = _date_notes(frame, table)
    notes = [TZ_NOTE, *unit_notes, *date_notes]
    unsigned = frame.filter((pl.col(STATE) == "D") & (pl.col("Amps") > 0))
    if unsigned.height:
        notes.append(
            f"Amps unsigned in file ({unsigned.height} discharge records); sign from State"
        )
    if skipped:
        notes.append(f"{skipped} records with unreadable time, voltage, current or cycle left out")
    notes += line_notes
    skipped += cut
    if decimal_comma:
        notes.append("decimal commas")
    meta = RunMeta(
        source=str(path),
        source_format="maccor_text",
        instrument="Maccor",
        cell_name=PureWindowsPath(header.get("Filename", header.get("Name", ""))).stem or path.stem,
        channel=header.get("Tester Channel", header.get("Channel", "")),
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
