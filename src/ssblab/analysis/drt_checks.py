"""Plausibility flags of a DRT (:mod:`ssblab.analysis.drt`): λ at an end of its GCV grid,
a fit that does not describe the spectrum, peaks outside the measured 1/ω window."""

from __future__ import annotations

import numpy as np

from ssblab.flags import Flag


def window_flags(taus: list[float], omega: np.ndarray) -> tuple[Flag, ...]:
    """``peak_outside_window``: a peak with τ beyond 1/ω_min or below 1/ω_max is extrapolated."""
    lo, hi = 1.0 / omega.max(), 1.0 / omega.min()
    return tuple(
        Flag(
            f"peak tau {tau:.3g} s",
            "peak_outside_window",
            f"τ = {tau:.3g} s lies outside the measured 1/ω range {lo:.3g}-{hi:.3g} s: "
            "an extrapolated tail, not a resolved process",
            "info",
        )
        for tau in taus
        if not lo <= tau <= hi
    )


def drt_flags(
    lam: float,
    criterion: str,
    relative: float,
    f: np.ndarray,
    z: np.ndarray,
    grid: np.ndarray,
    poor_fit: float,
) -> tuple[Flag, ...]:
    """``lambda_at_edge`` and ``poor_fit`` flags of one DRT (with a diffusion-tail hint)."""
    from ssblab.analysis.eis_checks import features

    flags = []
    if criterion == "gcv" and lam in (grid[0], grid[-1]):
        side = "smallest" if lam == grid[0] else "largest"
        flags.append(
            Flag(
                "lambda",
                "lambda_at_edge",
                f"GCV chose λ = {lam:.2g}, the {side} of its grid "
                f"{grid[0]:.0e}-{grid[-1]:.0e}: the optimum may lie beyond it; "
                "give --lambda",
            )
        )
    if relative > poor_fit:
        tail = features(f, z).tail_from_hz
        hint = (
            f"below {tail:.3g} Hz the spectrum turns up into a diffusion tail, which is no "
            f"relaxation: fit above it (--fmin {tail:.3g})"
            if tail is not None
            else "a blocking or diffusion tail, or data that fail Kramers-Kronig?"
        )
        flags.append(
            Flag(
                "rmse_ohm",
                "poor_fit",
                f"RMSE is {relative:.1%} of |Z| (> {poor_fit:.0%}): the DRT does not "
                f"describe the spectrum ({hint})",
            )
        )
    return tuple(flags)
