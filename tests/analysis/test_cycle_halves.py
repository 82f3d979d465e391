"""The ``half_cycles`` rule: only truncated half-cycles are partial (real files)."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycle_table, number_cycles
from ssblab.analysis.metrics import metrics
from ssblab.io import read

TESLA = "maccor/xTESLADIAG_000019_CH70.070"
ARBIN = "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
LANDT = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
JDB11 = "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"


def _partial_cycles(ct) -> list[int]:
    return ct.table.filter(pl.col("partial")).get_column("cycle").to_list()


@pytest.mark.parametrize(
    ("name", "n_halves", "partial"),
    [
        (TESLA, 61, [1]),  # the cell came in charged: a 0.125 Ah first discharge
        (JDB11, 13, [1]),  # EC-Lab's 0.21 mAh first discharge
        (ARBIN, 4, [4]),  # a 5 uAh last charge
        (LANDT, 3, [3]),  # the last lithiation stopped at 1.3 of 6.3 mAh
    ],
)
def test_only_truncated_halves_are_partial(data_dir, name, n_halves, partial):
    ct = cycle_table(read(data_dir / name), "half_cycles")
    assert ct.rule == "half_cycles" and ct.table.height == n_halves
    assert _partial_cycles(ct) == partial
    flagged = [f.quantity for f in ct.flags if f.code == "partial_cycle"]
    assert flagged == [f"cycle {c}" for c in partial]
    assert ct.table.get_column("coulombic_efficiency").null_count() == n_halves


@pytest.mark.parametrize("name", [TESLA, JDB11, ARBIN, LANDT])
def test_halves_agree_with_pairs_completeness(data_dir, name):
    # record by record: the halves of a complete pairs cycle are complete, and a
    # partial half lies in a partial pairs cycle
    run = read(data_dir / name)
    halves = cycle_table(run, "half_cycles")
    pairs = cycle_table(run, "pairs")
    of_record = pl.DataFrame(
        {
            "half": number_cycles(run, "half_cycles").table.get_column(s.CYCLE),
            "pair": number_cycles(run, "pairs").table.get_column(s.CYCLE),
        }
    ).unique(maintain_order=True)
    half_partial = dict(halves.table.select("cycle", "partial").iter_rows())
    pair_partial = dict(pairs.table.select("cycle", "partial").iter_rows())
    checked = 0
    for h, p in of_record.iter_rows():
        if not pair_partial[p]:
            assert not half_partial[h], (h, p)
            checked += 1
        if half_partial[h]:
            assert pair_partial[p], (h, p)
    assert checked >= 2 * pairs.complete.height  # every complete pair has two halves


def test_half_cycle_capacities_sum_to_the_pairs(data_dir):
    run = read(data_dir / TESLA)
    halves = cycle_table(run, "half_cycles").table
    pairs = cycle_table(run, "pairs").table
    for col in ("charge_capacity_Ah", "discharge_capacity_Ah"):
        assert halves.get_column(col).sum() == pytest.approx(pairs.get_column(col).sum(), rel=1e-9)
    # a complete half holds ~3 Ah, not the 0.125 Ah of the partial first one
    whole = halves.filter(~pl.col("partial"))
    own = whole.select(pl.max_horizontal("charge_capacity_Ah", "discharge_capacity_Ah")).to_series()
    assert whole.height == 60 and own.min() > 2.6 and own.max() < 3.3


def test_half_cycle_retention_is_on_out_halves_only(data_dir):
    m = metrics(read(data_dir / JDB11), rule="half_cycles")
    rows = m.table.select("cycle", "discharge_capacity_Ah", "partial", "retention")
    charge_rows = rows.filter(pl.col("cycle") % 2 == 0)
    assert charge_rows.get_column("retention").null_count() == charge_rows.height
    ret = rows.filter(~pl.col("partial") & (pl.col("cycle") % 2 == 1)).get_column("retention")
    assert ret[0] == pytest.approx(1.0)
    assert ret[-1] == pytest.approx(0.000879 / 0.000853, rel=2e-3)
    assert "no_complete_cycle" not in [f.code for f in m.flags]
