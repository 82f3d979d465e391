"""Numbers the audit of the real files found wrong or unflagged (metrics, rate)."""

from __future__ import annotations

import pytest

from ssblab.analysis.metrics import metrics
from ssblab.analysis.rate import rate_table
from ssblab.flags import SPECIFIC_CAPACITY_MAX_MAH_G
from ssblab.io import read

TESTFILE = "neware/TestFile.nda"


def test_li_metal_bound_is_the_catalog_value():
    from ssblab.materials import get_material

    li = get_material("Li").theoretical_capacity_mAh_g()
    assert abs(SPECIFIC_CAPACITY_MAX_MAH_G - li) < 0.5


def test_partial_first_discharge_is_no_negative_loss(data_dir):
    # TestFile.nda: cycle 1 is a 3.790 Ah discharge of a cell that came in charged;
    # the loss read -3.790 Ah on it and -3.786 Ah after the complete cycle 2
    m = metrics(read(data_dir / TESTFILE))
    loss = m.table.get_column("cumulative_capacity_loss_Ah").to_list()
    assert loss[0] is None and loss[2] is None  # partial cycles 1 and 3
    assert loss[1] == pytest.approx(5.8110249 - 5.8066461, rel=1e-4)  # 4.38 mAh, cycle 2


def test_a_mass_that_gives_more_than_li_metal_is_flagged(data_dir):
    run = read(data_dir / TESTFILE)  # 5.8 Ah cell
    wrong = metrics(run, active_mass_g=0.010)  # 10 mg: 581 000 mAh/g
    flags = [f for f in wrong.flags if f.code == "specific_capacity_implausible"]
    assert len(flags) == 1 and "5.815e+05 mAh/g (cycle 3)" in flags[0].message
    assert "10 mg" in flags[0].message
    right = metrics(run, active_mass_g=30.0)  # 30 g: 194 mAh/g
    assert not [f for f in right.flags if f.code == "specific_capacity_implausible"]
    rate = rate_table(run, active_mass_g=0.010)
    assert [f.code for f in rate.flags].count("specific_capacity_implausible") == 1


def test_report_summary_says_its_cycles_are_the_complete_ones(data_dir):
    # TestFile.nda: `ssblab info` and `ssblab cycles` print 3 cycles, the report printed
    # "cycles 1" (the complete ones) without saying so; the partial ones are in its flags
    from ssblab.report.inputs import LabelledRun, ReportData
    from ssblab.report.summary import summary_rows

    (row,) = summary_rows(ReportData(runs=[LabelledRun("cell", read(data_dir / TESTFILE))]))
    assert row["complete cycles"] == 1 and "partial_cycle (×2)" in row["flags"]
    assert row["first capacity [mAh]"] == pytest.approx(5806.646, rel=1e-6)
    assert row["capacity from"] == "discharge"


def test_report_voltage_profiles_use_the_cycles_that_cycles_prints(data_dir):
    # maccor_001.txt: vendor cycle 1 holds 8 of the 9 half-cycles; the panel drew one
    # 17 624 mAh "charge" (four charges end to end) while `ssblab cycles` prints 5 cycles
    from ssblab.report.inputs import LabelledRun
    from ssblab.report.panels_cycling import voltage_capacity

    run = LabelledRun("m", read(data_dir / "maccor/maccor_001.txt"))
    panel = voltage_capacity(run, "mAh", 1000.0)
    names = [t.name for t in panel.traces]
    assert len(names) == 9 and names[0] == "cycle 1 discharge"
    widest = max(float(max(t.x)) for t in panel.traces)
    assert widest == pytest.approx(4544.03, rel=1e-5)  # cycle 2 discharge, as in cycles
    assert "rule pairs" in panel.note


def test_retention_above_100_names_a_rate_test(data_dir):
    # test_2.ndax is a rate test: 135 % retention at a slower rate than cycle 1's; the flag
    # blamed only a partial reference or lumped cycles
    m = metrics(read(data_dir / "neware/test_2.ndax"))
    (flag,) = [f for f in m.flags if f.code == "retention_above_100"]
    assert flag.message.startswith("retention 135 % exceeds 105 %")
    assert "a rate test" in flag.message


def test_a_partial_cycle_with_an_odd_ce_says_it_is_not_the_cells(data_dir):
    # nw_regular_export_ife_example.csv: the partial cycle 1 prints CE 14.65 beside an
    # info-level "partial cycle" flag only
    from ssblab.analysis.cycles import cycle_table

    ct = cycle_table(read(data_dir / "neware/nw_regular_export_ife_example.csv"))
    (flag,) = [f for f in ct.flags if f.quantity == "cycle 1"]
    assert flag.code == "partial_cycle" and flag.severity == "warning"
    assert "its CE 14.65 is not the cell's" in flag.message
