"""The jr862 Li||Li time/potential export: capacity is the charge passed, not the clock span.

The run's settings loop GEIS (0 mA DC) + GCPL (0.400 mA for 1 h) 44 times; the GCPL
export (`_03_GCPL_C05.txt`, time/s and Ewe/V only) carries no capacity column and no .mpr
of it exists, so EC-Lab's own counters are checked where the run has them: the GEIS .mpr
(its (Q-Qo) over each spectrum) and the .mpr of technique 1 (0.400 mA for 600 s).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from ssblab import schema as s
from ssblab.io import read
from ssblab.io.biologic.mpr import parse_mpr
from ssblab.io.biologic.mpt import loop_starts, parse_mpt

STEM = "jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA"


@pytest.fixture(scope="module")
def export(data_dir):
    return data_dir / f"symmetric/{STEM}_03_GCPL_C05.txt"


def test_capacity_counts_only_the_time_at_the_set_current(export):
    run = read(export)
    t = run.table
    time_s = t[s.TIME].to_numpy()
    starts = loop_starts(export, t.height)
    assert len(starts) == 44 and starts[:2] == [709, 1104]
    gaps_s = float(sum(time_s[i] - time_s[i - 1] for i in starts))
    assert gaps_s == pytest.approx(337.96, abs=0.01)
    on_s = time_s[-1] - time_s[0] - gaps_s
    assert on_s == pytest.approx(161997.82, abs=0.01)
    # 0.400 mA x 161 997.8 s = 17.9998 mAh; across the gaps it would be 18.0373 mAh
    q_mah = t[s.CHARGE_CAPACITY][-1] * 1e3
    assert q_mah == pytest.approx(0.4 * on_s / 3600.0, rel=1e-12)
    assert q_mah == pytest.approx(17.9998, abs=1e-4)
    assert t[s.DISCHARGE_CAPACITY].abs().max() == 0.0
    # the capacity stands still over each gap and grows at 0.4 mA within each loop
    q = t[s.CHARGE_CAPACITY].to_numpy()
    assert np.all(q[starts] == q[np.array(starts) - 1])
    assert t[s.CURRENT].unique().to_list() == [pytest.approx(4e-4)]
    assert run.meta.extra["technique_code"] == "GCPL"
    note = next(n for n in run.meta.notes if n.startswith("capacity is the set current"))
    assert "161997.8 s at it: 17.9998 mAh, not 18.0373 mAh over the whole 162335.8 s" in note
    assert any("set current of technique 3 (GCPL)" in n for n in run.meta.notes)
    assert any("(338.0 s in all)" in n for n in run.meta.notes)


def test_the_gaps_hold_the_geis_spectra_which_pass_no_charge(data_dir, export):
    """EC-Lab's own GEIS .mpr: spectra 2-45 lie inside the 44 gaps, and its (Q-Qo)
    moves by < 5e-6 mA·h over each (0 mA DC, 100 µA sine), so the gaps add no charge."""
    geis = parse_mpr(data_dir / f"symmetric/{STEM}_02_GEIS_C05.mpr").frame
    geis_t = np.asarray(geis["time/s"]).reshape(45, 9)
    geis_q = np.asarray(geis["(Q-Qo)/mA.h"]).reshape(45, 9)
    assert np.abs(geis_q[:, -1] - geis_q[:, 0]).max() < 5e-6
    time_s = parse_mpt(export).frame["time/s"].to_numpy()
    starts = loop_starts(export, time_s.size)
    for k, row in enumerate(starts):
        assert time_s[row - 1] < geis_t[k + 1, 0] and geis_t[k + 1, -1] < time_s[row]
    assert geis_t[0, -1] < time_s[0]  # the first spectrum comes before the first GCPL run


def test_vendor_capacity_of_the_set_current_in_this_run(data_dir):
    """Technique 1's .mpr: EC-Lab's (Q-Qo) after 600 s at a set 0.400 mA is 0.066621 mA·h,
    0.07 % under set current x time (0.066667): the size of the set-current assumption.
    ssblab's capacity of that .mpr is EC-Lab's Q charge/discharge."""
    mpr = data_dir / f"symmetric/{STEM}_01_GCPL_C05.mpr"
    vendor = parse_mpr(mpr).frame
    q_vendor = float(np.asarray(vendor["Q charge/discharge/mA.h"])[-1])
    assert q_vendor == pytest.approx(0.066621, abs=1e-6)
    assert float(np.asarray(vendor["(Q-Qo)/mA.h"])[-1]) == pytest.approx(q_vendor, rel=1e-12)
    assert q_vendor / (0.4 * 600.0 / 3600.0) - 1.0 == pytest.approx(-6.9e-4, abs=0.2e-4)
    ours = read(mpr).table[s.CHARGE_CAPACITY][-1] * 1e3
    assert ours == pytest.approx(q_vendor, rel=1e-9)


def test_without_the_loop_file_the_export_reads_as_before(data_dir, export, tmp_path):
    """No _LOOP.txt: nothing tells the gaps apart, so no capacity is made here (the analysis
    integrates the set current over the whole span, as its note says)."""
    shutil.copy(export, tmp_path)
    shutil.copy(data_dir / f"symmetric/{STEM}.mps", tmp_path)
    run = read(tmp_path / export.name)
    assert run.table.columns == [s.TIME, s.VOLTAGE, s.CURRENT]
    assert not any(n.startswith("capacity is the set current") for n in run.meta.notes)


def test_energy_passes_only_where_the_charge_does(export):
    """The export has no energy column: it is sum(V_mid dQ) over the capacity counter's rises,
    1.65414 mWh, not the 1.65627 mWh of I V dt across the 44 loop gaps (-0.13 %)."""
    from ssblab.analysis.cycles import cycle_table

    run = read(export)
    t = run.table
    time_s, v, i = (t[c].to_numpy() for c in (s.TIME, s.VOLTAGE, s.CURRENT))
    across = float(np.trapezoid(i * v, time_s)) / 3600.0
    q = t[s.CHARGE_CAPACITY].to_numpy()
    by_charge = float(np.sum((v[1:] + v[:-1]) / 2.0 * np.diff(q)))
    row = cycle_table(run).table.row(0, named=True)
    assert row["charge_energy_Wh"] == pytest.approx(by_charge, rel=1e-12)
    assert 1e3 * row["charge_energy_Wh"] == pytest.approx(1.65414, abs=1e-5)
    assert 1e3 * across == pytest.approx(1.65627, abs=1e-5)


def test_no_negative_zero_capacity(export):
    """The run never discharges: its discharge counter is 0.0, not -0.0 (printed
    "-0.00000" before)."""
    from ssblab.analysis.cycles import cycle_table

    d = read(export).table[s.DISCHARGE_CAPACITY].to_numpy()
    assert not np.signbit(d).any()
    q = cycle_table(read(export)).table["discharge_capacity_Ah"].to_numpy()
    assert q.tolist() == [0.0] and not np.signbit(q).any()
