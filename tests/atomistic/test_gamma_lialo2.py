"""gamma-LiAlO2 Li vacancy barrier with both potentials (slow, CPU minutes per potential).

Measured with ``ssblab atoms neb --structure LiAlO2_gamma --min-length-A 8 --model both``
(2x2x2 cell, 128 - 1 atoms, 5-image CI-NEB, nearest-neighbour Li-Li hop of 3.02-3.03 Å;
32 min wall for both on a loaded 2-core machine). CHGNet 0.435 eV, SevenNet 0.557 eV: they
disagree by 0.12 eV, beyond the 0.1 eV margin, and the CLI flags it (potentials_disagree).
The literature range quoted in issue #15 for gamma-LiAlO2 is 0.7-1.2 eV; its parts
(NMR local hops, tracer and conductivity, which add defect formation to migration)
were not retrieved with their values, so the comparison is with the range only.
Re-run in session 6 from the neutron-refined atoms (Wiedemann et al. 2016): 0.434 / 0.557 eV
(158 / 423 s at load 2).
"""

from __future__ import annotations

import pytest

from ssblab.atomistic.neb import migration_barrier

#: Barriers measured on this machine [eV] (forward; the hop is symmetric).
MEASURED_EV = {"chgnet": 0.435, "sevennet": 0.557}
LITERATURE_RANGE_EV = (0.7, 1.2)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["chgnet", "sevennet"])
def test_gamma_lialo2_li_vacancy_barrier(model):
    pytest.importorskip("sevenn" if model == "sevennet" else "chgnet")
    result = migration_barrier("LiAlO2_gamma", "vacancy", n_images=5, model=model, min_length_A=8.0)
    print(f"gamma-LiAlO2 {model}: {result.barrier_eV:.3f} eV, {result.energies_eV}")
    assert result.n_atoms == 127 and result.converged
    assert result.distance_A == pytest.approx(3.03, abs=0.05)
    # A symmetric hop between equivalent sites: the saddle is inside the band.
    assert result.barrier_eV == pytest.approx(result.reverse_barrier_eV, abs=0.01)
    assert not [f for f in result.flags if f.code in ("no_saddle", "asymmetric_hop")]
    assert result.barrier_eV == pytest.approx(MEASURED_EV[model], abs=0.03)
    # Below the literature range: the potential (or the hop) misses 0.3 eV or more.
    assert result.barrier_eV < LITERATURE_RANGE_EV[0]
