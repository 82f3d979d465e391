"""``ssblab symmetric`` errors name the file: ``ssblab: error: <file>: …``, one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssblab.cli import main

GCPL = "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_01_GCPL_C05.mpr"


def _one_line_error(capfd, args: list[str]) -> str:
    """Run ``ssblab *args*`` in-process; its single stderr line, checked for exit code 2."""
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capfd.readouterr().err
    assert info.value.code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def empty_parquet(data_dir, tmp_path) -> Path:
    """The real Li‖Li GCPL file's table with its rows taken away, as ssblab Parquet."""
    from ssblab import schema as s
    from ssblab.io import read
    from ssblab.io.export import write

    run = read(data_dir / GCPL)
    return write(s.Run(run.table.head(0), run.meta), tmp_path / "li_li_no_rows.parquet")


def test_zero_row_table_names_the_file(capfd, empty_parquet):
    line = _one_line_error(capfd, ["symmetric", str(empty_parquet), "--force"])
    assert line == f"ssblab: error: {empty_parquet}: the table has no rows"


def test_zero_row_ndax_names_the_file(capfd, data_dir):
    path = data_dir / "neware" / "empty.ndax"  # a real Neware file with no records
    line = _one_line_error(capfd, ["symmetric", str(path), "--force"])
    assert line == f"ssblab: error: {path}: the table has no rows"


def test_a_message_naming_the_file_is_not_named_twice(capfd, empty_parquet):
    line = _one_line_error(capfd, ["symmetric", str(empty_parquet)])  # refused: not Li‖Li
    assert line.count(empty_parquet.name) == 1
