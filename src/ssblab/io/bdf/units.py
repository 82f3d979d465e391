"""BDF columns written in other units of the spec, and test clocks that reset.

A BDF label is ``Quantity / unit``. ssblab's table keeps SI-like units (s, V,
A, Ah, Wh, degC); a file may write ``Test Time / h``, ``Voltage / mV``,
``Current / mA``, ``Charging Capacity / mAh``... Those are converted by the
factors below and named in the notes; a canonical quantity in a unit not
listed is refused, never read as if it were the canonical one.

A ``Test Time / s`` that falls back (a test restarted, files concatenated) is
stitched: each segment after a fall continues from the row before it, by the
``Unix Time / s`` step between the two rows where the file has one, else with
no gap; the notes count the falls and the rows moved.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.bdf.sniff import QUANTITIES as _QUANTITIES
from ssblab.io.bdf.sniff import quantity_label as quantity_label

#: Unit -> factor to the canonical unit, per canonical unit.
FACTORS: dict[str, dict[str, float]] = {
    "s": {"ms": 1e-3, "min": 60.0, "h": 3600.0, "d": 86400.0},
    "V": {"mV": 1e-3, "uV": 1e-6, "µV": 1e-6},
    "A": {"mA": 1e-3, "uA": 1e-6, "µA": 1e-6, "nA": 1e-9},
    "Ah": {"mAh": 1e-3, "uAh": 1e-6, "µAh": 1e-6, "As": 1 / 3600.0, "mAs": 1e-3 / 3600.0},
    "Wh": {"mWh": 1e-3, "uWh": 1e-6, "µWh": 1e-6, "Ws": 1 / 3600.0, "J": 1 / 3600.0},
    "degC": {"K": 1.0},  # offset handled below
}


def canonical_label(path: object, name: str) -> tuple[str, float | None]:
    """(canonical label, factor) for a BDF label in another unit; factor None if unchanged."""
    quantity, sep, unit = name.strip().partition(" / ")
    label = _QUANTITIES.get(quantity)
    if not sep or label is None or label == name.strip():
        return name.strip(), None
    target = label.split(" / ")[1]
    factor = FACTORS.get(target, {}).get(unit.strip())
    if factor is None:
        raise ReadError(
            f"{path}: column {name!r}: unit {unit!r} is not one of the BDF units of {label!r}"
        )
    return label, factor


def convert(table: pl.DataFrame, factors: dict[str, tuple[str, float]]) -> pl.DataFrame:
    """Scale the columns renamed from another unit (Kelvin shifted to degC)."""
    exprs = []
    for label, (unit, factor) in factors.items():
        col = pl.col(label).cast(pl.Float64)
        exprs.append((col - 273.15 if unit == "K" else col * factor).alias(label))
    return table.with_columns(exprs) if exprs else table


def stitch_time(table: pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """Make a falling ``Test Time / s`` continuous; the note counts falls and rows moved."""
    time = table.get_column(s.TIME).to_numpy().astype(np.float64)
    if time.size < 2:
        return table, None
    step = np.diff(time)
    falls = np.flatnonzero(step < 0) + 1  # first row of each new segment
    if falls.size == 0:
        return table, None
    unix = None
    if s.UNIX_TIME in table.columns:
        unix = table.get_column(s.UNIX_TIME).to_numpy().astype(np.float64)
    gap = np.zeros(falls.size)
    if unix is not None:
        unix_step = unix[falls] - unix[falls - 1]
        gap = np.where(np.isfinite(unix_step) & (unix_step >= 0), unix_step, 0.0)
    # each segment starts at the previous row's (stitched) time plus the gap
    offsets = np.zeros(time.size)
    shift = 0.0
    bounds = np.r_[falls, time.size]
    for k, start in enumerate(falls):
        shift += time[start - 1] + gap[k] - time[start]
        offsets[start : bounds[k + 1]] = shift
    how = "by the Unix Time step" if unix is not None else "with no gap"
    note = (
        f"Test Time fell back {falls.size} time(s); {int(time.size - falls[0])} rows after "
        f"the first fall stitched on {how}"
    )
    return table.with_columns(pl.Series(s.TIME, time + offsets)), note
