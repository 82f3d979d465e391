"""The one failure rule of Li‖Li cells (measured and simulated): short or divergence.

Second step of :mod:`ssblab.analysis.symmetric`: half-cycle overpotentials in, the
first failed half-cycle, its mode and the rule that fired out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from ssblab.errors import AnalysisError

#: Divergence bound of long cycling: a plateau above this is failure [mV]. The
#: seed's symmetric cells cycle at 80-400 mV; 1 V is a common symmetric-cell limit.
DIVERGENCE_BOUND_MV = 1000.0
#: Divergence bound of a rate test [mV]: the seed's bare cell ran at 4 V at 1 mA/cm2
#: (Chang et al., Fig. 4a), so a rate test is judged against 5 V.
RATE_TEST_BOUND_MV = 5000.0


@dataclass(frozen=True)
class FailureCriteria:
    """Thresholds of :func:`detect_failure` (all overpotentials in mV).

    Attributes
    ----------
    hard_short_mV : float
        A half-cycle whose peak ``|V|`` stays below this is a hard short [mV].
    collapse_fraction : float
        A soft short: plateau / |I| falls below this fraction of its median over
        the preceding ``reference_window`` half-cycles.
    noise_limit : float
        A soft short: the plateau's relative spread exceeds this (noisy ohmic voltage).
    cutoff_mV : float or None
        Divergence: the plateau exceeds this bound [mV] (default
        :data:`DIVERGENCE_BOUND_MV`; None: not used).
    growth_factor : float or None
        Optional extra divergence rule: plateau / |I| exceeds this multiple of its
        early value (None, the default: not used).
    early_window : int
        Half-cycles (after the first two, which carry the formation transient)
        whose median is the early value of plateau / |I|.
    reference_window : int
        Half-cycles before the current one used as the reference of a collapse.
    """

    hard_short_mV: float = 2.0
    collapse_fraction: float = 0.3
    noise_limit: float = 0.8
    cutoff_mV: float | None = DIVERGENCE_BOUND_MV
    growth_factor: float | None = None
    early_window: int = 10
    reference_window: int = 5


@dataclass(frozen=True)
class Failure:
    """The failure found by :func:`detect_failure`.

    Attributes
    ----------
    time_h : float or None
        Start of the first failed half-cycle [h]; None when the cell did not fail.
    mode : str
        ``"hard_short"``, ``"soft_short"``, ``"overpotential_divergence"`` or ``"none"``.
    criterion : str
        The rule that fired, with its numbers, in words.
    half_cycle : int or None
        Index of the failed half-cycle (as in :func:`half_cycle_overpotentials`).
    """

    time_h: float | None
    mode: str
    criterion: str
    half_cycle: int | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain dict with stable keys (``failure_time_h``, ``failure_mode``, ...)."""
        d = asdict(self)
        return {
            "failure_time_h": d["time_h"],
            "failure_mode": d["mode"],
            "criterion": d["criterion"],
            "failed_half_cycle": d["half_cycle"],
        }


def _early_value(values: np.ndarray, window: int) -> float:
    """Median of the early values, skipping the first two half-cycles when possible."""
    skip = 2 if values.size > 4 else 0
    return float(np.nanmedian(values[skip : skip + max(window, 1)]))


def _rolling_reference(values: np.ndarray, window: int) -> np.ndarray:
    """Median of the *window* values before each half-cycle (NaN for the first)."""
    ref = pl.Series(values).shift(1).rolling_median(window, min_samples=1).to_numpy()
    return np.asarray(ref, dtype=float)


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def detect_failure(half_cycles: pl.DataFrame, criteria: FailureCriteria | None = None) -> Failure:
    """The first half-cycle at which the cell fails, its mode and the rule that fired.

    Rules, checked on every half-cycle; the earliest hit wins (a tie goes to the
    rule listed first):

    1. **hard short**: peak ``|V|`` < ``hard_short_mV`` (no polarisation at all);
    2. **soft short**: plateau / |I| < ``collapse_fraction`` × its median over the
       preceding ``reference_window`` half-cycles (a sudden collapse; a resistance,
       so that a step down in current is not mistaken for a short), or
       noise > ``noise_limit``;
    3. **overpotential divergence**: plateau > ``cutoff_mV`` (the stated bound), or
       (optional) plateau / |I| > ``growth_factor`` × its early value.

    Parameters
    ----------
    half_cycles : DataFrame
        Output of :func:`half_cycle_overpotentials`.
    criteria : FailureCriteria, optional
        Thresholds; defaults as in :class:`FailureCriteria`.
    """
    c = criteria or FailureCriteria()
    if half_cycles.height == 0:
        raise AnalysisError("no half-cycles to check for failure")
    eta = half_cycles.get_column("overpotential_mV").to_numpy().astype(float)
    peak = half_cycles.get_column("peak_mV").to_numpy().astype(float)
    noise = half_cycles.get_column("noise").to_numpy().astype(float)
    current = np.abs(half_cycles.get_column("current_A").to_numpy().astype(float))
    resistance = eta / np.where(current > 0, current, np.nan)  # mV/A, constant-current safe
    early = _early_value(resistance, c.early_window)
    ref = _rolling_reference(resistance, c.reference_window)
    diverged = np.zeros(eta.size, dtype=bool)
    parts = []
    if c.cutoff_mV is not None:
        diverged |= eta > c.cutoff_mV
        parts.append(f"plateau > bound {c.cutoff_mV:g} mV")
    if c.growth_factor is not None:
        diverged |= resistance > c.growth_factor * early
        parts.append(f"|V|/|I| > {c.growth_factor:g} x its early value")
    rule_text = ", or ".join(parts) or "no divergence rule"
    rules = (
        ("hard_short", peak < c.hard_short_mV, f"peak |V| < {c.hard_short_mV:g} mV"),
        (
            "soft_short",
            resistance < c.collapse_fraction * ref,
            f"|V|/|I| < {c.collapse_fraction:g} x median of previous {c.reference_window}",
        ),
        ("soft_short", noise > c.noise_limit, f"noise (P90-P10)/median > {c.noise_limit:g}"),
        ("overpotential_divergence", diverged, rule_text),
    )
    hits = [(idx, order) for order, (_, m, _) in enumerate(rules) if (idx := _first(m)) is not None]
    if not hits:
        return Failure(None, "none", "no rule fired")
    idx, order = min(hits)
    mode, _, text = rules[order]
    row = half_cycles.row(idx, named=True)
    return Failure(float(row["start_h"]), mode, text, int(row["half_cycle"]))
