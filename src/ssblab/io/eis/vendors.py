"""Impedance text exports with a vendor header: ZPlot ``.z``, ZView/Autolab, CH Instruments.

Each has a header of its own and a table whose columns are fixed by the
program (facts from the files in ``shared/data/eis``; impedance.py's readers
parse the same files the same way, and the tests compare the two):

* **ZPlot** (``ZPLOT2 ASCII`` first line): the table follows ``End Comments``
  (or a ``Freq(Hz)`` header line in files without metadata), tab- or
  ``", "``-separated: ``Freq(Hz)  Ampl  Bias  Time(Sec)  Z'(a)  Z''(b) ...``.
* **ZView / Autolab** (``"Z60W Data File"`` first line, or any file with a
  quoted ``Freq (Hz) ... Z'(a) Z''(b)`` header line): comma-separated rows after
  that header line, same column order as ZPlot.
* **CH Instruments** (``A.C. Impedance`` on the second line): ``Freq/Hz, Z'/ohm,
  Z"/ohm, Z/ohm, Phase/deg`` then an empty line, then the rows.

``Z''`` is the true imaginary part in all three (negative for a capacitive
arc), so no sign is changed. A row that does not parse is counted and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError

#: Largest vendor text spectrum accepted [bytes].
MAX_BYTES = 64 * 1024**2


@dataclass(frozen=True)
class VendorSpectrum:
    """A vendor text spectrum: the EIS table, the program, rows skipped, notes."""

    table: pl.DataFrame
    program: str
    rows_skipped: int
    notes: tuple[str, ...]


def vendor_of(head: bytes) -> str | None:
    """``"zplot"``, ``"zview"``, ``"chi"`` or None from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("latin-1")
    lines = text.splitlines()
    if text.startswith("ZPLOT2 ASCII"):
        return "zplot"
    if text.startswith('"Z60W Data File') or re.search(r"\"\s*Freq \(Hz\).*Z'\(a\)", text):
        return "zview"
    if len(lines) > 1 and lines[1].strip() == "A.C. Impedance":
        return "chi"
    return None


def _rows_after(lines: list[str], start: int, split: str) -> tuple[np.ndarray, int]:
    """(f, Z', Z'') columns from the lines after *start*; count of lines left out."""
    good: list[tuple[float, float, float]] = []
    bad = 0
    picks = (0, 4, 5) if split != "chi" else (0, 1, 2)
    pattern = r"\t|, " if split == "zplot" else ","
    for line in lines[start:]:
        if not line.strip():
            continue
        fields = re.split(pattern, line.strip())
        try:
            good.append(tuple(float(fields[k]) for k in picks))  # type: ignore[arg-type]
        except (IndexError, ValueError):
            bad += 1
    return np.asarray(good, dtype=float).reshape(-1, 3), bad


def _start_line(path: Path, lines: list[str], program: str) -> int:
    """Index of the first data line of *program*'s table."""
    if program == "zplot":
        marks = [i for i, ln in enumerate(lines) if ln.strip() == "End Comments"]
        if not marks:
            marks = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("Freq(Hz)")]
    elif program == "zview":
        marks = [i for i, ln in enumerate(lines) if re.search(r"Freq \(Hz\)", ln)]
    else:
        marks = [i for i, ln in enumerate(lines) if ln.startswith("Freq/Hz")]
    if not marks:
        raise ReadError(f"{path}: {program} impedance export without its table header line")
    return marks[-1] + 1


def read_vendor_spectrum(path: Path, program: str) -> VendorSpectrum:
    """Read a ZPlot, ZView/Autolab or CH Instruments export into the EIS table."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ReadError(f"{path}: {size} bytes is too big for an impedance text export")
    lines = path.read_bytes().decode("utf-8-sig", errors="replace").splitlines()
    values, skipped = _rows_after(lines, _start_line(path, lines, program), program)
    if values.shape[0] == 0:
        raise ReadError(f"{path}: {program} impedance export holds no numeric row")
    table = pl.DataFrame(
        {s.FREQUENCY: values[:, 0], s.Z_REAL: values[:, 1], s.Z_IMAG: values[:, 2]},
        schema={c: s.EIS_COLUMNS[c] for c in (s.FREQUENCY, s.Z_REAL, s.Z_IMAG)},
    )
    if not (table[s.FREQUENCY] > 0).all():
        raise ReadError(f"{path}: {program} export has a frequency that is not positive")
    notes = [f"{PROGRAMS[program]} export: Z'' is the true imaginary part (sign kept)"]
    if skipped:
        notes.append(f"{skipped} data lines that are not numbers left out")
    return VendorSpectrum(table, program, skipped, tuple(notes))


#: Program key -> name used in notes and ``ssblab formats``.
PROGRAMS = {
    "zplot": "Scribner ZPlot .z",
    "zview": "ZView / Autolab text",
    "chi": "CH Instruments text",
}
