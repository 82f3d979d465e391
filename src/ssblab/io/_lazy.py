"""Lazy re-exports for the vendor packages: a name is imported from its module on first use,
so that detecting a file imports only the reader of its format (PEP 562)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for *package*, whose *where* maps each public
    name to the submodule that defines it."""
    names = sorted(where)

    def module_getattr(name: str) -> object:
        if name in where:
            return getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def module_dir() -> list[str]:
        return names

    return module_getattr, module_dir, names
