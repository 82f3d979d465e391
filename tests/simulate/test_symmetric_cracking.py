"""Channel cracking of the interlayer (simulate/film_cracking.py): equations and their effect."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.simulate import film_cracking as fc
from ssblab.simulate.calibrate import lifetime_h
from ssblab.simulate.protocol import expand, lifetime_protocol
from ssblab.simulate.symmetric import MODES, SymmetricCell, failures, simulate, trajectory

F, VM = 96485.33212, 12.97


@pytest.fixture(scope="module")
def cell() -> SymmetricCell:
    return SymmetricCell()


def test_li_moved_per_half_cycle_and_the_film_strain():
    # 0.1 mAh/cm2 = 0.36 C/cm2 of Li: 0.36 / F * 12.97 cm3/mol = 4.84e-5 cm
    assert fc.li_thickness_change_um(0.1, VM) == pytest.approx(0.4839, rel=1e-3)
    # 200 nm at 1e-7 S/cm and 0.1 mA/cm2: 20 mV across the film, a Li overpressure of
    # F x 0.02 V / 12.97e-6 m3/mol = 148.8 MPa, i.e. 0.496 % strain on a 30 GPa film
    kw = dict(reference_capacity_mAh_cm2=0.1, coating_conductivity_S_cm=1e-7, modulus_Pa=30e9)
    pressure_only = fc.film_strain(
        0.1, 1e-4, 200.0, membrane_strain=0.0, li_molar_volume_cm3_mol=VM, **kw
    )
    assert pressure_only == pytest.approx(F * 0.02 / (VM * 1e-6) / 30e9, rel=1e-9)
    assert pressure_only == pytest.approx(4.96e-3, rel=1e-3)
    both = fc.film_strain(1.0, 1e-4, 200.0, membrane_strain=1e-3, li_molar_volume_cm3_mol=VM, **kw)
    assert both == pytest.approx(pressure_only + 1e-2, rel=1e-9)  # membrane part x q/q_ref


def test_channel_crack_driving_force_grows_with_thickness():
    # G = Z E eps^2 h (Hutchinson & Suo 1992): 1.976 x 30 GPa x (3e-3)^2 x 200 nm
    g200 = fc.energy_release_rate_J_m2(3e-3, 200.0, 30e9, 1.976)
    assert g200 == pytest.approx(1.976 * 30e9 * 9e-6 * 200e-9, rel=1e-12)
    assert g200 == pytest.approx(0.1067, rel=1e-3)
    g300 = fc.energy_release_rate_J_m2(3e-3, 300.0, 30e9, 1.976)
    assert g300 / g200 == pytest.approx(1.5)
    # Paris law in Delta K = sqrt(E G): damage per half-cycle (G/G_ref)^(m/2) / N_c,
    # so at one strain the 300 nm film cracks 1.5^(m/2) times sooner
    kw = dict(exponent=3.0, cycles=1e4, reference_J_m2=0.1)
    ratio = fc.paris_damage(g300, **kw) / fc.paris_damage(g200, **kw)
    assert ratio == pytest.approx(1.5**1.5, rel=1e-12)


def test_a_film_stays_channelled_once_cracked_by_fatigue_or_at_once_above_gamma():
    g = np.array([[0.05, 0.05, 0.05, 0.05, 0.05]])
    kw = dict(exponent=2.0, reference_J_m2=0.1, fracture_energy_J_m2=5.0)
    # each half-cycle adds (0.5)^1 / 1.6 = 0.3125: through after the 4th half-cycle
    assert fc.channelled(g, cycles=1.6, **kw).tolist() == [[False, False, False, True, True]]
    spike = np.array([[0.05, 6.0, 0.05, 0.05]])  # one half-cycle above Gamma
    assert fc.channelled(spike, cycles=1e9, **kw).tolist() == [[False, True, True, True]]


def test_bare_li_never_cracks_and_a_cracked_film_shorts(cell):
    hc = expand(lifetime_protocol(0.1, 0.1, 6000.0))
    p = cell.params
    tr = trajectory(np.array([0.0, 200.0, 300.0]), hc, p, cell)
    assert not tr.cracked[0].any()
    fail = failures(tr)
    for i in (1, 2):  # where the film cracks, the cell shorts in that half-cycle
        k = int(np.argmax(tr.cracked[i]))
        assert tr.cracked[i].any() and fail.half_cycle[i] <= k
    no_crack = p.with_(crack_cycles=1e30, film_fracture_energy_J_m2=1e9)
    assert np.isnan(lifetime_h(300.0, no_crack, cell))  # outlives 6000 h without the crack
    result = simulate(cell.with_(coating_thickness_nm=300.0))
    assert result.failure_mode == MODES[2]  # "short"
