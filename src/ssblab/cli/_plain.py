"""Plain-text output of the command line without Typer or Rich: JSON, aligned fields.

Used by every command through :mod:`ssblab.cli._common` and directly by the light
``ssblab info`` path (:mod:`ssblab.cli.fast_info`), so both print the same text.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from collections.abc import Mapping
from typing import Any


def json_safe(value: Any) -> Any:
    """Make *value* JSON-safe: NaN/inf become null, numpy scalars become Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(payload: Any) -> None:
    """Write *payload* as indented JSON to stdout."""
    sys.stdout.write(json.dumps(json_safe(payload), indent=2, ensure_ascii=False) + "\n")


def print_fields(fields: Mapping[str, Any], title: str = "", digits: int = 4) -> None:
    """Print a record as aligned ``name  value`` lines under *title* (plain text: no Rich,
    which a one-record listing does not need and which costs ~0.06 s to import)."""
    width = max((len(k) for k in fields), default=0)
    lines = [title] if title else []
    for name, value in fields.items():
        lines.append(f"  {name:<{width}}  {format_value(value, digits)}".rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


def print_info(summary: Mapping[str, Any], title: str, as_json: bool) -> None:
    """What ``ssblab info`` prints for *summary* (``run_summary``): JSON, or aligned
    fields under *title* followed by one ``note:`` line per note."""
    if as_json:
        print_json(summary)
        return
    fields = {
        k: ", ".join(map(str, v)) if isinstance(v, list) else v
        for k, v in summary.items()
        if k != "notes"
    }
    print_fields(fields, title=title, digits=6)
    for note in summary["notes"]:
        sys.stdout.write(f"note: {note}\n")


def format_value(value: Any, digits: int) -> str:
    """*value* as table text: None as an em dash, a float to *digits* significant digits,
    docstring markup as plain text."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)):  # an interval or a pair: each element alike
        return "[" + ", ".join(format_value(v, digits) for v in value) + "]"
    if isinstance(value, str):
        return plain_text(value)
    return str(value)


_RST_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_RST_LITERAL = re.compile(r"``([^`]+)``")


def plain_text(text: str) -> str:
    """Docstring markup as plain text: ``x`` and :role:`x` become x (for terminal tables)."""
    return _RST_LITERAL.sub(r"\1", _RST_ROLE.sub(r"\1", text))
