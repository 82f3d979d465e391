"""Gamry Framework ``.DTA`` files (:mod:`.dta`).

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "is_dta": "dta",
    "read_dta": "dta",
    "read_gamry_eis": "dta",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
