"""Battery Data Format (BDF) tables: CSV and Parquet readers and writers (:mod:`.reader`).

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "bdf_machine_names": "reader",
    "read_bdf_csv": "reader",
    "read_bdf_parquet": "reader",
    "read_sidecar": "reader",
    "write_bdf_csv": "reader",
    "write_parquet": "reader",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
