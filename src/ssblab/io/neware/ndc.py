"""Decoders for the ``.ndc`` members of a Neware ``.ndax`` archive (ndc versions 2-17).

An ``.ndc`` starts with its file type (byte 0: 1 main data, 3 auxiliary
pointer, 5 auxiliary channel, 7 step table, 18 run info) and version (byte 2).
From version 5 on, the file is a series of 4096-byte pages after a one-page
header; each page has a validity bitmap at byte 4 and fixed-size rows from
byte 132. Version 2 uses 512-byte pages with the bitmap at byte 4 and rows
from byte 5; its 94-byte records are the version-5 record with 7 more bytes
after the record marker (checked against fastnda's output of
``scrubbed_ndc2.ndax``), and its auxiliary channel lives in a member named by
``data_Aux.ndc``. From version 11
on, one test is split over several members: ``data.ndc`` holds only voltage
and current, ``data_runInfo.ndc`` the clocks and counters of the recorded
rows, ``data_step.ndc`` one row per step (cycle, step index, step type).
Each layout is a NumPy structured dtype; a page set is decoded in one view.
The ``*_columns`` functions give NumPy columns (no Polars: the light ``ssblab
info`` summary starts from them); the ``decode_*`` ones make them frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import ReadError
from ssblab.io.neware.codes import range_multiplier
from ssblab.io.neware.records import civil_to_unix

if TYPE_CHECKING:
    import polars as pl

Columns = dict[str, np.ndarray]

PAGE = 4096
ROWS_AT = 132
PAGE_V2, ROWS_AT_V2 = 512, 5
MAIN, AUX_POINTER, AUX, STEP, RUNINFO = 1, 3, 5, 7, 18


def _dt(fields: list[tuple[str, str, int]], itemsize: int) -> np.dtype:
    return np.dtype(
        {
            "names": [n for n, _, _ in fields],
            "formats": [f for _, f, _ in fields],
            "offsets": [o for _, _, o in fields],
            "itemsize": itemsize,
        }
    )


# main data, versions 14 and 17: voltage [V], current [A]; version 11/16: [0.1 mV], [mA]
_MAIN_FLOAT = _dt([("volt", "<f4", 0), ("curr", "<f4", 4)], 8)
# main data, version 5: the complete BTS 8 record, integer coded
_MAIN_V5 = _dt(
    [
        ("kind", "u1", 0), ("index", "<u4", 1), ("cycle", "<u4", 5), ("step_index", "u1", 9),
        ("step_type", "u1", 10), ("step_ms", "<u8", 16), ("volt", "<i4", 24), ("curr", "<i4", 28),
        ("chg", "<i8", 36), ("dchg", "<i8", 44), ("echg", "<i8", 52), ("edchg", "<i8", 60),
        ("year", "<u2", 68), ("month", "u1", 70), ("day", "u1", 71), ("hour", "u1", 72),
        ("minute", "u1", 73), ("second", "u1", 74), ("range", "<i4", 75),
    ],
    87,
)  # fmt: skip
_V2_SHIFT = 7  # bytes between the record marker and the version-5 fields
_MAIN_V2 = _dt(
    [("kind", "u1", 0)]
    + [
        (n, _MAIN_V5.fields[n][0].str, _MAIN_V5.fields[n][1] + _V2_SHIFT)
        for n in _MAIN_V5.names[1:]
    ],
    94,
)
_AUX_FLOAT = _dt([("value", "<f4", 0)], 4)
_AUX_V16 = _dt([("kind", "u1", 0), ("volt", "<f4", 1), ("temp", "<i2", 5)], 7)
_AUX_V5 = _dt([("index", "<u4", 1), ("volt", "<i4", 24), ("temp", "<i2", 34)], 87)
_AUX_V2 = _dt(
    [("kind", "u1", 0), ("index", "<u4", 8), ("volt", "<i4", 31), ("temp", "<i2", 41)], 94
)
_STEP_V14 = _dt([("cycle", "<u4", 0), ("step_index", "<u4", 4), ("step_type", "u1", 24)], 37)
_STEP_V17 = _dt([("cycle", "<u4", 0), ("step_index", "<u4", 4), ("step_type", "u1", 24)], 100)
_RUN_FIELDS = [
    ("step_ms", "<u4", 0), ("chg", "<f4", 5), ("dchg", "<f4", 9), ("echg", "<f4", 13),
    ("edchg", "<f4", 17), ("dt_ms", "<i4", 29), ("unix", "<u4", 33), ("step", "<u4", 37),
    ("index", "<u4", 41), ("unix_ms", "<i2", 45),
]  # fmt: skip
_RUN_V14 = _dt(_RUN_FIELDS, 55)
_RUN_V17 = _dt(_RUN_FIELDS, 100)
#: run-info counter unit per version, in A·h per stored unit (A·h in 14 and 17, mA·s in 16)
_RUN_TO_AH = {14: 1.0, 16: 1 / 3.6e6, 17: 1.0}


def header(buf: bytes, name: str, path: object) -> tuple[int, int]:
    """(file type, version) of an ``.ndc`` member; refuses members too short to hold one."""
    if len(buf) < 3:
        raise ReadError(f"{path}: member {name!r} is too short to be a Neware .ndc")
    return buf[0], buf[2]


def paged_rows(
    buf: bytes, dtype: np.dtype, page: int = PAGE, rows_at: int = ROWS_AT
) -> tuple[np.ndarray, np.ndarray]:
    """All row slots of a paged ``.ndc`` and a mask of the valid ones.

    *page* and *rows_at* are the page size and the first row's offset in a
    page [bytes] (4096 and 132 from version 5 on, 512 and 5 in version 2).

    Returns
    -------
    rows : structured ndarray
        Every slot, page after page (slot *k* is record number *k + 1*).
    valid : ndarray of bool
        The page bitmaps: True where a slot holds a record.
    """
    pages = len(buf) // page - 1
    if pages <= 0:
        return np.zeros(0, dtype=dtype), np.zeros(0, dtype=bool)
    per_page = (page - rows_at - 1) // dtype.itemsize if page == PAGE else 5
    block = np.frombuffer(buf, dtype=np.uint8, count=pages * page, offset=page).reshape(pages, page)
    bits = np.unpackbits(block[:, 4 : 4 + (per_page + 7) // 8], axis=1, bitorder="little")
    valid = bits[:, :per_page].astype(bool).ravel()
    span = block[:, rows_at : rows_at + per_page * dtype.itemsize]
    rows = np.ascontiguousarray(span).view(dtype).reshape(pages * per_page)
    return rows, valid


def undecodable_main_rows(buf: bytes, version: int) -> int:
    """Valid row slots of a version-5 ``data.ndc`` that are not sample records."""
    if version == 2:
        rows, valid = paged_rows(buf, _MAIN_V2, PAGE_V2, ROWS_AT_V2)
    elif version == 5:
        rows, valid = paged_rows(buf, _MAIN_V5)
    else:
        return 0
    return int(np.count_nonzero(valid & (rows["kind"] != 0x55)))


def decode_main(buf: bytes, version: int, path: object) -> pl.DataFrame:
    """``data.ndc``: a raw frame (versions 2/5, complete) or voltage/current by index (11+)."""
    import polars as pl

    return pl.DataFrame(main_columns(buf, version, path))


def main_columns(buf: bytes, version: int, path: object) -> Columns:
    """``data.ndc`` as NumPy columns (see :func:`decode_main`)."""
    if version in (11, 14, 16, 17):
        rows, valid = paged_rows(buf, _MAIN_FLOAT)
        index = np.nonzero(valid)[0] + 1
        rows = rows[valid]
        volt = rows["volt"].astype(np.float64)
        curr = rows["curr"].astype(np.float64)
        if version in (11, 16):
            volt, curr = volt * 1e-4, curr * 1e-3
        return {"index": index.astype(np.uint32), "voltage_V": volt, "current_A": curr}
    if version in (2, 5):
        layout = (_MAIN_V2, PAGE_V2, ROWS_AT_V2) if version == 2 else (_MAIN_V5, PAGE, ROWS_AT)
        rows, valid = paged_rows(buf, *layout)
        return _bts8_columns(rows[valid & (rows["kind"] == 0x55)])
    raise ReadError(
        f"{path}: data.ndc version {version} is not supported (known: 2, 5, 11, 14, 16, 17)"
    )


def empty_main_frame() -> pl.DataFrame:
    """A 0-row raw frame with every column a complete (version-5) record gives."""
    import polars as pl

    return pl.DataFrame(_bts8_columns(np.zeros(0, dtype=_MAIN_V5)))


def _bts8_columns(rec: np.ndarray) -> Columns:
    mult_ma = range_multiplier(rec["range"])
    to_ah = mult_ma / 3.6e6
    return {
        "index": rec["index"],
        "vendor_cycle": rec["cycle"].astype(np.int64) + 1,
        "step_index": rec["step_index"],
        "step_type": rec["step_type"],
        "step_time_s": rec["step_ms"] / 1000.0,
        "voltage_V": rec["volt"] * 1e-4,
        "current_A": rec["curr"] * mult_ma * 1e-3,
        "chg_Ah": rec["chg"] * to_ah,
        "dchg_Ah": rec["dchg"] * to_ah,
        "chg_Wh": rec["echg"] * to_ah,
        "dchg_Wh": rec["edchg"] * to_ah,
        "unix_time_s": civil_to_unix(
            rec["year"], rec["month"], rec["day"], rec["hour"], rec["minute"], rec["second"]
        ),
    }


def decode_runinfo(buf: bytes, version: int, path: object) -> pl.DataFrame:
    """``data_runInfo.ndc``: clocks and per-step counters of the recorded rows."""
    import polars as pl

    columns = runinfo_columns(buf, version, path)
    info = pl.DataFrame(columns)
    if columns["index"].size > 1 and increasing(columns["index"]):
        return info
    return info.unique("index", keep="first", maintain_order=True)


def increasing(index: np.ndarray) -> bool:
    """True when record numbers strictly increase (no repeat, in order)."""
    return bool(np.all(np.diff(index.astype(np.int64)) > 0))


def runinfo_columns(buf: bytes, version: int, path: object) -> Columns:
    """``data_runInfo.ndc`` as NumPy columns, repeated record numbers kept."""
    if version not in _RUN_TO_AH:
        raise ReadError(f"{path}: data_runInfo.ndc version {version} is not supported")
    rows, valid = paged_rows(buf, _RUN_V17 if version >= 16 else _RUN_V14)
    rows = rows[valid & (rows["index"] > 0)]
    to_ah = _RUN_TO_AH[version]
    return {
        "index": rows["index"],
        "step_time_s": rows["step_ms"] / 1000.0,
        "dt_s": rows["dt_ms"] / 1000.0,
        "run_step": rows["step"],
        "chg_Ah": np.abs(rows["chg"].astype(np.float64)) * to_ah,
        "dchg_Ah": np.abs(rows["dchg"].astype(np.float64)) * to_ah,
        "chg_Wh": np.abs(rows["echg"].astype(np.float64)) * to_ah,
        "dchg_Wh": np.abs(rows["edchg"].astype(np.float64)) * to_ah,
        "unix_time_s": rows["unix"] + rows["unix_ms"] / 1000.0,
    }


def decode_steps(buf: bytes, version: int, path: object) -> pl.DataFrame:
    """``data_step.ndc``: one row per executed step, in order (``step_no`` 1, 2, ...)."""
    import polars as pl

    return pl.DataFrame(steps_columns(buf, version, path))


def steps_columns(buf: bytes, version: int, path: object) -> Columns:
    """``data_step.ndc`` as NumPy columns (see :func:`decode_steps`)."""
    if version not in (11, 14, 16, 17):
        raise ReadError(f"{path}: data_step.ndc version {version} is not supported")
    rows, valid = paged_rows(buf, _STEP_V17 if version >= 16 else _STEP_V14)
    rows = rows[valid & (rows["step_index"] != 0)]
    return {
        "step_no": np.arange(1, rows.size + 1, dtype=np.int64),
        "vendor_cycle": rows["cycle"].astype(np.int64) + 1,
        "step_index": rows["step_index"],
        "step_type": rows["step_type"],
    }


def decode_aux(buf: bytes, version: int, channel_type: int | None) -> pl.DataFrame:
    """An auxiliary member: ``index`` and ``temperature_degC`` and/or ``aux_voltage_V``.

    Versions 14/17 store one float per row whose meaning comes from the channel
    type in ``TestInfo.xml`` (103 = temperature [degC], 102 = voltage [V]).
    """
    import polars as pl

    columns = aux_columns(buf, version, channel_type)
    if columns is None:
        return pl.DataFrame(schema={"index": pl.UInt32})
    frame = pl.DataFrame(columns)
    return frame.unique("index", keep="first", maintain_order=True) if version == 5 else frame


def aux_columns(buf: bytes, version: int, channel_type: int | None) -> Columns | None:
    """An auxiliary member as NumPy columns (None: a version without a layout; version 5
    keeps repeated record numbers, which :func:`decode_aux` drops)."""
    if version in (14, 17):
        rows, valid = paged_rows(buf, _AUX_FLOAT)
        index = (np.nonzero(valid)[0] + 1).astype(np.uint32)
        value = rows["value"][valid].astype(np.float64)
        name = {103: "temperature_degC", 102: "aux_voltage_V"}.get(channel_type or 0, "aux_value")
        return {"index": index, name: value}
    if version in (11, 16):
        rows, valid = paged_rows(buf, _AUX_V16)
        keep = valid & (rows["kind"] == 0x65)
        return {
            "index": (np.nonzero(keep)[0] + 1).astype(np.uint32),
            "temperature_degC": rows["temp"][keep] / 10.0,
            "aux_voltage_V": rows["volt"][keep].astype(np.float64) * 1e-4,
        }
    if version == 2:
        rows, valid = paged_rows(buf, _AUX_V2, PAGE_V2, ROWS_AT_V2)
        rows = rows[valid & (rows["kind"] == 0x74)]
        return {
            "index": rows["index"],
            "temperature_degC": rows["temp"] / 10.0,
            "aux_voltage_V": rows["volt"].astype(np.float64) * 1e-4,
        }
    if version == 5:
        rows, valid = paged_rows(buf, _AUX_V5)
        rows = rows[valid & (rows["index"] > 0)]
        return {"index": rows["index"], "temperature_degC": rows["temp"] / 10.0}
    return None


def aux_pointer(buf: bytes) -> str | None:
    """The member an ndc-2 ``data_Aux.ndc`` names (its base name), or None."""
    if len(buf) < PAGE_V2 + 3 or buf[0] != AUX_POINTER:
        return None
    text = buf[PAGE_V2 + 2 :].split(b"\x00", 1)[0].decode("latin-1", errors="replace")
    name = text.replace("\\", "/").rsplit("/", 1)[-1]
    return name if name.endswith(".ndc") else None
