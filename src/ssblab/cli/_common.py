"""Shared pieces of the command line: JSON output, Rich tables, progress, errors.

The plain-text pieces (JSON, aligned fields) live in :mod:`ssblab.cli._plain`,
which imports neither Typer nor Rich, and are re-exported here.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.cli._plain import format_value, json_safe
from ssblab.cli._plain import plain_text as plain_text  # re-exported
from ssblab.cli._plain import print_fields as print_fields  # re-exported
from ssblab.cli._plain import print_json as print_json  # re-exported

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (stable keys).")]
#: ``-o`` of the table commands: the full-precision table in SI-with-unit column names.
TableOutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Also write the table: .csv, .xlsx, .parquet or .json (unit in each column name).",
        show_default=False,
    ),
]
#: Output types of :func:`write_table`.
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".json")


def print_table(
    rows: Sequence[Mapping[str, Any]],
    title: str = "",
    columns: Iterable[str] | None = None,
    digits: int = 4,
    human: bool = True,
) -> None:
    """Render dict rows as a Rich table on stdout.

    With *human* (default), columns in A·h, W·h, A and V are shown in the unit a
    researcher reads, chosen per column (:func:`human_units`: mAh for a coin
    cell, Ah for a 3 Ah cell, mV for overpotentials); JSON and ``-o`` files keep SI.
    """
    from rich.markup import escape
    from rich.table import Table

    cols = list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))
    if human:
        rows, cols = human_units(rows, cols)
    table = Table(title=title or None)
    for c in cols:
        table.add_column(escape(c), overflow="fold")
    for row in rows:  # escaped: a "[mg/cm²]" in a name or note is text, not a Rich tag
        table.add_row(*[escape(format_value(row.get(c), digits)) for c in cols])
    console().print(table)


def console():
    """A Rich console on stdout; wide when stdout is not a terminal (pipes, CI logs)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)


#: SI unit suffix of a column name -> (milli unit suffix, factor).
_MILLI = {"_Ah": ("_mAh", 1e3), "_Wh": ("_mWh", 1e3), "_A": ("_mA", 1e3), "_V": ("_mV", 1e3)}
#: Voltage columns below this magnitude [V] read better in mV (overpotentials, hysteresis).
_MV_BELOW_V = 0.2


def _milli_column(name: str, values: list[Any]) -> tuple[str, float] | None:
    for suffix, (milli, factor) in _MILLI.items():
        if not name.endswith(suffix):
            continue
        numbers = [
            abs(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        finite = [v for v in numbers if math.isfinite(v)]
        if not finite:
            return None
        limit = _MV_BELOW_V if suffix == "_V" else 1.0
        return (name[: -len(suffix)] + milli, factor) if max(finite) < limit else None
    return None


def human_units(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows and column names with Ah/Wh/A/V columns in milli-units where values are small.

    Chosen per column from its largest magnitude: a column of coin-cell
    capacities (0.00538 Ah) becomes ``_mAh`` (5.38), one of a 3 Ah cell stays
    ``_Ah``; voltage columns under 0.2 V (overpotential, hysteresis) become ``_mV``.
    """
    renames: dict[str, tuple[str, float]] = {}
    for c in columns:
        found = _milli_column(c, [r.get(c) for r in rows])
        if found is not None:
            renames[c] = found
    if not renames:
        return [dict(r) for r in rows], list(columns)
    out = []
    for r in rows:
        row = dict(r)
        for c, (new, factor) in renames.items():
            v = row.pop(c, None)
            row[new] = v * factor if isinstance(v, (int, float)) and not isinstance(v, bool) else v
        out.append(row)
    return out, [renames[c][0] if c in renames else c for c in columns]


def write_table(table: Any, path: str | Path) -> Path:
    """Write a result table (Polars DataFrame or dict rows) as CSV, XLSX, Parquet or JSON.

    Values are written as computed, at full precision, with the unit in each
    column name (``discharge_capacity_Ah``, ``voltage_hysteresis_V``); nested
    values (lists, structs) become JSON text in CSV and XLSX.

    Raises
    ------
    SsblabError
        For an unknown suffix or a file that cannot be written (one line).
    """
    import polars as pl

    from ssblab.errors import SsblabError

    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise SsblabError(f"{out}: table output must end in {', '.join(TABLE_SUFFIXES)}")
    frame = table if isinstance(table, pl.DataFrame) else pl.DataFrame(list(table))
    try:
        if suffix == ".parquet":
            frame.write_parquet(out)
        elif suffix == ".json":
            out.write_text(
                json.dumps(table_rows(frame), indent=2, ensure_ascii=False) + "\n", "utf-8"
            )
        else:
            flat = _flatten_nested(frame)
            if suffix == ".csv":
                flat.write_csv(out)
            else:
                _write_xlsx(flat, out)
    except OSError as exc:
        raise SsblabError(f"{out}: cannot write the table: {exc}") from exc
    return out


def _flatten_nested(frame: Any) -> Any:
    import polars as pl

    nested = [c for c, dt in frame.schema.items() if isinstance(dt, (pl.List, pl.Struct, pl.Array))]
    if not nested:
        return frame
    return frame.with_columns(
        pl.Series(c, [json.dumps(json_safe(v)) for v in frame.get_column(c).to_list()])
        for c in nested
    )


def _write_xlsx(frame: Any, path: Path) -> None:
    """One sheet, header row then values (openpyxl; numbers stay numbers)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "ssblab"
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append([json_safe(v) for v in row])
    book.save(path)


def table_rows(frame: Any) -> list[dict[str, Any]]:
    """Rows of a Polars DataFrame as JSON-safe dicts."""
    return [json_safe(r) for r in frame.to_dicts()]


def progress():
    """A Rich progress bar on stderr for long work (use as a context manager)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def print_flags(flags: Iterable[Any]) -> None:
    """Write each plausibility flag (:class:`ssblab.flags.Flag`) as one line on stderr."""
    for flag in flags:
        sys.stderr.write(f"{flag}\n")


def name_values(items: Iterable[str], bad: Callable[[str], Exception]) -> dict[str, float]:
    """``NAME=number`` option values (``--set``, ``--constant``) as a dict of floats;
    ``bad(item)`` is raised for the first item that is not one."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise bad(item)
    return out
