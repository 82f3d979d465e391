"""Recognising Neware files without Polars or NumPy (the light sniffs of ``neware``).

``.nda`` (plain or zipped), ``.ndax`` and BTSDA's CSV export; the reader modules
register these same functions.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ssblab.io._sniff import sniff_text

MAGIC = b"NEWARE"  # first bytes of every .nda
ZIP_MAGIC = b"PK\x03\x04"
#: Columns every BTSDA record export has.
BTSDA_SIGNATURE = ("Cycle Index", "Step Index", "Step Type")


def zip_members(path: Path) -> list[str]:
    """Member names of a zip archive ([] when it is not one)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return []


def sniff_nda(head: bytes, path: Path) -> bool:
    """An ``.nda`` starts with ``NEWARE``; a ``.nda.zip`` is a zip holding one ``.nda``."""
    if head.startswith(MAGIC):
        return True
    if head.startswith(ZIP_MAGIC):
        members = zip_members(path)
        return len(members) == 1 and members[0].lower().endswith(".nda")
    return False


def sniff_ndax(head: bytes, path: Path) -> bool:
    """An ``.ndax`` is a zip archive whose members include Neware's ``data.ndc``."""
    return head.startswith(ZIP_MAGIC) and "data.ndc" in zip_members(path)


def btsda_header(line: str) -> list[str]:
    """Fields of a BTSDA CSV header line."""
    return [f.strip() for f in line.rstrip("\r\n").split(",")]


def sniff_btsda(head: bytes, path: Path) -> bool:
    """True when the first line is a BTSDA record header (cycle/step columns, Current(unit))."""
    lines = sniff_text(head).splitlines()
    fields = btsda_header(lines[0]) if lines else []
    has_ids = all(name in fields for name in BTSDA_SIGNATURE)
    return has_ids and any(f.startswith("Current(") for f in fields)
