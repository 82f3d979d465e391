"""The catalog's database: one DuckDB file, one transaction per ingested file, one writer.

Layout of a catalog folder::

    catalog.duckdb      tables ``files`` (one row per file ever found) and ``cycles``
    runs/<id>.parquet   every run read, table + metadata (written to a temporary name
                        and renamed, so a run file is complete or absent)
    .lock               held (``flock``) by the one build or repair writing the catalog

A kill at any moment leaves the database at its last committed file (DuckDB's
write-ahead log replays on the next open) and at most one orphaned or temporary run
file, which the next build or ``catalog check`` removes.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from ssblab.errors import SsblabError

DB_NAME = "catalog.duckdb"
LOCK_NAME = ".lock"
RUNS = "runs"
#: How long a second build waits for the first one's lock before failing [s].
LOCK_WAIT_S = 600.0

FILES_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.String(),
    "path": pl.String(),
    "sha1": pl.String(),
    "size_bytes": pl.Int64(),
    "mtime_ns": pl.Int64(),
    "status": pl.String(),  # read, refused, unknown, deleted
    "reason": pl.String(),
    "format": pl.String(),
    "instrument": pl.String(),
    "cell_name": pl.String(),
    "rows": pl.Int64(),
    "rows_skipped": pl.Int64(),
    "cycles": pl.Int64(),
    "duration_h": pl.Float64(),
    "start_time_utc": pl.String(),
    "notes": pl.String(),
    "run_sha1": pl.String(),  # hash of runs/<file_id>.parquet, checked by `catalog check`
    "read_s": pl.Float64(),
    "ingested_utc": pl.String(),
    # cell metadata as every command resolves it (ssblab.cellmeta: options > recipe >
    # <file>.cell.toml > cells.toml > header); appended last so older catalogs migrate
    "active_mass_mg": pl.Float64(),
    "area_cm2": pl.Float64(),
    "cell_type": pl.String(),
    "cell_sources": pl.String(),
}
CYCLES_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.String(),
    "cycle": pl.Int64(),
    "charge_capacity_Ah": pl.Float64(),
    "discharge_capacity_Ah": pl.Float64(),
    "coulombic_efficiency": pl.Float64(),
    "charge_energy_Wh": pl.Float64(),
    "discharge_energy_Wh": pl.Float64(),
    "energy_efficiency": pl.Float64(),
}
_SQL_TYPES = {pl.String(): "VARCHAR", pl.Int64(): "BIGINT", pl.Float64(): "DOUBLE"}


def _ddl(name: str, schema: dict[str, pl.DataType], key: str) -> str:
    cols = ", ".join(f'"{c}" {_SQL_TYPES[t]}' for c, t in schema.items())
    return f"CREATE TABLE IF NOT EXISTS {name} ({cols}, PRIMARY KEY ({key}))"


def run_path(out: Path, file_id: str) -> Path:
    """Where the run of *file_id* lives."""
    return out / RUNS / f"{file_id}.parquet"


@contextmanager
def writer_lock(out: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold the catalog's writer lock; a second writer waits up to *wait_s*, then fails loudly."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise SsblabError(
                        f"{out}: catalog is locked by another build (pid {holder}) for more "
                        f"than {wait_s:.0f} s; not writing"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock (also when the process is killed)


def connect(out: Path):
    """A read-write connection to the catalog database (tables created if missing)."""
    import duckdb

    try:
        con = duckdb.connect(str(out / DB_NAME))
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise SsblabError(f"{out / DB_NAME}: cannot open the catalog database ({first})") from None
    con.execute(_ddl("files", FILES_SCHEMA, "path"))
    con.execute(_ddl("cycles", CYCLES_SCHEMA, "file_id, cycle"))
    _add_missing_columns(con, "files", FILES_SCHEMA)
    return con


def _add_missing_columns(con, table: str, schema: dict[str, pl.DataType]) -> None:
    """Bring a catalog written by an older ssblab to *schema* (new columns come last)."""
    have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    for name, dtype in schema.items():
        if name not in have:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {_SQL_TYPES[dtype]}')


def known_files(con) -> dict[str, tuple[str, int, int, str]]:
    """``path -> (sha1, size_bytes, mtime_ns, status)`` of every catalogued file."""
    rows = con.execute("SELECT path, sha1, size_bytes, mtime_ns, status FROM files").fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def _values(schema: dict[str, pl.DataType], rows: list[dict[str, Any]]) -> tuple[str, list]:
    """``(?, ?, ...), (...)`` and the flat parameters for inserting *rows*."""
    one = "(" + ", ".join("?" * len(schema)) + ")"
    return ", ".join([one] * len(rows)), [row.get(k) for row in rows for k in schema]


def _forget(con, record: dict[str, Any]) -> list[str]:
    """Delete the old rows of *record*'s path (inside a transaction); its old file ids."""
    rows = con.execute("SELECT file_id FROM files WHERE path = ?", [record["path"]]).fetchall()
    old = [r[0] for r in rows]
    con.execute("DELETE FROM cycles WHERE list_contains(?, file_id)", [[record["file_id"], *old]])
    con.execute("DELETE FROM files WHERE path = ?", [record["path"]])
    return [i for i in old if i != record["file_id"]]


def _insert(con, table: str, schema: dict[str, pl.DataType], rows: list[dict]) -> None:
    """Insert *rows* in one statement (parameters, or Arrow for many rows)."""
    if len(rows) > 200:  # thousands of parameters are slower than an Arrow scan
        frame = pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema)
        con.register("new_rows", frame.to_arrow())
        con.execute(f"INSERT INTO {table} SELECT * FROM new_rows")
        con.unregister("new_rows")
    elif rows:
        sql, params = _values(schema, rows)
        con.execute(f"INSERT INTO {table} VALUES {sql}", params)


def commit_records(
    con, out: Path, records: list[dict[str, Any]], known: set[str] | None = None
) -> None:
    """Replace the old records of each file by its new one, all in one transaction.

    The build commits each file alone (serially) or each batch a Dask task returns
    together; either way a file's rows are all in the catalog or none are. Paths not
    in *known* (``None``: all are) skip looking for old records. New rows go in with
    one statement per table: every call into DuckDB releases the GIL and may wait
    a switch interval to get it back while Dask's threads run.
    """
    cycles = [{**c, "file_id": r["file_id"]} for r in records for c in r.get("cycle_rows") or []]
    con.execute("BEGIN TRANSACTION")
    try:
        stale = [i for r in records if known is None or r["path"] in known for i in _forget(con, r)]
        _insert(con, "files", FILES_SCHEMA, records)
        _insert(con, "cycles", CYCLES_SCHEMA, cycles)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for file_id in stale:  # a changed file: its old run is no longer referenced
        run_path(out, file_id).unlink(missing_ok=True)


def commit_record(con, out: Path, record: dict[str, Any], known: bool = True) -> None:
    """Replace one file's old records by *record* and its cycles, in one transaction."""
    commit_records(con, out, [record], None if known else set())


def mark_deleted(con, paths: list[str]) -> None:
    """Mark files that are no longer on disk (their records and runs are kept)."""
    if paths:
        frame = pl.DataFrame({"path": paths})
        con.register("gone", frame.to_arrow())
        con.execute(
            "UPDATE files SET status = 'deleted', reason = 'file no longer found at its path' "
            "WHERE path IN (SELECT path FROM gone)"
        )
        con.unregister("gone")


def remove_orphans(con, out: Path) -> list[Path]:
    """Delete temporary and unreferenced run files (left by a kill); return them."""
    referenced = {r[0] for r in con.execute("SELECT file_id FROM files").fetchall()}
    removed = []
    for path in (out / RUNS).glob("*"):
        stem = path.name.split(".")[0] if not path.name.startswith(".") else ""
        if path.name.endswith(".tmp") or path.suffix != ".parquet" or stem not in referenced:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def files_frame(con) -> pl.DataFrame:
    """The files table, ordered by path."""
    return pl.from_arrow(con.sql("SELECT * FROM files ORDER BY path").to_arrow_table())


#: Columns that differ between two builds of the same files (when and how fast).
VOLATILE = ("ingested_utc", "read_s")


def snapshot(out: Path) -> dict[str, pl.DataFrame]:
    """The catalog's content without its volatile columns, sorted: two builds of the same
    files must give equal snapshots (the kill-test's and the concurrency test's criterion)."""
    import duckdb

    con = duckdb.connect(str(out / DB_NAME), read_only=True)
    try:
        files = pl.from_arrow(con.sql("SELECT * FROM files").to_arrow_table())
        cycles = pl.from_arrow(con.sql("SELECT * FROM cycles").to_arrow_table())
    finally:
        con.close()
    runs = sorted(p.name for p in (out / RUNS).glob("*"))
    return {
        "files": files.drop(VOLATILE).sort("path"),
        "cycles": cycles.sort(["file_id", "cycle"]),
        "runs": pl.DataFrame({"name": runs}, schema={"name": pl.String()}),
    }
