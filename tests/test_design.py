"""Design formulas (hand-computed values) and the seed cells' numbers."""

from __future__ import annotations

import math

import pytest

from ssblab.design import (
    areal_capacity_mAh_cm2,
    composite_density_g_cm3,
    design,
    disc_area_cm2,
    layer_thickness_um,
    loading_mg_cm2,
)
from ssblab.recipe import load_recipe


def test_formulas_by_hand():
    assert disc_area_cm2(10) == pytest.approx(0.785398, rel=1e-6)
    assert loading_mg_cm2(4.0, 0.785398) == pytest.approx(5.09296, rel=1e-5)
    assert areal_capacity_mAh_cm2(5.0, 1000.0) == pytest.approx(5.0)
    # 50/50 by mass of 1 and 3 g/cm3 -> 1/(0.5/1 + 0.5/3) = 1.5
    assert composite_density_g_cm3([(0.5, 1.0), (0.5, 3.0)]) == pytest.approx(1.5)
    # 100 mg over 1 cm2 at 2 g/cm3 -> 0.05 cm = 500 µm; 20 % porosity -> 625 µm
    assert layer_thickness_um(100, 1.0, 2.0) == pytest.approx(500.0)
    assert layer_thickness_um(100, 1.0, 2.0, porosity=0.2) == pytest.approx(625.0)


def test_composite_anode_seed(examples_dir):
    d = design(load_recipe(examples_dir / "al-lpsc-composite_ncm622.toml")).to_dict()
    assert d["area_cm2"] == pytest.approx(math.pi * 0.25)
    # issue: Al 5.09 mg/cm2 and NCM622 29.95 mg/cm2 to 0.5 %
    assert d["anode_active_loading_mg_cm2"] == pytest.approx(5.09, rel=5e-3)
    assert d["cathode_active_loading_mg_cm2"] == pytest.approx(29.95, rel=5e-3)
    # anode areal capacity from 993 mAh/g: 4 mg Al / 0.7854 cm2 * 0.9933 = 5.059 mAh/cm2
    assert d["anode_specific_capacity_mAh_g"] == pytest.approx(993.3, abs=0.1)
    assert d["anode_areal_capacity_mAh_cm2"] == pytest.approx(
        4.0 / (math.pi * 0.25) * 0.99333, rel=1e-4
    )
    assert d["stack_mass_mg"] == pytest.approx(143.6)
    # LPSC pellet: 100 mg / (0.7854 cm2 * 1.86 g/cm3) = 684.5 µm
    assert d["separator_thickness_um"] == pytest.approx(684.5, abs=0.1)


def test_composite_anode_audit_bases(examples_dir):
    audit = design(load_recipe(examples_dir / "al-lpsc-composite_ncm622.toml")).audit
    by = {a["quantity"]: a for a in audit}
    # N/P 1.05 with the anode on 993 mAh/g implies a cathode basis of
    # 5.059 / 1.05 / 29.947 * 1000 = 160.9 mAh/g
    assert by["np_ratio"]["basis"]["value"] == pytest.approx(160.9, abs=0.1)
    # 5.3 mAh/cm2 on 29.947 mg/cm2 of NCM622 needs 177.0 mAh/g
    assert by["areal_capacity_mAh_cm2"]["basis"]["value"] == pytest.approx(177.0, abs=0.1)
    assert "exceeds the anode" in by["areal_capacity_mAh_cm2"]["note"]
    assert by["cathode_loading_mg_cm2"]["flag"] == "ok"
    clash = by["np_ratio vs areal_capacity_mAh_cm2"]
    assert clash["flag"] == "inconsistent"
    assert clash["rel_diff"] == pytest.approx(177.0 / 160.9 - 1, abs=2e-3)
    assert by["ice_percent"]["flag"] == "n/a"


def test_al_foil_and_li_cells(examples_dir):
    foil = design(load_recipe(examples_dir / "al-foil_ncm622.toml")).to_dict()
    assert foil["anode_active_loading_mg_cm2"] == pytest.approx(10 / (math.pi * 0.25), rel=1e-6)
    # 10 mg of Al over 0.7854 cm2 at 2.70 g/cm3 = 47.2 µm
    assert foil["anode_thickness_um"] == pytest.approx(47.16, abs=0.01)
    li = design(load_recipe(examples_dir / "li-lialo2-200nm_lgps_lco.toml")).to_dict()
    # Li disc 10 mm x 0.5 mm: 0.7854 cm2 * 0.05 cm * 0.534 g/cm3 = 20.97 mg
    assert li["anode"]["mass_mg"] == pytest.approx(20.97, abs=0.01)
    assert li["cathode_active_loading_mg_cm2"] is None  # the paper gives no cathode mass
    assert li["np_ratio"] is None
    assert li["interlayer_thickness_nm"] == 200


def test_specific_energy_by_hand(examples_dir):
    d = design(load_recipe(examples_dir / "al-lpsc-composite_ncm622.toml")).to_dict()
    capacity = (
        min(d["anode_areal_capacity_mAh_cm2"], d["cathode_areal_capacity_mAh_cm2"]) * d["area_cm2"]
    )
    assert d["capacity_mAh"] == pytest.approx(capacity)
    assert d["cell_voltage_V"] == pytest.approx(3.75 - 0.38)
    assert d["specific_energy_Wh_kg"] == pytest.approx(capacity * 3.37 / 143.6 * 1000)


def test_every_seed_recipe_designs(examples_dir):
    names = sorted(p.name for p in examples_dir.glob("*.toml"))
    assert len(names) >= 8
    for p in examples_dir.glob("*.toml"):
        d = design(load_recipe(p)).to_dict()
        assert d["area_cm2"] > 0
        assert d["separator_thickness_um"] > 100
