"""Decoders for Neware ``.nda`` files: BTS 7/8 integer records (versions 5-29) and dispatch.

An ``.nda`` starts with ``NEWARE`` and its file version at byte 14. The
versions differ in where the records start and in their layout; each layout
below is a NumPy structured dtype, decoded in one ``np.frombuffer`` call.
BTS 9 files (versions 129/130) are decoded by :mod:`ssblab.io.neware.bts9`.

Two stages: :func:`decode_nda_columns` gives the raw columns as NumPy arrays
(no Polars: the light ``ssblab info`` summary of :mod:`.summary` starts from
them); :func:`decode_nda` makes them the raw frame of :mod:`ssblab.io.neware.common`.
"""

from __future__ import annotations

import re
import struct
from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import ReadError
from ssblab.io.neware.bts9 import bts9_columns
from ssblab.io.neware.codes import CHARGE_STEPS, DISCHARGE_STEPS, range_multiplier
from ssblab.io.neware.records import (
    DATA_ID,
    MAGIC,
    OTHER_KINDS,
    attach_by_index,
    census,
    civil_to_unix,
    decoder_facts,
    record_view,
    require,
    shortfall,
)

if TYPE_CHECKING:
    import polars as pl

#: Raw columns by name (the raw-frame contract of :mod:`ssblab.io.neware.common`).
Columns = dict[str, np.ndarray]
#: What a layout decoder returns: columns, auxiliary records (or None), header facts.
Decoded = tuple[Columns, np.ndarray | None, dict[str, str]]

#: versions checked row by row against a BTSDA export of the same file
VERIFIED_VERSIONS = frozenset({8, 22, 29, 130})
AUX_ID = 0x65  # record kind: auxiliary channel (temperature, voltage)


def _record86(clock: str) -> np.dtype:
    """The 86-byte record of versions 14-29; *clock* names its time field (``"stamp"``:
    year u16, month, day, hour, minute, second u8 local wall clock + 1 spare; ``"unix"``)."""
    return np.dtype(
        {
            "names": [
                "kind", "index", "cycle", "step_index", "step_type", "step_marker",
                "step_ms", "volt", "curr", "chg", "dchg", "echg", "edchg", clock, "range",
            ],
            "formats": [
                "u1", "<u4", "<u4", "<u2", "u1", "u1", "<u8", "<i4", "<i4",
                "<i8", "<i8", "<i8", "<i8", "<u8", "<i4",
            ],
            "offsets": [0, 2, 6, 10, 12, 13, 14, 22, 26, 38, 46, 54, 62, 70, 78],
            "itemsize": 86,
        }
    )  # fmt: skip


#: BTS 7/8, versions 26-29: local calendar clock
_V29 = _record86("stamp")
#: versions 14-24: the same record with a Unix clock instead of the calendar
_V22 = _record86("unix")
#: auxiliary record shared by versions 14-29
_AUX86 = np.dtype(
    {
        "names": ["kind", "channel", "index", "aux_volt", "temp"],
        "formats": ["u1", "u1", "<u4", "<i4", "<i2"],
        "offsets": [0, 1, 2, 22, 34],
        "itemsize": 86,
    }
)
# --- versions 5-8: 59-byte records, one signed step counter, whole seconds --
_V8 = np.dtype(
    {
        "names": [
            "kind", "index", "cycle", "step_index", "step_type", "step_s",
            "volt", "curr", "cap", "energy", "unix",
        ],
        "formats": ["u1", "<u4", "<u4", "u1", "u1", "<u4", "<i4", "<i4", "<i8", "<i8", "<u8"],
        "offsets": [0, 1, 5, 9, 10, 11, 15, 19, 31, 39, 47],
        "itemsize": 59,
    }
)  # fmt: skip


def file_version(buf: bytes) -> int:
    """The ``.nda`` file version (byte 14 after the ``NEWARE`` magic)."""
    return buf[14]


def decode_nda(buf: bytes, path: object) -> tuple[pl.DataFrame, dict[str, str]]:
    """Decode an ``.nda`` file's records into a raw frame plus header facts.

    Raises
    ------
    ReadError
        Not an ``.nda``, a version no layout is known for, or no records.
    """
    import polars as pl

    columns, aux, facts = decode_nda_columns(buf, path)
    raw = pl.DataFrame(columns)
    if aux is not None:
        raw = attach_by_index(raw, _aux_temperature(aux))
    return raw, facts


def decode_nda_columns(buf: bytes, path: object) -> Decoded:
    """Decode an ``.nda`` file's records into raw NumPy columns, the auxiliary records
    to attach by record index (None when the layout has none) and header facts.

    Raises
    ------
    ReadError
        Not an ``.nda``, a version no layout is known for, or no records.
    """
    require(
        len(buf) >= 1024 and buf[:6] == MAGIC, path, "not a Neware .nda file (no NEWARE header)"
    )
    version = file_version(buf)
    decoders = {8: _decode_v8, 22: _decode_v22, 29: _decode_v29, 130: _decode_bts9}
    decoders.update({5: _decode_v8, 6: _decode_v8, 7: _decode_v8, 129: _decode_bts9})
    decoders.update({v: _decode_v22 for v in (14, 16, 17, 20, 23, 24)})
    decoders.update({26: _decode_v29, 28: _decode_v29})
    if version not in decoders:
        known = ", ".join(str(v) for v in sorted(decoders))
        raise ReadError(f"{path}: .nda file version {version} is not supported (known: {known})")
    columns, aux, facts = decoders[version](buf, path)
    require(columns["index"].size > 0, path, f".nda version {version} file holds no data records")
    facts["file_version"] = f"nda {version}"
    if version not in VERIFIED_VERSIONS:
        note = (
            f".nda version {version} is decoded with the layout of its family; "
            "no BTSDA export of this version was available to verify it"
        )
        facts["record_notes"] = "\n".join(n for n in (facts.get("record_notes", ""), note) if n)
    return columns, aux, {**header_facts(buf), **facts}


def _decode_bts9(buf: bytes, path: object) -> Decoded:
    columns, facts = bts9_columns(buf, path)
    return columns, None, facts


_START = re.compile(rb"(\d{4})[-.](\d{2})[-.](\d{2}) (\d{2}:\d{2}:\d{2})")
_SERVER = re.compile(rb"(BTSServer[ -~]{1,60}|BTS_XWJ[ -~]{1,40}|\d\.\d\.\d+\.[\d.]+R\d)")


def header_facts(buf: bytes, span: int = 4096) -> dict[str, str]:
    """Test start (instrument wall clock) and software version, as text in the header."""
    head = buf[:span]
    facts: dict[str, str] = {}
    start = _START.search(head)
    if start:
        y, m, d, clock = (g.decode() for g in start.groups())
        facts["StartTime"] = f"{y}-{m}-{d} {clock}"
    server = _SERVER.search(head)
    if server:
        facts["server_version"] = server.group().decode().strip()
    return facts


def _header_block(buf: bytes, at: int) -> tuple[int, int]:
    """(begin, length) pointer pair of 32-bit integers at byte *at* of the header."""
    return struct.unpack_from("<II", buf, at)


def _default_range(buf: bytes) -> int:
    """Channel current range written in the test header (used where a record says 0)."""
    (block,) = struct.unpack_from("<I", buf, 16)
    if block + 30 > len(buf):
        return 0
    return struct.unpack_from("<i", buf, block + 26)[0]


def _integer_records(rec: np.ndarray, buf: bytes, rng: np.ndarray | int) -> dict:
    """Scale current and per-step counters of integer records to A, A·h and W·h.

    *rng* holds the records' current-range codes, or is one code for all of them
    (0: the channel default). One range for the whole test, the usual case, gives
    scalar multipliers: the same values, without two passes over the records.
    """
    if isinstance(rng, np.ndarray) and rng.size and bool((rng == rng[0]).all()):
        rng = int(rng[0])
    if isinstance(rng, np.ndarray):
        rng = rng.astype(np.int64)  # one pass over the records
        mult_ma = range_multiplier(np.where(rng == 0, _default_range(buf), rng))
    else:
        mult_ma = range_multiplier(np.array([rng or _default_range(buf)]))[0]
    to_ah = mult_ma / 3.6e6  # raw * mA·s -> A·h
    return {
        "voltage_V": rec["volt"] * 1e-4,
        "current_A": rec["curr"] * mult_ma * 1e-3,
        "scale_Ah": to_ah,
    }


def aux_temperature_columns(aux: np.ndarray) -> Columns | None:
    """First auxiliary channel's temperature [degC] by record index (None: no such record)."""
    aux = aux[aux["kind"] == AUX_ID]
    if aux.size == 0:
        return None
    first = aux["channel"].min()
    aux = aux[aux["channel"] == first]
    return {"index": aux["index"], "temperature_degC": aux["temp"].astype(np.float64) / 10.0}


def _aux_temperature(aux: np.ndarray) -> pl.DataFrame:
    """First auxiliary channel's temperature [degC] by record index (one row per index)."""
    import polars as pl

    columns = aux_temperature_columns(aux)
    if columns is None:
        return pl.DataFrame(schema={"index": pl.UInt32, "temperature_degC": pl.Float64})
    return pl.DataFrame(columns).unique("index", keep="first")


def _record86_columns(rec: np.ndarray, scale: dict, unix_s: np.ndarray) -> Columns:
    """Decoded columns of the 86-byte data records (versions 22 and 29), the clock given [s]."""
    return {
        "index": rec["index"],
        "vendor_cycle": rec["cycle"].astype(np.int64) + 1,
        "step_index": rec["step_index"],
        "step_type": rec["step_type"],
        "step_marker": rec["step_marker"],
        "step_time_s": rec["step_ms"] / 1000.0,
        "voltage_V": scale["voltage_V"],
        "current_A": scale["current_A"],
        "chg_Ah": rec["chg"] * scale["scale_Ah"],
        "dchg_Ah": rec["dchg"] * scale["scale_Ah"],
        "chg_Wh": rec["echg"] * scale["scale_Ah"],
        "dchg_Wh": rec["edchg"] * scale["scale_Ah"],
        "unix_time_s": unix_s,
    }


def _decode_v29(buf: bytes, path: object) -> Decoded:
    start = buf.find(b"\x55\x00\x01\x00\x00\x00", 1024)
    require(start >= 0, path, ".nda version 29: no first data record found")
    allrec = record_view(buf, start, 0, _V29)
    rec = _only(allrec, allrec["kind"] == DATA_ID)
    skipped, notes = census(allrec["kind"], {DATA_ID, AUX_ID}, OTHER_KINDS)
    cut, cut_notes = shortfall(len(buf), [(start, 0)], _V29.itemsize)
    skipped, notes = skipped + cut, notes + cut_notes
    scale = _integer_records(rec, buf, rec["range"])
    unix = civil_to_unix(*_calendar_fields(rec["stamp"]))
    columns = _record86_columns(rec, scale, unix)
    aux = record_view(buf, start, 0, _AUX86)
    return columns, aux, decoder_facts("local calendar", skipped, notes)


def _decode_v22(buf: bytes, path: object) -> Decoded:
    begin, length = _header_block(buf, 64)
    require(0 < begin < len(buf), path, ".nda: data block pointer lies outside the file")
    allrec = record_view(buf, begin, length, _V22)
    rec = _only(allrec, allrec["kind"] == DATA_ID)
    skipped, notes = census(allrec["kind"], {DATA_ID}, OTHER_KINDS)
    cut, cut_notes = shortfall(len(buf), [(begin, length)], _V22.itemsize)
    skipped, notes = skipped + cut, notes + cut_notes
    scale = _integer_records(rec, buf, rec["range"])
    columns = _record86_columns(rec, scale, rec["unix"].astype(np.float64))
    aux_begin, aux_length = _header_block(buf, 72)
    aux = None
    if aux_length and 0 < aux_begin < len(buf):
        aux = record_view(buf, aux_begin, aux_length, _AUX86)
    return columns, aux, decoder_facts("unix", skipped, notes)


def _decode_v8(buf: bytes, path: object) -> Decoded:
    begin, length = _header_block(buf, 64)
    require(0 < begin < len(buf), path, ".nda: data block pointer lies outside the file")
    allrec = record_view(buf, begin, length, _V8)
    is_sample = ((allrec["kind"] == 0) | (allrec["kind"] == DATA_ID)) & (allrec["index"] > 0)
    rec = _only(allrec, is_sample)
    kinds = np.where(is_sample, DATA_ID, allrec["kind"])
    skipped, notes = census(kinds, {DATA_ID}, OTHER_KINDS)
    cut, cut_notes = shortfall(len(buf), [(begin, length)], _V8.itemsize)
    skipped, notes = skipped + cut, notes + cut_notes
    scale = _integer_records(rec, buf, 0)  # version 8 keeps no range per record
    # one signed counter per step: it is charge on charge steps, discharge otherwise
    direction = _direction_of(rec["step_type"], rec["curr"])
    cap = np.abs(rec["cap"]) * scale["scale_Ah"]
    energy = np.abs(rec["energy"]) * scale["scale_Ah"]
    zero_based = buf[14] in (5, 7)
    columns = {
        "index": rec["index"],
        "vendor_cycle": rec["cycle"].astype(np.int64) + int(zero_based),
        "step_index": rec["step_index"],
        "step_type": rec["step_type"],
        "step_time_s": rec["step_s"].astype(np.float64),
        "voltage_V": scale["voltage_V"],
        "current_A": scale["current_A"],
        "chg_Ah": np.where(direction > 0, cap, 0.0),
        "dchg_Ah": np.where(direction < 0, cap, 0.0),
        "chg_Wh": np.where(direction > 0, energy, 0.0),
        "dchg_Wh": np.where(direction < 0, energy, 0.0),
        "unix_time_s": rec["unix"].astype(np.float64),
    }
    return columns, None, decoder_facts("unix", skipped, notes)


def _calendar_fields(stamp: np.ndarray) -> tuple[np.ndarray, ...]:
    """Year, month, day, hour, minute, second from the packed 8-byte calendar stamp."""
    packed = stamp.astype(np.int64)  # one pass over the records, then contiguous bit work
    year = packed & 0xFFFF
    return (year, *((packed >> shift) & 0xFF for shift in (16, 24, 32, 40, 48)))


def _only(records: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``records[keep]``, as a view (no copy) when the kept records are one run.

    The usual case: every record, or all but a header record at the start
    (version 8 files); copying ~60-byte records costs more than decoding them.
    """
    kept = np.flatnonzero(keep)
    if kept.size and kept[-1] - kept[0] + 1 == kept.size:
        return records[kept[0] : kept[-1] + 1]
    return records[keep]


def _direction_of(step_type: np.ndarray, current: np.ndarray) -> np.ndarray:
    """+1 charge, -1 discharge: by step type, by the sign of the current otherwise."""
    if step_type.dtype == np.uint8:  # one table look-up instead of two np.isin passes
        table = np.zeros(256, dtype=np.int8)
        table[list(DISCHARGE_STEPS)] = -1
        table[list(CHARGE_STEPS)] = 1  # a code in both sets counts as charge, as below
        by_type = table[step_type]
        return np.where(by_type != 0, by_type, np.sign(current))
    charge = np.isin(step_type, list(CHARGE_STEPS))
    discharge = np.isin(step_type, list(DISCHARGE_STEPS))
    return np.where(charge, 1, np.where(discharge, -1, np.sign(current)))
