"""Panels of symmetric (Li|SE|Li) cells: voltage vs time with zooms, overpotential vs current.

Failure time and mode, half-cycle overpotentials and the rate blocks come from
:mod:`ssblab.analysis.symmetric`; the voltage trace is thinned for display only
(min/max per bin, so a short circuit's collapse stays visible).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ssblab import schema as s
from ssblab.errors import SsblabError
from ssblab.report.decimate import thin
from ssblab.report.inputs import LabelledRun, is_symmetric
from ssblab.report.model import Event, NotAvailable, Panel, Trace
from ssblab.report.panels_cycling import _slug, pairs
from ssblab.report.panels_echem import analysis
from ssblab.report.style import series_color

#: Points kept per run in a voltage-time overview (min/max per bin).
TIME_SERIES_POINTS = 4000


def _symmetric_runs(runs: list[LabelledRun]) -> list[LabelledRun]:
    found = [r for r in runs if is_symmetric(r.run)]
    if not found:
        raise NotAvailable("no symmetric-cell (Li|SE|Li) run among the inputs")
    return found


def _failures(runs: list[LabelledRun]) -> dict[str, Any]:
    """Half-cycle table and detected failure per symmetric run."""
    half_cycles, detect = analysis("symmetric", "half_cycle_overpotentials", "detect_failure")
    out = {}
    for r in runs:
        try:
            hc = half_cycles(r.run)
            out[r.label] = (hc, detect(hc))
        except SsblabError:
            continue
    return out


def symmetric_voltage(runs: list[LabelledRun]) -> list[Panel]:
    """Voltage vs time of symmetric cells (overlaid), zooms on the start and on each failure."""
    sym = _symmetric_runs(runs)
    try:
        found = _failures(sym)
    except NotAvailable:
        found = {}
    traces, events, failed = [], [], []
    for i, r in enumerate(sym):
        t_h = r.run.table.get_column(s.TIME).to_numpy() / 3600.0
        v_mv = r.run.table.get_column(s.VOLTAGE).to_numpy() * 1000.0
        t_h, v_mv = thin(t_h, v_mv, TIME_SERIES_POINTS)
        traces.append(Trace(t_h, v_mv, r.label, color=series_color(i)))
        failure = found.get(r.label, (None, None))[1]
        if failure is not None and failure.time_h is not None:
            mode = failure.mode.replace("_", " ")
            events.append(Event(float(failure.time_h), mode, series_color(i)))
            failed.append((r.label, traces[-1], events[-1]))
    note = _failure_note(sym, found)
    base = {"x_label": "Time [h]", "y_label": "Voltage [mV]", "traces": tuple(traces)}
    panels = [
        Panel(
            key="symmetric",
            title="Symmetric cells: voltage vs time",
            events=tuple(events),
            note=note,
            **base,
        )
    ]
    t_end = max(float(t.x.max()) for t in traces)
    early = _early_window(found, t_end)
    panels.append(
        Panel(
            key="symmetric_zoom_start",
            title="Symmetric cells: first cycles",
            x_range=early,
            note="Zoom on the first half-cycles.",
            **base,
        )
    )
    for label, trace, event in failed:
        width = max(0.02 * t_end, 1.0)
        panels.append(
            Panel(
                key=f"symmetric_zoom_failure_{_slug(label)}",
                title=f"Failure of {label}: {event.label}",
                x_label="Time [h]",
                y_label="Voltage [mV]",
                traces=(trace,),
                x_range=(max(event.x - width, 0.0), event.x + width),
                events=(event,),
                note="Zoom on the detected failure (dotted line).",
            )
        )
    return panels


def _early_window(found: dict[str, Any], t_end: float) -> tuple[float, float]:
    """The time span of the first six half-cycles of the first cell, or 5 % of the run [h]."""
    for hc, _ in found.values():
        if hc.height >= 6:
            return (0.0, float(hc.get_column("end_h")[5]))
    return (0.0, max(0.05 * t_end, 1e-3))


def _failure_note(sym: list[LabelledRun], found: dict[str, Any]) -> str:
    parts = []
    for r in sym:
        if r.label not in found:
            parts.append(f"{r.label}: failure analysis not available")
            continue
        failure = found[r.label][1]
        if failure.time_h is None:
            parts.append(f"{r.label}: no failure detected")
        else:
            parts.append(
                f"{r.label}: {failure.mode} at {failure.time_h:.4g} h ({failure.criterion})"
            )
    return "; ".join(parts)


def overpotential(runs: list[LabelledRun]) -> Panel:
    """Plateau overpotential vs current density of symmetric cells, one line per cell."""
    half_cycles, rate = analysis("symmetric", "half_cycle_overpotentials", "rate_overpotentials")
    traces, reasons = [], []
    for i, r in enumerate(_symmetric_runs(runs)):
        if not r.run.meta.area_cm2:
            reasons.append(f"{r.label}: electrode area unknown")
            continue
        try:
            blocks = rate(half_cycles(r.run), r.run.meta.area_cm2)
        except SsblabError as exc:
            reasons.append(f"{r.label}: {exc}")
            continue
        if blocks.get_column("current_density_mA_cm2").n_unique() < 2:
            reasons.append(f"{r.label}: one current density only")
            continue
        traces.append(
            Trace(
                blocks.get_column("current_density_mA_cm2").to_numpy(),
                blocks.get_column("overpotential_mV").to_numpy(),
                r.label,
                "lines+markers",
                series_color(i),
            )
        )
    if not traces:
        raise NotAvailable("; ".join(reasons))
    return Panel(
        key="overpotential_current_density",
        title="Overpotential vs current density",
        x_label="Current density [mA cm⁻²]",
        y_label="Plateau overpotential [mV]",
        traces=tuple(traces),
    )


def model_vs_experiment(runs: list[LabelledRun]) -> Panel:
    """Voltage vs time of measured (solid) and simulated (dashed) runs of one symmetric cell."""
    found = pairs([r for r in runs if is_symmetric(r.run)])
    if not found:
        raise NotAvailable("needs a measured and a simulated symmetric run of the same cell")
    traces = []
    for i, pair in enumerate(found):
        for r in pair:
            t_h = r.run.table.get_column(s.TIME).to_numpy() / 3600.0
            v_mv = r.run.table.get_column(s.VOLTAGE).to_numpy() * 1000.0
            t_h, v_mv = thin(t_h, v_mv, TIME_SERIES_POINTS)
            kind = r.run.meta.kind
            traces.append(
                Trace(
                    t_h,
                    v_mv,
                    f"{r.label} ({kind})",
                    color=series_color(i),
                    dash=kind == "simulated",
                )
            )
    return Panel(
        key="model_vs_experiment_symmetric",
        title="Model vs experiment: symmetric cells",
        x_label="Time [h]",
        y_label="Voltage [mV]",
        traces=tuple(traces),
        note="Solid: measured; dashed: simulated.",
    )


def lifetimes(runs: list[LabelledRun]) -> Panel:
    """Lifetime of each symmetric cell side by side (``analysis.symmetric.lifetime_table``).

    A cell that did not fail is drawn at its tested time and labelled as a
    lower bound, never as a lifetime.
    """
    sym = _symmetric_runs(runs)
    if len(sym) < 2:
        raise NotAvailable("needs two or more symmetric cells to compare")
    lifetime_table = analysis("symmetric", "lifetime_table")
    table = lifetime_table({r.label: r.run for r in sym})
    failed = table.get_column("failure_time_h").is_not_null()
    hours = table.get_column("failure_time_h").fill_null(table.get_column("tested_h"))
    text = tuple(
        f"{h:.4g} h" if ok else f"> {h:.4g} h (no failure)"
        for h, ok in zip(hours.to_list(), failed.to_list(), strict=True)
    )
    bars = Trace(
        np.array(table.get_column("cell").to_list()),
        hours.to_numpy(),
        "lifetime",
        "bar",
        series_color(0),
        text=text,
    )
    return Panel(
        key="symmetric_lifetimes",
        title="Symmetric cells: lifetime",
        x_label="Cell [-]",
        y_label="Lifetime [h]",
        traces=(bars,),
        note="Time of the first failed half-cycle; a cell without failure shows its tested time.",
    )
