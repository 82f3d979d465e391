"""A lab's archive as a catalog: DuckDB tables + one Parquet file per run.

``build(root, out)`` walks a folder of instrument files and, one transaction per file,
records each in ``out/catalog.duckdb`` (see :mod:`ssblab.catalog.db`):

* ``files`` — one row per file found: path, content hash, format, instrument, rows,
  cycles, time span, status (``read``, ``refused``, ``unknown``, ``deleted``) and the
  reason when it was not read — nothing is dropped silently;
* ``cycles`` — the per-cycle summary of every run, with its file id;
* ``runs/<file_id>.parquet`` — every run, table + metadata (lossless).

A rebuild skips files whose size and modification time are unchanged, re-reads
changed ones (their old records are replaced), and marks vanished ones ``deleted``.
A kill loses at most the file in flight; the next build carries on from there.
``query(out, sql)`` runs one read-only SELECT over the views ``files``, ``cycles``
and ``data`` (:mod:`ssblab.catalog.query`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from ssblab.catalog import db
from ssblab.catalog.ingest import file_id_of, file_sha1, ingest_one
from ssblab.catalog.query import query
from ssblab.errors import SsblabError

__all__ = ["build", "file_sha1", "find_files", "query", "scan"]

FILES_SCHEMA = db.FILES_SCHEMA
_SKIP_DIRS = {"reference_btsda", "reference_newarenda", "reference_cellpy", "licenses"}
_SKIP_SUFFIXES = {".md", ".json", ".license"}


def _skipped(root: Path, path: Path) -> bool:
    parts = path.relative_to(root).parts
    return (
        any(p.startswith(".") or p in _SKIP_DIRS for p in parts[:-1])
        or path.name.startswith(".")
        or path.suffix.lower() in _SKIP_SUFFIXES
    )


def scan(root: Path) -> Iterator[tuple[Path, str]]:
    """Every candidate file under *root*, sorted, with ``""`` or why it is refused unread.

    Symbolic links are followed only when their target lies inside *root* (a link out
    of the archive is reported, not read); folders are not entered through links.
    """
    root = Path(root)
    if root.is_file():
        yield root, ""
        return
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if _skipped(root, path):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root):
                    yield path, f"{path}: symbolic link points outside the archive ({target})"
                    continue
            if path.is_symlink() and not path.exists():
                yield path, f"{path}: broken symbolic link"
            elif not path.is_file():
                yield path, f"{path}: not a regular file (device, socket or pipe)"
            else:
                yield path, ""


def find_files(root: Path) -> list[Path]:
    """Candidate instrument files under *root* that may be read (see :func:`scan`)."""
    return [p for p, why in scan(Path(root)) if not why]


def _refused_record(path: Path, why: str) -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(FILES_SCHEMA)
    st = path.lstat()
    return {
        **record,
        "file_id": file_id_of(str(path), "link"),
        "path": str(path),
        "sha1": "",
        "size_bytes": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "status": "refused",
        "reason": why,
        "cycle_rows": [],
    }


def plan(root: Path, known: dict[str, tuple]) -> tuple[list[tuple], list[dict], list[str]]:
    """Jobs for new or changed files, records for refused links, and paths now deleted."""
    jobs, refused, seen = [], [], set()
    for path, why in scan(root):
        seen.add(str(path))
        if why:
            if str(path) not in known:
                refused.append(_refused_record(path, why))
            continue
        st = path.stat()
        old = known.get(str(path))
        if old and old[1] == st.st_size and old[2] == st.st_mtime_ns and old[3] != "deleted":
            continue
        jobs.append((str(path), "", old[0] if old else None, st.st_size, st.st_mtime_ns))
    under = str(root) if root.is_file() else str(root).rstrip("/") + "/"
    gone = [
        p
        for p, info in known.items()
        if p not in seen and info[3] != "deleted" and (p == under or p.startswith(under))
    ]
    return jobs, refused, gone


def build(
    root: str | Path,
    out: str | Path,
    scheduler: str | None = None,
    workers: int | None = None,
    on_start: Callable[[int], Any] | None = None,
    on_done: Callable[[int], Any] | None = None,
    lock_wait_s: float = db.LOCK_WAIT_S,
) -> pl.DataFrame:
    """Catalogue every file under *root* into *out*; return the files table (all statuses).

    Holds the catalog's writer lock throughout (a concurrent build waits for it, then
    finds the files already done); commits each file as its result arrives.
    """
    from ssblab.catalog.runner import stream_many

    root, out = Path(root), Path(out)
    if not root.exists():
        raise SsblabError(f"{root}: no such folder or file")
    (out / db.RUNS).mkdir(parents=True, exist_ok=True)
    with db.writer_lock(out, lock_wait_s):
        con = db.connect(out)
        try:
            db.remove_orphans(con, out)
            jobs, refused, gone = plan(root, db.known_files(con))
            jobs = [(j[0], str(out), *j[2:]) for j in jobs]
            if on_start:
                on_start(len(jobs))
            for record in refused:
                db.commit_record(con, out, record)
            db.mark_deleted(con, gone)
            known = {j[0] for j in jobs if j[2] is not None}
            done = 0
            for records in stream_many(ingest_one, jobs, scheduler, workers):
                db.commit_records(con, out, records, known)
                done += len(records)
                if on_done:
                    on_done(done)
            return db.files_frame(con)
        finally:
            con.close()
