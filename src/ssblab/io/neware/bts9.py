"""Decoders for BTS 9 ``.nda`` files (file versions 129/130): float records in data blocks.

The header (and, in long tests, a chain of further 1024-byte headers) points
at the data blocks. BTS 9.0 writes 88-byte records with separate charge and
discharge counters; BTS 9.1 writes 52, 56 or 60-byte records with one signed
counter each for capacity and energy and the test time instead of the step
time. The record length is not in the file: it is the known length whose
grid lines up with the record tags. Returned frames follow the raw-frame
contract of :mod:`ssblab.io.neware.common`.
"""

from __future__ import annotations

import struct

import numpy as np

from ssblab.errors import ReadError
from ssblab.io.neware.records import (
    DATA_ID,
    MAGIC,
    OTHER_KINDS,
    census,
    decoder_facts,
    record_view,
    require,
    shortfall,
)

# --- BTS 9.0 (nda 130, record version 2/3): 88-byte float records -----------
_BTS90 = np.dtype(
    {
        "names": [
            "kind", "step_index", "step_type", "index", "step_us", "volt", "curr",
            "chg", "echg", "dchg", "edchg", "unix_us",
        ],
        "formats": ["u1", "u1", "u1", "<u4", "<u8"] + ["<f4"] * 6 + ["<u8"],
        "offsets": [4, 9, 10, 16, 28, 36, 40, 52, 56, 60, 64, 68],
        "itemsize": 88,
    }
)  # fmt: skip
# --- BTS 9.1 (nda 130, record version 19/42): 52/56/60-byte float records ---
_BTS91_HEAD = {
    "kind": ("<u2", 0),
    "step_index": ("u1", 2),
    "step_type": ("u1", 3),
    "index": ("<u4", 8),
    "total_s": ("<u4", 12),
    "total_ns": ("<u4", 16),
    "curr": ("<f4", 20),
    "volt": ("<f4", 24),
    "cap": ("<f4", 28),
    "energy": ("<f4", 32),
}
_BTS91_TAILS = {
    52: {"cycle": ("<u4", 36), "unix_s": ("<u4", 44), "unix_ns": ("<u4", 48)},
    56: {"cycle": ("<u4", 36), "unix_s": ("<u4", 44), "unix_ns": ("<u4", 48), "temp": ("<f4", 52)},
    60: {"unix_s": ("<u4", 36), "unix_ns": ("<u4", 40), "temp": ("<f4", 48), "cycle": ("<u4", 52)},
}


def _bts91_dtype(length: int) -> np.dtype:
    fields = {**_BTS91_HEAD, **_BTS91_TAILS[length]}
    return np.dtype(
        {
            "names": list(fields),
            "formats": [f for f, _ in fields.values()],
            "offsets": [o for _, o in fields.values()],
            "itemsize": length,
        }
    )


def _bts9_blocks(buf: bytes, path: object) -> list[tuple[int, int]]:
    """(begin, length) of every data block of a BTS 9 file (chained 1024-byte headers)."""
    begin, length = struct.unpack_from("<QQ", buf, 82)
    if begin != 0 or buf[1024:1030] != MAGIC:
        require(0 < begin < len(buf), path, "BTS 9 .nda: data block pointer lies outside the file")
        return [(begin, length)]
    blocks: list[tuple[int, int]] = []
    head, seen = 1024, set()
    while head not in seen and head + 258 <= len(buf) and buf[head : head + 6] == MAGIC:
        seen.add(head)
        b, n = struct.unpack_from("<QQ", buf, head + 82)
        if n:
            blocks.append((b, n))
        fb, fn = struct.unpack_from("<QQ", buf, head + 242)
        head = fb + fn
    require(bool(blocks), path, "BTS 9 .nda: the header chain names no data block")
    return blocks


def bts9_columns(buf: bytes, path: object) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """A BTS 9 ``.nda``'s records as raw NumPy columns plus header facts (no Polars)."""
    blocks = _bts9_blocks(buf, path)
    begin = blocks[0][0]
    if buf[begin + 4] == DATA_ID:
        parts = [record_view(buf, b, n, _BTS90) for b, n in blocks]
        allrec = np.concatenate(parts)
        skipped, notes = census(allrec["kind"], {DATA_ID}, OTHER_KINDS)
        cut, cut_notes = shortfall(len(buf), blocks, _BTS90.itemsize)
        rec = allrec[allrec["kind"] == DATA_ID]
        facts = decoder_facts("unix", skipped + cut, notes + cut_notes)
        return _bts90_columns(rec), {**facts, "bts": "9.0"}
    length = _bts91_length(buf, blocks, path)
    ident = buf[begin : begin + 2]
    allrec = np.concatenate([record_view(buf, b, n, _bts91_dtype(length)) for b, n in blocks])
    tag = int.from_bytes(ident, "little")
    skipped, notes = census(allrec["kind"], {tag}, {})
    cut, cut_notes = shortfall(len(buf), blocks, length)
    rec = allrec[allrec["kind"] == tag]
    facts = decoder_facts("unix", skipped + cut, notes + cut_notes)
    return _bts91_columns(rec), {**facts, "bts": "9.1"}


def _bts91_length(buf: bytes, blocks: list[tuple[int, int]], path: object) -> int:
    """Record length of a BTS 9.1 file: the known length whose grid lines up with the tags."""
    begin, n = blocks[0]
    tag = int.from_bytes(buf[begin : begin + 2], "little")
    for length in sorted(_BTS91_TAILS):
        rows = min(n // length, 64)
        if rows == 0 or any(size % length for _, size in blocks):
            continue
        grid = np.frombuffer(buf, dtype=np.uint8, count=rows * length, offset=begin)
        grid = grid.reshape(rows, length)
        tags = grid[:, 0].astype(np.int64) | (grid[:, 1].astype(np.int64) << 8)
        if bool((tags == tag).all()):
            return length
    raise ReadError(f"{path}: BTS 9.1 .nda records have an unknown length (tried 52, 56, 60)")


def _bts90_columns(rec: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "index": rec["index"],
        "step_index": rec["step_index"],
        "step_type": rec["step_type"],
        "step_time_s": rec["step_us"] / 1e6,
        "voltage_V": rec["volt"].astype(np.float64),
        "current_A": rec["curr"].astype(np.float64) / 1000.0,
        "chg_Ah": np.abs(rec["chg"].astype(np.float64)) / 3.6e6,
        "dchg_Ah": np.abs(rec["dchg"].astype(np.float64)) / 3.6e6,
        "chg_Wh": np.abs(rec["echg"].astype(np.float64)) / 3.6e6,
        "dchg_Wh": np.abs(rec["edchg"].astype(np.float64)) / 3.6e6,
        "unix_time_s": rec["unix_us"] / 1e6,
    }


def _bts91_columns(rec: np.ndarray) -> dict[str, np.ndarray]:
    cap = rec["cap"].astype(np.float64) / 3.6e6
    energy = rec["energy"].astype(np.float64) / 3.6e6
    columns = {
        "index": rec["index"],
        "vendor_cycle": rec["cycle"].astype(np.int64) + 1,
        "step_index": rec["step_index"],
        "step_type": rec["step_type"],
        "total_time_s": rec["total_s"] + rec["total_ns"] / 1e9,
        "voltage_V": rec["volt"].astype(np.float64),
        "current_A": rec["curr"].astype(np.float64) / 1000.0,
        "chg_Ah": np.maximum(cap, 0.0),
        "dchg_Ah": np.maximum(-cap, 0.0),
        "chg_Wh": np.maximum(energy, 0.0),
        "dchg_Wh": np.maximum(-energy, 0.0),
        "unix_time_s": rec["unix_s"] + rec["unix_ns"] / 1e9,
    }
    if "temp" in rec.dtype.names:
        columns["temperature_degC"] = rec["temp"].astype(np.float64)
    return columns
