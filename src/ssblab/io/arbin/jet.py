"""A small, vectorised reader of Microsoft Access (Jet 4 / ACE) database pages.

Arbin MITS Pro and MITS 7 store a test as an Access database (``.res``). This
module reads just enough of the on-disk format to pull whole tables out of it:

* the file is a sequence of fixed-size pages (4096 bytes for Jet 4 and ACE);
* a *table definition* page (type 2) lists the columns: type, fixed offset,
  length, position in the null mask, and name;
* *data* pages (type 1) hold rows; each names its table definition page and
  carries a table of row offsets;
* the system table ``MSysObjects`` (definition on page 2) maps table names to
  their definition pages.

Fixed-width numeric columns (every column of Arbin's big tables) are cut out of
all rows at once with NumPy fancy indexing, so a table of a million rows costs
a few array operations rather than a million Python calls. Text columns (small
tables only: ``Global_Table``, ``MSysObjects``) are decoded row by row.

Only reading is supported, and nothing in the file is executed: every offset is
bounds-checked against its page and a broken structure raises :class:`ReadError`.
The layout follows the public description of the format in the mdbtools
project's ``HACKING`` notes (no code was taken from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ssblab.errors import ReadError
from ssblab.io.arbin.sniff import JET_MAGIC

#: Signatures at byte 4 of the first page.
PAGE_SIZE = 4096
#: Row-offset flags of a data page: deleted row, row moved to another page.
DELETED_FLAG = 0x8000
LOOKUP_FLAG = 0x4000
OFFSET_MASK = 0x1FFF
DATA_PAGE_HEADER = 14  # Jet 4: type, 0x01, free space, tdef page, unknown, row count
MSYS_OBJECTS_PAGE = 2

#: Jet column type code -> NumPy little-endian dtype of the fixed-width value.
FIXED_DTYPES: dict[int, str] = {
    0x02: "u1",  # byte
    0x03: "<i2",  # integer
    0x04: "<i4",  # long integer
    0x05: "<i8",  # currency, 1/10000 units (scaled when decoded)
    0x06: "<f4",  # single
    0x07: "<f8",  # double
    0x08: "<f8",  # date/time as an OLE automation date [days]
    0x13: "<i8",  # big integer (ACE)
}
BOOLEAN = 0x01
TEXT_TYPES = (0x0A, 0x0C)  # text, memo (memo only when stored in the row)


@dataclass(frozen=True)
class Column:
    """One column of a table definition."""

    name: str
    type_code: int
    number: int  # position in the row's null mask (counts deleted columns)
    var_index: int  # position among variable-length columns
    fixed_offset: int  # byte offset after the 2-byte column count
    length: int
    is_fixed: bool


@dataclass(frozen=True)
class TableDef:
    """A table definition: its page, its columns and its declared row count."""

    page: int
    n_rows: int
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        """The column called *name*, or None."""
        return next((c for c in self.columns if c.name == name), None)


class JetFile:
    """An Access database held in memory as an array of pages.

    Parameters
    ----------
    data : bytes
        The whole file content.
    source : str
        The file name, used in error messages.
    """

    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        if len(data) < PAGE_SIZE or data[4:19] not in JET_MAGIC:
            raise ReadError(f"{source}: not a Microsoft Access (Jet 4/ACE) database")
        if data[0x14] == 0:
            raise ReadError(f"{source}: Jet 3 (Access 97) databases are not supported")
        n_pages = len(data) // PAGE_SIZE
        if len(data) % PAGE_SIZE:
            raise ReadError(
                f"{source}: file size {len(data)} is not a whole number of "
                f"{PAGE_SIZE}-byte pages; the file is truncated"
            )
        self.pages = np.frombuffer(data, dtype=np.uint8, count=n_pages * PAGE_SIZE).reshape(
            n_pages, PAGE_SIZE
        )
        self._raw = data
        self._tables: dict[str, int] | None = None

    # --- structure ---------------------------------------------------------
    def page(self, number: int) -> bytes:
        """The bytes of page *number* (bounds-checked)."""
        if not 0 <= number < self.pages.shape[0]:
            raise ReadError(f"{self.source}: reference to page {number} beyond the end of file")
        return self._raw[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]

    def table_def(self, page_number: int) -> TableDef:
        """Parse the table definition that starts on *page_number*."""
        blob = self._tdef_bytes(page_number)
        try:
            return _parse_tdef(blob, page_number)
        except (IndexError, ValueError, UnicodeDecodeError) as exc:
            raise ReadError(
                f"{self.source}: table definition on page {page_number} is corrupt ({exc})"
            ) from None

    def _tdef_bytes(self, first: int) -> bytes:
        """Concatenate a table definition and its continuation pages."""
        parts: list[bytes] = []
        seen: set[int] = set()
        number = first
        while number:
            if number in seen or len(seen) > 1000:
                raise ReadError(f"{self.source}: table definition pages form a loop")
            seen.add(number)
            page = self.page(number)
            if page[0] != 0x02:
                raise ReadError(f"{self.source}: page {number} is not a table definition")
            parts.append(page if not parts else page[8:])
            number = int.from_bytes(page[4:8], "little")
        return b"".join(parts)

    def tables(self) -> dict[str, int]:
        """User and system table names -> their definition page, from ``MSysObjects``."""
        if self._tables is None:
            catalog = self.read_rows(self.table_def(MSYS_OBJECTS_PAGE), ("Id", "Name", "Type"))
            if set(catalog) != {"Id", "Name", "Type"}:
                raise ReadError(f"{self.source}: the MSysObjects catalog is corrupt")
            self._tables = {
                str(name): int(obj_id) & 0x00FFFFFF
                for obj_id, name, kind in zip(
                    catalog["Id"], catalog["Name"], catalog["Type"], strict=True
                )
                if kind in (1, -32767) and name is not None and obj_id is not None
            }
        return self._tables

    def table(self, name: str) -> TableDef:
        """Definition of the table called *name*."""
        pages = self.tables()
        if name not in pages:
            raise ReadError(f"{self.source}: database has no table {name!r}")
        return self.table_def(pages[name])

    # --- rows --------------------------------------------------------------
    def row_spans(self, tdef: TableDef) -> tuple[np.ndarray, np.ndarray, int]:
        """Absolute [start, end) byte offsets of every live row of *tdef*.

        Returns
        -------
        starts, ends : ndarray of int64
        n_moved : int
            Rows stored as a pointer to another page ("lookup" rows); they are
            not followed and are reported as skipped by the caller.
        """
        pages = self.pages
        is_data = pages[:, 0] == 0x01
        owner = pages[:, 4:8].copy().view("<u4").ravel()
        numbers = np.flatnonzero(is_data & (owner == tdef.page))
        if numbers.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64), 0
        counts = pages[numbers, 12:14].copy().view("<u2").ravel().astype(np.int64)
        max_rows = (PAGE_SIZE - DATA_PAGE_HEADER) // 2
        if counts.max() > max_rows:
            raise ReadError(f"{self.source}: a data page claims {counts.max()} rows")
        width = int(counts.max())
        cols = np.arange(width)
        offset_bytes = pages[numbers, DATA_PAGE_HEADER : DATA_PAGE_HEADER + 2 * width]
        raw = offset_bytes.copy().view("<u2").astype(np.int64)
        valid = cols[None, :] < counts[:, None]
        start = raw & OFFSET_MASK
        # a row ends where the previous one (lower index, higher offset) starts
        end = np.concatenate([np.full((len(numbers), 1), PAGE_SIZE), start[:, :-1]], axis=1)
        deleted = (raw & DELETED_FLAG) != 0
        moved = (raw & LOOKUP_FLAG) != 0
        keep = valid & ~deleted & ~moved
        n_moved = int((valid & moved & ~deleted).sum())
        base = (numbers.astype(np.int64) * PAGE_SIZE)[:, None]
        starts = (base + start)[keep]
        ends = (base + end)[keep]
        bad = (ends - starts < 2) | (start[keep] < DATA_PAGE_HEADER)
        if bad.any():
            raise ReadError(f"{self.source}: {int(bad.sum())} rows have impossible offsets")
        return starts, ends, n_moved

    def fixed_columns(
        self, tdef: TableDef, names: tuple[str, ...] | None = None
    ) -> tuple[dict[str, np.ndarray], int]:
        """Decode the fixed-width numeric columns of every row at once.

        Parameters
        ----------
        tdef : TableDef
        names : tuple of str, optional
            Columns wanted; default every fixed numeric column.

        Returns
        -------
        columns : dict of name -> float64 or int64 array (NaN where NULL)
        n_moved : int
            Rows not decoded (stored on another page).
        """
        starts, ends, n_moved = self.row_spans(tdef)
        flat = self.pages.reshape(-1)
        wanted = [
            c
            for c in tdef.columns
            if c.is_fixed
            and (c.type_code in FIXED_DTYPES or c.type_code == BOOLEAN)
            and (names is None or c.name in names)
        ]
        width = max((c.fixed_offset + c.length for c in wanted), default=0)
        if ((starts + 2 + width) > ends).any():
            raise ReadError(f"{self.source}: rows shorter than their fixed columns")
        # one gather of every row's fixed block, then each column is a strided view
        block = flat[(starts + 2)[:, None] + np.arange(width)[None, :]]
        present = _presence(flat, starts, ends, [c.number for c in wanted])
        out: dict[str, np.ndarray] = {}
        for col in wanted:
            here = present[col.number]
            if col.type_code == BOOLEAN:
                out[col.name] = here.astype(np.int64)
                continue
            dtype = np.dtype(FIXED_DTYPES[col.type_code])
            raw = block[:, col.fixed_offset : col.fixed_offset + dtype.itemsize]
            values = np.ascontiguousarray(raw).view(dtype).ravel()
            if col.type_code == 0x05:
                values = values / 10000.0
            if dtype.kind == "f" or col.type_code == 0x05 or not here.all():
                arr = values.astype(np.float64)
                arr[~here] = np.nan  # integers with NULLs come back as float with NaN
            else:
                arr = values.astype(np.int64)
            out[col.name] = arr
        return out, n_moved

    def read_rows(
        self, tdef: TableDef, names: tuple[str, ...] | None = None
    ) -> dict[str, list[object]]:
        """Decode every row one by one, text columns included (small tables only)."""
        starts, ends, _ = self.row_spans(tdef)
        cols = [c for c in tdef.columns if names is None or c.name in names]
        out: dict[str, list[object]] = {c.name: [] for c in cols}
        raw = self._raw
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            row = raw[start:end]
            try:
                values = _decode_row(row, cols)
            except (IndexError, ValueError) as exc:
                raise ReadError(
                    f"{self.source}: a row at byte {start} is corrupt ({exc})"
                ) from None
            for c, v in zip(cols, values, strict=True):
                out[c.name].append(v)
        return out


def _presence(
    flat: np.ndarray, starts: np.ndarray, ends: np.ndarray, numbers: list[int]
) -> dict[int, np.ndarray]:
    """Column number -> True where that column is present (not NULL) in each row.

    The null mask sits at the end of each row, one bit per column counted in the
    row's own column count (rows written before a column was added lack it).
    """
    n_cols_row = flat[starts].astype(np.int64) | (flat[starts + 1].astype(np.int64) << 8)
    mask_len = (n_cols_row + 7) // 8
    out: dict[int, np.ndarray] = {}
    for number in numbers:
        in_row = number < n_cols_row
        pos = np.where(in_row, ends - mask_len + number // 8, ends - 1)
        out[number] = in_row & (((flat[pos] >> (number % 8)) & 1) == 1)
    return out


def _parse_tdef(blob: bytes, page_number: int) -> TableDef:
    """Parse a Jet 4 table definition (already joined across pages)."""
    n_rows = int.from_bytes(blob[16:20], "little")
    n_cols = int.from_bytes(blob[45:47], "little")
    n_real_idx = int.from_bytes(blob[51:55], "little")
    if n_cols > 4096 or n_real_idx > 4096:
        raise ValueError(f"{n_cols} columns and {n_real_idx} indexes")
    pos = 63 + 12 * n_real_idx
    raw_cols = []
    for _ in range(n_cols):
        d = blob[pos : pos + 25]
        if len(d) < 25:
            raise ValueError("column list is cut short")
        raw_cols.append(
            (
                d[0],
                int.from_bytes(d[5:7], "little"),
                int.from_bytes(d[7:9], "little"),
                d[15],
                int.from_bytes(d[21:23], "little"),
                int.from_bytes(d[23:25], "little"),
            )
        )
        pos += 25
    columns = []
    for type_code, number, var_index, flags, fixed_offset, length in raw_cols:
        size = int.from_bytes(blob[pos : pos + 2], "little")
        name = blob[pos + 2 : pos + 2 + size].decode("utf-16-le")
        pos += 2 + size
        columns.append(
            Column(name, type_code, number, var_index, fixed_offset, length, bool(flags & 0x01))
        )
    return TableDef(page_number, n_rows, tuple(columns))


def _decode_row(row: bytes, cols: list[Column]) -> list[object]:
    """Decode one row (bytes from its start to its end) into Python values."""
    n_cols_row = int.from_bytes(row[0:2], "little")
    mask_len = (n_cols_row + 7) // 8
    mask = row[len(row) - mask_len :]
    var_end = len(row) - mask_len
    n_var = int.from_bytes(row[var_end - 2 : var_end], "little")
    var_offsets = [
        int.from_bytes(row[var_end - 4 - 2 * i : var_end - 2 - 2 * i], "little")
        for i in range(n_var + 1)
    ]
    values: list[object] = []
    for c in cols:
        present = c.number < n_cols_row and bool((mask[c.number // 8] >> (c.number % 8)) & 1)
        if c.type_code == BOOLEAN:
            values.append(present)
            continue
        if not present:
            values.append(None)
            continue
        if c.is_fixed:
            dtype = FIXED_DTYPES.get(c.type_code)
            chunk = row[2 + c.fixed_offset : 2 + c.fixed_offset + c.length]
            values.append(np.frombuffer(chunk, dtype=dtype)[0].item() if dtype else chunk)
        elif c.var_index < n_var:
            chunk = row[var_offsets[c.var_index] : var_offsets[c.var_index + 1]]
            values.append(_decode_text(chunk) if c.type_code in TEXT_TYPES else chunk)
        else:
            values.append(None)
    return values


def _decode_text(chunk: bytes) -> str:
    """Jet 4 text: UTF-16LE, or "compressed" after a 0xFF 0xFE marker.

    Compressed text holds one byte per character; a zero byte switches to plain
    UTF-16LE (two bytes per character) and a zero character switches back.
    """
    if chunk[:2] != b"\xff\xfe":
        return chunk.decode("utf-16-le", errors="replace")
    out: list[str] = []
    i, compressed = 2, True
    while i < len(chunk):
        if compressed:
            if chunk[i] == 0:
                compressed = False
            else:
                out.append(chr(chunk[i]))
            i += 1
        else:
            pair = chunk[i : i + 2]
            if pair == b"\x00\x00":
                compressed = True
            else:
                out.append(pair.decode("utf-16-le", errors="replace"))
            i += 2
    return "".join(out)


def open_database(data: bytes, path: Path) -> JetFile:
    """Wrap the content of an Access file, raising ReadError if it is not one."""
    return JetFile(data, str(path))
