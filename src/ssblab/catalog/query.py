"""Read-only SQL over a catalog: the views ``files``, ``cycles`` and ``data`` are the API.

Each query gets a fresh read-only DuckDB connection whose only readable files are
the catalog's run Parquet files (``allowed_paths``), with
``enable_external_access = false`` and the configuration locked; exactly one SELECT
statement is run. ``COPY``, ``ATTACH``, ``INSTALL``/``LOAD``, ``PRAGMA``/``SET``,
DDL and DML are refused in one line before anything runs, and table functions
that reach other files (``read_csv('/etc/passwd')``) are refused by DuckDB itself.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from ssblab.catalog import db
from ssblab.errors import SsblabError

#: How long a query waits for a running build's write lock to be released [s].
BUSY_WAIT_S = 10.0
_ALLOWED = {"SELECT"}
_NAMES = {"LOAD": "INSTALL/LOAD", "SET": "SET/PRAGMA", "VARIABLE_SET": "SET"}


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _statement_type(con, sql: str) -> str:
    """The type of the one statement in *sql*; refuse anything else in one line."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise SsblabError(f"catalog query failed: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise SsblabError(f"catalog query must be one statement, got {len(statements)}")
    kind = statements[0].type.name
    if kind not in _ALLOWED:
        raise SsblabError(
            f"catalog query refused: {_NAMES.get(kind, kind)} statements are not allowed "
            "(read-only catalog: one SELECT over the views files, cycles, data)"
        )
    return kind


def _open_read_only(out: Path):
    """A read-only connection, waiting up to BUSY_WAIT_S while a build holds the database."""
    import duckdb

    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            return duckdb.connect(str(out / db.DB_NAME), read_only=True)
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise SsblabError(
                    f"{out / db.DB_NAME}: cannot open the catalog ({_first_line(exc)})"
                ) from None
            time.sleep(0.2)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def query(out: str | Path, sql: str) -> pl.DataFrame:
    """Run one read-only SELECT over the catalog's views ``files``, ``cycles`` and ``data``."""
    import duckdb

    out = Path(out)
    if not (out / db.DB_NAME).is_file():
        raise SsblabError(
            f"{out}: not an ssblab catalog (no {db.DB_NAME}); run 'ssblab catalog build'"
        )
    con = _open_read_only(out)
    try:
        runs = [
            str(db.run_path(out, fid).resolve())
            for (fid,) in con.execute(
                "SELECT file_id FROM files WHERE status = 'read' ORDER BY path"
            ).fetchall()
        ]
        runs = [r for r in runs if Path(r).is_file()]
        listed = "[" + ", ".join(_sql_string(r) for r in runs) + "]"
        con.execute(f"SET allowed_paths = {listed}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        if runs:
            con.execute(
                "CREATE TEMP VIEW data AS SELECT regexp_extract(filename, '([0-9a-f]{16})"
                "[.]parquet$', 1) AS file_id, * EXCLUDE (filename) FROM read_parquet("
                f"{listed}, filename = true, union_by_name = true)"
            )
        _statement_type(con, sql)
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    except duckdb.Error as exc:
        raise SsblabError(f"catalog query failed: {_first_line(exc)}") from None
    finally:
        con.close()
