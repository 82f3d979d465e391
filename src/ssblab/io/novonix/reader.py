"""Novonix HPC (high-precision charger) CSV exports.

Layout: ``[Summary]`` ``key: value`` lines, ``[Protocol]`` text, then ``[Data]``
followed by a header and one record per line. Novonix's exporter wraps whole
lines in double quotes (the header opens with a quote that closes at the end
of the line); those quotes are removed, as no field of the data holds a comma.

Conversions to the canonical table:

* ``Run Time (h)`` -> seconds, shifted so the first record is at 0.
* One ``Capacity (Ah)`` (and ``Energy (Wh)``) counter that restarts when the
  current changes direction; it is split by direction into the charge and
  discharge counters and made cumulative since the start of the test.
* Direction comes from the step type (1 CC charge, 7/8 CC-CV charge CC/CV part;
  2 CC discharge, 9/10 CC-CV discharge CC/CV part), else from the current's
  sign; the current is signed positive for charge accordingly.
* ``Date and Time`` (12-hour clock, no zone) -> ``Unix Time / s``; see
  :func:`ssblab.io._tabular.instrument_timezone`.

A Novonix per-cycle summary (``*_metadata.csv``, a ``Cycle,...,Qc,Qd`` table)
is recognised and refused with a clear message: it holds no time series.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import _tabular as t
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

FORMAT = "novonix_csv"
DATA_MARK = "[Data]"
HEAD_MAX_BYTES = 4 * 1024**2
CHARGE_STEP_TYPES = (1, 7, 8)
DISCHARGE_STEP_TYPES = (2, 9, 10)
CLOCK_FORMAT = "%Y-%m-%d %I:%M:%S %p"

TIME_H = "Run Time (h)"
VOLTAGE = "Potential (V)"
CURRENT = "Current (A)"
CAPACITY = "Capacity (Ah)"
ENERGY = "Energy (Wh)"
CYCLE = "Cycle Number"
STEP = "Step Number"
STEP_TYPE = "Step Type"
CLOCK = "Date and Time"
TEMPERATURE = "Temperature (°C)"
FLOATS = (TIME_H, VOLTAGE, CURRENT, CAPACITY, ENERGY, TEMPERATURE)
INTEGERS = (CYCLE, STEP, STEP_TYPE)
SUMMARY_SIGNATURE = ("Cycle", "Qc", "Qd", "CE")


def _is_cycle_summary(text: str) -> bool:
    first = text.splitlines()[0] if text else ""
    fields = {f.strip() for f in first.split(",")}
    return all(name in fields for name in SUMMARY_SIGNATURE)


def sniff(head: bytes, path: Path) -> bool:
    """True for a Novonix export (``[Summary]`` banner naming Novonix) or cycle summary."""
    text = t.sniff_text(head)
    banner = text.lstrip("\ufeff").startswith("[Summary]") and "Novonix" in text[:400]
    return banner or _is_cycle_summary(text)


def _split(path: Path) -> tuple[dict[str, str], bytes]:
    """Summary key/value pairs and the bytes from the header line of ``[Data]`` on."""
    data = path.read_bytes()
    first_line = t.decode_text(path, data[:4096].split(b"\n", 1)[0])
    if _is_cycle_summary(first_line):
        raise ReadError(
            f"{path}: a Novonix per-cycle summary, not a time series; "
            "read the data file it belongs to"
        )
    mark = data.find(b"\n" + DATA_MARK.encode(), 0, HEAD_MAX_BYTES)
    if mark < 0:
        raise ReadError(f"{path}: no {DATA_MARK} section; not a complete Novonix export")
    body = data[data.index(b"\n", mark + 1) + 1 :]
    return _summary(t.decode_text(path, data[:mark])), body


def _summary(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("[End Summary]"):
            break
        key, sep, value = line.partition(":")
        if sep and key.strip():
            pairs[key.strip()] = value.strip()
    return pairs


def _parse(path: Path, body: bytes) -> tuple[pl.DataFrame, int, list[str]]:
    """Records with explicit dtypes; whole-line quotes removed first. Lines with another
    field count or cut off are left out: how many, and the notes why."""
    first = body.split(b"\n", 1)[0].strip()
    if first.startswith(b'"'):
        body = body.replace(b'"', b"")
    header = [f.strip() for f in t.decode_text(path, body.split(b"\n", 1)[0]).split(",")]
    missing = [c for c in (TIME_H, VOLTAGE, CURRENT) if c not in header]
    if missing:
        raise ReadError(f"{path}: Novonix [Data] header lacks columns {missing}")
    dtypes = {c: pl.Float64 for c in FLOATS if c in header}
    dtypes.update({c: pl.Int64 for c in INTEGERS if c in header})
    wanted = [c for c in header if c in dtypes or c == CLOCK]
    # positions in the notes are the file's (exact unless quotes were removed above)
    before = path.stat().st_size - len(body)
    lines = path.read_bytes()[:before].count(b"\n")
    data, cut, notes = t.checked_lines(path, body, 1, at=(lines, before))
    frame, value_notes = t.read_counted(
        path,
        data,
        dtypes,
        has_header=True,
        columns=wanted,
        infer_schema=False,
        truncate_ragged_lines=True,  # only rows one trailing comma longer (checked above)
        encoding="utf8-lossy",
    )
    return frame, cut, notes + value_notes


def _direction(columns: list[str]) -> pl.Expr:
    """+1 charge, -1 discharge, 0 rest: by step type where known, else current sign."""
    by_sign = pl.col(CURRENT).sign()
    if STEP_TYPE not in columns:
        return by_sign
    kind = pl.col(STEP_TYPE)
    return (
        pl.when(kind.is_in(CHARGE_STEP_TYPES))
        .then(1.0)
        .when(kind.is_in(DISCHARGE_STEP_TYPES))
        .then(-1.0)
        .otherwise(by_sign)
    )


def _canonical(raw: pl.DataFrame, tz: str) -> pl.DataFrame:
    cols = raw.columns
    raw = raw.with_columns(_direction(cols).alias("_dir"))
    new_step = t.step_changed(*[c for c in (CYCLE, STEP) if c in cols])
    charging, discharging = pl.col("_dir") > 0, pl.col("_dir") < 0
    out = [
        (pl.col(TIME_H) * 3600.0).alias(s.TIME),
        pl.col(VOLTAGE).alias(s.VOLTAGE),
        pl.when(pl.col("_dir") != 0)
        .then(pl.col(CURRENT).abs() * pl.col("_dir"))
        .otherwise(pl.col(CURRENT))
        .alias(s.CURRENT),
    ]
    for vendor, up, down in (
        (CAPACITY, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY),
        (ENERGY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY),
    ):
        if vendor in cols:
            q = pl.col(vendor).abs()
            out.append(t.cumulative(t.directional(q, charging), new_step).alias(up))
            out.append(t.cumulative(t.directional(q, discharging), new_step).alias(down))
    if CYCLE in cols:
        out.append(pl.col(CYCLE).alias(s.CYCLE))
    if STEP in cols:
        out += [pl.col(STEP).alias(s.STEP_INDEX), t.step_count(*[c for c in (CYCLE, STEP)])]
    if CLOCK in cols:
        out.append(t.unix_seconds(pl.col(CLOCK), CLOCK_FORMAT, tz).alias(s.UNIX_TIME))
    if TEMPERATURE in cols:
        out.append(pl.col(TEMPERATURE).alias(s.TEMPERATURE))
    return raw.select(out)


@reader(FORMAT, suffixes=(), sniff=sniff, description="Novonix HPC CSV export")
def read_novonix_csv(path: Path) -> Run:
    """Read a Novonix CSV export into the canonical table.

    Parameters
    ----------
    path : Path
        The ``.csv`` file written by Novonix's software.

    Returns
    -------
    Run
        Canonical table (see the module notes for the conversions); records
        whose time, potential or current cannot be decoded are counted in
        ``rows_skipped``.
    """
    path = Path(path)
    summary, body = _split(path)
    raw, shifted, line_notes = _parse(path, body)
    raw, skipped = t.drop_undecodable(raw, (TIME_H, VOLTAGE, CURRENT))
    tz = t.instrument_timezone(path)
    table = _canonical(raw, tz)
    table, finishing = t.tidy(table, skipped, "time, potential or current")
    notes = [
        "Novonix direction-wise capacity/energy counter split into charge and discharge "
        "and made cumulative since test start",
        "current signed by step type (charge +, discharge -)",
        "Temperature (°C) taken as Ambient Temperature",
    ]
    if CLOCK in raw.columns:
        notes.append(t.timezone_note(tz))
    notes += finishing
    notes += line_notes
    skipped += shifted
    mass_g = _cell_value(summary, "Mass (g)", notes)
    area_cm2 = _cell_value(summary, "Area (cm2)", notes)
    meta = RunMeta(
        source=str(path),
        source_format=FORMAT,
        instrument="Novonix HPC",
        active_mass_g=mass_g,
        area_cm2=area_cm2,
        file_version=summary.get("Version", ""),
        cell_name=summary.get("Cell", ""),
        channel=summary.get("Channel", ""),
        timezone=tz,
        start_time_utc=t.start_utc(table),
        cycle_numbering="vendor (Novonix Cycle Number)",
        rows_skipped=skipped,
        notes=tuple(notes),
        extra={k: v for k, v in summary.items() if v},
    )
    return Run(t.finish(table), meta)


#: The value Novonix's software fills in when the user sets no mass or area.
NOVONIX_DEFAULT = 1.0


def _cell_value(summary: dict[str, str], key: str, notes: list[str]) -> float | None:
    """A positive ``Mass (g)`` / ``Area (cm2)`` of the summary; 1.000 (unset) is not used."""
    try:
        value = float(summary.get(key, "").strip())
    except ValueError:
        return None
    if value == NOVONIX_DEFAULT:
        notes.append(
            f"header {key} {summary[key].strip()} taken as Novonix's unset default: not used "
            "(give the cell's mass or area to ssblab if it is real)"
        )
        return None
    return value if value > 0 else None
