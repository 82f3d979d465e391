"""Recognising an Arbin ``.res`` without Polars or NumPy (the light sniff of ``arbin_res``)."""

from __future__ import annotations

import gzip
from pathlib import Path

#: Bytes 4-19 of a Microsoft Access (Jet 4 / ACE) database.
JET_MAGIC = (b"Standard Jet DB", b"Standard ACE DB")


def sniff_res(head: bytes, path: Path) -> bool:
    """Access database header, directly or inside a gzip stream."""
    if head[4:19] in JET_MAGIC:
        return True
    if head[:2] == b"\x1f\x8b" and path.name.lower().endswith(".res.gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read(19)[4:19] in JET_MAGIC
    return False
