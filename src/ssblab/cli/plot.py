"""``ssblab plot KIND FILE…``: the everyday plots of a cell as PNG, SVG, PDF or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json

#: Kinds and what they draw (kept here so ``--help`` needs no plotting import).
KIND_HELP = (
    "voltage (V vs capacity by cycle), capacity (capacity and CE vs cycle), retention, "
    "dqdv, rate (rate-test bars), nyquist (equal aspect), bode, symmetric (V vs time, "
    "failure marked), gitt (OCV and D per pulse), cv"
)


def plot_command(
    kind: Annotated[
        str,
        typer.Argument(help=f"What to draw: {KIND_HELP}.", metavar="KIND", show_default=False),
    ],
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Instrument files, .parquet tables (measured or simulated) or recipe .toml "
            "files (symmetric-cell recipes are simulated); several are drawn together.",
            metavar="FILE",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output .png, .svg, .pdf or .html (default: KIND.png).",
            show_default=False,
        ),
    ] = None,
    style: Annotated[
        str, typer.Option("--style", help="paper (single column, 8 pt) or slide (14 pt).")
    ] = "paper",
    mass_mg: Annotated[
        float | None,
        typer.Option(
            "--mass-mg", help="Active mass in mg for files that do not give one (→ mAh/g)."
        ),
    ] = None,
    area_cm2: Annotated[
        float | None,
        typer.Option("--area-cm2", help="Electrode area in cm² for files that do not give one."),
    ] = None,
    cycles: Annotated[
        str | None,
        typer.Option("--cycles", help="voltage plot: cycle numbers to draw, e.g. 1,2,50."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Draw KIND for FILE... in one figure: files overlaid, measured solid, model dashed."""
    from ssblab.plotting import plot

    target = out if out is not None else Path(f"{kind}.png")
    chosen = _cycle_list(cycles) if cycles else None
    result = plot(
        kind,
        *files,
        out=target,
        style=style,
        mass_mg=mass_mg,
        area_cm2=area_cm2,
        cycles=chosen,
    )
    payload = {
        "out": str(target),
        "kind": kind,
        "panels": [p.title for p in result.panels],
        "notes": [p.note for p in result.panels if p.note] + result.notes,
    }
    if json:
        print_json(payload)
        return
    typer.echo(f"wrote {target} ({len(result.panels)} panel(s))")
    for note in payload["notes"]:
        typer.echo(f"note: {note}")


def _cycle_list(text: str) -> list[int]:
    """``"1,2,50"`` -> [1, 2, 50]; a bad entry is a one-line error."""
    from ssblab.errors import SsblabError

    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SsblabError(f"--cycles wants cycle numbers like 1,2,50, got {text!r}") from None


def register(app: typer.Typer) -> None:
    """Add the ``plot`` command to *app*."""
    app.command("plot")(plot_command)
