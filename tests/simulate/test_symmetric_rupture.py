"""Rupture of the film spanning a stripping void (simulate/film_rupture.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssblab.simulate import film_rupture as fr
from ssblab.simulate.protocol import expand, lifetime_protocol
from ssblab.simulate.symmetric import SymmetricCell, failures, trajectory


def test_plate_and_membrane_stress_by_hand():
    # a/h = 100 at p = 1 MPa, E = 20 GPa: plate 0.75 * 1e6 * 1e4 = 7.5 GPa, membrane
    # 0.423 * (2e10 * 1e12 * 1e4)^(1/3) = 0.423 * 5.848e8 = 0.2474 GPa: the membrane carries it
    big = fr.span_stress_Pa(1e6, 10.0, 100.0, 2e10)
    assert big == pytest.approx(0.423 * (2e26) ** (1 / 3), rel=1e-12)
    assert big == pytest.approx(2.4737e8, rel=1e-4)
    # a/h = 1: plate 0.75 MPa, membrane 11.5 MPa: the plate (bending) carries it
    assert fr.span_stress_Pa(1e6, 0.1, 100.0, 2e10) == pytest.approx(7.5e5, rel=1e-12)


def test_void_size_from_the_void_measure_and_the_uneven_stripping_length():
    # 0.1 mAh/cm2 moves q V_m / F = 0.36 C/cm2 * 12.97 / 96485 cm = 0.4839 um of Li
    spacing = fr.void_spacing_um(0.00242, 0.1, 12.97)
    assert spacing == pytest.approx(0.36 / 96485.33212 * 12.97 * 1e4 / 0.00242, rel=1e-12)
    assert spacing == pytest.approx(199.97, rel=1e-4)
    # V = 1: half the contact lost, phi = 0.5, a = 200 um * sqrt(0.5 / pi) = 79.8 um
    assert fr.void_share(1.0) == 0.5
    assert fr.void_radius_um(1.0, 200.0) == pytest.approx(200.0 * math.sqrt(0.5 / math.pi))
    assert fr.void_radius_um(0.0, 200.0) == 0.0


def test_critical_radius_is_proportional_to_thickness_and_meets_the_strength():
    args = (8.5e8, 7.5e5, 100.0, 2.2e10)
    a_c = fr.critical_radius_um(*args)
    # membrane regime: a_c = h (sigma_f / 0.423)^1.5 / (sqrt(E) p) = 0.1 um * 809 = 80.9 um
    assert a_c == pytest.approx(0.1 * (8.5e8 / 0.423) ** 1.5 / (2.2e10**0.5 * 7.5e5), rel=1e-12)
    assert a_c == pytest.approx(80.9, rel=1e-3)
    assert fr.span_stress_Pa(7.5e5, a_c, 100.0, 2.2e10) == pytest.approx(8.5e8, rel=1e-9)
    assert fr.critical_radius_um(8.5e8, 7.5e5, 200.0, 2.2e10) == pytest.approx(2 * a_c)
    # the film hangs ~16 um deep into such a void (the stated limit: void depth not modelled)
    assert fr.membrane_deflection_um(7.5e5, a_c, 100.0, 2.2e10) == pytest.approx(16.2, rel=0.02)


def test_ruptured_share_stays_once_ruptured_and_bare_li_never_ruptures():
    b = {
        "membrane_strain": 0.00242,
        "reference_capacity_mAh_cm2": 0.1,
        "li_molar_volume_cm3_mol": 12.97,
        "stack_pressure_Pa": 7.5e5,
        "film_modulus_Pa": 2.2e10,
        "film_strength_Pa": 8.5e8,
    }
    v = np.array([[0.5, 1.2, 1.0, 1.5]])  # phi_c of 100 nm: pi (80.9 / 200)^2 = 0.514 -> V 1.06
    broken, share = fr.ruptured_share(np.array([[100.0], [200.0], [0.0]]), v, b)
    assert broken[0].tolist() == [False, True, True, True]  # stays ruptured when V dips
    assert share[0, 1] == pytest.approx(1.2 / 2.2) and share[0, 0] == 0.0
    assert not broken[1].any() and not broken[2].any()  # 200 nm needs phi 2.06 > 1; bare: none


def test_the_thin_film_ruptures_in_the_shipped_model_and_dies_earlier():
    cell = SymmetricCell()
    hc = expand(lifetime_protocol(0.1, 0.1, 6000.0))
    tr = trajectory(np.array([0.0, 100.0, 200.0, 300.0]), hc, cell.params, cell)
    fail = failures(tr)
    assert not tr.ruptured[0].any()  # bare Li has no film
    # 100 nm ruptures at 174 h, 200 nm at 2400 h, both before they fail; 300 nm never
    assert [int(np.argmax(tr.ruptured[i])) for i in (1, 2)] == [174, 2400]
    assert not tr.ruptured[3, : fail.half_cycle[3] + 1].any()
    strong = cell.params.with_(film_strength_Pa=5e9)  # no rupture: the model without it
    intact = failures(trajectory(np.array([100.0, 200.0]), hc, strong, cell)).lifetime_h
    assert fail.lifetime_h[1] < intact[0] and fail.lifetime_h[2] < intact[1]  # 1037 < 1904 h
