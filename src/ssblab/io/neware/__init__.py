"""Neware: ``.nda``/``.nda.zip`` (:mod:`.nda`), ``.ndax`` (:mod:`.ndax`, :mod:`.ndc`),
BTSDA's CSV export (:mod:`.btsda`) and the BTS "regular" CSV export (:mod:`.regular`);
:mod:`.reader` registers the binary readers.

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "read_btsda_csv": "btsda",
    "read_nda": "reader",
    "read_ndax": "reader",
    "read_regular_csv": "regular",
    "sniff_nda": "reader",
    "sniff_ndax": "reader",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
