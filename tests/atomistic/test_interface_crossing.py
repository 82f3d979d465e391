"""The Li crossing at an interface: hop geometry, constraint set, and the contact reaction check.

Fast: built (unrelaxed) interfaces and fake relaxations, no potential.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from ssblab.atomistic.interface_setup import (
    MAX_HOP_A,
    MIN_CLEARANCE_A,
    choose_vacancy_hop,
    contact_reaction,
    first_li_layer,
    path_clearance,
    vacancy_end_points,
)
from ssblab.atomistic.slab_geometry import (
    FILM_TAG,
    SUBSTRATE_TAG,
    constrained_indices,
    heights,
    normal,
)

pytest.importorskip("pymatgen.analysis.interfaces")


@pytest.fixture(scope="module")
def gamma():
    from ssblab.atomistic.interface_energy import interface_for

    return interface_for("Li", "LiAlO2_gamma")


@pytest.fixture(scope="module")
def alpha():
    from ssblab.atomistic.interface_energy import interface_for

    return interface_for("Li", "LiAlO2")


def test_path_clearance_is_the_distance_of_the_segment_from_the_nearest_atom():
    atoms = Atoms("Li3", positions=[[1, 1, 1], [5, 1, 1], [3, 1.8, 1]], cell=[20] * 3, pbc=True)
    assert path_clearance(atoms, atoms.positions[0], atoms.positions[1], skip=(0, 1)) == (
        pytest.approx(0.8)
    )
    # Across the periodic boundary the nearest image counts: 19.5 is 0.5 from 0.
    wrap = Atoms("Li2", positions=[[19.5, 5, 5], [5, 5, 5]], cell=[20] * 3, pbc=True)
    start, end = np.array([0.0, 5, 5]), np.array([2.0, 5, 5])
    assert path_clearance(wrap, start, end, skip=(1,)) == pytest.approx(0.5)


def test_gamma_hop_is_a_short_clear_vacancy_hop_from_the_li_metal(gamma):
    host = gamma.atoms
    assert len(host) == 80 and gamma.n_film == 32  # Li(100) film of 4 atomic layers
    hop, why = choose_vacancy_hop(host)
    assert hop is not None, why
    length, clearance, vacancy, mover = hop[:4]
    assert 2.0 <= length <= MAX_HOP_A and clearance >= MIN_CLEARANCE_A
    # gamma-LiAlO2 atoms of the neutron refinement (Wiedemann et al. 2016, since 788d23f);
    # with the DFT mp-3427 positions before it, the hop was 2.13 Å clearing atoms by 2.04 Å.
    assert length == pytest.approx(2.12, abs=0.01) and clearance == pytest.approx(2.08, abs=0.01)
    tags, z = host.get_tags(), heights(host)
    assert tags[vacancy] == SUBSTRATE_TAG and tags[mover] == FILM_TAG
    assert host.symbols[vacancy] == host.symbols[mover] == "Li"
    li_sub = (host.symbols == "Li") & (tags == SUBSTRATE_TAG)
    assert vacancy in first_li_layer(host) and z[vacancy] == pytest.approx(z[li_sub].max())
    assert "hop 2.12 Å" in why


def test_gamma_end_points_share_the_held_atoms_and_move_one_li(gamma):
    host = gamma.atoms
    hop = choose_vacancy_hop(host)[0]
    initial, final, k = vacancy_end_points(host, hop.vacancy, hop.mover, 6.0)
    # The chosen hop carries the same end points, built once (what vacancy_crossing relaxes).
    assert hop.k == k and np.array_equal(hop.initial.positions, initial.positions)
    assert np.array_equal(hop.final.positions, final.positions)
    assert constrained_indices(hop.initial) == constrained_indices(initial)
    vacancy = hop.vacancy
    assert len(initial) == len(final) == len(host) - 1
    assert initial.get_chemical_formula() == final.get_chemical_formula()
    held_i, line_i = constrained_indices(initial)
    held_f, line_f = constrained_indices(final)
    assert held_i == held_f and line_i == line_f and k not in held_i
    moved = np.linalg.norm(final.positions - initial.positions, axis=1)
    assert np.flatnonzero(moved > 1e-9).tolist() == [k]
    assert moved[k] == pytest.approx(2.12, abs=0.01)
    # Held: the host's fixed atoms and every atom beyond 6 Å of both ends of the hop.
    fixed_host = constrained_indices(host)[0]
    assert {i - (i > vacancy) for i in fixed_host} <= held_i
    _, d0 = _dist(initial, initial.positions[k])
    _, d1 = _dist(initial, final.positions[k])
    far = set(np.flatnonzero((d0 > 6.0) & (d1 > 6.0)).tolist())
    assert far <= held_i
    free = set(range(len(initial))) - held_i
    assert all(min(d0[i], d1[i]) <= 6.0 for i in free)
    assert 20 <= len(free) <= 50


def _dist(atoms, point):
    from ase.geometry import get_distances

    return None, get_distances([point], atoms.positions, cell=atoms.cell, pbc=atoms.pbc)[1][0]


def test_alpha_001_has_no_short_hop_its_first_li_layer_is_under_the_alo2_sheet(alpha):
    host = alpha.atoms
    layer = first_li_layer(host)
    z = heights(host)
    top = z[host.get_tags() == SUBSTRATE_TAG].max()
    assert len(layer) == 6 and top - z[layer].mean() == pytest.approx(3.70, abs=0.02)
    hop, why = choose_vacancy_hop(host)
    assert hop is None
    assert "the shortest is 5.70 Å and passes 0.11 Å from an O atom" in why
    assert "3.70 Å below the substrate top" in why


def test_contact_reaction_counts_from_the_rejoined_start(monkeypatch):
    """A film moved rigidly by the gap scan (1.2 Å) is not a reaction; a real pull is."""
    from dataclasses import replace

    from ssblab.atomistic import binding, relax
    from ssblab.atomistic import interface_energy as ie
    from ssblab.atomistic.interfaces import build_interface
    from ssblab.atomistic.structures import conventional_cell

    built = build_interface(
        "Al", "LiAlO2", conventional_cell("Al"), conventional_cell("LiAlO2"), 3, max_area_A2=25.0
    )
    # Swap the parts: the O-bearing LiAlO2 becomes the film that the gap scan moves.
    atoms = built.atoms
    tags = atoms.get_tags()
    atoms.set_tags(np.where(tags == FILM_TAG, SUBSTRATE_TAG, FILM_TAG))
    swapped = replace(built, atoms=atoms)

    def fake_relax(atoms, model, fmax, steps, on_step=None, optimizer="bfgs", cell=False):
        return relax.Relaxed(atoms=atoms.copy(), energy_eV=-1.0, steps=1, converged=True)

    monkeypatch.setattr(relax, "relax", fake_relax)
    monkeypatch.setattr(ie, "interface_for", lambda film, substrate: swapped)
    monkeypatch.setattr(ie, "best_gap", lambda slabs, model: 1.2)
    monkeypatch.setattr(binding, "reference_energy", lambda *a, **k: 0.0)
    result = ie.interface_contact("Al", "LiAlO2", model="emt", bulk=False)
    assert result.gap_shift_A == 1.2
    assert result.broken_bonds == 0 and result.anions_pulled == 0
    assert "interface_reacted" not in {f.code for f in result.flags}
    # The same rigid shift measured from the built geometry is what the old check flagged.
    moved = atoms.copy()
    moved.positions[tags == SUBSTRATE_TAG] += 1.2 * normal(moved)  # the film after the swap
    broken, formed, shifts = contact_reaction(atoms, moved)
    assert broken == formed == 0 and (shifts > 1.0).sum() == (moved.symbols == "O").sum()
    # A bond really broken in the relaxation is counted.
    pulled = moved.copy()
    oxygen = np.flatnonzero(pulled.symbols == "O")
    o = int(oxygen[np.argmin(heights(pulled)[oxygen])])
    pulled.positions[o] -= 2.5 * normal(pulled)  # the lowest O pulled into the vacuum
    broken, formed, shifts = contact_reaction(moved, pulled)
    assert broken >= 1 and formed == 0 and (shifts > 1.0).sum() == 1
    # Two O of different Al swapped: the net bond count is unchanged, yet each Al lost its
    # bond to one O and gained one to the other; both are counted, not cancelled.
    from ssblab.atomistic.slab_geometry import framework_bonds

    bonds = framework_bonds(moved)
    first = int(bonds[0, 1])
    mine = set(bonds[bonds[:, 1] == first, 0].tolist())
    other = next(int(o) for o in oxygen if not mine & set(bonds[bonds[:, 1] == o, 0].tolist()))
    # Pairs, not neighbour-list rows (a small cell lists a bond to each periodic image).
    n_bonds = len({(int(i), int(j)) for i, j in bonds if j in (first, other)})
    swapped_o = moved.copy()
    swapped_o.positions[[first, other]] = moved.positions[[other, first]]
    broken, formed, _ = contact_reaction(moved, swapped_o)
    assert len(framework_bonds(swapped_o)) == len(bonds)
    assert broken == formed == n_bonds > 0


def test_gamma_second_layer_hop_bends_around_the_o_its_straight_line_grazes(gamma):
    from ssblab.atomistic.interface_setup import LI_LAYER_TOL_A, idpp_clearance

    host = gamma.atoms
    z = heights(host)
    first, second = first_li_layer(host, 0), first_li_layer(host, 1, free=False)
    assert len(first) == 3 and len(second) == 6
    assert z[second].max() < z[first].min() - LI_LAYER_TOL_A
    hop, why = choose_vacancy_hop(host, 1)
    length, clearance, vacancy, mover = hop[:4]
    assert mover in first and vacancy in second
    # Neutron-refined atoms (788d23f); with the mp-3427 positions: 3.09 Å, clearance 1.25 Å.
    assert length == pytest.approx(3.08, abs=0.01) and length <= MAX_HOP_A
    assert clearance == pytest.approx(1.29, abs=0.01) and clearance < MIN_CLEARANCE_A
    bent = idpp_clearance(*vacancy_end_points(host, vacancy, mover, 6.0))
    assert bent == pytest.approx(1.68, abs=0.02) and bent >= MIN_CLEARANCE_A
    assert "the IDPP start path bends around it (1.68 Å)" in why


def test_consensus_flags_barriers_of_different_hops():
    from dataclasses import replace

    from ssblab.atomistic.interface_cache import consensus_flags
    from ssblab.atomistic.interface_energy import InterfaceResult
    from ssblab.atomistic.interface_setup import HOP_WORDS

    base = InterfaceResult(
        "Li|LiAlO2_gamma", "m", {}, -1.0, 0.0, 0.0, 1.0, 0, 0, 0, 0.0, 0.1, {}, 0.05, -0.1,
        (0.0, 0.05, -0.1), 2.5, True, mechanism=f"vacancy: {HOP_WORDS[0]}: hop 2.17 Å, ...",
    )  # fmt: skip
    deeper = replace(base, barrier_eV=0.1, mechanism=f"vacancy: {HOP_WORDS[1]}: hop 3.12 Å")
    assert consensus_flags({"a": base, "b": replace(base, barrier_eV=0.1)}) == ()
    (flag,) = consensus_flags({"a": base, "b": deeper})  # 0.05 apart, under the margin
    assert flag.quantity == "barrier_eV" and "different hops" in flag.message


def test_consensus_flags_a_barrier_that_the_other_potential_does_not_find():
    from dataclasses import replace

    from ssblab.atomistic.interface_cache import consensus_flags
    from ssblab.atomistic.interface_energy import InterfaceResult
    from ssblab.flags import Flag

    base = InterfaceResult(
        "Li|LiAlO2_gamma", "m", {}, -1.0, 0.0, 0.0, 1.0, 0, 0, 0, 0.0, 0.1, {}, 0.109, -0.1,
        (0.0, 0.109, -0.1), 2.5, True, mechanism="vacancy: first substrate Li layer",
    )  # fmt: skip
    downhill = replace(base, barrier_eV=0.0, flags=(Flag("barrier_eV", "no_saddle", "x"),))
    flags = consensus_flags({"chgnet": downhill, "sevennet": base})
    (flag,) = [f for f in flags if f.code == "potentials_disagree_on_barrier"]
    assert "sevennet: barrier 0.109 eV" in flag.message
    unrun = replace(base, barrier_eV=None)  # a contact run without its band: not a barrier
    assert consensus_flags({"a": unrun, "b": replace(unrun, W_adhesion_J_m2=1.05)}) == ()


def test_an_interface_li_already_in_the_first_layer_void_gets_no_band(monkeypatch):
    """CHGNet's Li|LGPS of session 6: the interface Li sat in the first-layer void, the
    'band' ran 0.09 Å and read 0.001 eV; an end point < 1 Å from the start is no hop."""
    from ssblab.atomistic import interface_energy as ie
    from ssblab.atomistic import neb, relax
    from ssblab.atomistic.interface_setup import MIN_INTERSTITIAL_HOP_A, slab_edges, with_li
    from ssblab.atomistic.interfaces import build_interface
    from ssblab.atomistic.slab_geometry import geometry, largest_void_between
    from ssblab.atomistic.structures import conventional_cell

    built = build_interface(
        "Al", "LiAlO2", conventional_cell("Al"), conventional_cell("LiAlO2"), 3, max_area_A2=25.0
    )
    host = built.atoms
    top, _ = slab_edges(host)
    lo, hi = ie.FIRST_LAYER_A
    inside = largest_void_between(host, top - hi, top - lo)
    contact = ie.InterfaceResult(
        "Al|LiAlO2", "m", {}, -1.0, 0.0, 0.0, 1.0, 0, 0, 0, 0.0, -0.5, {}, None, None, (),
        None, True, relaxed=geometry(host), relaxed_li=geometry(with_li(host, inside)),
    )  # fmt: skip

    def fake_relax(atoms, model, fmax, steps, on_step=None, optimizer="bfgs", cell=False):
        return relax.Relaxed(atoms=atoms.copy(), energy_eV=-1.0, steps=1, converged=True)

    def no_band(*args, **kwargs):
        raise AssertionError("a band was run between merged end points")

    monkeypatch.setattr(relax, "relax", fake_relax)
    monkeypatch.setattr(neb, "run_neb", no_band)
    result = ie.interface_crossing(contact, model="emt")
    assert MIN_INTERSTITIAL_HOP_A == 1.0
    assert result.barrier_eV is None and result.path_eV == ()
    assert result.mechanism.endswith(": no band")
    (flag,) = [f for f in result.flags if f.code == "end_points_merged"]
    back = float(flag.message.split("relaxed back to ")[1].split(" Å")[0])
    assert back < MIN_INTERSTITIAL_HOP_A and flag.message.endswith("no hop, no band")
    assert result.steps["Li in first layer"] == 1 and result.stage_converged["Li in first layer"]
