"""Coherent slab interfaces: built and checked fast; relaxed, bound and NEB'd in slow tests."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ssblab.atomistic.interfaces import MAX_LENGTH_TOL, MIN_VACUUM_A, build_interface
from ssblab.atomistic.slab_geometry import (
    FILM_TAG,
    SUBSTRATE_TAG,
    framework_bonds,
    heights,
    largest_void_between,
    vacuum_thickness,
)
from ssblab.atomistic.structures import conventional_cell
from ssblab.errors import SsblabError

pytest.importorskip("pymatgen.analysis.interfaces")


def _built(film: str, substrate: str, **kw):
    return build_interface(
        film, substrate, conventional_cell(film), conventional_cell(substrate), **kw
    )


@pytest.fixture(scope="module")
def tiny():
    """Al(111) on alpha-LiAlO2(001): a few dozen atoms."""
    return _built("Al", "LiAlO2", film_layers=3, max_area_A2=25.0)


def test_tiny_interface_vacuum_strain_composition(tiny):
    atoms = tiny.atoms
    assert 10 <= len(atoms) <= 40
    assert tiny.vacuum_A >= MIN_VACUUM_A
    assert vacuum_thickness(atoms) == pytest.approx(tiny.vacuum_A)
    assert tiny.strain_pct <= 100 * MAX_LENGTH_TOL * 2  # principal strain of a ≤ 6 % length match
    assert tiny.von_mises_strain_pct < tiny.strain_pct + 1e-9
    # Composition conserved: whole formula units of each bulk, nothing lost or added.
    tags = atoms.get_tags()
    assert tiny.n_film + tiny.n_substrate == len(atoms)
    assert set(atoms[tags == FILM_TAG].symbols) == {"Al"} and tiny.film_units == tiny.n_film
    sub = atoms[tags == SUBSTRATE_TAG].symbols.formula.count()
    assert sub["Li"] == sub["Al"] == tiny.substrate_units and sub["O"] == 2 * tiny.substrate_units
    # Film above the substrate, the gap as asked, area a×b.
    z = heights(atoms)
    gap = z[tags == FILM_TAG].min() - z[tags == SUBSTRATE_TAG].max()
    assert gap == pytest.approx(tiny.gap_A, abs=0.05)
    assert tiny.area_A2 == pytest.approx(np.linalg.norm(np.cross(*atoms.cell.array[:2])))


def test_tiny_interface_fixes_the_lower_substrate_only(tiny):
    atoms = tiny.atoms
    fixed = atoms.constraints[0].index
    assert set(atoms.get_tags()[fixed]) == {SUBSTRATE_TAG}
    z = heights(atoms)
    sub = atoms.get_tags() == SUBSTRATE_TAG
    middle = (z[sub].min() + z[sub].max()) / 2
    assert np.all(z[fixed] < middle)
    assert 0.3 * sub.sum() <= len(fixed) <= 0.7 * sub.sum()


def test_tiny_interface_keeps_alo6_octahedra(tiny):
    # O-terminated LiAlO2 towards the metal, every substrate Al still six-fold coordinated.
    assert tiny.termination[1].startswith("O")
    assert tiny.broken_bonds == 0
    atoms = tiny.atoms
    pairs = framework_bonds(atoms)
    sub_al = np.flatnonzero((atoms.symbols == "Al") & (atoms.get_tags() == SUBSTRATE_TAG))
    counts = np.bincount(pairs[:, 0], minlength=len(atoms))
    assert np.all(counts[sub_al] == 6)


def test_li_lgps_interface_is_s_terminated_with_whole_tetrahedra_facing_li():
    built = _built("Li", "LGPS")
    assert built.termination[1].startswith("S")
    assert built.substrate_units == 2 and built.n_substrate == 50  # Li20Ge2P4S24
    assert len(built.atoms) <= 150
    assert built.strain_pct < 100 * MAX_LENGTH_TOL
    assert built.vacuum_A >= MIN_VACUUM_A
    # The one cut tetrahedron (2 P-S bonds) lies in the fixed bottom half, away from the Li.
    atoms = built.atoms
    assert built.broken_bonds == 2
    counts = np.bincount(framework_bonds(atoms)[:, 0], minlength=len(atoms))
    centres = np.flatnonzero(np.isin(atoms.symbols, ["P", "Ge"]))
    cut = centres[counts[centres] < 4]
    assert set(cut) <= set(atoms.constraints[0].index)


def test_al_argyrodite_interface():
    built = _built("Al", "Li6PS5Cl", film_layers=3)
    assert built.film_miller == (1, 1, 1) and built.substrate_miller == (1, 0, 0)
    assert built.n_substrate == 52 and built.substrate_units == 4  # Li24P4S20Cl4
    assert set(built.atoms[built.atoms.get_tags() == FILM_TAG].symbols) == {"Al"}
    assert built.broken_bonds == 0  # every PS4 whole
    assert built.vacuum_A >= MIN_VACUUM_A and len(built.atoms) <= 150


def test_void_search_stays_in_its_window(tiny):
    atoms = tiny.atoms
    z = heights(atoms)
    top = z[atoms.get_tags() == SUBSTRATE_TAG].max()
    point = largest_void_between(atoms, top - 2.0, top - 0.5)
    h = float(point @ np.cross(*atoms.cell.array[:2]) / tiny.area_A2)
    assert top - 2.0 - 1e-9 <= h <= top - 0.5 + 1e-9
    from ase.geometry import get_distances

    _, d = get_distances([point], atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    assert d.min() > 1.0
    with pytest.raises(SsblabError, match="empty height window"):
        largest_void_between(atoms, 1.0, 0.5)


def test_refusals_name_the_problem():
    with pytest.raises(SsblabError, match="no interface surface listed for 'Li2S'"):
        _built("Li", "Li2S")
    with pytest.raises(SsblabError, match=r"Al\(1, 1, 1\)\|LiAlO2\(0, 0, 1\): no lattice match"):
        _built("Al", "LiAlO2", max_area_A2=5.0)
    with pytest.raises(SsblabError, match="matches > 8 atoms"):
        _built("Al", "LiAlO2", film_layers=3, max_area_A2=25.0, max_atoms=8)


def test_cli_refuses_an_unlisted_phase_in_one_line(capsys):
    from ssblab.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["atoms", "interface", "Li", "Li2S", "--model", "chgnet"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ssblab: error: no interface surface listed for 'Li2S'")
    assert "\n" not in err


def test_consensus_flags_disagreement_and_reaction():
    from ssblab.atomistic.interface_cache import consensus_flags
    from ssblab.atomistic.interface_energy import InterfaceResult

    def result(w, bind, barrier, broken):
        return InterfaceResult(
            interface="Li|LGPS",
            model="m",
            build={},
            E_AB_eV=-1.0,
            E_film_eV=0.0,
            E_substrate_eV=0.0,
            W_adhesion_J_m2=w,
            broken_bonds=broken,
            bonds_formed=0,
            anions_pulled=0,
            max_anion_shift_A=0.0,
            E_bind_interface_eV=bind,
            E_bind_bulk_eV={},
            barrier_eV=barrier,
            delta_E_eV=0.0,
            path_eV=(0.0, barrier),
            hop_A=2.0,
            converged=True,
        )

    same = consensus_flags({"a": result(1.0, -0.2, 0.3, 0), "b": result(1.1, -0.25, 0.35, 0)})
    assert same == ()
    apart = consensus_flags({"a": result(1.0, -0.2, 0.3, 0), "b": result(2.0, -0.6, 0.6, 3)})
    assert [f.quantity for f in apart] == [
        "W_adhesion_J_m2",
        "E_bind_interface_eV",
        "barrier_eV",
        "broken_bonds",
    ]
    back = InterfaceResult.from_dict(json.loads(json.dumps(result(1.0, -0.2, 0.3, 0).as_dict())))
    assert back == result(1.0, -0.2, 0.3, 0)


def test_short_chgnet_relaxation_of_the_tiny_interface(tiny):
    pytest.importorskip("chgnet")
    from ssblab.atomistic.relax import relax

    done = relax(tiny.atoms, model="chgnet", fmax=0.05, steps=3)
    assert np.isfinite(done.energy_eV)
    assert -8.0 < done.energy_eV / len(done.atoms) < -4.0  # eV/atom of an Al|LiAlO2 slab
    fixed = tiny.atoms.constraints[0].index
    assert np.allclose(done.atoms.positions[fixed], tiny.atoms.positions[fixed])
    assert done.atoms.get_chemical_formula() == tiny.atoms.get_chemical_formula()


def test_thinned_alpha_lialo2_keeps_whole_units_and_fixes_its_lower_half():
    from ssblab.atomistic.interface_energy import interface_for
    from ssblab.atomistic.slab_geometry import layers

    built = interface_for("Li", "LiAlO2")
    atoms = built.atoms
    sub = np.flatnonzero(atoms.get_tags() == SUBSTRATE_TAG)
    # 12 atomic layers built, the lowest 4 (Li, O, Al, O) removed: 8 left, 12 LiAlO2.
    assert len(atoms) == 68 and built.n_substrate == 48 and built.substrate_units == 12
    stack = layers(atoms, sub)
    assert len(stack) == 8
    assert set(atoms.constraints[0].index) == set(np.concatenate(stack[:4]).tolist())
    assert atoms.symbols[stack[-1]].count("O") == len(stack[-1])  # O faces the Li
    assert built.vacuum_A >= MIN_VACUUM_A
    assert any("thinned" in n for n in built.notes)


def test_fire_bfgs_relaxation_converges_and_counts_both_stages(tiny):
    from ssblab.atomistic.interface_energy import part
    from ssblab.atomistic.relax import relax

    slab = part(tiny.atoms, FILM_TAG)  # the Al(111) film alone: EMT knows Al
    slab.positions[0, 2] += 0.3
    done = relax(slab, model="emt", fmax=0.05, steps=200, optimizer="fire-bfgs")
    assert done.converged and 0 < done.steps < 200
    plain = relax(slab, model="emt", fmax=0.05, steps=200)
    assert plain.converged
    assert done.energy_eV == pytest.approx(plain.energy_eV, abs=0.01)
    from ssblab.errors import SimulationError

    with pytest.raises(SimulationError, match="unknown optimizer 'lbfgs'"):
        relax(slab, model="emt", optimizer="lbfgs")


def test_constraints_survive_the_stored_geometry_and_the_band_shares_held_atoms(tiny):
    from ase.constraints import FixAtoms, FixedLine

    from ssblab.atomistic.interface_setup import moved_li, pin_film_top, with_li
    from ssblab.atomistic.slab_geometry import constrained_indices, from_geometry, geometry

    pinned = pin_film_top(tiny.atoms)
    fixed, line = constrained_indices(pinned)
    assert fixed == set(tiny.atoms.constraints[0].index.tolist())
    z = heights(pinned)
    film = pinned.get_tags() == FILM_TAG
    assert line == set(np.flatnonzero(film & (z > z[film].max() - 0.5)).tolist())
    kinds = {type(c) for c in pinned.constraints}
    assert kinds == {FixAtoms, FixedLine}
    back = from_geometry(geometry(pinned))
    assert constrained_indices(back) == (fixed, line)
    # A lateral force on a pinned atom does nothing; a normal one moves it.
    moved = back.copy()
    i = sorted(line)[0]
    new = moved.positions.copy()
    new[i] += [0.5, 0.5, 0.5]
    moved.set_positions(new)
    assert np.allclose(moved.positions[i] - back.positions[i], [0, 0, 0.5])
    # The band's end points hold the same far atoms at the same positions.
    top = z[pinned.get_tags() == SUBSTRATE_TAG].max()
    initial = with_li(pinned, pinned.cell.array[:2].sum(axis=0) / 2 + [0, 0, top + 1.0])
    start, end = moved_li(initial, initial.positions[-1] - [0, 0, 1.5], 4.0)
    held_a, _ = constrained_indices(start)
    held_b, _ = constrained_indices(end)
    assert held_a == held_b and fixed < held_a and len(initial) - 1 not in held_a
    idx = sorted(held_a)
    assert np.allclose(start.positions[idx], end.positions[idx])
    assert not np.allclose(start.positions[-1], end.positions[-1])


@pytest.fixture
def results(monkeypatch):
    """``cached_interface`` computed here, or read from ``$SSBLAB_TEST_RESULTS`` when set.

    The full runs take 10-40 min each on 2 cores; ``SSBLAB_TEST_RESULTS`` names a
    result cache (e.g. the one ``bench_atoms_budget.py --interface`` filled) whose
    entries are keyed by every input and the potential version, so a hit is the
    same calculation.
    """
    import os

    folder = os.environ.get("SSBLAB_TEST_RESULTS")
    if folder:
        monkeypatch.setenv("SSBLAB_CACHE", folder)
    from ssblab.atomistic.interface_cache import cached_interface

    def get(film: str, substrate: str, model: str, neb: bool = True):
        pytest.importorskip("chgnet" if model == "chgnet" else "sevenn")
        return cached_interface(film, substrate, model, neb=neb, bulk=False)

    return get


def _assert_converged(result):
    assert result.converged, result.stage_converged
    assert all(result.stage_converged.values())
    assert "not_converged" not in {f.code for f in result.flags}
    assert result.steps["interface"] < 800 and result.steps.get("band", 0) < 300


#: Measured (bench_atoms_budget.py --interface, fmax 0.05 eV/Å, band 0.1 eV/Å):
#: W_ad J/m2, E_bind eV vs Li metal, bonds broken, barrier eV, dE eV (None: no band).
MEASURED = {
    # Session 6 (e49f06e and after): this reacting contact relaxed into another minimum than
    # in session 5 (W_ad 5.39, E_bind -0.64, band 0.92 eV): 5 P-S bonds broken, none formed,
    # 8 anions pulled; the extra Li sits in the first-layer void already (the Li placed
    # there relaxes back to 0.09 Å of it), so there is no hop and no band (end_points_merged).
    ("Li", "LGPS", "chgnet"): (5.270, -1.009, 5, None, None),
    ("Li", "LGPS", "sevennet"): (3.034, 0.031, 0, 0.071, -1.610),
    ("Al", "Li6PS5Cl", "chgnet"): (1.738, -1.086, 0, 0.474, -0.376),
    # Session 6: SevenNet's contact relaxed otherwise than in session 5 (W_ad 0.784, E_bind
    # -1.351, band 0.10 eV into a void 6.88 Å away; cause not traced): 0 bonds broken or
    # formed, 6 anions pulled, and the Li placed in the first-layer void relaxes back to
    # 0.21 Å of its interface site, so no hop and no band.
    ("Al", "Li6PS5Cl", "sevennet"): (0.905, -1.291, 0, None, None),
}
#: Contacts measured without the band (``--no-neb``): W_ad, E_bind, bonds broken.
MEASURED_CONTACT = {
    ("Li", "LiAlO2", "chgnet"): (4.028, 0.563, 0),
    ("Li", "LiAlO2", "sevennet"): (4.337, 0.309, 0),
    # Al(111)|Li6PS5Cl(100), the composite seed's Supp. Fig. 15 contact: Al bonds to S and Cl
    # across it, one S (no P-S bond broken) moves 2.8 A towards Al; an extra Li there binds
    # 1.09 eV below Li metal.
    ("Al", "Li6PS5Cl", "chgnet"): (1.738, -1.086, 0),
    ("Al", "Li6PS5Cl", "sevennet"): (0.905, -1.291, 0),  # 0.784, -1.351 in session 5
    # alpha-LiAlO2(104)|LGPS(001), 136 atoms: weak contact. Re-measured in session 6 with the
    # reaction check from the re-joined start (W_ad 0.195 / 0.145, E_bind -2.428 / -2.291 in
    # session 5): CHGNet moves no anion more than 0.66 Å (intact, its old flag was the +1.0 Å
    # gap-scan shift); SevenNet breaks and forms no bond but moves 4 anions 1.0-1.40 Å.
    ("LiAlO2", "LGPS", "chgnet"): (0.196, -2.437, 0),
    ("LiAlO2", "LGPS", "sevennet"): (0.145, -2.291, 0),
}


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(MEASURED))
def test_interface_numbers_as_measured(results, key):
    film, substrate, model = key
    w_ad, e_bind, broken, barrier, d_e = MEASURED[key]
    result = results(film, substrate, model)
    _assert_converged(result)
    assert result.W_adhesion_J_m2 == pytest.approx(w_ad, abs=0.05)
    assert result.E_bind_interface_eV == pytest.approx(e_bind, abs=0.03)
    assert result.broken_bonds == broken
    if barrier is None:
        assert result.path_eV == () and result.mechanism.endswith(": no band")
        assert "end_points_merged" in {f.code for f in result.flags}
        return
    assert len(result.path_eV) == 7 and result.path_eV[0] == 0.0
    assert result.barrier_eV == pytest.approx(max(result.path_eV))
    assert result.barrier_eV == pytest.approx(barrier, abs=0.03)
    assert result.delta_E_eV == pytest.approx(d_e, abs=0.03)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(MEASURED_CONTACT))
def test_interface_contact_as_measured(results, key):
    film, substrate, model = key
    w_ad, e_bind, broken = MEASURED_CONTACT[key]
    result = results(film, substrate, model, neb=False)
    assert result.converged and all(result.stage_converged.values())
    assert result.W_adhesion_J_m2 == pytest.approx(w_ad, abs=0.05)
    assert result.E_bind_interface_eV == pytest.approx(e_bind, abs=0.03)
    assert result.broken_bonds == broken


@pytest.mark.slow
def test_li_lialo2_potentials_agree_on_the_picture_not_within_the_margins(results):
    from ssblab.atomistic.interface_cache import consensus_flags

    both = {m: results("Li", "LiAlO2", m, neb=False) for m in ("chgnet", "sevennet")}
    flagged = {f.quantity for f in consensus_flags(both)}
    # Both: whole, Li above Li metal; W_ad 4.03 vs 4.34 J/m2 (0.31 > 0.3), E_bind 0.56 vs 0.31 eV.
    assert flagged == {"W_adhesion_J_m2", "E_bind_interface_eV"}
    for r in both.values():
        assert "host_kept_relaxing" in {f.code for f in r.flags}  # E_bind uses the lower host


@pytest.mark.slow
def test_lialo2_lgps_weak_contact_that_binds_li_strongly_with_both(results):
    from ssblab.atomistic.interface_cache import consensus_flags

    both = {m: results("LiAlO2", "LGPS", m, neb=False) for m in ("chgnet", "sevennet")}
    # W_ad 0.20 / 0.15 J/m2 and E_bind -2.44 / -2.29 eV agree within the margins; only the
    # reaction flag differs: SevenNet pulls 4 anions past 1 Å (no bond broken or formed).
    (flag,) = consensus_flags(both)
    assert flag.quantity == "broken_bonds" and "chgnet intact, sevennet reacts" in flag.message
    for r in both.values():
        assert r.W_adhesion_J_m2 < 0.3 and r.E_bind_interface_eV < -2.0
        assert r.gap_shift_A == pytest.approx(1.0)  # widest gap scanned: repulsive at 2 Å
        assert r.broken_bonds == r.bonds_formed == 0
    assert both["chgnet"].anions_pulled == 0 and both["chgnet"].max_anion_shift_A < 0.7
    assert "interface_reacted" not in {f.code for f in both["chgnet"].flags}
    assert both["sevennet"].anions_pulled == 4
    assert both["sevennet"].max_anion_shift_A == pytest.approx(1.40, abs=0.05)


@pytest.mark.slow
def test_li_lgps_potentials_disagree_and_say_so(results):
    from ssblab.atomistic.interface_cache import consensus_flags

    both = {m: results("Li", "LGPS", m) for m in ("chgnet", "sevennet")}
    flagged = {f.quantity for f in consensus_flags(both) if f.code == "potentials_disagree"}
    # CHGNet breaks P-S bonds and binds the extra Li in the first LGPS layer already (no
    # band); SevenNet pulls S without breaking the bonds (by the 1.2 x covalent-radii rule)
    # and its Li falls into LGPS with no real barrier (0.07 eV): no barrier to compare.
    assert flagged == {"W_adhesion_J_m2", "E_bind_interface_eV", "broken_bonds"}


@pytest.mark.slow
def test_lialo2_lgps_matches_only_above_the_default_area():
    # The hexagonal alpha-LiAlO2 (001) net does not fit LGPS's square one below 110 Å²;
    # the (104) face does at 151 Å² (2x1 LGPS), which interface_for allows for this pair.
    with pytest.raises(SsblabError, match=r"LiAlO2\|LGPS: no lattice match"):
        _built("LiAlO2", "LGPS", film_layers=1)
    from ssblab.atomistic.interface_energy import interface_for

    built = interface_for("LiAlO2", "LGPS")
    assert built.film_miller == (1, 0, 4) and built.substrate_miller == (0, 0, 1)
    assert len(built.atoms) == 136 and built.n_substrate == 100 and built.n_film == 36
    assert built.area_A2 == pytest.approx(151.2, abs=0.2)
    assert built.strain_pct == pytest.approx(3.56, abs=0.02)
    assert built.broken_bonds == 22  # AlO6 cut at both faces of the one-unit (104) film


@pytest.mark.slow
def test_gamma_lialo2_lgps_smallest_coherent_cell_is_over_300_A2():
    from pymatgen.analysis.interfaces.coherent_interfaces import CoherentInterfaceBuilder
    from pymatgen.analysis.interfaces.zsl import ZSLGenerator
    from pymatgen.io.ase import AseAtomsAdaptor

    from ssblab.atomistic.interfaces import MAX_ANGLE_TOL, right_handed

    zsl = ZSLGenerator(
        max_area=340.0,
        max_length_tol=MAX_LENGTH_TOL,
        max_angle_tol=MAX_ANGLE_TOL,
        bidirectional=False,
    )
    structure = {
        n: AseAtomsAdaptor.get_structure(right_handed(conventional_cell(n)))
        for n in ("LGPS", "LiAlO2_gamma")
    }
    builder = CoherentInterfaceBuilder(
        structure["LGPS"], structure["LiAlO2_gamma"], (1, 0, 0), (0, 0, 1), zslgen=zsl
    )
    smallest = min(m.match_area for m in builder.zsl_matches)
    assert smallest == pytest.approx(323.4, abs=0.5)  # 4.3 LGPS cells: beyond 150 atoms


@pytest.mark.slow
@pytest.mark.parametrize("model", ["chgnet", "sevennet"])
def test_li_lgps_reacts_and_li_lialo2_holds(results, model):
    """The seed's comparison: Li pulls S out of PS4 of LGPS; LiAlO2 against Li stays whole."""
    lgps = results("Li", "LGPS", model, neb=False)
    lialo2 = results("Li", "LiAlO2", model, neb=False)
    assert lgps.converged and lialo2.converged
    assert lgps.anions_pulled >= 2  # CHGNet also breaks 5 P-S bonds, SevenNet none
    assert "interface_reacted" in {f.code for f in lgps.flags}
    assert lialo2.broken_bonds == 0 and lialo2.anions_pulled == 0
    assert lialo2.max_anion_shift_A < 1.0 < lgps.max_anion_shift_A
    # W_ad alone does not tell them apart (Li sticks to O-terminated LiAlO2 too);
    # the pulled anions do. An extra Li at the LiAlO2 contact sits above Li metal.
    assert lgps.W_adhesion_J_m2 > 1.0 and lialo2.W_adhesion_J_m2 > 1.0
    assert lialo2.E_bind_interface_eV > 0
