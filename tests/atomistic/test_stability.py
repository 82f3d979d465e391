"""Interlayer screening on the hull: wiring with fixed energies, physics with the potentials."""

from __future__ import annotations

import pytest

from ssblab.atomistic import stability
from ssblab.atomistic.structures import get_structure

#: Energies per formula unit [eV] chosen by hand (not a potential's).
FAKE = {"Li": -2.0, "Al": -4.0, "LiAl": -6.5, "Li2O": -14.0, "LiAlO2": -26.0}


@pytest.fixture
def fake_energies(monkeypatch):
    table = dict(FAKE)

    def phase(name, model):
        if name not in table:
            pytest.skip(f"{name} not in the fake table")
        return get_structure(name).formula, table[name]

    for fn in (stability._phase_energy, stability._atom_energy):
        fn.cache_clear()
    monkeypatch.setattr(stability, "HULL_PHASES", tuple(table))
    monkeypatch.setattr(stability, "_phase_energy", phase)
    monkeypatch.setattr(stability, "_atom_energy", lambda symbol, model: 0.0)
    return table


def test_reaction_energy_matches_the_hand_balance(fake_energies):
    # 4 Li + LiAlO2 -> LiAl + 2 Li2O: (-6.5 - 28) - (-26 - 8) = -0.5 eV per 8 atoms.
    rxn = stability.reaction("LiAlO2", "Li", "fake")
    assert rxn.energy_eV_atom == pytest.approx(-0.5 / 8)
    assert "LiAl" in rxn.products and "Li2O" in rxn.products
    assert stability.verdict(rxn.energy_eV_atom) == "reacts"
    # Make LiAlO2 more stable by 1 eV: no reaction with Li any more.
    fake_energies["LiAlO2"] = -27.0
    assert stability.reaction("LiAlO2", "Li", "fake").products == "no reaction"


def test_verdict_bands_use_each_potentials_published_mae():
    assert stability.verdict(0.0, "chgnet") == "stable"
    # -0.05 eV/atom: inside CHGNet's 0.061 MAE, outside SevenNet's 0.046.
    assert stability.verdict(-0.05, "chgnet") == "within error"
    assert stability.verdict(-0.05, "sevennet") == "reacts"
    assert stability.verdict(-0.2, "chgnet") == "reacts"
    assert stability.combined_verdict({"chgnet": -0.02, "sevennet": -0.04}) == "stable"
    assert stability.combined_verdict({"chgnet": -0.05, "sevennet": -0.05}) == "uncertain"
    assert stability.combined_verdict({"chgnet": -0.6, "sevennet": -0.6}) == "reacts"


@pytest.mark.slow
def test_lialo2_protects_li_where_lgps_does_not():
    # Li6PS5Cl as a partner would add two 52-atom relaxations; the wiring is the same.
    rows, skipped = stability.screen_candidates(("LiAlO2", "LGPS", "LiF"), partners=("Li", "LGPS"))
    by_name = {r.candidate: r for r in rows}
    assert not skipped
    # LGPS is reduced by Li (Wenzel et al. 2016): strongly, with both potentials.
    assert by_name["LGPS"].verdict("Li") == "reacts"
    # LiAlO2: no reaction with Li beyond either potential's formation-energy MAE.
    assert by_name["LiAlO2"].verdict("Li") == "stable"
    assert by_name["LGPS"].worst("Li") < -0.2
    # LiF is fully lithiated: nothing to reduce.
    assert by_name["LiF"].worst("Li") == 0.0
    # LiAlO2 ranks above LGPS against Li.
    names = [r.candidate for r in rows]
    assert names.index("LiAlO2") < names.index("LGPS")
    assert by_name["LiAlO2"].worst("Li") > by_name["LGPS"].worst("Li") / 5


def test_grid_fallback_agrees_with_interfacial_reactivity(fake_energies):
    from pymatgen.core import Composition

    rxn = stability.reaction("LiAlO2", "Li", "fake")
    pd, _ = stability.phase_diagram(["Li", "Al", "O"], "fake")
    ratio, energy, products, _ = stability._grid_reaction(
        Composition("LiAlO2"), Composition("Li"), pd, "LiAlO2", "Li"
    )
    # The grid has 0.025 steps; the kink of 4 Li + LiAlO2 sits at x = 0.5 exactly.
    assert energy == pytest.approx(rxn.energy_eV_atom, abs=1e-9)
    assert ratio == pytest.approx(0.5)
    assert "Li2O" in products


def test_row_json_carries_each_potentials_verdict_and_tolerance():
    rxn = {
        m: stability.Reaction("LiAlO2", "Li", m, e, 0.8, "LiAl + Li2O")
        for m, e in (("chgnet", -0.023), ("sevennet", -0.040))
    }
    data = stability.ScreenRow("LiAlO2", {"Li": rxn}, "none").as_dict()
    assert data["verdict_vs_Li"] == "stable" and data["protective_vs_Li"]
    assert data["reactions"]["Li"]["sevennet"]["verdict"] == "within error"
    assert data["reactions"]["Li"]["sevennet"]["tolerance_eV_atom"] == 0.046
    assert data["reactions"]["Li"]["chgnet"]["tolerance_eV_atom"] == 0.061


def test_each_polymorph_reacts_with_its_own_energy(fake_energies, monkeypatch):
    # gamma made 0.5 eV per formula unit (0.125 eV/atom) below alpha, by hand.
    fake_energies["LiAlO2_gamma"] = -26.5
    monkeypatch.setattr(stability, "HULL_PHASES", tuple(fake_energies))
    # alpha still reacts with its own energy: 4 Li + LiAlO2 -> LiAl + 2 Li2O, -0.5 eV / 8 atoms.
    alpha = stability.reaction("LiAlO2", "Li", "fake")
    assert alpha.energy_eV_atom == pytest.approx(-0.5 / 8)
    # gamma, 0.5 eV lower, balances that reaction exactly: no reaction with Li.
    assert stability.reaction("LiAlO2_gamma", "Li", "fake").products == "no reaction"
    notes = [f for f in alpha.flags if f.code == "polymorph"]
    assert len(notes) == 1 and "+0.125 eV/atom vs LiAlO2_gamma" in notes[0].message
    assert stability.polymorph_energy("LiAlO2_gamma", "fake") == {"LiAlO2": pytest.approx(-0.125)}


@pytest.mark.slow
def test_gamma_lialo2_protects_li_and_linbo3_is_reduced():
    """Measured (both potentials, eV/atom): gamma-LiAlO2 + Li -0.014 / -0.036 (within error),
    LiNbO3 + Li -0.371 / -0.393 (-> Nb + Li2O); gamma lies 0.018 / 0.009 eV/atom below alpha."""
    rows, skipped = stability.screen_candidates(("LiAlO2_gamma", "LiNbO3"), partners=("Li",))
    by_name = {r.candidate: r for r in rows}
    assert not skipped
    gamma, linbo3 = by_name["LiAlO2_gamma"], by_name["LiNbO3"]
    assert gamma.verdict("Li") == "stable" and linbo3.verdict("Li") == "reacts"
    measured = {"LiAlO2_gamma": (-0.0137, -0.0355), "LiNbO3": (-0.3706, -0.3926)}
    for name, (e_chgnet, e_sevennet) in measured.items():
        energies = by_name[name].reactions["Li"]
        assert energies["chgnet"].energy_eV_atom == pytest.approx(e_chgnet, abs=0.01)
        assert energies["sevennet"].energy_eV_atom == pytest.approx(e_sevennet, abs=0.01)
    assert "Nb" in linbo3.reactions["Li"]["chgnet"].products
    # The stable polymorph at ambient pressure is the lower one with both potentials.
    for model, below in (("chgnet", -0.018), ("sevennet", -0.009)):
        diff = stability.polymorph_energy("LiAlO2_gamma", model)["LiAlO2"]
        assert diff == pytest.approx(below, abs=0.004)
    assert [r.candidate for r in rows] == ["LiAlO2_gamma", "LiNbO3"]
