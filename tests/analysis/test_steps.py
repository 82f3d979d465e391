"""Segments and half-cycles from the current sign, on small tables checked by hand."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.errors import AnalysisError, SchemaError


def table(current: list[float], dt: float = 1.0) -> pl.DataFrame:
    n = len(current)
    return pl.DataFrame(
        {
            s.TIME: [k * dt for k in range(n)],
            s.VOLTAGE: [3.0 + 0.01 * k for k in range(n)],
            s.CURRENT: current,
        }
    )


CURRENT = [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, -1.0, -1.0, 0.0, 0.0, 0.5, 0.5]


def test_label_states_segments_half_cycles():
    out = steps.label(table(CURRENT))
    assert out.get_column("state").to_list() == [0, 0, 1, 1, 1, 0, -1, -1, 0, 0, 1, 1]
    assert out.get_column("segment").to_list() == [0, 0, 1, 1, 1, 2, 3, 3, 4, 4, 5, 5]
    # the leading rest is half-cycle 0; a rest joins the half-cycle it follows
    assert out.get_column("half_cycle").to_list() == [0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3]


def test_half_cycle_numbering_without_leading_rest():
    out = steps.label(table([-1.0, -1.0, 0.0, 1.0]))
    assert out.get_column("half_cycle").to_list() == [1, 1, 1, 2]


def test_segments_charge_and_duration():
    seg = steps.segments(table(CURRENT, dt=3600.0))
    assert seg.get_column("state").to_list() == [0, 1, 0, -1, 0, 1]
    assert seg.get_column("duration_s").to_list() == [3600.0, 7200.0, 0.0, 3600.0, 3600.0, 3600.0]
    # trapezoidal charge, counted from the record before the segment: 0.5 + 1 + 1 Ah
    assert seg.get_column("capacity_Ah").to_list()[:2] == pytest.approx([0.0, 2.5])
    assert seg.get_column("mean_current_A").to_list()[1:4] == [1.0, 0.0, -1.0]


def test_half_cycles_total_equals_throughput():
    halves = steps.half_cycles(table(CURRENT, dt=3600.0))
    assert halves.get_column("half_cycle").to_list() == [1, 2, 3]
    assert halves.get_column("state").to_list() == [1, -1, 1]
    # |I| integrated over the whole run: 3 + 2 + 0.75 (+ ramps) = sum of the three halves
    total = sum(abs(a + b) / 2 for a, b in itertools.pairwise(CURRENT))
    assert halves.get_column("capacity_Ah").sum() == pytest.approx(total)


def test_rest_threshold_and_refusals():
    assert steps.rest_threshold(table(CURRENT)) == pytest.approx(0.01)
    noisy = table([0.0, 0.004, -0.003, 1.0, 1.0])
    assert steps.label(noisy).get_column("state").to_list() == [0, 0, 0, 1, 1]
    assert steps.label(noisy, rest_current_A=0.001).get_column("state").to_list()[:3] == [0, 1, -1]
    with pytest.raises(AnalysisError, match="rest_current_A"):
        steps.label(noisy, rest_current_A=-1.0)
    with pytest.raises(AnalysisError, match="current is zero"):
        steps.half_cycles(table([0.0, 0.0, 0.0]))
    with pytest.raises(AnalysisError, match="NaN"):
        steps.label(table([0.0, float("nan"), 1.0]))
    with pytest.raises(SchemaError):
        steps.label(pl.DataFrame({s.TIME: [0.0]}))


def test_energy_beside_a_coarse_counter_integrates_the_records(data_dir):
    """The LANDT BDF export has 0.1 mAh capacity counters and no energy: its energy stays
    I V dt of the records (cycle 1: 0.5692 mWh), not V dQ over the counter's steps (0.5560)."""
    import numpy as np

    from ssblab.analysis.cycles import cycle_table
    from ssblab.io import read

    run = read(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv")
    assert "Charging Energy / Wh" not in run.table.columns
    row = cycle_table(run).table.row(0, named=True)
    assert 1e3 * row["charge_energy_Wh"] == pytest.approx(0.569232, abs=1e-6)
    t = steps.integrated_counters(run.table)
    i, v, time_s = (
        run.table[c].to_numpy() for c in ("Current / A", "Voltage / V", "Test Time / s")
    )
    p = i * v
    dt = np.diff(time_s) / 3600.0
    e = np.sum(np.clip((p[1:] + p[:-1]) / 2.0, 0.0, None) * dt)
    assert t["Charging Energy / Wh"][-1] == pytest.approx(e, rel=1e-9)
