"""``ssblab read``, ``info``, ``cycles`` and ``formats``: instrument files in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.cli._common import (
    JsonOpt,
    print_json,
    print_table,
)
from ssblab.cli._plain import print_info

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


def _read(path: Path, fmt: str | None, tz: str | None = None):
    import os

    from ssblab.io import read
    from ssblab.io._tabular import TIMEZONE_ENV

    if not tz:
        return read(path, format=fmt)
    before = os.environ.get(TIMEZONE_ENV)
    os.environ[TIMEZONE_ENV] = tz
    try:
        return read(path, format=fmt)
    finally:  # leave the environment as found (the CLI may run in-process)
        if before is None:
            os.environ.pop(TIMEZONE_ENV, None)
        else:
            os.environ[TIMEZONE_ENV] = before


def _n_cycles(table) -> int:
    from ssblab import schema as s

    if s.CYCLE not in table.columns or table.height == 0:
        return 1 if table.height else 0
    return table.get_column(s.CYCLE).n_unique()


def run_summary(run) -> dict[str, Any]:
    """The numbers ``ssblab info`` prints, as a JSON-ready dict (stable keys)."""
    from ssblab import schema as s

    time = run.table.get_column(s.TIME)
    span_h = float(time.max() - time.min()) / 3600.0 if run.table.height else 0.0
    meta = run.meta
    return {
        "file": meta.source,
        "instrument": meta.instrument,
        "format": meta.source_format,
        "version": meta.file_version,
        "rows": run.table.height,
        "cycles": _n_cycles(run.table),
        "time_span_h": span_h,
        "channels": [meta.channel] if meta.channel else [],
        "cell_name": meta.cell_name,
        "start_time_utc": meta.start_time_utc,
        "timezone": meta.timezone,
        "columns": run.table.columns,
        "rows_skipped": meta.rows_skipped,
        "notes": list(meta.notes),
    }


def spectrum_summary(path: Path) -> dict[str, Any]:
    """What ``ssblab info`` prints for an impedance file: points, spectra, frequency range."""
    from ssblab import schema as s
    from ssblab.io.eis import read_eis

    table = read_eis(path)
    freq = table.get_column(s.FREQUENCY)
    spectra = table.get_column(s.CYCLE).n_unique() if s.CYCLE in table.columns else 1
    return {
        "file": str(path),
        "format": "impedance spectrum (ssblab eis)",
        "points": table.height,
        "spectra": spectra,
        "frequency_min_hz": float(freq.min()),
        "frequency_max_hz": float(freq.max()),
        "columns": table.columns,
        "notes": [],
    }


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
        "cycles": _n_cycles(run.table),
        "rows_skipped": run.meta.rows_skipped,
    }
    if json:
        print_json(result)
        return
    typer.echo(
        f"wrote {result['rows']} rows, {result['cycles']} cycles to {written} "
        f"({result['format']}); rows skipped: {result['rows_skipped']}"
    )


def info_command(
    file: FileArg, fmt: FormatOpt = None, tz: TzOpt = None, json: JsonOpt = False
) -> None:
    """Instrument, format, version, rows, cycles, time span, channels, skipped rows, notes.

    An impedance file (read by ``ssblab eis``) gets its point count, spectra
    and frequency range instead.
    """
    from ssblab.errors import SsblabError, UnknownFormatError

    try:
        summary = run_summary(_read(file, fmt, tz))
    except UnknownFormatError as unknown:
        if fmt is not None:
            raise
        try:
            summary = spectrum_summary(file)
        except SsblabError:
            raise unknown from None
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
