"""The per-run memo: one cycle table per run for a report page (real files)."""

from __future__ import annotations

import gc

import pytest

from ssblab.analysis import cycles
from ssblab.analysis.cycles import cycle_table
from ssblab.analysis.memo import per_run
from ssblab.io import read

JDB11 = "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"


def test_the_same_run_and_arguments_give_the_same_table(data_dir):
    run = read(data_dir / JDB11)
    first = cycle_table(run)
    assert cycle_table(run, "vendor") is first  # defaults filled in: one key
    assert cycle_table(run, cell_type=None, min_duration_s=10.0) is first
    assert cycle_table(run, "half_cycles") is not first
    assert cycle_table(run, cell_type="cathode_half").cell_type == "cathode_half"
    again = read(data_dir / JDB11)  # an equal run, another object: computed anew
    assert cycle_table(again) is not first
    assert cycle_table(again).table.equals(first.table)
    assert cycle_table(run.table) is not cycle_table(run.table)  # a bare table: never kept


def test_an_entry_goes_with_its_run():
    from ssblab.schema import Run

    calls = []

    @per_run
    def height(run: Run, extra: int = 0) -> int:
        calls.append(run)
        return run.table.height + extra

    import polars as pl

    run = Run(pl.DataFrame({"Test Time / s": [0.0, 1.0], "Voltage / V": [3.0, 3.1],
                            "Current / A": [0.1, 0.1]}))  # fmt: skip
    assert height(run) == height(run, 0) == 2 and len(calls) == 1
    assert height(run, 1) == 3 and len(calls) == 2
    assert height.cache_size() == 2
    del run, calls[:]
    gc.collect()
    assert height.cache_size() == 0


def test_a_report_page_computes_each_cycle_table_once(data_dir, monkeypatch):
    """The capacity/CE and retention panels and the summary asked for the same run's cycle
    table 6 times (3 of them through rate tables); now once: the rate tables use the run's
    own (analysis/rate.py had renumbered into a new run, 2 more a page)."""
    from ssblab.report.build import make_panels
    from ssblab.report.inputs import collect
    from ssblab.report.summary import summary_rows

    computed = []
    summary = cycles._summary
    monkeypatch.setattr(cycles, "_summary", lambda t: computed.append(1) or summary(t))
    data = collect([data_dir / JDB11])
    make_panels(data)
    rows = summary_rows(data)
    assert rows[0]["complete cycles"] == 6
    assert len(computed) == 1
    computed.clear()
    make_panels(data)  # the same page again: nothing new
    assert len(computed) == 0


@pytest.fixture(autouse=True)
def _cold():
    """Each test starts with empty memos."""
    from ssblab.analysis.memo import clear_all

    clear_all()
