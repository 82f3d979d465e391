"""``ssblab atoms`` through the CLI: JSON keys, tables and errors (EMT keeps it fast)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ssblab.cli import app

runner = CliRunner()

BINDING_KEYS = {"host", "adsorbate", "E_int_eV", "E_AB_eV", "E_A_eV", "E_B_eV", "site", "model"}


def test_list_json_has_sources():
    result = runner.invoke(app, ["atoms", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    names = {r["name"] for r in rows}
    assert {"Li", "Al", "LiAl", "Li2S", "Li3P", "LiCl", "LiAlO2"} <= names
    assert all(r["source"] for r in rows)


def test_list_table():
    result = runner.invoke(app, ["atoms", "list"])
    assert result.exit_code == 0
    assert "Im-3m" in result.output


def test_binding_json_keys_and_identity():
    result = runner.invoke(
        app, ["atoms", "binding", "--host", "Al", "--adsorbate", "Al", "--model", "emt", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= BINDING_KEYS
    assert data["E_int_eV"] == pytest.approx(data["E_AB_eV"] - data["E_A_eV"] - data["E_B_eV"])
    assert data["E_int_eV"] < 0
    assert data["model"] == "ASE EMT"


def test_neb_json_profile():
    args = ["atoms", "neb", "--structure", "Al", "--hop", "vacancy", "--images", "3"]
    result = runner.invoke(app, [*args, "--min-length-A", "7", "--model", "emt", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"barrier_eV", "path", "model"}
    energies = [p["energy_eV"] for p in data["path"]]
    assert len(energies) == 5
    assert max(energies) == data["barrier_eV"] > 0.2
    assert data["mechanism"].startswith("vacancy: Al self-diffusion")
    assert data["flags"] == []


def test_bad_input_is_one_line_and_exit_2(capsys):
    from ssblab.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["atoms", "binding", "--host", "Unobtainium"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ssblab: error: unknown structure 'Unobtainium'")
    assert "\n" not in err


def test_seed_table_with_emt_is_refused_for_lithium():
    result = runner.invoke(app, ["atoms", "seed", "binding", "--model", "emt", "--json"])
    assert result.exit_code != 0
    assert "no parameters for Li" in str(result.exception)


def test_unknown_seed_table():
    result = runner.invoke(app, ["atoms", "seed", "diffusion"])
    assert "binding, migration" in str(result.exception)


def test_seed_plot_writes_a_png(tmp_path, monkeypatch):
    from ssblab.atomistic import screen

    monkeypatch.setattr(screen, "SEED_BINDING_JOBS", (screen.BindingJob("Al", "Al"),))
    out = tmp_path / "s14.png"
    result = runner.invoke(app, ["atoms", "seed", "binding", "--model", "emt", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_amorphous_refuses_an_unknown_start_crystal(capsys):
    from ssblab.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["atoms", "amorphous", "--crystal", "Al2O3"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == "ssblab: error: --crystal must be LiAlO2_gamma or LiAlO2, got 'Al2O3'"


def test_amorphous_runs_the_protocol_default_unless_told(monkeypatch):
    """The command's melt/quench times are the MeltQuench defaults (1000 / 1500 fs), not a
    second copy of them; an option overrides only its own field."""
    from ssblab.atomistic import amorphous

    seen = []

    def fake(model, protocol, on_step=None):
        seen.append(protocol)
        raise SystemExit(0)

    monkeypatch.setattr(amorphous, "melt_quench", fake)
    for args in ([], ["--quench-fs", "800"]):
        runner.invoke(app, ["atoms", "amorphous", *args])
    assert (seen[0].melt_fs, seen[0].quench_fs) == (1000.0, 1500.0)
    assert (seen[1].melt_fs, seen[1].quench_fs) == (1000.0, 800.0)
    assert seen[0] == amorphous.MeltQuench()


def test_s14_ordering_reads_most_strongly_bound_first_with_ties():
    """The Fig. S14 order line, on the CHGNet E_int measured for the README (eV)."""
    from types import SimpleNamespace

    from ssblab.cli.atoms_plot import ordering

    measured = {"Al": -1.57, "Li": -1.11, "P2S5": -2.05, "LiAl": -0.83, "Li3P": -1.574}
    rows = [SimpleNamespace(job=SimpleNamespace(host=h)) for h in measured]

    def value(row, model, key):
        return measured[row.job.host]

    assert ordering(rows, "chgnet", value) == "P2S5 < Li3P ≈ Al < Li < LiAl"
    assert ordering(rows, "chgnet", value, tie_eV=0.0) == "P2S5 < Li3P < Al < Li < LiAl"
