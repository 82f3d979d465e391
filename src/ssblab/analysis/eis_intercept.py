"""The measured high-frequency intercept, and a model's R_inf held to it.

An equivalent-circuit fit's series resistance (``R0``) and the DRT's R_inf are one
quantity, the ohmic resistance; both are checked here against the one value the data
give, the high-frequency end of the spectrum (:func:`hf_intercept`): Z' where Z''
changes sign at the top of the band (interpolated), or else Z' at the highest frequency.

Flags (:func:`intercept_flags`), codes fixed:

* ``hf_intercept_not_reached``: −Z'' at f_max is over :data:`INTERCEPT_REACHED` of its
  largest value, so an arc runs on above the band; R_inf is then only bounded,
  0 ≤ R_inf ≤ Z'(f_max) (a passive circuit has Z'(ω) ≥ R_inf at every ω).
* ``above_hf_intercept``: the model's value exceeds the measured intercept by more than
  3 standard errors and :data:`INTERCEPT_SLACK`; by the same bound it then misses a
  high-frequency feature and is not the ohmic resistance.
* ``below_hf_intercept``: lower than the intercept by more than an arc's unmeasured end
  can leave: above its apex a ZARC with φ ≥ 0.5 has Z' − R_inf ≤ cot(φπ/4)·(−Z'') ≤
  cot(π/8)·(−Z'') (ZARC: Cole & Cole, J. Chem. Phys. 9 (1941) 341).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ssblab.flags import Flag

#: The high-frequency intercept counts as reached when Z'' changes sign at the top of the
#: band, or −Z'' at the highest frequency is at most this fraction of its largest value.
INTERCEPT_REACHED = 0.1
#: Noise allowance when a model's R_inf is held to the measured intercept [fraction].
INTERCEPT_SLACK = 0.05
#: cot(π/8) ≈ 2.414, the most Z' − R_inf over −Z'' above the apex of a ZARC with φ ≥ 0.5.
_COT_PI_8 = 1.0 / math.tan(math.pi / 8.0)


@dataclass(frozen=True)
class Intercept:
    """The spectrum's high-frequency end: where it meets, or nears, the real axis.

    ``r_ohm`` is Z' at the Z'' = 0 crossing (interpolated) or at the highest frequency
    ``f_hz`` [Ω, Hz]; ``minus_z_imag_ohm`` is −Z'' of the point(s) next to it [Ω];
    ``fraction`` that −Z'' over the spectrum's largest −Z'' [-].
    """

    r_ohm: float
    f_hz: float
    minus_z_imag_ohm: float
    fraction: float
    crossing: bool

    @property
    def reached(self) -> bool:
        """Whether the data reach the real axis closely enough to measure R_inf."""
        return self.crossing or self.fraction <= INTERCEPT_REACHED


def hf_intercept(f: np.ndarray, z: np.ndarray) -> Intercept:
    """The measured high-frequency intercept of a spectrum (see :class:`Intercept`)."""
    order = np.argsort(f)[::-1]
    f, z = np.asarray(f, float)[order], np.asarray(z, complex)[order]
    mz = -z.imag
    top = max(float(mz.max()), 1e-300)
    if mz[0] < 0 and np.any(mz >= 0):
        k = int(np.argmax(mz >= 0))
        w = mz[k] / (mz[k] - mz[k - 1]) if mz[k] != mz[k - 1] else 0.0
        r = float(z.real[k] - w * (z.real[k] - z.real[k - 1]))
        near = float(max(abs(mz[k]), abs(mz[k - 1])))
        return Intercept(r, float(f[k]), near, near / top, True)
    return Intercept(float(z.real[0]), float(f[0]), float(mz[0]), float(mz[0]) / top, False)


def intercept_flags(
    quantity: str, value: float, stderr: float, f: np.ndarray, z: np.ndarray, drt: bool = False
) -> tuple[Flag, ...]:
    """Hold a model's R_inf / series resistance *value* ± *stderr* [Ω] to the measured
    high-frequency intercept of (*f* [Hz], *z* [Ω]); codes in the module docstring."""
    icpt = hf_intercept(f, z)
    sigma = 3.0 * stderr if math.isfinite(stderr) else 0.0
    flags: list[Flag] = []
    if not icpt.reached:
        why = (
            "; the DRT's basis stops at 1/ω_max, so it counts the unseen part of that arc "
            "into R_inf"
            if drt
            else f"; measure to higher frequency or hold {quantity} with --constant"
        )
        flags.append(
            Flag(
                quantity,
                "hf_intercept_not_reached",
                f"{quantity} = {value:.4g} Ω is not measured: at the highest frequency, "
                f"{icpt.f_hz:.3g} Hz, −Z'' is still {icpt.minus_z_imag_ohm:.3g} Ω "
                f"({icpt.fraction:.0%} of its largest), so an arc runs on above the band and "
                f"the data bound the ohmic resistance only to 0-{icpt.r_ohm:.4g} Ω (Z' there)"
                + why,
            )
        )
    where = "the Z'' = 0 crossing" if icpt.crossing else f"Z' at {icpt.f_hz:.3g} Hz"
    above = value - icpt.r_ohm
    if above > max(sigma, INTERCEPT_SLACK * icpt.r_ohm):
        flags.append(
            Flag(
                quantity,
                "above_hf_intercept",
                f"{quantity} = {value:.4g} Ω lies {above:.3g} Ω above the measured "
                f"high-frequency intercept {icpt.r_ohm:.4g} Ω ({where}); a passive circuit "
                "cannot, so the model misses a high-frequency feature and this is not the "
                "ohmic resistance",
            )
        )
    below = icpt.r_ohm - value
    allowed = max(sigma, _COT_PI_8 * icpt.minus_z_imag_ohm, INTERCEPT_SLACK * icpt.r_ohm)
    if icpt.reached and below > allowed:
        flags.append(
            Flag(
                quantity,
                "below_hf_intercept",
                f"{quantity} = {value:.4g} Ω lies {below:.3g} Ω below the measured "
                f"high-frequency intercept {icpt.r_ohm:.4g} Ω ({where}), more than the "
                f"{allowed:.3g} Ω an arc's unmeasured end leaves",
            )
        )
    return tuple(flags)
