"""The parts of an Arbin ``.res`` read without Polars: bytes, table names, metadata.

Shared by :mod:`.res` (the reader) and the light ``ssblab info`` summary
(:mod:`.summary`), so both give the same instrument, version, start time,
auxiliary column names and notes.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from ssblab.errors import ReadError
from ssblab.io.arbin.jet import JetFile
from ssblab.io.safety import read_gzip

#: Days between the OLE automation epoch (1899-12-30) and the Unix epoch.
OLE_TO_UNIX_DAYS = 25569.0
SECONDS_PER_DAY = 86400.0

DATA_TABLE = "Channel_Normal_Table"
GLOBAL_TABLE = "Global_Table"
#: Columns of ``Channel_Normal_Table`` the canonical table is built from.
WANTED = (
    "Test_ID",
    "Data_Point",
    "Test_Time",
    "DateTime",
    "Step_Index",
    "Cycle_Index",
    "Current",
    "Voltage",
    "Charge_Capacity",
    "Discharge_Capacity",
    "Charge_Energy",
    "Discharge_Energy",
)
#: Largest ``.res`` file read into memory [bytes].
MAX_RES_BYTES = 4 * 1024**3
TZ_NOTE = (
    "Arbin DateTime is the instrument PC's local clock (OLE date, zone not stored); "
    "Unix Time assumes that clock ran on UTC"
)


#: Arbin auxiliary unit (``Aux_Global_Data_Table.Unit``) -> (quantity, schema unit).
AUX_UNITS = {"C": ("Temperature", "degC"), "V": ("Voltage", "V"), "mV": ("Voltage", "mV")}
AUX_TABLE, AUX_GLOBAL = "Auxiliary_Table", "Aux_Global_Data_Table"


def load_bytes(path: Path) -> bytes:
    """Content of a ``.res`` file, gunzipped with a bound for ``.res.gz``."""
    if path.suffix.lower() == ".gz":
        return read_gzip(path)
    if path.stat().st_size > MAX_RES_BYTES:
        raise ReadError(f"{path}: {path.stat().st_size} bytes is larger than a .res file can be")
    return path.read_bytes()


def global_info(db: JetFile, tables: dict[str, int]) -> dict[str, object]:
    """First row of ``Global_Table`` (test name, channel, start date, mass...)."""
    rows = db.read_rows(db.table_def(tables[GLOBAL_TABLE]))
    return {k: v[0] for k, v in rows.items() if v}


def positive(value: object) -> float | None:
    """*value* as a positive finite float, else None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number > 0 and math.isfinite(number) else None


def ole_iso(value: object) -> str:
    """OLE automation date [days] -> ISO 8601 string (UTC rule above); '' if absent."""
    days = positive(value)
    if days is None:
        return ""
    unix = (days - OLE_TO_UNIX_DAYS) * SECONDS_PER_DAY
    return dt.datetime.fromtimestamp(unix, tz=dt.UTC).isoformat()


def identity(info: dict[str, object]) -> dict[str, str]:
    """``instrument``, ``file_version``, ``cell_name``, ``channel``, ``start_time_utc``
    from the first row of ``Global_Table``."""
    return {
        "instrument": "Arbin " + str(info.get("Software_Version", "")).strip(),
        "file_version": str(info.get("Schedule_Version", "") or ""),
        "cell_name": str(info.get("Test_Name", "") or ""),
        "channel": str(info.get("Channel_Index", "") or ""),
        "start_time_utc": ole_iso(info.get("Start_DateTime")),
    }


def aux_units(db: JetFile, tables: dict[str, int]) -> dict[tuple[int, int], str]:
    """(Auxiliary_Index, Data_Type) -> unit text, from ``Aux_Global_Data_Table``."""
    units: dict[tuple[int, int], str] = {}
    if AUX_GLOBAL in tables:
        info = db.read_rows(db.table_def(tables[AUX_GLOBAL]))
        for idx, kind, unit in zip(
            info.get("Auxiliary_Index", []),
            info.get("Data_Type", []),
            info.get("Unit", []),
            strict=False,
        ):
            units[(int(idx), int(kind))] = str(unit or "").strip()
    return units


def aux_channel(
    idx: int, kind: int, units: dict[tuple[int, int], str], temperature_free: bool
) -> tuple[str, str, str]:
    """Column name, ``dX/dt`` column name and note of auxiliary channel (*idx*, *kind*).

    The first temperature channel (*temperature_free*: none taken yet) is named
    ``Temperature`` (then ``Ambient Temperature / degC``); the others ``Aux <k>
    <Quantity> / <unit>`` with *k* = *idx* + 1. The note lacks the count of
    records without a value, which the caller appends.
    """
    unit_text = units.get((int(idx), int(kind)), "")
    quantity, unit = AUX_UNITS.get(unit_text, ("Value", "1"))
    k = int(idx) + 1
    name = f"Aux {k} {quantity} / {unit}"
    if quantity == "Temperature" and temperature_free:
        name = "Temperature"
    shown = "Ambient Temperature / degC" if name == "Temperature" else name
    note = f"auxiliary channel {k} (unit {unit_text or 'not stored'}) kept as {shown}"
    return name, f"Aux {k} {quantity} dX/dt / {unit}/s", note
