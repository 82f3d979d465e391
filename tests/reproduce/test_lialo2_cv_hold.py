"""The LiAlO2 rate test's protocol choice, measured: CC both ways (as the seed states no hold)
carries charge into the last 0.1 C cycle; a CV hold at the lower cutoff would not, but it adds
capacity to every discharge."""

from __future__ import annotations

import pytest

pytest.importorskip("pybamm")


@pytest.mark.slow
def test_cv_hold_removes_carry_over_but_adds_capacity():
    from ssblab.reproduce.lialo2_fullcell import CC_ONLY_CHOICE
    from ssblab.reproduce.lialo2_sensitivity import cv_hold_rate_test

    out = cv_hold_rate_test()
    assert out["cc_ce"][4] == pytest.approx(1.198, abs=0.002)
    assert [round(c, 3) for c in out["hold_ce"]] == [0.960, 0.996, 1.005, 1.008, 0.995]
    cc, hold = out["cc_discharge_mAh"][3], out["hold_discharge_mAh"][3]  # 1 C
    assert (cc, hold) == (pytest.approx(0.053, abs=5e-4), pytest.approx(0.067, abs=5e-4))
    assert 100.0 * (hold / cc - 1.0) == pytest.approx(26, abs=1.5)
    assert "0.960/0.996/1.005/1.008/0.995" in CC_ONLY_CHOICE and "26 %" in CC_ONLY_CHOICE
