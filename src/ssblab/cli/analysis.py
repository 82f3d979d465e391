"""Shared options and output helpers of the one-file analysis commands.

The commands themselves live in :mod:`ssblab.cli.cycling` (``cycles``,
``metrics``, ``rate``) and :mod:`ssblab.cli.electrochem` (``gitt``, ``cv``,
``dqdv``). Each reads the file with :func:`ssblab.io.read`, calls one function
of :mod:`ssblab.analysis` and prints the result (``--json``: stable keys, always
ending in ``"notes"`` where the analysis gives notes, then ``"flags"``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.cli._common import print_flags, print_json, table_rows, write_table
from ssblab.errors import SsblabError
from ssblab.flags import as_dicts

FileArg = Annotated[
    Path, typer.Argument(help="Instrument or Parquet file (format detected).", show_default=False)
]
MassOpt = Annotated[
    float | None,
    typer.Option("--mass-mg", help="Active material mass in mg (default: from the file)."),
]
AreaOpt = Annotated[
    float | None,
    typer.Option("--area-cm2", help="Electrode area in cm² (default: from the file)."),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Run even when the data do not fit the analysis.")
]


def read_file(path: Path):
    from ssblab.io import read

    return read(path)


RuleOpt = Annotated[
    str,
    typer.Option(
        "--rule",
        help="Cycle rule: vendor (default; a counter that lumps cycles is replaced, with a "
        "note), half_cycles, pairs, charge_first, discharge_first.",
    ),
]
CellTypeOpt = Annotated[
    str | None,
    typer.Option(
        "--cell-type",
        help="full, cathode_half, anode_half, symmetric or three_electrode (default: from "
        "the file, a <file>.cell.toml or cells.toml sidecar, --recipe, else the data).",
    ),
]
RecipeOpt = Annotated[
    Path | None,
    typer.Option("--recipe", help="Cell recipe (.toml): active mass, area, cell type."),
]


def read_cell(
    path: Path,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    cell_type: str | None = None,
    recipe: Path | None = None,
):
    """Read *path* and resolve its cell metadata (:func:`ssblab.cellmeta.resolve`; mass in mg)."""
    from ssblab.cellmeta import resolve

    return resolve(
        read_file(path),
        path,
        mass_mg=mass_mg,
        area_cm2=area_cm2,
        cell_type=cell_type,
        recipe=recipe,
    )


def cell_sources(run: Any) -> dict[str, str]:
    from ssblab.cellmeta import sources_of

    return sources_of(run)


def cell_line(run: Any) -> str:
    """One line: the mass, area and cell type used, and where each came from."""
    from ssblab.cellmeta import cell_meta, sources_of

    cm = cell_meta(run)
    src = {**cm.sources, **sources_of(run)}
    parts = [
        f"active mass {cm.active_mass_mg:.4g} mg ({src['active_mass_mg']})"
        if cm.active_mass_mg
        else "active mass unknown (mAh/g null)",
        f"area {cm.area_cm2:.4g} cm² ({src['area_cm2']})" if cm.area_cm2 else "area unknown",
    ]
    if cm.cell_type:
        parts.append(f"cell type {cm.cell_type} ({src['cell_type']})")
    return "cell: " + ", ".join(parts)


def mah(value: Any) -> str:
    """A capacity [A·h] as mAh text with 4-5 significant digits, never in e-notation."""
    if value is None:
        return "—"
    mah = 1000.0 * float(value)
    digits = 1 if abs(mah) >= 100 else 3 if abs(mah) >= 1 else 5
    return f"{mah:.{digits}f}"


def num(value: Any, fmt: str) -> str:
    return "—" if value is None else format(float(value), fmt)


def say(notes: Any, flags: Any, definitions: dict[str, str] | None = None) -> None:
    """Notes and the CE definition on stdout, flags on stderr (human output)."""
    for note in notes:
        typer.echo(f"note: {note}")
    if definitions:
        typer.echo(f"CE = {definitions['CE']}; retention = {definitions['retention']}")
    print_flags(_grouped(flags))


def _grouped(flags: Any, most: int = 3) -> list[Any]:
    """Flags for stderr: a code raised on more than *most* quantities becomes one line."""
    from ssblab.flags import Flag

    by_code: dict[str, list[Any]] = {}
    for flag in flags:
        by_code.setdefault(flag.code, []).append(flag)
    out: list[Any] = []
    for code, group in by_code.items():
        if len(group) <= most:
            out += group
            continue
        names = ", ".join(f.quantity for f in group[:most])
        message = f"{len(group)} times ({names}, …; all in --json); first: {group[0].message}"
        out.append(Flag("several", code, message, group[0].severity))
    return out


def refuse_non_cycling(run: Any, force: bool, analysis: str) -> tuple[Any, ...]:
    from ssblab.analysis.recognize import CYCLING, GITT, require

    return require(run, [CYCLING, GITT], force=force, analysis=analysis)


def cycling_run(path: Path, analysis: str, force: bool, **cell: Any) -> tuple[Any, tuple]:
    """*path* read with its cell metadata (:func:`read_cell` keywords) and its ``forced`` flags.

    A file that is not cycling or GITT is refused unless *force*.
    """
    run = read_cell(path, **cell)
    return run, refuse_non_cycling(run, force, analysis)


def rows_written(table: Any, out: Path | None) -> list[dict[str, Any]]:
    """The rows of *table* for printing, after writing it to *out* (``-o``) when given."""
    if out is not None:
        write_table(table, out)
    return table_rows(table)


def print_result(
    payload: Mapping[str, Any], flags: Iterable[Any], notes: Iterable[str] | None = None
) -> None:
    """``--json`` of an analysis: *payload*'s keys, then ``"notes"`` (when given), ``"flags"``."""
    tail: dict[str, Any] = {} if notes is None else {"notes": list(notes)}
    print_json({**payload, **tail, "flags": as_dicts(flags)})


def about_cycles(result: Any, **between: Any) -> dict[str, Any]:
    """The rule, cell type (then *between*), the capacity counters' steps [A·h] (null: fine)
    and definitions keys of a per-cycle result."""
    steps = getattr(result, "capacity_steps_Ah", {})
    return {
        "rule": result.rule,
        "cell_type": result.cell_type,
        **between,
        "capacity_steps_Ah": {c: float(f"{steps[c]:.6g}") or None for c in sorted(steps)},
        "definitions": result.definitions,
    }


def row_texts(result: Any) -> list[dict[str, str]]:
    """Per row of a per-cycle result (``CycleTable`` or ``Metrics``): the CE and the two
    capacities as printed, each to the decimals its counters carry."""
    capacities = result.capacity_texts
    charge, discharge = (capacities[c] for c in CAPACITIES)
    return [
        {"ce": a, "charge": b, "discharge": c}
        for a, b, c in zip(result.ce_texts, charge, discharge, strict=True)
    ]


#: The capacity columns of a per-cycle table, charge then discharge.
CAPACITIES = ("charge_capacity_Ah", "discharge_capacity_Ah")


def cycle_row(
    r: Mapping[str, Any], texts: Mapping[str, str] | None = None, **between: str
) -> dict[str, str]:
    """One shown row of a per-cycle table: cycle, mAh, CE, *between*, partial. *texts*: the
    row's ``ce``, ``charge`` and ``discharge`` as printed to the counters' resolution
    (:func:`row_texts`); without it, 4 decimals and 4-5 significant digits."""
    texts = texts or {}
    return {
        "cycle": r["cycle"],
        "charge_mAh": texts.get("charge") or mah(r["charge_capacity_Ah"]),
        "discharge_mAh": texts.get("discharge") or mah(r["discharge_capacity_Ah"]),
        "CE": texts.get("ce") or num(r["coulombic_efficiency"], ".4f"),
        **between,
        "partial": "partial" if r["partial"] else "",
    }


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """Let an ssblab error of the analysis of *path* name the file, as reader errors do.

    ``the table has no rows`` becomes ``<path>: the table has no rows``; a message
    that already names the file is left as it is.
    """
    try:
        yield
    except SsblabError as exc:
        if path.name in str(exc):
            raise
        try:
            named = type(exc)(f"{path}: {exc}")
        except TypeError:  # an error class with another constructor: keep it as raised
            raise exc from None
        raise named from exc
