"""The coated LCO cell's unfitted cathode loading, propagated; what limits its 1 C capacity."""

from __future__ import annotations

import pytest


def test_prior_loadings_are_log_uniform_quantiles():
    from ssblab.reproduce.lialo2_sensitivity import prior_loadings

    q = prior_loadings((1.0, 30.0), (0.0, 0.5, 1.0))
    assert q == pytest.approx([1.0, 30**0.5, 30.0])


@pytest.mark.slow
def test_loading_interval_is_reproduced():
    """The profile over the 1-30 mg/cm2 prior (~110 s): five diffusivity refits.

    Measured: 1/2.3/5.5/12.8 mg/cm2 meet 0.1/0.2 C (chi2 0.39/0.16/0.54/2.72), 30 mg/cm2
    does not (chi2 19); coated 1 C 66.6 [65.7, 70.3] mAh/g, so the loading is not what
    keeps 1 C below 78; the bare 1 C spans 4.3-37.0.
    """
    from ssblab.reproduce.lialo2_fullcell_model import LOADING_INTERVAL
    from ssblab.reproduce.lialo2_sensitivity import loading_interval

    result = loading_interval()
    assert result["kept"] == [True, True, True, True, False]
    assert result["chi2"][-1] > 10
    for (thickness, rate), shipped in LOADING_INTERVAL.items():
        got = result["coated" if thickness else "bare"][rate]
        assert got == pytest.approx(shipped, abs=0.3)
    _, low, high = result["coated"][1.0]
    assert high < 78.0 and high - low < 6.0


@pytest.mark.slow
def test_solid_diffusion_limits_the_coated_1c():
    """Each loss removed in turn (~40 s): LiCoO2 diffusion dominates at 1 C.

    Measured at 1 C: fitted 66.5; interphase removed 77.6 (+11); diffusivity x10 107.7
    (+41); both 123.0; LGPS conductivity x10 67.8 (+1.3). The LGPS paths are 10.1 Ohm
    (950 um separator) and 0.39 Ohm (composite, eps 0.52, Bruggeman) vs the 1006 Ohm
    Li interphase.
    """
    from ssblab.reproduce.lialo2_sensitivity import electrolyte_resistances_ohm, rate_limits

    ohm = electrolyte_resistances_ohm()
    assert ohm["separator"] == pytest.approx(10.08, rel=0.01)
    assert ohm["composite"] == pytest.approx(0.39, rel=0.02)
    assert ohm["separator"] + ohm["composite"] < 0.02 * ohm["interphase"]
    q = {k: float(v[-1]) for k, v in rate_limits().items()}
    assert q["fitted"] == pytest.approx(66.5, abs=0.3)
    gain = {k: q[k] - q["fitted"] for k in q}
    assert gain["no diffusion"] == pytest.approx(41.2, abs=0.5)
    assert gain["no interphase"] == pytest.approx(11.1, abs=0.5)
    assert gain["electrolyte x10"] == pytest.approx(1.3, abs=0.3)
    assert gain["no diffusion"] > 3 * gain["no interphase"] > 10 * gain["electrolyte x10"]


@pytest.mark.slow
def test_an_inactive_fraction_fits_0p1_0p2_c_worse():
    """Utilisation u instead of slow diffusion (~60 s): the 0.1/0.2 C data prefer u = 1.

    Measured: u 0.95 -> chi2 2.2, 1 C 71.4; u 0.9 -> chi2 7.0 (beyond 3.84), 1 C 78.2;
    all-active chi2 0.39 (test_loading_interval_is_reproduced at 1 mg/cm2). Reaching the
    paper's 1 C this way costs the fit its calibration data.
    """
    from ssblab.reproduce.lialo2_sensitivity import CHI2_KEEP, utilisation_check

    rows = {r["active_fraction"]: r for r in utilisation_check()}
    assert rows[0.95]["chi2"] == pytest.approx(2.16, abs=0.3)
    assert rows[0.9]["chi2"] == pytest.approx(6.95, abs=0.5) and rows[0.9]["chi2"] > CHI2_KEEP
    assert rows[0.95]["capacity_1C"] == pytest.approx(71.4, abs=0.5)
    assert rows[0.9]["capacity_1C"] == pytest.approx(78.2, abs=0.5)
