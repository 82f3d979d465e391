"""Arbin: MITS ``.res`` databases (:mod:`.res`), CSV/XLSX exports (:mod:`.text`) and the
Jet Access reader (:mod:`.jet`); :mod:`.reader` registers them.

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "read_arbin_csv": "reader",
    "read_arbin_res": "reader",
    "read_arbin_xlsx": "reader",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
