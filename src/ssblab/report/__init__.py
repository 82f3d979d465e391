"""Reports: one self-contained interactive HTML page plus publication PNGs.

``build_report(inputs, out_dir)`` reads instrument files, canonical tables and
recipes, makes every panel the data supports (the rest are listed with the
reason) and writes ``out_dir/index.html`` and ``out_dir/<panel>.png``.

Layout: :mod:`~ssblab.report.inputs` (gather) → ``panels_*`` (data → a
backend-neutral :class:`~ssblab.report.model.Panel`) →
:mod:`~ssblab.report.plotly_panels` / :mod:`~ssblab.report.figures` (draw) →
:mod:`~ssblab.report.html` (page) — tied together by :mod:`~ssblab.report.build`.
Plotly and matplotlib are imported only when a report is built.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_report"]


def __getattr__(name: str) -> Any:
    """Import :func:`build_report` on first use (``ssblab.report.build`` is the module)."""
    if name in __all__:
        import importlib

        return getattr(importlib.import_module("ssblab.report.build"), name)
    raise AttributeError(f"module 'ssblab.report' has no attribute {name!r}")
