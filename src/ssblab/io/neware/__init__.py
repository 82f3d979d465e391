"""Neware: ``.nda``/``.nda.zip`` (:mod:`.nda`), ``.ndax`` (:mod:`.ndax`, :mod:`.ndc`),
BTSDA's CSV export (:mod:`.btsda`) and the BTS "regular" CSV export (:mod:`.regular`);
:mod:`.reader` registers the binary readers.

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

from ssblab.io._lazy import lazy_exports

_WHERE = {
    "read_btsda_csv": "btsda",
    "read_nda": "reader",
    "read_ndax": "reader",
    "read_regular_csv": "regular",
    "sniff_nda": "sniff",
    "sniff_ndax": "sniff",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _WHERE)
