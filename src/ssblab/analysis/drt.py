"""Distribution of relaxation times (DRT) by Tikhonov-regularised NNLS.

Model (impedance in Ω, angular frequency ω = 2πf in rad/s)::

    Z(ω) = R_inf + jωL + ∫ γ(ln τ) / (1 + jωτ) d ln τ

with γ ≥ 0 in Ω (per unit ln τ), so the area of a peak of γ over ln τ is the
resistance of that process and its position is its time constant τ [s].
Following Wan, Saccoccio, Chen and Ciucci, Electrochim. Acta 184 (2015) 483,
doi:10.1016/j.electacta.2015.09.097:

* γ is expanded in Gaussian radial basis functions φ_m(ln τ) = exp(−(ε(ln τ − ln τ_m))²)
  on a uniform ln τ grid from 1/ω_max to one decade beyond 1/ω_min (processes
  faster than 1/ω_max cannot be told from R_inf; slow capacitive tails need
  room), with shape factor ε making each Gaussian's full width at half maximum
  ``fwhm_spacings`` grid spacings.
* The basis integrals ∫ φ_m(y)/(1 + jω e^y) dy are taken by quadrature, for all
  frequencies and basis functions at once (one NumPy broadcast).
* **Both the real and the imaginary parts** are fitted together (stacked), with
  unknowns R_inf ≥ 0, L ≥ 0 (optional) and the basis weights x ≥ 0.
* The penalty is λ‖D x‖² with D the second-order difference of the basis
  weights (a discrete second derivative of γ; R_inf and L are not penalised).
  The constrained problem min ‖A x − b‖² + λ‖D x‖², x ≥ 0 is solved as one
  augmented non-negative least-squares problem (``scipy.optimize.nnls``).
* **λ is chosen by generalised cross-validation (GCV)**, Golub, Heath and Wahba,
  Technometrics 21 (1979) 215, doi:10.1080/00401706.1979.10489751: over a
  log-spaced grid, λ minimises n‖(I − H_λ) b‖² / tr(I − H_λ)², where
  H_λ = A (AᵀA + λDᵀD)⁻¹ Aᵀ is the influence matrix of the unconstrained problem.

Peaks of γ are found with ``scipy.signal.find_peaks`` (prominence above a
fraction of the maximum); each peak's resistance is the area of γ over ln τ
between the minima that bracket it, so the peak areas add up to the total
polarisation resistance.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab.analysis import drt_checks, eis_intercept
from ssblab.analysis.eis import spectrum_arrays
from ssblab.errors import AnalysisError
from ssblab.flags import Flag, as_dicts

#: λ candidates searched by GCV (dimensionless: A and b share the data's scale), six
#: per decade; a λ on either end is flagged (``lambda_at_edge``).
LAMBDA_GRID = np.logspace(-12, 2, 85)
#: RMSE above this fraction of the rms |Z| flags the DRT as not describing the data.
POOR_FIT = 0.02
_LN10 = np.log(10.0)


@dataclass(frozen=True)
class DrtPeak:
    """One relaxation process: time constant τ [s], resistance R [Ω], height γ [Ω]."""

    tau_s: float
    r_ohm: float
    gamma_max_ohm: float


@dataclass(frozen=True, eq=False)
class DrtResult:
    """A regularised DRT.

    Attributes
    ----------
    tau_s : numpy.ndarray
        Fine grid of relaxation times [s] on which *gamma_ohm* is given.
    gamma_ohm : numpy.ndarray
        γ(ln τ) [Ω per unit ln τ].
    r_inf_ohm : float
        High-frequency (ohmic) resistance [Ω].
    inductance_h : float
        Series inductance [H] (0 when not fitted).
    lambda_ : float
        Regularisation parameter used [1].
    criterion : str
        How λ was chosen: ``"gcv"`` or ``"given"``.
    peaks : tuple of DrtPeak
        Processes, from short to long τ.
    frequency_hz, z_measured_ohm, z_fit_ohm : numpy.ndarray
        The fitted data [Hz, Ω] and the DRT model at those frequencies [Ω].
    rmse_ohm : float
        RMS residual over the stacked real and imaginary parts [Ω].
    relative_rmse : float
        ‖Z_fit − Z‖ / ‖Z‖, the RMSE relative to the rms |Z| [-].
    flags : tuple of Flag
        ``lambda_at_edge`` (GCV chose an end of :data:`LAMBDA_GRID`),
        ``poor_fit`` (relative RMSE over :data:`POOR_FIT`) and
        ``peak_outside_window`` (a peak's τ outside 1/ω_max..1/ω_min).
    """

    tau_s: np.ndarray
    gamma_ohm: np.ndarray
    r_inf_ohm: float
    inductance_h: float
    lambda_: float
    criterion: str
    peaks: tuple[DrtPeak, ...]
    frequency_hz: np.ndarray
    z_measured_ohm: np.ndarray
    z_fit_ohm: np.ndarray
    rmse_ohm: float
    basis_tau_s: np.ndarray
    weights_ohm: np.ndarray
    epsilon: float
    relative_rmse: float = float("nan")
    flags: tuple[Flag, ...] = ()

    @property
    def r_polarisation_ohm(self) -> float:
        """Total area of γ over ln τ, the polarisation resistance [Ω]."""
        return float(np.trapezoid(self.gamma_ohm, np.log(self.tau_s)))

    def predict(self, frequency_hz: Sequence[float] | np.ndarray) -> np.ndarray:
        """DRT-model impedance [Ω, complex] at *frequency_hz* [Hz]."""
        omega = 2 * np.pi * np.asarray(frequency_hz, dtype=float)
        a_re, a_im = basis_matrices(omega, np.log(self.basis_tau_s), self.epsilon)
        gamma_part = (a_re + 1j * a_im) @ self.weights_ohm
        return self.r_inf_ohm + 1j * omega * self.inductance_h + gamma_part

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary with the CLI's stable keys."""
        return {
            "R_inf_ohm": self.r_inf_ohm,
            "inductance_H": self.inductance_h,
            "peaks": [{"tau_s": p.tau_s, "R_ohm": p.r_ohm} for p in self.peaks],
            "lambda": self.lambda_,
            "criterion": self.criterion,
            "rmse_ohm": self.rmse_ohm,
            "relative_rmse": self.relative_rmse,
            "flags": as_dicts(self.flags),
        }


def basis_matrices(
    omega: np.ndarray, ln_tau: np.ndarray, epsilon: float, n_quad: int = 81
) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary DRT kernels of the Gaussian basis, shape (n_ω, n_τ).

    Parameters
    ----------
    omega : array
        Angular frequencies [rad/s].
    ln_tau : array
        Basis centres ln τ_m [ln s].
    epsilon : float
        Gaussian shape factor [1/(ln s)].

    Notes
    -----
    With x = ln ω + ln τ_m and u the offset from the centre,
    Re = ∫ g(u) (1 − tanh(x + u))/2 du and Im = −∫ g(u) / (2 cosh(x + u)) du,
    g(u) = exp(−(εu)²); these are 1/(1 + ω²τ²) and −ωτ/(1 + ω²τ²) written
    without overflow.
    """
    u = np.linspace(-6.0 / epsilon, 6.0 / epsilon, n_quad)
    g = np.exp(-((epsilon * u) ** 2))
    x = np.log(omega)[:, None, None] + ln_tau[None, :, None] + u[None, None, :]
    re = np.trapezoid(g * 0.5 * (1.0 - np.tanh(x)), u, axis=-1)
    im = -np.trapezoid(g * 0.5 / np.cosh(np.clip(x, -700, 700)), u, axis=-1)
    return re, im


def fit_drt(
    frequency_hz: Sequence[float] | np.ndarray,
    z_ohm: Sequence[complex] | np.ndarray,
    *,
    lam: float | None = None,
    inductance: bool = True,
    points_per_decade: int = 10,
    fwhm_spacings: float = 2.0,
    peak_prominence: float = 0.02,
    min_peak_fraction: float = 0.1,
) -> DrtResult:
    """Regularised DRT of one spectrum.

    Parameters
    ----------
    frequency_hz : array of float
        Frequencies [Hz], positive.
    z_ohm : array of complex
        Impedance Z' + jZ'' [Ω], true sign (capacitive arcs have Z'' < 0).
    lam : float, optional
        Regularisation parameter λ [1]; chosen by GCV when omitted.
    inductance : bool
        Fit a series inductance L ≥ 0 [H] (cable/cell inductance at high f).
    points_per_decade : int
        Basis functions per decade of τ.
    fwhm_spacings : float
        Width of each Gaussian (full width at half maximum) in grid spacings.
    peak_prominence : float
        Smallest peak prominence kept, as a fraction of the largest γ [1].
    min_peak_fraction : float
        Smallest peak area reported, as a fraction of the polarisation
        resistance [1]; smaller peaks are merged into their neighbours. Noise
        of a few per cent of |Z| makes bumps of a few per cent of R_pol, so the
        default 0.1 reports only processes larger than that.

    Returns
    -------
    DrtResult

    Raises
    ------
    AnalysisError
        Too few points, non-finite values, or a non-positive frequency or λ.
    """
    f, z = _checked(frequency_hz, z_ohm, lam)
    omega = 2 * np.pi * f
    spacing = _LN10 / points_per_decade
    ln_tau = np.arange(-np.log(omega.max()), -np.log(omega.min()) + _LN10 + spacing / 2, spacing)
    epsilon = 2 * np.sqrt(np.log(2)) / (fwhm_spacings * spacing)
    design, scale = _design(omega, ln_tau, epsilon, inductance)
    target = np.concatenate([z.real, z.imag])
    n_extra = 1 + int(inductance)
    penalty = _second_difference(ln_tau.size, n_extra)
    criterion = "given" if lam is not None else "gcv"
    lam = float(lam) if lam is not None else gcv_lambda(design, target, penalty)
    solution = _nnls_tikhonov(design, target, penalty, lam)
    weights = solution[n_extra:]
    r_inf = float(solution[0])
    ind = float(solution[1] * scale) if inductance else 0.0
    z_fit = (design @ solution)[: f.size] + 1j * (design @ solution)[f.size :]
    fine_ln_tau = np.linspace(ln_tau[0], ln_tau[-1], 10 * ln_tau.size)
    gamma = np.exp(-((epsilon * (fine_ln_tau[:, None] - ln_tau[None, :])) ** 2)) @ weights
    residual = np.concatenate([(z_fit - z).real, (z_fit - z).imag])
    relative = float(np.sqrt(np.sum(np.abs(z_fit - z) ** 2) / np.sum(np.abs(z) ** 2)))
    peaks = find_peaks(fine_ln_tau, gamma, peak_prominence, min_peak_fraction)
    flags = drt_checks.drt_flags(lam, criterion, relative, f, z, LAMBDA_GRID, POOR_FIT)
    flags += drt_checks.window_flags([p.tau_s for p in peaks], omega)
    flags += eis_intercept.intercept_flags("R_inf", r_inf, float("nan"), f, z, drt=True)
    return DrtResult(
        tau_s=np.exp(fine_ln_tau),
        gamma_ohm=gamma,
        r_inf_ohm=r_inf,
        inductance_h=ind,
        lambda_=lam,
        criterion=criterion,
        peaks=peaks,
        frequency_hz=f,
        z_measured_ohm=z,
        z_fit_ohm=z_fit,
        rmse_ohm=float(np.sqrt(np.mean(residual**2))),
        basis_tau_s=np.exp(ln_tau),
        weights_ohm=weights,
        epsilon=float(epsilon),
        relative_rmse=relative,
        flags=flags,
    )


def drt_of_table(table: pl.DataFrame, **options: object) -> DrtResult:
    """DRT of an EIS table (frequency [Hz], Z real/imag [Ω]); see :func:`fit_drt`."""
    f, z = spectrum_arrays(table)
    return fit_drt(f, z, **options)  # type: ignore[arg-type]


def gcv_lambda(
    design: np.ndarray,
    target: np.ndarray,
    penalty: np.ndarray,
    grid: np.ndarray = LAMBDA_GRID,
) -> float:
    """λ minimising the generalised cross-validation score of the ridge problem.

    GCV(λ) = n ‖(I − H_λ) b‖² / tr(I − H_λ)², H_λ = A (AᵀA + λDᵀD)⁻¹ Aᵀ
    (doi:10.1080/00401706.1979.10489751).
    """
    gram = design.T @ design
    reg = penalty.T @ penalty
    rhs = design.T @ target
    n = target.size
    jitter = 1e-12 * np.trace(gram) * np.eye(gram.shape[0])
    systems = gram[None] + grid[:, None, None] * reg[None] + jitter[None]
    coeffs = np.linalg.solve(systems, np.broadcast_to(rhs, (grid.size, rhs.size))[..., None])
    residual = target[None, :] - (design @ coeffs)[..., 0]
    # tr(H) = tr(A K⁻¹ Aᵀ) = tr(K⁻¹ AᵀA)
    trace_h = np.trace(
        np.linalg.solve(systems, np.broadcast_to(gram, systems.shape)), axis1=1, axis2=2
    )
    score = n * np.sum(residual**2, axis=1) / (n - trace_h) ** 2
    return float(grid[int(np.nanargmin(score))])


def find_peaks(
    ln_tau: np.ndarray, gamma: np.ndarray, prominence: float, min_fraction: float
) -> tuple[DrtPeak, ...]:
    """Peaks of γ and their areas over ln τ, split at the minima between peaks.

    Parameters
    ----------
    ln_tau : array
        Uniform grid of ln τ [ln s].
    gamma : array
        γ on that grid [Ω].
    prominence : float
        Smallest prominence kept, as a fraction of max γ [1].
    min_fraction : float
        Peaks whose area is below this fraction of the total area are merged
        into their neighbours (the smallest first) [1].
    """
    from scipy.signal import find_peaks as scipy_find_peaks

    top = float(gamma.max()) if gamma.size else 0.0
    if top <= 0:
        return ()
    padded = np.concatenate([[0.0], gamma, [0.0]])
    idx = scipy_find_peaks(padded, prominence=prominence * top)[0] - 1
    total = float(np.trapezoid(gamma, ln_tau))
    areas = _areas(ln_tau, gamma, idx)
    while idx.size > 1 and areas.min() < min_fraction * total:
        idx = np.delete(idx, int(np.argmin(areas)))
        areas = _areas(ln_tau, gamma, idx)
    return tuple(
        DrtPeak(float(np.exp(ln_tau[i])), float(a), float(gamma[i]))
        for i, a in zip(idx, areas, strict=True)
    )


def _areas(ln_tau: np.ndarray, gamma: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Area of γ around each peak, between the minima that separate the peaks [Ω]."""
    cuts = [0]
    for left, right in itertools.pairwise(idx):
        cuts.append(int(left + np.argmin(gamma[left : right + 1])))
    cuts.append(gamma.size - 1)
    return np.array(
        [
            np.trapezoid(gamma[lo : hi + 1], ln_tau[lo : hi + 1])
            for lo, hi in itertools.pairwise(cuts)
        ]
    )


def _checked(
    frequency_hz: Sequence[float] | np.ndarray,
    z_ohm: Sequence[complex] | np.ndarray,
    lam: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(frequency_hz, dtype=float)
    z = np.asarray(z_ohm, dtype=complex)
    if f.ndim != 1 or f.shape != z.shape:
        raise AnalysisError("DRT needs 1-D frequency and impedance arrays of equal length")
    if f.size < 5:
        raise AnalysisError(f"DRT needs at least 5 frequencies, got {f.size}")
    if not (np.all(np.isfinite(f)) and np.all(f > 0) and np.all(np.isfinite(z))):
        raise AnalysisError("DRT needs positive frequencies and finite impedances")
    if np.unique(f).size < 5 or f.max() / f.min() < 10:
        raise AnalysisError("DRT needs at least 5 distinct frequencies spanning a decade")
    if lam is not None and not (np.isfinite(lam) and lam > 0):
        raise AnalysisError(f"regularisation parameter must be positive, got {lam}")
    return f, z


def _design(
    omega: np.ndarray, ln_tau: np.ndarray, epsilon: float, inductance: bool
) -> tuple[np.ndarray, float]:
    """Stacked [real; imag] design matrix with R_inf, (L) and basis columns."""
    a_re, a_im = basis_matrices(omega, ln_tau, epsilon)
    n = omega.size
    columns = [np.concatenate([np.ones(n), np.zeros(n)])]
    scale = 1.0 / omega.max()  # L column scaled to O(1); L = weight × scale [H]
    if inductance:
        columns.append(np.concatenate([np.zeros(n), omega * scale]))
    extra = np.column_stack(columns)
    return np.hstack([extra, np.vstack([a_re, a_im])]), scale


def _second_difference(n_basis: int, n_extra: int) -> np.ndarray:
    """Second-difference operator on the basis weights; zero on R_inf and L."""
    d = np.zeros((n_basis - 2, n_basis + n_extra))
    rows = np.arange(n_basis - 2)
    d[rows, n_extra + rows] = 1.0
    d[rows, n_extra + rows + 1] = -2.0
    d[rows, n_extra + rows + 2] = 1.0
    return d


def _nnls_tikhonov(
    design: np.ndarray, target: np.ndarray, penalty: np.ndarray, lam: float
) -> np.ndarray:
    """Solve min ‖A x − b‖² + λ‖D x‖² subject to x ≥ 0."""
    from scipy.optimize import nnls

    stacked = np.vstack([design, np.sqrt(lam) * penalty])
    rhs = np.concatenate([target, np.zeros(penalty.shape[0])])
    solution, _ = nnls(stacked, rhs, maxiter=50 * stacked.shape[1])
    return solution
