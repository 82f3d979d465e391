"""``ssblab read``, ``info``, ``cycles`` and ``formats``: instrument files in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import (
    JsonOpt,
    print_json,
    print_table,
)
from ssblab.cli._plain import print_info
from ssblab.cli._summary import info_summary
from ssblab.cli._summary import n_cycles as _n_cycles
from ssblab.cli._summary import read_file as _read

FileArg = Annotated[
    Path, typer.Argument(help="Instrument file (format detected by content).", show_default=False)
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Force a reader by name (see `ssblab formats`)."),
]


TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="IANA zone of the instrument clock (e.g. Europe/Oslo) for files whose "
        "timestamps carry none; default $SSBLAB_INSTRUMENT_TZ or UTC.",
    ),
]


def read_command(
    file: FileArg,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Output: .parquet, .bdf.csv or .csv.", show_default=False),
    ],
    fmt: FormatOpt = None,
    tz: TzOpt = None,
    json: JsonOpt = False,
) -> None:
    """Read an instrument file and write the canonical table (Parquet or BDF CSV)."""
    from ssblab.io.export import write, writer_for

    writer_for(out)  # refuse an unknown output type before reading
    run = _read(file, fmt, tz)
    written = write(run, out)
    result = {
        "file": str(file),
        "out": str(written),
        "format": run.meta.source_format,
        "rows": run.table.height,
        "vendor_cycles": _n_cycles(run.table),  # `ssblab cycles` may renumber them
        "rows_skipped": run.meta.rows_skipped,
    }
    if json:
        print_json(result)
        return
    typer.echo(
        f"wrote {result['rows']} rows, {result['vendor_cycles']} vendor cycles to {written} "
        f"({result['format']}); rows skipped: {result['rows_skipped']}"
    )


def info_command(
    file: FileArg, fmt: FormatOpt = None, tz: TzOpt = None, json: JsonOpt = False
) -> None:
    """Instrument, format, version, rows, cycles, time span, channels, skipped rows, notes.

    An impedance file (read by ``ssblab eis``) gets its point count, spectra
    and frequency range instead.
    """
    summary = info_summary(file, fmt, tz)
    print_info(summary, title=str(file), as_json=json)  # the light path prints the same


def formats_command(json: JsonOpt = False) -> None:
    """Every variant ssblab reads or refuses, with an example file and the peers that read it."""
    from ssblab.io import load_readers
    from ssblab.io.variants import rows

    readers = load_readers()
    table = [
        {**row, "suffixes": " ".join(readers[row["format"]].suffixes)}
        if row["format"] in readers
        else {**row, "suffixes": ""}
        for row in rows()
    ]
    if json:
        print_json(table)
        return
    print_table(table, title="Formats (ssblab: read, spectrum = ssblab eis, refused, not yet)")


def register(app: typer.Typer) -> None:
    """Add the file commands to *app*."""
    app.command("read")(read_command)
    app.command("info")(info_command)
    app.command("formats")(formats_command)
