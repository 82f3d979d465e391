"""Query the benchmark tables with DuckDB SQL (embedded, no server)."""

from __future__ import annotations

import polars as pl

from ssblab.bench.data import BenchError, anodes, seed_results


def query(
    where: str | None = None, sql: str | None = None, include_user: bool = True
) -> pl.DataFrame:
    """Rows of the benchmark, filtered by a SQL ``WHERE`` clause or a whole query.

    Parameters
    ----------
    where : str, optional
        A condition on the ``anodes`` table, e.g. ``"np_ratio < 2 AND cathode LIKE 'NCM%'"``.
    sql : str, optional
        A full DuckDB query over the tables ``anodes`` and ``results``.

    The connection has external access disabled: a query reads only these tables.
    """
    import duckdb

    if where and sql:
        raise BenchError("give either --where or --sql, not both")
    con = duckdb.connect(config={"enable_external_access": False})
    try:
        con.register("anodes", anodes(include_user).to_arrow())
        con.register("results", seed_results().to_arrow())
        statement = sql or "SELECT * FROM anodes" + (f" WHERE {where}" if where else "")
        return pl.from_arrow(con.sql(statement).to_arrow_table())
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BenchError(f"invalid benchmark query: {first}") from None
    finally:
        con.close()
