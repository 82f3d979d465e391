"""Rate table on a synthetic LiCoO2 rate test shaped after the LiAlO2 seed paper (a full
cell: the blocks are on the discharge, columns named for it; anode half-cells: test_rate_halves).

The seed (Chang et al., LiAlO2-modified Li | Li10GeP2S12 | LiCoO2@LiNbO3,
/work/shared/seeds/003_*, Fig. 4b) reports 125, 110, 94 and 78 mAh/g at 0.1, 0.2,
0.5 and 1.0 C, recovering to 110 mAh/g back at 0.1 C. The synthetic cell follows
the logarithmic rate law Q(C) = a - b log10(C / 1 C), the usual straight line of
capacity against log(rate) before transport collapse, with a = 78.714 and
b = 46.071 mAh/g (least-squares fit to those four points); the return to 0.1 C
carries a permanent loss that leaves 110 mAh/g.
"""

from __future__ import annotations

import math

import pytest
from cycling_data import cycling_table

from ssblab.analysis.rate import ALIASES, BLOCK_KEYS, rate_table
from ssblab.errors import AnalysisError

MASS_G = 0.010  # 10 mg LiCoO2
ONE_C_MAH_G = 140.0  # practical LiCoO2 capacity defining 1 C (assumption of this test)
NOMINAL_AH = ONE_C_MAH_G * MASS_G / 1000.0
RATES = [0.1, 0.2, 0.5, 1.0, 0.1]
PAPER = [125.0, 110.0, 94.0, 78.0, 110.0]
PER_BLOCK = 5


def law_mAh_g(c_rate: float) -> float:
    return 78.714 - 46.071 * math.log10(c_rate)


def expected_mAh_g() -> list[float]:
    values = [law_mAh_g(c) for c in RATES]
    values[-1] = 110.0  # permanent loss after the fast blocks
    return values


def rate_test_table(current_noise: float = 0.0):
    charge, discharge, i_ch, i_dis = [], [], [], []
    for block, (c, q) in enumerate(zip(RATES, expected_mAh_g(), strict=True)):
        for k in range(PER_BLOCK):
            wobble = (k - 2) * 0.002  # +-0.4 % around the block mean, mean zero
            q_dis = q * MASS_G / 1000.0 * (1 + wobble)
            discharge.append(q_dis)
            charge.append(q_dis / 0.995)
            jitter = current_noise * (1 if (k + block) % 2 else -1)
            i_ch.append(c * NOMINAL_AH)
            i_dis.append(c * NOMINAL_AH * (1 + jitter))
    return cycling_table(charge, discharge, i_ch, i_dis, nominal_Ah=NOMINAL_AH, points=30)


def test_rate_table_recovers_the_seed_capacities():
    result = rate_table(
        rate_test_table(), active_mass_g=MASS_G, area_cm2=0.785, nominal_capacity_Ah=NOMINAL_AH
    )
    blocks = result.blocks
    assert blocks.columns == list(BLOCK_KEYS)
    assert blocks.height == 5
    assert blocks.get_column("cycles").to_list() == [PER_BLOCK] * 5
    assert blocks.get_column("first_cycle").to_list() == [1, 6, 11, 16, 21]
    assert result.half == "discharge"
    assert blocks.get_column("discharge_c_rate").to_list() == pytest.approx(RATES, rel=1e-9)
    spec = blocks.get_column("specific_discharge_capacity_mAh_g").to_list()
    assert spec == pytest.approx(expected_mAh_g(), rel=1e-9)
    assert spec == pytest.approx(PAPER, abs=1.5)  # the law vs the paper's numbers
    j = blocks.get_column("discharge_current_density_mA_cm2").to_list()
    assert j[3] == pytest.approx(1.4 / 0.785, rel=1e-9)
    for old, new in ALIASES.items():  # the old keys, kept for a full cell: the same numbers
        assert blocks.get_column(old).equals(blocks.get_column(new), check_names=False)
    rec = result.recovery
    assert rec is not None
    assert rec.block == 4
    assert rec.specific_capacity_mAh_g == pytest.approx(110.0, rel=1e-9)
    assert rec.ratio == pytest.approx(110.0 / law_mAh_g(0.1), rel=1e-9)  # 0.881
    assert rec.to_dict()["specific_discharge_capacity_mAh_g"] == pytest.approx(110.0, rel=1e-9)


def test_blocks_tolerate_current_jitter_within_tolerance():
    result = rate_table(rate_test_table(current_noise=0.02), active_mass_g=MASS_G)
    assert result.blocks.get_column("cycles").to_list() == [PER_BLOCK] * 5
    tight = rate_table(rate_test_table(current_noise=0.02), tolerance=0.01)
    assert tight.blocks.height > 5  # 4 % spread splits blocks at 1 % tolerance


def test_no_return_to_first_rate_gives_no_recovery():
    table = rate_test_table()
    first_four = table.filter(table.get_column("Cycle Count / 1") <= 20)
    assert rate_table(first_four).recovery is None


def test_refuses_impossible_input():
    table = rate_test_table()
    with pytest.raises(AnalysisError, match="tolerance"):
        rate_table(table, tolerance=1.5)
    charge_only = table.filter(table.get_column("Current / A") >= 0)
    with pytest.raises(AnalysisError, match="no cycle with a discharge"):
        rate_table(charge_only)


def test_test2_rate_blocks_on_the_real_file(data_dir):
    """test_2.ndax: one cycle each at 0.079, 0.158, 0.317, 0.528, 0.792, 1.58 mA, three at
    3.17 mA, then 0.079 mA again (recovery), 20 cycles at 0.317 mA, ... (Neware counter)."""
    from ssblab.io import read

    result = rate_table(read(data_dir / "neware/test_2.ndax"))
    blocks = result.blocks
    assert result.half == "discharge"
    currents = blocks.get_column("discharge_current_A").to_list()[:7]
    currents_ma = [round(1000 * c, 3) for c in currents]
    assert currents_ma == [0.079, 0.158, 0.317, 0.528, 0.792, 1.584, 3.168]
    assert blocks.get_column("cycles").to_list()[6:9] == [3, 1, 20]
    assert result.recovery is not None and result.recovery.block == 7
    assert result.recovery.ratio == pytest.approx(0.10588 / 0.10059, rel=1e-3)
    assert "recovery_above_100" in [f.code for f in result.flags]  # 105.3 %: said, not hidden
    assert any("partial cycles [54]" in n for n in result.notes)
