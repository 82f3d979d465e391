"""Draw a :class:`~ssblab.report.model.Panel` as a publication matplotlib figure (PNG).

Uses the object-oriented API with the non-interactive Agg canvas, so nothing
touches pyplot's global state or needs a display. Fonts stay TrueType text in
vector output; cycles are coloured along the colormap with a colorbar.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.report.model import Panel, Trace, flat_range, window_y_range, wrap_chars, wrap_label
from ssblab.report.style import PNG_DPI, PNG_SIZE_IN, matplotlib_rc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Legends with more entries than this are left out (a colorbar or the page explains them).
MAX_LEGEND_ENTRIES = 12
#: Points labelled one by one in a PNG only when a trace has at most this many.
MAX_POINT_LABELS = 25
#: Bar categories wrapped under their bars (more are slanted), and the characters all the
#: wrapped labels share across the axis (six cells get 11 characters a line each).
MAX_WRAPPED_BARS = 6
BAR_LABEL_CHARS_TOTAL = 66
#: gid of the point labels, so that the ones that would overlap can be hidden.
POINT_LABEL = "ssblab-point-label"
#: Legend rows the figure's own height holds; each further row makes it taller [in].
LEGEND_ROWS_FREE = 2
LEGEND_ROW_IN = 0.19


def plain(text: str) -> str:
    """Untrusted text shown literally: ``$`` would start matplotlib mathtext."""
    return text.replace("$", r"\$")


def _draw_bars(ax: Axes, bars: list[Trace]) -> None:
    """Grouped bars: categories (the union of every trace's x, in order) side by side.

    A few long category names are wrapped under their bars instead of slanted (four
    cell names at 30° took more height than the bars); one series needs no legend."""
    categories: list[str] = []
    for b in bars:
        categories += [str(x) for x in b.x if str(x) not in categories]
    width = 0.8 / len(bars)
    for k, b in enumerate(bars):
        pos = np.array([categories.index(str(x)) for x in b.x]) + (k - (len(bars) - 1) / 2) * width
        label = plain(b.name) if len(bars) > 1 else "_nolegend_"
        drawn = ax.bar(pos, b.y, width=width, color=b.color, label=label)
        if b.text and len(b.text) <= MAX_POINT_LABELS:
            ax.bar_label(drawn, labels=[plain(x) for x in b.text], fontsize=6.5, padding=2)
    names = [plain(c) for c in categories]
    if len(categories) <= MAX_WRAPPED_BARS:
        chars = wrap_chars(BAR_LABEL_CHARS_TOTAL // len(categories))
        wrapped = [wrap_label(c, chars) for c in names]
        ax.set_xticks(range(len(categories)), wrapped, fontsize=7.5)
    else:
        ax.set_xticks(range(len(categories)), names, rotation=30, ha="right")


def _draw_trace(ax: Axes, trace: Trace, index: int) -> None:
    label = plain(trace.name) if trace.show_legend else "_nolegend_"
    style = "--" if trace.dash else "-"
    marker = ("x" if trace.cross else "o") if "markers" in trace.mode else None
    linestyle = "none" if trace.mode == "markers" else style
    face = "none" if trace.dash and trace.mode == "markers" else trace.color
    ax.plot(
        trace.x,
        trace.y,
        linestyle=linestyle,
        marker=marker,
        markersize=3.5,
        markerfacecolor=face,
        color=trace.color,
        label=label,
        zorder=2 + index * 1e-3,
    )
    if trace.text and len(trace.text) <= MAX_POINT_LABELS:
        for x, y, text in zip(trace.x, trace.y, trace.text, strict=True):
            ax.annotate(
                plain(text),
                (x, y),
                fontsize=6,
                xytext=(3, 3),
                textcoords="offset points",
                gid=POINT_LABEL,
            )


def _labels_inward(fig: Figure) -> int:
    """Put each point label in the right 40 % of its axes to the left of its point, so
    that it stays inside the axes (a last-cycle 'charge carried over' ran across the
    right-hand axis' ticks); returns how many were moved."""
    moved = 0
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        scale = np.log10 if ax.get_xscale() == "log" and min(lo, hi) > 0 else (lambda v: v)
        for text in ax.texts:
            if text.get_gid() != POINT_LABEL:
                continue
            x = float(text.xy[0])
            if ax.get_xscale() == "log" and x <= 0:
                continue
            if hi > lo and scale(x) - scale(lo) > 0.6 * (scale(hi) - scale(lo)):
                text.set_horizontalalignment("right")
                text.xyann = (-3, 3)
                moved += 1
    return moved


def _hide_overlapping_labels(fig: Figure) -> int:
    """Hide each point label that would overlap an earlier one (the page's hover still
    names every point); returns how many were hidden."""
    labels = [t for ax in fig.axes for t in ax.texts if t.get_gid() == POINT_LABEL]
    if len(labels) < 2:
        return 0
    fig.draw_without_rendering()  # the final layout, so the boxes are where they print
    kept: list[Any] = []
    hidden = 0
    for text in labels:
        box = text.get_window_extent()
        if any(box.overlaps(k) for k in kept):
            text.set_visible(False)
            hidden += 1
        else:
            kept.append(box)
    return hidden


def _add_colorbar(fig: Figure, ax: Axes, panel: Panel) -> None:
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    cb = panel.colorbar
    if cb is None:
        return
    vmax = cb.vmax if cb.vmax > cb.vmin else cb.vmin + 1.0
    mappable = ScalarMappable(Normalize(cb.vmin, vmax), colormaps[cb.cmap])
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(mappable, ax=ax, pad=0.02, fraction=0.05)
    bar.set_label(cb.label)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()


def _one_per_colour(handles: list[Any], labels: list[str]) -> tuple[list[Any], list[str]]:
    """The first legend entry of each colour: a Bode of six spectra has 18 entries, too
    many to show, yet without any its series cannot be told apart."""
    seen: dict[str, tuple[Any, str]] = {}
    for handle, label in zip(handles, labels, strict=True):
        get = getattr(handle, "get_color", None)
        seen.setdefault(str(get()) if get else label, (handle, label))
    return [h for h, _ in seen.values()], [lab for _, lab in seen.values()]


def _legend(fig: Figure, ax: Axes, extra: Axes | None) -> None:
    """Legend below the plot, outside the axes, so it never covers data."""
    handles, labels = ax.get_legend_handles_labels()
    if extra is not None:
        h2, l2 = extra.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    if len(handles) > MAX_LEGEND_ENTRIES:  # one entry per colour (per cell or spectrum)
        handles, labels = _one_per_colour(handles, labels)
    if not 0 < len(handles) <= MAX_LEGEND_ENTRIES:
        return
    ncols = min(1 if max(len(lab) for lab in labels) > 40 else 2, len(handles))
    rows = -(-len(handles) // ncols)
    if rows > LEGEND_ROWS_FREE:  # the legend below must not squash the axes
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + (rows - LEGEND_ROWS_FREE) * LEGEND_ROW_IN)
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols)


def draw(panel: Panel) -> Figure:
    """Build the matplotlib figure of *panel* (not saved; see :func:`save_png`)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    with mpl.rc_context(matplotlib_rc()):
        fig = Figure(figsize=PNG_SIZE_IN, dpi=PNG_DPI, layout="constrained")
        draw_on(fig, fig.add_subplot(), panel)
        _labels_inward(fig)
        _hide_overlapping_labels(fig)
    return fig


def draw_on(fig: Figure, ax: Axes, panel: Panel, legend: bool = True) -> None:
    """Draw *panel* into the existing axes *ax* of *fig* (used for multi-panel figures)."""
    right = ax.twinx() if panel.y2_label else None
    bars = [t for t in panel.traces if t.mode == "bar"]
    if bars:
        _draw_bars(ax, bars)
    for i, trace in enumerate(t for t in panel.traces if t.mode != "bar"):
        _draw_trace(right if (trace.secondary and right is not None) else ax, trace, i)
    ax.set_xlabel(panel.x_label)
    ax.set_ylabel(panel.y_label)
    ax.set_title(plain(panel.title), loc="left")
    if right is not None:
        right.set_ylabel(panel.y2_label)
        right.spines["right"].set_visible(True)
    for axis in (ax, right):
        if axis is not None:
            with contextlib.suppress(AttributeError):  # category axes have no offset
                axis.ticklabel_format(axis="both", style="plain", useOffset=False)
    if right is not None and panel.log_y2:
        right.set_yscale("log")
    if panel.log_x:
        ax.set_xscale("log")
    if panel.log_y:
        ax.set_yscale("log")
    if panel.equal_aspect:
        ax.set_aspect("equal", adjustable="box")  # datalim stretched Z' to -250 Ω
    if panel.x_range is not None:
        ax.set_xlim(*panel.x_range)
        y_range = window_y_range(panel)
        if y_range is not None:
            ax.set_ylim(*y_range)
    _draw_events(ax, panel)
    for axis, secondary in ((ax, False), (right, True)):
        fixed = flat_range(panel.traces, secondary)
        if axis is not None and fixed is not None and axis.get_yscale() == "linear":
            axis.set_ylim(*fixed)
    if panel.x_label.startswith("Cycle"):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _add_colorbar(fig, ax, panel)
    if legend:
        _legend(fig, ax, right)


def _draw_events(ax: Axes, panel: Panel) -> None:
    """Dotted vertical lines with staggered labels, kept inside the axes."""
    left, right = ax.get_xlim() if panel.x_range is None else panel.x_range
    scale = np.log10 if panel.log_x and min(left, right) > 0 else (lambda v: v)
    for k, event in enumerate(panel.events):
        ax.axvline(event.x, color=event.color, linestyle=":", linewidth=1.2)
        where = scale(max(event.x, 1e-300)) if panel.log_x else event.x
        on_right = (where - scale(left)) > 0.6 * (scale(right) - scale(left))
        note = ax.annotate(
            plain(event.label),
            (event.x, 1.0 - 0.06 * k),
            xycoords=("data", "axes fraction"),
            xytext=(-3 if on_right else 3, 0),
            textcoords="offset points",
            color=event.color,
            fontsize=7.5,
            ha="right" if on_right else "left",
            va="top",
        )
        note.set_in_layout(False)  # a long label must not shrink the axes


def save_png(fig: Figure, path: Path) -> Path:
    """Write *fig* as a PNG at :data:`~ssblab.report.style.PNG_DPI` and return the path."""
    import matplotlib as mpl

    with mpl.rc_context(matplotlib_rc()):
        fig.savefig(path, dpi=PNG_DPI, facecolor="white")
    return path
