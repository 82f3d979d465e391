"""LANDT (Wuhan LAND) battery tester CSV exports.

Layout read here: a short preamble of ``key: value`` lines (cell model, cell
id, test, nominal capacity, ...), padded with commas, then one header line
with unit-suffixed names (``test_time_s``, ``current_A``, ``voltage_V``,
``charge_capacity_Ah``, ...) and one record per line. Records often carry one
more field than the header (a trailing comma): those ragged lines are read,
the empty tail is dropped.

Conversions to the canonical table:

* LANDT resets its capacity and energy counters at every step; they are made
  cumulative since the start of the test (see :func:`ssblab.io._tabular.cumulative`).
* LANDT already uses positive current for charge; the sign is kept.
* ``Test Time / s`` is shifted so the first record is at 0 (the shift is noted).
* The wall clock (``date_time_iso_string``, despite its name in US
  ``MM/DD/YYYY hh:mm:ss`` order) has no zone; see
  :func:`ssblab.io._tabular.instrument_timezone`.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import _tabular as t
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

FORMAT = "landt_csv"

#: Vendor header -> canonical column, for the values taken over as they are.
DIRECT = {
    "test_time_s": s.TIME,
    "voltage_V": s.VOLTAGE,
    "current_A": s.CURRENT,
    "cycle_index": s.CYCLE,
    "step_index": s.STEP_INDEX,
}
#: Vendor per-step counters -> canonical cumulative counters.
COUNTERS = {
    "charge_capacity_Ah": s.CHARGE_CAPACITY,
    "discharge_capacity_Ah": s.DISCHARGE_CAPACITY,
    "charge_energy_Wh": s.CHARGE_ENERGY,
    "discharge_energy_Wh": s.DISCHARGE_ENERGY,
}
CLOCK = "date_time_iso_string"
TEMPERATURE = "temperature_1_C"
INTEGER_COLUMNS = ("cycle_index", "step_index")
#: Header fields that identify this layout (all must be present).
SIGNATURE = ("cycle_index", "step_index", "test_time_s", "current_A", "voltage_V")
REQUIRED = ("test_time_s", "voltage_V", "current_A")
PREAMBLE_MAX_LINES = 50
#: a preamble value that is only a unit means the field was left empty
BARE_UNITS = ("", "Ah", "mAh", "Wh", "mWh", "V", "A", "mA")
#: (how a value starts, strptime format) of the wall-clock layouts seen in LANDT exports
CLOCK_FORMATS = (
    (r"\d{1,2}/\d{1,2}/\d{4} ", "%m/%d/%Y %H:%M:%S"),
    (r"\d{4}-\d{2}-\d{2} ", "%Y-%m-%d %H:%M:%S"),
    (r"\d{4}-\d{2}-\d{2}T", "%Y-%m-%dT%H:%M:%S"),
)


def _fields(line: str) -> list[str]:
    return [f.strip() for f in line.rstrip("\r\n").split(",")]


def _is_header(line: str) -> bool:
    fields = set(_fields(line))
    return all(name in fields for name in SIGNATURE)


def sniff(head: bytes, path: Path) -> bool:
    """True when a header line with the LANDT column names is in the first lines."""
    lines = t.sniff_text(head).splitlines()[:PREAMBLE_MAX_LINES]
    return any(_is_header(line) for line in lines)


def _preamble_pair(line: str) -> tuple[str, str] | None:
    """``key: value`` from a preamble line; ``key:unit,value`` gives ``key [unit]``."""
    key, sep, rest = ",".join(f for f in _fields(line) if f).partition(":")
    fields = [f.strip() for f in rest.split(",")]
    if fields and fields[0] in BARE_UNITS[1:]:
        key, fields = f"{key.strip()} [{fields[0]}]", fields[1:]
    value = ",".join(f for f in fields if f)
    return (key.strip(), value) if sep and key.strip() and value else None


def _split_preamble(path: Path) -> tuple[int, list[str], dict[str, str]]:
    """Index of the header line, the header fields and the preamble's key/value pairs."""
    extra: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh):
            if number >= PREAMBLE_MAX_LINES:
                break
            if _is_header(line):
                header = _fields(line)
                while header and not header[-1]:
                    header.pop()
                return number, header, extra
            pair = _preamble_pair(line)
            if pair:
                extra[pair[0]] = pair[1]
    raise ReadError(f"{path}: no LANDT header line (with {', '.join(SIGNATURE)}) found")


def _clock_format(sample: str) -> str:
    """strptime format of the wall-clock column, recognised from one value."""
    for pattern, fmt in CLOCK_FORMATS:
        if re.match(pattern, sample.strip()):
            return fmt
    return CLOCK_FORMATS[0][1]


def _parse(path: Path, header_line: int, header: list[str]) -> tuple[pl.DataFrame, int, list[str]]:
    """The records the canonical table needs, typed explicitly (no inference); lines with
    another field count or cut off are left out: how many, and the notes why."""
    wanted = [n for n in header if n in DIRECT or n in COUNTERS or n in (CLOCK, TEMPERATURE)]
    dtypes = {name: pl.Float64 for name in wanted if name not in (CLOCK, *INTEGER_COLUMNS)}
    dtypes.update({name: pl.Int64 for name in INTEGER_COLUMNS if name in wanted})
    data, cut, notes = t.checked_lines(path, path.read_bytes(), header_line + 1)
    frame, value_notes = t.read_counted(
        path,
        data,
        dtypes,
        skip_lines=header_line,
        has_header=True,
        columns=wanted,
        infer_schema=False,
        truncate_ragged_lines=True,  # only a header shorter than its rows (checked above)
        encoding="utf8-lossy",
    )
    return frame, cut, notes + value_notes


def _canonical(raw: pl.DataFrame, tz: str) -> tuple[pl.DataFrame, list[str]]:
    notes: list[str] = []
    columns = [pl.col(v).alias(c) for v, c in DIRECT.items() if v in raw.columns]
    new_step = t.step_changed("cycle_index", "step_index")
    columns += [
        t.cumulative(pl.col(v), new_step).alias(c) for v, c in COUNTERS.items() if v in raw.columns
    ]
    if CLOCK in raw.columns and raw.height:
        fmt = _clock_format(str(raw.get_column(CLOCK).drop_nulls().first() or ""))
        columns.append(t.unix_seconds(pl.col(CLOCK), fmt, tz).alias(s.UNIX_TIME))
        notes.append(t.timezone_note(tz))
    if TEMPERATURE in raw.columns:
        if (raw.get_column(TEMPERATURE).fill_null(0.0) == 0.0).all():
            notes.append(f"{TEMPERATURE} is 0 throughout (no probe); left out")
        else:
            columns.append(pl.col(TEMPERATURE).alias(s.TEMPERATURE))
    columns.append(t.step_count("cycle_index", "step_index"))
    notes.append("LANDT per-step capacity and energy counters made cumulative since test start")
    return raw.select(columns), notes


@reader(FORMAT, suffixes=(".csv",), sniff=sniff, description="LANDT battery tester CSV export")
def read_landt_csv(path: Path) -> Run:
    """Read a LANDT CSV export into the canonical table.

    Parameters
    ----------
    path : Path
        The ``.csv`` file exported by LANDT's software.

    Returns
    -------
    Run
        Canonical table; per-step counters made cumulative; rows whose time,
        voltage or current cannot be decoded are counted in ``rows_skipped``.
    """
    path = Path(path)
    header_line, header, extra = _split_preamble(path)
    raw, shifted, line_notes = _parse(path, header_line, header)
    tz = t.instrument_timezone(path)
    raw, skipped = t.drop_undecodable(raw, REQUIRED)
    table, notes = _canonical(raw, tz)
    table, finishing = t.tidy(table, skipped)
    notes += finishing
    notes += line_notes
    skipped += shifted
    meta = RunMeta(
        source=str(path),
        source_format=FORMAT,
        instrument="LANDT",
        cell_name=extra.get("cell id", "") or extra.get("cell model", ""),
        timezone=tz,
        start_time_utc=t.start_utc(table),
        cycle_numbering="vendor (LANDT cycle_index)",
        rows_skipped=skipped,
        notes=tuple(notes),
        extra=extra,
    )
    return Run(t.finish(table), meta)
