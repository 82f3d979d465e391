"""``ssblab cycles``, ``metrics`` and ``rate``: per-cycle analysis of one cycling file.

Shared options and output helpers: :mod:`ssblab.cli.analysis`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.analysis.conventions import HELP as CONVENTIONS
from ssblab.cli._common import JsonOpt, TableOutOpt, print_table, table_rows
from ssblab.cli.analysis import (
    AreaOpt,
    CellTypeOpt,
    FileArg,
    ForceOpt,
    MassOpt,
    RecipeOpt,
    RuleOpt,
    about_cycles,
    cell_line,
    cell_sources,
    cycle_row,
    cycling_run,
    mah,
    naming,
    num,
    print_result,
    row_texts,
    rows_written,
    say,
)


def cycles_command(
    file: FileArg,
    rule: RuleOpt = "vendor",
    cell_type: CellTypeOpt = None,
    recipe: RecipeOpt = None,
    min_half_s: Annotated[
        float,
        typer.Option("--min-half-s", help="Shorter half-cycles (rest included) are absorbed (s)."),
    ] = 10.0,
    min_half_fraction: Annotated[
        float,
        typer.Option(
            "--min-half-fraction",
            help="Half-cycles under this fraction of the median one's charge are absorbed.",
        ),
    ] = 0.05,
    out: TableOutOpt = None,
    force: ForceOpt = False,
    json: JsonOpt = False,
) -> None:
    """Per-cycle capacities (mAh shown; Ah in --json and -o), energies, CE and EE."""
    from ssblab.analysis.cycles import cycle_table

    with naming(file):
        run, forced = cycling_run(file, "cycles", force, cell_type=cell_type, recipe=recipe)
        result = cycle_table(
            run, rule, min_capacity_fraction=min_half_fraction, min_duration_s=min_half_s
        )
    flags = (*forced, *result.flags)
    rows = rows_written(result.table, out)
    with naming(file):
        procedure, procedure_notes = _procedure_spans(run, file, recipe)
    if json:
        payload = {"cycles": rows, "procedure": procedure, **about_cycles(result)}
        print_result(payload, flags, result.notes)
        return
    shown = [
        cycle_row(r, texts, EE=ee)
        for r, texts, ee in zip(rows, row_texts(result), result.ee_texts, strict=True)
    ]
    title = f"Cycles of {file.name} ({result.cell_type}, rule {result.rule})"
    print_table(shown, title=title, human=False)
    if procedure:
        spans = [
            {"group": p["group"], "start_h": p["start_s"] / 3600, "end_h": p["end_s"] / 3600}
            for p in procedure
        ]
        print_table(spans, title="Procedure (from the sidecar)")
    say((*result.notes, *procedure_notes), flags, result.definitions)


def _procedure_spans(run: Any, file: Path, recipe: Path | None) -> tuple[list[dict], list[str]]:
    """Named spans of the sidecar's procedure (:mod:`ssblab.analysis.procedure`), if any."""
    from ssblab.analysis.procedure import group_spans, name_segments
    from ssblab.cellmeta import cell_meta

    procedure = cell_meta(run, file, recipe=recipe).procedure
    if not procedure:
        return [], []
    named = name_segments(run, procedure)
    return table_rows(group_spans(named)), list(named.notes)


def metrics_command(
    file: FileArg,
    mass_mg: MassOpt = None,
    area_cm2: AreaOpt = None,
    reference_cycle: Annotated[
        int | None,
        typer.Option(
            "--reference-cycle", help="Cycle that is 100 % retention (default: first complete)."
        ),
    ] = None,
    rule: RuleOpt = "vendor",
    cell_type: CellTypeOpt = None,
    recipe: RecipeOpt = None,
    force: ForceOpt = False,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Per-cycle metrics: CE, mean voltages, hysteresis, retention, mAh/g, mAh/cm², and ICE."""
    from ssblab.analysis.headline import retention_texts, specific_texts
    from ssblab.analysis.metrics import metrics

    cell = {"mass_mg": mass_mg, "area_cm2": area_cm2, "cell_type": cell_type, "recipe": recipe}
    with naming(file):
        run, forced = cycling_run(file, "metrics", force, **cell)
        result = metrics(run, reference_cycle=reference_cycle, rule=rule)
    flags = (*forced, *result.flags)
    rows = rows_written(result.table, out)
    ice: dict[str, Any] | None = vars(result.ice).copy() if result.ice is not None else None
    if json:
        mass_g = run.meta.active_mass_g
        cell = {
            "active_mass_mg": None if mass_g is None else mass_g * 1000.0,
            "area_cm2": run.meta.area_cm2,
            "cell_sources": cell_sources(run),
        }
        payload = {"ice": ice, "cycles": rows, **about_cycles(result, **cell)}
        print_result(payload, flags, result.notes)
        return
    texts = row_texts(result)
    retention = retention_texts(result, reference_cycle)
    name, specific = specific_texts(result, run.meta.active_mass_g)
    for text, ret, per_g in zip(texts, retention, specific, strict=True):
        text |= {"retention": ret, "specific": per_g, "specific_name": name}
    shown = [_metrics_row(r, text) for r, text in zip(rows, texts, strict=True)]
    title = f"Cycling metrics of {file.name} ({result.cell_type}, rule {result.rule})"
    print_table(shown, title=title, human=False)
    typer.echo(cell_line(run))
    if ice is not None:
        typer.echo(_ice_line(ice, dict(zip((r["cycle"] for r in rows), texts, strict=True))))
    say(result.notes, flags, result.definitions)


def _ice_line(ice: dict[str, Any], by_cycle: dict[int, dict[str, str]]) -> str:
    """``ICE = ...`` with its CE and capacities as the cycle's row prints them."""
    texts = by_cycle.get(ice["cycle"], {})
    first, second = (
        ("discharge", "charge") if ice["first_half"] == "discharge" else ("charge", "discharge")
    )
    return (
        f"ICE = {texts.get('ce') or format(ice['ice'], '.4f')} (cycle {ice['cycle']}, "
        f"{ice['first_half']} first: {texts.get(second) or mah(ice['second_capacity_Ah'])} / "
        f"{texts.get(first) or mah(ice['first_capacity_Ah'])} mAh)"
    )


def _metrics_row(r: dict[str, Any], texts: dict[str, str]) -> dict[str, str]:
    """A shown row of ``ssblab metrics`` (mean voltage, hysteresis in mV, retention in % and
    Q_out per gram, as *texts* has them: :func:`retention_texts`, :func:`specific_texts`)."""
    hysteresis = r["voltage_hysteresis_V"]
    return cycle_row(
        r,
        texts,
        mean_discharge_V=num(r["mean_discharge_voltage_V"], ".4f"),
        hysteresis_mV=num(None if hysteresis is None else 1000 * hysteresis, ".1f"),
        **{"retention_%": texts["retention"], texts["specific_name"]: texts["specific"]},
    )


def rate_command(
    file: FileArg,
    mass_mg: MassOpt = None,
    area_cm2: AreaOpt = None,
    nominal_mah: Annotated[
        float | None,
        typer.Option("--nominal-mah", help="Capacity that defines 1 C (mAh) (for C-rates)."),
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Relative current tolerance of a block.")
    ] = 0.05,
    skip: Annotated[
        int, typer.Option("--skip-cycles", help="Formation cycles to leave out first.")
    ] = 0,
    rule: RuleOpt = "vendor",
    cell_type: CellTypeOpt = None,
    recipe: RecipeOpt = None,
    force: ForceOpt = False,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Rate table: blocks of cycles at one current of the Q_out half (the discharge; an anode
    half-cell's charge), and recovery at the first rate."""
    from ssblab.analysis.rate import ALIASES, rate_table
    from ssblab.cellmeta import cell_meta

    cell = {"mass_mg": mass_mg, "area_cm2": area_cm2, "cell_type": cell_type, "recipe": recipe}
    with naming(file):
        run, forced = cycling_run(file, "rate", force, **cell)
        if nominal_mah is None:
            nominal_mah = cell_meta(run, file, recipe=recipe).nominal_capacity_mAh
        nominal_ah = None if nominal_mah is None else nominal_mah / 1000.0
        result = rate_table(
            run, None, None, nominal_ah, tolerance=tolerance, skip_first_cycles=skip, rule=rule
        )
    flags = (*forced, *result.flags)
    blocks = rows_written(result.blocks, out)
    recovery = result.recovery.to_dict() if result.recovery is not None else None
    if json:
        payload = {"blocks": blocks, "recovery": recovery, "tolerance": result.tolerance}
        print_result({**payload, "rule": result.rule}, flags, result.notes)
        return
    shown = [{k: v for k, v in b.items() if k not in ALIASES} for b in blocks]  # once each
    print_table(shown, title=f"Rate table of {file.name} ({result.out_half})")
    if recovery is not None:
        typer.echo(
            f"recovery at the first rate (block {recovery['block']}): {recovery['ratio']:.4f}"
        )
    say(result.notes, flags)


for _command in (cycles_command, metrics_command):
    _command.__doc__ = f"{_command.__doc__}\n\n{CONVENTIONS}"


def register(app: typer.Typer) -> None:
    """Add ``cycles``, ``metrics`` and ``rate`` to *app*."""
    app.command("cycles")(cycles_command)
    app.command("metrics")(metrics_command)
    app.command("rate")(rate_command)
