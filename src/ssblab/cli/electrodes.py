"""``ssblab three-electrode``: per-electrode curves and overpotentials of a full cell
with a reference electrode (:mod:`ssblab.analysis.electrode_split`).

``--json`` keys (stable): ``{"positive", "pairs": [{"pair", "charge_half_cycle",
"discharge_half_cycle", "charge_Ah", "discharge_Ah", "cell_mV", "positive_mV",
"negative_mV", "positive_share", "closure"}], "flags"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_flags, print_json, print_table, table_rows
from ssblab.errors import AnalysisError


def three_electrode_command(
    file: Annotated[Path, typer.Argument(help="File with both electrode potentials.")],
    format: Annotated[
        str | None,
        typer.Option("--format", help="Reader name when the format is not detected."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the per-electrode curves (.csv or .parquet)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Run even when the data do not fit the analysis.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Positive and negative electrode of a three-electrode cell: curves and overpotentials.

    Each potential is read on one state-of-charge grid for a charge and the discharge
    next to it; its overpotential is half the charge-discharge hysteresis (mV). The
    electrode values add up to the cell's ("closure" = 1) when V_cell = E_WE − E_CE.
    """
    from ssblab.analysis.electrode_split import electrode_split
    from ssblab.io import read

    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise AnalysisError(f"{out}: output must end in .csv or .parquet")
    result = electrode_split(read(file, format=format), force=force)
    if out is not None:
        writer = result.curves.write_csv if out.suffix.lower() == ".csv" else None
        (writer or result.curves.write_parquet)(out)
    if json:
        print_json(result.to_dict())
        return
    title = f"Electrode overpotentials of {file.name} (positive = {result.positive} electrode)"
    print_table(table_rows(result.pairs), title=title)
    print_flags(result.flags)


def register(app: typer.Typer) -> None:
    """Add ``three-electrode`` to *app*."""
    app.command("three-electrode")(three_electrode_command)
