"""``ssblab info FILE`` without Typer or Rich: the fast path of a cold start.

``python -c "import polars"`` alone takes 0.2-0.3 s, so a cold ``ssblab info``
of 0.35 s (issue 16) leaves no room for Typer and Rich. :func:`run` handles the
plain command line ``info FILE [--json] [--format F] [--tz Z]`` in two tiers:

1. the formats in :data:`LIGHT_SUMMARIES` (Neware ``.nda``/``.nda.zip``/``.ndax``,
   Arbin ``.res``/``.res.gz``), detected with the light sniffs of
   :data:`ssblab.io.FORMATS`: the summary comes from the reader's own NumPy
   decoding stage, without Polars, after the same file-safety checks as
   :func:`ssblab.io.registry.call_reader`;
2. every other file: the Typer command's own :func:`ssblab.cli._summary.info_summary`
   (full reader, canonical table), only without Typer and Rich.

Both print with the Typer command's printer. Anything else (another option,
``--help``, an error of any kind) returns before anything is printed, and the
caller runs the Typer command, so errors are worded by the Typer path; a second-tier
failure is handed to it, so a bad file is read once.
``SSBLAB_NO_FASTPATH=1`` turns the fast path off (tests compare both paths).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Environment variable that turns the light path off (any non-empty value but "0").
DISABLE_ENV = "SSBLAB_NO_FASTPATH"
#: Format name -> ``"module:function"`` giving ``run_summary``'s dict for a path.
LIGHT_SUMMARIES: dict[str, str] = {
    "neware_nda": "ssblab.io.neware.summary:nda_summary",
    "neware_ndax": "ssblab.io.neware.ndax_summary:ndax_summary",
    "arbin_res": "ssblab.io.arbin.summary:res_summary",
}
#: Instrument-clock variable of the text readers (``ssblab.io._tabular.TIMEZONE_ENV``).
TIMEZONE_ENV = "SSBLAB_INSTRUMENT_TZ"

Summary = dict[str, Any]


def enabled() -> bool:
    """False when :data:`DISABLE_ENV` is set (to anything but ``0``)."""
    return os.environ.get(DISABLE_ENV, "").strip() in ("", "0")


def parse(args: list[str]) -> tuple[str, bool, str | None, str | None] | None:
    """``(file, json, format, tz)`` from ``info FILE [--json] [--format F] [--tz Z]``
    (``-f F``, ``--format=F``, ``--tz=Z`` too); None for any other command line."""
    if not args or args[0] != "info":
        return None
    files: list[str] = []
    values: dict[str, str] = {}
    as_json = False
    rest = iter(args[1:])
    for arg in rest:
        name, eq, value = arg.partition("=")
        if arg == "--json":
            as_json = True
        elif arg in ("--format", "-f", "--tz") or (eq and name in ("--format", "--tz")):
            key = "--format" if name == "-f" else name
            value = value if eq else next(rest, "")
            if not value or value.startswith("-") or key in values:
                return None
            values[key] = value
        elif arg.startswith("-"):
            return None  # --help, a typo, `--`: Typer says what to say
        else:
            files.append(arg)
    if len(files) != 1:
        return None
    return files[0], as_json, values.get("--format"), values.get("--tz")


def _function(ref: str) -> Callable[[Path], Summary]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def light_format(path: Path, head: bytes) -> str | None:
    """The format :func:`ssblab.io.detect` gives *path*, when the light sniffs decide it:
    sniffs in detection order up to the first format that has no light sniff (None then,
    or when that format is not one of :data:`LIGHT_SUMMARIES`)."""
    from ssblab.io import FORMATS
    from ssblab.io.registry import light_sniff

    for fmt in FORMATS:
        if fmt.sniff is None:
            return None
        try:
            if light_sniff(fmt.sniff)(head, path):
                return fmt.name if fmt.name in LIGHT_SUMMARIES else None
        except Exception:  # as registry.detect: a sniff that fails says no
            continue
    return None


def summarize(file: str, fmt: str | None = None) -> Summary | None:
    """``run_summary(read(file, fmt))`` computed without the canonical table, or None
    when the light path does not cover the file (the full path then decides)."""
    from ssblab.io import registry, safety

    try:
        path = safety.check_file(Path(file))
        head = safety.read_head(path, registry.SNIFF_BYTES)
        name = light_format(path, head) if fmt is None else fmt
        if name not in LIGHT_SUMMARIES:
            return None
        token = safety.DECOMPRESSED.set(0)
        try:
            safety.preflight(path, head)
            summary = _function(LIGHT_SUMMARIES[name])(path)
            safety.check_rows(path, summary["rows"])
        finally:
            safety.DECOMPRESSED.reset(token)
    except Exception:  # refusals and surprises are the full reader's to word
        return None
    return summary


def _full_summary(file: str, fmt: str | None, tz: str | None) -> Summary | None:
    """Tier 2: the Typer command's summary through the full reader; None on any error,
    which is kept for the Typer command (:func:`ssblab.cli._summary.remember_failure`):
    it raises it again, without a second read, and words it as it words every error."""
    from ssblab.cli._summary import info_summary, remember_failure

    try:
        return info_summary(Path(file), fmt, tz)
    except Exception as exc:
        remember_failure(Path(file), fmt, tz, exc)
        return None


def run(args: list[str]) -> bool:
    """Print ``ssblab info`` for *args* when the light path covers them; True if it did."""
    if not enabled():
        return False
    parsed = parse(args)
    if parsed is None:
        return False
    file, as_json, fmt, tz = parsed
    before = os.environ.get(TIMEZONE_ENV)
    if tz:
        os.environ[TIMEZONE_ENV] = tz
    try:
        summary = summarize(file, fmt)
        if summary is None:
            summary = _full_summary(file, fmt, tz)
    finally:  # leave the environment as found, as the Typer command does
        if tz and before is None:
            os.environ.pop(TIMEZONE_ENV, None)
        elif tz:
            os.environ[TIMEZONE_ENV] = before
    if summary is None:
        return False
    from ssblab.cli._plain import print_info

    print_info(summary, title=str(Path(file)), as_json=as_json)
    return True
