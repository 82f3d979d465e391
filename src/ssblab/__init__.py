"""ssblab: a virtual laboratory for all-solid-state lithium batteries.

The top level stays light: heavy parts (PyBaMM, torch/CHGNet, Dask, Plotly) are
imported only inside the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Recipe", "Run", "__version__", "cycles", "design", "load_recipe", "read"]

if TYPE_CHECKING:  # pragma: no cover
    from ssblab.analysis.cycles import cycles
    from ssblab.design import design
    from ssblab.io import read
    from ssblab.recipe import Recipe, load_recipe
    from ssblab.schema import Run

_LAZY = {
    "read": ("ssblab.io", "read"),
    "cycles": ("ssblab.analysis.cycles", "cycles"),
    "Run": ("ssblab.schema", "Run"),
    "Recipe": ("ssblab.recipe", "Recipe"),
    "load_recipe": ("ssblab.recipe", "load_recipe"),
    "design": ("ssblab.design", "design"),
}


def __getattr__(name: str) -> Any:
    """Import public names on first use, so ``import ssblab`` stays fast."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'ssblab' has no attribute {name!r}")
