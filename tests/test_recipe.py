"""Recipe validation: each kind of bad recipe gives one clear line and exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ssblab.errors import RecipeError
from ssblab.recipe import load_recipe, parse_recipe

GOOD = {
    "name": "t",
    "die_diameter_mm": 10,
    "anode": {"total_mass_mg": 10, "components": [{"material": "Al", "fraction": 1.0}]},
    "separator": {"material": "LGPS", "mass_mg": 100},
    "cathode": {
        "total_mass_mg": 30,
        "components": [
            {"material": "NCM622", "fraction": 0.7},
            {"material": "LPSC", "fraction": 0.3},
        ],
    },
}


def _with(path: str, value):
    import copy

    data = copy.deepcopy(GOOD)
    node = data
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if k.isdigit() else node[k]
    last = keys[-1]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()


def test_good_recipe():
    r = parse_recipe(GOOD)
    assert r.area_cm2 == pytest.approx(0.785398, rel=1e-6)
    assert r.cathode.active_component.material == "NCM622"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("die_diameter_mm", _DELETE, r"die_diameter_mm: required field is missing"),
        ("anode.total_mass_mg", -10, r"anode.total_mass_mg: Input should be greater than 0"),
        ("cathode.components.0.fraction", 0.6, r"cathode: mass fractions must sum to 1, got 0.9"),
        ("cathode.components.0.material", "NCM999", r"unknown material 'NCM999'"),
        (
            "die_diameter_mm",
            0.01,
            r"die_diameter_mm: Input should be greater than or equal to 1 .*0.01",
        ),
        (
            "anode.total_mass_g",
            10,
            r"anode.total_mass_g: unknown field \(field names carry their unit",
        ),
        ("anode.total_mass_mg", "10 mg", r"anode.total_mass_mg: Input should be a valid number"),
    ],
    ids=[
        "missing",
        "negative",
        "fractions",
        "unknown-material",
        "wrong-unit-range",
        "wrong-unit-name",
        "unit-string",
    ],
)
def test_bad_recipe_one_line(path, value, message):
    with pytest.raises(RecipeError, match=message) as info:
        parse_recipe(_with(path, value), origin="cell.toml")
    text = str(info.value)
    assert text.startswith("cell.toml: ")
    assert "\n" not in text


def test_full_cell_needs_cathode():
    data = dict(GOOD)
    data.pop("cathode")
    with pytest.raises(RecipeError, match="needs a \\[cathode\\] section"):
        parse_recipe(data)


def test_bad_toml_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("name = \n")
    with pytest.raises(RecipeError, match=r"broken\.toml: not valid TOML"):
        load_recipe(p)
    with pytest.raises(RecipeError, match="no such recipe file"):
        load_recipe(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("snippet", "needle"),
    [
        (
            'name="x"\n[anode]\ntotal_mass_mg=10\ncomponents=[{material="Al",fraction=1}]\n[separator]\nmaterial="LGPS"\nmass_mg=1\n',
            "die_diameter_mm: required field is missing",
        ),
        (
            'name="x"\ndie_diameter_mm=10\nkind="symmetric"\n[anode]\ntotal_mass_mg=-1\ncomponents=[{material="Li",fraction=1}]\n[separator]\nmaterial="LGPS"\nmass_mg=1\n',
            "anode.total_mass_mg",
        ),
        (
            'name="x"\ndie_diameter_mm=10\nkind="symmetric"\n[anode]\ntotal_mass_mg=1\ncomponents=[{material="Kryptonite",fraction=1}]\n[separator]\nmaterial="LGPS"\nmass_mg=1\n',
            "unknown material 'Kryptonite'",
        ),
    ],
)
def test_cli_exit_code_2(tmp_path, snippet, needle):
    p = tmp_path / "bad.toml"
    p.write_text(snippet)
    proc = subprocess.run(
        [sys.executable, "-m", "ssblab", "design", str(p)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0] and "bad.toml" in lines[0]
    assert "Traceback" not in proc.stderr
