"""Arbin: MITS ``.res`` databases (:mod:`.res`), CSV/XLSX exports (:mod:`.text`) and the
Jet Access reader (:mod:`.jet`); :mod:`.reader` registers them.

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

from ssblab.io._lazy import lazy_exports

_WHERE = {
    "read_arbin_csv": "reader",
    "read_arbin_res": "reader",
    "read_arbin_xlsx": "reader",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _WHERE)
