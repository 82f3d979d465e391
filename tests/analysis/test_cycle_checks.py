"""Unit and corruption checks of cycle_table on real files (voltage, current)."""

from __future__ import annotations

import polars as pl

from ssblab import schema as s
from ssblab.analysis.cycles import cycle_table
from ssblab.io import read

MACCOR = "maccor/maccor_001.txt"
JDB11 = "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"


def _codes(ct) -> list[str]:
    return [f.code for f in ct.flags]


def test_a_corrupt_voltage_is_flagged(data_dir, tmp_path):
    lines = (data_dir / MACCOR).read_bytes().decode("latin-1").splitlines(True)
    fields = lines[100].split("\t")
    assert fields[8] == "3.18502"  # Volts of record 97
    fields[8] = "1e308"
    lines[100] = "\t".join(fields)
    bad = tmp_path / "maccor.txt"
    bad.write_bytes("".join(lines).encode("latin-1"))
    assert "voltage_unit" not in _codes(cycle_table(read(data_dir / MACCOR)))
    flags = [f for f in cycle_table(read(bad)).flags if f.code == "voltage_unit"]
    assert len(flags) == 1 and flags[0].message.startswith("|V| reaches 1e+308 V")


def test_a_voltage_in_millivolts_is_flagged(data_dir):
    run = read(data_dir / JDB11)
    mv = run.table.with_columns(pl.col(s.VOLTAGE) * 1000.0)
    assert "voltage_unit" not in _codes(cycle_table(run))
    flags = [f for f in cycle_table(mv).flags if f.code == "voltage_unit"]
    assert len(flags) == 1 and "3.8e+03 V" in flags[0].message
