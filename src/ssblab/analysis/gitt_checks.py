"""Checks of a GITT run: which framed current segments form the regular pulse train, and
the flags on the pulses (left-out segments, truncated pulses, missing material inputs,
pulses outside the short-time regime, ΔEs above ΔEτ, an implausible D). Used by
:mod:`ssblab.analysis.gitt`.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from ssblab.flags import Flag

#: A pulse train needs at least this many similar pulses in a row in one direction.
MIN_RUN = 5
#: Pulses of a train share the current within this relative tolerance ...
CURRENT_TOLERANCE = 0.10
#: ... and last between these fractions of the train's typical duration.
DURATION_RANGE = (0.5, 1.25)
#: A train pulse shorter than this fraction of the typical one is flagged truncated.
TRUNCATED_FRACTION = 0.9
#: A pulse whose E(√t) has r² below this is not in the Weppner-Huggins regime.
SQRT_T_R2_MIN = 0.95
#: Solid-state diffusivities outside this range point to a wrong input [cm²/s].
D_RANGE = (1e-16, 1e-6)
#: τ·D/L² above which a pulse is flagged as outside the short-time regime.
SHORT_TIME_LIMIT = 0.1


def regular_train(candidates: pl.DataFrame) -> tuple[np.ndarray, float, float]:
    """Which framed current segments form the regular pulse train.

    Returns a boolean mask over *candidates* (rows in time order), the train's
    typical duration [s] and |current| [A]. The typical pulse is that of the most
    common kind of segment (:func:`_typical_pulse`); members share its current
    (:data:`CURRENT_TOLERANCE`) and last :data:`DURATION_RANGE` of its duration,
    and only runs of :data:`MIN_RUN` or more in one direction count.
    """
    duration = candidates.get_column("duration_s").to_numpy()
    amp = candidates.get_column("mean_current_A").abs().to_numpy()
    state = candidates.get_column("state").to_numpy()
    if duration.size == 0:
        return np.zeros(0, dtype=bool), math.nan, math.nan
    typical_d, typical_i = _typical_pulse(duration, amp)
    lo, hi = DURATION_RANGE
    member = (np.abs(amp / typical_i - 1.0) <= CURRENT_TOLERANCE) & (
        (duration >= lo * typical_d) & (duration <= hi * typical_d)
    )
    mask = np.zeros(duration.size, dtype=bool)
    start = 0
    for j in range(1, duration.size + 1):
        ends = j == duration.size or not (member[j] and state[j] == state[start])
        if ends:
            if member[start] and j - start >= MIN_RUN:
                mask[start:j] = True
            start = j
    return mask, typical_d, typical_i


def _typical_pulse(duration: np.ndarray, amp: np.ndarray) -> tuple[float, float]:
    """Median duration [s] and |I| [A] of the most common kind of framed segment.

    Segments are binned on log duration (bins of ln 1.25) and log |I| (ln 1.1);
    the most populated bin, with its neighbours, gives the medians. Linear in
    the number of segments (a long cycling file has tens of thousands).
    """
    d_bin = np.floor(np.log(np.maximum(duration, 1e-9)) / np.log(1.25)).astype(np.int64)
    i_bin = np.floor(np.log(np.maximum(amp, 1e-15)) / np.log(1.0 + CURRENT_TOLERANCE))
    i_bin = i_bin.astype(np.int64)
    keys, counts = np.unique(np.stack([d_bin, i_bin]), axis=1, return_counts=True)
    best_d, best_i = keys[:, int(np.argmax(counts))]
    near = (np.abs(d_bin - best_d) <= 1) & (np.abs(i_bin - best_i) <= 1)
    return float(np.median(duration[near])), float(np.median(amp[near]))


def train_flags(
    candidates: pl.DataFrame, mask: np.ndarray, typical_d: float, typical_i: float
) -> list[Flag]:
    flags = []
    left_out = candidates.filter(~pl.Series(mask))
    if left_out.height:
        d = left_out.get_column("duration_s")
        flags.append(
            Flag(
                "pulses",
                "not_in_train",
                f"{left_out.height} current segments framed by rests left out: not in the "
                f"train of {typical_d:.4g} s pulses at {typical_i * 1e3:.4g} mA "
                f"(their durations {d.min():.4g}-{d.max():.4g} s)",
                "info",
            )
        )
    return flags


def missing_inputs(**values: float | None) -> tuple[Flag, ...]:
    hints = {
        "active_mass_g": "the active mass (--mass-mg or the file)",
        "molar_mass_g_mol": "the molar mass (--material or --molar-mass)",
        "molar_volume_cm3_mol": "the molar volume (--material or --molar-volume)",
        "area_cm2": "the contact area (--area-cm2 or the file)",
    }
    missing = [hints[k] for k, v in values.items() if v is None]
    if not missing:
        return ()
    return (
        Flag(
            "D_cm2_s",
            "missing_input",
            f"D not given: {', '.join(missing)} missing; D/L² needs none and is given",
            "info",
        ),
    )


def pulse_flags(out: pl.DataFrame, typical_d: float | None) -> list[Flag]:
    flags = []
    if typical_d is not None:
        short = out.filter(pl.col("duration_s") < TRUNCATED_FRACTION * typical_d)
        if short.height:
            flags.append(
                Flag(
                    "duration_s",
                    "truncated_pulse",
                    f"pulses {short.get_column('pulse').to_list()} end before "
                    f"{TRUNCATED_FRACTION:.0%} of the train's {typical_d:.4g} s "
                    "(a voltage limit?): their τ is their own",
                )
            )
    slow = out.filter(pl.col("tau_D_over_L2") > SHORT_TIME_LIMIT)
    if slow.height:
        flags.append(
            Flag(
                "D_cm2_s",
                "not_short_time",
                f"{slow.height} pulses have τD/L² > {SHORT_TIME_LIMIT:g}: outside the "
                "short-time regime of Weppner-Huggins, D is underestimated there",
            )
        )
    large = out.filter(pl.col("delta_Es_V") > pl.col("delta_Etau_V"))
    if large.height:
        flags.append(
            Flag(
                "delta_Es_V",
                "large_delta_Es",
                f"{large.height} pulses have ΔEs > ΔEτ (pulses {_some(large)}): "
                "Weppner-Huggins assumes a small step on a linear E(√t), D and D/L² there "
                "are unreliable",
            )
        )
    bent = out.filter(pl.col("sqrt_t_r2") < SQRT_T_R2_MIN)
    if bent.height:
        flags.append(
            Flag(
                "delta_Etau_V",
                "nonlinear_sqrt_t",
                f"{bent.height} pulses have E against √t with r² < {SQRT_T_R2_MIN:g} "
                f"(pulses {_some(bent)}): Weppner-Huggins needs E linear in √t during the pulse",
            )
        )
    d = pl.col("D_cm2_s")
    odd = out.filter(d.is_not_null() & ((d < D_RANGE[0]) | (d > D_RANGE[1])))
    if odd.height:
        flags.append(
            Flag(
                "D_cm2_s",
                "D_out_of_range",
                f"{odd.height} pulses give D outside {D_RANGE[0]:g}-{D_RANGE[1]:g} cm²/s "
                f"(pulses {_some(odd)}): check the mass, area and molar volume",
            )
        )
    return flags


def _some(rows: pl.DataFrame, shown: int = 5) -> str:
    """The first pulse numbers of *rows*, with an ellipsis when there are more."""
    numbers = rows.get_column("pulse").to_list()
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (", ..." if len(numbers) > shown else "")
