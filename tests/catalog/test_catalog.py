"""The DuckDB + Parquet catalog of an archive: what it records, rebuilds, changes, deletions."""

from __future__ import annotations

import json
import os
import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from ssblab.catalog import db
from ssblab.catalog.check import check
from ssblab.catalog.runner import run_many
from ssblab.catalog.store import build, query
from ssblab.cli import app
from ssblab.errors import SsblabError

FILES = [
    "neware/TestFile.nda",
    "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "biologic/GCPL-0.mpr",
]


@pytest.fixture
def archive(tmp_path, data_dir):
    root = tmp_path / "archive"
    (root / "cell-A").mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(data_dir / name, root / "cell-A" / (data_dir / name).name)
    (root / "cell-A" / "notes.xyz").write_text("lab notebook scribbles\n")
    (root / "cell-A" / "empty.ndax").write_bytes(b"")
    return root


def _square(x: int) -> int:
    return x * x


def _status(files: pl.DataFrame) -> dict[str, str]:
    return dict(zip(files["path"].str.split("/").list.last(), files["status"], strict=True))


def test_build_reports_every_file(archive, tmp_path):
    out = tmp_path / "cat"
    files = build(archive, out)
    assert _status(files) == {
        "TestFile.nda": "read",
        "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv": "read",
        "GCPL-0.mpr": "read",
        "notes.xyz": "unknown",
        "empty.ndax": "refused",
    }
    refused = files.filter(pl.col("status") == "refused")["reason"][0]
    assert "empty.ndax" in refused and "empty" in refused
    assert (out / db.DB_NAME).is_file()
    # the rows in the catalog equal the rows of the runs it wrote
    assert query(out, "SELECT count(*) AS n FROM data")["n"][0] == 6670 + 25162 + 4
    assert query(out, "SELECT count(*) AS n FROM data")["n"][0] == files["rows"].sum()
    per_file = query(out, "SELECT file_id, count(*) AS n FROM cycles GROUP BY 1")
    assert per_file["n"].sum() == files["cycles"].fill_null(0).sum()
    # each run file matches the hash recorded for it
    assert check(out, repair=False)["ok"] == 3


def test_rebuild_skips_unchanged_files(archive, tmp_path):
    out = tmp_path / "cat"
    first = build(archive, out)
    started = []
    again = build(archive, out, on_start=started.append)
    assert started == [0]
    assert again.equals(first)


def test_changed_file_replaces_its_records_and_deleted_file_is_marked(archive, tmp_path, data_dir):
    out = tmp_path / "cat"
    build(archive, out)
    cell = archive / "cell-A"
    old_id = query(out, "SELECT file_id FROM files WHERE path LIKE '%GCPL-0.mpr'")["file_id"][0]
    shutil.copyfile(data_dir / "biologic" / "MB-1.mpr", cell / "GCPL-0.mpr")  # same name, new run
    os.utime(cell / "GCPL-0.mpr", ns=(1, 1))
    (cell / "TestFile.nda").unlink()
    files = build(archive, out)
    assert files.height == 5  # counted once, not twice
    changed = files.filter(pl.col("path").str.ends_with("GCPL-0.mpr"))
    assert changed["rows"].to_list() == [13] and changed["file_id"][0] != old_id
    assert not db.run_path(out, old_id).exists()
    assert query(out, f"SELECT count(*) AS n FROM cycles WHERE file_id = '{old_id}'")["n"][0] == 0
    assert _status(files)["TestFile.nda"] == "deleted"
    assert query(out, "SELECT count(*) AS n FROM data")["n"][0] == 25162 + 13


def test_symlink_out_of_the_archive_is_refused_not_followed(archive, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("Test_Time(s),Voltage(V)\n1,3.5\n")
    (archive / "cell-A" / "link.csv").symlink_to(secret)
    (archive / "cell-A" / "inside.mpr").symlink_to(archive / "cell-A" / "GCPL-0.mpr")
    files = build(archive, tmp_path / "cat")
    row = files.filter(pl.col("path").str.ends_with("link.csv"))
    assert row["status"][0] == "refused" and "outside the archive" in row["reason"][0]
    assert _status(files)["inside.mpr"] == "read"


def test_check_repairs_a_damaged_and_a_missing_run(archive, tmp_path):
    out = tmp_path / "cat"
    files = build(archive, out)
    ids = files.filter(pl.col("status") == "read")["file_id"].to_list()
    damaged = db.run_path(out, ids[0])
    damaged.write_bytes(damaged.read_bytes()[:100])  # a half-written run file
    db.run_path(out, ids[1]).unlink()
    (out / db.RUNS / ".deadbeef.123.tmp.parquet").write_bytes(b"PAR1")  # left by a kill
    report = check(out)
    assert sorted(report["bad"]) == sorted(
        files.filter(pl.col("file_id").is_in(ids[:2]))["path"].to_list()
    )
    assert len(report["repaired"]) == 2 and len(report["orphans_removed"]) == 1
    assert check(out, repair=False)["ok"] == 3
    assert query(out, "SELECT count(*) AS n FROM data")["n"][0] == files["rows"].sum()


def test_query_errors_are_one_line(tmp_path):
    with pytest.raises(SsblabError, match="not an ssblab catalog"):
        query(tmp_path, "SELECT 1")


def test_cli_build_check_and_query_json(archive, tmp_path):
    out = tmp_path / "cat"
    runner = CliRunner()
    result = runner.invoke(app, ["catalog", "build", str(archive), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["read"], summary["refused"], summary["unknown"]) == (3, 1, 1)
    sql = "SELECT status, count(*) AS n FROM files GROUP BY 1 ORDER BY 1"
    result = runner.invoke(app, ["catalog", "query", sql, "-o", str(out), "--json"])
    assert json.loads(result.output) == [
        {"status": "read", "n": 3},
        {"status": "refused", "n": 1},
        {"status": "unknown", "n": 1},
    ]
    result = runner.invoke(app, ["catalog", "check", "-o", str(out), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["ok"] == 3


def test_run_many_serial_keeps_order():
    seen = []
    assert run_many(_square, [3, 1, 2], on_done=seen.append) == [9, 1, 4]
    assert seen == [1, 2, 3]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_catalog(archive, tmp_path):
    pytest.importorskip("distributed")
    serial = build(archive, tmp_path / "serial")
    parallel = build(archive, tmp_path / "dask", scheduler="local", workers=2)
    cols = [c for c in serial.columns if c not in db.VOLATILE]
    assert serial.select(cols).equals(parallel.select(cols))


def test_cell_metadata_follows_the_files_into_the_catalog(archive, tmp_path):
    """A folder cells.toml gives the LANDT cell its mass and type, the EC-Lab header gives
    nothing here; the catalog records each with its source, as every command resolves it."""
    (archive / "cell-A" / "cells.toml").write_text(
        '["SINTEF*"]\nactive_mass_mg = 12.5\narea_cm2 = 1.54\ncell_type = "anode_half"\n'
    )
    files = build(archive, tmp_path / "cat")
    land = files.filter(pl.col("path").str.contains("SINTEF")).row(0, named=True)
    assert land["active_mass_mg"] == pytest.approx(12.5)
    assert land["area_cm2"] == pytest.approx(1.54)
    assert land["cell_type"] == "anode_half"
    assert "cells.toml" in land["cell_sources"]
    nda = files.filter(pl.col("path").str.ends_with("TestFile.nda")).row(0, named=True)
    assert nda["active_mass_mg"] is None or nda["active_mass_mg"] > 0


def test_catalog_of_an_older_ssblab_gains_the_new_columns(archive, tmp_path):
    """A files table without the cell-metadata columns is migrated, not refused."""
    import duckdb

    out = tmp_path / "cat"
    out.mkdir()
    old = {
        k: v
        for k, v in db.FILES_SCHEMA.items()
        if k not in ("active_mass_mg", "area_cm2", "cell_type", "cell_sources")
    }
    con = duckdb.connect(str(out / db.DB_NAME))
    con.execute(db._ddl("files", old, "path"))
    con.close()
    files = build(archive, out)
    assert {"active_mass_mg", "cell_type"} <= set(files.columns)
    assert (files["status"] == "read").sum() == 3
