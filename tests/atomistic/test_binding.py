"""Binding energies E_int = E_AB - E_A - E_B: bookkeeping with EMT, physics with CHGNet."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.atomistic.binding import (
    binding_energy,
    bulk_host,
    reference_energy,
    site_position,
    surface_slab,
    with_adsorbate,
)
from ssblab.errors import SsblabError


def test_emt_al_adatom_on_al111_bookkeeping():
    result = binding_energy("Al", "Al", model="emt")
    assert result.E_int_eV == pytest.approx(result.E_AB_eV - result.E_A_eV - result.E_B_eV)
    assert result.site == "(111) fcc"
    assert result.converged
    # An Al adatom on Al(111) keeps most of the cohesive energy (3.39 eV, Kittel):
    # clearly bound, but by less than the full cohesive energy.
    assert -3.39 < result.E_int_eV < -1.5


def test_slab_has_vacuum_and_fixed_bottom_half():
    slab = surface_slab("Al", "emt", size=(2, 2, 4), vacuum_A=10.0)
    z = slab.positions[:, 2]
    assert slab.cell[2, 2] - (z.max() - z.min()) == pytest.approx(20.0)
    fixed = slab.constraints[0].get_indices()
    assert len(fixed) == 8
    assert z[fixed].max() < z.max() - 1.0


def test_adsorbate_sits_above_the_top_layer():
    slab = surface_slab("Al", "emt")
    loaded = with_adsorbate(slab, "Al", "fcc", height_A=2.0)
    assert len(loaded) == len(slab) + 1
    assert loaded.positions[-1, 2] == pytest.approx(slab.positions[:, 2].max() + 2.0)


def test_named_interstitial_site_in_li2s_is_the_octahedral_hole():
    from ssblab.atomistic.structures import conventional_cell

    unit = conventional_cell("Li2S")
    position = site_position("Li2S", unit, "octahedral")
    assert np.allclose(position, unit.cell.array.sum(axis=0) / 2)
    with pytest.raises(SsblabError, match="octahedral, void"):
        site_position("Li2S", unit, "tetrahedral")


def test_surface_binding_refused_for_host_without_surface():
    with pytest.raises(SsblabError, match="no surface"):
        surface_slab("Li2S", "emt")


def test_thin_vacuum_refused():
    with pytest.raises(SsblabError, match="at least 10"):
        surface_slab("Al", "emt", vacuum_A=5.0)


def test_unknown_reference_and_adsorbate():
    with pytest.raises(SsblabError, match="atom, bulk"):
        reference_energy("Al", "gas", "emt")
    with pytest.raises(SsblabError, match="not a chemical symbol"):
        binding_energy("Al", "Xx", model="emt")


def test_bulk_host_supercell_spacing():
    host = bulk_host("Al", "emt", min_length_A=7.0)
    assert len(host) == 32


@pytest.mark.slow
def test_chgnet_li_binds_to_al111_more_than_to_li110():
    pytest.importorskip("chgnet")
    on_al = binding_energy("Al", "Li", reference="atom")
    on_li = binding_energy("Li", "Li", reference="atom")
    # Li binds (negative E_int) and more strongly to Al(111) than to Li(110):
    # the seed's lithiophilic-Al argument (Cui et al., Fig. S14).
    assert on_al.E_int_eV < -1.0
    assert on_li.E_int_eV < 0
    assert on_al.E_int_eV < on_li.E_int_eV
    # Against Li metal as the reservoir, Li still prefers the Al(111) hollow (LiAl forms).
    vs_metal = binding_energy("Al", "Li", reference="bulk")
    assert vs_metal.E_int_eV < 0
    assert vs_metal.E_AB_eV == pytest.approx(on_al.E_AB_eV, abs=1e-6)


@pytest.mark.slow
def test_seed_fig_s14_table_ordering_with_both_potentials():
    """The measured Fig. S14 table (``ssblab atoms seed binding``; ~10 min on 2 cores)."""
    pytest.importorskip("chgnet")
    pytest.importorskip("sevenn")
    from ssblab.atomistic.screen import seed_binding_table

    table = seed_binding_table()
    v = {r.job.host: r.values for r in table.rows}
    # Measured E_int vs the isolated Li atom, CHGNet / SevenNet [eV].
    measured = {
        "Al": (-1.568, -1.570),
        "Li": (-1.107, -1.007),
        "P2S5": (-2.050, -1.636),
        "LiAl": (-0.829, -0.434),
        "Li3P": (-1.573, -1.628),
        "LiCl": (-2.659, -2.580),
    }
    for host, (chgnet, sevennet) in measured.items():
        assert v[host]["chgnet"] == pytest.approx(chgnet, abs=0.03), host
        assert v[host]["sevennet"] == pytest.approx(sevennet, abs=0.03), host
    for m in ("chgnet", "sevennet"):
        assert v["Al"][m] < v["Li"][m] - 0.4  # Al(111) holds Li more than Li(110)
        assert max(v, key=lambda h: v[h][m]) == "LiAl"  # weakest: Li into LiAl
        assert min(v, key=lambda h: v[h][m]) == "LiCl"  # strongest: an artefact
    artefacts = {
        r.job.host: sum(f.code == "unphysical_lithiated_binding" for f in r.flags)
        for r in table.rows
    }
    assert artefacts["Li2S"] == artefacts["LiCl"] == 2  # flagged for both potentials
    assert artefacts["Al"] == artefacts["Li3P"] == 0
    assert "reproduced" in table.checks[0] and "NOT" not in table.checks[0]
    assert "NOT reproduced" in table.checks[1]  # P2S5 and Li3P bind Li as strongly as Al
