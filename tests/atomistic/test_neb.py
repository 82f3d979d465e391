"""NEB migration barriers: path construction, EMT bookkeeping, CHGNet bcc-Li vacancy hop."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.atomistic.neb import migration_barrier, vacancy_hop
from ssblab.atomistic.structures import conventional_cell
from ssblab.errors import SsblabError


def test_vacancy_hop_moves_one_atom_by_one_neighbour_distance():
    host = conventional_cell("Li", a_A=3.45).repeat(3)
    initial, final = vacancy_hop(host, "Li")
    assert len(initial) == len(final) == 53
    shift = final.positions - initial.positions
    from ase.geometry import find_mic

    shift, lengths = find_mic(shift, initial.cell, initial.pbc)
    assert np.count_nonzero(lengths > 1e-9) == 1
    assert lengths.max() == pytest.approx(3.45 * np.sqrt(3) / 2)


def test_emt_al_vacancy_profile():
    result = migration_barrier("Al", "vacancy", n_images=3, model="emt", min_length_A=7.0)
    assert result.converged
    assert len(result.energies_eV) == 5
    assert result.energies_eV[0] == 0.0
    # Equivalent end points: the peak is the middle image and the path is symmetric.
    assert result.peak_image == 2
    assert result.barrier_eV == pytest.approx(result.reverse_barrier_eV, abs=1e-3)
    # Measured Al vacancy migration energy is about 0.6 eV; EMT is known to be softer.
    assert 0.2 < result.barrier_eV < 0.8
    data = result.as_dict()
    assert [p["image"] for p in data["path"]] == [0, 1, 2, 3, 4]
    assert data["species"] == "Al"


def test_unlisted_hop_and_unknown_hop_are_refused():
    with pytest.raises(SsblabError, match="lists no interstitial hop"):
        migration_barrier("Li", "interstitial", model="chgnet")
    with pytest.raises(SsblabError, match="vacancy, interstitial"):
        migration_barrier("Li", "ring", model="chgnet")


@pytest.mark.slow
def test_chgnet_li_vacancy_barrier_in_bcc_li():
    pytest.importorskip("chgnet")
    result = migration_barrier("Li", "vacancy", n_images=5, min_length_A=9.0)
    assert result.n_atoms == 53
    assert 0 < result.peak_image < len(result.energies_eV) - 1
    # DFT (PBE) vacancy migration barriers in bcc Li are about 0.05-0.15 eV.
    assert 0.03 < result.barrier_eV < 0.15
    assert result.barrier_eV == pytest.approx(result.reverse_barrier_eV, abs=5e-3)


def test_bent_path_passes_through_the_middle_site():
    from ase import Atoms

    from ssblab.atomistic.neb import bent_path

    cell = [10.0, 10.0, 10.0]

    def at(x, y):
        return Atoms("Li", positions=[[x, y, 5.0]], cell=cell, pbc=True)

    start, via, end = at(1.0, 1.0), at(2.0, 3.0), at(3.0, 1.0)
    path = bent_path(start, via, end, n_images=3)
    assert len(path) == 3
    assert np.allclose(path[1][0], [2.0, 3.0, 5.0])
    assert np.allclose(path[0][0], [1.5, 2.0, 5.0])
    # Across the periodic boundary the short way is taken: 9.5 Å -> 0.5 Å is +1 Å.
    wrapped = bent_path(at(9.5, 5.0), at(10.0, 5.0), at(0.5, 5.0), n_images=1)
    assert np.allclose(wrapped[0][0], [10.0, 5.0, 5.0])


def test_path_flags_name_a_band_without_saddle():
    from ssblab.atomistic.consensus import path_flags

    # CHGNet's LGPS c-axis band (issue 15): monotonic rise to the final image.
    lgps = [0.0, -0.012, -0.011, 0.001, 0.02, 0.016, 0.021]
    codes = {f.code for f in path_flags(lgps)}
    assert codes == {"no_saddle"}
    # A symmetric hop with a real saddle carries no flag.
    assert path_flags([0.0, 0.2, 0.5, 0.2, 0.0]) == ()
    # Unequal end points with a saddle: only the asymmetry note.
    assert {f.code for f in path_flags([0.0, 0.3, 0.1])} == {"asymmetric_hop"}
