"""Synthetic canonical tables for the cycling-analysis tests, built from simple physics.

A cell is an open-circuit voltage curve OCV(x) of the state of charge x, plus an
ohmic drop I·R. Each half-cycle passes a given charge at constant current, then
rests. Counters are written exactly (cumulative, as the schema says), energies
by trapezoidal integration of |I|·V over time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

from ssblab import schema as s


def linear_ocv(x: np.ndarray) -> np.ndarray:
    """A plain sloping OCV [V]: 3.5 V empty to 4.1 V full."""
    return 3.5 + 0.6 * x


def _as_list(value: float | Sequence[float], n: int) -> list[float]:
    return [float(value)] * n if np.isscalar(value) else [float(v) for v in value]


def cycling_table(
    charge_Ah: Sequence[float],
    discharge_Ah: Sequence[float],
    charge_A: float | Sequence[float] = 1e-3,
    discharge_A: float | Sequence[float] = 1e-3,
    *,
    nominal_Ah: float | None = None,
    resistance_ohm: float = 20.0,
    ocv: Callable[[np.ndarray], np.ndarray] = linear_ocv,
    points: int = 60,
    rest_s: float = 600.0,
    first: str = "charge",
) -> pl.DataFrame:
    """Canonical table of ``len(charge_Ah)`` cycles (charge then discharge, or the reverse).

    Parameters
    ----------
    charge_Ah, discharge_Ah : sequence of float
        Charge passed in each charge / discharge half-cycle [A·h].
    charge_A, discharge_A : float or sequence of float
        Magnitude of the current of each half [A] (signs are applied here).
    nominal_Ah : float, optional
        Capacity that maps to x = 0..1 in the OCV [A·h]; default the largest half.
    first : "charge" or "discharge"
        Which half opens every cycle: full cells start with a charge, anode-first
        half-cells (Li‖graphite) with a discharge.
    """
    n = len(charge_Ah)
    i_ch, i_dis = _as_list(charge_A, n), _as_list(discharge_A, n)
    q_full = nominal_Ah or max(max(charge_Ah), max(discharge_Ah))
    x = 0.0 if first == "charge" else 1.0
    t, frames = 0.0, []
    q_ch_total = q_dis_total = 0.0
    for k in range(n):
        halves = [(+1, charge_Ah[k], i_ch[k]), (-1, discharge_Ah[k], i_dis[k])]
        if first == "discharge":
            halves.reverse()
        for sign, q, i in halves:
            duration = q / i * 3600.0
            tt = t + np.linspace(duration / points, duration, points)
            dq = i * (tt - t) / 3600.0
            xx = x + sign * dq / q_full
            v = ocv(xx) + sign * i * resistance_ohm
            # rest: voltage relaxes to the OCV at the end of the half
            tr = tt[-1] + np.linspace(rest_s / 10, rest_s, 10)
            x = float(xx[-1])
            vr = np.full(10, float(ocv(np.array([x]))[0]))
            q_ch = q_ch_total + (dq if sign > 0 else 0 * dq)
            q_dis = q_dis_total + (dq if sign < 0 else 0 * dq)
            q_ch_total, q_dis_total = float(q_ch[-1]), float(q_dis[-1])
            frames.append(
                {
                    s.TIME: np.concatenate([tt, tr]),
                    s.VOLTAGE: np.concatenate([v, vr]),
                    s.CURRENT: np.concatenate([np.full(points, sign * i), np.zeros(10)]),
                    s.CYCLE: np.full(points + 10, k + 1),
                    s.CHARGE_CAPACITY: np.concatenate([q_ch, np.full(10, q_ch_total)]),
                    s.DISCHARGE_CAPACITY: np.concatenate([q_dis, np.full(10, q_dis_total)]),
                }
            )
            t = float(tr[-1])
    cols = {c: np.concatenate([f[c] for f in frames]) for c in frames[0]}
    start = {c: np.array([0.0]) for c in cols}
    start[s.VOLTAGE] = ocv(np.array([0.0 if first == "charge" else 1.0]))
    start[s.CYCLE] = np.array([1])
    cols = {c: np.concatenate([start[c], cols[c]]) for c in cols}
    table = pl.DataFrame(cols)
    return s.conform(with_energies(table))


def with_energies(table: pl.DataFrame) -> pl.DataFrame:
    """Add cumulative charge/discharge energies [W·h]: Σ (mean V of the interval) × ΔQ."""
    v = table.get_column(s.VOLTAGE).to_numpy()
    v_mid = (v + np.concatenate([[v[0]], v[:-1]])) / 2.0
    out = {}
    for q_col, e_col in (
        (s.CHARGE_CAPACITY, s.CHARGE_ENERGY),
        (s.DISCHARGE_CAPACITY, s.DISCHARGE_ENERGY),
    ):
        q = table.get_column(q_col).to_numpy()
        out[e_col] = np.cumsum(v_mid * np.diff(q, prepend=q[0]))
    return table.with_columns(pl.Series(k, val) for k, val in out.items())
