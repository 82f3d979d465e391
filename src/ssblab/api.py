"""The notebook API: ``ssblab.read``, ``cycles``, ``metrics``, ``rate``, ``symmetric``, ``plot``.

Every function takes a path (``str`` or :class:`~pathlib.Path`) or a
:class:`~ssblab.schema.Run`, and masses in **mg** and areas in cm², as the
command line does (``--mass-mg``, ``--area-cm2``). A mass or area given here
wins over the file's; left out, the file's (or the sidecar's) is used.

>>> import ssblab
>>> run = ssblab.read("cell.ndax")                      # doctest: +SKIP
>>> ssblab.metrics(run, mass_mg=23.5).table             # doctest: +SKIP
>>> ssblab.plot("capacity", run, "model.parquet")       # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from ssblab.schema import Run

RunLike = "str | Path | Run"


def as_run(data: Any) -> Run:
    """*data* as a Run: a Run is returned as is, a path is read (format detected)."""
    from ssblab.errors import SsblabError
    from ssblab.schema import Run

    if isinstance(data, Run):
        return data
    if isinstance(data, (str, Path)):
        from ssblab.io import read

        return read(data)
    raise SsblabError(f"expected a file path or an ssblab Run, got {type(data).__name__}")


def _grams(mass_mg: float | None) -> float | None:
    from ssblab.errors import SsblabError

    if mass_mg is None:
        return None
    if not mass_mg > 0:
        raise SsblabError(f"mass_mg must be positive, got {mass_mg}")
    return mass_mg / 1000.0


def _notebook_view(result: Any) -> None:
    """In Jupyter, show *result*'s type as a short summary (see :mod:`ssblab._repr`)."""
    import dataclasses
    import sys

    if "IPython" in sys.modules and dataclasses.is_dataclass(result):
        from ssblab._repr import register_notebook_formatters

        register_notebook_formatters(type(result))


def read(path: str | Path, format: str | None = None) -> Run:
    """Read an instrument file (or canonical Parquet) into a :class:`~ssblab.schema.Run`."""
    from ssblab.io import read as _read

    return _read(path, format=format)


def cycles(data: Any) -> pl.DataFrame:
    """Per-cycle capacities [Ah], energies [Wh], CE and EE (``ssblab cycles``)."""
    from ssblab.analysis.cycles import cycles as _cycles

    return _cycles(as_run(data))


def metrics(
    data: Any,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    reference_cycle: int | None = None,
) -> Any:
    """Per-cycle metrics, ICE, flags and definitions (``ssblab metrics``); mass in mg.

    Returns :class:`ssblab.analysis.metrics.Metrics` (``.table``, ``.ice``, ``.flags``).
    """
    from ssblab.analysis.metrics import metrics as _metrics

    result = _metrics(as_run(data), _grams(mass_mg), area_cm2, reference_cycle)
    _notebook_view(result)
    return result


def rate(
    data: Any,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    nominal_mah: float | None = None,
    tolerance: float = 0.05,
    skip_cycles: int = 0,
) -> Any:
    """Rate table and recovery (``ssblab rate``); mass in mg, 1 C from *nominal_mah* [mAh]."""
    from ssblab.analysis.rate import rate_table

    run = as_run(data)
    mass_g = _grams(mass_mg)
    result = rate_table(
        run,
        mass_g if mass_g is not None else run.meta.active_mass_g,
        area_cm2 if area_cm2 is not None else run.meta.area_cm2,
        None if nominal_mah is None else nominal_mah / 1000.0,
        tolerance=tolerance,
        skip_first_cycles=skip_cycles,
    )
    _notebook_view(result)
    return result


@dataclass(frozen=True)
class Symmetric:
    """A Li‖Li cell: overpotential per half-cycle and the failure (``ssblab symmetric``)."""

    half_cycles: pl.DataFrame
    failure: Any
    source: str = ""
    flags: tuple[Any, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Failure time and mode, half-cycle count, median overpotential [mV]."""
        eta = self.half_cycles.get_column("overpotential_mV")
        return {
            "source": self.source,
            "half_cycles": self.half_cycles.height,
            "median_overpotential_mV": float(eta.median()) if eta.len() else None,
            **self.failure.to_dict(),
            "flags": [str(f) for f in self.flags],
        }

    def __repr__(self) -> str:
        d = self.to_dict()
        when = (
            f"{d['failure_mode']} at {d['failure_time_h']:.4g} h"
            if d["failure_time_h"]
            else "no failure"
        )
        return (
            f"<ssblab Symmetric {Path(self.source).name or 'cell'}: "
            f"{d['half_cycles']} half-cycles, "
            f"median η {d['median_overpotential_mV']:.4g} mV, {when}>"
        )

    def _repr_html_(self) -> str:
        from ssblab._repr import summary_html

        return summary_html("Symmetric cell", self.to_dict(), self.half_cycles)


def symmetric(
    data: Any, area_cm2: float | None = None, cutoff_mV: float = 1000.0, force: bool = False
) -> Symmetric:
    """Overpotential per half-cycle and failure time/mode of a Li‖Li cell.

    Refuses (one line) a run that is not a symmetric cell, as ``ssblab symmetric``
    does; ``force=True`` runs it anyway with a flag.
    """
    from ssblab.analysis import symmetric as sym

    run = as_run(data)
    if area_cm2 is not None:
        run = type(run)(run.table, run.meta.with_(area_cm2=area_cm2))
    flags = tuple(sym.check_symmetric(run, force=force, name=run.meta.source or "the run"))
    half = sym.half_cycle_overpotentials(run)
    criteria = sym.FailureCriteria(cutoff_mV=cutoff_mV)
    return Symmetric(half, sym.detect_failure(half, criteria), run.meta.source, flags)


def plot(kind: str, *inputs: Any, **options: Any) -> Any:
    """Draw plot *kind* of *inputs* (see :func:`ssblab.plotting.plot`); shows inline in Jupyter."""
    from ssblab.plotting import plot as _plot

    return _plot(kind, *inputs, **options)
