"""Battery Data Format (BDF) tables: CSV and Parquet readers and writers (:mod:`.reader`).

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

from ssblab.io._lazy import lazy_exports

_WHERE = {
    "bdf_machine_names": "reader",
    "read_bdf_csv": "reader",
    "read_bdf_parquet": "reader",
    "read_sidecar": "reader",
    "write_bdf_csv": "reader",
    "write_parquet": "reader",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _WHERE)
