"""Novonix CSV exports (:mod:`.reader`).

Names below are imported on first use, so that detecting a file imports only
the reader of its format.
"""

from __future__ import annotations

from ssblab.io._lazy import lazy_exports

_WHERE = {
    "read_novonix_csv": "reader",
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _WHERE)
