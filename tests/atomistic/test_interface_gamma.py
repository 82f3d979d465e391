"""Li|gamma-LiAlO2 (80 atoms): contact and the vacancy crossing with both potentials (slow).

Measured by ``benchmarks/bench_atoms_budget.py --interface Li,LiAlO2_gamma``; quick only with
``SSBLAB_TEST_RESULTS`` pointing at that result cache.

Since 788d23f gamma-LiAlO2 is the neutron refinement (Wiedemann et al. 2016) instead of the
DFT mp-3427 positions. CHGNet was re-run on it in session 6 (contact 217 s, band 58 s at load 2):
W_ad 2.434 J/m2 (2.699 on the mp-3427 atoms), extra Li -0.530 eV (-0.169), no bond broken or
formed, and the first-layer vacancy hop runs downhill all the way (0.000 eV, dE -0.511 eV;
before, its end points merged and the second-layer hop gave 0.042 eV). SevenNet likewise
(contact 329 s, band 114 s): W_ad 0.729 J/m2 (0.742), extra Li +0.100 eV, 3 bonds formed
(flagged reacted), first-layer hop 0.109 eV (0.122), dE -0.116 eV (-0.099).
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def gamma(monkeypatch):
    folder = os.environ.get("SSBLAB_TEST_RESULTS")
    if folder:
        monkeypatch.setenv("SSBLAB_CACHE", folder)
    from ssblab.atomistic.interface_cache import cached_interface

    def get(model: str):
        pytest.importorskip("chgnet" if model == "chgnet" else "sevenn")
        return cached_interface("Li", "LiAlO2_gamma", model, bulk=False)

    return get


@pytest.mark.slow
def test_chgnet_first_layer_vacancy_hop_runs_downhill(gamma):
    r = gamma("chgnet")
    assert r.converged and r.build["n_atoms"] == 80
    assert r.W_adhesion_J_m2 == pytest.approx(2.434, abs=0.05)
    assert r.E_bind_interface_eV == pytest.approx(-0.530, abs=0.03)
    assert r.broken_bonds == 0 and r.bonds_formed == 0
    codes = {f.code for f in r.flags}
    assert {"no_saddle", "asymmetric_hop"} <= codes and "interface_reacted" not in codes
    assert "first substrate Li layer" in r.mechanism and r.steps["band"] < 300
    assert r.barrier_eV == pytest.approx(0.0, abs=0.01)
    assert all(
        b <= a + 1e-3 for a, b in zip(r.path_eV[:-1], r.path_eV[1:], strict=True)
    )  # downhill
    assert r.delta_E_eV == pytest.approx(-0.511, abs=0.05)


@pytest.mark.slow
def test_sevennet_first_layer_vacancy_hop_and_the_flags_of_both(gamma):
    from ssblab.atomistic.interface_cache import consensus_flags

    r = gamma("sevennet")
    assert r.converged and all(r.stage_converged.values())
    assert r.W_adhesion_J_m2 == pytest.approx(0.729, abs=0.05)
    assert r.E_bind_interface_eV == pytest.approx(0.100, abs=0.03)
    assert r.broken_bonds == 0 and r.bonds_formed == 3
    assert "interface_reacted" in {f.code for f in r.flags}
    assert "first substrate Li layer" in r.mechanism
    assert 0 < max(range(7), key=lambda i: r.path_eV[i]) < 6  # interior saddle
    assert r.barrier_eV == pytest.approx(0.109, abs=0.03)
    assert r.delta_E_eV == pytest.approx(-0.116, abs=0.03)
    both = {"chgnet": gamma("chgnet"), "sevennet": r}
    flagged = {f.quantity for f in consensus_flags(both)}
    assert flagged == {"W_adhesion_J_m2", "E_bind_interface_eV", "barrier_eV", "broken_bonds"}
