"""``ssblab simulate`` / ``calibrate`` on a Li-metal full cell: the --interface option."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pybamm")

from typer.testing import CliRunner

from ssblab.cli import app
from ssblab.simulate.fullcell import DEFAULT_INTERFACE, DEFAULT_INTERPHASE, INTERFACES

runner = CliRunner()
LCO = "li-lialo2-200nm_lgps_lco.toml"
STEPS = "Charge at 0.5 C for 4 hours or until 4.2 V; Discharge at 0.5 C for 4 hours or until 3.0 V"


def _simulate(examples_dir, *extra: str) -> dict:
    args = ["simulate", str(examples_dir / LCO), "--protocol", STEPS, "--json", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_one_default_interface_everywhere():
    from ssblab.reproduce.lialo2_fullcell import INTERPHASE

    assert DEFAULT_INTERFACE == "butler-volmer"
    assert INTERFACES[DEFAULT_INTERFACE] == DEFAULT_INTERPHASE == INTERPHASE == "kinetic"


def test_simulate_interface_option(examples_dir):
    bv = _simulate(examples_dir, "--interphase", "1006")
    linear = _simulate(examples_dir, "--interphase", "1006", "--interface", "linear")
    assert (bv["interface"], linear["interface"]) == ("butler-volmer", "linear")
    assert bv["interphase_ohm"] == 1006
    q_bv = bv["cycles"][0]["discharge_capacity_Ah"]
    q_lin = linear["cycles"][0]["discharge_capacity_Ah"]
    # 1006 Ohm as a linear resistance at 0.5 C (0.7 mA) spans the window; the same dc
    # overpotential read as Butler-Volmer kinetics (asinh) leaves the cell most of it
    assert q_lin < 0.01 * q_bv and q_bv > 5e-4
    assert any("1006 Ohm (butler-volmer interface)" in n for n in bv["notes"])


def test_interface_refusals(examples_dir):
    result = runner.invoke(app, ["simulate", str(examples_dir / LCO), "--interface", "bv"])
    assert result.exit_code != 0
    assert "--interface 'bv': valid: linear, butler-volmer, small-signal" in str(result.exception)
    sym = runner.invoke(
        app, ["simulate", str(examples_dir / "sym-li-bare_lgps.toml"), "--interphase", "5"]
    )
    assert sym.exit_code != 0 and "apply to full cells" in str(sym.exception)
