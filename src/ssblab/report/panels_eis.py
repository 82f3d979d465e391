"""Impedance panels: Nyquist with the fitted circuit, Bode, and the DRT.

Spectra are drawn as measured; the fitted curve comes from
:func:`ssblab.analysis.eis.fit_spectrum` with a one-arc circuit (bulk resistor
in series with R‖CPE) started from the spectrum itself, and the DRT from
:func:`ssblab.analysis.drt.drt_of_table`. A fit that fails leaves the data
drawn and says so in the note.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ssblab import schema as s
from ssblab.errors import SsblabError
from ssblab.report.inputs import Spectrum
from ssblab.report.model import NotAvailable, Panel, Trace
from ssblab.report.panels_echem import analysis
from ssblab.report.style import series_color

#: Circuit fitted for the report (impedance.py syntax): bulk R0, then one arc R1‖CPE1.
REPORT_CIRCUIT = "R0-p(R1,CPE1)"


def _spectra(spectra: list[Spectrum]) -> list[Spectrum]:
    if not spectra:
        raise NotAvailable("no impedance spectrum among the inputs")
    return spectra


def _arrays(spec: Spectrum) -> tuple[np.ndarray, np.ndarray]:
    t = spec.table.sort(s.FREQUENCY, descending=True)
    f = t.get_column(s.FREQUENCY).to_numpy()
    z = t.get_column(s.Z_REAL).to_numpy() + 1j * t.get_column(s.Z_IMAG).to_numpy()
    return f, z


def initial_guess(z: np.ndarray) -> list[float]:
    """Start values for :data:`REPORT_CIRCUIT` read off the spectrum [Ω, Ω, F s^(φ-1), 1]."""
    capacitive = z[z.imag <= 0] if np.any(z.imag <= 0) else z
    r0 = max(float(np.min(capacitive.real)), 1e-6)
    r1 = max(float(np.max(capacitive.real)) - r0, 1e-6)
    return [r0, r1, 1e-6, 0.9]


#: Fits already made, by id of the spectrum table (the table is kept so the id stays its own).
_FITS: dict[int, tuple[Any, Any]] = {}
_FITS_KEPT = 64


def fit(spec: Spectrum) -> Any:
    """The report's circuit fit of *spec*, or None when the fit fails or is not available.

    The summary table and the Nyquist panel both need it; it is computed once.
    """
    cached = _FITS.get(id(spec.table))
    if cached is not None and cached[0] is spec.table:
        return cached[1]
    try:
        fit_spectrum = analysis("eis", "fit_spectrum")
    except NotAvailable:
        return None
    _, z = _arrays(spec)
    try:
        result = fit_spectrum(spec.table, REPORT_CIRCUIT, initial_guess(z), drop_inductive=True)
    except (SsblabError, ValueError, RuntimeError):
        result = None
    if len(_FITS) >= _FITS_KEPT:
        _FITS.clear()
    _FITS[id(spec.table)] = (spec.table, result)
    return result


def nyquist(spectra: list[Spectrum]) -> Panel:
    """−Z'' vs Z' of every spectrum on one equal-aspect axis, with the fitted circuit dashed."""
    traces, notes = [], []
    for i, spec in enumerate(_spectra(spectra)):
        f, z = _arrays(spec)
        colour = series_color(i)
        traces.append(Trace(z.real, -z.imag, spec.label, "markers", colour))
        result = fit(spec)
        if result is None:
            notes.append(f"{spec.label}: circuit fit not available")
            continue
        f_fine = np.logspace(np.log10(f.min()), np.log10(f.max()), 200)
        z_fit = result.predict(f_fine)
        traces.append(Trace(z_fit.real, -z_fit.imag, f"{spec.label} fit", color=colour, dash=True))
        notes.append(
            f"{spec.label}: {REPORT_CIRCUIT}, R_b = {result.r_b_ohm:.4g} Ω, "
            f"R_ct = {result.r_ct_ohm:.4g} Ω, RMSE = {result.rmse_ohm:.3g} Ω"
        )
    return Panel(
        key="eis_nyquist",
        title="Impedance: Nyquist",
        x_label="Z' [Ω]",
        y_label="−Z'' [Ω]",
        traces=tuple(traces),
        equal_aspect=True,
        note="; ".join(notes),
    )


def bode(spectra: list[Spectrum]) -> Panel:
    """|Z| (left, log) and −phase (right) vs frequency (log) of every spectrum."""
    traces = []
    for i, spec in enumerate(_spectra(spectra)):
        f, z = _arrays(spec)
        colour = series_color(i)
        traces.append(Trace(f, np.abs(z), f"{spec.label} |Z|", "lines+markers", colour))
        traces.append(
            Trace(
                f,
                -np.degrees(np.angle(z)),
                f"{spec.label} −phase",
                "markers",
                colour,
                dash=True,
                secondary=True,
            )
        )
    return Panel(
        key="eis_bode",
        title="Impedance: Bode",
        x_label="Frequency [Hz]",
        y_label="|Z| [Ω]",
        y2_label="−Phase [°]",
        traces=tuple(traces),
        log_x=True,
        log_y=True,
    )


def drt(spectra: list[Spectrum]) -> Panel:
    """Distribution of relaxation times γ(ln τ) of every spectrum, peaks in the note."""
    drt_of_table = analysis("drt", "drt_of_table")
    traces, notes = [], []
    for i, spec in enumerate(_spectra(spectra)):
        try:
            result = drt_of_table(spec.table)
        except SsblabError as exc:
            notes.append(f"{spec.label}: {exc}")
            continue
        traces.append(Trace(result.tau_s, result.gamma_ohm, spec.label, color=series_color(i)))
        peaks = ", ".join(f"τ = {p.tau_s:.3g} s, R = {p.r_ohm:.3g} Ω" for p in result.peaks)
        notes.append(f"{spec.label}: λ = {result.lambda_:.2g} ({result.criterion}); {peaks}")
    if not traces:
        raise NotAvailable("; ".join(notes))
    return Panel(
        key="eis_drt",
        title="Distribution of relaxation times",
        x_label="Relaxation time τ [s]",
        y_label="γ [Ω]",
        traces=tuple(traces),
        log_x=True,
        note="; ".join(notes),
    )
