"""BioLogic EC-Lab / BT-Lab: ``.mpr`` (:mod:`.mpr`) and ``.mpt`` (:mod:`.mpt`), one
conversion to the canonical table (:mod:`.table`); :mod:`.reader` registers both.

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

from ssblab.io._lazy import lazy_exports

_WHERE = {
    "read_biologic_eis": "reader",
    "read_mpr": "reader",
    "read_mpt": "reader",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _WHERE)
