"""What ``ssblab info`` prints, computed without Typer or Rich (shared by the light path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The failure of the light path's :func:`info_summary` of one file, kept for the Typer
#: command that runs next on the same line: it raises it again instead of reading the
#: file a second time, and words it as any error (one entry; taken once).
_FAILED: dict[tuple[object, ...], BaseException] = {}


def _key(file: Path, fmt: str | None, tz: str | None) -> tuple[object, ...]:
    """The call and the file's size and modification time (a changed file is read anew)."""
    try:
        stat = Path(file).stat()
        seen: tuple[int, int] | None = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        seen = None
    return (str(Path(file)), fmt, tz, seen)


def remember_failure(file: Path, fmt: str | None, tz: str | None, exc: BaseException) -> None:
    """Keep *exc*, raised by ``info_summary(file, fmt, tz)``, for the next such call."""
    _FAILED.clear()
    _FAILED[_key(file, fmt, tz)] = exc


def read_file(path: Path, fmt: str | None, tz: str | None = None):
    """The canonical run of *path* (reader *fmt* or detected; *tz*: IANA zone of the clock)."""
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


def n_cycles(table) -> int:
    """Distinct cycle numbers of a canonical table (1 for a table without a cycle column)."""
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
        "vendor_cycles": n_cycles(run.table),  # `ssblab cycles` may renumber (cycle rules)
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
    from ssblab.io.eis import read_spectrum

    spectrum = read_spectrum(path)
    table = spectrum.table
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
        "rows_skipped": spectrum.rows_skipped,
        "notes": list(spectrum.notes),
    }


def info_summary(file: Path, fmt: str | None = None, tz: str | None = None) -> dict[str, Any]:
    """What ``ssblab info`` prints for *file*: the run's summary, or for a file no cycler
    reader takes (and no *fmt* forced), its impedance-spectrum summary.

    A failure the light path met on this same call (:func:`remember_failure`) is
    raised again without reading the file twice.
    """
    from ssblab.errors import SsblabError, UnknownFormatError

    failed = _FAILED.pop(_key(file, fmt, tz), None)
    _FAILED.clear()
    if failed is not None:
        raise failed

    try:
        return run_summary(read_file(file, fmt, tz))
    except UnknownFormatError as unknown:
        if fmt is not None:
            raise
        try:
            return spectrum_summary(file)
        except SsblabError:
            raise unknown from None
