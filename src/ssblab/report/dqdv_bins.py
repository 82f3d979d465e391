"""The bin width of a report's dQ/dV panel, chosen so the records fill the bins.

A histogram dQ/dV in 5 mV bins of a run whose records lie tens of mV apart (a coarse
simulation output, a logger at 1 point per minute) leaves most bins empty, and the
smoothed curve becomes a comb of spikes at the sampled voltages, which reads like
phase transitions. The panel bins coarser until the records fill the bins, and says so.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from ssblab.schema import Run

#: dQ/dV bin widths tried [V], finest first (smoothing sigma: twice the bin).
DQDV_STEPS_V = (0.005, 0.01, 0.02, 0.04)
#: A bin width that leaves more than this fraction of a run's bins empty is too fine for
#: its records: the curve would be a comb of spikes at the sampled voltages.
MAX_EMPTY_BINS = 0.5


def empty_bin_fraction(curves: pl.DataFrame) -> float:
    """Fraction of the dQ/dV bins of *curves* (every half-cycle) that no record fell into."""
    raw = curves.get_column("dqdv_raw_Ah_V").to_numpy()
    return float(np.mean(raw == 0.0)) if raw.size else 0.0


def binned_dqdv(
    dqdv_fn: Callable[..., pl.DataFrame], run: Run, cycles: list[int]
) -> tuple[pl.DataFrame, str]:
    """dQ/dV of *cycles* at the finest bin of :data:`DQDV_STEPS_V` that the records fill
    (at most :data:`MAX_EMPTY_BINS` empty), with the sentence that says how it was made."""
    fine = None
    for step in DQDV_STEPS_V:
        curves = dqdv_fn(run, cycles=cycles, voltage_step_V=step, smoothing_V=2 * step)
        empty = empty_bin_fraction(curves)
        fine = empty if fine is None else fine
        if empty <= MAX_EMPTY_BINS:
            break
    made = f"Histogram dQ/dV in {step * 1000:g} mV bins, Gaussian smoothing σ {2000 * step:g} mV."
    if step > DQDV_STEPS_V[0]:
        made += (
            f" The records are too far apart in voltage for {DQDV_STEPS_V[0] * 1000:g} mV "
            f"bins ({fine:.0%} of them empty)."
        )
    if empty > MAX_EMPTY_BINS:
        made += (
            f" Flagged: even so {empty:.0%} of the bins are empty; narrow peaks are "
            "the sampling, not the electrode."
        )
    return curves, made
