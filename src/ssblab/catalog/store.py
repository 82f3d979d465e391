"""A lab's archive as a Parquet + DuckDB catalog.

``build(root, out)`` walks a folder of instrument files, reads each one into
the canonical table and writes:

* ``out/runs/<id>.parquet`` — every run, table + metadata (lossless);
* ``out/files.parquet`` — one row per file found: path, content hash, format,
  instrument, rows, cycles, time span, status (``read``, ``refused``,
  ``unknown``) and the reason when it was not read — nothing is dropped silently;
* ``out/cycles.parquet`` — the per-cycle summary of every run, with its file id.

``query(out, sql)`` runs DuckDB SQL over the views ``files``, ``cycles`` and
``data`` (all runs' rows, lazily scanned from Parquet). Rebuilding skips files
whose content hash is already catalogued. The per-file work is a pure function
(:func:`ingest_one`), so :func:`ssblab.catalog.runner.run_many` can spread it
over Dask workers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from ssblab.errors import SsblabError

FILES_SCHEMA: dict[str, type[pl.DataType]] = {
    "file_id": pl.String,
    "path": pl.String,
    "sha1": pl.String,
    "size_bytes": pl.Int64,
    "status": pl.String,
    "reason": pl.String,
    "format": pl.String,
    "instrument": pl.String,
    "cell_name": pl.String,
    "rows": pl.Int64,
    "rows_skipped": pl.Int64,
    "cycles": pl.Int64,
    "duration_h": pl.Float64,
    "start_time_utc": pl.String,
}
_SKIP_DIRS = {"reference_btsda", "reference_newarenda", "reference_cellpy", "licenses"}


def file_sha1(path: Path) -> str:
    """Content hash of a file (streamed)."""
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_files(root: Path) -> list[Path]:
    """Candidate instrument files under *root* (hidden folders and vendor references skipped)."""
    if root.is_file():
        return [root]
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in _SKIP_DIRS for p in parts[:-1]):
            continue
        if (
            path.is_file()
            and not path.name.startswith(".")
            and path.suffix.lower() not in {".md", ".json", ".txt.license"}
        ):
            found.append(path)
    return found


def ingest_one(job: tuple[str, str]) -> dict[str, Any]:
    """Read one file into ``out/runs`` and return its catalog record (never raises for bad input).

    *job* is ``(path, out_dir)``; the record has the :data:`FILES_SCHEMA` keys plus
    ``cycle_rows`` (per-cycle summary dicts).
    """
    from ssblab.analysis.cycles import cycles
    from ssblab.errors import UnknownFormatError
    from ssblab.io import read
    from ssblab.io.export import write
    from ssblab.schema import CYCLE, TIME

    path, out_dir = Path(job[0]), Path(job[1])
    sha1 = file_sha1(path)
    record: dict[str, Any] = {k: None for k in FILES_SCHEMA}
    record.update(
        file_id=sha1[:16], path=str(path), sha1=sha1, size_bytes=path.stat().st_size, cycle_rows=[]
    )
    try:
        run = read(path)
    except UnknownFormatError as exc:
        return {**record, "status": "unknown", "reason": str(exc)}
    except SsblabError as exc:
        return {**record, "status": "refused", "reason": str(exc)}
    write(run, out_dir / "runs" / f"{record['file_id']}.parquet")
    table, meta = run.table, run.meta
    summary = cycles(run).with_columns(pl.lit(record["file_id"]).alias("file_id"))
    record.update(
        status="read",
        reason="",
        format=meta.source_format,
        instrument=meta.instrument,
        cell_name=meta.cell_name,
        rows=table.height,
        rows_skipped=meta.rows_skipped,
        cycles=int(table[CYCLE].n_unique()) if CYCLE in table.columns else 1,
        duration_h=float(table[TIME].max() - table[TIME].min()) / 3600.0,
        start_time_utc=meta.start_time_utc,
        cycle_rows=summary.to_dicts(),
    )
    return record


def _load(path: Path, schema: dict | None = None) -> pl.DataFrame | None:
    if not path.is_file():
        return None
    return pl.read_parquet(path)


def build(
    root: str | Path,
    out: str | Path,
    scheduler: str | None = None,
    workers: int | None = None,
    on_start: Callable[[int], Any] | None = None,
    on_done: Callable[[int], Any] | None = None,
) -> pl.DataFrame:
    """Catalogue every file under *root* into *out*; return the files table (all statuses)."""
    from ssblab.catalog.runner import run_many

    root, out = Path(root), Path(out)
    if not root.exists():
        raise SsblabError(f"{root}: no such folder or file")
    (out / "runs").mkdir(parents=True, exist_ok=True)
    known = _load(out / "files.parquet")
    seen = set(known.filter(pl.col("status") == "read")["sha1"]) if known is not None else set()
    todo = [p for p in find_files(root) if file_sha1(p) not in seen]
    if on_start:
        on_start(len(todo))
    records = run_many(ingest_one, [(str(p), str(out)) for p in todo], scheduler, workers, on_done)
    cycle_rows = [row for r in records for row in r.pop("cycle_rows")]
    files = (
        pl.DataFrame(records, schema=FILES_SCHEMA) if records else pl.DataFrame(schema=FILES_SCHEMA)
    )
    if known is not None:
        files = pl.concat([known.filter(~pl.col("sha1").is_in(files["sha1"].implode())), files])
    files.write_parquet(out / "files.parquet")
    old_cycles = _load(out / "cycles.parquet")
    new_cycles = pl.DataFrame(cycle_rows) if cycle_rows else None
    frames = [f for f in (old_cycles, new_cycles) if f is not None and f.height]
    if frames:
        pl.concat(frames, how="diagonal_relaxed").unique(["file_id", "cycle"], keep="last").sort(
            ["file_id", "cycle"]
        ).write_parquet(out / "cycles.parquet")
    return files


def query(out: str | Path, sql: str) -> pl.DataFrame:
    """Run DuckDB SQL over the catalog's views ``files``, ``cycles`` and ``data``."""
    import duckdb

    out = Path(out)
    if not (out / "files.parquet").is_file():
        raise SsblabError(
            f"{out}: not an ssblab catalog (no files.parquet); run 'ssblab catalog build'"
        )
    con = duckdb.connect()
    try:
        for view in ("files", "cycles"):
            if (out / f"{view}.parquet").is_file():
                source = _sql_path(out / f"{view}.parquet")
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{source}')")
        if any((out / "runs").glob("*.parquet")):
            glob = _sql_path(out / "runs" / "*.parquet")
            options = "filename = true, union_by_name = true"
            con.execute(f"CREATE VIEW data AS SELECT * FROM read_parquet('{glob}', {options})")
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    except duckdb.Error as exc:
        raise SsblabError(f"catalog query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def _sql_path(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
