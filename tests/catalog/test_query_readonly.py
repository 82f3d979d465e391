"""`catalog query` is read-only: one SELECT over the views; writes, attaches, installs and
reads of other files are refused in one line and leave the catalog and the disk unchanged."""

from __future__ import annotations

import shutil

import pytest

from ssblab.catalog import db
from ssblab.catalog.store import build, query
from ssblab.errors import SsblabError


@pytest.fixture(scope="module")
def catalog(tmp_path_factory, data_dir):
    base = tmp_path_factory.mktemp("ro")
    (base / "archive").mkdir()
    shutil.copyfile(data_dir / "neware" / "TestFile.nda", base / "archive" / "TestFile.nda")
    build(base / "archive", base / "cat")
    return base / "cat"


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("COPY files TO '{base}/stolen.csv'", "COPY statements are not allowed"),
        ("COPY (SELECT * FROM data) TO '{base}/stolen.parquet'", "COPY statements"),
        ("ATTACH '{base}/new.duckdb' AS x", "ATTACH statements are not allowed"),
        ("INSTALL httpfs", "INSTALL/LOAD statements are not allowed"),
        ("LOAD httpfs", "INSTALL/LOAD statements"),
        ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
        ("SELECT * FROM read_text('{base}/cat/.lock')", "disabled"),
        ("SELECT * FROM glob('/etc/*')", "disabled"),
        ("SELECT * FROM read_parquet('{base}/cat/runs/../../x.parquet')", "disabled"),
        ("SET enable_external_access = true", "SET/PRAGMA statements are not allowed"),
        ("PRAGMA enable_profiling", "not allowed"),
        ("DELETE FROM files", "DELETE statements are not allowed"),
        ("DROP TABLE files", "DROP statements are not allowed"),
        ("CREATE TABLE t AS SELECT 1", "CREATE statements are not allowed"),
        ("SELECT 1; DELETE FROM files", "one statement, got 2"),
    ],
)
def test_writes_attaches_installs_and_file_reads_are_refused(catalog, sql, words):
    base = catalog.parent
    before = sorted(p.name for p in base.rglob("*"))
    rows_before = query(catalog, "SELECT count(*) AS n FROM files")["n"][0]
    with pytest.raises(SsblabError) as err:
        query(catalog, sql.format(base=base))
    message = str(err.value)
    assert words in message and "\n" not in message, message
    assert sorted(p.name for p in base.rglob("*")) == before  # nothing written
    assert query(catalog, "SELECT count(*) AS n FROM files")["n"][0] == rows_before == 1


def test_the_views_are_the_api(catalog):
    joined = query(
        catalog,
        'SELECT f.format, count(*) AS n, max(d."Voltage / V") AS vmax '
        "FROM data d JOIN files f USING (file_id) GROUP BY 1",
    )
    assert joined.to_dicts()[0]["format"] == "neware_nda"
    assert joined["n"][0] == 6670
    assert query(catalog, "SELECT count(*) AS n FROM cycles")["n"][0] == 3


def test_query_while_a_build_holds_the_database_waits_then_fails_in_one_line(catalog, monkeypatch):
    from ssblab.catalog import query as q

    monkeypatch.setattr(q, "BUSY_WAIT_S", 0.3)
    con = db.connect(catalog)  # a writer holds the file (as a running build does)
    try:
        with pytest.raises(SsblabError) as err:
            query(catalog, "SELECT 1")
        assert "cannot open the catalog" in str(err.value) and "\n" not in str(err.value)
    finally:
        con.close()
