"""Unit and corruption checks of cycle_table on real files (voltage, current)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycle_table
from ssblab.io import read

MACCOR = "maccor/maccor_001.txt"
JDB11 = "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
NW4 = "neware/nw4-120-1-6-53.ndax"


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


MACCOR_DIAG = "maccor/PredictionDiagnostics_000109_tztest.010"


def test_ce_above_one_after_short_cycles_is_carry_over(data_dir):
    """Maccor diagnostic cycles 2-3 give back 72 % of their charge; cycle 4's 1.868 is that
    charge coming back (the balance of cycles 2-4 closes at 0.777), not bad data."""
    flags = {(f.quantity, f.code): f for f in cycle_table(read(data_dir / MACCOR_DIAG)).flags}
    carry = flags[("cycle 4", "ce_carry_over")]
    assert ("cycle 4", "ce_out_of_range") not in flags
    assert ("cycle 4", "ee_out_of_range") not in flags  # named in the same flag
    assert "1.868" in carry.message and "energy efficiency 1.338" in carry.message
    # its 243 mAh excess is a third of cycle 3's 676 mAh shortfall: cycle 2 is not needed
    assert "gives back 243 mAh more" in carry.message
    assert "cycle 3 just before it fell short by 676 mAh (its discharge CE 0.721)" in carry.message
    assert "(36% of that shortfall given back)" in carry.message
    # cycle 1 has no cycle before it: its 1.511 stays out of range
    assert ("cycle 1", "ce_out_of_range") in flags


def test_carry_over_names_the_shortfall_it_closes_nw4(data_dir):
    """Neware nw4 cycle 79 gives back 0.598 uAh more than it took; cycle 78 alone fell short
    by 0.647 uAh. The message said "cycles 42-78 fell short by 0.174 mAh" (the whole run of
    short cycles, 290 times the excess); cycle 127's 5.34 uAh needs cycles 116-126."""
    from ssblab.analysis.cycle_checks import covering_span

    flags = {f.quantity: f for f in cycle_table(read(data_dir / NW4)).flags}
    c79, c127 = flags["cycle 79"].message, flags["cycle 127"].message
    assert flags["cycle 79"].code == flags["cycle 127"].code == "ce_carry_over"
    assert "gives back 0.000598 mAh more than it took" in c79
    assert "cycle 78 just before it fell short by 0.000647 mAh (its discharge CE 0.7736)" in c79
    assert "(93% of that shortfall given back)" in c79 and "42" not in c79
    assert "cycles 116-126 just before it fell short by 0.00579 mAh" in c127
    assert "(cycle 126's discharge CE 0.6831)" in c127
    deficits = np.array([5.0, 1.0, 2.0, 3.0])
    assert [covering_span(deficits, x) for x in (2.5, 3.0, 4.0, 6.0, 11.0, 99.0)] == [
        3,
        3,
        2,
        1,
        0,
        0,
    ]


def test_carry_over_is_a_column_of_the_cycle_table(data_dir):
    """The cycles flagged ce_carry_over are marked in the table (the report reads the column,
    not the flags' text): nw4 79, 127, 140, 154; Maccor diagnostic 4; none in jdb11."""
    for name, cycles in ((NW4, [79, 127, 140, 154]), (MACCOR_DIAG, [4]), (JDB11, [])):
        ct = cycle_table(read(data_dir / name))
        marked = ct.table.filter(pl.col("ce_carry_over")).get_column("cycle").to_list()
        flagged = [int(f.quantity.split()[1]) for f in ct.flags if f.code == "ce_carry_over"]
        assert marked == flagged == cycles, name
        assert ct.table.get_column("ce_carry_over").dtype == pl.Boolean


def test_ce_above_one_after_a_full_cycle_stays_out_of_range(data_dir):
    """Neware test_2.ndax cycle 8 (CE 1.095) follows a cycle at 0.962, not short of the
    range's 0.95: no carry-over is claimed."""
    flags = {(f.quantity, f.code) for f in cycle_table(read(data_dir / "neware/test_2.ndax")).flags}
    assert ("cycle 8", "ce_out_of_range") in flags
    assert ("cycle 8", "ce_carry_over") not in flags


LANDT = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"


def test_ce_from_a_coarse_counter_carries_its_resolution(data_dir):
    """LANDT counts 0.1 mAh steps: cycle 1's CE 3.2 / 6.3 mAh = 0.5079 is good to
    0.5079 x hypot(0.05 / 6.3, 0.05 / 3.2) = 0.0089, so it is 0.508, not 0.5079."""
    from ssblab.analysis.cycle_checks import ce_resolution, format_to_resolution

    ct = cycle_table(read(data_dir / LANDT))
    (flag,) = [f for f in ct.flags if f.code == "ce_resolution"]
    assert flag.quantity == "cycle 1"
    assert flag.message.startswith("CE 0.508 ± 0.009: the counters step by 0.1 / 0.1 mAh")
    res = ce_resolution(0.0032 / 0.0063, 0.0063, 0.0032, 1e-4, 1e-4)
    assert res == pytest.approx(0.00891, abs=1e-5)
    assert format_to_resolution(0.0032 / 0.0063, res) == "0.508"
    assert format_to_resolution(0.0032 / 0.0063, None) == "0.5079"
    assert ct.counter_steps_Ah == pytest.approx((1e-4, 1e-4)) and ct.ce_texts == ["0.508", "—"]
    # the step with its unit (was "the counter steps by 0.0001", Ah or Wh unsaid)
    coarse = {f.quantity: f.message for f in ct.flags if f.code == "coarse_counter"}
    assert coarse["Charging Capacity / Ah"] == "the counter steps by 0.1 mAh"
    assert coarse["Discharging Energy / Wh"] == "the counter steps by 0.1 mWh"
    assert any("Charging Capacity steps by 0.1 mAh," in n for n in ct.notes)
    # a fine counter (jdb11: EC-Lab float counters) raises no such flag, and keeps 4 decimals
    fine = cycle_table(read(data_dir / JDB11))
    assert "ce_resolution" not in _codes(fine)
    assert fine.ce_texts[1] == f"{fine.table['coulombic_efficiency'][1]:.4f}"
