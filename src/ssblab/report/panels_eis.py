"""Impedance panels: Nyquist with the fitted circuit, Bode, and the DRT.

Spectra are drawn as measured; the fitted curve comes from
:func:`ssblab.analysis.eis.fit_spectrum` with a one-arc circuit (bulk resistor
in series with R‖CPE, bounded) started from the spectrum itself, and the DRT from
:func:`ssblab.analysis.drt.drt_of_table`. A fit that fails leaves the data
drawn and says so in the note.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import SsblabError
from ssblab.report.inputs import Spectrum
from ssblab.report.model import Event, NotAvailable, Panel, Trace
from ssblab.report.panels_echem import analysis
from ssblab.report.style import series_color

#: Circuit fitted for the report (impedance.py syntax): bulk R0, then one arc R1‖CPE1.
REPORT_CIRCUIT = "R0-p(R1,CPE1)"
#: A fit whose RMSE exceeds this fraction of the largest |Z| is drawn but called poor,
#: and its resistances are not put in the summary.
POOR_FIT = 0.10


def _spectra(spectra: list[Spectrum]) -> list[Spectrum]:
    if not spectra:
        raise NotAvailable("no impedance spectrum among the inputs")
    return spectra


def _arrays(spec: Spectrum) -> tuple[np.ndarray, np.ndarray]:
    t = spec.table.sort(s.FREQUENCY, descending=True)
    f = t.get_column(s.FREQUENCY).to_numpy()
    z = t.get_column(s.Z_REAL).to_numpy() + 1j * t.get_column(s.Z_IMAG).to_numpy()
    return f, z


def start_and_bounds(z: np.ndarray) -> tuple[list[float], tuple[list[float], list[float]]]:
    """Start values and bounds for :data:`REPORT_CIRCUIT` read off the spectrum.

    R0 lies within the capacitive part's Z' range, R1 within twice its width
    [Ω]; the CPE exponent within 0.4..1. Bounds keep a one-arc model from
    running off to a huge R1 on a spectrum with a diffusion tail (and keep the
    fit fast).
    """
    capacitive = z[z.imag <= 0] if np.any(z.imag <= 0) else z
    low, high = float(np.min(capacitive.real)), float(np.max(capacitive.real))
    span = max(high - low, 1e-9)
    guess = [max(low, 1e-9), span, 1e-6, 0.9]
    return guess, ([0.0, 0.0, 1e-15, 0.4], [max(high, 1e-9), 2.0 * span, 1e3, 1.0])


#: Fit flags (``ssblab.analysis.eis_checks``) that make the resistances unreportable.
#: ``hf_intercept_not_reached``: the arc runs on above the band, so neither R_b nor the
#: arc's R_ct is measured (jr862 GEIS: R_b 172 Ω of a 0-203 Ω bracket).
POOR_CODES = frozenset({"collapsed", "beyond_scale", "hf_intercept_not_reached"})
#: Fit flags shown beside the resistances (the numbers stay, the doubt is stated).
SHOWN_CODES = frozenset(
    {
        "poor_fit",
        "at_bound",
        "uncertain",
        "hf_intercept_not_reached",
        "above_hf_intercept",
        "below_hf_intercept",
    }
)


def is_poor(result: Any, z: np.ndarray) -> bool:
    """True when the fit's RMSE is above :data:`POOR_FIT` of the spectrum's largest |Z|,
    or the fit carries a flag of :data:`POOR_CODES` (a resistance collapsed or beyond scale)."""
    flagged = any(getattr(f, "code", "") in POOR_CODES for f in getattr(result, "flags", ()))
    return flagged or bool(result.rmse_ohm > POOR_FIT * float(np.abs(z).max()))


def tail_start_hz(spec: Spectrum) -> float | None:
    """Frequency [Hz] below which the spectrum turns up into a diffusion tail, if it does."""
    try:
        from ssblab.analysis.eis_checks import features
    except ImportError:
        return None
    f, z = _arrays(spec)
    capacitive = z.imag <= 0  # as the fit sees it (inductive points dropped)
    try:
        return features(f[capacitive], z[capacitive]).tail_from_hz
    except (ValueError, IndexError):
        return None


def fit_window_hz(spec: Spectrum) -> float | None:
    """The lowest frequency the report's one-arc circuit is fitted to (None: all of it)."""
    return tail_start_hz(spec)


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
    table = spec.table
    fmin = fit_window_hz(spec)
    if fmin is not None:  # the circuit has no diffusion element: fit the arc above the tail
        table = table.filter(pl.col(s.FREQUENCY) >= fmin)
    _, z = _arrays(Spectrum(spec.label, table, spec.source))
    guess, bounds = start_and_bounds(z)
    try:
        result = fit_spectrum(table, REPORT_CIRCUIT, guess, drop_inductive=True, bounds=bounds)
    except (SsblabError, ValueError, RuntimeError):
        result = None
    if len(_FITS) >= _FITS_KEPT:
        _FITS.clear()
    _FITS[id(spec.table)] = (spec.table, result)
    return result


#: Spectra whose largest |Z| differ by more than this factor get Nyquist plots of their own.
SCALE_RATIO = 10.0


def scale_groups(spectra: list[Spectrum]) -> list[list[Spectrum]]:
    """Spectra grouped so that one Nyquist axis never mixes ohms with milliohms."""
    sized = sorted(spectra, key=lambda sp: float(np.abs(_arrays(sp)[1]).max()))
    groups: list[list[Spectrum]] = []
    first_size = 0.0
    for sp in sized:
        size = float(np.abs(_arrays(sp)[1]).max())
        if groups and size <= SCALE_RATIO * first_size:
            groups[-1].append(sp)
        else:
            groups.append([sp])
            first_size = size
    order = {id(sp): i for i, sp in enumerate(spectra)}
    return [sorted(g, key=lambda sp: order[id(sp)]) for g in groups]


def nyquist(spectra: list[Spectrum]) -> list[Panel]:
    """−Z'' vs Z' on equal-aspect axes with the fitted circuit dashed; one panel per scale."""
    groups = scale_groups(_spectra(spectra))
    colours = {id(sp): series_color(i) for i, sp in enumerate(spectra)}
    panels = []
    for n, group in enumerate(groups):
        panel = _nyquist_panel(group, colours)
        if len(groups) > 1:
            names = ", ".join(sp.label for sp in group)
            panel = replace(
                panel, key=f"eis_nyquist_{n + 1}", title=f"Impedance: Nyquist — {names}"
            )
        panels.append(panel)
    return panels


def with_error(value: float, stderr: float) -> str:
    """``value ± stderr`` (4 and 2 significant digits); the value alone when the fit gave
    no finite, positive error (a fixed parameter, a singular covariance)."""
    if np.isfinite(stderr) and stderr > 0:
        return f"{value:.4g} ± {stderr:#.2g}"
    return f"{value:.4g}"


def _nyquist_panel(group: list[Spectrum], colours: dict[int, str]) -> Panel:
    traces, notes = [], []
    for spec in group:
        f, z = _arrays(spec)
        colour = colours[id(spec)]
        traces.append(Trace(z.real, -z.imag, spec.label, "markers", colour))
        result = fit(spec)
        if result is None:
            notes.append(f"{spec.label}: circuit fit not available")
            continue
        f_low = max(float(f.min()), fit_window_hz(spec) or 0.0)
        f_fine = np.logspace(np.log10(f_low), np.log10(f.max()), 200)
        z_fit = result.predict(f_fine)
        traces.append(Trace(z_fit.real, -z_fit.imag, f"{spec.label} fit", color=colour, dash=True))
        fmin = fit_window_hz(spec)
        window = f", fitted above {fmin:.3g} Hz (diffusion tail below)" if fmin else ""
        if is_poor(result, z):
            why = [
                f"{f.quantity}: {f.message}"
                for f in getattr(result, "flags", ())
                if f.code in POOR_CODES
            ] or [f"RMSE {result.rmse_ohm:.3g} Ω is over {POOR_FIT:.0%} of max |Z|"]
            notes.append(
                f"{spec.label}: {result.circuit}{window}: resistances not reported "
                f"({'; '.join(why)})"
            )
            continue
        shown = sorted(
            {
                f"{f.code} ({f.quantity})"
                for f in getattr(result, "flags", ())
                if f.code in SHOWN_CODES
            }
        )
        flagged = f"; flagged: {', '.join(shown)}" if shown else ""
        r_b = with_error(result.r_b_ohm, result.r_b_stderr_ohm)
        r_ct = with_error(result.r_ct_ohm, result.r_ct_stderr_ohm)
        notes.append(
            f"{spec.label}: {result.circuit}, R_b = {r_b} Ω, R_ct = {r_ct} Ω "
            f"(± one standard error of the fit), RMSE = {result.rmse_ohm:.3g} Ω{window}{flagged}"
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
    """|Z| (left, log; filled) and −phase (right; open) vs frequency, fitted circuit as lines."""
    traces = []
    for i, spec in enumerate(_spectra(spectra)):
        f, z = _arrays(spec)
        colour = series_color(i)
        traces.append(Trace(f, np.abs(z), f"{spec.label} |Z|", "markers", colour))
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
        result = fit(spec)
        if result is not None:
            f_low = max(float(f.min()), fit_window_hz(spec) or 0.0)  # the fitted band only
            f_fine = np.logspace(np.log10(f_low), np.log10(f.max()), 200)
            z_fit = result.predict(f_fine)
            traces.append(Trace(f_fine, np.abs(z_fit), f"{spec.label} fit", color=colour))
            traces.append(
                Trace(
                    f_fine,
                    -np.degrees(np.angle(z_fit)),
                    f"{spec.label} fit −phase",
                    color=colour,
                    dash=True,
                    secondary=True,
                    show_legend=False,
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
    traces, notes, omegas = [], [], []
    for i, spec in enumerate(_spectra(spectra)):
        try:
            result = drt_of_table(spec.table)
        except SsblabError as exc:
            notes.append(f"{spec.label}: {exc}")
            continue
        traces.append(Trace(result.tau_s, result.gamma_ohm, spec.label, color=series_color(i)))
        notes.append(drt_note(spec.label, result))
        f = _arrays(spec)[0]
        omegas += [2 * np.pi * float(np.nanmax(f)), 2 * np.pi * float(np.nanmin(f))]
    if not traces:
        raise NotAvailable("; ".join(notes))
    # the measured window 1/ω_max..1/ω_min (of all spectra): γ beyond it is extrapolated
    window = (Event(1.0 / max(omegas), "1/ω_max"), Event(1.0 / min(omegas), "1/ω_min"))
    return Panel(
        key="eis_drt",
        title="Distribution of relaxation times",
        x_label="Relaxation time τ [s]",
        y_label="γ [Ω]",
        traces=tuple(traces),
        events=window,
        log_x=True,
        note="; ".join(notes) + ". Dotted lines: 1/ω of the highest and lowest measured "
        "frequency; γ outside them is extrapolated.",
    )


def drt_note(label: str, result: Any) -> str:
    """One spectrum's DRT in words: R_inf, λ, the peaks (an extrapolated one marked), flags."""
    outside = {f.quantity for f in getattr(result, "flags", ()) if f.code == "peak_outside_window"}
    peaks = ", ".join(
        f"τ = {p.tau_s:.3g} s, R = {p.r_ohm:.3g} Ω"
        + (
            " (outside the measured window: extrapolated)"
            if f"peak tau {p.tau_s:.3g} s" in outside
            else ""
        )
        for p in result.peaks
    )
    flagged = sorted(
        {
            f"{f.code} ({f.quantity})"
            for f in getattr(result, "flags", ())
            if f.code != "peak_outside_window"
        }
    )
    tail = f"; flagged: {', '.join(flagged)}" if flagged else ""
    return (
        f"{label}: R_inf = {result.r_inf_ohm:.4g} Ω, λ = {result.lambda_:.2g} "
        f"({result.criterion}); {peaks}{tail}"
    )
