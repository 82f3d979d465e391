"""The notebook API: top-level functions take a path or a Run, masses in mg; short reprs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import ssblab

_SPEC = importlib.util.spec_from_file_location(
    "_api_synthetic", Path(__file__).resolve().parent / "report" / "conftest.py"
)
synthetic = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synthetic)


def test_dir_lists_the_public_api_before_first_use():
    names = dir(ssblab)
    for name in ("read", "cycles", "metrics", "rate", "symmetric", "plot", "Run", "design"):
        assert name in names


def test_path_and_run_give_the_same_cycles(tmp_path):
    from ssblab.io.export import write

    run = synthetic.cycling_run(n_cycles=5)
    path = write(run, tmp_path / "cell.parquet")
    by_run = ssblab.cycles(run)
    by_path = ssblab.cycles(path)
    by_str = ssblab.cycles(str(path))
    assert by_run.equals(by_path) and by_path.equals(by_str)
    assert by_run.height == 5


def test_metrics_take_mg_like_the_cli():
    run = synthetic.cycling_run(n_cycles=4)  # 8 mg in the metadata, 0.99 mAh first discharge
    from_file = ssblab.metrics(run).table
    assert from_file.get_column("specific_discharge_capacity_mAh_g")[0] == pytest.approx(
        0.99 / 0.008, rel=1e-3
    )
    given = ssblab.metrics(run, mass_mg=4.0).table  # the argument wins over the file
    assert given.get_column("specific_discharge_capacity_mAh_g")[0] == pytest.approx(
        0.99 / 0.004, rel=1e-3
    )
    with pytest.raises(ssblab.errors.SsblabError, match="mass_mg must be positive"):
        ssblab.metrics(run, mass_mg=-1)


def test_rate_and_symmetric_from_runs():
    rate = synthetic.cycling_run(n_cycles=6, currents_mA=[0.2, 0.2, 1.0, 1.0, 0.2, 0.2])
    blocks = ssblab.rate(rate).blocks
    assert blocks.height == 3
    sym = ssblab.symmetric(synthetic.symmetric_run())
    d = sym.to_dict()
    assert d["failure_mode"] == "soft_short" and d["failure_time_h"] == pytest.approx(40.0)
    assert "soft_short at 40 h" in repr(sym)
    assert "<table>" in sym._repr_html_()


def test_symmetric_refuses_a_full_cell_in_one_line():
    with pytest.raises(ssblab.errors.SsblabError, match="needs a symmetric Li"):
        ssblab.symmetric(synthetic.cycling_run(n_cycles=3))


def test_run_repr_is_one_line_and_html_is_a_summary():
    run = synthetic.cycling_run(n_cycles=20, points_per_half=500)  # 20 000 rows
    text = repr(run)
    assert "\n" not in text and "20000 rows" in text and "20 cycles" in text and "8 mg" in text
    page = run._repr_html_()
    assert "active_mass_mg" in page and "first 5 of 20000 rows" in page
    assert len(page) < 20_000  # not the whole table


def test_design_repr_and_html(examples_dir):
    d = ssblab.design(ssblab.load_recipe(examples_dir / "al-lpsc-composite_ncm622.toml"))
    assert repr(d).startswith("<ssblab Design 'Al-LPSC-C | LPSC | NCM622': full")
    assert "N/P 0.93" in repr(d)
    page = d._repr_html_()
    assert ">N/P ratio [-]</th>" in page and ">np_ratio</th>" not in page and "basis=" not in page


def test_plot_returns_an_inline_figure():
    result = ssblab.plot("capacity", synthetic.cycling_run(n_cycles=4))
    png = result._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000


def test_run_plot_method():
    result = synthetic.cycling_run(n_cycles=3).plot("retention")
    assert result.kind == "retention" and result.panels[0].y_label == "Retention [%]"


def test_result_summaries_are_short():
    from ssblab._repr import result_html, result_repr

    result = ssblab.metrics(synthetic.cycling_run(n_cycles=30))
    text = result_repr(result)
    assert text.startswith("<ssblab Metrics: table: 30 rows") and "\n" not in text
    page = result_html(result)
    assert "first 5 of 30 rows" in page and "cell_type" in page


def test_design_stays_the_function_after_its_module_is_imported(examples_dir):
    import importlib

    importlib.import_module("ssblab.design")
    from ssblab.design import Design

    d = ssblab.design(ssblab.load_recipe(examples_dir / "sym-li-bare_lgps.toml"))
    assert isinstance(d, Design)
