"""Differential capacity dQ/dV and differential voltage dV/dQ, with peak finding and tracking.

Method (histogram, then smoothing):

1. The run is split into half-cycles by current sign
   (:func:`ssblab.analysis.steps.label`); rests carry no charge and are left out.
2. Each record's charge increment ΔQ (rise of the cumulative counters, so a
   decimated current does not matter; ∫|I| dt when the counters are coarser than
   the current, see :func:`capacity_basis`, which flags a coarse counter) is added
   to the voltage bin its voltage
   falls in, on a uniform grid of width ΔV. dQ/dV = Σ ΔQ / ΔV. Unlike a point
   derivative, this does not blow up where V stalls on a plateau, and noise in
   V only moves charge between neighbouring bins.
3. The binned curve is smoothed with a Gaussian kernel of standard deviation
   σ_V. A symmetric kernel leaves the position of a symmetric peak unchanged
   and conserves the area (the charge), so peak voltages and capacities stay
   meaningful; it widens peaks by about σ_V in quadrature.

Sign convention: both derivatives are taken against the charge *content* of the
cell (rising on charge, falling on discharge), so dQ/dV and dV/dQ are positive
on both halves; the ``direction`` column says which half a row belongs to.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.charge_basis import capacity_basis
from ssblab.analysis.recognize import CP, CYCLING, GITT, require
from ssblab.errors import AnalysisError
from ssblab.flags import Flag
from ssblab.schema import Run, RunMeta

#: Columns of :func:`dqdv` (also the stable keys of CSV/Parquet output).
DQDV_KEYS = ("cycle", "half_cycle", "direction", "voltage_V", "dqdv_Ah_V", "dqdv_raw_Ah_V")
#: Columns of :func:`dvdq`.
DVDQ_KEYS = ("cycle", "half_cycle", "direction", "capacity_Ah", "voltage_V", "dvdq_V_Ah")
#: Columns of :func:`find_peaks` (plus ``track`` from :func:`track_peaks`).
PEAK_KEYS = ("cycle", "half_cycle", "direction", "voltage_V", "dqdv_Ah_V", "prominence_Ah_V")


def _halves(data: Run | pl.DataFrame, rest_current_A: float | None) -> pl.DataFrame:
    """Records with current, with their charge increment ``dq`` [A·h] and half-cycle.

    ``dq`` is |I|·Δt (trapezoidal), rescaled in each half-cycle so that its sum
    equals the rise of the instrument's cumulative counters there: the counters
    fix the total (a decimated current cannot), the time series fixes how it is
    spread over the records (counters exported with few digits cannot). When the
    counters are coarse and the current is the more precise of the two
    (:func:`capacity_basis`), ``dq`` is |I|·Δt as it is.
    """
    coarse = capacity_basis(data, rest_current_A).use_integral
    labelled = steps.label(data, rest_current_A)
    steps.check_finite(labelled, (s.VOLTAGE,))
    if s.CYCLE not in labelled.columns:
        labelled = labelled.with_columns(pl.lit(1, dtype=pl.Int64).alias(s.CYCLE))
    throughput = pl.col(s.CHARGE_CAPACITY) + pl.col(s.DISCHARGE_CAPACITY)
    i_mid = (pl.col(s.CURRENT).abs() + pl.col(s.CURRENT).abs().shift(1)).fill_null(0.0) / 2.0
    integrated = i_mid * pl.col(s.TIME).diff().fill_null(0.0) / 3600.0
    out = labelled.with_columns(
        throughput.diff().fill_null(0.0).alias("_dq_counter"), integrated.alias("_dq_current")
    ).filter(pl.col(steps.STATE) != 0)
    if out.height == 0:
        raise AnalysisError("the table has no charge or discharge (current is zero throughout)")
    by_half = steps.HALF_CYCLE
    total_counter = pl.col("_dq_counter").sum().over(by_half)
    total_current = pl.col("_dq_current").sum().over(by_half)
    scaled = pl.col("_dq_current") * total_counter / total_current
    dq = pl.when((total_counter > 0) & (total_current > 0)).then(scaled).otherwise(0.0)
    if coarse:
        dq = pl.col("_dq_current")
    return out.with_columns(dq.alias("dq")).drop("_dq_counter", "_dq_current")


def check_galvanostatic(
    data: Run | pl.DataFrame, *, force: bool = False, analysis: str = "dqdv"
) -> tuple[Flag, ...]:
    """Refuse (one line) data with no constant-current cycling, GITT or CP in them;
    otherwise the capacity notes of :func:`ssblab.analysis.charge_basis.capacity_flags`."""
    run = data if isinstance(data, Run) else Run(steps.as_table(data), RunMeta(source="table"))
    flags = require(run, {CYCLING, GITT, CP}, force=force, analysis=analysis)
    return (*flags, *capacity_basis(data).flags)


def charge_increments(
    data: Run | pl.DataFrame, rest_current_A: float | None = None
) -> pl.DataFrame:
    """Records with current, with their half-cycle and charge increment ``dq`` [A·h]
    (the same charge dQ/dV bins; see the module docstring)."""
    return _halves(data, rest_current_A)


def _direction() -> pl.Expr:
    return (
        pl.when(pl.col(steps.STATE) > 0)
        .then(pl.lit("charge"))
        .otherwise(pl.lit("discharge"))
        .alias("direction")
    )


def _gaussian(values: np.ndarray, sigma_bins: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter1d

    if sigma_bins <= 0:
        return values
    return gaussian_filter1d(values, sigma_bins, mode="constant", cval=0.0, truncate=4.0)


def dqdv(
    data: Run | pl.DataFrame,
    voltage_step_V: float = 0.005,
    smoothing_V: float = 0.01,
    rest_current_A: float | None = None,
    cycles: list[int] | None = None,
    *,
    force: bool = False,
) -> pl.DataFrame:
    """dQ/dV of every half-cycle on a uniform voltage grid.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table.
    voltage_step_V : float
        Bin width ΔV [V] (default 5 mV).
    smoothing_V : float
        Standard deviation σ_V of the Gaussian smoothing [V] (0: none).
    rest_current_A : float, optional
        Rest threshold [A]; see :func:`ssblab.analysis.steps.rest_threshold`.
    cycles : list of int, optional
        Only these cycle numbers (``Cycle Count / 1`` of a half-cycle's first record).
    force : bool
        Run on data not recognised as galvanostatic (see :func:`check_galvanostatic`).

    Returns
    -------
    DataFrame
        Columns :data:`DQDV_KEYS`: ``voltage_V`` is the bin centre [V],
        ``dqdv_Ah_V`` the smoothed and ``dqdv_raw_Ah_V`` the binned dQ/dV [A·h/V],
        every bin from the lowest to the highest voltage of the half-cycle.
    """
    if not voltage_step_V > 0 or smoothing_V < 0:
        raise AnalysisError(
            f"need voltage_step_V > 0 and smoothing_V >= 0, got {voltage_step_V}, {smoothing_V}"
        )
    check_galvanostatic(data, force=force, analysis="dqdv")
    rows = _halves(data, rest_current_A)
    rows = rows.with_columns(pl.col(s.CYCLE).first().over(steps.HALF_CYCLE).alias("cycle"))
    if cycles is not None:
        rows = rows.filter(pl.col("cycle").is_in(cycles))
        if rows.height == 0:
            raise AnalysisError(f"none of cycles {cycles} is in the run")
    binned = (
        rows.with_columns((pl.col(s.VOLTAGE) / voltage_step_V).floor().cast(pl.Int64).alias("bin"))
        .group_by(steps.HALF_CYCLE, "bin")
        .agg(pl.col("dq").sum(), pl.col("cycle").first(), pl.col(steps.STATE).first())
    )
    grid = (
        binned.group_by(steps.HALF_CYCLE)
        .agg(
            pl.int_ranges(pl.col("bin").min(), pl.col("bin").max() + 1).first().alias("bin"),
            pl.col("cycle").first(),
            pl.col(steps.STATE).first(),
        )
        .explode("bin")
        .join(
            binned.select(steps.HALF_CYCLE, "bin", "dq"), on=[steps.HALF_CYCLE, "bin"], how="left"
        )
        .with_columns(pl.col("dq").fill_null(0.0))
        .sort(steps.HALF_CYCLE, "bin")
    )
    raw = (grid.get_column("dq") / voltage_step_V).to_numpy()
    smooth = np.empty_like(raw)
    bounds = grid.group_by(steps.HALF_CYCLE, maintain_order=True).len().get_column("len")
    start = 0
    for n in bounds.to_list():  # one smoothing call per half-cycle, not per record
        smooth[start : start + n] = _gaussian(raw[start : start + n], smoothing_V / voltage_step_V)
        start += n
    return grid.select(
        pl.col("cycle"),
        pl.col(steps.HALF_CYCLE),
        _direction(),
        ((pl.col("bin") + 0.5) * voltage_step_V).alias("voltage_V"),
        pl.Series("dqdv_Ah_V", smooth),
        pl.Series("dqdv_raw_Ah_V", raw),
    )


def dvdq(
    data: Run | pl.DataFrame,
    capacity_step_Ah: float | None = None,
    smoothing_points: float = 2.0,
    rest_current_A: float | None = None,
    *,
    force: bool = False,
) -> pl.DataFrame:
    """dV/dQ of every half-cycle on a uniform grid of charge passed in that half.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table.
    capacity_step_Ah : float, optional
        Bin width ΔQ [A·h]; default 1/200 of the largest half-cycle capacity.
    smoothing_points : float
        Gaussian σ in bins applied to the binned V(Q) before differentiating.

    Returns
    -------
    DataFrame
        Columns :data:`DVDQ_KEYS`: ``capacity_Ah`` is the charge passed since the
        half-cycle started (bin centre) [A·h], ``voltage_V`` the mean voltage in
        the bin [V], ``dvdq_V_Ah`` = dV/dQ against charge content [V/(A·h)].
    """
    check_galvanostatic(data, force=force, analysis="dvdq")
    rows = _halves(data, rest_current_A).with_columns(
        pl.col("dq").cum_sum().over(steps.HALF_CYCLE).alias("q"),
        pl.col(s.CYCLE).first().over(steps.HALF_CYCLE).alias("cycle"),
    )
    step = capacity_step_Ah or float(rows.get_column("q").max() or 0.0) / 200.0
    if not step > 0:
        raise AnalysisError("no charge passed in any half-cycle: dV/dQ is undefined")
    curve = (
        rows.with_columns((pl.col("q") / step).floor().cast(pl.Int64).alias("bin"))
        .group_by(steps.HALF_CYCLE, "bin")
        .agg(pl.col(s.VOLTAGE).mean(), pl.col("cycle").first(), pl.col(steps.STATE).first())
        .sort(steps.HALF_CYCLE, "bin")
    )
    v = curve.get_column(s.VOLTAGE).to_numpy()
    sign = curve.get_column(steps.STATE).to_numpy().astype(float)
    slope = np.full_like(v, np.nan)
    bounds = curve.group_by(steps.HALF_CYCLE, maintain_order=True).len().get_column("len")
    start = 0
    for n in bounds.to_list():
        part = slice(start, start + n)
        if n >= 3:
            smooth = _edge_gaussian(v[part], smoothing_points)
            slope[part] = np.gradient(smooth, step) * sign[part]
        start += n
    return curve.select(
        pl.col("cycle"),
        pl.col(steps.HALF_CYCLE),
        _direction(),
        ((pl.col("bin") + 0.5) * step).alias("capacity_Ah"),
        pl.col(s.VOLTAGE).alias("voltage_V"),
        pl.Series("dvdq_V_Ah", slope),
    )


def _edge_gaussian(values: np.ndarray, sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(values, sigma, mode="nearest") if sigma > 0 else values


def find_peaks(
    curves: pl.DataFrame, min_prominence: float = 0.05, min_separation_V: float = 0.02
) -> pl.DataFrame:
    """Peaks of each half-cycle's smoothed dQ/dV (``scipy.signal.find_peaks``).

    Parameters
    ----------
    curves : DataFrame
        Output of :func:`dqdv`.
    min_prominence : float
        Minimum peak prominence as a fraction of the half-cycle's highest dQ/dV.
    min_separation_V : float
        Minimum distance between two peaks [V].

    Returns
    -------
    DataFrame
        Columns :data:`PEAK_KEYS`; ``voltage_V`` is refined by a parabola
        through the peak bin and its two neighbours (sub-bin precision).
    """
    from scipy.signal import find_peaks as scipy_find_peaks

    missing = [c for c in DQDV_KEYS if c not in curves.columns]
    if missing:
        raise AnalysisError(f"find_peaks needs the output of dqdv(); missing {missing}")
    found: list[dict[str, object]] = []
    for part in curves.partition_by(steps.HALF_CYCLE, maintain_order=True):
        y = part.get_column("dqdv_Ah_V").to_numpy()
        v = part.get_column("voltage_V").to_numpy()
        if y.size < 3 or not np.nanmax(y) > 0:
            continue
        dv = float(v[1] - v[0])
        idx, props = scipy_find_peaks(
            y,
            prominence=min_prominence * float(np.nanmax(y)),
            distance=max(1, round(min_separation_V / dv)),
        )
        head = part.row(0, named=True)
        for i, prominence in zip(idx, props["prominences"], strict=True):
            found.append(
                {
                    "cycle": head["cycle"],
                    "half_cycle": head["half_cycle"],
                    "direction": head["direction"],
                    "voltage_V": float(v[i]) + _parabola_offset(y, i) * dv,
                    "dqdv_Ah_V": float(y[i]),
                    "prominence_Ah_V": float(prominence),
                }
            )
    schema = {
        "cycle": pl.Int64,
        "half_cycle": pl.Int64,
        "direction": pl.String,
        "voltage_V": pl.Float64,
        "dqdv_Ah_V": pl.Float64,
        "prominence_Ah_V": pl.Float64,
    }
    return pl.DataFrame(found, schema=schema)


def _parabola_offset(y: np.ndarray, i: int) -> float:
    """Vertex of the parabola through y[i-1], y[i], y[i+1], in bins from i (|offset| <= 0.5)."""
    if i == 0 or i == y.size - 1:
        return 0.0
    denom = y[i - 1] - 2 * y[i] + y[i + 1]
    return 0.0 if denom == 0 else float(np.clip(0.5 * (y[i - 1] - y[i + 1]) / denom, -0.5, 0.5))


def track_peaks(peaks: pl.DataFrame, window_V: float = 0.03) -> pl.DataFrame:
    """Follow peaks over cycles: add a ``track`` id shared by the same feature in each cycle.

    Greedy nearest-neighbour matching, separately for charge and discharge: each
    peak joins the track whose latest voltage is nearest, if within *window_V*
    [V] and not already taken in this half-cycle; otherwise it starts a track.
    Track ids are numbered from 0 in order of first appearance.
    """
    if peaks.height == 0:
        return peaks.with_columns(pl.lit(None, dtype=pl.Int64).alias("track"))
    ordered = peaks.sort("half_cycle", "voltage_V")
    last_v: dict[int, tuple[str, float]] = {}
    ids: list[int] = []
    for part in ordered.partition_by("half_cycle", maintain_order=True):
        taken: set[int] = set()
        for row in part.iter_rows(named=True):
            near = [
                (abs(v - row["voltage_V"]), t)
                for t, (d, v) in last_v.items()
                if d == row["direction"]
                and t not in taken
                and abs(v - row["voltage_V"]) <= window_V
            ]
            track = min(near)[1] if near else len(last_v)
            taken.add(track)
            last_v[track] = (row["direction"], row["voltage_V"])
            ids.append(track)
    return ordered.with_columns(pl.Series("track", ids, dtype=pl.Int64))
