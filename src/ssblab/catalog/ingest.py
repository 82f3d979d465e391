"""Read one file for the catalog: the pure per-file work that runs here or on a Dask worker.

:func:`ingest_one` never raises for bad input: a file that cannot be read becomes a
record with ``status`` ``refused`` or ``unknown`` and the one-line reason. The run's
Parquet is written to a temporary name in ``runs/`` and renamed, so a run file is
either complete or absent; the record carries its hash for ``catalog check``.
"""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ssblab.catalog.db import FILES_SCHEMA, run_path
from ssblab.errors import SsblabError, UnknownFormatError


def file_sha1(path: Path) -> str:
    """Content hash of a file (streamed)."""
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_id_of(path: str, sha1: str) -> str:
    """Identity of one catalogued file: its path and its content (16 hex digits)."""
    return hashlib.sha1(f"{path}\0{sha1}".encode(), usedforsecurity=False).hexdigest()[:16]


def write_atomic(run, target: Path) -> str:
    """Write *run* as Parquet to *target* via a temporary file + rename; return its sha1."""
    from ssblab.io.export import write

    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.parquet")
    try:
        write(run, tmp)  # no fsync: a kill keeps the page cache; after a power cut
        digest = file_sha1(tmp)  # `catalog check` finds and re-reads a lost run
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return digest


def _summary(run, file_id: str) -> tuple[list[dict[str, Any]], str]:
    """Per-cycle rows of *run*, or none and the reason when it has no cycles to summarise."""
    from ssblab.analysis.cycles import cycles

    try:
        frame = cycles(run)
    except SsblabError as exc:
        return [], f"no cycle summary: {exc}"
    return [{**row, "file_id": file_id} for row in frame.to_dicts()], ""


def ingest_one(job: tuple[str, str, str, int, int]) -> dict[str, Any]:
    """Read one file into ``out/runs`` and return its catalog record.

    *job* is ``(path, catalog_dir, known_sha1, size_bytes, mtime_ns)``. The record has
    the :data:`~ssblab.catalog.db.FILES_SCHEMA` keys plus ``cycle_rows``.
    """
    from ssblab import limits
    from ssblab.cellmeta import SOURCES_KEY, resolve
    from ssblab.io import read
    from ssblab.schema import CYCLE, TIME

    path, out = Path(job[0]), Path(job[1])
    start = time.perf_counter()
    record: dict[str, Any] = dict.fromkeys(FILES_SCHEMA)
    record.update(path=str(path), size_bytes=job[3], mtime_ns=job[4], cycle_rows=[])
    record["ingested_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        sha1 = file_sha1(path)
    except OSError as exc:
        return {
            **record,
            "file_id": file_id_of(str(path), ""),
            "status": "refused",
            "reason": f"{path}: cannot be opened ({exc.strerror or exc})",
            "sha1": "",
        }
    record.update(sha1=sha1, file_id=file_id_of(str(path), sha1))
    try:
        with limits.time_limit(path, "file_s"):
            run = resolve(read(path), path)
            target = run_path(out, record["file_id"])
            record["run_sha1"] = write_atomic(run, target)
            cycle_rows, why = _summary(run, record["file_id"])
    except UnknownFormatError as exc:
        return {**record, "status": "unknown", "reason": str(exc), "read_s": _since(start)}
    except SsblabError as exc:
        return {**record, "status": "refused", "reason": str(exc), "read_s": _since(start)}
    table, meta = run.table, run.meta
    notes = [*meta.notes, *([why] if why else [])]
    record.update(
        status="read",
        reason="",
        format=meta.source_format,
        instrument=meta.instrument,
        cell_name=meta.cell_name,
        rows=table.height,
        rows_skipped=meta.rows_skipped,
        cycles=int(table[CYCLE].n_unique()) if CYCLE in table.columns else 1,
        duration_h=float(table[TIME].max() - table[TIME].min()) / 3600.0 if table.height else 0.0,
        start_time_utc=meta.start_time_utc,
        notes="; ".join(notes),
        cycle_rows=cycle_rows,
        read_s=_since(start),
        active_mass_mg=None if meta.active_mass_g is None else 1000.0 * meta.active_mass_g,
        area_cm2=meta.area_cm2,
        cell_type=meta.cell_type,
        cell_sources=meta.extra.get(SOURCES_KEY, ""),
    )
    return record


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 6)
