"""Panels of rate tests, dQ/dV, CV, GITT and the literature benchmark.

Every number drawn here comes from an analysis function, imported inside the
panel so that a module another engineer has not landed yet only makes its
panel "not available" (with the reason), never breaks the report.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import SsblabError
from ssblab.report.decimate import thin
from ssblab.report.dqdv_bins import binned_dqdv
from ssblab.report.inputs import DesignEntry, LabelledRun, is_gitt, looks_like_cv
from ssblab.report.model import NotAvailable, Panel, Trace, scales_differ
from ssblab.report.panels_cycling import (
    cycle_colorbar,
    cycle_numbers,
    cycling_runs,
    null_cycle_note,
    pick_cycles,
    slug,
)
from ssblab.report.style import CYCLE_CMAP, colormap_hex, series_color


def analysis(module: str, *names: str) -> Any:
    """``ssblab.analysis.<module>`` functions *names*, or NotAvailable if not there (yet)."""
    full = f"ssblab.analysis.{module}"
    try:
        mod = importlib.import_module(full)
        found = [getattr(mod, n) for n in names]
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"{full} is not available ({exc})") from exc
    return found[0] if len(found) == 1 else found


def rate_bars(runs: list[LabelledRun]) -> Panel:
    """Mean Q_out of each block of a rate test (the discharge; an anode half-cell's charge);
    the return block is the recovery."""
    rate_table = analysis("rate", "rate_table")
    traces, notes, units, halves = [], [], set(), set()
    for i, r in enumerate(cycling_runs(runs)):
        try:
            result = rate_table(r.run)
        except SsblabError:
            continue
        blocks = result.blocks
        if blocks.height < 2:
            continue
        specific = blocks.get_column(result.column("specific_capacity_mAh_g"))
        use_specific = specific.null_count() == 0
        y = specific if use_specific else blocks.get_column(result.column("capacity_Ah")) * 1000.0
        labels, current_unit = _block_labels(blocks, result)
        halves.add(result.half)
        units.add(current_unit)
        recovered = result.recovery.block if result.recovery is not None else None
        # the recovery is named under its bars: on a narrow bar Plotly shrank "104 (recovery)"
        labels = [
            f"{label} (recovery)" if b == recovered else label
            for b, label in zip(blocks.get_column("block").to_list(), labels, strict=True)
        ]
        text = tuple(three_figures(v) for v in y.to_list())
        traces.append(
            Trace(np.array(labels), y.to_numpy(), r.label, "bar", series_color(i), text=text)
        )
        if result.recovery is not None:
            notes.append(
                f"{r.label}: block {result.recovery.block} recovers "
                f"{result.recovery.ratio * 100:.1f} % of block {blocks.get_column('block')[0]}"
            )
        unit = "mAh g⁻¹" if use_specific else "mAh"
    if not traces:
        raise NotAvailable("no run with two or more discharge currents (not a rate test)")
    return Panel(
        key="rate",
        title="Rate capability",
        x_label=f"Block: {' or '.join(sorted(halves))} current [{' or '.join(sorted(units))}]",
        y_label=f"Mean {' or '.join(sorted(halves))} capacity [{unit}]",
        traces=tuple(traces),
        log_y=scales_differ([t.y for t in traces]),
        note="; ".join(notes) or "The test never returns to the first current (no recovery).",
    )


def three_figures(value: float) -> str:
    """*value* to three significant figures without an exponent (2500, not 2.5e+03)."""
    return np.format_float_positional(
        float(value), precision=3, unique=False, fractional=False, trim="-"
    )


def _block_labels(blocks: pl.DataFrame, result: Any) -> tuple[list[str], str]:
    """``"<block>: <current> <unit>"`` per block (the current of the half *result*'s blocks
    are on), and the unit (mA cm⁻² when the area is known)."""
    density = blocks.get_column(result.column("current_density_mA_cm2"))
    current = blocks.get_column(result.column("current_A")).abs() * 1000.0
    values = density if density.null_count() == 0 else current
    unit = "mA cm⁻²" if density.null_count() == 0 else "mA"
    labels = [
        f"{b}: {three_figures(v)} {unit}"
        for b, v in zip(blocks.get_column("block").to_list(), values.abs().to_list(), strict=True)
    ]
    return labels, unit


def dqdv(runs: list[LabelledRun]) -> list[Panel]:
    """dQ/dV vs voltage per cycle (charge up, discharge drawn negative), one panel per run."""
    dqdv_fn = analysis("dqdv", "dqdv")
    panels, reasons = [], []
    for r in cycling_runs(runs):
        table = r.run.table
        all_cycles, no_cycle = cycle_numbers(table)
        if not all_cycles:
            reasons.append(f"{r.label}: no row with a cycle number")
            continue
        shown = pick_cycles(all_cycles, 6)
        try:
            curves, made = binned_dqdv(dqdv_fn, r.run, shown)
        except SsblabError as exc:
            reasons.append(f"{r.label}: {exc}")
            continue
        if curves.height == 0:
            reasons.append(f"{r.label}: no half-cycle with charge")
            continue
        lo, hi = min(all_cycles), max(all_cycles)
        traces = []
        for (cycle, half, direction), part in curves.group_by(
            "cycle", "half_cycle", "direction", maintain_order=True
        ):
            sign = -1.0 if str(direction).startswith("dis") else 1.0
            colour = colormap_hex(CYCLE_CMAP, [(cycle - lo) / max(hi - lo, 1)])[0]
            traces.append(
                Trace(
                    part.get_column("voltage_V").to_numpy(),
                    sign * 1000.0 * part.get_column("dqdv_Ah_V").to_numpy(),
                    f"cycle {cycle} {direction} ({half})",
                    color=colour,
                    show_legend=False,
                )
            )
        panels.append(
            Panel(
                key=f"dqdv_{slug(r.label)}",
                title=f"dQ/dV — {r.label}",
                x_label="Voltage [V]",
                y_label="dQ/dV [mAh V⁻¹]",
                traces=tuple(traces),
                colorbar=cycle_colorbar(lo, hi),
                note=" ".join(
                    filter(
                        None,
                        (
                            "Discharge drawn below zero.",
                            made,
                            null_cycle_note(no_cycle),
                        ),
                    )
                ),
            )
        )
    if not panels:
        raise NotAvailable("; ".join(reasons) or "no galvanostatic cycling run among the inputs")
    return panels


def cyclic_voltammetry(runs: list[LabelledRun]) -> list[Panel]:
    """Current vs voltage per cycle of runs that sweep voltage at a steady rate."""
    cv_runs = [r for r in runs if looks_like_cv(r)]
    if not cv_runs:
        raise NotAvailable("no run sweeps voltage at a steady rate (no cyclic voltammetry)")
    panels = []
    for r in cv_runs:
        t = r.run.table
        cyc = t.get_column(s.CYCLE) if s.CYCLE in t.columns else pl.Series([1] * t.height)
        numbers, no_cycle = cycle_numbers(t)
        if not numbers:
            continue
        shown = pick_cycles(numbers)
        lo, hi = min(shown), max(shown)
        traces = []
        for c in shown:
            part = t.filter(cyc == c)
            v, i_ma = thin(
                part.get_column(s.VOLTAGE).to_numpy(),
                part.get_column(s.CURRENT).to_numpy() * 1000.0,
                1500,
            )
            colour = colormap_hex(CYCLE_CMAP, [(c - lo) / max(hi - lo, 1)])[0]
            traces.append(Trace(v, i_ma, f"cycle {c}", color=colour, show_legend=False))
        panels.append(
            Panel(
                key=f"cv_{slug(r.label)}",
                title=f"Cyclic voltammetry — {r.label}",
                x_label="Voltage [V]",
                y_label="Current [mA]",
                traces=tuple(traces),
                colorbar=cycle_colorbar(lo, hi),
                note=null_cycle_note(no_cycle),
            )
        )
    if not panels:
        raise NotAvailable("no cyclic voltammetry run has a row with a cycle number")
    return panels


def gitt(runs: list[LabelledRun], designs: list[DesignEntry] | None = None) -> list[Panel]:
    """GITT: relaxed OCV (left) and D_Li (right) vs state of charge, from ``analysis.gitt``.

    D_Li needs the active material's molar mass and volume: they come from the
    cathode of the recipe when the report has exactly one recipe with a cathode
    (mass and area too, where the run's metadata lacks them).
    """
    gitt_pulses = analysis("gitt", "gitt_pulses")
    material, source = gitt_material(designs or [])
    panels, reasons = [], []
    candidates = [r for r in runs if is_gitt(r.run)]
    if not candidates:
        raise NotAvailable("no run is recognised as GITT (a regular train of pulses and rests)")
    for r in candidates:
        meta = r.run.meta
        inputs = {
            **material,
            "active_mass_g": meta.active_mass_g or material.get("active_mass_g"),
            "area_cm2": meta.area_cm2 or material.get("area_cm2"),
        }
        try:
            pulses = gitt_pulses(r.run, **inputs)
        except SsblabError as exc:
            reasons.append(f"{r.label}: {exc}")
            continue
        panels.append(_gitt_panel(r.label, pulses, source))
    if not panels:
        raise NotAvailable("; ".join(reasons) or "no run with GITT pulses")
    return panels


def gitt_material(designs: list[DesignEntry]) -> tuple[dict[str, float], str]:
    """Molar mass [g/mol], molar volume [cm³/mol], active mass [g] and area [cm²] of the cathode.

    From the single recipe with a cathode among *designs* (empty when there is
    none or more than one: which recipe belongs to which run is then unknown).
    Molar volume = molar mass / density of the catalog material.
    """
    cathodes = [d for d in designs if isinstance(d.data.get("cathode"), dict)]
    if len(cathodes) != 1:
        return {}, ""
    design = cathodes[0]
    layer = design.data["cathode"]
    try:
        from ssblab.materials import get_material

        material = get_material(str(layer.get("active_material", "")))
    except (ImportError, SsblabError):
        return {}, ""
    molar_mass = material.molar_mass_g_mol
    found = {
        "molar_mass_g_mol": molar_mass,
        "molar_volume_cm3_mol": molar_mass / material.density_g_cm3,
    }
    if layer.get("active_mass_mg"):
        found["active_mass_g"] = float(layer["active_mass_mg"]) / 1000.0
    if design.data.get("area_cm2"):
        found["area_cm2"] = float(design.data["area_cm2"])
    return found, f"{material.name} of recipe {design.label}"


def _gitt_panel(label: str, pulses: pl.DataFrame, material_source: str) -> Panel:
    traces = []
    for k, ((direction,), part) in enumerate(pulses.group_by("direction", maintain_order=True)):
        soc = part.get_column("soc").to_numpy() * 100.0
        traces.append(
            Trace(
                soc,
                part.get_column("ocv_V").to_numpy(),
                f"OCV ({direction})",
                "lines+markers",
                series_color(k),
            )
        )
        d = part.get_column("D_cm2_s")
        if d.null_count() < d.len():
            traces.append(
                Trace(
                    soc,
                    d.fill_null(np.nan).to_numpy(),
                    f"D_Li ({direction})",
                    "markers",
                    series_color(k),
                    dash=True,
                    secondary=True,
                )
            )
    has_d = any(t.secondary for t in traces)
    note = (
        f"{pulses.height} pulses; D_Li by Weppner–Huggins with {material_source}."
        if has_d
        else f"{pulses.height} pulses. D_Li needs the active mass, molar mass, molar volume "
        "and area (Weppner–Huggins): give one recipe with the cathode, or the run's "
        "mass and area."
    )
    return Panel(
        key=f"gitt_{slug(label)}",
        title=f"GITT — {label}",
        x_label="State of charge [%]",
        y_label="Relaxed OCV [V]",
        y2_label="D_Li [cm² s⁻¹]" if has_d else "",
        log_y2=has_d,
        traces=tuple(traces),
        note=note,
    )


def literature(designs: list[DesignEntry]) -> Panel:
    """Literature anodes on the N/P vs areal capacity chart, the report's cells as stars."""
    try:
        from ssblab.bench.data import anodes
    except ImportError as exc:
        raise NotAvailable(f"ssblab.bench is not available ({exc})") from exc
    rows = anodes().filter(
        pl.col("np_ratio").is_not_null() & pl.col("areal_capacity_mAh_cm2").is_not_null()
    )
    if rows.height == 0:
        raise NotAvailable("the literature table has no N/P and areal capacity pairs")
    traces = [
        Trace(
            rows.get_column("np_ratio").to_numpy(),
            rows.get_column("areal_capacity_mAh_cm2").to_numpy(),
            "literature (ssblab.bench)",
            "markers",
            series_color(0),
            text=tuple(rows.get_column("anode").cast(pl.String).to_list()),
        )
    ]
    for i, d in enumerate(designs):
        np_ratio = d.data.get("np_ratio")
        areal = d.data.get("cathode_areal_capacity_mAh_cm2")
        if np_ratio is not None and areal is not None:
            traces.append(
                Trace(
                    np.array([np_ratio]),
                    np.array([areal]),
                    d.label,
                    "markers",
                    series_color(i + 1),
                    text=(d.label,),
                )
            )
    if len(traces) == 1:
        raise NotAvailable(
            "no report cell has both an N/P ratio and an areal capacity to place among the "
            "literature cells"
        )
    return Panel(
        key="literature_np_capacity",
        title="Literature benchmark: N/P ratio vs areal capacity",
        x_label="N/P ratio [-]",
        y_label="Areal capacity [mAh cm⁻²]",
        traces=tuple(traces),
        note="Literature rows from ssblab.bench (sources in its data file); "
        "report cells placed from their recipe design.",
    )
