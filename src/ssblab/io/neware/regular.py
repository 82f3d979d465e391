"""Neware BTS "regular" CSV export: cycle, step and record rows in one file.

Registered as ``neware_regular_csv``.

Layout (three header lines, then rows of three kinds, told apart by which of
the first fields are empty)::

    Cycle Index,Chg. Cap.(Ah),DChg. Cap.(Ah),...          a cycle row: field 0 set
    ,Step Index,Step Number,Step Type,Step Time,...       a step row: field 1 set
    ,,DataPoint,Time,Total Time,Current(A),Voltage(V),Capacity(Ah),Energy(Wh),Date,...

The first cycle row also carries the first step's fields (from field 8 on).
A record belongs to the cycle and step rows above it. ``Capacity``/``Energy``
count from zero in each step; the step type (``CC Chg``, ``CC DChg``,
``Rest``...) says whether a step charges or discharges. Units are read from
the record header (A or mA, V or mV, Ah or mAh, Wh or mWh), never assumed.
``Total Time`` is ``hh:mm:ss`` (hours past 24 allowed): the test time, to the
second. ``Date`` is the tester PC's wall clock (zone not stored: read as UTC).
``T1`` (unit printed as ``?``, the export's rendering of the degree sign) is
the first thermocouple, in degC; ``V1`` the first auxiliary voltage. The
export's aux statistics (max, min, mean) are derived and left out.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io._tabular import cut_last_line
from ssblab.io.arbin.common import increments, step_count
from ssblab.io.neware.common import step_type_names
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

FIRST_LINE = b"Cycle Index,Chg. Cap.("
RECORD_MARK = b",,DataPoint,"
_UNIT = re.compile(r"^(.*)\(([^()]*)\)$")
FACTORS = {"A": 1.0, "mA": 1e-3, "V": 1.0, "mV": 1e-3, "Ah": 1.0, "mAh": 1e-3, "Wh": 1.0}
FACTORS |= {"mWh": 1e-3}
#: Record quantity -> (canonical column, units it may have).
RECORD_QUANTITIES = {
    "Current": (s.CURRENT, ("A", "mA")),
    "Voltage": (s.VOLTAGE, ("V", "mV")),
    "Capacity": ("capacity", ("Ah", "mAh")),
    "Energy": ("energy", ("Wh", "mWh")),
}
TZ_NOTE = "Neware Date is the tester PC's local clock (zone not stored); taken as UTC"
MAX_BYTES = 2 * 1024**3


def sniff(head: bytes, path: Path) -> bool:
    """A regular export starts with the cycle header and has the record header third."""
    lines = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 3)
    return len(lines) > 2 and lines[0].startswith(FIRST_LINE) and lines[2].startswith(RECORD_MARK)


def _seconds(text: pl.Expr) -> pl.Expr:
    """``hh:mm:ss[.f]`` (hours may exceed 24) -> seconds; null when it does not parse."""
    parts = text.str.strip_chars().str.split(":")
    h, m, sec = (
        parts.list.get(k, null_on_oob=True).cast(pl.Float64, strict=False) for k in range(3)
    )
    return pl.when(parts.list.len() == 3).then(h * 3600.0 + m * 60.0 + sec)


def _record_columns(path: Path, header: list[str]) -> dict[str, tuple[int, float]]:
    """Canonical target -> (field index, unit factor) from the record header line."""
    found: dict[str, tuple[int, float]] = {}
    for k, name in enumerate(header):
        match = _UNIT.match(name.strip())
        if match is None or match.group(1) not in RECORD_QUANTITIES:
            continue
        target, allowed = RECORD_QUANTITIES[match.group(1)]
        if match.group(2) not in allowed:
            raise ReadError(f"{path}: record column {name!r} has an unknown unit")
        found[target] = (k, FACTORS[match.group(2)])
    missing = [q for q, (t, _) in RECORD_QUANTITIES.items() if t not in found]
    if missing or "Total Time" not in header:
        raise ReadError(f"{path}: regular export's record header lacks {missing or ['Total Time']}")
    return found


def _ragged_records(body: bytes, at: tuple[int, int]) -> tuple[bytes, int, list[str]]:
    """Leave out record rows (those starting ``,,``) whose comma count differs from the
    usual one of record rows (a stray comma, decimal commas: shifted values). *at* is
    (lines, bytes) before *body* in the file. Returns the text, how many, the note."""
    lines = body.split(b"\n")
    counts = [ln.count(b",") if ln.startswith(b",,") else -1 for ln in lines]
    widths = Counter(c for c in counts if c >= 0)
    if not widths:
        return body, 0, []
    usual = widths.most_common(1)[0][0]
    bad = [i for i, c in enumerate(counts) if c >= 0 and c != usual]
    if not bad:
        return body, 0, []
    byte = at[1] + sum(len(ln) + 1 for ln in lines[: bad[0]])
    note = (
        f"{len(bad)} record rows have another number of fields than the usual {usual + 1} "
        f"(first at line {at[0] + bad[0] + 1}, byte {byte}: a stray comma or decimal "
        "commas); their values would be shifted, so they are left out (counted as skipped)"
    )
    drop = set(bad)
    return b"\n".join(ln for i, ln in enumerate(lines) if i not in drop), len(bad), [note]


@reader(
    "neware_regular_csv",
    suffixes=(".csv",),
    sniff=sniff,
    description="Neware BTS regular CSV export (cycle, step and record rows)",
)
def read_regular_csv(path: Path) -> Run:
    """Read a Neware BTS "regular" three-level CSV export into the canonical table."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(f"{path}: too large for a Neware CSV export")
    raw = path.read_bytes().lstrip(b"\xef\xbb\xbf")
    lines = raw.split(b"\n", 3)
    if len(lines) < 4:
        raise ReadError(f"{path}: regular export without data rows")
    record_header = lines[2].decode("utf-8", errors="replace").rstrip("\r").split(",")
    cols = _record_columns(path, record_header)
    width = max(len(record_header), len(lines[0].split(b",")) + 14)
    names = [f"f{k}" for k in range(width)]
    before = path.stat().st_size - len(lines[3])
    text, cut, cut_notes = cut_last_line(lines[3], at=(3, before))
    text, shifted, shift_notes = _ragged_records(text, at=(3, before))
    cut += shifted
    cut_notes += shift_notes
    body = pl.read_csv(
        io.BytesIO(text),
        has_header=False,
        new_columns=names,
        schema={n: pl.String for n in names},
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
    )
    kind = (
        pl.when(pl.col("f0").is_not_null())
        .then(pl.lit("cycle"))
        .when(pl.col("f1").is_not_null())
        .then(pl.lit("step"))
        .when(pl.col("f2").is_not_null())
        .then(pl.lit("record"))
        .otherwise(pl.lit("blank"))
    )
    # a cycle row may carry its first step's fields from field 8 on
    step_of_cycle = pl.col("kind") == "cycle"
    body = (
        body.with_columns(kind.alias("kind"))
        .with_columns(
            pl.when(step_of_cycle).then(pl.col("f0")).cast(pl.Int64, strict=False).alias("cycle"),
            pl.when(step_of_cycle & pl.col("f8").is_not_null())
            .then(pl.col("f8"))
            .when(pl.col("kind") == "step")
            .then(pl.col("f1"))
            .cast(pl.Int64, strict=False)
            .alias("step_index"),
            pl.when(step_of_cycle & pl.col("f8").is_not_null())
            .then(pl.col("f10"))
            .when(pl.col("kind") == "step")
            .then(pl.col("f3"))
            .alias("step_type"),
        )
        .with_columns(pl.col("cycle", "step_index", "step_type").forward_fill())
    )
    records = body.filter(pl.col("kind") == "record")
    unknown = body.filter(pl.col("kind") == "blank").height
    if records.height == 0:
        raise ReadError(f"{path}: regular export holds no record rows")
    total = record_header.index("Total Time")
    value = {t: pl.col(f"f{k}").cast(pl.Float64, strict=False) * f for t, (k, f) in cols.items()}
    step_type = pl.col("step_type").fill_null("")
    charging = step_type.str.contains("Chg") & ~step_type.str.contains("DChg")
    discharging = step_type.str.contains("DChg")
    new_step = pl.col("step_index") != pl.col("step_index").shift(1)
    staged = records.with_columns(
        _seconds(pl.col(f"f{total}")).alias(s.TIME),
        *[e.alias(t) for t, e in value.items()],
    )
    typed = staged.filter(pl.col(s.TIME).is_not_null() & pl.col(s.VOLTAGE).is_not_null())
    skipped = staged.height - typed.height
    exprs = [
        pl.col(s.TIME) - pl.col(s.TIME).first(),
        pl.col(s.VOLTAGE),
        pl.col(s.CURRENT),
        pl.col("cycle").alias(s.CYCLE),
        pl.col("step_index").alias(s.STEP_INDEX),
        step_count(pl.col("step_index"), pl.col("cycle")).alias(s.STEP_COUNT),
    ]
    for counter, (chg, dchg) in {
        "capacity": (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY),
        "energy": (s.CHARGE_ENERGY, s.DISCHARGE_ENERGY),
    }.items():
        rise = increments(pl.col(counter), restart=new_step.fill_null(True))
        exprs += [
            pl.when(charging).then(rise).otherwise(0.0).cum_sum().alias(chg),
            pl.when(discharging).then(rise).otherwise(0.0).cum_sum().alias(dchg),
        ]
    date_at = record_header.index("Date") if "Date" in record_header else None
    if date_at is not None:
        stamp = pl.col(f"f{date_at}").str.strip_chars()
        stamp = stamp.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False)
        exprs.append((stamp.dt.epoch("ms").cast(pl.Float64) / 1e3).alias(s.UNIX_TIME))
    notes = [TZ_NOTE, "Test Time from Total Time (whole seconds)"]
    for label, name in (("T1(?)", s.TEMPERATURE), ("V1(V)", "Aux 1 Voltage / V")):
        if label in record_header:
            k = record_header.index(label)
            exprs.append(pl.col(f"f{k}").cast(pl.Float64, strict=False).alias(name))
    if "T1(?)" in record_header:
        notes.append("T1 read in degC (its unit is printed as '?')")
    if skipped:
        notes.append(f"{skipped} record rows with an unreadable time or voltage left out")
    if unknown:
        notes.append(f"{unknown} rows of no known kind left out")
    notes += cut_notes
    table = s.conform(typed.select(exprs))
    cycle_rows = body.filter(pl.col("kind") == "cycle").height
    meta = RunMeta(
        source=str(path),
        source_format="neware_regular_csv",
        instrument="Neware",
        timezone="UTC",
        cycle_numbering="Neware Cycle Index (cycle rows of the export)",
        rows_skipped=skipped + unknown + cut,
        notes=tuple(notes),
        extra={"cycle_rows": str(cycle_rows), "step_types": step_type_names(typed["step_type"])},
    )
    return Run(table, meta)
