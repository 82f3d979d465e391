"""Is a linear sweep a voltammetry? The current's answer, from the data alone.

A sweep at one dV/dt is not enough: a galvanostatic step on a capacitor, or on a
cell's sloping plateau, rises linearly too. Within a sweep segment a CV's current
(the response to the swept potential: capacitive charging, leakage, faradaic onset)
varies beyond its noise and by more than 1 % of itself, while a galvanostatic step's
current is constant to within its noise (or drifts by far less than 1 %). A pure
capacitor's CV (C dV/dt, flat once its RC transient has passed) is the same data as
its galvanostatic charge and is not called a CV from the data alone. Used by
:func:`ssblab.analysis.recognize_data.data_kinds` for both of its sweep rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s

#: A record sweeps at the run's one rate when its |dV/dt| is within this fraction of the
#: median |dV/dt| (:func:`sweep_of`; the one tolerance of both sweep rules).
SWEEP_TOLERANCE = 0.3
#: A run whose current is not held (see :data:`HELD_FRACTION`) is a voltammetry
#: when this fraction of its records sweep at its one rate (:func:`sweep_of`) and its
#: current responds to the sweep (:func:`current_response`): a CV whose (capacitive)
#: current is nearly as flat as a constant current's.
STEADY_FRACTION = 0.8
#: A current equal from record to record (to 1e-9 of its largest value) in more than
#: this fraction of the records is held by the instrument: galvanostatic, not a sweep
#: (a simulated plateau at constant current rises linearly too).
HELD_FRACTION = 0.8
#: A piece of a sweep segment has a varying current (a CV's response to the swept
#: potential: capacitive charging, leakage, faradaic onset) when its 5-95 % spread
#: exceeds MIN_RELATIVE_SPREAD of its current (95th percentile of |I|) and either
#: NOISE_MULTIPLE noise standard deviations (white noise alone spreads 3.3) or, by its
#: lag-1 autocorrelation, AUTOCORRELATION_Z standard errors (1/sqrt(n): a weak peak
#: buried in noise still makes neighbouring records alike, white noise does not).
#: The relative floor: a galvanostat's current drifts far beyond its record-to-record
#: noise, yet only by ~1e-5 to 1e-4 of itself (median 4e-5 over the 359 constant-current
#: steps of 60+ records, current not held, in the real files of /work/shared/data).
NOISE_MULTIPLE = 10.0
MIN_RELATIVE_SPREAD = 0.01
AUTOCORRELATION_Z = 5.0
#: Fewest records of a sweep segment (or of a piece between current jumps) judged.
MIN_SEGMENT_RECORDS = 20
#: Share of the judged sweep records whose current must vary for the run to be a CV.
RESPONSE_FRACTION = 0.5


def _noise_sigma(current: np.ndarray) -> float:
    """Record-to-record noise of *current* [A]: the robust (MAD) standard deviation of
    its second differences over sqrt(6), which a smooth trend hardly enters; at least
    half its finest non-zero step (the instrument's resolution)."""
    d2 = np.diff(current, 2)
    sigma = 1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / np.sqrt(6.0)
    steps = np.abs(np.diff(current))
    steps = steps[steps > 0]
    return max(sigma, 0.5 * float(steps.min()) if steps.size else 0.0)


def _pieces(current: np.ndarray) -> list[np.ndarray]:
    """*current* cut at single-record jumps beyond both its noise (:data:`NOISE_MULTIPLE`
    sigma) and half its 5-95 % spread: the steps of a galvanostatic schedule (a CV's
    vertex transient falls out too). Pieces shorter than :data:`MIN_SEGMENT_RECORDS`
    are dropped."""
    lo, hi = np.percentile(current, [5.0, 95.0])
    jump = max(0.5 * (hi - lo), NOISE_MULTIPLE * _noise_sigma(current))
    cuts = np.flatnonzero(np.abs(np.diff(current)) > jump) + 1
    return [p for p in np.split(current, cuts) if p.size >= MIN_SEGMENT_RECORDS]


def _varies(piece: np.ndarray) -> bool:
    """Whether the current *piece* varies beyond its noise (see :data:`NOISE_MULTIPLE`,
    :data:`AUTOCORRELATION_Z`) and by more than :data:`MIN_RELATIVE_SPREAD` of itself."""
    lo, hi = np.percentile(piece, [5.0, 95.0])
    if hi - lo <= MIN_RELATIVE_SPREAD * float(np.percentile(np.abs(piece), 95.0)):
        return False
    if hi - lo > NOISE_MULTIPLE * _noise_sigma(piece):
        return True
    x = piece - piece.mean()
    lag1 = float(np.dot(x[1:], x[:-1]) / max(float(np.dot(x, x)), 1e-300))
    return lag1 * np.sqrt(piece.size) > AUTOCORRELATION_Z


def current_response(table: pl.DataFrame, steady: np.ndarray) -> float:
    """Share of the judged sweep records whose current varies beyond its noise.

    *steady* marks, per record after the first, the records sweeping at the run's
    one rate. Sweep segments are runs of steady records of one sweep direction,
    cut at current jumps (:func:`_pieces`); each piece of at least
    :data:`MIN_SEGMENT_RECORDS` is judged by :func:`_varies`. NaN when no piece is
    long enough to judge.
    """
    v = table.get_column(s.VOLTAGE).to_numpy()
    i = table.get_column(s.CURRENT).to_numpy()
    direction = np.where(steady, np.sign(np.diff(v)), 0.0)
    edges = np.flatnonzero(np.diff(direction) != 0) + 1
    judged = varied = 0
    for a, b in zip(np.r_[0, edges], np.r_[edges, direction.size], strict=True):
        if direction[a] == 0 or b - a < MIN_SEGMENT_RECORDS:
            continue
        current = i[a + 1 : b + 1]  # the record that ends each steady step
        current = current[np.isfinite(current)]
        if current.size < MIN_SEGMENT_RECORDS:
            continue
        for piece in _pieces(current):
            judged += piece.size
            varied += piece.size if _varies(piece) else 0
    return varied / judged if judged else float("nan")


_RATE = (pl.col(s.VOLTAGE).diff() / pl.col(s.TIME).diff()).abs()


@dataclass(frozen=True)
class Sweep:
    """The run's one sweep rate, computed once: the median |dV/dt| of the records with a
    finite, non-zero rate [V/s], the share of the records with a finite rate that sweep
    within :data:`SWEEP_TOLERANCE` of it [-], and per record after the first whether it
    does (``marks``)."""

    share: float
    median_V_s: float
    marks: np.ndarray


def sweep_of(table: pl.DataFrame) -> Sweep:
    """:class:`Sweep` of *table* (share 0 and median 0 when fewer than 20 records have a
    finite rate, or fewer than 20 move)."""
    rates = table.select(_RATE.alias("r")).get_column("r")
    finite = rates.drop_nulls().filter(rates.drop_nulls().is_finite())
    moving = finite.filter(finite > 0)
    none = Sweep(0.0, 0.0, np.zeros(max(table.height - 1, 0), dtype=bool))
    if finite.len() < 20 or moving.len() < 20:
        return none
    median = float(moving.median() or 0.0)
    near = ((rates - median).abs() < SWEEP_TOLERANCE * median).fill_null(False)
    marks = near.to_numpy()[1:]
    return Sweep(float(marks.sum()) / finite.len(), median, marks)


def sweep_response(table: pl.DataFrame, sweep: Sweep | None = None) -> float:
    """:func:`current_response` of the records sweeping at the run's one rate
    (:func:`sweep_of`, given or computed; NaN when there is no sweep or no segment long
    enough to judge)."""
    sweep = sweep_of(table) if sweep is None else sweep
    if sweep.median_V_s <= 0 or s.CURRENT not in table.columns:
        return float("nan")
    return current_response(table, sweep.marks)


def steady_sweep(table: pl.DataFrame, sweep: Sweep | None = None) -> tuple[bool, float, float]:
    """Whether *table* sweeps at one |dV/dt| with a current that responds to the sweep.

    Returns the verdict, the share of records sweeping at the run's one rate
    (:func:`sweep_of`, given or computed; 0 when the current is held) and the share of the
    judged sweep records whose current varies beyond its noise (:func:`current_response`;
    0 when not reached, NaN when no segment is long enough to judge). A steady sweep
    (share above :data:`STEADY_FRACTION`) whose current is constant to within its noise in
    each segment is galvanostatic (a capacitor, or a cell on a sloping plateau), not a CV.
    """
    if table.height and s.CURRENT in table.columns:
        current = table.get_column(s.CURRENT)
        scale = float(current.abs().max() or 0.0)
        held = (current.diff().abs() <= 1e-9 * scale).sum() / max(table.height - 1, 1)
        if scale > 0 and held > HELD_FRACTION:
            return False, 0.0, 0.0
    sweep = sweep_of(table) if sweep is None else sweep
    if sweep.share <= STEADY_FRACTION or s.CURRENT not in table.columns:
        return False, sweep.share, 0.0
    response = current_response(table, sweep.marks)
    return bool(response > RESPONSE_FRACTION), sweep.share, response
