"""Cycle rules, vendor-counter checks and partial cycles on the real files."""

from __future__ import annotations

import polars as pl
import pytest
from cycling_data import cycling_table

from ssblab import schema as s
from ssblab.analysis.cycles import cycle_table, cycles, number_cycles
from ssblab.analysis.metrics import initial_coulombic_efficiency, metrics
from ssblab.errors import AnalysisError
from ssblab.io import read
from ssblab.schema import Run, RunMeta

TESLA = "maccor/xTESLADIAG_000019_CH70.070"
ARBIN = "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
LANDT = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
JDB11 = "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"


def test_tesla_lumped_vendor_counter_is_replaced(data_dir):
    # the Maccor Cyc# stays at 1 over 60 half-cycles: vendor cycle 2 held 88.6 Ah
    ct = cycle_table(read(data_dir / TESLA))
    assert ct.rule == "pairs" and ct.requested == "vendor"
    assert "vendor_cycles_replaced" in [f.code for f in ct.flags]
    assert ct.table.height == 31
    whole = ct.complete
    assert whole.height == 30
    q = whole.get_column("discharge_capacity_Ah")
    assert q.min() > 2.7 and q.max() < 3.3  # ~3 Ah each, not 88.6 Ah
    assert ct.table.row(0, named=True)["partial"]  # the cell came in charged: 0.125 Ah only
    assert ct.table.get_column("charge_capacity_Ah").sum() == pytest.approx(88.6, abs=0.1)


def test_tesla_metrics_are_plausible(data_dir):
    m = metrics(read(data_dir / TESLA))
    assert m.ice is not None and m.ice.cycle == 2
    retention = m.table.get_column("retention").drop_nulls()
    assert retention.max() < 1.1 and retention.min() > 0.85
    # the last full discharge returns 3.24 Ah after a 2.72 Ah charge: flagged, not hidden
    assert any(f.code == "ce_out_of_range" and f.quantity == "cycle 31" for f in m.flags)


def test_arbin_xlsx_is_two_cycles(data_dir):
    # Li||graphite: discharge, charge, discharge, a 5 uAh charge; Cycle_Index stays 1
    ct = cycle_table(read(data_dir / ARBIN))
    assert ct.cell_type == "anode_half" and ct.rule == "pairs"
    assert ct.table.height == 2
    first = ct.table.row(0, named=True)
    assert first["coulombic_efficiency"] == pytest.approx(5.698108 / 5.798041, rel=1e-4)
    assert not first["partial"] and ct.table.row(1, named=True)["partial"]
    assert ct.table.row(1, named=True)["coulombic_efficiency"] is None


def test_landt_half_cell_ce_and_ice_agree(data_dir):
    # delithiation/lithiation: 3.2 mAh / 6.3 mAh (the LANDT step maxima)
    run = read(data_dir / LANDT)
    m = metrics(run)
    assert m.cell_type == "anode_half"
    ce = m.table.get_column("coulombic_efficiency").to_list()
    assert ce[0] == pytest.approx(0.0032 / 0.0063, rel=1e-6)
    assert m.ice is not None and m.ice.ice == ce[0]
    assert m.table.get_column("partial").to_list() == [False, True]
    assert m.table.get_column("energy_efficiency").null_count() == 2  # undefined: anode half
    assert "Q_charge / Q_discharge" in m.definitions["CE"]


def test_jdb11_partial_first_cycle_left_out(data_dir):
    m = metrics(read(data_dir / JDB11))
    assert m.table.get_column("partial").to_list() == [True] + [False] * 6
    assert m.ice is not None and m.ice.cycle == 2
    assert m.ice.ice == pytest.approx(0.852855 / 0.986781, rel=1e-4)
    retention = m.table.get_column("retention")
    assert retention[0] is None and retention[1] == pytest.approx(1.0)
    assert retention.drop_nulls().max() < 1.05
    assert not [f for f in m.flags if f.code == "retention_above_100"]


def test_rules_on_jdb11(data_dir):
    run = read(data_dir / JDB11)
    assert cycles(run, "half_cycles").height == 13
    pairs = cycle_table(run, "pairs")
    assert pairs.table.height == 7 and pairs.rule == "pairs"
    assert pairs.table.get_column("discharge_capacity_Ah").to_list() == pytest.approx(
        cycles(run).get_column("discharge_capacity_Ah").to_list(), rel=1e-9
    )
    # discharge-first pairs: 6 discharge+charge cycles and a last discharge alone
    dfirst = cycle_table(run, "discharge_first").table
    assert dfirst.height == 7 and dfirst.row(-1, named=True)["partial"]
    renumbered = number_cycles(run, "half_cycles").table
    assert s.VENDOR_CYCLE in renumbered.columns
    with pytest.raises(AnalysisError, match="unknown cycle rule"):
        cycles(run, "bogus")


def test_a_pulse_does_not_split_a_charge():
    table = cycling_table([1e-3, 1e-3, 1e-3], [0.9e-3, 0.9e-3, 0.9e-3], 1e-4, 1e-4)
    # a 5 s discharge pulse in the middle of cycle 2's charge
    t = table.get_column(s.TIME).to_numpy()
    cyc = table.get_column(s.CYCLE).to_numpy()
    i = table.get_column(s.CURRENT).to_numpy().copy()
    k = int(((cyc == 2) & (i > 0)).nonzero()[0][30])
    i[k] = -1e-4
    t_pulse = table.with_columns(pl.Series(s.CURRENT, i))
    assert t[k] > 0
    ct = cycle_table(t_pulse)
    assert ct.rule == "vendor" and ct.table.height == 3


def test_vendor_counter_counting_half_cycles_is_replaced():
    table = cycling_table([1e-3] * 3, [0.9e-3] * 3, 1e-4, 1e-4)
    halves = (table.get_column(s.CURRENT).sign().diff().fill_null(0) != 0).cum_sum() + 1
    bad = table.with_columns(((halves + 1) // 2).cast(pl.Int64).alias(s.CYCLE))
    ct = cycle_table(Run(bad, RunMeta(cell_type="full")))
    assert ct.rule == "pairs"
    assert ct.table.get_column("coulombic_efficiency").to_list() == pytest.approx([0.9] * 3)


def test_ice_refuses_symmetric_cells():
    table = cycling_table([1e-3] * 2, [1e-3] * 2, 1e-4, 1e-4)
    with pytest.raises(AnalysisError, match="symmetric"):
        initial_coulombic_efficiency(Run(table, RunMeta(cell_type="symmetric")))


def test_landt_csv_and_its_bdf_give_one_answer(data_dir):
    # the BDF CSV has no cycle column: pairs by the anode half-cell's orientation
    a = cycle_table(read(data_dir / LANDT))
    b = cycle_table(read(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv"))
    assert b.rule == "pairs" and a.rule == "vendor"
    cols = ["charge_capacity_Ah", "discharge_capacity_Ah", "coulombic_efficiency", "partial"]
    assert a.table.select(cols).rows() == b.table.select(cols).rows()


def test_btsda_folded_first_discharge_is_partial(data_dir):
    # Neware cycle 1 = the part-charged cell's first discharge + a full charge and discharge
    ct = cycle_table(
        read(data_dir / "neware/TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax")
    )
    assert ct.rule == "vendor" and ct.table.height == 7
    assert ct.table.get_column("partial").to_list() == [True] + [False] * 6
    ice = initial_coulombic_efficiency(
        read(data_dir / "neware/TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax")
    )
    assert ice.cycle == 2 and 0.99 < ice.ice < 1.0


def test_a_one_record_lead_is_not_a_folded_half_cycle(data_dir):
    """Arbin GITT file 01 starts with one record of 1e-11 A h discharge (0 s), then cycle 1's
    3.82 mAh charge and 3.32 mAh discharge: both halves whole, so cycle 1 is complete
    (it was called partial, as if a part-charged cell's half-cycle were folded into it)."""
    ct = cycle_table(read(data_dir / "gitt/20210210_FC_01_cc_01.res"))
    assert ct.rule == "vendor"
    assert ct.table.get_column("partial").to_list() == [False, False, True]
    first = ct.table.row(0, named=True)
    assert 1e3 * first["charge_capacity_Ah"] == pytest.approx(3.819, abs=1e-3)
    assert 1e3 * first["discharge_capacity_Ah"] == pytest.approx(3.324, abs=1e-3)
    assert not any("part-charged" in n for n in ct.notes)
    assert initial_coulombic_efficiency(read(data_dir / "gitt/20210210_FC_01_cc_01.res")).cycle == 1


def test_time_backwards_and_unit_errors_are_flagged():
    table = cycling_table([1e-3] * 2, [0.9e-3] * 2, 1e-4, 1e-4)
    t = table.get_column(s.TIME).to_numpy().copy()
    t[50] = t[49] - 5.0
    back = cycle_table(table.with_columns(pl.Series(s.TIME, t)))
    assert "time_backwards" in [f.code for f in back.flags]
    in_ms = cycle_table(table.with_columns(pl.col(s.TIME) * 1e3 * 1e3))
    assert "duration_unit" in [f.code for f in in_ms.flags]
    assert not [f for f in cycle_table(table).flags if f.code.startswith(("time", "duration"))]
