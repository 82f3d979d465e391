"""BioLogic EC-Lab binary ``.mpr`` files.

Layout (reverse-engineered; no public specification exists)::

    file header   52 bytes, starting with b"BIO-LOGIC MODULAR FILE"
    module ...    b"MODULE" + module header + module body, repeated to the end

A module header is either the classic one (short name 10 B, long name 25 B,
body length u4, version u4, date 8 B) or, from EC-Lab 11.50 on, a longer one
that starts its numeric part with 0xFFFFFFFF (then body length u4, version u4,
an unknown u4 and the date). The modules used here:

* ``VMP data``: record count (u4), column count, column IDs, then packed
  fixed-size records (see :mod:`ssblab.io.biologic.columns`). Data-module
  versions 2 and 3 keep a u1 column count and u2 IDs with records at byte 405
  and 406; version 0 from EC-Lab 11.50 keeps a u2 count and u2 IDs with records
  at byte 1007 (older version-0 files: u1 count, u1 IDs, records at byte 100).
* ``VMP LOG``: the acquisition start as an OLE automation date (days since
  1899-12-30, float64) at byte 585 in every file we have seen.
* ``VMP Set`` (settings) and ``VMP loop``: kept only as names in the metadata.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from ssblab.errors import ReadError
from ssblab.io.biologic.columns import UnknownColumnError, record_dtype
from ssblab.io.biologic.techniques import mpr_technique

MAGIC = b"BIO-LOGIC MODULAR FILE"
FILE_HEADER_BYTES = 52
MODULE_MAGIC = b"MODULE"

#: Module headers: short name, long name, (0xFFFFFFFF marker,) body length,
#: version, (an unknown u4,) date text.
_HEADER_CLASSIC = struct.Struct("<10s25sII8s")
_HEADER_1150 = struct.Struct("<10s25sIIII8s")
_NEW_HEADER_MARKER = 0xFFFFFFFF

#: Data-module version -> byte offset of the first record (layouts described above).
_RECORDS_AT = {2: 405, 3: 406}
_RECORDS_AT_V0 = 1007
_RECORDS_AT_V0_OLD = 100

#: Byte offsets in the LOG module where the OLE start date has been found.
_LOG_DATE_OFFSETS = (585, 465, 469, 473)
_OLE_EPOCH = dt.datetime(1899, 12, 30, tzinfo=dt.UTC)
_OLE_PLAUSIBLE_DAYS = (30000.0, 80000.0)  # 1982 .. 2119


@dataclass(frozen=True)
class Module:
    """One module of an ``.mpr`` file: its names, version, date text and body."""

    short: str
    long: str
    version: int
    date: str
    body: memoryview  # a view into the file's bytes (no copy)
    missing_bytes: int = 0  # bytes the header declares beyond the end of the file


@dataclass(frozen=True)
class MprContent:
    """What :func:`parse_mpr` found: EC-Lab-named columns and file facts."""

    arrays: dict[str, np.ndarray]  # EC-Lab name -> values (views into the file's bytes)
    module_names: tuple[str, ...]  # names only: holding the bodies would pin the file bytes
    data_version: int
    column_ids: tuple[int, ...]
    start_ole_days: float | None
    rows_declared: int
    rows_decoded: int
    rows_in_module: int
    technique: str = ""
    bytes_missing: int = 0  # of the data module, past the end of the file
    bytes_unread: int = 0  # of a record cut in the middle
    settings_body: bytes = b""

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The columns as a Polars frame (built on first use; the reader works on the arrays)."""
        return pl.DataFrame(self.arrays)


def is_mpr(head: bytes) -> bool:
    """True when *head* (the first bytes of a file) is an EC-Lab ``.mpr`` file."""
    return head.startswith(MAGIC)


def _text(field: bytes) -> str:
    """A fixed-width header text: trailing NULs dropped, Latin-1, spaces stripped."""
    return field.rstrip(b"\0").decode("latin-1").strip()


def read_modules(path: Path, raw: bytes) -> list[Module]:
    """Split the file into its modules, checking every header against the file size."""
    if not raw.startswith(MAGIC):
        raise ReadError(f"{path}: not an EC-Lab .mpr file (no 'BIO-LOGIC MODULAR FILE' header)")
    modules: list[Module] = []
    pos = FILE_HEADER_BYTES
    while pos < len(raw):
        if raw[pos : pos + len(MODULE_MAGIC)] != MODULE_MAGIC:
            raise ReadError(f"{path}: corrupt .mpr: no module header at byte {pos}")
        pos += len(MODULE_MAGIC)
        header_type = _HEADER_CLASSIC
        marker = raw[pos + 35 : pos + 39]
        if marker == _NEW_HEADER_MARKER.to_bytes(4, "little"):
            header_type = _HEADER_1150
        if pos + header_type.size > len(raw):
            raise ReadError(f"{path}: truncated .mpr: module header at byte {pos} is cut off")
        if header_type is _HEADER_1150:
            short_b, long_b, _, length, version, _, date_b = header_type.unpack_from(raw, pos)
        else:
            short_b, long_b, length, version, date_b = header_type.unpack_from(raw, pos)
        short, long, date = (_text(b) for b in (short_b, long_b, date_b))
        pos += header_type.size
        if pos + length > len(raw) and short == "VMP data" and MODULE_MAGIC not in raw[pos:]:
            # the file ends inside the data module (a test still running, a copy
            # cut short): keep what is there; the reader counts what is missing
            modules.append(
                Module(
                    short=short,
                    long=long,
                    version=version,
                    date=date,
                    body=memoryview(raw)[pos:],
                    missing_bytes=pos + length - len(raw),
                )
            )
            break
        if pos + length > len(raw):
            raise ReadError(
                f"{path}: truncated .mpr: module {short!r} declares {length} bytes "
                f"but only {len(raw) - pos} remain"
            )
        modules.append(Module(short, long, version, date, body=memoryview(raw)[pos : pos + length]))
        pos += length
    return modules


def column_layout(path: Path, body: memoryview, version: int) -> tuple[list[int], int]:
    """Column IDs and the offset of the first record in a data-module body."""
    if len(body) < 6:
        raise ReadError(f"{path}: corrupt .mpr: data module is only {len(body)} bytes")
    if version in _RECORDS_AT:
        n_cols, ids_at, id_type, records_at = body[4], 5, "<u2", _RECORDS_AT[version]
    elif version == 0 and body[5] == 0:
        n_cols = int.from_bytes(body[4:6], "little")
        ids_at, id_type, records_at = 6, "<u2", _RECORDS_AT_V0
    elif version == 0:
        n_cols, ids_at, id_type, records_at = body[4], 5, "u1", _RECORDS_AT_V0_OLD
    else:
        raise ReadError(f"{path}: unsupported .mpr data-module version {version}")
    ids_end = ids_at + n_cols * np.dtype(id_type).itemsize
    if n_cols == 0 or ids_end > min(records_at, len(body)):
        raise ReadError(f"{path}: corrupt .mpr: implausible column count {n_cols}")
    ids = np.frombuffer(body, dtype=id_type, count=n_cols, offset=ids_at)
    return ids.tolist(), records_at


def decode_arrays(
    path: Path, module: Module, columns: frozenset[str] | None = None, technique: str = ""
) -> tuple[dict[str, np.ndarray], list[int], int, int]:
    """Decode the records of the data module into EC-Lab-named NumPy arrays.

    Parameters
    ----------
    path : Path
        The file, for error messages.
    module : Module
        The ``VMP data`` module.
    columns : frozenset of str, optional
        Decode only these EC-Lab names (all when None); the others are skipped,
        which saves copying them out of the packed records.
    technique : str
        EC-Lab technique code (a few column IDs are named per technique).

    Returns the arrays (native byte order; views into the file's bytes, so
    they keep them alive, except the unpacked flags), the column IDs,
    the number of records the module declares and the number of complete
    records its body holds; the smaller of the two counts is decoded.
    """
    body = module.body
    ids, records_at = column_layout(path, body, module.version)
    try:
        record, flags = record_dtype(ids, technique)
    except UnknownColumnError as exc:
        raise ReadError(f"{path}: cannot decode .mpr records: {exc}") from None
    declared = int.from_bytes(body[:4], "little")
    complete = max(len(body) - records_at, 0) // record.itemsize
    n = min(declared, complete)
    data = np.frombuffer(body, dtype=record, count=n, offset=min(records_at, len(body)))
    wanted = (lambda name: True) if columns is None else columns.__contains__
    decoded: dict[str, np.ndarray] = {}
    for name in record.names:
        if name == "flags":
            for flag, mask in flags.items():
                if wanted(flag):
                    shift = (mask & -mask).bit_length() - 1
                    decoded[flag] = (data["flags"] & mask) >> shift
        elif wanted(name):
            field = data[name]  # a strided view of the records: no copy
            native = field.dtype.isnative
            decoded[name] = field if native else field.astype(field.dtype.newbyteorder("="))
    return decoded, ids, declared, complete


def decode_records(
    path: Path, module: Module, columns: frozenset[str] | None = None, technique: str = ""
) -> tuple[pl.DataFrame, list[int], int, int]:
    """:func:`decode_arrays` with the arrays as a Polars frame."""
    arrays, ids, declared, complete = decode_arrays(path, module, columns, technique)
    return pl.DataFrame(arrays), ids, declared, complete


def _partial_record_bytes(path: Path, module: Module, technique: str) -> int:
    """Bytes at the end of a cut data module that do not make a whole record."""
    if not module.missing_bytes:
        return 0
    ids, records_at = column_layout(path, module.body, module.version)
    size = record_dtype(ids, technique)[0].itemsize
    return max(len(module.body) - records_at, 0) % size


def start_ole_days(log: Module | None) -> float | None:
    """Acquisition start from the LOG module [days since 1899-12-30], or None."""
    if log is None:
        return None
    low, high = _OLE_PLAUSIBLE_DAYS
    for offset in _LOG_DATE_OFFSETS:
        if offset + 8 <= len(log.body):
            (days,) = struct.unpack_from("<d", log.body, offset)
            if low < days < high:
                return days
    return None


def ole_to_unix(days: float) -> float:
    """OLE automation date (local clock read as UTC) -> seconds since 1970 [s]."""
    return (_OLE_EPOCH + dt.timedelta(days=days)).timestamp()


def parse_mpr(path: Path, columns: frozenset[str] | None = None) -> MprContent:
    """Read an ``.mpr`` file into EC-Lab-named columns plus its module facts.

    *columns* limits the decoded columns to those EC-Lab names (see
    :func:`decode_records`).
    """
    raw = path.read_bytes()
    modules = read_modules(path, raw)
    data = [m for m in modules if m.short == "VMP data"]
    if len(data) != 1:
        raise ReadError(f"{path}: .mpr has {len(data)} data modules (expected one)")
    settings = next((m for m in modules if m.short == "VMP Set"), None)
    technique = "" if settings is None else mpr_technique(settings.body)
    arrays, ids, declared, complete = decode_arrays(path, data[0], columns, technique)
    log = next((m for m in modules if m.short == "VMP LOG"), None)
    return MprContent(
        arrays=arrays,
        module_names=tuple(m.short for m in modules),
        data_version=data[0].version,
        column_ids=tuple(ids),
        start_ole_days=start_ole_days(log),
        rows_declared=declared,
        rows_decoded=min(declared, complete),
        rows_in_module=complete,
        technique=technique,
        bytes_missing=data[0].missing_bytes,
        bytes_unread=_partial_record_bytes(path, data[0], technique),
        settings_body=b"" if settings is None else bytes(settings.body[:1024]),
    )
