"""Neware BTS "regular" CSV export against its own cycle and step rows (the vendor's summary)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import detect, read

NAME = "nw_regular_export_ife_example.csv"
HALF_DIGIT = 5e-6  # the export prints capacities to 5 decimals [Ah]


def _rows(path, kind):
    lines = path.read_text().splitlines()[3:]
    fields = [ln.split(",") for ln in lines]
    if kind == "cycle":
        return [f for f in fields if f[0]]
    if kind == "step":
        return [f for f in fields if not f[0] and f[1]]
    return [f for f in fields if not f[0] and not f[1] and f[2]]


def test_records_cycles_and_steps_match_the_export(data_dir):
    path = data_dir / "neware" / NAME
    assert detect(path) == "neware_regular_csv"
    run = read(path)
    t = run.table
    records = _rows(path, "record")
    assert t.height == len(records) == 9295
    first = records[0]  # ",,1,00:00:00,00:00:00,0.00000,4.3185,..."
    assert t[s.VOLTAGE][0] == pytest.approx(float(first[6]))
    assert t[s.TIME][-1] == pytest.approx(27 * 3600 + 55 * 60 + 43)  # Total Time 27:55:43
    cycles = _rows(path, "cycle")
    ends = t.group_by(s.CYCLE, maintain_order=True).agg(
        pl.col(s.CHARGE_CAPACITY).last(), pl.col(s.DISCHARGE_CAPACITY).last()
    )
    assert ends[s.CYCLE].to_list() == [int(c[0]) for c in cycles]
    charge = np.diff(np.r_[0.0, ends[s.CHARGE_CAPACITY].to_numpy()])
    discharge = np.diff(np.r_[0.0, ends[s.DISCHARGE_CAPACITY].to_numpy()])
    np.testing.assert_allclose(charge, [float(c[1]) for c in cycles], atol=HALF_DIGIT)
    np.testing.assert_allclose(discharge, [float(c[2]) for c in cycles], atol=HALF_DIGIT)
    # 80 step rows plus the first step carried on the first cycle row
    assert t[s.STEP_COUNT].max() == len(_rows(path, "step")) + 1 == 81
    assert t[s.TEMPERATURE][0] == pytest.approx(26.61)


def test_unknown_unit_is_refused(data_dir, tmp_path):
    text = (data_dir / "neware" / NAME).read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("Current(A)", "Current(kA)", 1))
    with pytest.raises(ReadError, match="unknown unit"):
        read(bad)
