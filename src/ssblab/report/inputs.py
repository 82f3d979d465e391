"""Gather what a report shows: runs, impedance spectra and cell designs.

A report accepts a mix of things — instrument files, canonical ``.parquet``
tables, recipe ``.toml`` files, :class:`~ssblab.schema.Run` objects, EIS tables
and design results — and sorts them into :class:`ReportData`. Nothing here
computes a result; it only reads and labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError, SsblabError, UnknownFormatError
from ssblab.io.eis.dispatch import Spectrum as SpectrumRead
from ssblab.schema import Run, RunMeta


@dataclass(frozen=True)
class LabelledRun:
    """A time-series run with the label the report shows for it."""

    label: str
    run: Run


@dataclass(frozen=True)
class Spectrum:
    """An impedance spectrum (EIS table of :mod:`ssblab.schema`) with its label."""

    label: str
    table: pl.DataFrame
    source: str = ""


@dataclass(frozen=True)
class DesignEntry:
    """A cell design (``Design.to_dict()``) with its label."""

    label: str
    data: dict[str, Any]
    source: str = ""


@dataclass
class ReportData:
    """Everything one report shows, sorted by what it is."""

    runs: list[LabelledRun] = field(default_factory=list)
    spectra: list[Spectrum] = field(default_factory=list)
    designs: list[DesignEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """All labels in use (kept unique by :func:`collect`)."""
        items = [*self.runs, *self.spectra, *self.designs]
        return [item.label for item in items]


def _unique(label: str, taken: list[str]) -> str:
    label = label.strip() or "cell"
    if label not in taken:
        return label
    n = 2
    while f"{label} ({n})" in taken:
        n += 1
    return f"{label} ({n})"


def _read_parquet(path: Path) -> Run | pl.DataFrame:
    """An EIS table when the file holds a spectrum, else the run (via the BDF Parquet reader)."""
    try:
        columns = pl.read_parquet_schema(path)
    except Exception as exc:  # a corrupt file is bad input, said in one line
        raise ReadError(f"{path}: cannot be read as Parquet: {exc}") from exc
    if s.FREQUENCY in columns:
        return s.validate_eis(pl.read_parquet(path))
    from ssblab.io import read

    return read(path)


def _recipe_items(path: Path, simulate: bool) -> list[Any]:
    """The design of a recipe and, for a symmetric cell when asked, its simulated run."""
    from ssblab.design import design
    from ssblab.recipe import load_recipe

    recipe = load_recipe(path)
    items: list[Any] = [design(recipe).to_dict()]
    if simulate and recipe.kind == "symmetric":
        items.append(simulate_symmetric(recipe))
    return items


def simulate_symmetric(recipe: Any) -> Run:
    """Run ssblab's symmetric-cell model on the recipe's protocol (seed default when unset)."""
    from ssblab.simulate.protocol import lifetime_protocol
    from ssblab.simulate.symmetric import from_recipe, simulate

    p = recipe.protocol
    blocks = None
    if p is not None and p.current_density_mA_cm2 and p.areal_capacity_mAh_cm2:
        blocks = lifetime_protocol(
            p.current_density_mA_cm2, p.areal_capacity_mAh_cm2, p.max_time_h or 5000.0
        )
    run = simulate(from_recipe(recipe), blocks).run
    meta = run.meta.with_(cell_name=f"{recipe.name} (model)", cell_type="symmetric")
    return Run(run.table, meta)


#: Suffixes of files that may hold impedance spectra or time series (EC-Lab, Gamry).
_EIS_CAPABLE = (".mpr", ".mpt", ".dta")
#: Most spectra drawn from one file (chosen evenly, first and last kept).
MAX_SPECTRA_PER_FILE = 4


def _with_cell_meta(run: Run, path: Path) -> Run:
    """*run* with the mass, area and cell type of its sidecar (``<file>.cell.toml`` or a
    folder ``cells.toml``) or header, resolved as every command does (:mod:`ssblab.cellmeta`)."""
    from ssblab.cellmeta import resolve

    return resolve(run, path)


def _load_path(path: Path, simulate: bool = False) -> list[Any]:
    """Read one input file into Runs, EIS tables or design dicts.

    EC-Lab and Gamry files are tried as impedance first (their time-series
    reading of a PEIS file would lose the spectrum); any other file that no
    cycler reader recognises is tried as a plain-text spectrum.
    """
    from ssblab.io import read
    from ssblab.io.eis import read_spectrum as read_eis

    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _recipe_items(path, simulate)
    if suffix == ".parquet":
        return [_read_parquet(path)]
    if suffix in _EIS_CAPABLE:
        try:
            return [read_eis(path)]
        except ReadError:
            return [_with_cell_meta(read(path), path)]
    try:
        return [_with_cell_meta(read(path), path)]
    except UnknownFormatError as first:
        try:
            return [read_eis(path)]
        except ReadError:
            raise first from None


def _default_label(item: Any, source: str) -> str:
    if isinstance(item, Run) and item.meta.cell_name:
        return item.meta.cell_name
    if isinstance(item, Mapping) and item.get("name"):
        return str(item["name"])
    return Path(source).stem if source else "cell"


def _add(data: ReportData, item: Any, source: str, label: str | None) -> None:
    name = _unique(label or _default_label(item, source), data.labels)
    if isinstance(item, Run):
        if s.FREQUENCY in item.table.columns:
            _add_spectra(data, name, item.table, source)
        else:
            data.runs.append(LabelledRun(name, item))
    elif isinstance(item, pl.DataFrame):
        if s.FREQUENCY in item.columns:
            _add_spectra(data, name, item, source)
        else:
            data.runs.append(LabelledRun(name, Run(item, RunMeta(source=source))))
    elif isinstance(item, Mapping):
        data.designs.append(DesignEntry(name, dict(item), source))
    elif hasattr(item, "to_dict"):
        data.designs.append(DesignEntry(name, dict(item.to_dict()), source))
    elif isinstance(item, SpectrumRead):  # a spectrum file: its table and what was left out
        _add_spectra(data, name, item.table, source)
        data.notes.extend(f"{name}: {note}" for note in item.left_out)
    elif hasattr(item, "table") and isinstance(item.table, pl.DataFrame):
        _add(data, item.table, source, label)  # e.g. a reader's result object
    else:
        raise SsblabError(
            f"report input {source or type(item).__name__!r} is not a run, "
            "an EIS table, a design or a file path"
        )


def _add_spectra(data: ReportData, name: str, table: pl.DataFrame, source: str) -> None:
    """One :class:`Spectrum` per spectrum in *table* (a file may hold several, by cycle)."""
    from ssblab.analysis.eis_batch import split_spectra

    parts = split_spectra(s.validate_eis(table))
    if len(parts) > MAX_SPECTRA_PER_FILE:
        keep = sorted(
            {
                round(i * (len(parts) - 1) / (MAX_SPECTRA_PER_FILE - 1))
                for i in range(MAX_SPECTRA_PER_FILE)
            }
        )
        data.notes.append(f"{name}: {len(keep)} of its {len(parts)} spectra shown")
        parts = [parts[i] for i in keep]
    for number, part in parts:
        label = name if len(parts) == 1 else _unique(f"{name} #{number}", data.labels)
        data.spectra.append(Spectrum(label, part, source))


def collect(
    inputs: Iterable[Any], labels: Mapping[int, str] | None = None, simulate: bool = False
) -> ReportData:
    """Sort *inputs* into :class:`ReportData`, reading any paths.

    Parameters
    ----------
    inputs : iterable
        Paths (instrument file, ``.parquet`` canonical or EIS table, recipe
        ``.toml``), :class:`~ssblab.schema.Run`, EIS ``DataFrame``, design
        results (objects with ``to_dict()``) or their dicts.
    labels : mapping of int to str, optional
        Label for the input at that position (default: the cell name in the
        metadata, the recipe name, or the file stem).
    simulate : bool
        Also simulate each symmetric-cell recipe with ssblab's model (its run
        is labelled "<recipe name> (model)").

    Raises
    ------
    SsblabError
        When an input cannot be read (the reader's one-line message).
    """
    data = ReportData()
    for i, item in enumerate(inputs):
        label = (labels or {}).get(i)
        if isinstance(item, (str, Path)):
            path = Path(item)
            for loaded in _load_path(path, simulate):
                _add(data, loaded, str(path), label)
        else:
            source = item.meta.source if isinstance(item, Run) else ""
            _add(data, item, source, label)
    return data


#: Recognitions of the runs seen last, by ``id`` (the run is kept so the id stays its own).
_RECOGNISED: dict[int, tuple[Run, Any]] = {}


def recognition(run: Run) -> Any:
    """:func:`ssblab.analysis.recognize.recognize` of *run* (cached), or None if it fails."""
    hit = _RECOGNISED.get(id(run))
    if hit is not None and hit[0] is run:
        return hit[1]
    try:
        from ssblab.analysis.recognize import recognize

        rec = recognize(run)
    except Exception:  # recognition is evidence for the page, never a reason to fail it
        rec = None
    if len(_RECOGNISED) > 64:
        _RECOGNISED.clear()
    _RECOGNISED[id(run)] = (run, rec)
    return rec


def _symmetric_by_voltage(run: Run) -> bool:
    v = run.table.get_column(s.VOLTAGE).drop_nans().drop_nulls()
    if v.len() == 0:
        return False
    median_abs = float(v.abs().median() or 0.0)
    return median_abs < 0.5 and float(v.min()) < 0.0 < float(v.max())


def is_symmetric(run: Run) -> bool:
    """True for a symmetric (Li|SE|Li) plating/stripping run.

    Recognised as such by :mod:`ssblab.analysis.recognize`, or (a run whose
    recognition names no cell type, or a two-column model table) a voltage of
    both signs within a few hundred millivolts of 0 V, where a full or half cell
    sits well above 0 V.
    """
    rec = recognition(run)
    if rec is not None and rec.cell_type == "symmetric":
        return True
    if rec is not None and rec.cell_type in ("full", "cathode_half", "anode_half"):
        return False
    return _symmetric_by_voltage(run)


def looks_like_cv(run: LabelledRun) -> bool:
    """True when :func:`ssblab.analysis.recognize.recognize` finds cyclic/linear sweep
    voltammetry in the run (the one rule ``ssblab cv`` applies too, flat-current CVs
    included)."""
    rec = recognition(run.run)
    return rec is not None and rec.has("cv")


def is_gitt(run: Run) -> bool:
    """True when the run is recognised as holding a GITT pulse train."""
    rec = recognition(run)
    return rec is not None and rec.has("gitt")


def normalise_with_recipe(data: ReportData) -> ReportData:
    """Give cycling runs without an active mass the cathode mass and area of the one recipe.

    The recipe is the source of truth for masses and areas; with exactly one
    recipe that has a cathode active mass, every measured or simulated cycling
    run that lacks a mass (symmetric cells excluded) takes it, and says so in
    its notes. With none or several recipes nothing changes: which recipe
    belongs to which run would be a guess.
    """
    cathodes = [
        d
        for d in data.designs
        if isinstance(d.data.get("cathode"), dict) and d.data["cathode"].get("active_mass_mg")
    ]
    if len(cathodes) != 1:
        return data
    design = cathodes[0]
    mass_g = float(design.data["cathode"]["active_mass_mg"]) / 1000.0
    area = design.data.get("area_cm2")
    runs = []
    for r in data.runs:
        meta = r.run.meta
        if meta.active_mass_g or is_symmetric(r.run):
            runs.append(r)
            continue
        note = f"active mass {mass_g * 1000:.4g} mg and area from recipe {design.label}"
        meta = meta.with_(
            active_mass_g=mass_g, area_cm2=meta.area_cm2 or area, notes=(*meta.notes, note)
        )
        runs.append(LabelledRun(r.label, Run(r.run.table, meta)))
    data.runs = runs
    return data
