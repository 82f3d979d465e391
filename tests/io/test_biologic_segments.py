"""The EC-Lab counter helpers equal their plain definitions bit for bit.

``peak_totals`` runs ``np.maximum.accumulate`` only from the first record of a
segment that would change, and several counters at once; ``segment_cumsums``
restarts a cumulative sum per segment in place. Both are checked against the
obvious per-segment loops on random counters with signed zeros, NaN and
infinities (the sign of a zero decides which of two equal values a running
maximum keeps, so bits are compared, not values).
"""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.io.biologic.segments import (
    peak_totals,
    segment_bounds,
    segment_cumsums,
    segmented_peak_total,
)


def _reference_peak_total(value: np.ndarray, segment: np.ndarray) -> np.ndarray:
    v = np.nan_to_num(np.asarray(value, dtype=np.float64)).clip(min=0.0)
    out, base, total, a = np.empty_like(v), 0.0, None, 0
    for b in [*(np.flatnonzero(segment[1:] != segment[:-1]) + 1).tolist(), v.size]:
        peak = np.maximum.accumulate(v[a:b])
        out[a:b] = peak + base
        # the earlier segments' final peaks summed left to right, as np.cumsum does
        total = peak[-1] if total is None else total + peak[-1]
        base, a = total, b
    return out


def _reference_cumsum(value: np.ndarray, segment: np.ndarray) -> np.ndarray:
    total = np.cumsum(value)
    out, a = np.empty_like(total), 0
    for b in [*(np.flatnonzero(segment[1:] != segment[:-1]) + 1).tolist(), value.size]:
        out[a:b] = total[a:b] - (total[a - 1] if a else 0.0)
        a = b
    return out


def _counter(rng: np.random.Generator, n: int, trial: int) -> np.ndarray:
    v = rng.normal(size=n).round(int(rng.integers(0, 3)))
    pick = rng.random(n)
    v[pick < 0.15] = 0.0
    v[(pick > 0.15) & (pick < 0.3)] = -0.0
    if trial % 2:
        v = np.cumsum(np.abs(v))  # a rising counter (the usual case): few or no falls
    if trial % 5 == 0:
        v[rng.integers(0, n)] = [np.nan, np.inf, -np.inf][trial % 3]
    return v


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.uint64)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_peak_totals_match_the_plain_loop_bit_for_bit():
    rng = np.random.default_rng(2026)
    for trial in range(400):
        n = int(rng.integers(1, 300))
        segment = np.sort(rng.integers(0, int(rng.integers(1, 40)), size=n)).astype(float)
        v = _counter(rng, n, trial)
        expected = _reference_peak_total(v, segment)
        assert np.array_equal(_bits(segmented_peak_total(v, segment)), _bits(expected))
        pair = peak_totals(np.vstack([v, -v]), segment_bounds(segment))
        assert np.array_equal(_bits(pair[0]), _bits(expected))
        assert np.array_equal(_bits(pair[1]), _bits(_reference_peak_total(-v, segment)))


def test_rows_with_their_own_segments():
    rng = np.random.default_rng(7)
    n = 200
    half = np.sort(rng.integers(0, 12, size=n))
    cycle = half // 2
    v = _counter(rng, n, 0)
    rows = peak_totals(np.vstack([v, v]), [segment_bounds(half), segment_bounds(cycle)])
    assert np.array_equal(_bits(rows[0]), _bits(_reference_peak_total(v, half)))
    assert np.array_equal(_bits(rows[1]), _bits(_reference_peak_total(v, cycle)))


def test_segment_cumsums_match_the_plain_loop_bit_for_bit():
    rng = np.random.default_rng(11)
    for trial in range(300):
        n = int(rng.integers(1, 300))
        segment = np.sort(rng.integers(0, int(rng.integers(1, 40)), size=n))
        v = np.nan_to_num(_counter(rng, n, 2 * trial))  # finite increments, signed zeros kept
        got = segment_cumsums(np.vstack([v]), segment_bounds(segment))[0]
        assert np.array_equal(_bits(got), _bits(_reference_cumsum(v, segment)))
