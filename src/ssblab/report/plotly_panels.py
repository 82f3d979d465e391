"""Draw a :class:`~ssblab.report.model.Panel` as an interactive Plotly figure.

Text that came from files (cell names in titles and legends) is HTML-escaped
before it reaches Plotly, which renders a subset of HTML in its labels; the
page additionally escapes the figure JSON (see :mod:`ssblab.report.html`).
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from ssblab.report.model import (
    WRAP_AT,
    Colorbar,
    Panel,
    Trace,
    cycle_tick_step,
    decades,
    flat_range,
    window_y_range,
    wrap_chars,
    wrap_label,
)
from ssblab.report.style import plotly_colorscale, plotly_layout


def _rounded(values: np.ndarray) -> list[float | None]:
    """Floats rounded to 6 significant digits with NaN/inf as None, to keep the page small."""
    arr = np.asarray(values, dtype=float)
    finite = np.isfinite(arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(finite & (arr != 0), np.floor(np.log10(np.abs(arr))), 0.0)
    scale = 10.0 ** (5 - mag)
    rounded = np.where(finite, np.round(arr * scale) / scale, np.nan)
    return [float(v) if np.isfinite(v) else None for v in rounded]


def _values(values: np.ndarray, wrap_at: int) -> list[float | None] | list[str]:
    """Numbers rounded for display, or category labels (escaped, wrapped at *wrap_at*
    characters) when *values* are text."""
    arr = np.asarray(values)
    if arr.dtype.kind in "USO":
        return [_wrapped(html.escape(str(v)), wrap_at) for v in arr]
    return _rounded(arr)


#: A log axis whose data span this many decades or more is labelled at decades only [-].
DECADE_TICKS_FROM = 2.0


def wrap_width(panel: Panel) -> int:
    """Characters a category label of *panel*'s bars may take per line (:func:`wrap_chars`
    of what one bar's slot holds: six 18-character lines overlapped their neighbours)."""
    categories = {str(x) for t in panel.traces if t.mode == "bar" for x in t.x}
    slot_px = (_PANEL_WIDTH_PX - 100.0) / max(len(categories), 1)  # plot area: 100 px margins
    return wrap_chars(slot_px / _LEGEND_CHAR_PX - 1)


def _wrapped(label: str, wrap_at: int = WRAP_AT) -> str:
    """*label* (already escaped) on lines of about *wrap_at* characters: long cell names as
    angled tick labels would squeeze the plot to a strip."""
    return wrap_label(label, wrap_at, "<br>")


def _trace_dict(trace: Trace, wrap_at: int = WRAP_AT) -> dict[str, Any]:
    name = html.escape(trace.name)
    common = {
        "x": _values(trace.x, wrap_at),
        "y": _rounded(trace.y),
        "name": name,
        "showlegend": trace.show_legend,
        "legendgroup": html.escape(trace.legend_group or trace.name),
        "yaxis": "y2" if trace.secondary else "y",
    }
    if trace.text:
        common |= {"text": [html.escape(x) for x in trace.text], "hoverinfo": "x+y+text"}
    if trace.mode == "bar":
        bar = {**common, "type": "bar", "marker": {"color": trace.color}}
        return bar | ({"textposition": "outside"} if trace.text else {})
    line = {"color": trace.color, "width": 1.6, "dash": "dash" if trace.dash else "solid"}
    marker = {"color": trace.color, "size": 6}
    if trace.dash and trace.mode == "markers":
        marker = {**marker, "symbol": "circle-open"}
    if trace.cross:
        marker = {**marker, "symbol": "x-thin-open", "size": 8, "line": {"width": 1.6}}
    return {
        **common,
        "type": "scatter",  # the page's cartesian bundle has no WebGL traces; data are thinned
        "mode": trace.mode,
        "line": line,
        "marker": marker,
    }


def _colorbar_trace(cb: Colorbar) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {
            "colorscale": plotly_colorscale(cb.cmap),
            "cmin": cb.vmin,
            "cmax": cb.vmax,
            "color": [cb.vmin],
            "showscale": True,
            "colorbar": {
                "title": {"text": html.escape(cb.label)},
                "thickness": 14,
                "tickformat": "d",
                "dtick": max(1, round((cb.vmax - cb.vmin) / 6)),
            },
        },
    }


def _on_right(panel: Panel, x: float) -> bool:
    """True when *x* lies in the right 40 % of the data (label the event to its left);
    measured in decades on a log x axis."""
    if panel.x_range is not None:
        lo, hi = panel.x_range
    else:
        xs = [
            np.asarray(t.x, dtype=float)
            for t in panel.traces
            if np.asarray(t.x).dtype.kind in "fiu"
        ]
        xs = [a[np.isfinite(a) & ((a > 0) | (not panel.log_x))] for a in xs if a.size]
        xs = [a for a in xs if a.size]
        if not xs:
            return False
        lo, hi = min(float(a.min()) for a in xs), max(float(a.max()) for a in xs)
    if panel.log_x and min(lo, hi, x) > 0:
        lo, hi, x = np.log10(lo), np.log10(hi), np.log10(x)
    return hi > lo and (x - lo) > 0.6 * (hi - lo)


#: Room left right of an event at the end of the data [fraction of the x span].
EVENT_END_PAD = 0.02


def _room_for_last_event(panel: Panel) -> tuple[float, float] | None:
    """An x range a little wider than the data when an event lies at its last x (a run
    that stops at its failure): Plotly's autorange ends there, and the event's dotted
    line fell on the plot frame. None when no event is there (or a log x axis)."""
    if not panel.events or panel.log_x:
        return None
    xs = [np.asarray(t.x) for t in panel.traces]
    xs = [np.asarray(x, dtype=float) for x in xs if x.dtype.kind in "fiu" and x.size]
    xs = [x[np.isfinite(x)] for x in xs]
    xs = [x for x in xs if x.size]
    if not xs:
        return None
    lo, hi = min(float(x.min()) for x in xs), max(float(x.max()) for x in xs)
    span = hi - lo
    if span <= 0 or max(e.x for e in panel.events) < hi - 1e-3 * span:
        return None
    return lo, max(hi, max(e.x for e in panel.events)) + EVENT_END_PAD * span


def figure_dict(panel: Panel) -> dict[str, Any]:
    """The Plotly figure of *panel* as a plain ``{"data", "layout"}`` dict."""
    layout = plotly_layout()
    layout["xaxis"] |= {"title": {"text": html.escape(panel.x_label)}}
    layout["yaxis"] |= {"title": {"text": html.escape(panel.y_label)}}
    if panel.log_x:
        layout["xaxis"]["type"] = "log"
    if panel.log_y:
        layout["yaxis"]["type"] = "log"
    for axis, name, log in (("xaxis", "x", panel.log_x), ("yaxis", "y", panel.log_y)):
        if log and decades(panel.traces, name) >= DECADE_TICKS_FROM:
            layout[axis]["dtick"] = 1  # one label a decade, not 2 and 5 between them
    step = cycle_tick_step(panel)
    if step is not None:
        layout["xaxis"] |= {"tickformat": "d"} | ({"dtick": step} if step else {})
    if panel.x_range is not None:
        layout["xaxis"]["range"] = list(panel.x_range)
        y_range = window_y_range(panel)
        if y_range is not None:
            layout["yaxis"]["range"] = list(y_range)
    elif (padded := _room_for_last_event(panel)) is not None:
        layout["xaxis"]["range"] = list(padded)
    if panel.equal_aspect:
        layout["yaxis"] |= {"scaleanchor": "x", "scaleratio": 1}
    if panel.y2_label:
        layout["yaxis2"] = {
            **{k: v for k, v in layout["yaxis"].items() if k not in ("mirror", "title", "type")},
            "title": {"text": html.escape(panel.y2_label)},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            # its own ticks: synced to a log primary axis they fell at odd values (37.34, 36.01 ...)
            "tickmode": "auto",
        }
        if panel.log_y2:
            layout["yaxis2"]["type"] = "log"
            layout["yaxis2"]["exponentformat"] = "power"
            if decades(panel.traces, "y2") >= DECADE_TICKS_FROM:
                layout["yaxis2"]["dtick"] = 1
        layout["margin"] = {**layout["margin"], "r": 70}
        layout["yaxis"]["mirror"] = False
    for axis, secondary in (("yaxis", False), ("yaxis2", True)):
        fixed = flat_range(panel.traces, secondary) if axis in layout else None
        if fixed is not None and layout[axis].get("type") != "log":
            layout[axis]["range"] = list(fixed)
    if any(t.mode == "bar" for t in panel.traces):
        layout["barmode"] = "group"
    if panel.colorbar is not None:
        layout["margin"] = {**layout["margin"], "r": 20}
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": e.x,
            "x1": e.x,
            "y0": 0,
            "y1": 1,
            "line": {"color": e.color, "dash": "dot", "width": 1.5},
        }
        for e in panel.events
    ]
    layout["annotations"] = [
        {
            "x": float(np.log10(e.x)) if panel.log_x and e.x > 0 else e.x,  # log axes: decades
            "y": 1 - 0.07 * k,
            "xref": "x",
            "yref": "paper",
            "text": html.escape(e.label),
            "showarrow": False,
            "yanchor": "top",
            "xanchor": "right" if _on_right(panel, e.x) else "left",
            "font": {"color": e.color, "size": 10},
            "bgcolor": "rgba(255,255,255,0.7)",
        }
        for k, e in enumerate(panel.events)
    ]
    _place_legend(layout, panel)
    data = [_trace_dict(t, wrap_width(panel)) for t in panel.traces]
    if panel.colorbar is not None:
        data.append(_colorbar_trace(panel.colorbar))
    return {"data": data, "layout": layout}


#: Approximate width of one legend character and one legend row [px] at the page's font.
_LEGEND_CHAR_PX, _LEGEND_ROW_PX, _PANEL_WIDTH_PX = 7.0, 20.0, 560.0


def _place_legend(layout: dict[str, Any], panel: Panel) -> None:
    """Legend under the plot, below the x-axis title and tick labels, never over the data.

    The legend sits at the bottom of the figure (container coordinates) and the
    bottom margin grows by its estimated rows (and by rotated category labels),
    with the figure height grown alike so the plot area keeps its size.
    """
    names = [t.name for t in panel.traces if t.show_legend]
    if len(names) == 1 and all(t.mode == "bar" for t in panel.traces):
        names = []  # one bar series: the axis title says what the bars are
    ticks = 0.0
    if any(t.mode == "bar" for t in panel.traces):
        lines = max(
            (
                _wrapped(str(x), wrap_width(panel)).count("<br>") + 1
                for t in panel.traces
                for x in t.x
            ),
            default=1,
        )
        ticks = 16.0 * (lines - 1)  # wrapped category labels, kept horizontal
        layout["xaxis"]["tickangle"] = 0
        # without a set standoff Plotly put the axis title over the 3rd line of 5-line labels
        layout["xaxis"]["title"] = {**layout["xaxis"].get("title", {}), "standoff": 10}
    rows, used = (1 if names else 0), 0.0
    for w in (40.0 + _LEGEND_CHAR_PX * len(n) for n in names):
        if used and used + w > _PANEL_WIDTH_PX:
            rows, used = rows + 1, 0.0
        used += w
    legend_px = rows * _LEGEND_ROW_PX + (10.0 if names else 0.0)
    bottom = 60.0 + ticks + legend_px
    layout["margin"] = {**layout["margin"], "b": bottom}
    layout["height"] = layout.get("height", 460) + bottom - 50.0
    layout["xaxis"]["automargin"] = True
    if not names:
        layout["showlegend"] = False
        return
    layout["legend"] = {
        "orientation": "h",
        "x": 0.0,
        "xanchor": "left",
        "y": 0.0,
        "yanchor": "bottom",
        "yref": "container",
    }
