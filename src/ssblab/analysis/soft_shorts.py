"""Soft shorts of a Li‖Li cell: sudden voltage drops under constant current that recover.

A soft short is a Li filament that bridges the cell for a moment and burns out:
under constant current the cell voltage falls abruptly (the filament carries part
of the current) and then climbs back as the filament dissolves. The detection rule
(:class:`SoftShortRule`), stated once:

* a **fall** is a run of consecutive records whose ``|V|`` decreases, each step
  at most ``max_step_s`` apart, lasting at most ``max_fall_s`` in all;
* it is a soft short when its depth below the **baseline** (the median ``|V|``
  over the ``baseline_s`` before the fall) is at least ``min_drop_mV`` **and** at
  least ``min_drop_fraction`` of the baseline (a spike relaxing back is no drop),
* the current is constant over the fall (the same set-point within 1 %, not within
  ``settle_s`` of a current step or segment start, where the voltage relaxes), and
* ``|V|`` **recovers** by at least ``recover_fraction`` of the depth within
  ``recover_s`` after the fall (a permanent drop is a hard short, not a soft one).

Everything is NumPy on arrays of time [s], voltage [V] and current [A].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ssblab.errors import ReadError


@dataclass(frozen=True)
class SoftShortRule:
    """Thresholds of :func:`find_soft_shorts` (see the module docstring)."""

    min_drop_mV: float = 20.0
    min_drop_fraction: float = 0.15
    max_fall_s: float = 2.0
    max_step_s: float = 1.0
    recover_s: float = 60.0
    recover_fraction: float = 0.5
    settle_s: float = 60.0
    baseline_s: float = 60.0

    def describe(self) -> str:
        """The rule in one line."""
        return (
            f"|V| falls to >= {self.min_drop_mV:g} mV and >= {100 * self.min_drop_fraction:g} % "
            f"below its median over the previous {self.baseline_s:g} s within "
            f"<= {self.max_fall_s:g} s (steps <= {self.max_step_s:g} s) under constant "
            f"current (>= {self.settle_s:g} s after a current step), and recovers by "
            f">= {100 * self.recover_fraction:g} % of the drop within {self.recover_s:g} s"
        )


@dataclass(frozen=True)
class SoftShorts:
    """Soft shorts found in a trace.

    Attributes
    ----------
    time_h : ndarray
        Start of each fall [h, from the trace's time origin].
    depth_mV : ndarray
        Depth of each fall [mV].
    start_mV : ndarray
        Baseline ``|V|`` before each fall [mV].
    rule : str
        The rule used, in words.
    n_unrecovered : int
        Falls deep enough but without recovery (not counted as soft shorts).
    """

    time_h: np.ndarray
    depth_mV: np.ndarray
    start_mV: np.ndarray
    rule: str
    n_unrecovered: int

    @property
    def count(self) -> int:
        """Number of soft shorts."""
        return int(self.time_h.size)

    def to_dict(self) -> dict[str, object]:
        """JSON keys: count, times, depths, the rule."""
        return {
            "soft_short_count": self.count,
            "soft_short_times_h": self.time_h.tolist(),
            "soft_short_depths_mV": self.depth_mV.tolist(),
            "soft_short_rule": self.rule,
            "falls_without_recovery": self.n_unrecovered,
        }


def _settled(time_s: np.ndarray, current_A: np.ndarray, starts: np.ndarray, settle_s: float):
    """Records under a constant, non-zero current at least *settle_s* after its step."""
    i = np.asarray(current_A, dtype=float)
    step = np.ones(i.size, dtype=bool)
    step[1:] = ~np.isclose(i[1:], i[:-1], rtol=0.01, atol=1e-12)
    starts = np.asarray(starts, dtype=int)
    step[starts[(starts >= 0) & (starts < i.size)]] = True  # EC-Lab lists the end too
    last_step = np.maximum.accumulate(np.where(step, np.arange(i.size), 0))
    since = time_s - time_s[last_step]
    return (np.abs(i) > 0) & (since >= settle_s), last_step


def _baseline(t: np.ndarray, v: np.ndarray, window_s: float) -> np.ndarray:
    """Median of *v* over the *window_s* seconds ending at each record (inclusive)."""
    import polars as pl

    frame = pl.DataFrame({"t": np.round(t * 1e6).astype(np.int64), "v": v})  # µs
    out = frame.select(pl.col("v").rolling_median_by("t", window_size=f"{int(window_s * 1e6)}i"))
    return out.get_column("v").to_numpy()


def find_soft_shorts(
    time_s: np.ndarray,
    voltage_V: np.ndarray,
    current_A: np.ndarray,
    rule: SoftShortRule | None = None,
    segment_starts: np.ndarray | None = None,
) -> SoftShorts:
    """Soft shorts in a constant-current trace (rule: :class:`SoftShortRule`).

    Parameters
    ----------
    time_s, voltage_V, current_A : array_like
        Time [s] (non-decreasing), cell voltage [V] and current [A], one per record.
    segment_starts : array_like of int, optional
        Record indices where a new current segment starts (e.g. after an EIS
        interruption); the voltage relaxes there, so ``settle_s`` applies.
    """
    r = rule or SoftShortRule()
    t = np.asarray(time_s, dtype=float)
    v = np.abs(np.asarray(voltage_V, dtype=float))
    i = np.broadcast_to(np.asarray(current_A, dtype=float), t.shape)
    if t.size < 3:
        return SoftShorts(np.array([]), np.array([]), np.array([]), r.describe(), 0)
    starts = np.array([0] if segment_starts is None else segment_starts, dtype=int)
    ok, segment = _settled(t, i, starts, r.settle_s)
    falling = (np.diff(v) < 0) & (np.diff(t) <= r.max_step_s) & ok[:-1] & ok[1:]
    falling &= segment[1:] == segment[:-1]
    edges = np.diff(np.concatenate(([0], falling.astype(np.int8), [0])))
    a, b = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # record a falls to record b
    base = _baseline(t, v, r.baseline_s)[a]
    depth = base - v[b]
    deep = (
        (depth * 1e3 >= r.min_drop_mV)
        & (depth >= r.min_drop_fraction * base)
        & (t[b] - t[a] <= r.max_fall_s)
    )
    a, b, depth, base = a[deep], b[deep], depth[deep], base[deep]
    horizon = np.searchsorted(t, t[b] + r.recover_s, side="right")
    recovered = np.array(
        [
            hi > lo + 1 and v[lo + 1 : hi].max() >= v[lo] + r.recover_fraction * d
            for lo, hi, d in zip(b, horizon, depth, strict=True)
        ],
        dtype=bool,
    )
    return SoftShorts(
        (t[a[recovered]] - t[0]) / 3600.0 if recovered.size else np.array([]),
        depth[recovered] * 1e3,
        base[recovered] * 1e3,
        r.describe(),
        int((~recovered).sum()),
    )


def read_time_voltage_export(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Time [s] and voltage [V] of an EC-Lab two-column text export (``time/s  Ewe/V``).

    The cycler's own export of a long GCPL when only time and Ewe were selected;
    it carries no current (take it from the settings file).
    """
    p = Path(path)
    try:
        with p.open(encoding="latin-1") as fh:
            header = fh.readline().split()
            if header[:2] != ["time/s", "Ewe/V"]:
                raise ReadError(f"{p}: expected the header 'time/s Ewe/V', found {header[:2]}")
            data = np.loadtxt(fh, dtype=float, ndmin=2)
    except (OSError, ValueError, IndexError) as exc:
        raise ReadError(f"{p}: not a two-column EC-Lab time/Ewe export ({exc})") from exc
    if data.shape[1] < 2 or data.shape[0] == 0:
        raise ReadError(f"{p}: no time/voltage records")
    if np.any(np.diff(data[:, 0]) < 0):
        raise ReadError(f"{p}: time goes backwards")
    return data[:, 0], data[:, 1]


def read_loop_indexes(path: str | Path) -> np.ndarray:
    """Record indices where each loop starts, from an EC-Lab ``*_LOOP.txt`` file."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="latin-1").split("\n")
    except OSError as exc:
        raise ReadError(f"{p}: cannot read ({exc})") from exc
    if not lines or "LOOP INDEXES" not in lines[0]:
        raise ReadError(f"{p}: not an EC-Lab loop-index file (no 'LOOP INDEXES' header)")
    try:
        return np.array([int(x) for x in lines[1:] if x.strip()], dtype=int)
    except ValueError as exc:
        raise ReadError(f"{p}: loop index is not an integer ({exc})") from exc
