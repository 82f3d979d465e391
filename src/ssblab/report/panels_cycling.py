"""Panels of galvanostatic cycling: voltage profiles, capacity, CE, retention, model overlay.

Each panel function takes labelled runs and returns a :class:`Panel`, or
raises :class:`NotAvailable` saying why the data cannot support it. Numbers
come from the analysis functions (:func:`ssblab.analysis.cycles.cycles`,
:func:`ssblab.analysis.metrics.cycle_metrics`); the only thing computed here is
display geometry: the capacity passed within a cycle, and thinning for display.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis.memo import per_run
from ssblab.errors import SsblabError
from ssblab.report.decimate import thin
from ssblab.report.inputs import LabelledRun, is_symmetric, looks_like_cv
from ssblab.report.model import Colorbar, NotAvailable, Panel, Trace, scales_differ
from ssblab.report.pairing import pairs, slug
from ssblab.report.style import CYCLE_CMAP, colormap_hex, series_color
from ssblab.schema import Run

#: Most cycles drawn in one voltage-capacity panel (chosen evenly, first and last kept).
MAX_CYCLES_SHOWN = 10
_Q_IN_CYCLE = "_q_in_cycle"


def cycling_runs(runs: list[LabelledRun]) -> list[LabelledRun]:
    """Galvanostatic cycling of a full or half cell: not a symmetric cell, not a CV sweep."""
    return [r for r in runs if not is_symmetric(r.run) and not looks_like_cv(r)]


def capacity_basis(runs: list[LabelledRun]) -> tuple[str, dict[str, float]]:
    """Display unit of capacity and, per run label, the factor from A·h to that unit.

    Specific capacity [mAh g⁻¹] when every run knows its active mass, areal
    [mAh cm⁻²] when every run knows its area, else plain mAh, so that runs drawn
    on one axis share the unit.
    """
    metas = {r.label: r.run.meta for r in runs}
    if metas and all(m.active_mass_g for m in metas.values()):
        return "mAh g⁻¹", {k: 1000.0 / float(m.active_mass_g) for k, m in metas.items()}
    if metas and all(m.area_cm2 for m in metas.values()):
        return "mAh cm⁻²", {k: 1000.0 / float(m.area_cm2) for k, m in metas.items()}
    return "mAh", {k: 1000.0 for k in metas}


def cycle_colorbar(first: int, last: int) -> Colorbar | None:
    """The cycle-number colorbar, or None for a single cycle (nothing to explain)."""
    return Colorbar(CYCLE_CMAP, float(first), float(last), "Cycle [-]") if last > first else None


def pick_cycles(cycles: list[int], most: int = MAX_CYCLES_SHOWN) -> list[int]:
    """At most *most* cycles, evenly spread, always including the first and the last."""
    if len(cycles) <= most:
        return list(cycles)
    idx = np.unique(np.round(np.linspace(0, len(cycles) - 1, most)).astype(int))
    return [cycles[i] for i in idx]


def cycle_numbers(table: pl.DataFrame) -> tuple[list[int], int]:
    """The table's cycle numbers, sorted, and how many rows have none (null: unreadable).

    A table without a cycle column is one cycle, ``[1]``.
    """
    if s.CYCLE not in table.columns:
        return [1], 0
    column = table.get_column(s.CYCLE)
    return column.drop_nulls().unique().sort().to_list(), column.null_count()


def null_cycle_note(n_rows: int) -> str:
    """The panel sentence for *n_rows* rows left out for lack of a cycle number ("" if none)."""
    if not n_rows:
        return ""
    return f"{n_rows} row{'s' if n_rows != 1 else ''} without a cycle number left out."


def _with_cycle_capacity(table: pl.DataFrame) -> pl.DataFrame:
    """Voltage, current, cycle and the capacity passed so far within the cycle [A·h]."""
    from ssblab.analysis.cycles import integrated_counters

    table = integrated_counters(table)
    if s.CYCLE not in table.columns:
        table = table.with_columns(pl.lit(1, dtype=pl.Int64).alias(s.CYCLE))
    charge = pl.col(s.CHARGE_CAPACITY) - pl.col(s.CHARGE_CAPACITY).min().over(s.CYCLE)
    discharge = pl.col(s.DISCHARGE_CAPACITY) - pl.col(s.DISCHARGE_CAPACITY).min().over(s.CYCLE)
    return table.select(
        s.CYCLE,
        s.VOLTAGE,
        s.CURRENT,
        pl.when(pl.col(s.CURRENT) > 0)
        .then(charge)
        .when(pl.col(s.CURRENT) < 0)
        .then(discharge)
        .alias(_Q_IN_CYCLE),
    )


def numbered_table(run: LabelledRun) -> tuple[pl.DataFrame, str]:
    """The run's table with the cycles ``ssblab cycles`` prints, and the rule used.

    A vendor counter that lumps cycles (Maccor ``maccor_001.txt``: 8 of 9 half-cycles
    in vendor cycle 1) is replaced as in :func:`ssblab.analysis.cycles.number_cycles`;
    a table the rule cannot number, or whose counter is unreadable in some rows (drawn
    with those rows left out and counted), is returned as it is (``"vendor"``).
    """
    from ssblab.analysis.cycles import number_cycles

    table = run.run.table
    if s.CYCLE in table.columns and table.get_column(s.CYCLE).null_count():
        return table, "vendor"
    try:
        numbered = number_cycles(run.run)
    except SsblabError:
        return run.run.table, "vendor"
    return numbered.table, numbered.rule


def cycle_curves(
    run: LabelledRun,
    factor: float,
    cycles: list[int] | None = None,
    max_points: int = 800,
    *,
    renumber: bool = False,
) -> list[tuple[int, str, np.ndarray, np.ndarray]]:
    """``(cycle, "charge"|"discharge", capacity, voltage)`` per half-cycle, thinned for display.

    Capacity is in display units (A·h × *factor*); rest periods are left out.
    *renumber*: cycles as ``ssblab cycles`` numbers them (:func:`numbered_table`),
    not the vendor's counter.
    """
    source = numbered_table(run)[0] if renumber else run.run.table
    table = _with_cycle_capacity(source)
    wanted = cycles if cycles is not None else cycle_numbers(table)[0]
    table = table.filter(pl.col(s.CYCLE).is_in(wanted))
    curves = []
    for (cycle, charging), part in table.filter(pl.col(s.CURRENT) != 0).group_by(
        s.CYCLE, pl.col(s.CURRENT) > 0, maintain_order=True
    ):
        q = part.get_column(_Q_IN_CYCLE).to_numpy() * factor
        v = part.get_column(s.VOLTAGE).to_numpy()
        q, v = thin(q, v, max_points)
        curves.append((int(cycle), "charge" if charging else "discharge", q, v))
    return sorted(curves, key=lambda c: (c[0], c[1] != "charge"))


def voltage_capacity(
    run: LabelledRun, unit: str, factor: float, cycles: list[int] | None = None
) -> Panel:
    """Voltage vs capacity, one colour per cycle along a colormap, charge and discharge.

    *cycles*: the cycle numbers to draw (default: up to :data:`MAX_CYCLES_SHOWN`,
    evenly spread, first and last kept).
    """
    if is_symmetric(run.run):
        raise NotAvailable(f"{run.label} is a symmetric-cell run (see the voltage-time panel)")
    if run.run.table.height == 0:
        raise NotAvailable(f"{run.label} has no rows")
    table, rule = numbered_table(run)
    all_cycles, no_cycle = cycle_numbers(table)
    if not all_cycles:
        raise NotAvailable(f"{run.label} has no row with a cycle number")
    shown = pick_cycles(all_cycles) if cycles is None else [c for c in all_cycles if c in cycles]
    if not shown:
        raise NotAvailable(f"{run.label} has none of cycles {cycles} (it has {len(all_cycles)})")
    curves = cycle_curves(run, factor, shown, renumber=True)
    if not curves:
        raise NotAvailable(f"{run.label} has no charge or discharge (current is zero throughout)")
    lo, hi = min(all_cycles), max(all_cycles)
    span = max(hi - lo, 1)
    colours = dict(
        zip(shown, colormap_hex(CYCLE_CMAP, [(c - lo) / span for c in shown]), strict=True)
    )
    traces = tuple(
        Trace(q, v, f"cycle {c} {half}", color=colours[c], show_legend=False, legend_group=str(c))
        for c, half, q, v in curves
    )
    note = (
        f"{len(shown)} of {len(all_cycles)} cycles shown." if len(shown) < len(all_cycles) else ""
    )
    renumbered = f"Cycles numbered by rule {rule}, as ssblab cycles prints them." * (
        rule != "vendor"
    )
    note = " ".join(filter(None, (note, renumbered, null_cycle_note(no_cycle))))
    return Panel(
        key=f"voltage_capacity_{slug(run.label)}",
        title=f"Voltage vs capacity — {run.label}",
        x_label=f"Capacity [{unit}]",
        y_label="Voltage [V]",
        traces=traces,
        colorbar=cycle_colorbar(lo, hi),
        note=note,
    )


def voltage_profiles(runs: list[LabelledRun], cycles: list[int] | None = None) -> list[Panel]:
    """One voltage-capacity panel per cycling run, all in the same capacity unit."""
    cycling = cycling_runs(runs)
    if not cycling:
        raise NotAvailable("no galvanostatic cycling run among the inputs")
    unit, factors = capacity_basis(cycling)
    panels, reasons = [], []
    for r in cycling:
        try:
            panels.append(voltage_capacity(r, unit, factors[r.label], cycles))
        except NotAvailable as exc:
            reasons.append(str(exc))
    if not panels:
        raise NotAvailable("; ".join(reasons))
    return panels


def _summaries(runs: list[LabelledRun]) -> list[tuple[LabelledRun, pl.DataFrame]]:
    """Per-cycle tables (their ``ce_carry_over`` column: the cycles flagged so)."""
    from ssblab.analysis.cycles import cycle_table

    out = []
    for r in cycling_runs(runs):
        try:
            ct = cycle_table(r.run)
        except SsblabError:
            continue
        summary = ct.table.filter(
            (pl.col("charge_capacity_Ah") > 0) | (pl.col("discharge_capacity_Ah") > 0)
        )
        if summary.height:
            out.append((r, summary))
    if not out:
        raise NotAvailable("no galvanostatic cycling run among the inputs")
    return out


def capacity_efficiency(runs: list[LabelledRun]) -> Panel:
    """Discharge capacity (left axis) and coulombic efficiency (right axis) vs cycle, per cell."""
    summaries = _summaries(runs)
    unit, factors = capacity_basis([r for r, _ in summaries])
    traces, partial_notes, carry_notes = [], [], []
    for i, (r, summary) in enumerate(summaries):
        partial = (
            summary.get_column("partial").to_numpy()
            if "partial" in summary.columns
            else np.zeros(summary.height, dtype=bool)
        )
        cyc = summary.get_column("cycle").to_numpy()
        q = summary.get_column("discharge_capacity_Ah").to_numpy() * factors[r.label]
        ce = summary.get_column("coulombic_efficiency").fill_null(np.nan).to_numpy() * 100.0
        colour, whole = series_color(i), ~partial
        traces.append(Trace(cyc[whole], q[whole], f"{r.label} capacity", "lines+markers", colour))
        if partial.any():  # a half missing or cut short: not joined to the complete cycles
            traces.append(
                Trace(
                    cyc[partial],
                    q[partial],
                    f"{r.label} partial cycle",
                    "markers",
                    colour,
                    text=tuple("partial" for _ in cyc[partial]),
                    cross=True,
                )
            )
            partial_notes.append(f"{r.label}: {', '.join(str(c) for c in cyc[partial])}")
        ce[partial] = np.nan  # a partial cycle's CE compares a half with a cut-short half
        carry = summary.get_column("ce_carry_over").to_numpy() & ~partial
        if carry.any():  # CE > 1 from charge the cycles before left: not the cell's efficiency
            text = tuple("charge carried over" for _ in cyc[carry])
            traces.append(
                Trace(cyc[carry], ce[carry], f"{r.label} CE carried over", "markers", colour,
                      text=text, cross=True, secondary=True)
            )  # fmt: skip
            carry_notes.append(f"{r.label}: {', '.join(str(c) for c in cyc[carry])}")
            ce[carry] = np.nan
        traces.append(Trace(cyc, ce, f"{r.label} CE", "markers", colour, dash=True, secondary=True))
    log = scales_differ([t.y for t in traces if not t.secondary and len(t.y)])
    notes = ["Capacity on a log axis: the cells differ by more than 10x."] if log else []
    if partial_notes:
        notes.append(
            "Partial cycles (one half missing or cut short) drawn as crosses, not joined to the "
            f"line: {'; '.join(partial_notes)}."
        )
    if carry_notes:
        notes.append(
            "CE crosses: charge carried over from short cycles before (ce_carry_over), not the "
            f"cell's efficiency: {'; '.join(carry_notes)}."
        )
    return Panel(
        key="capacity_ce",
        title="Discharge capacity and coulombic efficiency",
        x_label="Cycle number [-]",
        y_label=f"Discharge capacity [{unit}]",
        y2_label="Coulombic efficiency [%]",
        traces=tuple(traces),
        log_y=log,
        note=" ".join(notes),
    )


def retention(runs: list[LabelledRun]) -> Panel:
    """Capacity retention vs cycle (``analysis.metrics.cycle_metrics``), one line per cell."""
    try:
        from ssblab.analysis.metrics import cycle_metrics
    except ImportError as exc:
        raise NotAvailable(f"ssblab.analysis.metrics cannot be imported ({exc})") from exc
    traces, rates = [], []
    for i, r in enumerate(cycling_runs(runs)):
        try:
            metrics = cycle_metrics(r.run).filter(pl.col("discharge_capacity_Ah") > 0)
        except SsblabError:
            continue
        cyc = metrics.get_column("cycle").to_numpy()
        ret = metrics.get_column("retention").to_numpy() * 100.0
        if not np.isfinite(ret).any():  # no complete cycle: an empty legend entry in a PNG
            continue
        traces.append(Trace(cyc, ret, r.label, "lines+markers", series_color(i)))
        blocks = rate_blocks(r)
        if blocks > 1:
            rates.append(f"{r.label} ({blocks} current blocks)")
    if not traces:
        raise NotAvailable("no run with a discharge among the inputs")
    note = (
        "100 % = the first complete cycle (partial cycles left out), as ssblab cycles "
        "computes retention; the capacity compared is the one the definitions above name."
    )
    if rates:
        note += (
            f" Rate tests: {', '.join(rates)}: their cycles run at different currents, so "
            "this 'retention' follows the rate, not fade (see the rate panel)."
        )
    return Panel(
        key="retention",
        title="Capacity retention",
        x_label="Cycle number [-]",
        y_label="Retention [%]",
        traces=tuple(traces),
        note=note,
    )


def rate_blocks(run: LabelledRun) -> int:
    """Current blocks of a run by ``ssblab.analysis.rate`` (0 when it cannot tell):
    two or more make it a rate test. Once per run (the retention panel and the summary ask)."""
    return _rate_blocks(run.run)


@per_run
def _rate_blocks(run: Run) -> int:
    try:
        from ssblab.analysis.rate import rate_table

        return int(rate_table(run).blocks.height)
    except (ImportError, SsblabError):
        return 0


def model_vs_experiment(runs: list[LabelledRun]) -> Panel:
    """First-cycle voltage profiles of measured (solid) and simulated (dashed) runs of a cell."""
    found = pairs(cycling_runs(runs))
    if not found:
        raise NotAvailable("needs a measured and a simulated cycling run of the same cell")
    unit, factors = capacity_basis([r for pair in found for r in pair])
    traces = []
    for i, pair in enumerate(found):
        for r in pair:
            curves = cycle_curves(r, factors[r.label], [_first_cycle(r)])
            kind = r.run.meta.kind
            for j, (_, _, q, v) in enumerate(curves):
                traces.append(
                    Trace(
                        q,
                        v,
                        f"{r.label} ({kind})",
                        color=series_color(i),
                        dash=kind == "simulated",
                        show_legend=j == 0,
                        legend_group=f"{r.label} {kind}",
                    )
                )
    return Panel(
        key="model_vs_experiment",
        title="Model vs experiment",
        x_label=f"Capacity [{unit}]",
        y_label="Voltage [V]",
        traces=tuple(traces),
        note="Solid: measured; dashed: simulated (first cycle of each run).",
    )


def _first_cycle(run: LabelledRun) -> int:
    table = run.run.table
    return int(table.get_column(s.CYCLE).min()) if s.CYCLE in table.columns else 1
