"""``-o`` on the table commands (CSV, XLSX, Parquet, JSON) and human units in printed tables."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from ssblab.cli import app, split_debug
from ssblab.cli._common import human_units, plain_text, print_table, write_table
from ssblab.errors import SsblabError

runner = CliRunner()
ROWS = [
    {"cycle": 1, "discharge_capacity_Ah": 0.0053831, "voltage_hysteresis_V": 0.0421, "mean_V": 3.7},
    {"cycle": 2, "discharge_capacity_Ah": 0.0052, "voltage_hysteresis_V": 0.05, "mean_V": 3.69},
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".json"])
def test_write_table_round_trips_at_full_precision(suffix, tmp_path):
    path = write_table(pl.DataFrame(ROWS), tmp_path / f"t{suffix}")
    if suffix == ".csv":
        back = pl.read_csv(path)
    elif suffix == ".parquet":
        back = pl.read_parquet(path)
    elif suffix == ".json":
        back = pl.DataFrame(json.loads(path.read_text("utf-8")))
    else:
        from openpyxl import load_workbook

        values = list(load_workbook(path).active.values)
        back = pl.DataFrame([dict(zip(values[0], v, strict=True)) for v in values[1:]])
    assert back.columns == list(ROWS[0])  # the unit stays in each column name
    assert back.get_column("discharge_capacity_Ah").to_list() == [0.0053831, 0.0052]


def test_write_table_refuses_unknown_suffix_in_one_line(tmp_path):
    with pytest.raises(SsblabError, match=r"t\.txt: table output must end in"):
        write_table(ROWS, tmp_path / "t.txt")


def test_human_units_are_chosen_per_column():
    rows, cols = human_units(ROWS, list(ROWS[0]))
    assert cols == ["cycle", "discharge_capacity_mAh", "voltage_hysteresis_mV", "mean_V"]
    assert rows[0]["discharge_capacity_mAh"] == pytest.approx(5.3831)
    assert rows[0]["voltage_hysteresis_mV"] == pytest.approx(42.1)
    big, big_cols = human_units([{"q_Ah": 3.1}], ["q_Ah"])  # a 3 Ah cell stays in Ah
    assert big_cols == ["q_Ah"] and big[0]["q_Ah"] == 3.1


def test_plain_text_drops_docstring_markup():
    assert plain_text("Arbin Excel: ``Channel_*`` sheets, see :func:`~ssblab.io.read`") == (
        "Arbin Excel: Channel_* sheets, see ssblab.io.read"
    )


def test_intervals_print_to_the_table_digits_and_every_rows_keys_are_columns(capsys):
    rows = [
        {"quantity": "a", "model_interval_90": [2423.0000001, 3321.4999]},
        {"quantity": "b", "model_interval_90": (1152.1, 11228.19999), "horizon_h": 30000.0},
    ]
    print_table(rows, digits=4, human=False)
    out = capsys.readouterr().out
    assert "[2423, 3321]" in out and "[1152, 1.123e+04]" in out
    assert "horizon_h" in out and "3e+04" in out  # a key only the second row has


def test_bracketed_text_is_printed_not_taken_for_rich_markup(capsys):
    print_table([{"quantity": "Cathode loading [mg/cm²]", "note": "[bold]x[/bold]"}], human=False)
    out = capsys.readouterr().out
    assert "Cathode loading [mg/cm²]" in out and "[bold]x[/bold]" in out


def test_debug_is_taken_from_anywhere_on_the_line():
    assert split_debug(["info", "x.csv", "--debug"]) == (["info", "x.csv"], True)
    assert split_debug(["--debug", "info", "x"]) == (["info", "x"], True)
    assert split_debug(["info", "--", "--debug"]) == (["info", "--", "--debug"], False)


def test_help_shows_json_as_a_flag():
    result = runner.invoke(app, ["plot", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    line = next(ln for ln in result.output.splitlines() if "--json" in ln)
    assert "<bool>" not in line


def test_cycles_o_writes_xlsx(data_dir, tmp_path):
    out = tmp_path / "cycles.xlsx"
    src = data_dir / "neware" / "TestFile.nda"
    result = runner.invoke(app, ["cycles", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    values = list(load_workbook(out).active.values)
    assert values[0][:3] == ("cycle", "charge_capacity_Ah", "discharge_capacity_Ah")
    assert [v[0] for v in values[1:]] == [1, 2, 3]
    assert values[2][2] == pytest.approx(5.8066, rel=1e-4)  # cycle 2 discharge, Ah


def test_command_owner_table_matches_the_registrations():
    import importlib

    import typer

    from ssblab.cli import COMMAND_MODULES, COMMAND_OWNERS

    found = {}
    for name in COMMAND_MODULES:
        probe = typer.Typer()
        importlib.import_module(f"ssblab.cli.{name}").register(probe)
        for cmd in probe.registered_commands:
            found[cmd.name or cmd.callback.__name__] = name
        for group in probe.registered_groups:
            found[group.name] = name
    assert found == COMMAND_OWNERS  # main() imports only the owner of the command it runs


def test_main_runs_a_command_with_only_its_module(data_dir, capsys):
    from ssblab.cli import main

    main(["info", str(data_dir / "neware" / "TestFile.nda"), "--json", "--debug"])
    assert json.loads(capsys.readouterr().out)["rows"] == 6670


def test_plain_options_convert_without_pydantic():
    from pathlib import Path

    from typer.models import OptionInfo

    from ssblab.cli._fastparse import plain_converter

    info = OptionInfo()
    assert plain_converter(float, info)("2.5") == 2.5
    assert plain_converter(list[Path], info)(["a", "b"]) == [Path("a"), Path("b")]
    assert plain_converter(bool, info)("yes") is True
    with pytest.raises(ValueError, match="not a valid integer"):
        plain_converter(int, info)("x")
    assert plain_converter(float, OptionInfo(min=0)) is None  # a range goes to Typer's adapter
    assert plain_converter(Path, OptionInfo(exists=True)) is None  # so do path checks


def test_bad_number_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["plot", "capacity", "x.parquet", "--mass-mg", "abc"])
    assert result.exit_code == 2
    assert "not a valid float" in result.output
