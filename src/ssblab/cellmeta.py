"""Cell metadata that follows the data: active mass, area, loading, cell type, chemistry.

One function, :func:`resolve`, is what every command, the report and the
catalog call to attach a cell's metadata to a run::

    from ssblab.cellmeta import resolve
    run = resolve(read(path), path, mass_mg=None, area_cm2=None, recipe=None)
    run.meta.active_mass_g, run.meta.area_cm2, run.meta.cell_type   # filled where known
    cell_meta(run, path).sources   # where each value came from

Sources, strongest first (a stronger one overrides a weaker one, field by field):

1. explicit options (``--mass-mg``, ``--area-cm2``, ``--cell-type``);
2. ``--recipe``: the cathode's active mass (none for a symmetric cell),
   its area, the kind of cell (full / half / symmetric) and the chemistry;
3. a sidecar ``<file>.cell.toml`` beside the data file (e.g.
   ``run.mpr.cell.toml``);
4. a folder ``cells.toml`` whose tables are keyed by file-name glob patterns
   (``["jdb11*"]``); every matching table applies, longer patterns last;
5. the file header, as the reader put it into :class:`ssblab.schema.RunMeta`.

Units: masses are **mg** in the CLI, sidecars and :class:`CellMeta`
(``active_mass_mg``, ``loading_mg_cm2``); ``RunMeta.active_mass_g`` and the
analysis functions keep **g**, the schema's unit beside A·h, and this module
is the one place that converts. Sidecar keys::

    active_mass_mg = 12.3        # mg of active material in the working electrode
    area_cm2 = 1.13              # electrode area [cm²]
    loading_mg_cm2 = 10.9        # active loading [mg/cm²] (mass = loading × area)
    cell_type = "anode_half"     # full, cathode_half, anode_half, symmetric, three_electrode
    chemistry = "graphite|LP30|Li"
    nominal_capacity_mAh = 4.0   # defines 1 C
    procedure = ["Rest for 1 hour", "Discharge at C/10 until 0.01 V", ...]  # PyBaMM strings

or the procedure as named groups (:mod:`ssblab.analysis.procedure` names the
measured segments by them)::

    [procedure]
    formation = ["Charge at C/10 until 4.2 V", "Discharge at C/10 until 3 V"]
    GITT = { steps = ["Discharge at C/20 for 10 minutes", "Rest for 1 hour"], repeat = 20 }
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssblab.errors import SsblabError
from ssblab.schema import Run

CELL_TYPES = ("full", "cathode_half", "anode_half", "symmetric", "three_electrode")
_KEYS = {
    "active_mass_mg": float,
    "area_cm2": float,
    "loading_mg_cm2": float,
    "cell_type": str,
    "chemistry": str,
    "nominal_capacity_mAh": float,
    "procedure": list,
}
SIDECAR_SUFFIX = ".cell.toml"
#: ``RunMeta.extra`` key where :func:`resolve` records each value's source.
SOURCES_KEY = "cell_sources"
FOLDER_FILE = "cells.toml"


class CellMetaError(SsblabError):
    """A sidecar or cells.toml has a bad key or value."""


@dataclass(frozen=True)
class CellMeta:
    """Resolved cell metadata; ``sources`` maps each set field to where it came from."""

    active_mass_mg: float | None = None
    area_cm2: float | None = None
    loading_mg_cm2: float | None = None
    cell_type: str = ""
    chemistry: str = ""
    nominal_capacity_mAh: float | None = None
    procedure: tuple[str, ...] | dict[str, Any] = ()
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def active_mass_g(self) -> float | None:
        """Active mass in grams (the unit of ``RunMeta`` and the analysis API)."""
        return None if self.active_mass_mg is None else self.active_mass_mg / 1000.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "active_mass_mg": self.active_mass_mg,
            "area_cm2": self.area_cm2,
            "loading_mg_cm2": self.loading_mg_cm2,
            "cell_type": self.cell_type,
            "chemistry": self.chemistry,
            "nominal_capacity_mAh": self.nominal_capacity_mAh,
            "procedure": (
                dict(self.procedure) if isinstance(self.procedure, dict) else list(self.procedure)
            ),
            "sources": dict(self.sources),
        }


def _check(values: dict[str, Any], origin: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _KEYS:
            raise CellMetaError(f"{origin}: unknown key {key!r}; known: {', '.join(_KEYS)}")
        kind = _KEYS[key]
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise CellMetaError(f"{origin}: {key} must be a positive number, got {value!r}")
            if value == float("inf"):  # 1e999 in a sidecar
                raise CellMetaError(f"{origin}: {key} must be a finite number, got {value!r}")
            value = float(value)
        elif kind is list:
            if isinstance(value, dict):
                _check_procedure(value, origin)
            elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CellMetaError(
                    f"{origin}: {key} must be a list of PyBaMM step strings or a table of groups"
                )
            else:
                value = tuple(value)
        elif not isinstance(value, str):
            raise CellMetaError(f"{origin}: {key} must be text, got {value!r}")
        if key == "cell_type" and value not in CELL_TYPES:
            raise CellMetaError(
                f"{origin}: cell_type {value!r} is not one of {', '.join(CELL_TYPES)}"
            )
        out[key] = value
    return out


def _check_procedure(value: dict[str, Any], origin: str) -> None:
    from ssblab.analysis.procedure import parse_procedure
    from ssblab.errors import AnalysisError

    try:
        parse_procedure(value)
    except AnalysisError as exc:
        raise CellMetaError(f"{origin}: {exc}") from exc


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CellMetaError(f"{path}: cannot be read as TOML: {exc}") from exc


def sidecar_values(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """(origin, values) from the folder ``cells.toml`` and the file's sidecar, weakest first."""
    path = Path(path)
    found: list[tuple[str, dict[str, Any]]] = []
    folder = path.parent / FOLDER_FILE
    if folder.is_file():
        tables = _read_toml(folder)
        matches = []
        for pattern, values in tables.items():
            if not isinstance(values, dict):
                raise CellMetaError(
                    f"{folder}: {pattern!r} must be a table keyed by a file pattern"
                )
            if fnmatch.fnmatch(path.name, pattern):
                matches.append((len(pattern), pattern, values))
        for _, pattern, values in sorted(matches, key=lambda m: m[0]):
            origin = f"{folder.name} [{pattern}]"
            found.append((origin, _check(values, f"{folder}: [{pattern}]")))
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if side.is_file():
        found.append((side.name, _check(_read_toml(side), str(side))))
    return found


def recipe_values(recipe: Any) -> dict[str, Any]:
    """Mass, area, cell type, chemistry and capacity of a recipe (a path or a Recipe)."""
    from ssblab.design import design
    from ssblab.recipe import Recipe, load_recipe

    rec = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    d = design(rec)
    layer = d.anode if rec.kind == "symmetric" else d.cathode
    values: dict[str, Any] = {
        "cell_type": {"full": "full", "half": "cathode_half", "symmetric": "symmetric"}[rec.kind],
        "area_cm2": layer.area_cm2 if layer is not None else d.area_cm2,
    }
    if layer is not None and layer.active_mass_mg and rec.kind != "symmetric":
        values["active_mass_mg"] = layer.active_mass_mg
    if d.capacity_mAh:
        values["nominal_capacity_mAh"] = d.capacity_mAh
    parts = [rec.cathode.active_component.material if rec.cathode else ""]
    parts += [rec.separator.material, rec.anode.active_component.material]
    values["chemistry"] = "|".join(p for p in parts if p)
    return values


def cell_meta(
    run: Run,
    path: str | Path | None = None,
    *,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    cell_type: str | None = None,
    recipe: Any = None,
) -> CellMeta:
    """The :class:`CellMeta` of *run* from every source (see the module docstring)."""
    meta = run.meta
    layers: list[tuple[str, dict[str, Any]]] = []
    header = {
        "active_mass_mg": None if meta.active_mass_g is None else meta.active_mass_g * 1000.0,
        "area_cm2": meta.area_cm2,
        "cell_type": meta.cell_type,
        "chemistry": meta.chemistry,
    }
    layers.append(("file header", {k: v for k, v in header.items() if v}))
    source = Path(path) if path is not None else (Path(meta.source) if meta.source else None)
    if source is not None:
        layers += sidecar_values(source)
    if recipe is not None:
        layers.append(("recipe", recipe_values(recipe)))
    options = {"active_mass_mg": mass_mg, "area_cm2": area_cm2, "cell_type": cell_type}
    layers.append(("option", _check({k: v for k, v in options.items() if v}, "option")))
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for origin, values in layers:
        for key, value in values.items():
            merged[key], sources[key] = value, origin
    if "active_mass_mg" not in merged and merged.get("loading_mg_cm2") and merged.get("area_cm2"):
        merged["active_mass_mg"] = merged["loading_mg_cm2"] * merged["area_cm2"]
        sources["active_mass_mg"] = "loading × area"
    if "loading_mg_cm2" not in merged and merged.get("active_mass_mg") and merged.get("area_cm2"):
        merged["loading_mg_cm2"] = merged["active_mass_mg"] / merged["area_cm2"]
        sources["loading_mg_cm2"] = "mass / area"
    return CellMeta(**merged, sources=sources)


def resolve(
    run: Run,
    path: str | Path | None = None,
    *,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    cell_type: str | None = None,
    recipe: Any = None,
) -> Run:
    """*run* with its ``RunMeta`` mass [g], area, cell type and chemistry resolved.

    A note names the source of every value that did not come from the file, and
    ``extra["cell_sources"]`` lists every source (``key=origin; ...``):
    :func:`sources_of` reads it back.
    """
    cm = cell_meta(
        run, path, mass_mg=mass_mg, area_cm2=area_cm2, cell_type=cell_type, recipe=recipe
    )
    notes = [
        f"{key} from {origin}"
        for key, origin in cm.sources.items()
        if origin != "file header" and key in ("active_mass_mg", "area_cm2", "cell_type")
    ]
    sources = "; ".join(f"{k}={v}" for k, v in cm.sources.items())
    meta = run.meta.with_(
        extra={**run.meta.extra, SOURCES_KEY: sources},
        active_mass_g=cm.active_mass_g,
        area_cm2=cm.area_cm2,
        cell_type=cm.cell_type,
        chemistry=cm.chemistry,
        notes=(*run.meta.notes, *notes),
    )
    return Run(run.table, meta)


def sources_of(run: Run) -> dict[str, str]:
    """Where :func:`resolve` took each value of *run* from (empty if never resolved)."""
    text = run.meta.extra.get(SOURCES_KEY, "")
    pairs = (item.split("=", 1) for item in text.split("; ") if "=" in item)
    return {k: v for k, v in pairs}
