"""Plain-text impedance spectra: frequency, Z' and Z'' in two to four columns.

Reads the small CSV/TSV/whitespace files that EIS tools and papers share, e.g.
impedance.py's ``exampleData.csv`` (``f, Z', Z''`` without a header), a pandas
export with an index column and a ``Freq,Real,Imag`` header, or a tab-separated
``LIB_data.txt``. The result is the EIS table of :mod:`ssblab.schema`
(``Frequency / Hz``, ``Z Real / Ohm``, ``Z Imag / Ohm``) with ``Z Imag`` the true
imaginary part, negative for a capacitive arc.

Sign convention of the file
---------------------------
Many programs store ``-Z''`` so that a Nyquist plot rises. The reader decides:

1. from the header, when the imaginary column's name starts with a minus
   (``-Im(Z)``, ``-Z''``, ``-Zimag``);
2. otherwise from the data: at the lowest frequencies any electrochemical cell is
   capacitive (blocking electrodes, diffusion), so the true ``Z''`` is negative
   there. When the median of the imaginary column over the lower half of the
   frequencies is positive, the file holds ``-Z''`` and the column is negated.

Either way the decision is written into :attr:`EisText.notes`. Rows that do not
parse as numbers are counted in :attr:`EisText.rows_skipped`, never dropped
silently; a file with no usable row raises :class:`~ssblab.errors.ReadError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.safety import check_file

#: Largest plain-text spectrum accepted [bytes]; spectra are a few kB.
MAX_TEXT_BYTES = 64 * 1024**2

_DELIMITERS: tuple[tuple[str, str], ...] = (
    ("tab", r"\t"),
    ("semicolon", r";"),
    ("comma", r","),
    ("whitespace", r"\s+"),
)
_FREQ_NAMES = re.compile(r"^(freq.*|f|f\s*[/(\[].*|frequency.*|omega.*)$")
_REAL_NAMES = re.compile(r"^(z\s*'|re.*|z\s*real.*|zreal.*|z_?re.*|z')(?!')")
_IMAG_NAMES = re.compile(r"^(z\s*''|z\s*\"|im.*|z\s*imag.*|zimag.*|z_?im.*)")


@dataclass(frozen=True)
class EisText:
    """A plain-text spectrum as read, with what the reader decided.

    Attributes
    ----------
    table : polars.DataFrame
        The EIS table (frequency [Hz], Z real [Ω], Z imag [Ω], true sign).
    negated_imaginary : bool
        True when the file stored ``-Z''`` and the column was negated.
    rows_skipped : int
        Data lines that did not parse as numbers and were left out.
    notes : tuple of str
        Human-readable remarks (layout found, sign decision, skipped rows).
    """

    table: pl.DataFrame
    negated_imaginary: bool
    rows_skipped: int
    notes: tuple[str, ...]


def read_eis_text(path: str | Path) -> pl.DataFrame:
    """Read a plain-text impedance spectrum into the EIS table.

    Parameters
    ----------
    path : str or Path
        A CSV, TSV or whitespace-separated file of frequency [Hz], Z' [Ω] and
        Z'' [Ω] (or -Z'' [Ω]), with or without a header line.

    Returns
    -------
    polars.DataFrame
        Columns ``Frequency / Hz``, ``Z Real / Ohm``, ``Z Imag / Ohm`` (Float64),
        in file order, ``Z Imag`` negative for a capacitive arc.

    Raises
    ------
    ReadError
        The file is missing, too big, not text, or has no numeric spectrum.
    """
    return load_eis_text(path).table


def load_eis_text(path: str | Path) -> EisText:
    """Read a plain-text spectrum and report the layout and sign decisions.

    Same input as :func:`read_eis_text`; returns an :class:`EisText`.
    """
    path = check_file(Path(path))
    lines = _text_lines(path)
    name, _ = _pick_delimiter(path, lines)
    rows = _split_rows(lines, name)
    header = _header_of(rows)
    body = rows[1:] if header is not None else rows
    values, skipped = _parse_numbers(body)
    if values.shape[0] == 0:
        raise ReadError(f"{path}: no numeric impedance rows found")
    freq, real, imag, negate_by_name, layout = _columns(path, header, values)
    notes = [f"read as {name}-separated text ({layout})"]
    negated, sign_note = _decide_sign(freq, imag, negate_by_name)
    notes.append(sign_note)
    if skipped:
        notes.append(f"{skipped} line(s) that are not numbers were skipped")
    table = pl.DataFrame(
        {s.FREQUENCY: freq, s.Z_REAL: real, s.Z_IMAG: -imag if negated else imag},
        schema={c: s.EIS_COLUMNS[c] for c in (s.FREQUENCY, s.Z_REAL, s.Z_IMAG)},
    )
    _check_values(path, table)
    return EisText(table, negated, skipped, tuple(notes))


def _text_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a bounded text file."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ReadError(f"{path}: {size} bytes is too big for a plain-text spectrum")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ReadError(f"{path}: binary content, not a plain-text spectrum")
    text = raw.decode("utf-8-sig", errors="replace")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _pick_delimiter(path: Path, lines: list[str]) -> tuple[str, str]:
    """The delimiter that splits the last lines into a constant 2-4 fields."""
    probe = lines[-20:]
    for name, pattern in _DELIMITERS:
        widths = {len(re.split(pattern, ln.strip())) for ln in probe}
        if len(widths) == 1 and 2 <= widths.pop() <= 4:
            return name, pattern
    raise ReadError(f"{path}: not a 2-4 column text spectrum (no consistent delimiter)")


def _split_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """Fields of each line, as ``re.split`` of the delimiter's pattern on the stripped line
    gives them (``str.split`` does the same, about 5 x faster on a large file)."""
    if delimiter == "whitespace":
        return [line.split() for line in lines]
    char = {"tab": "\t", "semicolon": ";", "comma": ","}[delimiter]
    return [line.strip().split(char) for line in lines]


def _header_of(rows: list[list[str]]) -> list[str] | None:
    """The first row, lower-cased, when it is not numeric; else None."""
    first = rows[0]
    try:
        [float(v) for v in first if v != ""]
    except ValueError:
        return [v.strip().strip('"').lower() for v in first]
    return None


def _parse_numbers(rows: list[list[str]]) -> tuple[np.ndarray, int]:
    """Rows of floats with the modal width, and the count of rows left out."""
    if not rows:  # a header and nothing under it
        return np.empty((0, 0)), 0
    widths = [len(r) for r in rows]
    width = max(set(widths), key=widths.count)
    if widths.count(width) == len(rows):  # every row as wide: one conversion (Python's float)
        try:
            return np.array(rows, dtype=float).reshape(-1, width), 0
        except ValueError:  # a text field or a decimal comma: row by row below
            pass
    good: list[list[float]] = []
    skipped = 0
    for row in rows:
        try:
            numbers = [float(v.replace(",", ".")) for v in row]  # decimal commas
        except ValueError:
            skipped += 1
            continue
        if len(numbers) != width:
            skipped += 1
            continue
        good.append(numbers)
    return np.asarray(good, dtype=float).reshape(-1, width), skipped


def _columns(
    path: Path, header: list[str] | None, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool | None, str]:
    """Frequency, Z', Z'' columns; whether the header says -Z''; a layout note."""
    if header is not None and len(header) == values.shape[1]:
        named = _columns_by_name(header)
        if named is not None:
            (i_f, i_re, i_im), negated = named
            names = f"columns {header[i_f]!r}, {header[i_re]!r}, {header[i_im]!r}"
            return values[:, i_f], values[:, i_re], values[:, i_im], negated, names
    n_cols = values.shape[1]
    if n_cols == 4 and _is_row_index(values[:, 0]):
        values = values[:, 1:]
        n_cols = 3
    if n_cols != 3:
        raise ReadError(
            f"{path}: {n_cols} numeric columns without a recognisable header; "
            "expected frequency, Z' and Z''"
        )
    return values[:, 0], values[:, 1], values[:, 2], None, "columns f, Z', Z'' by position"


def _columns_by_name(header: list[str]) -> tuple[tuple[int, int, int], bool] | None:
    """Indices of frequency, real and imaginary columns from header names."""
    found: dict[str, int] = {}
    negated = False
    for i, raw in enumerate(header):
        name = raw.replace(" ", "")
        bare = name.lstrip("-")
        if "f" not in found and _FREQ_NAMES.match(bare):
            found["f"] = i
        elif "im" not in found and _IMAG_NAMES.match(bare):
            found["im"] = i
            negated = name.startswith("-")
        elif "re" not in found and _REAL_NAMES.match(bare):
            found["re"] = i
    if len(found) != 3:
        return None
    return (found["f"], found["re"], found["im"]), negated


def _is_row_index(column: np.ndarray) -> bool:
    """True for a 0, 1, 2, ... (or 1, 2, 3, ...) counter column."""
    steps = np.diff(column)
    return bool(column.size > 1 and column[0] in (0.0, 1.0) and np.all(steps == 1.0))


def _decide_sign(
    freq: np.ndarray, imag: np.ndarray, negated_by_name: bool | None
) -> tuple[bool, str]:
    """Whether the file's imaginary column is -Z'', with the reason in words."""
    if negated_by_name is not None:
        if negated_by_name:
            return True, "the imaginary column's name has a minus (-Z''); negated to Z''"
        return False, "the imaginary column's name has no minus: taken as the true Z''"
    low_half = imag[np.argsort(freq)][: max(1, freq.size // 2)]
    if np.median(low_half) > 0:
        return True, (
            "imaginary column is positive at low frequency, so the file holds -Z''; "
            "negated to the true Z''"
        )
    return False, "imaginary column is negative at low frequency: already the true Z''"


def _check_values(path: Path, table: pl.DataFrame) -> None:
    """Refuse non-finite or non-positive frequencies and non-finite impedances."""
    freq = table[s.FREQUENCY].to_numpy()
    z = table.select(s.Z_REAL, s.Z_IMAG).to_numpy()
    if not np.all(np.isfinite(freq)) or np.any(freq <= 0):
        raise ReadError(f"{path}: frequencies must be finite and positive")
    if not np.all(np.isfinite(z)):
        raise ReadError(f"{path}: impedance values must be finite")
