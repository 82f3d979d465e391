"""``ssblab info`` of an Arbin ``.res`` without Polars: the summary from the decoded columns.

:func:`res_summary` decodes the database as the reader does
(:class:`~ssblab.io.arbin.jet.JetFile`, ``Channel_Normal_Table`` column-wise) and
computes from the NumPy columns the numbers :func:`ssblab.cli._summary.run_summary`
takes from the canonical table of :func:`ssblab.io.arbin.res.read_res`: records of
the first test in ``Data_Point`` order, cycles, test-time span, columns (auxiliary
channels included) and the same notes. It covers the usual file: no NULL test id,
record number, test time, cycle or step index, no repeated record number, no
ambiguous auxiliary record; anything else raises
:class:`~ssblab.io._light.FullReaderNeededError` and the full reader runs.
A test checks it against the full reader on every real ``.res``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ssblab import _names as n
from ssblab.io._light import FullReaderNeededError
from ssblab.io.arbin.jet import JetFile
from ssblab.io.arbin.resfile import (
    AUX_TABLE,
    DATA_TABLE,
    GLOBAL_TABLE,
    OLE_TO_UNIX_DAYS,
    SECONDS_PER_DAY,
    TZ_NOTE,
    WANTED,
    aux_channel,
    aux_units,
    global_info,
    identity,
    load_bytes,
)
from ssblab.limits import unix_times_within

Columns = dict[str, np.ndarray]
#: Columns the light summary needs without NULLs (the reader fills or drops those).
COMPLETE = ("Test_ID", "Data_Point", "Test_Time", "Cycle_Index", "Step_Index")
_COUNTERS = {
    "Charge_Capacity": n.CHARGE_CAPACITY,
    "Discharge_Capacity": n.DISCHARGE_CAPACITY,
    "Charge_Energy": n.CHARGE_ENERGY,
    "Discharge_Energy": n.DISCHARGE_ENERGY,
}


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise FullReaderNeededError(why)


def _has_nan(values: np.ndarray) -> bool:
    return values.dtype.kind == "f" and bool(np.isnan(values).any())


def _records(columns: Columns) -> tuple[Columns, dict[str, int]]:
    """Records of the first test in ``Data_Point`` order and the counts left out."""
    for name in (*COMPLETE, "Voltage", "Current"):
        _require(name in columns, f"no column {name}")
    for name in COMPLETE:
        _require(not _has_nan(columns[name]), f"NULL in {name}")
    test = columns["Test_ID"]
    _require(test.size > 0, "no records")
    keep = test == test.min()
    left_out = {"of further tests in the file": int(test.size - np.count_nonzero(keep))}
    columns = {k: v[keep] for k, v in columns.items()}
    order = np.argsort(columns["Data_Point"], kind="stable")
    points = columns["Data_Point"][order]
    _require(not bool((points[1:] == points[:-1]).any()), "a repeated Data_Point")
    return {k: v[order] for k, v in columns.items()}, left_out


def _aux(db: JetFile, tables: dict[str, int], raw: Columns) -> tuple[list[str], bool, list[str]]:
    """Names of the auxiliary columns added after the canonical ones, whether one fills
    ``Ambient Temperature / degC``, and the notes (as ``res.attach_aux``)."""
    if AUX_TABLE not in tables:
        return [], False, []
    wanted = ("Test_ID", "Data_Point", "Auxiliary_Index", "Data_Type", "X", "dX_dt")
    cols, _ = db.fixed_columns(db.table_def(tables[AUX_TABLE]), wanted)
    if not cols or "X" not in cols or len(cols["X"]) == 0:
        return [], False, []
    for name in ("Data_Point", "Auxiliary_Index", "Data_Type", "dX_dt"):
        _require(name in cols, f"no auxiliary column {name}")
    if "Test_ID" in cols:
        keep = cols["Test_ID"] == raw["Test_ID"][0]
        cols = {k: v[keep] for k, v in cols.items()}
    for name in ("Data_Point", "Auxiliary_Index", "Data_Type"):
        _require(not _has_nan(cols[name]), f"NULL in auxiliary {name}")
    units = aux_units(db, tables)
    pairs = sorted(
        set(zip(cols["Auxiliary_Index"].tolist(), cols["Data_Type"].tolist(), strict=True))
    )
    names: list[str] = []
    notes: list[str] = []
    temperature = False
    for idx, kind in pairs:
        group = (cols["Auxiliary_Index"] == idx) & (cols["Data_Type"] == kind)
        points = cols["Data_Point"][group]
        ordered = np.sort(points)  # (np.unique would import numpy.ma, ~30 ms)
        _require(not bool((ordered[1:] == ordered[:-1]).any()), "a repeated auxiliary Data_Point")
        name, dxdt, note = aux_channel(idx, kind, units, not temperature)
        if name == "Temperature":
            temperature = True
        else:
            names.append(name)
        names.append(dxdt)
        valued = points[~np.isnan(cols["X"][group].astype(np.float64))]
        missing = raw["Data_Point"].size - int(np.count_nonzero(np.isin(raw["Data_Point"], valued)))
        notes.append(note + (f"; {missing} records without an aux value" if missing else ""))
    return names, temperature, notes


def _columns(raw: Columns, shift: int, temperature: bool, aux: list[str]) -> list[str]:
    """Columns of ``arbin_to_canonical``'s table, then the auxiliary ones."""
    names = [n.TIME, n.VOLTAGE, n.CURRENT, n.STEP_INDEX]
    names += [c for a, c in _COUNTERS.items() if a in raw]
    if temperature:
        names.append(n.TEMPERATURE)
    if "DateTime" in raw:
        names.append(n.UNIX_TIME)
    names += [n.CYCLE, n.STEP_COUNT] + ([n.VENDOR_CYCLE] if shift else [])
    return n.canonical_order(names) + aux


def res_summary(path: Path) -> dict[str, Any]:
    """The ``ssblab info`` numbers of a ``.res``/``.res.gz`` (keys of ``run_summary``).

    Raises
    ------
    FullReaderNeededError
        A file outside the usual case this summary follows (module docstring).
    """
    path = Path(path)
    db = JetFile(load_bytes(path), str(path))
    tables = db.tables()
    _require(DATA_TABLE in tables, f"no {DATA_TABLE}")
    tdef = db.table_def(tables[DATA_TABLE])
    decoded, n_moved = db.fixed_columns(tdef, WANTED)
    raw, further = _records(decoded)
    left_out = {"stored on overflow pages": n_moved, **further}
    rows = int(raw["Test_Time"].size)
    if "DateTime" in raw:  # stamps outside 1970-2100: the registry's counted note
        unix = (raw["DateTime"].astype(np.float64) - OLE_TO_UNIX_DAYS) * SECONDS_PER_DAY
        _require(unix_times_within(unix), "a DateTime outside 1970-2100")
    aux, temperature, aux_notes = _aux(db, tables, raw)
    time = raw["Test_Time"].astype(np.float64) - float(raw["Test_Time"][0])
    cycles = np.sort(raw["Cycle_Index"])
    shift = max(1 - int(cycles[0]), 0)
    if rows + sum(left_out.values()) < tdef.n_rows:
        why = f"declared by {DATA_TABLE} but absent (file truncated or still being written)"
        left_out[why] = tdef.n_rows - rows - sum(left_out.values())
    notes = [TZ_NOTE] + [f"{k} records {why}: left out" for why, k in left_out.items() if k]
    info = global_info(db, tables) if GLOBAL_TABLE in tables else {}
    meta = identity(info)
    return {
        "file": str(path),
        "instrument": meta["instrument"],
        "format": "arbin_res",
        "version": meta["file_version"],
        "rows": rows,
        "vendor_cycles": 1 + int(np.count_nonzero(cycles[1:] != cycles[:-1])),
        "time_span_h": float(np.nanmax(time) - np.nanmin(time)) / 3600.0,
        "channels": [meta["channel"]] if meta["channel"] else [],
        "cell_name": meta["cell_name"],
        "start_time_utc": meta["start_time_utc"],
        "timezone": "UTC",
        "columns": _columns(raw, shift, temperature, aux),
        "rows_skipped": sum(left_out.values()),
        "notes": notes + aux_notes,
    }
