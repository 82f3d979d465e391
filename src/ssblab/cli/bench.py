"""``ssblab bench``: the literature benchmark — list, show, plot, add."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table, table_rows

bench_app = typer.Typer(
    help="The seed papers' literature tables as a queryable database.", no_args_is_help=True
)

WhereOpt = Annotated[
    str | None,
    typer.Option("--where", help='SQL condition on the anodes table, e.g. "np_ratio < 2".'),
]
SqlOpt = Annotated[
    str | None,
    typer.Option("--sql", help="A whole DuckDB query over tables 'anodes' and 'results'."),
]

LIST_COLUMNS = (
    "anode",
    "np_ratio",
    "areal_capacity_mAh_cm2",
    "cycles",
    "current_density_mA_cm2",
    "cathode",
    "cathode_loading_mg_cm2",
    "ice_percent",
    "c_rate",
    "reference",
)


@bench_app.command("list")
def list_command(where: WhereOpt = None, sql: SqlOpt = None, json: JsonOpt = False) -> None:
    """Rows of the anode comparison (Cui et al. Table S1 + your own rows)."""
    from ssblab.bench.query import query

    frame = query(where=where, sql=sql)
    if json:
        print_json(table_rows(frame))
        return
    cols = [c for c in LIST_COLUMNS if c in frame.columns] or frame.columns
    print_table(table_rows(frame), title=f"Benchmark ({frame.height} rows)", columns=cols)


@bench_app.command("show")
def show_command(
    study: Annotated[
        str | None, typer.Option(help="Seed study: 'lialo2' or 'al-composite'.")
    ] = None,
    cell: Annotated[
        str | None, typer.Option(help="Cell name (recipe stem), e.g. sym-li-bare_lgps.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """The numbers the seed papers report for their own cells, with sources."""
    import polars as pl

    from ssblab.bench.data import seed_results

    frame = seed_results()
    if study:
        frame = frame.filter(pl.col("study") == study)
    if cell:
        frame = frame.filter(pl.col("cell") == cell)
    if json:
        print_json(table_rows(frame))
    else:
        print_table(table_rows(frame), title="Reported by the seed papers")


@bench_app.command("plot")
def plot_command(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the PNG charts.")] = Path(
        "bench-plots"
    ),
    recipe: Annotated[
        Path | None, typer.Option(help="Mark this cell (recipe TOML) on the charts.")
    ] = None,
    run: Annotated[
        Path | None, typer.Option(help="Measured or simulated run of that cell (cycles, current).")
    ] = None,
    where: WhereOpt = None,
    json: JsonOpt = False,
) -> None:
    """Areal capacity vs cycles, current density vs cycles, N/P vs areal capacity."""
    from ssblab.bench.plot import CHARTS, cell_point, comparison_figure
    from ssblab.bench.query import query

    frame = query(where=where)
    mark = None
    if recipe is not None:
        from ssblab.io import read
        from ssblab.recipe import load_recipe

        mark = cell_point(load_recipe(recipe), read(run) if run else None)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in CHARTS:
        path = out / f"bench_{chart}.png"
        comparison_figure(frame, chart, mark).savefig(path)
        written.append(str(path))
    if json:
        print_json({"files": written, "mark": mark.__dict__ if mark else None})
    else:
        for path in written:
            typer.echo(path)


@bench_app.command("add")
def add_command(
    file: Annotated[Path, typer.Argument(help="CSV with the anodes table's columns.")],
) -> None:
    """Add rows of your own reading (validated; nothing is written if any row is bad)."""
    from ssblab.bench.data import add_rows, user_rows_path

    n = add_rows(file)
    typer.echo(f"added {n} row(s) to {user_rows_path()}")


def register(app: typer.Typer) -> None:
    """Add ``ssblab bench`` to *app*."""
    app.add_typer(bench_app, name="bench")
