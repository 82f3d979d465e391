"""The LiAlO2 seed's simulated rate test: the 0.1 C cycle after 1 C gives back the lithium the
1 C discharge left (CC/CC, no CV hold), flagged as carry-over, not as bad data."""

from __future__ import annotations

import pytest

pytest.importorskip("pybamm")

from ssblab.analysis.cycles import cycle_table
from ssblab.recipe import load_recipe
from ssblab.reproduce.lialo2_fullcell import FULL, RATES_C, build, interface_asr_ohm
from ssblab.simulate.cycling import CC_ONLY_NOTE
from ssblab.simulate.fullcell import cell_window, rate_protocol, simulate_full


def test_rate_test_ce_above_one_is_carry_over(examples_dir):
    model = build()
    recipe = load_recipe(examples_dir / f"{FULL[200]}.toml")
    run = simulate_full(
        recipe,
        rate_protocol([*RATES_C, RATES_C[0]], 1, cell_window(recipe)),
        series_resistance_ohm=interface_asr_ohm(200),
        inputs=model.inputs(),
        loading_mg_cm2=model.params["loading"],
        interphase=model.cell.interphase,
    )
    ct = cycle_table(run)
    ce = ct.table.get_column("coulombic_efficiency").to_list()
    # 0.1/0.2/0.5/1 C each stop short at the cutoff; the last 0.1 C returns the rest
    assert all(0.9 < c < 0.96 for c in ce[:4])
    assert ce[4] == pytest.approx(1.198, abs=0.01)
    q_in = sum(ct.table.get_column("charge_capacity_Ah"))
    q_out = sum(ct.table.get_column("discharge_capacity_Ah"))
    assert q_out < q_in  # the running balance closes
    codes = {(f.quantity, f.code) for f in ct.flags}
    assert ("cycle 5", "ce_carry_over") in codes
    assert not any(code in ("ce_out_of_range", "ee_out_of_range") for _, code in codes)
    assert CC_ONLY_NOTE in run.meta.notes
