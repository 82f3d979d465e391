"""``ssblab gitt``, ``cv`` and ``dqdv``: electrochemical techniques of one file.

Shared options and output helpers: :mod:`ssblab.cli.analysis`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, TableOutOpt, print_flags, print_table, table_rows
from ssblab.cli.analysis import (
    AreaOpt,
    FileArg,
    ForceOpt,
    MassOpt,
    RecipeOpt,
    naming,
    print_result,
    read_cell,
    read_file,
    rows_written,
)
from ssblab.errors import AnalysisError


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

    with naming(file):
        run = read_cell(file, mass_mg=mass_mg, area_cm2=area_cm2, recipe=recipe)
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
    rows = rows_written(result.pulses, out)
    if json:
        print_result({"pulses": rows}, result.flags, run.meta.notes)
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
    with naming(file):
        result = cv_analysis(read_file(file), potential_column=column, force=force)
    rows = rows_written(result.peaks, out)
    if json:
        print_result({"cycles": rows}, result.flags)
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
    with naming(file):
        run = read_file(file)
        flags = check_galvanostatic(run, force=force)
        curves = dqdv(
            run, voltage_step_V=step_mv / 1000.0, smoothing_V=smooth_mv / 1000.0, force=True
        )
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
    }
    if json:
        print_result(summary, flags)
        return
    typer.echo(f"wrote {summary['rows']} rows ({summary['half_cycles']} half-cycles) to {out}")
    print_table(peaks, title="dQ/dV peaks")
    print_flags(flags)


def register(app: typer.Typer) -> None:
    """Add ``gitt``, ``cv`` and ``dqdv`` to *app*."""
    app.command("gitt")(gitt_command)
    app.command("cv")(cv_command)
    app.command("dqdv")(dqdv_command)
