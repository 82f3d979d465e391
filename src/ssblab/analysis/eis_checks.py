"""Start values read off a spectrum, and the plausibility flags of a circuit fit.

**Start values** (:func:`initial_guess`): the high-frequency intercept R_hf
(the smallest Z' of the top tenth of a capacitive band, or Z' where Z'' crosses zero from
the inductive side), the arcs (prominent maxima of −Z'' walking from high to low
frequency; arc k spans from the previous arc's end to the next minimum of −Z'',
or twice its apex distance when it does not close), and the lowest frequency.
A series R starts at R_hf, the k-th parallel block at arc k (R = its diameter,
C = τ/R and CPE Q = τ^φ/R with τ = 1/(2π f_apex), φ = 0.8), a Warburg at the
low-frequency tail, an inductor at Z''/ω of the highest frequency. Resistances
are then bounded by :data:`R_UPPER_FACTOR` × max|Z| (:func:`default_bounds`).

**Flags** (:func:`fit_flags`), codes fixed: ``collapsed`` (a parameter below
1e-6 of its scale: max|Z| for Ω, the start value otherwise), ``at_bound``,
``beyond_scale`` (a resistance over 100 × max|Z|, outside the measured window),
``no_uncertainty`` (impedance.py gave no finite standard error), ``uncertain``
(standard error larger than the value), ``cpe_not_capacitive`` (a CPE exponent
below :data:`CPE_PHI_MIN`: the element is nearer a resistor than the capacitive
arc of a double layer or grain boundary, so its R and Q are not that arc's) and
``poor_fit`` (relative residual ‖Z_fit − Z‖/‖Z‖ over :data:`POOR_FIT`, with a hint
when the spectrum ends in a diffusion tail that the circuit has no element for).
The series resistance is also held to the measured high-frequency intercept
(:mod:`ssblab.analysis.eis_intercept`), as the DRT's R_inf is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ssblab.analysis.eis_circuit import CircuitSpec, top_level_terms
from ssblab.analysis.eis_intercept import intercept_flags
from ssblab.errors import AnalysisError
from ssblab.flags import COLLAPSED_FRACTION, Flag

#: Relative residual above which a fit is flagged poor.
POOR_FIT = 0.05
#: CPE exponents φ below this are flagged ``cpe_not_capacitive`` (0.5 is a semi-infinite
#: Warburg's; a depressed interfacial arc has φ ≈ 0.7-1: Orazem & Tribollet,
#: Electrochemical Impedance Spectroscopy, 2nd ed., Wiley 2017, on constant-phase elements).
CPE_PHI_MIN = 0.5
#: Resistances above this multiple of max|Z| are flagged ``beyond_scale``.
BEYOND_SCALE = 100.0
#: Upper bound of a resistance in automatic fits, as a multiple of max|Z|.
R_UPPER_FACTOR = 1000.0
#: An arc's apex must stand out by this fraction of the range of −Z''.
ARC_PROMINENCE = 0.1
#: CPE exponent used as start value.
PHI_START = 0.8


@dataclass(frozen=True)
class Features:
    """What a spectrum shows: intercept and arcs [Ω, Hz], and its scale."""

    r_hf_ohm: float
    arcs: tuple[tuple[float, float], ...]  # (diameter Ω, apex frequency Hz)
    tail_ohm: float
    f_min_hz: float
    z_scale_ohm: float
    tail_from_hz: float | None = None  # where −Z'' turns up into an unclosed low-f tail
    inductance_h: float = 1e-9  # Z''/ω at the highest frequency when inductive [H]


def features(f: np.ndarray, z: np.ndarray) -> Features:
    """Intercept, arcs and low-frequency tail of a spectrum (see the module docstring)."""
    from scipy.signal import find_peaks, medfilt

    order = np.argsort(f)[::-1]  # high to low frequency
    f, z = f[order], z[order]
    mz = -z.imag
    inductive = np.flatnonzero(mz < 0)
    if inductive.size and inductive[0] == 0 and inductive.size < f.size:
        k = int(np.argmax(mz >= 0))  # first capacitive point after the inductive ones
        w = mz[k] / (mz[k] - mz[k - 1]) if mz[k] != mz[k - 1] else 0.0
        r_hf = float(z.real[k] - w * (z.real[k] - z.real[k - 1]))
    else:  # Z' at the top of the band; the smallest Z' may be a noisy low-frequency point
        r_hf = float(min(z.real[: max(3, z.size // 10)].min(), z.real[0]))
    r_hf = max(r_hf, 0.0)
    smooth = medfilt(mz, 3) if mz.size >= 3 else mz
    span = float(np.ptp(smooth)) or 1.0
    padded = np.concatenate([[-np.inf], smooth, [-np.inf]])
    apexes, _ = find_peaks(padded, prominence=ARC_PROMINENCE * span)
    apexes = apexes - 1
    arcs, start, tail_from = [], r_hf, None
    for j, a in enumerate(apexes):
        nxt = apexes[j + 1] if j + 1 < apexes.size else mz.size
        low = a + int(np.argmin(smooth[a:nxt])) if nxt > a else a
        closed = low < mz.size - 1 and smooth[low] < smooth[a]
        if not closed and j > 0 and a >= mz.size - 2:
            tail_from = float(f[int(np.argmin(smooth[apexes[j - 1] : a])) + apexes[j - 1]])
            break
        end = float(z.real[low]) if closed else start + 2.0 * (float(z.real[a]) - start)
        # an apex on the first point: the arc lies above the measured band; take the
        # spread of Z' as its size rather than a zero diameter
        floor = float(np.ptp(z.real)) if a == 0 else 0.0
        end = max(end, start + max(floor, 0.01 * float(np.abs(z).max())))
        arcs.append((end - start, float(f[a])))
        start = end
    tail = float(z.real[-1]) - start
    scale = float(np.abs(z).max())
    inductance = float(z.imag[0]) / (2.0 * math.pi * float(f[0])) if z.imag[0] > 0 else 1e-9
    return Features(
        r_hf, tuple(arcs), max(tail, 0.1 * scale), float(f[-1]), scale, tail_from, inductance
    )


def _kind(name: str) -> str:
    return re.sub(r"[0-9_]", "", name)


def initial_guess(spec: CircuitSpec, f: np.ndarray, z: np.ndarray) -> list[float]:
    """Start values for every free parameter of *spec*, read off the spectrum.

    Raises
    ------
    AnalysisError
        For an element with no rule here (give the start values by hand).
    """
    feat = features(f, z)
    arcs = list(feat.arcs) or [(max(feat.z_scale_ohm - feat.r_hf_ohm, 1e-12), feat.f_min_hz)]
    values: dict[str, float] = {}
    block = 0
    series_r = 0
    for term in top_level_terms(spec.circuit):
        if len(term) > 1 or term[0] not in spec.elements or _is_parallel(spec, term):
            r_arc, f_apex = arcs[min(block, len(arcs) - 1)]
            resistors = [e for e in term if _kind(e) == "R"] or [None]
            r = r_arc / len(resistors)
            block += 1
        else:
            r, f_apex = (feat.r_hf_ohm if series_r == 0 else 0.01 * feat.r_hf_ohm), None
            series_r += _kind(term[0]) == "R"
        for element in term:
            values |= _element_guess(element, r, f_apex, feat)
    return [values[n] for n in spec.parameter_names]


def _is_parallel(spec: CircuitSpec, term: tuple[str, ...]) -> bool:
    return any(e in spec.parallel_resistors for e in term)


def _element_guess(
    name: str, r_ohm: float, f_apex: float | None, feat: Features
) -> dict[str, float]:
    kind = _kind(name)
    w_min = 2.0 * math.pi * feat.f_min_hz
    tau = 1.0 / (2.0 * math.pi * f_apex) if f_apex else 1.0 / w_min
    r = max(r_ohm, 1e-12)
    if kind == "R":
        return {name: r}
    if kind == "C":
        return {name: tau / r if f_apex else 1.0 / (w_min * feat.z_scale_ohm)}
    if kind == "CPE":
        q = tau**PHI_START / r if f_apex else 1.0 / (feat.z_scale_ohm * w_min**PHI_START)
        return {f"{name}_0": q, f"{name}_1": PHI_START}
    if kind == "L":
        return {name: feat.inductance_h}
    if kind == "W":
        return {name: feat.tail_ohm * math.sqrt(w_min)}
    if kind in ("Wo", "Ws"):
        return {f"{name}_0": feat.tail_ohm, f"{name}_1": 1.0 / w_min}
    raise AnalysisError(
        f"no automatic start value for element {kind!r} ({name}): give --initial values"
    )


def cut_tail(
    spec: CircuitSpec, f: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[Flag, ...]]:
    """The points above a diffusion tail that *spec* has no Warburg for, and a note."""
    if any(_kind(e) in ("W", "Wo", "Ws") for e in spec.elements):
        return f, z, ()
    tail = features(f, z).tail_from_hz
    if tail is None:
        return f, z, ()
    keep = f >= tail * (1 - 1e-9)
    note = Flag(
        "fit",
        "tail_cut",
        f"{int((~keep).sum())} of {f.size} points below {tail:.3g} Hz (a diffusion tail the "
        "circuit has no element for) left out of the fit",
        "info",
    )
    return f[keep], z[keep], (note,)


def default_bounds(spec: CircuitSpec, z_scale_ohm: float) -> tuple[list[float], list[float]]:
    """impedance.py's bounds (0..inf, CPE φ ≤ 1) with resistances ≤ R_UPPER_FACTOR·max|Z|."""
    lower, upper = [], []
    for name, unit in zip(spec.parameter_names, spec.parameter_units, strict=True):
        lower.append(0.0)
        if _kind(name) == "CPE" and name.endswith("_1"):
            upper.append(1.0)
        elif unit == "Ohm":
            upper.append(R_UPPER_FACTOR * z_scale_ohm)
        else:
            upper.append(math.inf)
    return lower, upper


def not_converged(spec: CircuitSpec, f: np.ndarray, budget: int) -> str:
    """The refusal of a fit that ran out of its *budget* of evaluations at frequencies *f*
    [Hz]: the data do not determine the circuit's parameters."""
    n = len(spec.parameter_names)
    return (
        f"circuit {spec.circuit!r}: fit did not converge in {budget} evaluations: {f.size} "
        f"points over {f.min():.3g}-{f.max():.3g} Hz do not determine its {n} parameters "
        "(hold some with --constant, or fit a wider frequency range)"
    )


def relative_residual(z: np.ndarray, z_fit: np.ndarray) -> float:
    """‖Z_fit − Z‖ / ‖Z‖ = RMSE over the rms |Z| [-]."""
    return float(np.sqrt(np.sum(np.abs(z_fit - z) ** 2) / max(np.sum(np.abs(z) ** 2), 1e-300)))


def fit_flags(
    spec: CircuitSpec,
    values: np.ndarray,
    stderrs: np.ndarray,
    guess: list[float],
    bounds: tuple[list[float], list[float]] | None,
    f: np.ndarray,
    z: np.ndarray,
    z_fit: np.ndarray,
) -> tuple[Flag, ...]:
    """The flags of one fit (codes in the module docstring)."""
    names, units = spec.parameter_names, spec.parameter_units
    scale_z = float(np.abs(z).max())
    flags: list[Flag] = []
    lower, upper = bounds if bounds is not None else ([0.0] * len(names), [math.inf] * len(names))
    for k, name in enumerate(names):
        v, e, unit = float(values[k]), float(stderrs[k]), units[k]
        scale = scale_z if unit == "Ohm" else abs(guess[k]) or 1.0
        if abs(v) < COLLAPSED_FRACTION * scale:
            flags.append(Flag(name, "collapsed", f"{v:.3g} {unit} is below 1e-6 of {scale:.3g}"))
        elif math.isfinite(upper[k]) and v >= upper[k] * (1 - 1e-6):
            flags.append(Flag(name, "at_bound", f"{v:.4g} {unit} sits at its upper bound"))
        elif lower[k] > 0 and v <= lower[k] * (1 + 1e-6):
            flags.append(Flag(name, "at_bound", f"{v:.4g} {unit} sits at its lower bound"))
        if _kind(name) == "CPE" and name.endswith("_1") and v < CPE_PHI_MIN:
            flags.append(
                Flag(
                    name,
                    "cpe_not_capacitive",
                    f"CPE exponent {v:.3g} < {CPE_PHI_MIN:g}: nearer a resistor than a "
                    "capacitive arc; its R and Q do not describe one",
                )
            )
        if unit == "Ohm" and v > BEYOND_SCALE * scale_z:
            flags.append(
                Flag(
                    name,
                    "beyond_scale",
                    f"{v:.3g} Ω is over {BEYOND_SCALE:g} × the spectrum's max |Z| "
                    f"{scale_z:.3g} Ω: not determined by the data",
                )
            )
        if not (math.isfinite(e) and e > 1e-12 * abs(v)):
            flags.append(
                Flag(
                    name,
                    "no_uncertainty",
                    f"the fit gave no usable standard error ({e:.3g} {unit}): "
                    "degenerate covariance",
                )
            )
        elif e > abs(v):
            flags.append(
                Flag(name, "uncertain", f"standard error {e:.3g} exceeds the value {v:.3g} {unit}")
            )
    series = [k for k, n in enumerate(names) if n in spec.series_resistors]
    if series:
        flags.extend(
            intercept_flags(
                "+".join(names[k] for k in series),
                float(sum(values[k] for k in series)),
                float(np.sqrt(sum(stderrs[k] ** 2 for k in series))),
                f,
                z,
            )
        )
    rel = relative_residual(z, z_fit)
    if rel > POOR_FIT:
        hint = "a missing arc or diffusion tail? try --fmin/--fmax"
        tail = features(f, z).tail_from_hz
        diffusive = any(_kind(e) in ("W", "Wo", "Ws") for e in spec.elements)
        if tail is not None and not diffusive:
            hint = (
                f"below {tail:.3g} Hz the spectrum turns up into a diffusion tail the circuit "
                f"has no element for: add a Warburg (-Wo1) or fit above it (--cut-tail, or "
                f"--fmin {tail:.3g})"
            )
        flags.append(
            Flag(
                "fit",
                "poor_fit",
                f"relative residual {rel:.1%} > {POOR_FIT:.0%}: the circuit does not describe "
                f"the spectrum ({hint})",
            )
        )
    return tuple(flags)
