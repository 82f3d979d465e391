"""Li|gamma-LiAlO2 (80 atoms): contact and the vacancy crossing with both potentials (slow).

Measured by ``benchmarks/bench_atoms_budget.py --interface Li,LiAlO2_gamma`` on 2 loaded cores
(CHGNet contact 810 s, band 422 s; SevenNet contact 2211 s, band 120 s); quick only with
``SSBLAB_TEST_RESULTS`` pointing at that result cache.

The numbers are those of the DFT mp-3427 gamma-LiAlO2 positions; since 788d23f the
structure is the neutron refinement (Wiedemann et al. 2016), its hop geometry moved
(tests/atomistic/test_interface_crossing.py) and the contacts and bands were not re-run,
so the module is skipped with that reason until they are.
"""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.skip(
    reason="measured on the mp-3427 gamma-LiAlO2 positions; not re-run on the neutron "
    "refinement of 788d23f (about 1 h of both potentials on 2 loaded cores)"
)


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
def test_chgnet_first_hop_has_no_barrier_and_the_second_layer_hop_is_downhill(gamma):
    r = gamma("chgnet")
    assert r.converged and r.build["n_atoms"] == 80
    assert r.W_adhesion_J_m2 == pytest.approx(2.699, abs=0.05)
    assert r.E_bind_interface_eV == pytest.approx(-0.169, abs=0.03)
    codes = {f.code for f in r.flags}
    assert {"end_points_merged", "interface_reacted", "asymmetric_hop"} <= codes
    assert "second substrate Li layer" in r.mechanism and r.steps["band"] < 300
    assert r.barrier_eV == pytest.approx(0.042, abs=0.03)
    assert r.delta_E_eV == pytest.approx(-1.649, abs=0.05)
    assert r.hop_A == pytest.approx(3.12, abs=0.05)


@pytest.mark.slow
def test_sevennet_first_layer_vacancy_hop_and_the_flags_of_both(gamma):
    from ssblab.atomistic.interface_cache import consensus_flags

    r = gamma("sevennet")
    assert r.stage_converged["band"] and r.stage_converged["hop start"]
    assert not r.stage_converged["host again"]  # 400-step cap; flagged not_converged
    assert r.W_adhesion_J_m2 == pytest.approx(0.742, abs=0.05)
    assert "first substrate Li layer" in r.mechanism
    assert 0 < max(range(7), key=lambda i: r.path_eV[i]) < 6  # interior saddle
    assert r.barrier_eV == pytest.approx(0.122, abs=0.03)
    assert r.delta_E_eV == pytest.approx(-0.099, abs=0.03)
    both = {"chgnet": gamma("chgnet"), "sevennet": r}
    flagged = {f.quantity for f in consensus_flags(both)}
    assert flagged == {"W_adhesion_J_m2", "E_bind_interface_eV", "barrier_eV", "broken_bonds"}
