"""The canonical time-series table: column names, units, dtypes and conventions.

Every reader and every simulator in ssblab produces this table; every analysis
consumes it. It is a Polars ``DataFrame`` whose column names are the Battery
Data Format (BDF) quantity labels, with the unit in the name.

Conventions (stated here once, relied on everywhere):

* **SI units**: seconds, volts, amperes, ampere-hours, watt-hours, degC.
* **Sign**: positive current charges the cell (Li moves into the negative
  electrode of a full cell; for a symmetric cell, the "working" electrode is
  plated when current is positive). Readers flip vendors that use the other sign.
* **Time**: ``Test Time / s`` starts at 0 at the first record and never decreases.
  ``Unix Time / s`` is seconds since 1970-01-01 **UTC**; readers convert local
  instrument clocks with the timezone in the table metadata.
* **Counters**: ``Charging Capacity / Ah`` and ``Discharging Capacity / Ah`` (and
  the two energies) are *cumulative since the start of the test*, non-negative
  and non-decreasing: the charge passed while charging (discharging) so far.
  Vendors that reset per step or per cycle are converted by their reader, so the
  capacity of cycle *n* is the rise of the counter across the cycle, whatever the
  cycle numbering.
* **Cycles**: ``Cycle Count / 1`` starts at 1. Readers say in
  ``RunMeta.cycle_numbering`` which rule they used and keep the vendor's own
  number in ``Vendor Cycle / 1`` where it differs.

Columns beyond these are allowed and kept (after the canonical ones); a
reader names an auxiliary channel ``Aux <k> <Quantity> / <unit>`` (e.g.
``Aux 2 Temperature / degC``), the first temperature probe going to
``Ambient Temperature / degC``.

EIS spectra use their own small table (:data:`EIS_COLUMNS`): ``Z = Z' + j Z''``
with ``Z Imag / Ohm`` the true imaginary part (negative for a capacitive arc).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import polars as pl

from ssblab._names import (  # the labels live apart from Polars (light code paths)
    BDF_MACHINE,
    CE_POTENTIAL,
    CHARGE_CAPACITY,
    CHARGE_ENERGY,
    CURRENT,
    CYCLE,
    DISCHARGE_CAPACITY,
    DISCHARGE_ENERGY,
    FREQUENCY,
    REQUIRED,
    STEP_COUNT,
    STEP_INDEX,
    TEMPERATURE,
    TIME,
    UNIX_TIME,
    VENDOR_CYCLE,
    VOLTAGE,
    WE_POTENTIAL,
    Z_IMAG,
    Z_REAL,
)
from ssblab._names import (
    BDF_MACHINE_TO_LABEL as BDF_MACHINE_TO_LABEL,
)
from ssblab.errors import SchemaError

_DTYPES: dict[str, type[pl.DataType]] = {
    TIME: pl.Float64,
    VOLTAGE: pl.Float64,
    CURRENT: pl.Float64,
    UNIX_TIME: pl.Float64,
    CYCLE: pl.Int64,
    STEP_COUNT: pl.Int64,
    STEP_INDEX: pl.Int64,
    CHARGE_CAPACITY: pl.Float64,
    DISCHARGE_CAPACITY: pl.Float64,
    CHARGE_ENERGY: pl.Float64,
    DISCHARGE_ENERGY: pl.Float64,
    TEMPERATURE: pl.Float64,
    VENDOR_CYCLE: pl.Int64,
    WE_POTENTIAL: pl.Float64,
    CE_POTENTIAL: pl.Float64,
}
#: column -> (Polars dtype, BDF machine name or None for an ssblab extension)
COLUMNS: dict[str, tuple[type[pl.DataType], str | None]] = {
    c: (_DTYPES[c], m) for c, m in BDF_MACHINE.items()
}

# --- EIS spectra -------------------------------------------------------------
EIS_COLUMNS: dict[str, type[pl.DataType]] = {
    FREQUENCY: pl.Float64,
    Z_REAL: pl.Float64,
    Z_IMAG: pl.Float64,
    CYCLE: pl.Int64,
}

Kind = Literal["measured", "simulated"]


@dataclass(frozen=True)
class RunMeta:
    """Table-level metadata that travels with a :class:`Run`.

    Attributes
    ----------
    source : str
        File the data came from, or a description of the simulation.
    source_format : str
        Registered reader name (``"neware_ndax"``, ...) or ``"simulation"``.
    instrument, file_version : str
        As found in the file; empty when unknown.
    cell_name, channel : str
        As found in the file or given by the user.
    active_mass_g : float or None
        Mass of the electrode active material [g] (normalises mAh/g).
    area_cm2 : float or None
        Electrode area [cm2] (normalises mA/cm2 and mAh/cm2).
    timezone : str
        IANA name of the instrument clock, used to make ``Unix Time / s`` UTC.
    start_time_utc : str
        ISO 8601 start of the test in UTC; empty when the file has none.
    cycle_numbering : str
        The rule behind ``Cycle Count / 1`` (e.g. "vendor", "BTSDA Cycle Index").
    cell_type : str
        ``"full"``, ``"cathode_half"``, ``"anode_half"``, ``"symmetric"``,
        ``"three_electrode"`` or ``""`` (unknown: recognised from the data).
    chemistry : str
        Free text from the file header, sidecar or recipe (``"NCM622|LPSC|Li-Al"``).
    kind : "measured" or "simulated"
    rows_skipped : int
        Records the reader could not decode and left out (never silently).
    notes : tuple of str
        Human-readable remarks from the reader (conversions applied, skips).
    extra : dict
        Anything else worth keeping (vendor header fields), as strings.
    """

    source: str = ""
    source_format: str = ""
    instrument: str = ""
    file_version: str = ""
    cell_name: str = ""
    channel: str = ""
    active_mass_g: float | None = None
    area_cm2: float | None = None
    timezone: str = "UTC"
    start_time_utc: str = ""
    cycle_numbering: str = "vendor"
    cell_type: str = ""
    chemistry: str = ""
    kind: Kind = "measured"
    rows_skipped: int = 0
    notes: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise to a JSON string (stable keys)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunMeta:
        """Parse the JSON written by :meth:`to_json`; unknown keys are ignored."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"table metadata is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise SchemaError("table metadata must be a JSON object")
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        for name, value in known.items():
            _check_meta_type(name, value)
        if "notes" in known:
            known["notes"] = tuple(str(n) for n in known["notes"])
        if "extra" in known:
            known["extra"] = {str(k): str(v) for k, v in dict(known["extra"]).items()}
        return cls(**known)

    def with_(self, **changes: Any) -> RunMeta:
        """Return a copy with *changes* applied (the metadata is immutable)."""
        return replace(self, **changes)


#: JSON types of the RunMeta fields that are not text (:meth:`RunMeta.from_json`).
_META_JSON_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "active_mass_g": ((int, float, type(None)), "a number or null"),
    "area_cm2": ((int, float, type(None)), "a number or null"),
    "rows_skipped": ((int,), "a whole number"),
    "notes": ((list,), "a list"),
    "extra": ((dict,), "an object"),
}


def _check_meta_type(name: str, value: Any) -> None:
    """Refuse a metadata field of the wrong JSON type (``"active_mass_g": "heavy"``)."""
    types, words = _META_JSON_TYPES.get(name, ((str,), "text"))
    if isinstance(value, bool) or not isinstance(value, types):
        raise SchemaError(
            f"table metadata field {name!r} must be {words}, got {json.dumps(value)[:40]}"
        )


@dataclass(frozen=True, repr=False)
class Run:
    """One cell run, measured or simulated: the canonical table plus its metadata."""

    table: pl.DataFrame
    meta: RunMeta = field(default_factory=RunMeta)

    def __post_init__(self) -> None:
        validate(self.table)

    @property
    def n_rows(self) -> int:
        """Number of records."""
        return self.table.height

    def __repr__(self) -> str:
        from ssblab._repr import run_repr

        return run_repr(self)

    def _repr_html_(self) -> str:
        from ssblab._repr import run_html

        return run_html(self)

    def plot(self, kind: str = "voltage", **options: Any) -> Any:
        """Draw this run (``ssblab.plotting.plot``): ``run.plot("capacity", style="slide")``."""
        from ssblab.plotting import plot

        return plot(kind, self, **options)


def validate(table: pl.DataFrame) -> pl.DataFrame:
    """Check that *table* follows the canonical schema and return it unchanged.

    Raises
    ------
    SchemaError
        Listing every missing required column and every column of the wrong dtype.
    """
    if not isinstance(table, pl.DataFrame):
        raise SchemaError(f"expected a polars DataFrame, got {type(table).__name__}")
    schema = table.schema  # built once: each .schema call builds a new Schema
    problems = [f"missing column {c!r}" for c in REQUIRED if c not in schema]
    for name, dtype in schema.items():
        expected = COLUMNS.get(name, (None, None))[0] or EIS_COLUMNS.get(name)
        if expected is not None and dtype != expected:
            problems.append(f"column {name!r} is {dtype}, expected {expected}")
    if problems:
        raise SchemaError("table does not follow the ssblab schema: " + "; ".join(problems))
    return table


def conform(table: pl.DataFrame) -> pl.DataFrame:
    """Cast known columns to their canonical dtype and order them canonically.

    Unknown columns are kept, after the canonical ones. Used by readers as the
    last step, so that every reader returns exactly the same dtypes.
    """
    casts = [pl.col(c).cast(COLUMNS[c][0]) for c in table.columns if c in COLUMNS]
    ordered = [c for c in COLUMNS if c in table.columns]
    rest = [c for c in table.columns if c not in COLUMNS]
    return table.with_columns(casts).select(ordered + rest)


def validate_eis(table: pl.DataFrame) -> pl.DataFrame:
    """Check an EIS spectrum table (frequency, Z real, Z imag) and return it."""
    missing = [c for c in (FREQUENCY, Z_REAL, Z_IMAG) if c not in table.columns]
    if missing:
        raise SchemaError(f"EIS table lacks columns {missing}")
    return table
