"""The Parquet + DuckDB catalog of an archive, serial and on Dask distributed."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

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
        src = data_dir / name
        (root / "cell-A" / src.name).symlink_to(src)
    (root / "cell-A" / "notes.xyz").write_text("lab notebook scribbles\n")
    (root / "cell-A" / "empty.ndax").write_bytes(b"")
    return root


def _square(x: int) -> int:
    return x * x


def test_build_reports_every_file(archive, tmp_path):
    out = tmp_path / "cat"
    files = build(archive, out)
    status = dict(zip(files["path"].str.split("/").list.last(), files["status"], strict=True))
    assert status == {
        "TestFile.nda": "read",
        "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv": "read",
        "GCPL-0.mpr": "read",
        "notes.xyz": "unknown",
        "empty.ndax": "refused",
    }
    refused = files.filter(pl.col("status") == "refused")["reason"][0]
    assert "empty.ndax" in refused and "empty" in refused
    # the rows in the catalog equal the rows of the runs it wrote
    total = query(out, "SELECT count(*) AS n FROM data")["n"][0]
    assert total == files["rows"].fill_null(0).sum()
    per_cycle = query(out, "SELECT file_id, count(*) AS n FROM cycles GROUP BY 1 ORDER BY 1")
    assert per_cycle["n"].sum() == files["cycles"].fill_null(0).sum()


def test_rebuild_skips_catalogued_files(archive, tmp_path):
    out = tmp_path / "cat"
    build(archive, out)
    started = []
    again = build(archive, out, on_start=started.append)
    assert started == [2]  # only the unread files are tried again
    assert again.height == 5


def test_query_errors_are_one_line(tmp_path):
    with pytest.raises(SsblabError, match="not an ssblab catalog"):
        query(tmp_path, "SELECT 1")


def test_cli_build_and_query_json(archive, tmp_path):
    out = tmp_path / "cat"
    runner = CliRunner()
    result = runner.invoke(app, ["catalog", "build", str(archive), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["read"], summary["refused"], summary["unknown"]) == (3, 1, 1)
    result = runner.invoke(
        app,
        [
            "catalog",
            "query",
            "SELECT status, count(*) AS n FROM files GROUP BY 1 ORDER BY 1",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert json.loads(result.output) == [
        {"status": "read", "n": 3},
        {"status": "refused", "n": 1},
        {"status": "unknown", "n": 1},
    ]


def test_run_many_serial_keeps_order():
    seen = []
    assert run_many(_square, [3, 1, 2], on_done=seen.append) == [9, 1, 4]
    assert seen == [1, 2, 3]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_catalog(archive, tmp_path):
    pytest.importorskip("distributed")
    serial = build(archive, tmp_path / "serial").sort("path")
    parallel = build(archive, tmp_path / "dask", scheduler="local", workers=2).sort("path")
    assert serial.drop("reason").equals(parallel.drop("reason"))
