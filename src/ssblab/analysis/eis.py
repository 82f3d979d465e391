"""Equivalent-circuit fitting of impedance spectra, built on impedance.py.

Circuits are written exactly as impedance.py writes them: ``-`` joins elements
in series, ``p(a,b)`` puts branches in parallel, and a digit/underscore suffix
labels an element (``R0-p(R1,CPE1)-W1``). impedance.py turns that string into
Python source and ``eval``s it, so every string is first checked by
:func:`ssblab.analysis.eis_circuit.parse_circuit` against a strict grammar made
only of impedance.py's registered element names.

Elements used most here (impedance in Ω, angular frequency ω = 2πf in rad/s):

* ``R`` resistor, Z = R [Ω].
* ``C`` capacitor, Z = 1 / (jωC), C in F.
* ``CPE`` constant-phase element, Z = 1 / (Q (jω)^φ), Q in F·s^(φ−1), 0 < φ ≤ 1
  (parameters ``CPEn_0`` = Q, ``CPEn_1`` = φ). In parallel with R it is a ZARC
  of time constant τ = (R Q)^(1/φ) [s]; see :func:`zarc_tau`
  (Brug et al., J. Electroanal. Chem. 176 (1984) 275, doi:10.1016/S0022-0728(84)80324-1).
* ``W`` semi-infinite Warburg, ``Wo`` finite-space (open) Warburg with
  parameters R [Ω] and τ [s], ``L`` inductor [H]; see impedance.py's elements
  (Murbach et al., JOSS 5 (2020) 2349, doi:10.21105/joss.02349).

The fit is impedance.py's ``CustomCircuit.fit`` (scipy ``curve_fit`` on the
stacked real and imaginary parts); standard errors are its ``conf_`` (square
roots of the covariance diagonal). RMSE is taken over the same 2N stacked
residuals, so for white noise of σ per component it tends to σ [Ω]; the
relative residual ‖Z_fit − Z‖/‖Z‖ is given beside it.

Without start values, they are read off the spectrum and resistances are
bounded by 1000 × max|Z| (:mod:`ssblab.analysis.eis_checks`). Every fit carries
flags: a parameter collapsed to zero or at a bound, a resistance far beyond the
spectrum, a missing or larger-than-value standard error, a poor fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import eis_checks
from ssblab.analysis.eis_circuit import CircuitSpec, impedance_module, parse_circuit
from ssblab.errors import AnalysisError
from ssblab.flags import Flag, as_dicts

#: Function evaluations allowed per fitted parameter (scipy ``max_nfev``; 2-point Jacobian
#: evaluations not counted). impedance.py allows 1e5 in all; the real spectra in
#: shared/data needed at most 59 per parameter (GEIS Li|Li, one arc) and 72 (two arcs),
#: while 6 points of a truncated CH Instruments file wandered 11 836 evaluations (18 s).
MAX_EVALUATIONS_PER_PARAMETER = 200

__all__ = [
    "CircuitFit",
    "CircuitSpec",
    "fit_circuit",
    "fit_spectrum",
    "frequency_window",
    "parse_circuit",
    "spectrum_arrays",
    "zarc_tau",
]


@dataclass(frozen=True, eq=False)
class CircuitFit:
    """The result of fitting one spectrum with one circuit.

    Attributes
    ----------
    circuit : str
        The circuit string (impedance.py syntax).
    names, units : tuple of str
        Fitted parameter names (``R0``, ``CPE1_0`` ...) and their units.
    values, stderrs : numpy.ndarray
        Best-fit values and one-standard-deviation errors, in *units*.
    constants : dict
        Parameters held fixed, by name.
    frequency_hz : numpy.ndarray
        Frequencies that were fitted [Hz].
    z_measured_ohm, z_fit_ohm : numpy.ndarray
        Complex impedance measured and modelled at *frequency_hz* [Ω].
    rmse_ohm : float
        Root-mean-square residual over real and imaginary parts [Ω].
    spec : CircuitSpec
        The parsed circuit.
    initial : tuple of float
        The start values used (given, or read off the spectrum).
    relative_residual : float
        ‖Z_fit − Z‖ / ‖Z‖ [-].
    flags : tuple of Flag
        Plausibility flags (:func:`ssblab.analysis.eis_checks.fit_flags`).
    """

    circuit: str
    names: tuple[str, ...]
    units: tuple[str, ...]
    values: np.ndarray
    stderrs: np.ndarray
    constants: dict[str, float]
    frequency_hz: np.ndarray
    z_measured_ohm: np.ndarray
    z_fit_ohm: np.ndarray
    rmse_ohm: float
    spec: CircuitSpec = field(repr=False)
    initial: tuple[float, ...] = ()
    relative_residual: float = float("nan")
    flags: tuple[Flag, ...] = ()

    @property
    def parameters(self) -> dict[str, float]:
        """Best-fit values by parameter name."""
        return dict(zip(self.names, self.values.tolist(), strict=True))

    @property
    def stderr(self) -> dict[str, float]:
        """One-standard-deviation errors by parameter name."""
        return dict(zip(self.names, self.stderrs.tolist(), strict=True))

    def predict(self, frequency_hz: Sequence[float] | np.ndarray) -> np.ndarray:
        """Model impedance [Ω, complex] at *frequency_hz* [Hz]."""
        return _predict(self.spec, self.values, self.constants, frequency_hz)

    @property
    def r_b_ohm(self) -> float:
        """Series (bulk) resistance: sum of the top-level series resistors [Ω]."""
        return self._sum_of(self.spec.series_resistors)

    @property
    def r_ct_ohm(self) -> float:
        """Arc resistance: sum of the resistors inside parallel branches [Ω]."""
        return self._sum_of(self.spec.parallel_resistors)

    @property
    def r_b_stderr_ohm(self) -> float:
        """Standard error of :attr:`r_b_ohm` (diagonal of the covariance; fixed ones 0) [Ω]."""
        return self._stderr_of(self.spec.series_resistors)

    @property
    def r_ct_stderr_ohm(self) -> float:
        """Standard error of :attr:`r_ct_ohm` (diagonal of the covariance; fixed ones 0) [Ω]."""
        return self._stderr_of(self.spec.parallel_resistors)

    def _sum_of(self, names: tuple[str, ...]) -> float:
        known = {**self.constants, **self.parameters}
        return float(sum(known[n] for n in names)) if names else float("nan")

    def _stderr_of(self, names: tuple[str, ...]) -> float:
        errors = self.stderr
        if not names:
            return float("nan")
        return float(np.sqrt(sum(errors.get(n, 0.0) ** 2 for n in names)))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary with the CLI's stable keys."""
        return {
            "circuit": self.circuit,
            "parameters": self.parameters,
            "stderr": self.stderr,
            "rmse_ohm": self.rmse_ohm,
            "relative_residual": self.relative_residual,
            "initial": dict(zip(self.names, self.initial, strict=True)),
            "flags": as_dicts(self.flags),
        }


def fit_circuit(
    frequency_hz: Sequence[float] | np.ndarray,
    z_ohm: Sequence[complex] | np.ndarray,
    circuit: str,
    initial_guess: Sequence[float] | None = None,
    *,
    constants: Mapping[str, float] | None = None,
    bounds: tuple[Sequence[float], Sequence[float]] | None = None,
    weight_by_modulus: bool = False,
    cut_tail: bool = False,
) -> CircuitFit:
    """Fit an equivalent circuit to one spectrum (functional core).

    Parameters
    ----------
    frequency_hz : array of float
        Frequencies [Hz], positive.
    z_ohm : array of complex
        Impedance Z' + jZ'' [Ω], true sign (capacitive arcs have Z'' < 0).
    circuit : str
        impedance.py circuit string, checked by :func:`parse_circuit`.
    initial_guess : sequence of float, optional
        Start values, one per fitted parameter, in impedance.py's order and units.
        Default: read off the spectrum (:func:`ssblab.analysis.eis_checks.initial_guess`).
    constants : mapping, optional
        Parameters held fixed, e.g. ``{"R0": 10.0}`` [their units].
    bounds : (lower, upper), optional
        Bounds per fitted parameter; default impedance.py's (0 to inf, CPE φ ≤ 1),
        and with automatic start values also resistances ≤ 1000 × max|Z|.
    weight_by_modulus : bool
        Weight residuals by 1/|Z| (impedance.py's option).
    cut_tail : bool
        When the circuit has no Warburg element, leave out the points below the
        frequency where −Z'' turns up into a diffusion tail
        (:attr:`ssblab.analysis.eis_checks.Features.tail_from_hz`); an ``info``
        flag ``tail_cut`` counts them.

    Returns
    -------
    CircuitFit

    Raises
    ------
    AnalysisError
        Bad circuit, wrong number of start values, too few points, or no convergence.
    """
    spec = parse_circuit(circuit, constants)
    f = np.asarray(frequency_hz, dtype=float)
    z = np.asarray(z_ohm, dtype=complex)
    cut: tuple[Flag, ...] = ()
    if cut_tail:
        f, z, cut = eis_checks.cut_tail(spec, f, z)
    if initial_guess is None:
        _check_inputs(spec, f, z, [1.0] * len(spec.parameter_names))
        guess = eis_checks.initial_guess(spec, f, z)
        if bounds is None:
            bounds = eis_checks.default_bounds(spec, float(np.abs(z).max()))
    else:
        guess = [float(v) for v in initial_guess]
    _check_inputs(spec, f, z, guess)
    held = dict(constants or {})
    try:
        fitted, conf = _fit(spec, guess, held, f, z, bounds, weight_by_modulus)
    except RuntimeError as exc:
        if "function evaluations" not in str(exc):
            raise AnalysisError(f"circuit {circuit!r}: fit failed: {exc}") from exc
        budget = MAX_EVALUATIONS_PER_PARAMETER * len(spec.parameter_names)
        raise AnalysisError(eis_checks.not_converged(spec, f, budget)) from exc
    except ValueError as exc:
        raise AnalysisError(f"circuit {circuit!r}: fit failed: {exc}") from exc
    values = np.asarray(fitted, dtype=float)
    stderrs = np.asarray(conf, dtype=float) if conf is not None else np.full(values.size, np.nan)
    z_fit = _predict(spec, values, held, f)
    residual = np.concatenate([(z_fit - z).real, (z_fit - z).imag])
    flags = cut + eis_checks.fit_flags(
        spec, values, stderrs, guess, _bounds_lists(spec, bounds), f, z, z_fit
    )
    return CircuitFit(
        circuit=spec.circuit,
        names=spec.parameter_names,
        units=spec.parameter_units,
        values=values,
        stderrs=stderrs,
        constants=dict(constants or {}),
        frequency_hz=f,
        z_measured_ohm=z,
        z_fit_ohm=z_fit,
        rmse_ohm=float(np.sqrt(np.mean(residual**2))),
        spec=spec,
        initial=tuple(guess),
        relative_residual=eis_checks.relative_residual(z, z_fit),
        flags=flags,
    )


def _bounds_lists(
    spec: CircuitSpec, bounds: tuple[Sequence[float], Sequence[float]] | None
) -> tuple[list[float], list[float]]:
    """The bounds the fit ran under: given ones, or impedance.py's defaults."""
    if bounds is not None:
        return [float(v) for v in bounds[0]], [float(v) for v in bounds[1]]
    upper = [
        1.0 if n.startswith("CPE") and n.endswith("_1") else float("inf")
        for n in spec.parameter_names
    ]
    return [0.0] * len(upper), upper


def fit_spectrum(
    table: pl.DataFrame,
    circuit: str,
    initial_guess: Sequence[float] | None = None,
    *,
    drop_inductive: bool = False,
    **options: object,
) -> CircuitFit:
    """Fit a circuit to an EIS table (see :func:`fit_circuit` for *options*).

    Parameters
    ----------
    table : polars.DataFrame
        EIS table of :mod:`ssblab.schema` (frequency [Hz], Z real/imag [Ω]).
    drop_inductive : bool
        Leave out points with Z'' > 0 (inductive), as impedance.py's
        ``preprocessing.ignoreBelowX`` does in its getting-started example.
    """
    f, z = spectrum_arrays(table, drop_inductive=drop_inductive)
    return fit_circuit(f, z, circuit, initial_guess, **options)  # type: ignore[arg-type]


def spectrum_arrays(
    table: pl.DataFrame, *, drop_inductive: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies [Hz] and complex impedance [Ω] of an EIS table."""
    s.validate_eis(table)
    if drop_inductive:
        table = table.filter(pl.col(s.Z_IMAG) <= 0)
    f = table[s.FREQUENCY].to_numpy().astype(float)
    z = table[s.Z_REAL].to_numpy() + 1j * table[s.Z_IMAG].to_numpy()
    return f, z


def frequency_window(
    table: pl.DataFrame, min_hz: float | None = None, max_hz: float | None = None
) -> pl.DataFrame:
    """Rows of an EIS table with *min_hz* ≤ frequency ≤ *max_hz* [Hz] (None: no limit).

    Raises
    ------
    AnalysisError
        When the window leaves fewer than 3 points.
    """
    s.validate_eis(table)
    lo = -np.inf if min_hz is None else float(min_hz)
    hi = np.inf if max_hz is None else float(max_hz)
    kept = table.filter(pl.col(s.FREQUENCY).is_between(lo, hi))
    if kept.height < 3:
        raise AnalysisError(
            f"frequency window {lo:g}-{hi:g} Hz keeps {kept.height} of {table.height} points"
        )
    return kept


def zarc_tau(r_ohm: float, q: float, phi: float) -> float:
    """Time constant of R in parallel with a CPE, τ = (R Q)^(1/φ) [s].

    Parameters
    ----------
    r_ohm : float
        Resistance [Ω].
    q : float
        CPE coefficient Q [F·s^(φ−1)].
    phi : float
        CPE exponent φ (0 < φ ≤ 1).

    Notes
    -----
    For φ = 1 this is τ = RC. Brug et al., doi:10.1016/S0022-0728(84)80324-1.
    """
    return float((r_ohm * q) ** (1.0 / phi))


def _check_inputs(spec: CircuitSpec, f: np.ndarray, z: np.ndarray, guess: list[float]) -> None:
    if len(guess) != len(spec.parameter_names):
        raise AnalysisError(
            f"circuit {spec.circuit!r} has {len(spec.parameter_names)} free parameters "
            f"({', '.join(spec.parameter_names)}) but {len(guess)} initial values were given"
        )
    if f.shape != z.shape or f.ndim != 1:
        raise AnalysisError("frequencies and impedances must be 1-D arrays of the same length")
    if f.size < len(guess) or f.size < 3:
        raise AnalysisError(f"{f.size} points are too few to fit {len(guess)} parameters")
    if not (np.all(np.isfinite(f)) and np.all(f > 0) and np.all(np.isfinite(z))):
        raise AnalysisError("frequencies must be positive and all values finite")


def _fit(
    spec: CircuitSpec,
    guess: Sequence[float],
    constants: dict[str, float],
    f: np.ndarray,
    z: np.ndarray,
    bounds: object,
    weight_by_modulus: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, standard errors or None) from impedance.py's ``circuit_fit``, called as
    its ``CustomCircuit.fit`` calls it (without importing its plotting), with at most
    :data:`MAX_EVALUATIONS_PER_PARAMETER` evaluations per parameter (RuntimeError past it)."""
    fitting = impedance_module("fitting")
    if len(guess) + len(constants) != fitting.calculateCircuitLength(spec.circuit):
        raise ValueError("the number of initial guesses + constants is not the circuit length")
    values, conf = fitting.circuit_fit(
        np.array(f, dtype=float),
        np.array(z, dtype=complex),
        spec.circuit,
        list(guess),
        constants=constants,
        bounds=bounds,
        weight_by_modulus=weight_by_modulus,
        maxfev=MAX_EVALUATIONS_PER_PARAMETER * len(guess),
    )
    return values, conf


def _predict(
    spec: CircuitSpec, values: Sequence[float], constants: dict[str, float], f: np.ndarray
) -> np.ndarray:
    """Model impedance [Ω, complex] at *f* [Hz] by impedance.py's circuit function."""
    stacked = impedance_module("fitting").wrapCircuit(spec.circuit, constants)(
        np.array(f, dtype=float), *np.asarray(values, dtype=float)
    )
    half = stacked.size // 2
    return stacked[:half] + 1j * stacked[half:]
