"""``ssblab reproduce``: the seed papers end to end, one report each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table


def reproduce_command(
    study: Annotated[str, typer.Argument(help="seed-al-composite or seed-lialo2.")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Report folder (default: ./<study>).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Design, simulate, analyse and benchmark a seed paper's cells; each number beside ssblab's."""
    from ssblab.reproduce import run, write

    case = run(study)
    result = write(case, out or Path(study))
    if json:
        print_json(result)
        return
    rows = [
        {
            k: c[k]
            for k in ("cell", "quantity", "reported", "ssblab", "unit", "rel_diff_percent", "role")
        }
        for c in result["comparisons"]
    ]
    print_table(rows, title=case.title, digits=4)
    for note in case.notes:
        typer.echo(f"note: {note}")
    typer.echo(result["report"]["index_html"])


def register(app: typer.Typer) -> None:
    """Add ``ssblab reproduce`` to *app*."""
    app.command("reproduce")(reproduce_command)
