"""``ssblab.plot``: the everyday plots of a cell, from files, runs or recipes, as one figure.

The panels are the report's (:mod:`ssblab.report`), so a curve looks the same in
a paper figure, on a slide and on the report page. Several inputs are drawn
together: on one axes where a quantity shares its axis (capacity vs cycle, rate
bars, Nyquist, symmetric voltage), one axes per file where each file has its own
colour scale (voltage by cycle, dQ/dV, CV, GITT); measured traces are solid,
simulated ones dashed. Capacities are mass-normalised (mAh/g) when every run
knows its active mass (from the file, a recipe among the inputs, or ``mass_mg``).

The module is named ``plotting`` so that ``ssblab.plot`` stays the function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.errors import SsblabError
from ssblab.report.model import scales_differ

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ssblab.report.inputs import ReportData
    from ssblab.report.model import Panel

#: Output types of :meth:`Plot.save` (and ``ssblab plot -o``).
SUFFIXES = (".png", ".svg", ".pdf", ".html")
#: Figure styles: size of one panel [inch], font size [pt], line width [pt].
STYLES: dict[str, tuple[tuple[float, float], float, float]] = {
    "paper": ((3.5, 2.6), 8.0, 1.0),
    "slide": ((6.4, 4.4), 14.0, 2.0),
}


def _voltage(data: ReportData, cycles: list[int] | None = None) -> Panel | list[Panel]:
    from ssblab.report import panels_cycling as cyc

    cycling = cyc.cycling_runs(data.runs)
    if len(cycling) > 1:
        overlay = voltage_overlay(data, cycles=cycles)
        by_run: dict[str, list] = {}
        for t in overlay.traces:
            by_run.setdefault(t.legend_group, []).append(t.x)
        tops = [np.concatenate(xs) for xs in by_run.values()]
        if not scales_differ(tops):
            return overlay
    return cyc.voltage_profiles(data.runs, cycles)  # one panel per run: scales differ > 10x


def _kinds() -> dict[str, tuple[str, Callable[[ReportData], Any]]]:
    from ssblab.report import panels_cycling as cyc
    from ssblab.report import panels_echem as echem
    from ssblab.report import panels_eis as eis

    return {
        "voltage": ("voltage vs capacity by cycle", _voltage),
        "capacity": ("capacity and CE vs cycle", lambda d: cyc.capacity_efficiency(d.runs)),
        "retention": ("capacity retention vs cycle", lambda d: cyc.retention(d.runs)),
        "dqdv": ("dQ/dV of chosen cycles", lambda d: echem.dqdv(d.runs)),
        "rate": ("rate-test bars", lambda d: echem.rate_bars(d.runs)),
        "nyquist": ("EIS Nyquist (equal aspect)", lambda d: eis.nyquist(d.spectra)),
        "bode": ("EIS Bode |Z| and phase", lambda d: eis.bode(d.spectra)),
        "symmetric": ("symmetric-cell voltage vs time, failure marked", _symmetric),
        "gitt": ("GITT OCV and D_Li per pulse", lambda d: echem.gitt(d.runs, d.designs)),
        "cv": ("cyclic voltammograms", lambda d: echem.cyclic_voltammetry(d.runs)),
    }


def _symmetric(data: ReportData) -> list[Panel]:
    from ssblab.report import panels_symmetric as sym

    return sym.symmetric_voltage(data.runs)[:1]  # the full trace; the report adds a zoom


#: Plot kinds and what each draws (``ssblab plot --help`` lists them).
KINDS: tuple[str, ...] = (
    "voltage",
    "capacity",
    "retention",
    "dqdv",
    "rate",
    "nyquist",
    "bode",
    "symmetric",
    "gitt",
    "cv",
)


def describe_kinds() -> dict[str, str]:
    """Kind -> one-line description."""
    return {k: v[0] for k, v in _kinds().items()}


def voltage_overlay(
    data: ReportData, most_cycles: int = 3, cycles: list[int] | None = None
) -> Panel:
    """Voltage vs capacity of several runs on one axes: a colour per run, a few cycles each
    (*cycles* when given, else up to *most_cycles*, first and last kept)."""
    from ssblab.report import panels_cycling as cyc
    from ssblab.report.model import NotAvailable, Panel, Trace
    from ssblab.report.style import series_color

    cycling = cyc.cycling_runs(data.runs)
    if not cycling:
        raise NotAvailable("no galvanostatic cycling run among the inputs")
    unit, factors = cyc.capacity_basis(cycling)
    traces, skipped = [], 0
    for i, r in enumerate(cycling):
        table = cyc.numbered_table(r)[0]  # the cycles `ssblab cycles` prints, not the counter
        numbers, no_cycle = cyc.cycle_numbers(table)
        skipped += no_cycle
        shown = (
            cyc.pick_cycles(numbers, most_cycles)
            if cycles is None
            else [c for c in numbers if c in cycles]
        )
        first = True
        for _c, _half, q, v in cyc.cycle_curves(r, factors[r.label], shown, renumber=True):
            traces.append(
                Trace(
                    q,
                    v,
                    r.label,
                    color=series_color(i),
                    dash=r.run.meta.kind == "simulated",
                    show_legend=first,
                    legend_group=r.label,
                )
            )
            first = False
    return Panel(
        key="voltage_capacity_overlay",
        title="Voltage vs capacity",
        x_label=f"Capacity [{unit}]",
        y_label="Voltage [V]",
        traces=tuple(traces),
        note=" ".join(
            filter(
                None,
                (
                    f"up to {most_cycles} cycles per run (first and last kept)."
                    if cycles is None
                    else f"cycles {', '.join(map(str, cycles))}.",
                    cyc.null_cycle_note(skipped),
                ),
            )
        ),
    )


@dataclass
class Plot:
    """A drawn plot: its panels and the matplotlib figure; ``save`` writes PNG/SVG/PDF/HTML."""

    kind: str
    panels: list[Panel]
    figure: Figure
    style: str = "paper"
    notes: list[str] = field(default_factory=list)

    def save(self, path: str | Path) -> Path:
        """Write the figure; the type follows the suffix (.png, .svg, .pdf, or .html)."""
        out = Path(path)
        suffix = out.suffix.lower()
        if suffix not in SUFFIXES:
            raise SsblabError(f"{out}: output must end in one of {', '.join(SUFFIXES)}")
        try:
            if suffix == ".html":
                page = html_page(self.panels, title=f"ssblab plot: {self.kind}")
                out.write_text(page, encoding="utf-8")
            else:
                import matplotlib as mpl

                with mpl.rc_context(_rc(self.style)):
                    self.figure.savefig(out, facecolor="white")
        except OSError as exc:
            raise SsblabError(f"{out}: cannot write the plot: {exc}") from exc
        return out

    def _repr_png_(self) -> bytes:
        import io

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=110, facecolor="white")
        return buffer.getvalue()

    def __repr__(self) -> str:
        titles = "; ".join(p.title for p in self.panels)
        return f"<ssblab Plot {self.kind!r}: {len(self.panels)} panel(s): {titles}>"


def _rc(style: str) -> dict[str, Any]:
    from ssblab.report.style import matplotlib_rc

    _, font, line = STYLES[style]
    rc = matplotlib_rc()
    rc.update(
        {
            "font.size": font,
            "axes.labelsize": font,
            "axes.titlesize": font,
            "xtick.labelsize": font * 0.9,
            "ytick.labelsize": font * 0.9,
            "legend.fontsize": font * 0.85,
            "lines.linewidth": line,
            "savefig.dpi": 300 if style == "paper" else 150,
        }
    )
    return rc


def _apply_mass(data: ReportData, mass_mg: float | None, area_cm2: float | None) -> None:
    from ssblab.report.inputs import LabelledRun
    from ssblab.schema import Run

    if mass_mg is None and area_cm2 is None:
        return
    if mass_mg is not None and not mass_mg > 0:
        raise SsblabError(f"--mass-mg must be positive, got {mass_mg}")
    runs = []
    for r in data.runs:
        meta = r.run.meta
        changes: dict[str, Any] = {}
        if mass_mg is not None and not meta.active_mass_g:
            changes["active_mass_g"] = mass_mg / 1000.0
        if area_cm2 is not None and not meta.area_cm2:
            changes["area_cm2"] = area_cm2
        runs.append(LabelledRun(r.label, Run(r.run.table, meta.with_(**changes))) if changes else r)
    data.runs = runs


def figure(panels: Sequence[Panel], style: str = "paper") -> Figure:
    """One matplotlib figure with a grid of axes, one per panel, legends outside the data."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from ssblab.report.figures import draw_on

    if style not in STYLES:
        raise SsblabError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    (w, h), _, _ = STYLES[style]
    n = len(panels)
    ncols = 1 if n == 1 else 2
    nrows = math.ceil(n / ncols)
    with mpl.rc_context(_rc(style)):
        fig = Figure(figsize=(w * ncols, h * nrows * 1.15), layout="constrained")
        for i, panel in enumerate(panels):
            ax = fig.add_subplot(nrows, ncols, i + 1)
            draw_on(fig, ax, panel, legend=False)
            _outside_legend(fig, ax, single=n == 1)
    return fig


def _outside_legend(fig: Any, ax: Any, single: bool) -> None:
    """Legend below the axes (never over the data); left out when it is long."""
    handles, labels = [], []
    for axis in [ax, *[a for a in fig.axes if a is not ax and a.bbox.bounds == ax.bbox.bounds]]:
        h, lab = axis.get_legend_handles_labels()
        handles += h
        labels += lab
    if not 0 < len(handles) <= 12:
        return
    ncols = 1 if max(len(x) for x in labels) > 30 else 2
    if single:
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols)
    else:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, -0.22), ncols=ncols)


def plot(
    kind: str,
    *inputs: Any,
    out: str | Path | None = None,
    style: str = "paper",
    mass_mg: float | None = None,
    area_cm2: float | None = None,
    simulate: bool = True,
    cycles: list[int] | None = None,
) -> Plot:
    """Draw plot *kind* of *inputs* (paths, runs, EIS tables, recipe ``.toml`` files).

    Parameters
    ----------
    kind : str
        One of :data:`KINDS` (``describe_kinds()`` says what each draws).
    inputs : paths or runs
        Instrument files, canonical ``.parquet`` tables (measured or simulated),
        recipes (a symmetric-cell recipe is simulated when *simulate*), runs.
    out : path, optional
        Also write the figure there (.png, .svg, .pdf, .html).
    style : {"paper", "slide"}
        Single-column paper figure (8 pt) or slide figure (14 pt, thick lines).
    mass_mg, area_cm2 : float, optional
        Active mass [mg] and area [cm²] for runs whose file does not give them.
    cycles : list of int, optional
        Cycle numbers drawn by the ``voltage`` plot (default: a few, evenly spread).

    Raises
    ------
    SsblabError
        Unknown kind or style, unreadable input, or data that cannot make this plot
        (the one-line reason, e.g. "no galvanostatic cycling run among the inputs").
    """
    from ssblab.report.inputs import collect, normalise_with_recipe
    from ssblab.report.model import NotAvailable

    kinds = _kinds()
    if kind not in kinds:
        raise SsblabError(f"unknown plot kind {kind!r}: use one of {', '.join(KINDS)}")
    if not inputs:
        raise SsblabError("nothing to plot: give at least one file or run")
    data = collect(_flatten(inputs), simulate=simulate)
    _apply_mass(data, mass_mg, area_cm2)
    data = normalise_with_recipe(data)
    draw = kinds[kind][1]
    if cycles is not None:
        if kind != "voltage":
            raise SsblabError(f"cycles= applies to the voltage plot, not to {kind!r}")
        draw = lambda d: _voltage(d, cycles)  # noqa: E731
    try:
        made = draw(data)
    except NotAvailable as exc:
        raise SsblabError(f"cannot draw a {kind} plot: {exc}") from None
    panels = made if isinstance(made, list) else [made]
    result = Plot(kind, panels, figure(panels, style), style, list(data.notes))
    if out is not None:
        result.save(out)
    return result


def _flatten(inputs: Iterable[Any]) -> list[Any]:
    items: list[Any] = []
    for item in inputs:
        if isinstance(item, (list, tuple)):
            items += list(item)
        else:
            items.append(item)
    return items


def html_page(panels: Sequence[Panel], title: str = "ssblab plot") -> str:
    """A self-contained interactive page of *panels* (the report's gzipped Plotly)."""
    from ssblab.report import html as page_html
    from ssblab.report.plotly_panels import figure_dict

    blocks = [page_html.PanelBlock(p.key, p.title, figure_dict(p), p.note) for p in panels]
    return page_html.page(
        title=title, cells=[], summary=[], designs=[], panels=blocks, unavailable=[]
    )
