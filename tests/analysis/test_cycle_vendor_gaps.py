"""A vendor cycle counter with gaps (an unreadable cycle number) is replaced, not used."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycle_table
from ssblab.io import read

NOVONIX = "novonix/test_Nova_Form-CH01-01_short.csv"


def _with_unreadable_cycle_number(data_dir: Path, tmp_path: Path) -> Path:
    """The Novonix export with the Cycle Number of its 81st record made unreadable."""
    lines = (data_dir / NOVONIX).read_bytes().decode("utf-8").splitlines(True)
    k = next(i for i, line in enumerate(lines) if line.startswith('"Date and Time')) + 81
    fields = lines[k].split(",")
    fields[1] = "x"
    lines[k] = ",".join(fields)
    path = tmp_path / "gap.csv"
    path.write_bytes("".join(lines).encode("utf-8"))
    return path


def test_a_counter_with_a_gap_is_replaced_by_pairs(data_dir, tmp_path):
    # before: the null cycle made cycle_table raise numpy's UFuncOutputCastingError
    run = read(_with_unreadable_cycle_number(data_dir, tmp_path))
    assert run.table.get_column(s.CYCLE).null_count() == 1
    ct = cycle_table(run)
    assert ct.requested == "vendor" and ct.rule == "pairs"
    assert "the vendor cycle counter is missing at 1 record; cycles renumbered" in " ".join(
        ct.notes
    )
    assert "vendor_cycles_replaced" in [f.code for f in ct.flags]
    whole = cycle_table(read(data_dir / NOVONIX), "pairs").table
    assert ct.table.get_column("charge_capacity_Ah").to_list() == pytest.approx(
        whole.get_column("charge_capacity_Ah").to_list(), rel=1e-12
    )
    assert ct.table.row(0, named=True)["charge_capacity_Ah"] == pytest.approx(0.0294679, rel=1e-5)


def test_the_cli_gives_the_pairs_table(data_dir, tmp_path, capsys):
    import json

    from ssblab.cli import main

    main(["cycles", str(_with_unreadable_cycle_number(data_dir, tmp_path)), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["rule"] == "pairs" and len(out["cycles"]) == 1
    assert out["cycles"][0]["partial"]  # a lone charge, cut before any discharge
