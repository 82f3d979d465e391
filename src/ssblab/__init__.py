"""ssblab: a virtual laboratory for all-solid-state lithium batteries.

In a notebook::

    import ssblab
    run = ssblab.read("cell.ndax")            # any supported cycler file
    ssblab.metrics(run, mass_mg=23.5).table   # CE, ICE, retention, mAh/g (mass in mg, as the CLI)
    ssblab.plot("capacity", run)              # shows inline; .save("fig.pdf")

Every analysis function takes a path or a :class:`Run`. The top level stays
light: heavy parts (PyBaMM, torch/CHGNet, Dask, Plotly, matplotlib) are
imported only inside the functions that need them.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Recipe",
    "Run",
    "__version__",
    "cycles",
    "design",
    "load_recipe",
    "metrics",
    "plot",
    "rate",
    "read",
    "symmetric",
]

if TYPE_CHECKING:  # pragma: no cover
    from ssblab.api import cycles, metrics, plot, rate, read, symmetric
    from ssblab.design import design
    from ssblab.recipe import Recipe, load_recipe
    from ssblab.schema import Run

_LAZY = {
    "read": ("ssblab.api", "read"),
    "cycles": ("ssblab.api", "cycles"),
    "metrics": ("ssblab.api", "metrics"),
    "rate": ("ssblab.api", "rate"),
    "symmetric": ("ssblab.api", "symmetric"),
    "plot": ("ssblab.api", "plot"),
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
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'ssblab' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Public names (for tab completion), including those not yet imported."""
    return sorted(set(__all__) | set(globals()))


#: API functions named like a submodule (``ssblab.design`` the function, ``ssblab/design.py``).
_SHADOWED = frozenset({"design"})


class _Package(types.ModuleType):
    """The ``ssblab`` package: importing ``ssblab.design`` leaves ``ssblab.design`` the function.

    Python binds a submodule as an attribute of its package once imported, which
    would turn ``ssblab.design(recipe)`` into "'module' object is not callable"
    as soon as any code ran ``from ssblab.design import ...``. The submodule stays
    in ``sys.modules`` (``from ssblab.design import Design`` works as before).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
