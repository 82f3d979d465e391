"""``ssblab report``: one self-contained HTML page plus publication PNGs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, progress


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to *app*."""
    app.command("report")(report)


def report(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Instrument files, canonical .parquet tables or recipe .toml files.",
            metavar="INPUT",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("-o", "--out", metavar="DIR", help="Folder for index.html and the PNGs."),
    ] = Path("report"),
    title: Annotated[str | None, typer.Option("--title", help="Page title.")] = None,
    png: Annotated[
        bool, typer.Option("--png/--no-png", help="Also write one PNG per panel.")
    ] = True,
    simulate: Annotated[
        bool,
        typer.Option("--simulate", help="Simulate symmetric-cell recipes and plot the model runs."),
    ] = False,
    full_plotly: Annotated[
        bool,
        typer.Option(
            "--full-plotly",
            help="Inline the full 4.8 MB plotly.js instead of the 0.5 MB gzipped cartesian bundle.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Build DIR/index.html (works offline) and DIR/<panel>.png; print the page's path."""
    from ssblab.report.build import build

    stages = ("reading inputs", "making panels", "writing PNGs", "writing HTML")
    with progress() as bar:
        task = bar.add_task("report", total=len(stages) - (0 if png else 1))

        def step(message: str) -> None:
            bar.update(task, description=message, advance=0 if message == stages[0] else 1)

        result = build(
            inputs,
            out_dir,
            title=title,
            png=png,
            progress=step,
            simulate=simulate,
            full_plotly=full_plotly,
        )
        bar.update(task, advance=1)
    if as_json:
        print_json(result.to_dict())
    else:
        typer.echo(str(result.index))
