"""Display thinning keeps every extreme and bounds the number of points."""

from __future__ import annotations

import numpy as np

from ssblab.report.decimate import minmax_indices, thin


def test_short_series_is_kept_whole():
    assert minmax_indices(np.arange(10.0), 100).tolist() == list(range(10))


def test_spike_survives_thinning():
    y = np.zeros(100_000)
    y[54_321] = 5.0  # a one-sample short-circuit spike
    y[77_777] = -3.0
    x = np.arange(y.size, dtype=float)
    tx, ty = thin(x, y, 1000)
    assert len(tx) <= 1002
    assert ty.max() == 5.0 and tx[ty.argmax()] == 54_321
    assert ty.min() == -3.0 and tx[ty.argmin()] == 77_777
    assert tx[0] == 0 and tx[-1] == y.size - 1
    assert np.all(np.diff(tx) > 0)


def test_nan_is_not_chosen_over_numbers():
    y = np.array([np.nan, 1.0, 2.0, np.nan] * 1000)
    keep = minmax_indices(y, 100)
    assert np.isfinite(y[keep][1:-1]).all()
