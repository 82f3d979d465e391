"""Cyclic voltammetry: sweeps, cycles, anodic/cathodic peaks and peak separation.

A CV run is a triangle wave of potential. Its vertices (sweep reversals) are
found as prominent extrema of the potential (``scipy.signal.find_peaks`` with a
prominence of a fraction of the potential window), which ignores noise and
small steps of a staircase ramp. A sweep runs between two vertices; a cycle is
one sweep in the starting direction plus the next sweep back.

Peaks are searched per sweep direction with the sign the direction demands:
the anodic peak is the largest local maximum of a *positive* current on an
anodic (rising) sweep, the cathodic peak the most negative local minimum of a
*negative* current on a cathodic sweep. Records near a vertex (the turning
points, :data:`EDGE_FRACTION` of the sweep's span at each end) and holds
(|dE/dt| below :data:`HOLD_FRACTION` of the scan rate) are excluded, so a
current that merely rises up to the vertex (electrolyte oxidation onset) is
not a peak. A peak must stand out of the sweep's noise (σ from the residual
of a Savitzky–Golay smoothing): below :data:`MIN_SNR` σ it is absent, below
:data:`WEAK_SNR` σ it is kept and flagged ``weak_peak``. ΔEp = E_pa − E_pc is
given only when E_pa ≥ E_pc (otherwise the two peaks are not one couple).

Peak currents are read from the smoothed current with no baseline
subtraction (they include the double-layer charging current C_dl·v). For a
reversible n-electron couple at 25 °C, ΔEp = 2.22 RT/nF ≈ 57/n mV, and the
peak current follows Randles–Ševčík, i_p = 0.4463 n F A C (n F v D / R T)^½
(Bard & Faulkner, *Electrochemical Methods*, 2nd ed., Wiley 2001, §6.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.recognize import CV, require
from ssblab.errors import AnalysisError
from ssblab.flags import Flag, as_dicts
from ssblab.schema import Run, RunMeta

#: Columns of :func:`cv_peaks` (also the stable ``--json`` keys).
CV_KEYS = (
    "cycle",
    "scan_rate_V_s",
    "anodic_peak_V",
    "anodic_peak_A",
    "cathodic_peak_V",
    "cathodic_peak_A",
    "peak_separation_V",
    "half_wave_V",
)
#: Fraction of a sweep's potential span excluded at each vertex (turning points).
EDGE_FRACTION = 0.03
#: Records with |dE/dt| below this fraction of the scan rate are holds.
HOLD_FRACTION = 0.3
#: A peak's prominence must exceed this many noise σ to exist ...
MIN_SNR = 3.0
#: ... and this fraction of the sweep's (smoothed) current range ...
REL_PROMINENCE = 0.05
#: ... and be at least this wide at half its prominence [V] (spikes are not peaks) ...
MIN_WIDTH_V = 0.01
#: ... and this many σ not to be flagged weak.
WEAK_SNR = 10.0
#: A sweep spanning less than this fraction of the window is partial.
PARTIAL_FRACTION = 0.8


@dataclass(frozen=True)
class CVResult:
    """Peaks per cycle (:data:`CV_KEYS`) and the flags on them."""

    peaks: pl.DataFrame
    flags: tuple[Flag, ...]

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"cycles": [...], "flags": [...]}``."""
        return {"cycles": self.peaks.to_dicts(), "flags": as_dicts(self.flags)}


def _potential(table: pl.DataFrame, potential_column: str) -> np.ndarray:
    if potential_column not in table.columns:
        raise AnalysisError(f"the table has no column {potential_column!r}")
    steps.check_finite(table, (s.TIME, s.CURRENT, potential_column))
    return table.get_column(potential_column).to_numpy()


def sweep_rate_fraction(e: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Median |dE/dt| [V/s] and the fraction of records within 25 % of it."""
    dt = np.diff(t)
    ok = dt > 0
    rate = np.abs(np.diff(e)[ok] / dt[ok])
    moving = rate[rate > 0]
    if moving.size == 0:
        return 0.0, 0.0
    median = float(np.median(moving))
    return median, float(np.mean(np.abs(rate - median) < 0.25 * median))


def _as_run(data: Run | pl.DataFrame) -> Run:
    return data if isinstance(data, Run) else Run(steps.as_table(data), RunMeta(source="table"))


def sweep_labels(
    data: Run | pl.DataFrame,
    vertex_prominence: float = 0.2,
    potential_column: str = s.VOLTAGE,
) -> pl.DataFrame:
    """Add ``sweep`` (from 0), ``sweep_direction`` (+1 anodic, -1 cathodic) and ``cycle``.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table of a CV run.
    vertex_prominence : float
        A vertex must stand out by this fraction of the full potential window.
    potential_column : str
        Column holding the swept potential [V] (``Voltage / V`` by default; use
        ``Working Electrode Potential / V`` for a three-electrode cell).

    Raises
    ------
    AnalysisError
        If the potential never sweeps (window below 1 mV).
    """
    from scipy.signal import find_peaks

    table = steps.as_table(data)
    e = _potential(table, potential_column)
    window = float(e.max() - e.min())
    if window < 1e-3:
        raise AnalysisError(f"the potential spans only {window * 1e3:.3g} mV: not a CV sweep")
    prominence = vertex_prominence * window
    tops, _ = find_peaks(e, prominence=prominence)
    bottoms, _ = find_peaks(-e, prominence=prominence)
    vertices = np.sort(np.concatenate([tops, bottoms]))
    sweep = np.searchsorted(vertices, np.arange(e.size), side="left")
    bounds = np.concatenate([[0], vertices, [e.size - 1]])
    direction = np.sign(e[bounds[1:]] - e[bounds[:-1]]).astype(np.int8)
    return table.with_columns(
        pl.Series("sweep", sweep, dtype=pl.Int64),
        pl.Series("sweep_direction", direction[sweep], dtype=pl.Int8),
        pl.Series("cycle", sweep // 2 + 1, dtype=pl.Int64),
    )


@dataclass(frozen=True)
class _Peak:
    potential_V: float
    current_A: float
    snr: float


def _smooth(i: np.ndarray, e: np.ndarray, smoothing_V: float) -> np.ndarray:
    """Median of 5 (drops one- and two-record spikes), then Savitzky–Golay (order 2)
    over about *smoothing_V* of potential."""
    from scipy.signal import medfilt, savgol_filter

    despiked = medfilt(i, 5) if i.size >= 5 else i.copy()
    step = float(np.median(np.abs(np.diff(e)))) if e.size > 1 else 0.0
    points = int(smoothing_V / step) if step > 0 else 5
    window = max(5, points | 1)
    if window > i.size:
        return despiked
    return savgol_filter(despiked, window, 2)


def _sweep_peak(
    e: np.ndarray, i: np.ndarray, t: np.ndarray, sign: int, smoothing_V: float
) -> tuple[_Peak | None, str]:
    """The peak of ``sign * i`` inside one sweep, or None and why there is none."""
    from scipy.signal import find_peaks

    if e.size < 5:
        return None, "the sweep has fewer than 5 records"
    span = abs(float(e[-1] - e[0]))
    rate = np.abs(np.gradient(e, t)) if np.all(np.diff(t) > 0) else np.ones_like(e)
    scan = float(np.median(rate))
    inner = (np.minimum(np.abs(e - e[0]), np.abs(e - e[-1])) >= EDGE_FRACTION * span) & (
        rate >= HOLD_FRACTION * scan
    )
    if inner.sum() < 5:
        return None, "the sweep has fewer than 5 records away from its vertices"
    ek, ik = e[inner], i[inner]
    smooth = _smooth(ik, ek, smoothing_V)
    sigma = max(1.4826 * float(np.median(np.abs(ik - smooth))), 1e-15)
    y = sign * smooth
    floor = max(MIN_SNR * sigma, REL_PROMINENCE * float(np.ptp(y)))
    step = float(np.median(np.abs(np.diff(ek))))
    idx, props = find_peaks(y, prominence=floor, width=MIN_WIDTH_V / step if step > 0 else None)
    keep = y[idx] > 0
    idx, prominence = idx[keep], props["prominences"][keep]
    if idx.size == 0:
        from scipy.signal import medfilt

        signed = sign * (medfilt(i, 5) if i.size >= 5 else i)
        if signed.max() <= 0:
            return None, "the current never has the sweep's sign"
        at = int(np.argmax(signed))
        if not inner[at]:
            return None, "the current rises up to the turning point, with no peak before it"
        return None, (
            f"no maximum {MIN_WIDTH_V * 1e3:g} mV wide stands {MIN_SNR:g} σ (σ = {sigma:.3g} A) "
            f"and {REL_PROMINENCE:.0%} of the sweep's current range above its surroundings"
        )
    best = int(np.argmax(y[idx]))
    k = int(idx[best])
    return _Peak(float(ek[k]), float(smooth[k]), float(prominence[best] / sigma)), ""


def cv_analysis(
    data: Run | pl.DataFrame,
    vertex_prominence: float = 0.2,
    smoothing_V: float = 0.01,
    potential_column: str = s.VOLTAGE,
    *,
    force: bool = False,
) -> CVResult:
    """Anodic and cathodic peak of every CV cycle, with ΔEp and E½, and flags.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table of a CV run.
    vertex_prominence : float
        See :func:`sweep_labels`.
    smoothing_V : float
        Savitzky–Golay window in potential [V] used to find peaks and σ.
    potential_column : str
        Column holding the swept potential [V].
    force : bool
        Run on data that do not look like a CV (adds a ``forced`` flag).

    Returns
    -------
    CVResult
        ``peaks`` has columns :data:`CV_KEYS`: scan rate = median |dE/dt| [V/s];
        peak potentials and currents [V, A] (null where a sweep has none, with
        a flag saying why); ``peak_separation_V`` = E_pa − E_pc (≥ 0, null and
        flagged otherwise); ``half_wave_V`` = (E_pa + E_pc)/2.

    Raises
    ------
    NotApplicableError
        If :func:`ssblab.analysis.recognize.recognize` finds no CV/LSV in the data
        (unless forced).
    """
    flags = list(require(_as_run(data), {CV}, force=force, analysis="cv"))
    labelled = sweep_labels(data, vertex_prominence, potential_column)
    e_all = labelled.get_column(potential_column)
    window = float(e_all.max() - e_all.min())
    rows: list[dict[str, float | int | None]] = []
    for part in labelled.partition_by("cycle", maintain_order=True):
        row: dict[str, float | int | None] = dict.fromkeys(CV_KEYS)
        cycle = int(part.get_column("cycle")[0])
        row["cycle"] = cycle
        e_c = part.get_column(potential_column).to_numpy()
        row["scan_rate_V_s"] = sweep_rate_fraction(e_c, part.get_column(s.TIME).to_numpy())[0]
        for sweep in part.partition_by("sweep", maintain_order=True):
            sign = int(sweep.get_column("sweep_direction")[0])
            side = "anodic" if sign > 0 else "cathodic"
            e = sweep.get_column(potential_column).to_numpy()
            peak, why = _sweep_peak(
                e,
                sweep.get_column(s.CURRENT).to_numpy(),
                sweep.get_column(s.TIME).to_numpy(),
                sign,
                smoothing_V,
            )
            quantity = f"cycle {cycle} {side} peak"
            if float(np.ptp(e)) < PARTIAL_FRACTION * window:
                flags.append(
                    Flag(
                        quantity,
                        "partial_sweep",
                        f"the sweep spans {np.ptp(e):.3g} V of the {window:.3g} V window",
                        "info",
                    )
                )
            flags.extend(_wrong_sign(quantity, side, sign, sweep.get_column(s.CURRENT)))
            if row[f"{side}_peak_V"] is not None:
                continue
            if peak is None:
                flags.append(Flag(quantity, "no_peak", f"no {side} peak: {why}"))
                continue
            if peak.snr < WEAK_SNR:
                flags.append(
                    Flag(
                        quantity,
                        "weak_peak",
                        f"peak at {peak.potential_V:.4g} V stands only {peak.snr:.3g} σ "
                        f"out of the noise (< {WEAK_SNR:g})",
                    )
                )
            row[f"{side}_peak_V"], row[f"{side}_peak_A"] = peak.potential_V, peak.current_A
        flags.extend(_pair(row, cycle))
        rows.append(row)
    out = pl.DataFrame(
        rows, schema={k: (pl.Int64 if k == "cycle" else pl.Float64) for k in CV_KEYS}
    )
    return CVResult(out, tuple(flags))


def _wrong_sign(quantity: str, side: str, sign: int, current: pl.Series) -> tuple[Flag, ...]:
    """``opposite_current``: most of a sweep carries the other direction's current."""
    share = float((current * sign < 0).mean() or 0.0)
    if share <= 0.5:
        return ()
    other = "cathodic" if side == "anodic" else "anodic"
    return (
        Flag(
            quantity,
            "opposite_current",
            f"the {side} sweep carries {other} current over {share:.0%} of its records "
            f"(an ongoing {other} process, or a current offset)",
            "info",
        ),
    )


def _pair(row: dict[str, float | int | None], cycle: int) -> tuple[Flag, ...]:
    """Fill ΔEp and E½ when both peaks form one couple (E_pa ≥ E_pc)."""
    epa, epc = row["anodic_peak_V"], row["cathodic_peak_V"]
    if epa is None or epc is None:
        return ()
    if epa < epc:
        return (
            Flag(
                f"cycle {cycle} peak_separation_V",
                "peaks_unpaired",
                f"anodic peak {epa:.4g} V lies below cathodic peak {epc:.4g} V: "
                "not one redox couple, ΔEp not given",
            ),
        )
    row["peak_separation_V"] = float(epa) - float(epc)
    row["half_wave_V"] = (float(epa) + float(epc)) / 2.0
    return ()


def cv_peaks(
    data: Run | pl.DataFrame,
    vertex_prominence: float = 0.2,
    smoothing_V: float = 0.01,
    potential_column: str = s.VOLTAGE,
    *,
    force: bool = False,
) -> pl.DataFrame:
    """The ``peaks`` table of :func:`cv_analysis` (flags dropped; use that to see them)."""
    return cv_analysis(data, vertex_prominence, smoothing_V, potential_column, force=force).peaks
