"""The stripping gap above a critical stripping current: the rate test's super-linear rise."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.simulate import interphase as ph
from ssblab.simulate.calibrate import calibration_report, rate_test
from ssblab.simulate.protocol import expand, parse_protocol
from ssblab.simulate.symmetric import SymmetricCell, trajectory


@pytest.fixture(scope="module")
def cell() -> SymmetricCell:
    return SymmetricCell()


@pytest.fixture(scope="module")
def rows() -> dict:
    return {r.quantity: r for r in calibration_report()}


def test_gap_opens_only_above_the_critical_stripping_current_and_grows_with_the_deficit():
    # Q_h = F h / V_m: 50 nm of Li (12.97 cm3/mol) is 37.2 mC/cm2
    q_h = ph.FARADAY * 50e-7 / 12.97
    assert q_h == pytest.approx(0.03720, rel=1e-3)
    j = np.array([1e-4, 2.5e-4, 5e-4, 1e-3])
    gap = ph.stripping_gap(0.1, j, 2.5e-4, 50.0, 12.97)
    assert gap[0] == gap[1] == 0.0  # at or below j_c: creep keeps up, no gap
    assert gap[3] == pytest.approx(0.75 * 0.36 / q_h, rel=1e-9)  # (1 - j_c/j) Q / Q_h
    assert gap[2] == pytest.approx(0.5 * 0.36 / q_h, rel=1e-9)
    double = ph.stripping_gap(0.2, j, 2.5e-4, 50.0, 12.97)
    assert double == pytest.approx(2.0 * gap)  # linear in the charge stripped


def test_gap_focuses_the_film_drop_of_the_stripping_electrode_only(cell):
    hc = expand(parse_protocol("1.0 mA/cm2, 0.1 mAh/cm2, 2 cycles"))
    p = cell.params
    coated = trajectory(200.0, hc, p, cell)
    closed = trajectory(200.0, hc, p.with_(gap_critical_current_A_cm2=2e-3), cell)
    gap = float(ph.stripping_gap(0.1, 1e-3, p.gap_critical_current_A_cm2, p.gap_depth_nm, 12.97))
    assert gap > 1.0
    assert np.allclose(coated.plating_end, closed.plating_end)  # plating refills: no gap
    assert np.allclose(coated.stripping_start, closed.stripping_start)  # refilled at the start
    r_film = 200e-7 / p.coating_conductivity_S_cm
    extra = coated.stripping_end - closed.stripping_end
    film_part = 1e-3 * gap * r_film  # the ohmic share of the focused film drop
    assert np.all(extra >= film_part) and np.all(extra < film_part + 0.2)
    bare = trajectory(0.0, hc, p, cell)
    bare_closed = trajectory(0.0, hc, p.with_(gap_critical_current_A_cm2=2e-3), cell)
    bare_extra = bare.stripping_end - bare_closed.stripping_end
    # no insulating film: only the charge transfer feels the gap; asinh(a x) - asinh(x)
    # stays below ln(a), so the bare electrode gains at most (2RT/F) ln(1 + V_gap)
    thermal = 2 * ph.GAS_CONSTANT * 298.15 / ph.FARADAY
    assert np.all(bare_extra < thermal * np.log(1.0 + gap) + 1e-9)


def test_rate_test_rises_super_linearly_on_the_coated_cell_and_not_on_the_bare(rows):
    coated = [rows[f"overpotential 200 nm at {j} mA/cm2 [mV]"].model for j in ("0.25", "1.0")]
    bare = [rows[f"overpotential bare at {j} mA/cm2 [mV]"].model for j in ("0.25", "1.0")]
    assert coated[1] / coated[0] > 7.0  # seed x11 for x4 in current
    assert bare[1] / bare[0] < 5.5  # seed x3.8
    for name in ("200 nm at 0.25", "200 nm at 1.0", "bare at 0.25", "bare at 1.0"):
        row = rows[f"overpotential {name} mA/cm2 [mV]"]
        assert abs(row.error_percent) < 30.0, (name, row.model)  # issue 14: within 30 %


def test_bare_cell_survives_the_rate_test_as_the_seed_did(cell):
    out = rate_test(0.0, cell.params, cell)
    assert all(mode == "none" for _, mode in out.values())
    assert out[1.0][0] == pytest.approx(4000.0, rel=0.3)
