"""Every error ssblab raises on purpose.

All derive from :class:`SsblabError`, so the CLI can turn any of them into one
line on stderr and exit code 2 (bad input), while a genuine bug still shows a
traceback. Messages name the bad value and, where there is a list of valid
choices, list them.
"""

from __future__ import annotations


class SsblabError(Exception):
    """Base class of every error raised by ssblab for bad input or a failed job."""


class SchemaError(SsblabError):
    """A table lacks canonical columns, has the wrong dtypes, or impossible values."""


class RecipeError(SsblabError):
    """A cell recipe is missing a field, has an invalid value or names an unknown material."""


class MaterialError(RecipeError):
    """A material is not in the catalog, or its catalog entry is incomplete."""


class ReadError(SsblabError):
    """An instrument file cannot be read: truncated, corrupt, unsafe or of an unknown layout."""


class UnknownFormatError(ReadError):
    """No reader recognises the file, or a format name that is not registered was asked for."""


class AnalysisError(SsblabError):
    """The data cannot support the analysis asked for (no cycles, no pulses, NaN runs...)."""


class SimulationError(SsblabError):
    """A simulation could not be set up or did not converge."""


class OptionalDependencyError(SsblabError, ImportError):
    """A heavy optional dependency (PyBaMM, torch/CHGNet, Dask) is not installed."""


def file_error(path: object, problem: str, cls: type[SsblabError] = ReadError) -> SsblabError:
    """Build an error whose message starts with the file name: ``"<path>: <problem>"``."""
    return cls(f"{path}: {problem}")


def require(module: str, extra: str) -> None:
    """Raise :class:`OptionalDependencyError` with an install hint if *module* is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise OptionalDependencyError(
            f"{module} is not installed; install it with: pip install 'ssblab[{extra}]'"
        )
