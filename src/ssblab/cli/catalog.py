"""``ssblab catalog``: a lab's archive as Parquet + DuckDB, optionally built on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table, progress, table_rows

catalog_app = typer.Typer(
    help="Catalogue a lab's archive (Parquet + DuckDB; Dask to go wide).", no_args_is_help=True
)


@catalog_app.command("build")
def build_command(
    root: Annotated[
        Path, typer.Argument(help="Folder of instrument files (searched recursively).")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Catalog folder.")] = Path(
        "ssblab-catalog"
    ),
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="'local' for a Dask LocalCluster, or a scheduler address tcp://host:8786."
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Workers of the local Dask cluster.")] = None,
    json: JsonOpt = False,
) -> None:
    """Read every file under ROOT into the catalog; report what was read, refused or unknown."""
    from ssblab.catalog.store import build

    with progress() as bar:
        task = bar.add_task("reading files", total=None)
        files = build(
            root,
            out,
            scheduler=scheduler,
            workers=workers,
            on_start=lambda n: bar.update(task, total=n),
            on_done=lambda n: bar.update(task, completed=n),
        )
    counts = {
        status: int((files["status"] == status).sum()) for status in ("read", "refused", "unknown")
    }
    if json:
        print_json(
            {
                "catalog": str(out),
                "files": files.height,
                **counts,
                "rows": int(files["rows"].fill_null(0).sum()),
            }
        )
        return
    cols = ["path", "status", "format", "rows", "cycles", "duration_h", "reason"]
    print_table(table_rows(files.select(cols)), title=f"Catalog {out}: {counts}")


@catalog_app.command("query")
def query_command(
    sql: Annotated[str, typer.Argument(help="DuckDB SQL over the views files, cycles, data.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Catalog folder.")] = Path(
        "ssblab-catalog"
    ),
    json: JsonOpt = False,
) -> None:
    """Query the catalog with SQL (views: files, cycles, data)."""
    from ssblab.catalog.store import query

    frame = query(out, sql)
    if json:
        print_json(table_rows(frame))
    else:
        print_table(table_rows(frame), title=f"{frame.height} row(s)")


def register(app: typer.Typer) -> None:
    """Add ``ssblab catalog`` to *app*."""
    app.add_typer(catalog_app, name="catalog")
