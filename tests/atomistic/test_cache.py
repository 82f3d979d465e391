"""The on-disk atomistic cache is keyed per structure: editing one entry leaves the others valid."""

from __future__ import annotations

import copy

import pytest

from ssblab.atomistic import cache


@pytest.fixture
def edited_entries(monkeypatch):
    """A copy of the parsed structures.toml that a test may edit; digests recomputed."""
    table = copy.deepcopy(cache._entries())
    monkeypatch.setattr(cache, "_entries", lambda: table)
    return table


def _keys() -> dict[str, str]:
    return {
        "neb LGPS": cache.cache_key("neb", {"structure": "LGPS", "hop": "vacancy"}, "emt"),
        "neb Al": cache.cache_key("neb", {"structure": "Al", "hop": "vacancy"}, "emt"),
        "binding Al": cache.cache_key("binding", {"host": "Al", "adsorbate": "Li"}, "emt"),
        "lattice LiNbO3": cache.cache_key("lattice", {"name": "LiNbO3"}, "emt"),
        "interface": cache.cache_key("interface", {"film": "Li", "substrate": "LGPS"}, "emt"),
    }


def test_job_structures_from_parameters_and_implicit_li_reference():
    assert cache.job_structures("neb", {"structure": "Al", "hop": "vacancy"}) == ("Al",)
    assert cache.job_structures("binding", {"host": "Al2O3", "adsorbate": "Li"}) == (
        "Al2O3",
        "Li",
    )
    # Binding energies are referenced to bcc Li, even when Li is not named.
    assert "Li" in cache.job_structures("binding", {"host": "Al", "adsorbate": "Al"})
    assert cache.job_structures("interface", {"film": "Al", "substrate": "Li6PS5Cl"}) == (
        "Al",
        "Li",
        "Li6PS5Cl",
    )


def test_editing_one_structure_changes_only_the_keys_that_use_it(edited_entries):
    before = _keys()
    edited_entries["LGPS"]["cellpar"] = [8.7, 8.7, 12.6, 90.0, 90.0, 90.0]
    after = _keys()
    assert after["neb LGPS"] != before["neb LGPS"]
    assert after["interface"] != before["interface"]  # Li|LGPS reads LGPS
    for unaffected in ("neb Al", "binding Al", "lattice LiNbO3"):
        assert after[unaffected] == before[unaffected], unaffected


def test_adding_a_structure_keeps_every_existing_key(edited_entries):
    before = _keys()
    edited_entries["NewPhase"] = {"formula": "X", "description": "test", "source": "none"}
    assert _keys() == before


def test_editing_bcc_li_invalidates_binding_but_not_a_bulk_al_hop(edited_entries):
    before = _keys()
    edited_entries["Li"]["cellpar"] = [3.45, 3.45, 3.45, 90.0, 90.0, 90.0]
    after = _keys()
    assert after["binding Al"] != before["binding Al"]
    assert after["neb Al"] == before["neb Al"]


def test_editing_a_source_or_description_keeps_the_key(edited_entries):
    before = _keys()
    edited_entries["LGPS"]["source"] = "a corrected citation"
    edited_entries["LGPS"]["description"] = "reworded"
    edited_entries["LGPS"]["experiment"]["source"] = "reworded too"
    assert _keys() == before
