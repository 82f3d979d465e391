"""The canonical table schema: validation, conforming, metadata round trip."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.errors import SchemaError


def _table(**extra):
    return pl.DataFrame(
        {s.TIME: [0.0, 1.0], s.VOLTAGE: [3.0, 3.1], s.CURRENT: [0.001, 0.001], **extra}
    )


def test_validate_accepts_minimal_table():
    assert s.validate(_table()).height == 2


def test_validate_lists_every_problem():
    bad = pl.DataFrame({s.TIME: [0, 1], s.CURRENT: [0.0, 0.0]})  # int time, no voltage
    with pytest.raises(SchemaError) as info:
        s.validate(bad)
    msg = str(info.value)
    assert "missing column 'Voltage / V'" in msg
    assert "'Test Time / s' is Int64, expected Float64" in msg


def test_conform_casts_and_orders():
    raw = pl.DataFrame(
        {
            "note": ["a", "b"],
            s.CYCLE: [1.0, 2.0],
            s.CURRENT: [0, 1],
            s.VOLTAGE: [3, 3],
            s.TIME: [0, 1],
        }
    )
    out = s.conform(raw)
    assert out.columns == [s.TIME, s.VOLTAGE, s.CURRENT, s.CYCLE, "note"]
    assert out.schema[s.CYCLE] == pl.Int64 and out.schema[s.TIME] == pl.Float64
    s.validate(out)


def test_bdf_names_are_unique_and_match_labels():
    machines = [m for _, m in s.COLUMNS.values() if m]
    assert len(machines) == len(set(machines))
    assert s.BDF_MACHINE_TO_LABEL["test_time_second"] == s.TIME
    assert s.BDF_MACHINE_TO_LABEL["charging_capacity_ah"] == s.CHARGE_CAPACITY


def test_meta_json_round_trip():
    meta = s.RunMeta(
        source="x.nda", active_mass_g=0.0235, notes=("a", "b"), extra={"k": "v"}, rows_skipped=3
    )
    again = s.RunMeta.from_json(meta.to_json())
    assert again == meta
    with pytest.raises(SchemaError):
        s.RunMeta.from_json("[1, 2]")


def test_run_validates_on_creation():
    with pytest.raises(SchemaError):
        s.Run(pl.DataFrame({"a": [1]}))
    run = s.Run(_table())
    assert run.n_rows == 2 and run.meta.kind == "measured"
