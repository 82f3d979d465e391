"""Thin curves for display only: keep each bin's extremes so the shape survives.

Analysis always runs on the full table; these helpers only decide which points
a plot carries, so a 100 000-row run makes a page of a few hundred kB. The
rule is min/max per bin (the first and last points are always kept), which,
unlike taking every n-th point, never hides a voltage spike or a short circuit.
"""

from __future__ import annotations

import numpy as np

#: Default number of points kept per drawn curve.
MAX_POINTS = 1500


def minmax_indices(y: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Sorted indices into *y* keeping the minimum and maximum of each of ``max_points/2`` bins.

    Parameters
    ----------
    y : ndarray
        The values whose extremes must be kept (NaN are never chosen unless a bin is all NaN).
    max_points : int
        Upper bound on the number of indices returned (plus the two end points).

    Returns
    -------
    ndarray of int
        Indices in increasing order; ``arange(len(y))`` when *y* is already short.
    """
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    n_bins = max(max_points // 2, 1)
    size = -(-n // n_bins)  # ceil
    padded = np.full(n_bins * size, np.nan)
    padded[:n] = y
    rows = padded.reshape(n_bins, size)
    low = np.where(np.isnan(rows), np.inf, rows).argmin(axis=1)
    high = np.where(np.isnan(rows), -np.inf, rows).argmax(axis=1)
    offsets = np.arange(n_bins) * size
    keep = np.concatenate(([0, n - 1], offsets + low, offsets + high))
    return np.unique(np.clip(keep, 0, n - 1))


def thin(
    x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x, y)`` thinned with :func:`minmax_indices` on *y*."""
    keep = minmax_indices(np.asarray(y, dtype=float), max_points)
    return np.asarray(x)[keep], np.asarray(y)[keep]
