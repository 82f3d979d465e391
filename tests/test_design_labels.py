"""Display labels of the design numbers: one per scalar key, each with its unit."""

from __future__ import annotations

import pytest

from ssblab.design import LABELS, design, label
from ssblab.recipe import load_recipe


def test_every_scalar_design_key_of_the_seed_cells_has_a_label_with_a_unit(examples_dir):
    keys: set[str] = set()
    quantities: set[str] = set()
    for path in sorted(examples_dir.glob("*.toml")):
        d = design(load_recipe(path)).to_dict()
        keys |= set(d) - {"name", "anode", "cathode", "audit"}  # layers and audit nested
        quantities |= {a["quantity"] for a in d["audit"] if a["flag"] != "n/a"}
    assert keys - set(LABELS) == set()
    assert all("[" in LABELS[k] and LABELS[k].endswith("]") for k in keys - {"kind"})
    assert all("_" not in label(q) for q in quantities), quantities


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("cathode_active_loading_mg_cm2", "Cathode active loading [mg/cm²]"),
        ("separator_thickness_um", "Separator (SE) thickness [µm]"),
        ("np_ratio vs areal_capacity_mAh_cm2", "N/P ratio [-] vs Areal capacity [mAh/cm²]"),
        ("ice_percent", "ice_percent"),  # not a design quantity: its recipe key
    ],
)
def test_label(key, shown):
    assert label(key) == shown
