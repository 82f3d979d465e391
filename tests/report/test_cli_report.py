"""``ssblab report``: prints the page path, --json lists panels and skips, bad input is one line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ssblab.cli import app

runner = CliRunner()


def test_report_command_writes_page_and_pngs(cycling, tmp_path):
    table = tmp_path / "cell.parquet"
    cycling.table.write_parquet(table)
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(table), "-o", str(out), "--title", "My cell"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("index.html")
    assert "<title>My cell</title>" in (out / "index.html").read_text("utf-8")
    assert (out / "capacity_ce.png").is_file()


def test_report_json_keys(cycling, tmp_path):
    table = tmp_path / "cell.parquet"
    cycling.table.write_parquet(table)
    result = runner.invoke(
        app, ["report", str(table), "-o", str(tmp_path / "o"), "--json", "--no-png"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout[result.stdout.index("{") :])
    assert set(payload) == {"index_html", "html_bytes", "png", "panels", "not_available"}
    assert payload["png"] == []
    assert "retention" in payload["panels"]
    assert {
        "panel": "symmetric cell voltage",
        "reason": "no symmetric-cell (Li|SE|Li) run among the inputs",
    } in payload["not_available"]


def test_missing_input_is_one_line_error(tmp_path, capsys):
    from ssblab.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ssblab: error:") and "nope.csv" in err[0]
