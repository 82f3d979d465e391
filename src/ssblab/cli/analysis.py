"""``ssblab cycles``, ``metrics``, ``rate``, ``gitt``, ``cv`` and ``dqdv``: analysis of one file.

Each command reads the file with :func:`ssblab.io.read`, calls one function of
:mod:`ssblab.analysis` and prints the result (``--json``: stable keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.analysis.conventions import HELP as CONVENTIONS
from ssblab.cli._common import (
    JsonOpt,
    TableOutOpt,
    print_flags,
    print_json,
    print_table,
    table_rows,
    write_table,
)
from ssblab.errors import AnalysisError
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


def _read(path: Path):
    from ssblab.io import read

    return read(path)


def _grams(mass_mg: float | None) -> float | None:
    return None if mass_mg is None else mass_mg / 1000.0


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


def _read_cell(
    path: Path,
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    cell_type: str | None = None,
    recipe: Path | None = None,
):
    """Read *path* and resolve its cell metadata (:func:`ssblab.cellmeta.resolve`; mass in mg)."""
    from ssblab.cellmeta import resolve

    return resolve(
        _read(path), path, mass_mg=mass_mg, area_cm2=area_cm2, cell_type=cell_type, recipe=recipe
    )


def _sources(run: Any) -> dict[str, str]:
    from ssblab.cellmeta import sources_of

    return sources_of(run)


def _cell_line(run: Any) -> str:
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


def _mah(value: Any) -> str:
    """A capacity [A·h] as mAh text with 4-5 significant digits, never in e-notation."""
    if value is None:
        return "—"
    mah = 1000.0 * float(value)
    digits = 1 if abs(mah) >= 100 else 3 if abs(mah) >= 1 else 5
    return f"{mah:.{digits}f}"


def _num(value: Any, fmt: str) -> str:
    return "—" if value is None else format(float(value), fmt)


def _say(notes: Any, flags: Any, definitions: dict[str, str] | None = None) -> None:
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


def _refuse_non_cycling(run: Any, force: bool, analysis: str) -> tuple[Any, ...]:
    from ssblab.analysis.recognize import CYCLING, GITT, require

    return require(run, [CYCLING, GITT], force=force, analysis=analysis)


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

    run = _read_cell(file, cell_type=cell_type, recipe=recipe)
    forced = _refuse_non_cycling(run, force, "cycles")
    result = cycle_table(
        run, rule, min_capacity_fraction=min_half_fraction, min_duration_s=min_half_s
    )
    flags = (*forced, *result.flags)
    if out is not None:
        write_table(result.table, out)
    rows = table_rows(result.table)
    procedure, procedure_notes = _procedure_spans(run, file, recipe)
    if json:
        print_json(
            {
                "cycles": rows,
                "procedure": procedure,
                "rule": result.rule,
                "cell_type": result.cell_type,
                "definitions": result.definitions,
                "notes": list(result.notes),
                "flags": as_dicts(flags),
            }
        )
        return
    shown = [
        {
            "cycle": r["cycle"],
            "charge_mAh": _mah(r["charge_capacity_Ah"]),
            "discharge_mAh": _mah(r["discharge_capacity_Ah"]),
            "CE": _num(r["coulombic_efficiency"], ".4f"),
            "EE": _num(r["energy_efficiency"], ".4f"),
            "partial": "partial" if r["partial"] else "",
        }
        for r in rows
    ]
    title = f"Cycles of {file.name} ({result.cell_type}, rule {result.rule})"
    print_table(shown, title=title, human=False)
    if procedure:
        spans = [
            {"group": p["group"], "start_h": p["start_s"] / 3600, "end_h": p["end_s"] / 3600}
            for p in procedure
        ]
        print_table(spans, title="Procedure (from the sidecar)")
    _say((*result.notes, *procedure_notes), flags, result.definitions)


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
    from ssblab.analysis.metrics import metrics

    run = _read_cell(file, mass_mg, area_cm2, cell_type, recipe)
    forced = _refuse_non_cycling(run, force, "metrics")
    result = metrics(run, reference_cycle=reference_cycle, rule=rule)
    flags = (*forced, *result.flags)
    if out is not None:
        write_table(result.table, out)
    rows = table_rows(result.table)
    ice: dict[str, Any] | None = vars(result.ice).copy() if result.ice is not None else None
    if json:
        print_json(
            {
                "ice": ice,
                "cycles": rows,
                "rule": result.rule,
                "cell_type": result.cell_type,
                "active_mass_mg": None
                if run.meta.active_mass_g is None
                else run.meta.active_mass_g * 1000.0,
                "area_cm2": run.meta.area_cm2,
                "cell_sources": _sources(run),
                "definitions": result.definitions,
                "notes": list(result.notes),
                "flags": as_dicts(flags),
            }
        )
        return
    shown = [
        {
            "cycle": r["cycle"],
            "charge_mAh": _mah(r["charge_capacity_Ah"]),
            "discharge_mAh": _mah(r["discharge_capacity_Ah"]),
            "CE": _num(r["coulombic_efficiency"], ".4f"),
            "mean_discharge_V": _num(r["mean_discharge_voltage_V"], ".4f"),
            "hysteresis_mV": _num(
                None if r["voltage_hysteresis_V"] is None else 1000 * r["voltage_hysteresis_V"],
                ".1f",
            ),
            "retention_%": _num(None if r["retention"] is None else 100 * r["retention"], ".2f"),
            "mAh_g": _num(r["specific_discharge_capacity_mAh_g"], ".2f"),
            "partial": "partial" if r["partial"] else "",
        }
        for r in rows
    ]
    title = f"Cycling metrics of {file.name} ({result.cell_type}, rule {result.rule})"
    print_table(shown, title=title, human=False)
    typer.echo(_cell_line(run))
    if ice is not None:
        typer.echo(
            f"ICE = {ice['ice']:.4f} (cycle {ice['cycle']}, {ice['first_half']} first: "
            f"{_mah(ice['second_capacity_Ah'])} / {_mah(ice['first_capacity_Ah'])} mAh)"
        )
    _say(result.notes, flags, result.definitions)


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
    """Rate table: blocks of cycles at one discharge current, and recovery at the first rate."""
    from ssblab.analysis.rate import rate_table
    from ssblab.cellmeta import cell_meta

    run = _read_cell(file, mass_mg, area_cm2, cell_type, recipe)
    forced = _refuse_non_cycling(run, force, "rate")
    if nominal_mah is None:
        nominal_mah = cell_meta(run, file, recipe=recipe).nominal_capacity_mAh
    nominal_ah = None if nominal_mah is None else nominal_mah / 1000.0
    result = rate_table(
        run, None, None, nominal_ah, tolerance=tolerance, skip_first_cycles=skip, rule=rule
    )
    flags = (*forced, *result.flags)
    if out is not None:
        write_table(result.blocks, out)
    blocks = table_rows(result.blocks)
    recovery = result.recovery.to_dict() if result.recovery is not None else None
    if json:
        print_json(
            {
                "blocks": blocks,
                "recovery": recovery,
                "tolerance": result.tolerance,
                "rule": result.rule,
                "notes": list(result.notes),
                "flags": as_dicts(flags),
            }
        )
        return
    print_table(blocks, title=f"Rate table of {file.name}")
    if recovery is not None:
        typer.echo(
            f"recovery at the first rate (block {recovery['block']}): {recovery['ratio']:.4f}"
        )
    _say(result.notes, flags)


def gitt_command(
    file: FileArg,
    mass_mg: MassOpt = None,
    material: Annotated[
        str | None,
        typer.Option(
            "--material",
            help="Catalog material (e.g. NCM622): molar mass and volume M/ρ for D.",
        ),
    ] = None,
    molar_mass: Annotated[
        float | None,
        typer.Option("--molar-mass", help="Molar mass of the active material (g/mol)."),
    ] = None,
    molar_volume: Annotated[
        float | None,
        typer.Option("--molar-volume", help="Molar volume of the active material (cm³/mol)."),
    ] = None,
    area_cm2: AreaOpt = None,
    recipe: RecipeOpt = None,
    method: Annotated[
        str, typer.Option("--method", help="ΔEτ from 'endpoints' or 'sqrt_fit'.")
    ] = "endpoints",
    min_rest_s: Annotated[
        float, typer.Option("--min-rest-s", help="Shortest rest that frames a pulse (s).")
    ] = 60.0,
    max_pulse_s: Annotated[
        float | None,
        typer.Option("--max-pulse-s", help="Longest current segment that is a pulse (s)."),
    ] = None,
    force: ForceOpt = False,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """GITT pulses: Weppner–Huggins D/L² (1/s, always) and D (cm²/s), relaxed OCV per pulse.

    Only a regular pulse train counts (one current, similar durations, >= 5 pulses in a
    row in one direction); other files are refused (--force runs them anyway). D needs
    the active mass, molar mass, molar volume and area (from the options, the file, a
    sidecar or --recipe, whose cathode material also gives M and ρ); a flag says which
    are missing.
    """
    from ssblab.analysis.gitt import gitt_analysis

    run = _read_cell(file, mass_mg=mass_mg, area_cm2=area_cm2, recipe=recipe)
    result = gitt_analysis(
        run,
        None,
        molar_mass,
        molar_volume,
        None,
        material=material,
        method=method,
        min_rest_s=min_rest_s,
        max_pulse_s=max_pulse_s,
        force=force,
    )
    if out is not None:
        write_table(result.pulses, out)
    rows = table_rows(result.pulses)
    if json:
        print_json({"pulses": rows, "notes": list(run.meta.notes), "flags": as_dicts(result.flags)})
        return
    columns = ["pulse", "direction", "start_h", "duration_s", "ocv_V", "soc", "D_over_L2_per_s"]
    if result.pulses.get_column("D_cm2_s").null_count() < result.pulses.height:
        columns.append("D_cm2_s")
    print_table(rows, title=f"GITT pulses of {file.name}", columns=columns)
    print_flags(result.flags)


def cv_command(
    file: FileArg,
    we: Annotated[
        bool, typer.Option("--we", help="Use the working-electrode potential column.")
    ] = False,
    force: ForceOpt = False,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Cyclic voltammetry: anodic/cathodic peak potentials and currents, ΔEp per cycle.

    The anodic peak is the largest positive-current maximum of a rising sweep, the
    cathodic peak the most negative minimum of a falling sweep; vertices, holds and
    spikes are excluded, weak or absent peaks are flagged (stderr, JSON "flags"),
    and ΔEp = E_pa − E_pc is given only when it is ≥ 0. A file that does not sweep
    at a constant rate is refused (--force runs it anyway).
    """
    from ssblab import schema as s
    from ssblab.analysis.cv import cv_analysis

    column = s.WE_POTENTIAL if we else s.VOLTAGE
    result = cv_analysis(_read(file), potential_column=column, force=force)
    if out is not None:
        write_table(result.peaks, out)
    rows = table_rows(result.peaks)
    if json:
        print_json({"cycles": rows, "flags": as_dicts(result.flags)})
        return
    print_table(rows, title=f"CV peaks of {file.name}")
    print_flags(result.flags)


def dqdv_command(
    file: FileArg,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Output curves: .csv or .parquet.", show_default=False),
    ],
    step_mv: Annotated[float, typer.Option("--step-mv", help="Voltage bin width (mV).")] = 5.0,
    smooth_mv: Annotated[
        float, typer.Option("--smooth-mv", help="Gaussian smoothing σ in mV (0: none).")
    ] = 10.0,
    force: ForceOpt = False,
    json: JsonOpt = False,
) -> None:
    """dQ/dV of every half-cycle written to a file; peaks (tracked over cycles) printed.

    Needs galvanostatic data (refused otherwise; --force runs it anyway). Charge per
    record is ∫|I| dt scaled to the capacity counters; a coarse counter (LANDT's 0.1 mAh
    steps) is noted, with which of the two the half-cycle totals follow.
    """
    from ssblab.analysis.dqdv import check_galvanostatic, dqdv, find_peaks, track_peaks

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise AnalysisError(f"{out}: output must end in .csv or .parquet")
    run = _read(file)
    flags = check_galvanostatic(run, force=force)
    curves = dqdv(run, voltage_step_V=step_mv / 1000.0, smoothing_V=smooth_mv / 1000.0, force=True)
    if suffix == ".csv":
        curves.write_csv(out)
    else:
        curves.write_parquet(out)
    peaks = table_rows(track_peaks(find_peaks(curves)))
    summary = {
        "out": str(out),
        "rows": curves.height,
        "half_cycles": curves.get_column("half_cycle").n_unique(),
        "peaks": peaks,
        "flags": as_dicts(flags),
    }
    if json:
        print_json(summary)
        return
    typer.echo(f"wrote {summary['rows']} rows ({summary['half_cycles']} half-cycles) to {out}")
    print_table(peaks, title="dQ/dV peaks")
    print_flags(flags)


for _command in (cycles_command, metrics_command):
    _command.__doc__ = f"{_command.__doc__}\n\n{CONVENTIONS}"


def register(app: typer.Typer) -> None:
    """Add the cycling-analysis commands to *app*."""
    app.command("cycles")(cycles_command)
    app.command("metrics")(metrics_command)
    app.command("rate")(rate_command)
    app.command("gitt")(gitt_command)
    app.command("cv")(cv_command)
    app.command("dqdv")(dqdv_command)
