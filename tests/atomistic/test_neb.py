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

    # CHGNet's old LGPS 16h -> 8f band (issue 15): a rise to the final image.
    lgps = [0.0, -0.012, -0.011, 0.001, 0.02, 0.016, 0.021]
    codes = {f.code for f in path_flags(lgps)}
    assert codes == {"no_saddle", "intermediate_minimum"}  # it dips 0.012 eV first
    # A symmetric hop with a real saddle carries no flag.
    assert path_flags([0.0, 0.2, 0.5, 0.2, 0.0]) == ()
    # Unequal end points with a saddle: only the asymmetry note.
    assert {f.code for f in path_flags([0.0, 0.3, 0.1])} == {"asymmetric_hop"}
    # The LGPS channel bands measured with CHGNet and SevenNet (9 images): the SevenNet
    # band dips 0.051 eV below its lower end point at image 9.
    chgnet = [0.0, -0.006, 0.073, 0.087, 0.059, 0.044, 0.008, -0.019, -0.061, -0.054, -0.063]
    sevennet = [0.0, 0.038, 0.123, 0.103, 0.076, 0.055, 0.046, -0.019, -0.167, -0.185, -0.135]
    assert {f.code for f in path_flags(chgnet)} == {"asymmetric_hop"}
    flags = {f.code: f for f in path_flags(sevennet)}
    assert set(flags) == {"asymmetric_hop", "intermediate_minimum"}
    assert "image 9 lies 0.050 eV" in flags["intermediate_minimum"].message
    assert "climbs 0.308 eV" in flags["intermediate_minimum"].message


def test_lgps_channel_path_runs_16h_8f_16h_between_mirror_states():
    from ase.geometry import find_mic

    from ssblab.atomistic.neb_lgps import channel_hop, channel_legs
    from ssblab.atomistic.structures import conventional_cell

    host = conventional_cell("LGPS")
    path = channel_hop(host)
    # Two Li vacancies in one channel: an 8f Li and the 16h Li above it.
    assert path.initial.get_chemical_formula() == "Ge2Li18P4S24"
    assert [host[i].symbol for i in path.removed] == ["Li", "Li"]
    assert np.allclose(path.waypoints_A[0], host.positions[path.removed[0]])
    # Unrelaxed model: the chosen 8f has a 16h Li 2.32 Å below and above it.
    assert channel_legs(host) == pytest.approx((2.320, 2.320), abs=2e-3)
    _, lengths = find_mic(
        path.final.positions - path.initial.positions, path.initial.cell, path.initial.pbc
    )
    assert np.flatnonzero(lengths > 1e-9).tolist() == [path.mover]
    step = path.final.positions[path.mover] - path.initial.positions[path.mover]
    assert (
        np.linalg.norm(step) == pytest.approx(lengths[path.mover]) == pytest.approx(4.62, abs=0.01)
    )
    assert abs(step @ host.cell.array[2]) / 12.5994 / np.linalg.norm(step) > 0.99
    # Start and end are mirror images for the S framework: same Li-S distances.
    s = [i for i, x in enumerate(path.initial.get_chemical_symbols()) if x == "S"]
    d0 = np.sort(path.initial.get_distances(path.mover, s, mic=True))[:8]
    d1 = np.sort(path.final.get_distances(path.mover, s, mic=True))[:8]
    assert d0 == pytest.approx(d1, abs=1e-3)
    # No two Li closer than the exclusion distance in either state.
    for state in (path.initial, path.final):
        li = [i for i, x in enumerate(state.get_chemical_symbols()) if x == "Li"]
        dist = state.get_all_distances(mic=True)[np.ix_(li, li)]
        np.fill_diagonal(dist, np.inf)
        assert dist.min() > 2.0
    # A supercell keeps the construction; another structure is refused.
    assert len(channel_hop(host.repeat((1, 1, 2))).initial) == 98
    with pytest.raises(SsblabError, match="not a repeat"):
        channel_hop(conventional_cell("Li2S"))


def test_polyline_path_spaces_images_along_the_movers_legs():
    from ase import Atoms

    from ssblab.atomistic.neb_paths import polyline_path

    cell = [10.0, 10.0, 10.0]
    start = Atoms("LiS", positions=[[1.0, 1.0, 1.0], [5.0, 5.0, 5.0]], cell=cell, pbc=True)
    end = start.copy()
    end.positions = [[3.0, 3.0, 1.0], [5.0, 5.0, 6.0]]
    waypoints = [np.array([3.0, 1.0, 1.0])]
    images = polyline_path(start, end, 0, waypoints, n_images=3)
    assert len(images) == 3
    # Two legs of 2 Å, 4 intervals of 1 Å: the middle image is at the corner.
    assert np.allclose(images[1][0], [3.0, 1.0, 1.0])
    assert np.allclose(images[0][0], [2.0, 1.0, 1.0])
    # The other atom moves straight, by the same fraction of the path.
    assert np.allclose(images[0][1], [5.0, 5.0, 5.25])


@pytest.mark.slow
def test_lgps_c_channel_barrier_with_both_potentials():
    """16h -> 8f -> 16h along c, 9 images, 48 atoms (CHGNet ~3 min, SevenNet ~19 min on a
    loaded 2-core machine)."""
    pytest.importorskip("chgnet")
    pytest.importorskip("sevenn")
    # Measured: (forward, reverse, highest minus lowest image) [eV].
    measured = {"chgnet": (0.087, 0.150, 0.150), "sevennet": (0.123, 0.258, 0.309)}
    for model, (forward, reverse, migration) in measured.items():
        result = migration_barrier("LGPS", "auto", n_images=9, model=model, min_length_A=8.0)
        assert result.hop == "channel" and result.n_atoms == 48 and result.converged
        assert "16h -> 8f -> 16h" in result.mechanism
        assert 0 < result.peak_image < 10  # the saddle is interior: a real barrier
        assert result.barrier_eV == pytest.approx(forward, abs=0.02)
        assert result.reverse_barrier_eV == pytest.approx(reverse, abs=0.03)
        assert result.migration_eV == pytest.approx(migration, abs=0.03)
        codes = {f.code for f in result.flags}
        assert "no_saddle" not in codes and "asymmetric_hop" in codes
    # Against the 0.18-0.25 eV activation energies of LGPS: CHGNet 0.03 eV below the
    # range, SevenNet 0.06 eV above it (highest minus lowest image).
