"""The NumPy route of the Neware raw -> canonical step gives the bits of the Polars
expressions it replaces (step count, test time, the four cumulative counters), on random
raw frames with signed zeros, NaN and one-record steps; frames with nulls keep the
expressions."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.io.neware import common

NAMES = (s.TIME, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)


def _raw(rng: np.random.Generator, n: int, total_time: bool) -> pl.DataFrame:
    step = np.cumsum(rng.random(n) < 0.05).astype(np.uint8)  # steps of ~20 records, some of 1
    step[rng.random(n) < 0.02] += 1
    columns = {
        "index": np.arange(1, n + 1, dtype=np.uint32),
        "vendor_cycle": (step // 4).astype(np.int64) + 1,
        "step_index": step,
        "step_time_s": rng.random(n) * 10,
        **{c: rng.random(n) * 1e-3 for c in common.COUNTERS},
    }
    columns["chg_Ah"][::7] = -0.0
    columns["dchg_Wh"][5::11] = np.nan
    if total_time:
        columns["total_time_s"] = np.cumsum(rng.random(n))
    return pl.DataFrame(columns)


def _by_expressions(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        common._test_time(raw).alias(s.TIME),
        *[
            common._cumulative(c).alias(name)
            for c, name in zip(common.COUNTERS, NAMES[1:], strict=True)
        ],
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("total_time", [False, True])
def test_numpy_route_equals_the_expressions(seed, total_time):
    rng = np.random.default_rng(seed)
    raw = _raw(rng, int(rng.integers(1, 3000)), total_time)
    marker = ["step_index", "vendor_cycle"]
    fast = common._step_count(raw, marker)
    assert isinstance(fast, pl.Series)  # integer columns without nulls: the NumPy route
    slow = raw.select(common.count_changes(*marker).alias("step_count"))["step_count"]
    assert fast.dtype == slow.dtype == pl.Int64
    assert fast.to_list() == slow.to_list()
    raw = raw.with_columns(fast.alias("step_count"))
    columns = common._time_and_counters(raw)
    assert all(isinstance(c, pl.Series) for c in columns)
    expected = _by_expressions(raw)
    for column in columns:
        want = expected[column.name]
        assert column.dtype == want.dtype
        assert column.to_numpy().tobytes() == want.to_numpy().tobytes(), column.name


def test_nulls_keep_the_expressions():
    raw = _raw(np.random.default_rng(9), 50, False)
    raw = raw.with_columns(
        pl.when(pl.int_range(50) == 3).then(None).otherwise(pl.col("chg_Ah")).alias("chg_Ah")
    )
    assert isinstance(common._step_count(raw, ["step_index"]), pl.Series)
    raw = raw.with_columns(common._step_count(raw, ["step_index"]).alias("step_count"))
    columns = common._time_and_counters(raw)
    assert all(isinstance(c, pl.Expr) for c in columns)
    nulled = raw.with_columns(pl.lit(None, pl.UInt8).alias("step_index"))
    assert isinstance(common._step_count(nulled, ["step_index"]), pl.Expr)
