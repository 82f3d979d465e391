"""Panels of symmetric (Li|SE|Li) cells: voltage vs time with zooms, overpotential vs current.

Failure time and mode, half-cycle overpotentials and the rate blocks come from
:mod:`ssblab.analysis.symmetric`; the voltage trace is thinned for display only
(min/max per bin, so a short circuit's collapse stays visible).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ssblab import schema as s
from ssblab.errors import SsblabError
from ssblab.report.decimate import thin
from ssblab.report.inputs import LabelledRun, is_symmetric
from ssblab.report.model import Event, NotAvailable, Panel, Trace, scales_differ
from ssblab.report.pairing import pairs, slug
from ssblab.report.panels_echem import analysis
from ssblab.report.style import series_color

#: Points kept per run in a voltage-time overview (min/max per bin).
TIME_SERIES_POINTS = 4000
#: Points kept per envelope line when several cells share the overview.
ENVELOPE_POINTS = 1200
#: What a model run's lifetime is (calibrated or predicted) and that it has no interval.
MODEL_NOTE = (
    "Model runs: ssblab's symmetric-cell model; with its shipped parameters (report "
    "--simulate) the representative posterior draw, calibrated on the seed's bare and 200 nm "
    "cells, every other coating a prediction; one draw, so no interval (ssblab simulate "
    "calibrate --samples 1000 gives 90 % intervals)."
)


def _with_model_note(note: str, runs: list[LabelledRun]) -> str:
    """*note*, then :data:`MODEL_NOTE` as its own sentence when any of *runs* is simulated."""
    if not any(r.run.meta.kind == "simulated" for r in runs):
        return note
    return f"{note}{' ' if note.endswith('.') else '. '}{MODEL_NOTE}"


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


def _series(r: LabelledRun) -> tuple[np.ndarray, np.ndarray]:
    """Time [h] and voltage [mV] of a run, full resolution."""
    t_h = r.run.table.get_column(s.TIME).to_numpy() / 3600.0
    v_mv = r.run.table.get_column(s.VOLTAGE).to_numpy() * 1000.0
    return t_h, v_mv


def _window_trace(r: LabelledRun, colour: str, window: tuple[float, float] | None) -> Trace:
    """The voltage trace inside *window* [h] (whole run when None), thinned for display.

    Thinning only the window keeps every point a zoom needs: a 1 h half-cycle of a
    3000 h run keeps its shape instead of becoming a triangle.
    """
    t_h, v_mv = _series(r)
    if window is not None:
        pad = 0.05 * (window[1] - window[0])
        inside = (t_h >= window[0] - pad) & (t_h <= window[1] + pad)
        t_h, v_mv = t_h[inside], v_mv[inside]
    t_h, v_mv = thin(t_h, v_mv, TIME_SERIES_POINTS)
    return Trace(t_h, v_mv, r.label, color=colour)


def _envelope(r: LabelledRun, colour: str) -> list[Trace]:
    """Upper and lower envelope as two lines of one colour: the extreme voltage of each
    half-cycle (constant current sign), at its middle.

    Several cells' full oscillations drawn on one axes become filled bands that
    hide each other; their envelopes stay visible side by side.
    """
    t_h, v_mv = _series(r)
    sign = np.sign(r.run.table.get_column(s.CURRENT).to_numpy())
    cut = np.flatnonzero(np.diff(sign) != 0) + 1
    starts, ends = np.r_[0, cut], np.r_[cut, sign.size]
    flip = np.nanmedian(v_mv * sign) < 0  # a file that writes the voltage with the other sign
    up: list[tuple[float, float]] = []
    down: list[tuple[float, float]] = []
    for a, b in zip(starts, ends, strict=True):
        if sign[a] == 0 or b - a < 2:
            continue
        mid = 0.5 * (t_h[a] + t_h[b - 1])
        positive = (sign[a] > 0) != flip
        (up if positive else down).append(
            (mid, float(np.nanmax(v_mv[a:b]) if positive else np.nanmin(v_mv[a:b])))
        )
    traces = []
    for k, points in enumerate((up, down)):
        if points:
            x, y = thin(*map(np.asarray, zip(*points, strict=True)), ENVELOPE_POINTS)
            traces.append(
                Trace(
                    x, y, r.label, color=colour, legend_group=r.label, show_legend=k == 0 or not up
                )
            )
    return traces


def symmetric_voltage(runs: list[LabelledRun]) -> list[Panel]:
    """Voltage vs time of symmetric cells (overlaid), zooms on the start and on each failure."""
    sym = _symmetric_runs(runs)
    try:
        found = _failures(sym)
    except NotAvailable:
        found = {}
    traces, events, failed = [], [], []
    overlay = len(sym) > 1
    t_end = max(float(np.nanmax(_series(r)[0])) for r in sym)
    for i, r in enumerate(sym):
        colour = series_color(i)
        traces += _envelope(r, colour) if overlay else [_window_trace(r, colour, None)]
        failure = found.get(r.label, (None, None))[1]
        if failure is not None and failure.time_h is not None:
            mode = failure.mode.replace("_", " ")
            events.append(Event(float(failure.time_h), mode, colour))
            failed.append((r, colour, events[-1]))
    note = _with_model_note(_failure_note(sym, found), sym)
    labels = {"x_label": "Time [h]", "y_label": "Voltage [mV]"}
    by_cell: dict[str, list[Trace]] = {}
    for trace in traces:
        by_cell.setdefault(trace.name, []).append(trace)
    tops = [np.concatenate([t.y for t in ts]) for ts in by_cell.values()]
    if overlay and scales_differ(tops):  # one axis would flatten the smaller cells
        panels = [
            Panel(
                key=f"symmetric_{slug(r.label)}",
                title=f"Symmetric cell: voltage vs time — {r.label}",
                traces=(_window_trace(r, series_color(i), None),),
                events=tuple(ev for cell, _, ev in failed if cell is r),
                note="One panel per cell: their voltages differ by more than 10x.",
                **labels,
            )
            for i, r in enumerate(sym)
        ]
        panels[-1] = replace(panels[-1], note=panels[-1].note + " " + note)
    else:
        if overlay:
            note = "Envelopes (peak voltage of each half-cycle) of each cell. " + note
        panels = [
            Panel(
                key="symmetric",
                title="Symmetric cells: voltage vs time",
                traces=tuple(traces),
                events=tuple(events),
                note=note,
                **labels,
            )
        ]
    early = _early_window(found, t_end)
    panels.append(
        Panel(
            key="symmetric_zoom_start",
            title="Symmetric cells: first cycles",
            traces=tuple(_window_trace(r, series_color(i), early) for i, r in enumerate(sym)),
            x_range=early,
            note=_early_note(found, early),
            **labels,
        )
    )
    for r, colour, event in failed:
        width = max(0.02 * t_end, 1.0)
        window = (max(event.x - width, 0.0), event.x + width)
        panels.append(
            Panel(
                key=f"symmetric_zoom_failure_{slug(r.label)}",
                title=f"Failure of {r.label}: {event.label}",
                traces=(_window_trace(r, colour, window),),
                x_range=window,
                events=(event,),
                note="Zoom on the detected failure (dotted line).",
                **labels,
            )
        )
    return panels


def _early_window(found: dict[str, Any], t_end: float) -> tuple[float, float]:
    """The time span of the first six half-cycles of the first cell, or else 5 % of the
    run from the first current step (a rest before it would fill the zoom) [h]."""
    for hc, _ in found.values():
        if hc.height >= 6:
            return (0.0, float(hc.get_column("end_h")[5]))
    starts = [float(hc.get_column("start_h")[0]) for hc, _ in found.values() if hc.height]
    start = min(starts, default=0.0)
    width = max(0.05 * t_end, 1e-3)
    return (max(start - 0.1 * width, 0.0), start + width)


def _early_note(found: dict[str, Any], early: tuple[float, float]) -> str:
    """What the start zoom shows: six half-cycles, or a share of a run with fewer."""
    if any(hc.height >= 6 for hc, _ in found.values()):
        return "Zoom on the first six half-cycles."
    counts = sorted({hc.height for hc, _ in found.values()})
    many = "/".join(str(n) for n in counts) or "no"
    return (
        f"Zoom on {early[0]:.3g}-{early[1]:.3g} h (5 % of the run from the first current "
        f"step): the run has {many} half-cycle(s), fewer than six."
    )


def soft_short_count(run: Any) -> int | None:
    """Soft shorts of a Li‖Li run as ``ssblab symmetric`` counts them (its rule, the EC-Lab
    loop starts beside the source as segment starts); None when the analysis cannot run."""
    from pathlib import Path

    try:
        from ssblab.analysis.soft_shorts import find_soft_shorts, read_loop_indexes

        source = Path(run.meta.source)
        loop = source.with_name(source.stem + "_LOOP.txt")
        starts = read_loop_indexes(loop) if run.meta.source and loop.is_file() else None
        table = run.table
        found = find_soft_shorts(
            table.get_column(s.TIME).to_numpy(),
            table.get_column(s.VOLTAGE).to_numpy(),
            table.get_column(s.CURRENT).to_numpy(),
            segment_starts=starts,
        )
    except (ImportError, SsblabError, ValueError):
        return None
    return int(found.count)


def _failure_note(sym: list[LabelledRun], found: dict[str, Any]) -> str:
    parts = []
    for r in sym:
        if r.label not in found:
            parts.append(f"{r.label}: failure analysis not available")
            continue
        failure = found[r.label][1]
        if failure.time_h is None:
            text = f"{r.label}: no failure detected"
        else:
            mode = failure.mode.replace("_", " ")  # as the plot's event label says it
            text = f"{r.label}: {mode} at {failure.time_h:.4g} h ({failure.criterion})"
        shorts = soft_short_count(r.run)
        if shorts:  # sudden drops that recover: not a failure by the rule, but not a clean cell
            text += f"; {shorts} soft shorts (sudden voltage drops that recover)"
        parts.append(text)
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
        x_label="Cell",
        y_label="Lifetime [h]",
        traces=(bars,),
        note=_with_model_note(
            "Time of the first failed half-cycle; a cell without failure shows its tested time.",
            sym,
        ),
    )
