"""Arbin CSV and XLSX exports: headers with or without units, to Arbin raw names.

Three header styles occur in the wild (all in ``shared/data/arbin``):

* MITS Pro / MITS 7 "Data_Point,Test_Time,DateTime,..." (no units in the
  names; ``DateTime`` in Unix seconds), with an optional ``<stem>_Metadata.csv``
  beside it;
* Arbin Data Watcher / XLSX "Test_Time(s), Current(A), Date_Time, ..." (unit in
  parentheses; ``Date_Time`` a wall-clock date);
* public-archive exports "Time_s, Current_A, Charge_Capacity_Ah, Datenum_d"
  (unit after an underscore; ``Datenum_d`` a MATLAB serial date [days]).

:func:`rename_map` maps any of them onto the ``Channel_Normal_Table`` names
with a unit factor, so one canonical conversion serves all.
"""

from __future__ import annotations

import re

import polars as pl

#: Normalised header (lower case, letters and digits only) -> (Arbin name, factor).
HEADER_MAP: dict[str, tuple[str, float]] = {
    "testtime": ("Test_Time", 1.0),
    "testtimes": ("Test_Time", 1.0),
    "times": ("Test_Time", 1.0),
    "current": ("Current", 1.0),
    "currenta": ("Current", 1.0),
    "currentma": ("Current", 1e-3),
    "voltage": ("Voltage", 1.0),
    "voltagev": ("Voltage", 1.0),
    "voltagemv": ("Voltage", 1e-3),
    "cycleindex": ("Cycle_Index", 1.0),
    "stepindex": ("Step_Index", 1.0),
    "step": ("Step_Index", 1.0),
    "temperature": ("Temperature", 1.0),
    "temperaturec": ("Temperature", 1.0),
    "temperaturec1": ("Temperature", 1.0),
    "celltemperaturec": ("Temperature", 1.0),
    "datetime": ("DateTime", 1.0),
    "datenumd": ("Datenum", 1.0),
}
for _q in ("Charge_Capacity", "Discharge_Capacity"):
    _k = _q.replace("_", "").lower()
    HEADER_MAP |= {_k: (_q, 1.0), _k + "ah": (_q, 1.0), _k + "mah": (_q, 1e-3)}
for _q in ("Charge_Energy", "Discharge_Energy"):
    _k = _q.replace("_", "").lower()
    HEADER_MAP |= {_k: (_q, 1.0), _k + "wh": (_q, 1.0), _k + "mwh": (_q, 1e-3)}

#: Days between MATLAB's day 0 (year 0) and the Unix epoch.
DATENUM_TO_UNIX_DAYS = 719529.0
#: Wall-clock formats of ``Date_Time`` in Arbin exports.
DATE_FORMATS = ("%m/%d/%Y %H:%M:%S%.f", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f")
#: Header names, spelt exactly so (Arbin capitalises them), that identify an Arbin export;
#: other vendors' lower-case ``cycle_index`` or ``test_time_s`` do not.
SIGNATURE = {"Cycle_Index", "Step_Index", "Data_Point", "Test_Time", "Test_Time(s)"}


def normalise(header: str) -> str:
    """Lower-case letters and digits of *header* (``"Test_Time(s)"`` -> ``"testtimes"``)."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def rename_map(columns: list[str]) -> dict[str, tuple[str, float]]:
    """Header -> (Arbin raw name, unit factor) for the headers that are recognised.

    The first header mapping to a given raw name wins (``Temperature (C)_1``
    before ``_2``); auxiliary channels after it get BDF-style names
    (:func:`aux_columns`).
    """
    base = _base_map(columns)
    return base | aux_columns(columns, base)[0]


def _base_map(columns: list[str]) -> dict[str, tuple[str, float]]:
    """The :data:`HEADER_MAP` part of :func:`rename_map`."""
    out: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for col in columns:
        hit = HEADER_MAP.get(normalise(col))
        if hit and hit[0] not in taken:
            out[col] = hit
            taken.add(hit[0])
    return out


#: Unit at the end of an export header: ``(C)``, ``_C``, ``(V)``, ``_mV``...
_UNIT_TAIL = re.compile(r"(?:\(\s*(?P<p>[^()]*?)\s*\)|_(?P<u>[A-Za-z°]+))\s*(?:_\d+)?$")
_AUX_UNITS = {"C": "degC", "°C": "degC", "degC": "degC", "V": "V", "mV": "mV"}


def _unit_of(header: str) -> str:
    """Schema unit stated at the end of *header* ("" when none or not known)."""
    m = _UNIT_TAIL.search(header.strip())
    return _AUX_UNITS.get((m["p"] or m["u"] or "") if m else "", "")


def aux_columns(
    columns: list[str], mapped: dict[str, tuple[str, float]]
) -> tuple[dict[str, tuple[str, float]], list[str]]:
    """Auxiliary temperatures and voltages kept as ``Aux <k> <Quantity> / <unit>``.

    As for a ``.res``: the first temperature column is ``Temperature`` (ambient,
    in *mapped*); the k-th temperature column (k >= 2, header order) becomes
    ``Aux k Temperature / degC`` and the k-th auxiliary voltage
    ``Aux k Voltage / V``. The unit is read from the header; a temperature
    header without one (``Temp2``) takes the unit the first temperature header
    states, said in the returned notes; without any stated unit it is not kept.
    """
    temps = [c for c in columns if "temp" in normalise(c)]
    first = next((c for c in temps if mapped.get(c, ("",))[0] == "Temperature"), None)
    first_unit = _unit_of(first) if first else ""
    out: dict[str, tuple[str, float]] = {}
    notes: list[str] = []
    for k, col in enumerate((c for c in temps if c != first), start=2):
        if col in mapped or first is None:
            continue
        unit = _unit_of(col)
        if not unit and first_unit == "degC":
            unit = "degC"
            notes.append(f"{col!r} states no unit: taken as degC, the unit of {first!r}")
        if unit == "degC":
            out[col] = (f"Aux {k} Temperature / degC", 1.0)
    volts = [c for c in columns if re.match(r"^aux\w*voltage", normalise(c)) and c not in mapped]
    for k, col in enumerate(volts, start=1):
        unit = _unit_of(col)
        if unit in ("V", "mV"):
            out[col] = (f"Aux {k} Voltage / V", 1e-3 if unit == "mV" else 1.0)
    return out, notes


def looks_like_arbin(columns: list[str]) -> bool:
    """True when the headers are those of an Arbin export (time, V, I and cycle)."""
    names = {HEADER_MAP[n][0] for n in map(normalise, columns) if n in HEADER_MAP}
    has_id = bool(SIGNATURE & {c.strip() for c in columns})
    return has_id and {"Test_Time", "Voltage", "Current", "Cycle_Index"} <= names


def to_raw(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Rename and scale an export's columns to Arbin raw names; add ``Unix_Time``.

    Returns the raw frame and notes on the time conversion used.
    """
    base = _base_map(frame.columns)
    aux, notes = aux_columns(frame.columns, base)
    mapping = base | aux
    exprs = []
    for col, (name, factor) in mapping.items():
        if name in ("DateTime", "Datenum"):
            unix, note = _unix_time(frame[col], name)
            if unix is not None:
                exprs.append(unix.alias("Unix_Time"))
                notes.append(note)
            continue
        value = pl.col(col).cast(pl.Float64, strict=False)
        exprs.append((value * factor if factor != 1.0 else value).alias(name))
    return frame.select(exprs), notes


def _unix_time(series: pl.Series, kind: str) -> tuple[pl.Expr | None, str]:
    """Expression giving Unix time [s] from an export's date column, and a note."""
    col = pl.col(series.name)
    if kind == "Datenum":
        expr = (col.cast(pl.Float64, strict=False) - DATENUM_TO_UNIX_DAYS) * 86400.0
        return expr, "Datenum_d (MATLAB days) taken as UTC"
    if series.dtype.is_numeric():
        return col.cast(pl.Float64), "DateTime taken as Unix seconds (UTC)"
    if isinstance(series.dtype, pl.Datetime):
        expr = col.dt.replace_time_zone(None).dt.epoch("us").cast(pl.Float64) / 1e6
        return expr, "Date_Time is the PC's wall clock (zone not stored); taken as UTC"
    if series.dtype == pl.String:
        parsed = pl.coalesce(
            [col.str.strip_chars().str.to_datetime(f, strict=False) for f in DATE_FORMATS]
        )
        expr = parsed.dt.epoch("us").cast(pl.Float64) / 1e6
        return expr, "Date_Time is the PC's wall clock (zone not stored); taken as UTC"
    return None, ""
