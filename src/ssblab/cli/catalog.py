"""``ssblab catalog``: a lab's archive as DuckDB + Parquet, optionally built on Dask."""

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
    lock_wait: Annotated[
        float, typer.Option(help="Seconds to wait for another build's lock before failing.")
    ] = 600.0,
    json: JsonOpt = False,
) -> None:
    """Read every file under ROOT into the catalog; report what was read, refused or unknown.

    Each file is committed as it finishes (a killed build resumes where it stopped);
    changed files replace their records, vanished ones are marked deleted.
    """
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
            lock_wait_s=lock_wait,
        )
    counts = {
        status: int((files["status"] == status).sum())
        for status in ("read", "refused", "unknown", "deleted")
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
    """Query the catalog with one read-only SELECT (views: files, cycles, data)."""
    from ssblab.catalog.store import query

    frame = query(out, sql)
    if json:
        print_json(table_rows(frame))
    else:
        print_table(table_rows(frame), title=f"{frame.height} row(s)")


@catalog_app.command("check")
def check_command(
    out: Annotated[Path, typer.Option("-o", "--out", help="Catalog folder.")] = Path(
        "ssblab-catalog"
    ),
    repair: Annotated[
        bool, typer.Option("--repair/--no-repair", help="Re-read damaged runs from their source.")
    ] = True,
    json: JsonOpt = False,
) -> None:
    """Verify every run file against its recorded hash; repair from the source files."""
    from ssblab.catalog.check import check

    report = check(out, repair=repair)
    if json:
        print_json(report)
        return
    print(
        f"checked {report['checked']} run(s): {report['ok']} ok, {len(report['bad'])} damaged, "
        f"{len(report['repaired'])} repaired, {len(report['deleted'])} source(s) gone, "
        f"{len(report['orphans_removed'])} orphan file(s) removed"
    )
    for path in report["bad"]:
        print(f"damaged: {path}")


def register(app: typer.Typer) -> None:
    """Add ``ssblab catalog`` to *app*."""
    app.add_typer(catalog_app, name="catalog")
