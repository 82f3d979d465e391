"""``ssblab design`` through the CLI: JSON keys, tables, version, errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ssblab.cli import app

runner = CliRunner()

REQUIRED_KEYS = {
    "area_cm2",
    "anode_active_loading_mg_cm2",
    "cathode_active_loading_mg_cm2",
    "anode_areal_capacity_mAh_cm2",
    "cathode_areal_capacity_mAh_cm2",
    "np_ratio",
    "anode_thickness_um",
    "separator_thickness_um",
    "cathode_thickness_um",
    "specific_energy_Wh_kg",
    "audit",
}


def test_design_json(examples_dir):
    result = runner.invoke(
        app, ["design", str(examples_dir / "al-lpsc-composite_ncm622.toml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= REQUIRED_KEYS
    assert data["cathode_active_loading_mg_cm2"] == pytest.approx(29.95, rel=5e-3)
    assert any(a["flag"] == "inconsistent" for a in data["audit"])


def test_design_table_all_seeds(examples_dir):
    files = sorted(str(p) for p in examples_dir.glob("*.toml"))
    result = runner.invoke(app, ["design", *files])
    assert result.exit_code == 0, result.output
    assert "Al-LPSC-C" in result.output and "Audit" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("ssblab ")


def test_materials_json():
    result = runner.invoke(app, ["materials", "--json"])
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["Al"]["theoretical_mAh_g"] == pytest.approx(993.3, abs=0.1)


def test_usage_errors_are_short(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "ssblab", "design"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Missing argument" in proc.stderr and "Traceback" not in proc.stderr


def test_design_text_shows_labels_with_units_and_json_keeps_keys(examples_dir):
    """The text tables name quantities as a researcher reads them; --json keeps the keys."""
    recipe = str(examples_dir / "al-lpsc-composite_ncm622.toml")
    text = runner.invoke(app, ["design", recipe]).output
    assert "anode_active_loading_mg_cm2" not in text and "np_ratio  " not in text
    row = next(line for line in text.splitlines() if "Cathode active loading [mg/cm²]" in line)
    assert "29.95" in row  # one row per quantity, one column per cell
    assert "Separator (SE) thickness [µm]" in text and "N/P ratio [-]" in text
    twice = runner.invoke(app, ["design", recipe, recipe]).output
    row = next(line for line in twice.splitlines() if "N/P ratio [-]" in line)
    assert row.count("0.9385") == 2 and "NCM622 (2)" in twice  # a column each
    audit = next(line for line in text.splitlines() if "Cathode loading [mg/cm²]" in line)
    assert "30" in audit and "29.95" in audit and "ok" in audit  # reported, implied, flag
    data = json.loads(runner.invoke(app, ["design", recipe, "--json"]).output)
    assert data["audit"][0]["quantity"] == "cathode_loading_mg_cm2"
