"""Recognising BDF CSV and Parquet files without Polars (the light sniffs of ``bdf``)."""

from __future__ import annotations

from pathlib import Path

from ssblab._names import BDF_MACHINE, BDF_MACHINE_TO_LABEL, REQUIRED
from ssblab.io._sniff import sniff_text

#: Quantity (label without its unit) -> canonical label.
QUANTITIES = {label.split(" / ")[0]: label for label in BDF_MACHINE if " / " in label}


def quantity_label(name: str) -> str:
    """The canonical label of *name*'s quantity, whatever its unit (*name* if none)."""
    quantity, sep, _ = name.strip().partition(" / ")
    return QUANTITIES.get(quantity, name.strip()) if sep else name.strip()


def label(name: str) -> str:
    """Canonical label of a BDF column written either way."""
    return BDF_MACHINE_TO_LABEL.get(name.strip(), name.strip())


def header_fields(text: str) -> list[str]:
    """Fields of the first line of *text*, unquoted."""
    first = text.splitlines()[0] if text else ""
    return [f.strip().strip('"') for f in first.split(",")]


def sniff_csv(head: bytes, path: Path) -> bool:
    """True when the first line holds the required BDF columns (labels or machine names)."""
    labels = {quantity_label(label(f)) for f in header_fields(sniff_text(head))}
    return all(c in labels for c in REQUIRED)


def sniff_parquet(head: bytes, path: Path) -> bool:
    """True for Parquet content (magic bytes ``PAR1``)."""
    return head[:4] == b"PAR1"
