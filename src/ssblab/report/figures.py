"""Draw a :class:`~ssblab.report.model.Panel` as a publication matplotlib figure (PNG).

Uses the object-oriented API with the non-interactive Agg canvas, so nothing
touches pyplot's global state or needs a display. Fonts stay TrueType text in
vector output; cycles are coloured along the colormap with a colorbar.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ssblab.report.model import Panel, Trace
from ssblab.report.style import EVENT_COLOR, PNG_DPI, PNG_SIZE_IN, matplotlib_rc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Legends with more entries than this are left out (a colorbar or the page explains them).
MAX_LEGEND_ENTRIES = 12


def _draw_trace(ax: Axes, trace: Trace, index: int) -> None:
    label = trace.name if trace.show_legend else "_nolegend_"
    if trace.mode == "bar":
        ax.bar(trace.x, trace.y, color=trace.color, label=label, width=0.8)
        return
    style = "--" if trace.dash else "-"
    marker = "o" if "markers" in trace.mode else None
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


def _add_colorbar(fig: Figure, ax: Axes, panel: Panel) -> None:
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    cb = panel.colorbar
    if cb is None:
        return
    vmax = cb.vmax if cb.vmax > cb.vmin else cb.vmin + 1.0
    mappable = ScalarMappable(Normalize(cb.vmin, vmax), colormaps[cb.cmap])
    bar = fig.colorbar(mappable, ax=ax, pad=0.02, fraction=0.05)
    bar.set_label(cb.label)


def _legend(ax: Axes, extra: Axes | None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if extra is not None:
        h2, l2 = extra.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    if 0 < len(handles) <= MAX_LEGEND_ENTRIES:
        ax.legend(handles, labels, loc="best")


def draw(panel: Panel) -> Figure:
    """Build the matplotlib figure of *panel* (not saved; see :func:`save_png`)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    with mpl.rc_context(matplotlib_rc()):
        fig = Figure(figsize=PNG_SIZE_IN, dpi=PNG_DPI, layout="constrained")
        ax = fig.add_subplot()
        right = ax.twinx() if panel.y2_label else None
        for i, trace in enumerate(panel.traces):
            _draw_trace(right if (trace.secondary and right is not None) else ax, trace, i)
        ax.set_xlabel(panel.x_label)
        ax.set_ylabel(panel.y_label)
        ax.set_title(panel.title, loc="left")
        if right is not None:
            right.set_ylabel(panel.y2_label)
            right.spines["right"].set_visible(True)
        if panel.log_x:
            ax.set_xscale("log")
        if panel.log_y:
            ax.set_yscale("log")
        if panel.equal_aspect:
            ax.set_aspect("equal", adjustable="datalim")
        if panel.x_range is not None:
            ax.set_xlim(*panel.x_range)
            _fit_y_to_window(ax, panel)
        for event in panel.events:
            ax.axvline(event.x, color=EVENT_COLOR, linestyle=":", linewidth=1.2)
            ax.annotate(
                event.label,
                (event.x, 1.0),
                xycoords=("data", "axes fraction"),
                color=EVENT_COLOR,
                fontsize=7.5,
                ha="left",
                va="top",
            )
        _add_colorbar(fig, ax, panel)
        _legend(ax, right)
    return fig


def _fit_y_to_window(ax: Axes, panel: Panel) -> None:
    """Scale y to the data inside the x window (matplotlib keeps the full range otherwise)."""
    lo, hi = panel.x_range or (0.0, 0.0)
    ys = [t.y[(t.x >= lo) & (t.x <= hi)] for t in panel.traces if not t.secondary]
    ys = [y[np.isfinite(y)] for y in ys]
    ys = [y for y in ys if y.size]
    if ys:
        y_all = np.concatenate(ys)
        pad = 0.05 * (float(y_all.max() - y_all.min()) or 1.0)
        ax.set_ylim(float(y_all.min()) - pad, float(y_all.max()) + pad)


def save_png(fig: Figure, path: Path) -> Path:
    """Write *fig* as a PNG at :data:`~ssblab.report.style.PNG_DPI` and return the path."""
    import matplotlib as mpl

    with mpl.rc_context(matplotlib_rc()):
        fig.savefig(path, dpi=PNG_DPI, facecolor="white")
    return path
