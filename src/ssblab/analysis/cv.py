"""Cyclic voltammetry: sweeps, cycles, anodic/cathodic peaks and peak separation.

A CV run is a triangle wave of potential. Its vertices (sweep reversals) are
found as prominent extrema of the potential (``scipy.signal.find_peaks`` with a
prominence of a fraction of the potential window), which ignores noise and
small steps of a staircase ramp. A sweep runs between two vertices; a cycle is
one sweep in the starting direction plus the next sweep back.

Peak currents are read from the measured current with no baseline
subtraction (they include the double-layer charging current C_dl·v). For a
reversible n-electron couple at 25 °C, ΔEp = 2.22 RT/nF ≈ 57/n mV, and the
peak current follows Randles–Ševčík, i_p = 0.4463 n F A C (n F v D / R T)^½
(Bard & Faulkner, *Electrochemical Methods*, 2nd ed., Wiley 2001, §6.2).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.errors import AnalysisError
from ssblab.schema import Run

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


def _potential(table: pl.DataFrame, potential_column: str) -> np.ndarray:
    if potential_column not in table.columns:
        raise AnalysisError(f"the table has no column {potential_column!r}")
    steps.check_finite(table, (s.TIME, s.CURRENT, potential_column))
    return table.get_column(potential_column).to_numpy()


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


def _sweep_peak(
    e: np.ndarray, i: np.ndarray, sign: int, prominence: float
) -> tuple[float, float] | None:
    """Potential and current of the most prominent peak of sign*i in one sweep."""
    from scipy.signal import find_peaks

    if e.size < 5:
        return None
    idx, props = find_peaks(sign * i, prominence=prominence * float(np.ptp(i) or 1.0))
    if idx.size == 0:
        return None
    best = idx[int(np.argmax(props["prominences"]))]
    return float(e[best]), float(i[best])


def cv_peaks(
    data: Run | pl.DataFrame,
    vertex_prominence: float = 0.2,
    peak_prominence: float = 0.1,
    potential_column: str = s.VOLTAGE,
) -> pl.DataFrame:
    """Anodic and cathodic peak of every CV cycle, with ΔEp and E½.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table of a CV run.
    vertex_prominence : float
        See :func:`sweep_labels`.
    peak_prominence : float
        A current peak must stand out by this fraction of the sweep's current range.
    potential_column : str
        Column holding the swept potential [V].

    Returns
    -------
    DataFrame
        Columns :data:`CV_KEYS`: scan rate = median |dE/dt| [V/s]; anodic peak =
        maximum of the current on the rising sweep, cathodic peak = minimum on
        the falling sweep [V, A] (null when a sweep has none);
        ``peak_separation_V`` = E_pa − E_pc; ``half_wave_V`` = (E_pa + E_pc)/2.

    Raises
    ------
    AnalysisError
        If no sweep of the run has a current peak.
    """
    labelled = sweep_labels(data, vertex_prominence, potential_column)
    rate = (pl.col(potential_column).diff().abs() / pl.col(s.TIME).diff()).median()
    rows: list[dict[str, float | int | None]] = []
    for part in labelled.partition_by("cycle", maintain_order=True):
        row: dict[str, float | int | None] = dict.fromkeys(CV_KEYS)
        row["cycle"] = int(part.get_column("cycle")[0])
        row["scan_rate_V_s"] = part.select(rate).item()
        for sweep in part.partition_by("sweep", maintain_order=True):
            sign = int(sweep.get_column("sweep_direction")[0])
            peak = _sweep_peak(
                sweep.get_column(potential_column).to_numpy(),
                sweep.get_column(s.CURRENT).to_numpy(),
                sign,
                peak_prominence,
            )
            side = "anodic" if sign > 0 else "cathodic"
            if peak is not None and row[f"{side}_peak_V"] is None:
                row[f"{side}_peak_V"], row[f"{side}_peak_A"] = peak
        if row["anodic_peak_V"] is not None and row["cathodic_peak_V"] is not None:
            row["peak_separation_V"] = row["anodic_peak_V"] - row["cathodic_peak_V"]
            row["half_wave_V"] = (row["anodic_peak_V"] + row["cathodic_peak_V"]) / 2.0
        rows.append(row)
    out = pl.DataFrame(
        rows, schema={k: (pl.Int64 if k == "cycle" else pl.Float64) for k in CV_KEYS}
    )
    if (
        out.select(pl.col("anodic_peak_V", "cathodic_peak_V").null_count()).sum_horizontal().item()
        == 2 * out.height
    ):
        raise AnalysisError("no current peak found in any sweep of the CV run")
    return out
