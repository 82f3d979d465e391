"""Plots and reports of a table whose cycle number is unreadable in some rows (null)."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab import schema as s

LAND = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
#: Data rows (0-based, after the 7 header lines) whose cycle_index is made unreadable.
BROKEN_ROWS = range(100, 105)


@pytest.fixture
def null_cycle_csv(data_dir, tmp_path):
    """The real LANDT file with 'x' in place of five cycle numbers (read as null)."""
    lines = (data_dir / LAND).read_text("utf-8").splitlines(keepends=True)
    for i in BROKEN_ROWS:
        parts = lines[7 + i].split(",")
        parts[1] = "x"
        lines[7 + i] = ",".join(parts)
    path = tmp_path / "landt_null_cycle.csv"
    path.write_text("".join(lines), "utf-8")
    return path


def test_the_reader_keeps_the_rows_with_a_null_cycle(null_cycle_csv):
    from ssblab.io import read

    assert read(null_cycle_csv).table.get_column(s.CYCLE).null_count() == 5


@pytest.mark.parametrize("kind", ["voltage", "dqdv"])
def test_plot_leaves_out_and_counts_null_cycles(null_cycle_csv, tmp_path, kind):
    from ssblab.plotting import plot

    drawn = plot(kind, null_cycle_csv, out=tmp_path / f"{kind}.png")
    assert drawn.panels
    assert all(p.traces for p in drawn.panels)
    assert any("5 rows without a cycle number left out." in p.note for p in drawn.panels)


def test_overlay_of_two_runs_counts_null_cycles(null_cycle_csv, data_dir, tmp_path):
    from ssblab.plotting import plot

    drawn = plot("voltage", null_cycle_csv, data_dir / LAND, out=tmp_path / "v.png")
    (panel,) = drawn.panels
    assert panel.note.endswith("5 rows without a cycle number left out.")


def test_report_builds_with_null_cycles(null_cycle_csv, tmp_path):
    from ssblab.report.build import build

    report = build([null_cycle_csv], tmp_path / "r", png=False)
    assert "voltage_capacity_landt_null_cycle" in report.panels
    assert "dqdv_landt_null_cycle" in report.panels
    text = report.index.read_text("utf-8")
    assert "5 rows without a cycle number left out." in text


def test_cv_panel_leaves_out_null_cycles(data_dir):
    from ssblab.io import read
    from ssblab.report import panels_echem
    from ssblab.report.inputs import LabelledRun

    run = read(data_dir / "biologic" / "cv.mpr")
    table = run.table.with_row_index("_i").with_columns(
        pl.when(pl.col("_i") < 3).then(None).otherwise(pl.col(s.CYCLE)).alias(s.CYCLE)
    )
    broken = type(run)(table=table.drop("_i"), meta=run.meta)
    (panel,) = panels_echem.cyclic_voltammetry([LabelledRun("cv", broken)])
    assert panel.traces
    assert panel.note == "3 rows without a cycle number left out."


def test_novonix_null_cycle_plots(data_dir, tmp_path):
    from ssblab.plotting import plot

    src = data_dir / "novonix" / "test_Nova_Form-CH01-01_short.csv"
    lines = src.read_bytes().split(b"\n")
    for i in range(200, 203):  # quoted data lines after the [Data] header (line 58)
        fields = lines[i].split(b",")
        fields[1] = b"?"  # Cycle Number
        lines[i] = b",".join(fields)
    path = tmp_path / src.name
    path.write_bytes(b"\n".join(lines))
    for kind in ("voltage", "dqdv"):
        (panel,) = plot(kind, path, out=tmp_path / f"{kind}.png").panels
        assert panel.traces
        assert panel.note.endswith("3 rows without a cycle number left out.")
