"""Neware BTSDA CSV exports (the record table BTSDA writes as ``.csv``).

Layout: one header line (``DataPoint,Cycle Index,Step Index,Step Type,Time,
Total Time,Current(µA),Voltage(mV),Capacity(mAs),Chg. Cap.(mAs),...,Date,...``)
then one record per line. The units in brackets depend on the BTSDA settings
(µA/mA/A, mV/V, mAs/mAh/Ah, mWs/mWh/Wh) and are read from the header. Older
BTSDA versions name the running time ``Cumulative Time``. The text is often
Windows-1252 (``µ`` is one byte) and lines may end with an extra comma.

Conversions to the canonical table:

* every quantity scaled to SI from the unit in its header;
* ``Chg. Cap.``/``DChg. Cap.`` (and energies) restart at every step; they are
  made cumulative since the start of the test. Files without them split the
  single ``Capacity`` counter by step type (``... Chg``/``... DChg``);
* Neware already signs discharge current negative; kept;
* ``Total Time`` (``H:MM:SS[.fff]``) becomes ``Test Time / s`` from 0;
* ``Date`` (no zone) becomes ``Unix Time / s``; see
  :func:`ssblab.io._tabular.instrument_timezone`;
* ``Cycle Index`` is BTSDA's own cycle number (which may fold the first
  discharge into cycle 1) and is kept as is.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import _tabular as t
from ssblab.io.neware.common import step_type_names
from ssblab.io.neware.sniff import BTSDA_SIGNATURE
from ssblab.io.neware.sniff import btsda_header as _header
from ssblab.io.neware.sniff import sniff_btsda as sniff
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

FORMAT = "neware_btsda_csv"
SIGNATURE = BTSDA_SIGNATURE
TIME_NAMES = ("Total Time", "Cumulative Time")
CLOCK = "Date"
CLOCK_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f")
#: unit text (lower case, µ as "u") -> factor to the SI unit of ssblab
SCALE = {
    "ua": 1e-6,
    "ma": 1e-3,
    "a": 1.0,
    "mv": 1e-3,
    "v": 1.0,
    "mas": 1e-3 / 3600.0,
    "as": 1.0 / 3600.0,
    "mah": 1e-3,
    "ah": 1.0,
    "mws": 1e-3 / 3600.0,
    "ws": 1.0 / 3600.0,
    "mwh": 1e-3,
    "wh": 1.0,
}
#: vendor quantity (header without unit) -> canonical column
QUANTITIES = {
    "Current": s.CURRENT,
    "Voltage": s.VOLTAGE,
    "Chg. Cap.": s.CHARGE_CAPACITY,
    "DChg. Cap.": s.DISCHARGE_CAPACITY,
    "Chg. Energy": s.CHARGE_ENERGY,
    "DChg. Energy": s.DISCHARGE_ENERGY,
    "Capacity": "capacity",
    "Energy": "energy",
}
INTEGERS = ("Cycle Index", "Step Index", "DataPoint", "Step Count")
HEADER_MAX_BYTES = 65536
_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)\s*$")


def _units(path: Path, header: list[str]) -> dict[str, tuple[str, float]]:
    """Header field -> (canonical or helper column, SI factor) for the scaled quantities."""
    found: dict[str, tuple[str, float]] = {}
    for field in header:
        match = _UNIT.match(field)
        if not match or match["name"] not in QUANTITIES:
            continue
        unit = match["unit"].strip().lower().replace("µ", "u").replace("μ", "u")
        if unit not in SCALE:
            raise ReadError(f"{path}: unknown unit {match['unit']!r} in column {field!r}")
        found[field] = (QUANTITIES[match["name"]], SCALE[unit])
    return found


def _parse(
    path: Path, header: list[str], units: dict[str, tuple[str, float]]
) -> tuple[pl.DataFrame, int, list[str]]:
    """The records, typed explicitly; only the columns the canonical table needs. Lines
    with another field count or cut off are left out: how many, and the notes why."""
    names = [name or f"_unnamed_{i}" for i, name in enumerate(header)]
    wanted = {*units, *SIGNATURE, *TIME_NAMES, CLOCK}
    dtypes: dict[str, type[pl.DataType]] = {}
    for name in names:
        if name in units:
            dtypes[name] = pl.Float64
        elif name in INTEGERS:
            dtypes[name] = pl.Int64
        else:
            dtypes[name] = pl.String
    data, cut, notes = t.checked_lines(path, path.read_bytes(), 1)
    keep = [i for i, n in enumerate(names) if n in wanted]
    frame, value_notes = t.read_counted(
        path,
        data,
        {names[i]: dtypes[names[i]] for i in keep},
        has_header=False,
        skip_lines=1,
        new_columns=names,
        infer_schema=False,
        columns=keep,
        extra_columns="ignore",
        encoding="utf8-lossy",
    )
    return frame, cut, notes + value_notes


def _counters(raw: pl.DataFrame, units: dict[str, tuple[str, float]]) -> list[pl.Expr]:
    """Cumulative charge/discharge counters from per-step vendor counters."""
    by_target = {target: (field, k) for field, (target, k) in units.items()}
    new_step = t.step_changed("Cycle Index", "Step Index")
    kind = pl.col("Step Type").fill_null("")
    discharging = kind.str.contains(r"(?i)dchg")
    charging = kind.str.contains(r"(?i)chg") & ~discharging
    exprs = []
    for single, up, down in (
        ("capacity", s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY),
        ("energy", s.CHARGE_ENERGY, s.DISCHARGE_ENERGY),
    ):
        for target, mask in ((up, charging), (down, discharging)):
            if target in by_target:
                field, k = by_target[target]
                vendor = pl.col(field).abs() * k
            elif single in by_target:
                field, k = by_target[single]
                vendor = t.directional(pl.col(field).abs() * k, mask)
            else:
                continue
            exprs.append(t.cumulative(vendor, new_step).alias(target))
    return exprs


def _clock_format(raw: pl.DataFrame) -> str:
    """Whole seconds parse several times faster; use fractions only when present."""
    if CLOCK not in raw.columns:
        return CLOCK_FORMATS[0]
    sample = raw.get_column(CLOCK).drop_nulls().head(100)
    return CLOCK_FORMATS[1] if sample.str.contains(".", literal=True).any() else CLOCK_FORMATS[0]


def _canonical(
    path: Path, raw: pl.DataFrame, units: dict[str, tuple[str, float]], tz: str
) -> tuple[pl.DataFrame, list[str]]:
    notes = ["BTSDA per-step capacity and energy counters made cumulative since test start"]
    out = [
        (pl.col(field) * k).alias(target)
        for field, (target, k) in units.items()
        if target in (s.CURRENT, s.VOLTAGE)
    ]
    time_field = next((n for n in TIME_NAMES if n in raw.columns), None)
    clock_format = _clock_format(raw)
    if time_field is not None:
        out.append(t.hms_seconds(pl.col(time_field)).alias(s.TIME))
    if CLOCK in raw.columns:
        out.append(t.unix_seconds(pl.col(CLOCK), clock_format, tz).alias(s.UNIX_TIME))
        notes.append(t.timezone_note(tz))
    if time_field is None:
        if CLOCK not in raw.columns:
            raise ReadError(f"{path}: BTSDA export has neither {TIME_NAMES} nor {CLOCK!r}")
        out.append(t.unix_seconds(pl.col(CLOCK), clock_format, tz).alias(s.TIME))
        notes.append("test time taken from the Date column")
    out += _counters(raw, units)
    out += [
        pl.col("Cycle Index").alias(s.CYCLE),
        pl.col("Step Index").alias(s.STEP_INDEX),
        t.step_count("Cycle Index", "Step Index"),
    ]
    return raw.select(out), notes


@reader(FORMAT, suffixes=(".btsda-export.csv",), sniff=sniff, description="Neware BTSDA CSV export")
def read_btsda_csv(path: Path) -> Run:
    """Read a Neware BTSDA CSV export into the canonical table.

    Parameters
    ----------
    path : Path
        The record table exported by BTSDA as CSV.

    Returns
    -------
    Run
        Canonical table (see the module notes for the conversions); records
        whose time, voltage or current cannot be decoded are counted in
        ``rows_skipped``.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        header = _header(t.decode_text(path, fh.readline(HEADER_MAX_BYTES)))
    missing = [n for n in SIGNATURE if n not in header]
    units = _units(path, header)
    targets = {target for target, _ in units.values()}
    missing += [c for c in (s.CURRENT, s.VOLTAGE) if c not in targets]
    if missing:
        raise ReadError(f"{path}: BTSDA export lacks columns {missing}")
    raw, cut, line_notes = _parse(path, header, units)
    steps = raw["Step Type"]
    tz = t.instrument_timezone(path)
    table, notes = _canonical(path, raw, units, tz)
    table, skipped = t.drop_undecodable(table, s.REQUIRED)
    table, finishing = t.tidy(table, skipped)
    notes += finishing + line_notes
    skipped += cut
    meta = RunMeta(
        source=str(path),
        source_format=FORMAT,
        instrument="Neware (BTSDA export)",
        timezone=tz,
        start_time_utc=t.start_utc(table),
        cycle_numbering="vendor (BTSDA Cycle Index)",
        rows_skipped=skipped,
        notes=tuple(notes),
        extra={"units": ", ".join(f for f in units), "step_types": step_type_names(steps)},
    )
    return Run(t.finish(table), meta)
