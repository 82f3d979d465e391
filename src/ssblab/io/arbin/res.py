"""Arbin ``.res`` result files (MITS Pro and MITS 7 Access databases).

Data flow: file bytes (gunzipped with a bound when the name ends in ``.gz``)
-> :class:`~ssblab.io.arbin.jet.JetFile` -> ``Channel_Normal_Table`` decoded
column-wise -> records of the first test in ``Data_Point`` order -> canonical
table (:func:`~ssblab.io.arbin.common.arbin_to_canonical`); ``Global_Table``
gives the metadata.

Timezone rule: ``DateTime`` and ``Start_DateTime`` are OLE automation dates of
the instrument PC's wall clock, and the file does not store the PC's zone. The
reader converts them as if that clock ran on UTC (``RunMeta.timezone`` is
``"UTC"`` and a note says so); ``Test Time / s`` does not depend on it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ssblab.errors import ReadError
from ssblab.io.arbin.common import (
    arbin_to_canonical,
    ole_to_unix,
)
from ssblab.io.arbin.jet import JetFile, TableDef
from ssblab.io.arbin.resfile import (
    AUX_TABLE,
    DATA_TABLE,
    GLOBAL_TABLE,
    TZ_NOTE,
    WANTED,
    aux_channel,
    aux_units,
    global_info,
    identity,
    load_bytes,
    positive,
)
from ssblab.schema import Run, RunMeta


def read_res(path: Path) -> Run:
    """Read an Arbin ``.res`` (or ``.res.gz``) file into a :class:`~ssblab.schema.Run`."""
    db = JetFile(load_bytes(path), str(path))
    tables = db.tables()
    if DATA_TABLE not in tables:
        raise ReadError(f"{path}: Access database without {DATA_TABLE}; not an Arbin .res file")
    tdef = db.table_def(tables[DATA_TABLE])
    raw, left_out = _records(db, tdef, path)
    raw, aux_columns, aux_notes = attach_aux(db, tables, raw)
    table, extra, numbering = arbin_to_canonical(raw)
    if aux_columns:
        table = table.hstack(aux_columns)
    info = global_info(db, tables) if GLOBAL_TABLE in tables else {}
    found = raw.height + sum(left_out.values())
    if found < tdef.n_rows:
        why = f"declared by {DATA_TABLE} but absent (file truncated or still being written)"
        left_out[why] = tdef.n_rows - found
    notes = [TZ_NOTE] + [f"{n} records {why}: left out" for why, n in left_out.items() if n]
    notes += aux_notes
    meta = RunMeta(
        source=str(path),
        source_format="arbin_res",
        **identity(info),
        active_mass_g=positive(info.get("MASS")),
        timezone="UTC",
        cycle_numbering=numbering,
        rows_skipped=sum(left_out.values()),
        notes=tuple(notes),
        extra=extra | {k: str(v) for k, v in info.items() if v not in (None, "")},
    )
    return Run(table, meta)


def _records(db: JetFile, tdef: TableDef, path: Path) -> tuple[pl.DataFrame, dict[str, int]]:
    """Records of the first test in ``Data_Point`` order, and counts of those left out.

    Left out (and counted, never silently): records on overflow pages, records
    of further tests, repeated ``Data_Point`` values, records without a test time.
    """
    columns, n_moved = db.fixed_columns(tdef, WANTED)
    unreadable = [c for c in ("Test_Time", "Voltage", "Current") if c not in columns]
    if unreadable:
        raise ReadError(f"{path}: {DATA_TABLE} has no readable numeric columns {unreadable}")
    frame = pl.DataFrame(columns).fill_nan(None)
    left_out = {"stored on overflow pages": n_moved}
    if "Test_ID" in frame.columns and frame.height:
        kept = frame.filter(pl.col("Test_ID") == frame["Test_ID"].min())
        left_out["of further tests in the file"] = frame.height - kept.height
        frame = kept
    if "Data_Point" in frame.columns:
        unique = frame.sort("Data_Point").unique("Data_Point", keep="first", maintain_order=True)
        left_out["repeating a Data_Point"] = frame.height - unique.height
        frame = unique
    timed = frame.filter(pl.col("Test_Time").is_not_null())
    left_out["without a test time"] = frame.height - timed.height
    if timed.height == 0:
        raise ReadError(f"{path}: {DATA_TABLE} holds no records with a test time")
    if "DateTime" in timed.columns:
        timed = timed.with_columns(ole_to_unix(pl.col("DateTime")).alias("Unix_Time"))
    return timed, left_out


def attach_aux(
    db: JetFile, tables: dict[str, int], raw: pl.DataFrame
) -> tuple[pl.DataFrame, list[pl.Series], list[str]]:
    """Auxiliary channels of ``Auxiliary_Table``, aligned to *raw* by ``Data_Point``.

    The first temperature channel becomes ``Temperature`` (then ``Ambient
    Temperature / degC``); every other channel is ``Aux <k> <Quantity> / <unit>``
    with *k* the Arbin ``Auxiliary_Index`` + 1, and each channel's stored
    ``dX_dt`` is ``Aux <k> <Quantity> dX/dt / <unit>/s`` (Arbin's own estimate).
    The unit comes from ``Aux_Global_Data_Table``; a channel whose unit is not
    in :data:`AUX_UNITS` is kept as ``Aux <k> Value / 1`` with a note.
    """
    if AUX_TABLE not in tables or "Data_Point" not in raw.columns:
        return raw, [], []
    wanted = ("Test_ID", "Data_Point", "Auxiliary_Index", "Data_Type", "X", "dX_dt")
    cols, _ = db.fixed_columns(db.table_def(tables[AUX_TABLE]), wanted)
    if not cols or "X" not in cols or len(cols["X"]) == 0:
        return raw, [], []
    aux = pl.DataFrame(cols).fill_nan(None)
    if "Test_ID" in aux.columns and "Test_ID" in raw.columns and raw.height:
        aux = aux.filter(pl.col("Test_ID") == raw["Test_ID"][0])
    units = aux_units(db, tables)
    points = raw.select("Data_Point")
    extra: list[pl.Series] = []
    notes: list[str] = []
    for (idx, kind), group in sorted(
        aux.group_by("Auxiliary_Index", "Data_Type"), key=lambda g: g[0]
    ):
        name, dxdt, note = aux_channel(idx, kind, units, "Temperature" not in raw.columns)
        joined = points.join(
            group.unique("Data_Point", keep="first").select("Data_Point", "X", "dX_dt"),
            on="Data_Point",
            how="left",
            maintain_order="left",
        )
        if name == "Temperature":
            raw = raw.with_columns(joined["X"].alias("Temperature"))
        else:
            extra.append(joined["X"].alias(name))
        if "dX_dt" in joined.columns:
            extra.append(joined["dX_dt"].alias(dxdt))
        missing = joined["X"].null_count()
        notes.append(note + (f"; {missing} records without an aux value" if missing else ""))
    return raw, extra, notes
