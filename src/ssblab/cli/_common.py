"""Shared pieces of the command line: JSON output, Rich tables, progress, errors."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (stable keys).")]


def _clean(value: Any) -> Any:
    """Make *value* JSON-safe: NaN/inf become null, numpy scalars become Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(payload: Any) -> None:
    """Write *payload* as indented JSON to stdout."""
    sys.stdout.write(json.dumps(_clean(payload), indent=2, ensure_ascii=False) + "\n")


def print_table(
    rows: Sequence[Mapping[str, Any]],
    title: str = "",
    columns: Iterable[str] | None = None,
    digits: int = 4,
) -> None:
    """Render dict rows as a Rich table on stdout."""
    from rich.table import Table

    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    table = Table(title=title or None)
    for c in cols:
        table.add_column(c, overflow="fold")
    for row in rows:
        table.add_row(*[_fmt(row.get(c), digits) for c in cols])
    console().print(table)


def console():
    """A Rich console on stdout; wide when stdout is not a terminal (pipes, CI logs)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)


def _fmt(value: Any, digits: int) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def table_rows(frame: Any) -> list[dict[str, Any]]:
    """Rows of a Polars DataFrame as JSON-safe dicts."""
    return [_clean(r) for r in frame.to_dicts()]


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
