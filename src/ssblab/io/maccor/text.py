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

The reader follows the data: :mod:`.header` finds the table and names its
columns and units, :mod:`.records` types the records and builds the canonical
table, and :func:`read_maccor_text` here joins them and writes the metadata.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PureWindowsPath

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.maccor.header import (
    DATE,
    STATE,
    TIME_COLUMNS,
    decimal_comma,
    header_date,
    locate_table,
    macnet_columns,
    mims_milli_columns,
    parse_header,
    sniff_text,
)
from ssblab.io.maccor.records import (
    canonical,
    date_notes,
    in_units,
    load_table,
    shift_of,
)
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

TZ_NOTE = "Maccor DPt Time is the tester PC's local clock (zone not stored); taken as UTC"


def kept(frame: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """The rows of *frame* where *condition* holds (*frame* itself when it holds on all:
    no copy of the columns)."""
    mask = frame.select(condition.alias("keep")).to_series()
    return frame if mask.all(ignore_nulls=False) is True else frame.filter(mask)


@reader("maccor_text", suffixes=(".txt",), sniff=sniff_text, time_field="DPt Time stamps")
def read_maccor_text(path: Path) -> Run:
    """Maccor MIMS text export (tab-separated, ``Rec#`` table)."""
    lines, skip = locate_table(path)
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
    comma = decimal_comma(lines, skip, names)
    inverse = {v: k for k, v in renames.items()}
    raw, cut, line_notes = load_table(
        path, skip, [inverse.get(c, c) for c in wanted], comma, renames
    )
    raw = raw.rename({k: v for k, v in renames.items() if k in raw.columns})
    raw = kept(raw, ~pl.all_horizontal(pl.all().is_null()))  # blank lines
    raw, unit_note = in_units(path, raw, time_col, factors, macnet)
    unit_notes = [unit_note] if unit_note else []
    if factors and not macnet:
        unit_notes.append(
            "milliampere export ("
            + ", ".join(inverse[c] for c in factors if c in inverse)
            + "): converted to A, Ah, Wh"
        )
    frame = kept(raw, pl.all_horizontal(pl.col("Volts", "Amps", "Cyc#", s.TIME).is_not_null()))
    skipped = raw.height - frame.height
    if frame.height == 0:
        raise ReadError(f"{path}: Maccor table holds no readable records")
    header = parse_header(lines[:skip])
    start = header_date(header.get("Date of Test", header.get("Started", "")))
    table = canonical(frame, start)
    stamp_notes = date_notes(frame, table)
    notes = [TZ_NOTE, *unit_notes, *stamp_notes]
    unsigned = int(frame.select(((pl.col(STATE) == "D") & (pl.col("Amps") > 0)).sum()).item())
    if unsigned:
        notes.append(f"Amps unsigned in file ({unsigned} discharge records); sign from State")
    if skipped:
        notes.append(f"{skipped} records with unreadable time, voltage, current or cycle left out")
    notes += line_notes
    skipped += cut
    if comma:
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
