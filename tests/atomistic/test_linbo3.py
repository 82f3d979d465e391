"""LiNbO3 Li vacancy barrier with both potentials (slow, CPU minutes per potential).

Measured with ``ssblab atoms neb --structure LiNbO3 --min-length-A 8 --model both``
(2x2x1 hexagonal cell, 120 - 1 atoms, 5-image CI-NEB, nearest-neighbour hop between two
octahedral Li sites, 3.76 Å apart in the refinement, 3.83 Å relaxed). No literature value of the
LiNbO3 Li migration barrier was retrieved. CHGNet 0.860 eV, SevenNet 1.001 eV (25 min wall for
both on a loaded 2-core machine): they disagree by 0.14 eV, beyond the 0.1 eV margin (flagged).
"""

from __future__ import annotations

import pytest

from ssblab.atomistic.neb import migration_barrier

#: Barriers measured on this machine [eV] (forward; the hop is symmetric).
MEASURED_EV = {"chgnet": 0.860, "sevennet": 1.001}


@pytest.mark.slow
@pytest.mark.parametrize("model", ["chgnet", "sevennet"])
def test_linbo3_li_vacancy_barrier(model):
    pytest.importorskip("sevenn" if model == "sevennet" else "chgnet")
    result = migration_barrier("LiNbO3", "vacancy", n_images=5, model=model, min_length_A=8.0)
    print(f"LiNbO3 {model}: {result.barrier_eV:.3f} eV, {result.energies_eV}")
    assert result.n_atoms == 119 and result.converged
    assert result.distance_A == pytest.approx(3.83, abs=0.08)
    assert result.barrier_eV == pytest.approx(result.reverse_barrier_eV, abs=0.01)
    assert not [f for f in result.flags if f.code in ("no_saddle", "asymmetric_hop")]
    assert result.barrier_eV == pytest.approx(MEASURED_EV[model], abs=0.03)
