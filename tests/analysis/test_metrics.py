"""Cycling metrics on synthetic cells whose capacities and voltages are known by construction."""

from __future__ import annotations

import polars as pl
import pytest
from cycling_data import cycling_table

from ssblab.analysis.cycles import cycles
from ssblab.analysis.metrics import (
    METRIC_KEYS,
    cycle_metrics,
    initial_coulombic_efficiency,
    metrics_from_summary,
)
from ssblab.errors import AnalysisError
from ssblab.schema import Run, RunMeta

CHARGE = [1.20e-3, 1.00e-3, 0.99e-3, 0.98e-3]
DISCHARGE = [0.90e-3, 0.95e-3, 0.94e-3, 0.90e-3]


@pytest.fixture
def cell():
    return cycling_table(CHARGE, DISCHARGE, 1e-4, 1e-4, resistance_ohm=50.0)


def test_ice_cathode_first(cell):
    ice = initial_coulombic_efficiency(cell)
    assert ice.first_half == "charge"
    assert ice.ice == pytest.approx(0.90 / 1.20, rel=1e-9)
    assert ice.first_capacity_Ah == pytest.approx(1.2e-3, rel=1e-9)


def test_ice_anode_first_is_delithiation_over_lithiation():
    # Li||graphite: lithiation (discharge) first, 1.0 mAh in, 0.85 mAh back
    table = cycling_table([0.85e-3, 0.84e-3], [1.0e-3, 0.86e-3], first="discharge")
    # its synthetic voltages are those of a full cell: the cell type comes from the metadata
    ice = initial_coulombic_efficiency(Run(table, RunMeta(cell_type="anode_half")))
    assert ice.first_half == "discharge"
    assert ice.ice == pytest.approx(0.85, rel=1e-9)


def test_metrics_values(cell):
    m = cycle_metrics(cell, active_mass_g=0.008, area_cm2=0.5, reference_cycle=2)
    assert m.columns == list(METRIC_KEYS)
    assert m.get_column("cycle").to_list() == [1, 2, 3, 4]
    assert m.get_column("discharge_capacity_Ah").to_list() == pytest.approx(DISCHARGE, rel=1e-9)
    assert m.get_column("retention").to_list() == pytest.approx(
        [d / 0.95e-3 for d in DISCHARGE], rel=1e-9
    )
    loss = m.get_column("cumulative_capacity_loss_Ah").to_list()
    assert loss[-1] == pytest.approx(sum(CHARGE) - sum(DISCHARGE), rel=1e-9)
    spec = m.get_column("specific_discharge_capacity_mAh_g").to_list()
    assert spec[0] == pytest.approx(0.90 / 0.008, rel=1e-9)  # 112.5 mAh/g
    assert m.get_column("areal_charge_capacity_mAh_cm2")[0] == pytest.approx(2.4, rel=1e-9)


def test_mean_voltages_and_hysteresis(cell):
    # linear OCV 3.5 + 0.6 x; cycle 2 charges from x=0.25 to 1.0 of nominal 1.2 mAh ...
    m = cycle_metrics(cell)
    row = m.row(0, named=True)
    # first charge: x from 0 to 1, mean OCV 3.8 V, plus I*R = 1e-4 * 50 = 5 mV
    assert row["mean_charge_voltage_V"] == pytest.approx(3.805, abs=2e-3)
    # first discharge: x from 1 to 0.25, mean OCV 3.5 + 0.6*0.625 = 3.875, minus 5 mV
    assert row["mean_discharge_voltage_V"] == pytest.approx(3.870, abs=2e-3)
    assert row["voltage_hysteresis_V"] == pytest.approx(
        row["mean_charge_voltage_V"] - row["mean_discharge_voltage_V"], abs=1e-12
    )
    assert m.get_column("specific_charge_capacity_mAh_g").null_count() == 4


def test_mass_and_area_from_run_meta(cell):
    run = Run(cell, RunMeta(active_mass_g=0.01, area_cm2=2.0))
    m = cycle_metrics(run)
    assert m.get_column("specific_charge_capacity_mAh_g")[0] == pytest.approx(120.0, rel=1e-9)
    assert m.get_column("areal_discharge_capacity_mAh_cm2")[0] == pytest.approx(0.45, rel=1e-9)


def test_refuses_bad_input(cell):
    with pytest.raises(AnalysisError, match="reference cycle 9"):
        cycle_metrics(cell, reference_cycle=9)
    with pytest.raises(AnalysisError, match="active_mass_g"):
        cycle_metrics(cell, active_mass_g=-1.0)
    with pytest.raises(AnalysisError, match="no rows"):
        cycle_metrics(cell.head(0))
    with pytest.raises(AnalysisError, match="NaN"):
        cycle_metrics(cell.with_columns(pl.lit(float("nan")).alias("Charging Capacity / Ah")))
    only_charge = cell.filter(cell.get_column("Current / A") >= 0).head(20)
    with pytest.raises(AnalysisError, match="complete cycle"):
        initial_coulombic_efficiency(only_charge)


def test_metrics_from_summary_matches_and_checks_columns(cell):
    direct = cycle_metrics(cell, active_mass_g=0.008)
    assert metrics_from_summary(cycles(cell), active_mass_g=0.008).equals(direct)
    with pytest.raises(AnalysisError, match="lacks columns"):
        metrics_from_summary(cycles(cell).drop("charge_energy_Wh"))


def test_ice_of_a_long_run_uses_only_its_first_two_halves():
    long_run = cycling_table([1.0e-3] + [0.9e-3] * 30, [0.8e-3] * 31)
    assert initial_coulombic_efficiency(long_run).ice == pytest.approx(0.8, rel=1e-9)


def test_real_landt_half_cell_ice(data_dir):
    """Li||graphite (anode-first). The LANDT export's own step maxima, read by hand from
    the CSV: first lithiation (step 2, discharge CC) 0.0063 Ah, first delithiation
    (step 3, charge CC) 0.0032 Ah, so ICE = 0.0032 / 0.0063 = 0.508."""
    from ssblab.io import read

    run = read(data_dir / "land" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv")
    ice = initial_coulombic_efficiency(run)
    assert ice.first_half == "discharge"
    assert ice.first_capacity_Ah == pytest.approx(0.0063, abs=1e-9)
    assert ice.second_capacity_Ah == pytest.approx(0.0032, abs=1e-9)
    assert ice.ice == pytest.approx(0.0032 / 0.0063, rel=1e-6)
    m = cycle_metrics(run, active_mass_g=0.0063 / 0.360)  # as if 360 mAh/g on first lithiation
    assert m.get_column("specific_discharge_capacity_mAh_g")[0] == pytest.approx(360.0, rel=1e-9)


def test_cycling_summary_of_jdb11_leaves_the_partial_cycle_out(data_dir):
    from ssblab.analysis.headline import cycling_summary
    from ssblab.io import read

    run = read(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    out = cycling_summary(run)
    assert (out["cycles"], out["partial_cycles"]) == (6, 1)
    assert out["first_out_mAh"] == pytest.approx(0.852855, rel=1e-4)
    assert out["retention_pct"] == pytest.approx(100 * 0.879492 / 0.852855, rel=1e-4)
    assert out["ice_pct"] == pytest.approx(100 * 0.852855 / 0.986781, rel=1e-4)
    assert 90 < out["mean_ce_pct"] < 95
