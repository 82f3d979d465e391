"""The canonical table of a simulated Li‖Li cell: a plateau per half-cycle, not a triangle.

Each half-cycle gets *points* records; the plating and stripping electrode
overpotentials move linearly in charge passed from their state at the start of
the half-cycle to their state at its end (void growth and interphase growth are
proportional to the charge within a half-cycle), and the LGPS bulk drop is
constant. ``ssblab symmetric`` reads the plateau as the median of the middle
window (25–75 % of the half-cycle), which for this shape is the model's own
mid-half-cycle value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.simulate.protocol import HalfCycles

if TYPE_CHECKING:
    from ssblab.simulate.symmetric import Trajectory


def symmetric_table(
    traj: Trajectory, last: int, area_cm2: float, shorted: bool, points: int
) -> pl.DataFrame:
    """*points* records per half-cycle 0..last; a short makes the failed one a 1 Ω path."""
    hc = traj.half_cycles
    k = np.arange(last + 1)
    frac = np.linspace(0.0, 1.0, points)
    t = (hc.start_s[k, None] + frac * hc.duration_s[k, None]).ravel()
    sign = np.repeat(hc.sign[k], points)
    current = sign * np.repeat(hc.current_density_A_cm2[k], points) * area_cm2

    def ramp(a0: np.ndarray, a1: np.ndarray) -> np.ndarray:
        return (a0[0, k, None] + frac * (a1[0, k, None] - a0[0, k, None])).ravel()

    plating = ramp(traj.plating_start, traj.plating_end)
    stripping = ramp(traj.stripping_start, traj.stripping_end)
    bulk = np.repeat(traj.bulk[0, k], points)
    if shorted:  # the failed half-cycle is a hard short: a 1 Ω path, no polarisation
        hit = np.arange(t.size) >= points * last
        plating, stripping = np.where(hit, 0.0, plating), np.where(hit, 0.0, stripping)
        bulk = np.where(hit, np.abs(current) * 1.0, bulk)
    we = np.where(sign > 0, -plating, stripping + bulk)  # + current plates the WE
    ce = np.where(sign > 0, stripping + bulk, -plating)
    volts = sign * (plating + stripping + bulk)
    # keep time strictly increasing: a half-cycle's end and the next start share a time
    first = np.zeros(points)
    first[0] = 1e-3
    t = t + np.tile(first, k.size) * (np.repeat(k, points) > 0)
    charge, discharge = _counters(hc, k, area_cm2, frac)
    return s.conform(
        pl.DataFrame(
            {
                s.TIME: t,
                s.VOLTAGE: volts,
                s.CURRENT: current,
                s.CYCLE: np.repeat(k // 2 + 1, points),
                s.CHARGE_CAPACITY: charge,
                s.DISCHARGE_CAPACITY: discharge,
                s.WE_POTENTIAL: we,
                s.CE_POTENTIAL: ce,
            }
        )
    )


def _counters(
    hc: HalfCycles, k: np.ndarray, area_cm2: float, frac: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative charging / discharging capacity [A·h] at the records of each half-cycle."""
    capacity = hc.current_density_A_cm2[k] * area_cm2 * hc.duration_s[k] / 3600.0
    out = []
    for positive in (True, False):
        mine = (hc.sign[k] > 0) == positive
        before = np.concatenate(([0.0], np.cumsum(np.where(mine, capacity, 0.0))[:-1]))
        within = np.where(mine, capacity, 0.0)[:, None] * frac
        out.append((before[:, None] + within).ravel())
    return out[0], out[1]
