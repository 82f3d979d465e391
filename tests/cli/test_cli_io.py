"""``ssblab read/info/cycles/formats`` on the real LANDT file, and the error path."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from ssblab.analysis.cycles import CYCLE_KEYS
from ssblab.cli import app, main
from ssblab.io import read

runner = CliRunner()
STEM = "SINTEF__LiGrR2032__2024-04-30__25degC__Landt"


@pytest.fixture(scope="module")
def land(data_dir):
    return data_dir / "land" / f"{STEM}.csv"


@pytest.mark.parametrize("out", ["out.parquet", "out.bdf.csv"])
def test_read_writes_the_table(land, tmp_path, out):
    target = tmp_path / out
    result = runner.invoke(app, ["read", str(land), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "wrote 25162 rows, 2 vendor cycles" in result.output
    assert "rows skipped: 0" in result.output
    back = read(target)
    assert back.n_rows == 25162
    assert back.meta.source_format == "landt_csv"


def test_read_json(land, tmp_path):
    result = runner.invoke(app, ["read", str(land), "-o", str(tmp_path / "o.parquet"), "--json"])
    data = json.loads(result.output)
    assert data["rows"] == 25162 and data["vendor_cycles"] == 2 and data["rows_skipped"] == 0
    assert data["format"] == "landt_csv"


def test_info_json(land):
    result = runner.invoke(app, ["info", str(land), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["instrument"] == "LANDT"
    assert data["format"] == "landt_csv"
    assert data["rows"] == 25162
    assert data["vendor_cycles"] == 2  # the counter's; `ssblab cycles` counts complete cycles
    # 262657.764 s - 0.020 s between the first and last record
    assert data["time_span_h"] == pytest.approx((262657.764 - 0.020) / 3600, rel=1e-9)
    assert data["rows_skipped"] == 0
    assert any("cumulative" in n for n in data["notes"])
    assert {"version", "channels"} <= set(data)


def test_info_timezone_option(land, monkeypatch):
    monkeypatch.setenv("SSBLAB_INSTRUMENT_TZ", "UTC")
    result = runner.invoke(app, ["info", str(land), "--tz", "Europe/Oslo", "--json"])
    data = json.loads(result.output)
    # 04/30/2024 14:33:19 in Oslo (CEST, UTC+2) is 12:33:19 UTC
    assert data["start_time_utc"].startswith("2024-04-30 12:33:19")
    assert data["timezone"] == "Europe/Oslo"
    assert os.environ["SSBLAB_INSTRUMENT_TZ"] == "UTC"  # the option does not leak


def test_info_table(land):
    result = runner.invoke(app, ["info", str(land)])
    assert result.exit_code == 0
    assert "landt_csv" in result.output and "note:" in result.output


def test_cycles_json(land):
    result = runner.invoke(app, ["cycles", str(land), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["cycles"]
    assert [r["cycle"] for r in rows] == [1, 2]
    assert all(set(r) == {*CYCLE_KEYS, "partial", "ce_carry_over"} for r in rows)
    # the authors' BDF file: step 2 discharged 0.0063 Ah, step 3 charged 0.0032 Ah
    assert rows[0]["discharge_capacity_Ah"] == pytest.approx(0.0063, rel=1e-9)
    assert rows[0]["charge_capacity_Ah"] == pytest.approx(0.0032, rel=1e-9)
    assert rows[1]["coulombic_efficiency"] is None


def test_formats_lists_my_readers():
    result = runner.invoke(app, ["formats", "--json"])
    names = {r["format"] for r in json.loads(result.output)}
    assert {"landt_csv", "novonix_csv", "neware_btsda_csv", "bdf_csv", "bdf_parquet"} <= names


def test_error_is_one_line_and_exit_2(tmp_path, capsys):
    missing = tmp_path / "nothere.csv"
    with pytest.raises(SystemExit) as info:
        main(["info", str(missing)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothere.csv: no such file" in err


def test_bad_output_suffix_is_refused_before_reading(land, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["read", str(land), "-o", str(tmp_path / "out.xlsx")])
    assert info.value.code == 2
    assert "out.xlsx: cannot write this file type" in capsys.readouterr().err


def test_info_on_an_impedance_file_gives_points_and_frequency_range(data_dir):
    path = data_dir / "eis" / "exampleDataCHInstruments.txt"
    result = runner.invoke(app, ["info", "--json", str(path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # the file: 73 rows from 9.961e+4 Hz down to 0.1 Hz
    assert summary["points"] == 73 and summary["spectra"] == 1
    assert summary["frequency_max_hz"] == 99610.0 and summary["frequency_min_hz"] == 0.1
