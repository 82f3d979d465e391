"""Counters that restart per segment (half cycle, cycle), on NumPy arrays.

EC-Lab's charge and energy counters restart at every half cycle or cycle; the
canonical counters add, segment by segment, the running peak of each
(:mod:`ssblab.io.biologic.table` states the rule). These helpers compute that
on float64 arrays in place, several counters (rows of one array) at a time,
with few NumPy calls: the fixed cost per call dominates short files.
"""

from __future__ import annotations

import math

import numpy as np

#: Offsets are added segment by segment (one NumPy call each) when the segments
#: average more than this many records, else in one vectorised pass (two passes
#: over the records and a temporary array).
_ROWS_PER_CALL = 512

#: Bounds of the runs of equal values of a segment key: (starts, ends), ends exclusive.
Bounds = tuple[np.ndarray, np.ndarray]


def finite(values: np.ndarray) -> np.ndarray:
    """*values* itself when every element is finite, else ``np.nan_to_num`` of it (a copy)."""
    return values if math.isfinite(values.sum()) else np.nan_to_num(values)


def segment_bounds(segment: np.ndarray) -> Bounds:
    """Start and end (exclusive) index of each run of equal values of *segment*."""
    change = np.flatnonzero(segment[1:] != segment[:-1])
    change += 1
    starts = np.zeros(change.size + 1, dtype=change.dtype)
    starts[1:] = change
    ends = np.full(change.size + 1, segment.size, dtype=change.dtype)
    ends[:-1] = change
    return starts, ends


def _add_per_segment(values: np.ndarray, offsets: np.ndarray, bounds: Bounds) -> None:
    """``values[a:b] += offsets[k]`` for every segment *k*, in place."""
    starts, ends = bounds
    if starts.size * _ROWS_PER_CALL > values.size:
        values += np.repeat(offsets, ends - starts)
        return
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        values[a:b] += offsets[k]


def _row_bounds(bounds: Bounds | list[Bounds], rows: int, n: int) -> Bounds:
    """Segments of each row of a C-ordered (rows, n) array as flat indices.

    *bounds* is shared by all rows, or a list with one entry per row.
    """
    per_row = bounds if isinstance(bounds, list) else [bounds] * rows
    shift = np.repeat(np.arange(0, rows * n, n), [b[0].size for b in per_row])
    starts = np.concatenate([b[0] for b in per_row])
    ends = np.concatenate([b[1] for b in per_row])
    starts += shift
    ends += shift
    return starts, ends


def peak_totals(rows: np.ndarray, bounds: Bounds | list[Bounds]) -> np.ndarray:
    """:func:`segmented_peak_total` of every row of *rows*, computed in place.

    *rows* is a C-ordered float64 array (counters x records) that the caller
    owns; *bounds* are the rows' shared segments, or a list with each row's.
    Working on all rows at once saves NumPy calls (their fixed cost dominates
    short files).
    """
    if not math.isfinite(rows.sum()):
        np.nan_to_num(rows, copy=False)
    np.maximum(rows, 0.0, out=rows)  # clip(min=0), without its Python wrapper
    n_rows, n = rows.shape
    if n == 0:
        return rows
    flat, flat_bounds = rows.reshape(-1), _row_bounds(bounds, n_rows, n)
    _running_peak(flat, flat_bounds)
    per_row = bounds if isinstance(bounds, list) else [bounds] * n_rows
    base = np.zeros(flat_bounds[0].size)  # the sum of earlier segments' final peaks
    at = 0
    for row, (_, ends) in zip(rows, per_row, strict=True):
        np.cumsum(row[ends[:-1] - 1], out=base[at + 1 : at + ends.size])
        at += ends.size
    _add_per_segment(flat, base, flat_bounds)
    return rows


def segmented_peak_total(
    value: np.ndarray, segment: np.ndarray, bounds: Bounds | None = None
) -> np.ndarray:
    """Running peak of *value* (>= 0) within contiguous segments, plus earlier segments' peaks.

    *bounds* are ``segment_bounds(segment)`` when the caller has them already.
    """
    row = np.array(value, dtype=np.float64, ndmin=2)  # a copy
    return peak_totals(row, segment_bounds(segment) if bounds is None else bounds)[0]


def _running_peak(values: np.ndarray, bounds: Bounds) -> None:
    """``np.maximum.accumulate`` of *values* within every segment, in place (finite floats).

    The accumulation is sequential (a few ns per element) while the counters it
    is applied to rarely fall, so it runs only from the first record of a
    segment that would change: before it the running peak is the value itself
    (every record above the previous one, or bit-identical to it), and from the
    record just before it the accumulation gives the same bits as over the whole
    segment.
    """
    starts, ends = bounds
    later, earlier = values[1:], values[:-1]
    changes = later <= earlier  # not above the previous record (no NaN here) ...
    changes &= later.view(np.uint64) != earlier.view(np.uint64)  # ... nor the same bits
    changes[starts[1:] - 1] = False  # a segment's first record starts its own peak
    falls = np.flatnonzero(changes) + 1
    if falls.size == 0:
        return
    segment = np.searchsorted(starts, falls, side="right") - 1
    first = np.ones(segment.size, dtype=bool)
    np.not_equal(segment[1:], segment[:-1], out=first[1:])
    for at, k in zip(falls[first].tolist(), segment[first].tolist(), strict=True):
        part = values[at - 1 : ends[k]]
        np.maximum.accumulate(part, out=part)


def segment_cumsums(rows: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Cumulative sums along every row of *rows*, restarting at each segment, in place."""
    np.cumsum(rows, axis=1, out=rows)
    n_rows, n = rows.shape
    if n == 0:
        return rows
    starts = bounds[0]
    # minus the sum before each segment starts (-0.0 for the first: x + -0.0 is x, even -0.0)
    before = np.full((n_rows, starts.size), -0.0)
    np.negative(rows[:, starts[1:] - 1], out=before[:, 1:])
    _add_per_segment(rows.reshape(-1), before.reshape(-1), _row_bounds(bounds, n_rows, n))
    return rows
