"""BioLogic EC-Lab / BT-Lab: ``.mpr`` (:mod:`.mpr`) and ``.mpt`` (:mod:`.mpt`), one
conversion to the canonical table (:mod:`.table`); :mod:`.reader` registers both.

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "read_biologic_eis": "reader",
    "read_mpr": "reader",
    "read_mpt": "reader",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
