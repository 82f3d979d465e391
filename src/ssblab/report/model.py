"""What a report panel is, independent of the library that draws it.

A panel function turns report data into a :class:`Panel` (axes labels with
units, a list of :class:`Trace`, optional colorbar and event markers). The same
panel is then drawn twice: by :mod:`ssblab.report.plotly_panels` for the page
and by :mod:`ssblab.report.figures` for the PNG. When the data cannot support a
panel, the function raises :class:`NotAvailable` with the reason, and the page
lists it as "not available: <reason>" instead of drawing anything made up.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ssblab.report.style import EVENT_COLOR

Mode = Literal["lines", "markers", "lines+markers", "bar"]

#: Bar category labels wrap onto lines of at most this many characters, fewer when the
#: bars are many (the width one bar's slot holds), never fewer than :data:`WRAP_MIN`.
WRAP_AT = 18
WRAP_MIN = 8


def wrap_chars(slot_chars: float) -> int:
    """Characters per line of a bar label whose slot holds *slot_chars* characters."""
    return int(max(WRAP_MIN, min(WRAP_AT, slot_chars)))


def wrap_label(label: str, width: int, newline: str = "\n") -> str:
    """*label* broken at spaces into lines of about *width* characters (a longer word stays
    whole), joined by *newline* (``<br>`` on the page)."""
    return (
        newline.join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False))
        or label
    )


class NotAvailable(Exception):  # noqa: N818 - reads as the page says it: "not available"
    """The data given to the report does not support this panel (message = the reason)."""


@dataclass(frozen=True)
class Trace:
    """One data series of a panel.

    Attributes
    ----------
    x, y : ndarray
        Coordinates in the units of the panel's axis labels.
    name : str
        Legend entry (untrusted text: it is escaped by both renderers).
    mode : {"lines", "markers", "lines+markers", "bar"}
    color : str
        ``#rrggbb``.
    dash : bool
        Dashed line (simulated data, second quantity of a pair).
    secondary : bool
        Plot against the right-hand y axis (``Panel.y2_label``).
    show_legend : bool
        False for the 2nd..nth segment of a series already in the legend.
    legend_group : str
        Traces with the same group toggle together in the page.
    text : tuple of str
        Per-point labels (hover text in the page; annotations in a PNG of few points).
    cross : bool
        Draw markers as crosses (a point set apart, e.g. a partial cycle).
    """

    x: np.ndarray
    y: np.ndarray
    name: str
    mode: Mode = "lines"
    color: str = "#0072B2"
    dash: bool = False
    secondary: bool = False
    show_legend: bool = True
    legend_group: str = ""
    text: tuple[str, ...] = ()
    cross: bool = False


@dataclass(frozen=True)
class Colorbar:
    """A continuous colour scale explaining trace colours (cycle number...)."""

    cmap: str
    vmin: float
    vmax: float
    label: str


@dataclass(frozen=True)
class Event:
    """A vertical line marking something found in the data, e.g. a detected short circuit."""

    x: float
    label: str
    color: str = EVENT_COLOR


@dataclass(frozen=True)
class Panel:
    """One figure: single axes, optional right-hand axis, in display units.

    Attributes
    ----------
    key : str
        File-safe identifier, used for the PNG name and the page anchor.
    title : str
        Heading shown above the plot (may contain cell names: untrusted text).
    x_label, y_label, y2_label : str
        Axis titles, each with its unit in brackets.
    traces : tuple of Trace
    colorbar : Colorbar or None
    events : tuple of Event
    log_x, log_y, log_y2 : bool
        Logarithmic axes (Bode, DRT time constants, diffusivity on the right).
    equal_aspect : bool
        Same scale on x and y (Nyquist).
    x_range : (float, float) or None
        Initial x window (zoom panels).
    note : str
        A sentence under the plot: what was shown, what was thinned for display.
    """

    key: str
    title: str
    x_label: str
    y_label: str
    traces: tuple[Trace, ...]
    y2_label: str = ""
    colorbar: Colorbar | None = None
    events: tuple[Event, ...] = ()
    log_x: bool = False
    log_y: bool = False
    log_y2: bool = False
    equal_aspect: bool = False
    x_range: tuple[float, float] | None = None
    note: str = ""


def window_y_range(panel: Panel) -> tuple[float, float] | None:
    """Y limits (5 % padding) of the left-axis data inside ``panel.x_range``; None if none."""
    if panel.x_range is None:
        return None
    lo, hi = panel.x_range
    ys = []
    for t in panel.traces:
        if t.secondary or np.asarray(t.x).dtype.kind not in "fiu":
            continue
        x, y = np.asarray(t.x, dtype=float), np.asarray(t.y, dtype=float)
        y = y[(x >= lo) & (x <= hi)]
        ys.append(y[np.isfinite(y)])
    ys = [y for y in ys if y.size]
    if not ys:
        return None
    y_all = np.concatenate(ys)
    pad = 0.05 * (float(y_all.max() - y_all.min()) or 1.0)
    return float(y_all.min()) - pad, float(y_all.max()) + pad


def flat_range(traces: tuple[Trace, ...], secondary: bool) -> tuple[float, float] | None:
    """A ±0.5 % range for an axis whose data are (nearly) constant, e.g. CE of 99.0 %; else None."""
    ys = [np.asarray(t.y, dtype=float) for t in traces if t.secondary == secondary]
    ys = [y[np.isfinite(y)] for y in ys]
    ys = [y for y in ys if y.size]
    if not ys:
        return None
    y_all = np.concatenate(ys)
    lo, hi = float(y_all.min()), float(y_all.max())
    centre = (lo + hi) / 2.0
    if hi - lo >= 1e-6 * max(abs(centre), 1.0):
        return None
    half = 0.005 * abs(centre) or 1.0
    return centre - half, centre + half


#: Series whose typical sizes differ by more than this get a log axis or their own panels.
SCALE_SPREAD = 10.0


def scales_differ(series: list[np.ndarray], spread: float = SCALE_SPREAD) -> bool:
    """True when the largest |value| of the series differ by more than *spread* (x10 default).

    One linear axis would flatten the smaller series into the zero line.
    """
    tops = []
    for values in series:
        v = np.abs(np.asarray(values, dtype=float))
        v = v[np.isfinite(v) & (v > 0)]
        if v.size:
            tops.append(float(v.max()))
    return len(tops) > 1 and max(tops) > spread * min(tops)


#: A count axis (cycle number) spanning at most this many units gets a tick at every unit.
UNIT_TICKS_UP_TO = 12


def cycle_tick_step(panel: Panel) -> int | None:
    """Tick step of an x axis that counts cycles (title names them, every x is whole):
    1 up to :data:`UNIT_TICKS_UP_TO` cycles, 0 beyond (whole numbers, step left to the
    renderer); None for any other axis.

    Such an axis must not show ticks at 1.2, 1.4 ... (there is no cycle 1.2).
    """
    if panel.log_x or not panel.x_label.lower().startswith("cycle"):
        return None
    xs = [np.asarray(t.x) for t in panel.traces if t.mode != "bar"]
    xs = [np.asarray(x, dtype=float) for x in xs if x.dtype.kind in "fiu" and x.size]
    finite = [x[np.isfinite(x)] for x in xs]
    finite = [x for x in finite if x.size]
    if not finite or not all(np.all(x == np.round(x)) for x in finite):
        return None
    lo, hi = panel.x_range or (min(x.min() for x in finite), max(x.max() for x in finite))
    return 1 if hi - lo <= UNIT_TICKS_UP_TO else 0


def decades(traces: tuple[Trace, ...], axis: Literal["x", "y", "y2"]) -> float:
    """How many decades the positive finite values of one axis of *traces* span (0 if none)."""
    if axis == "x":
        arrays = [np.asarray(t.x) for t in traces]
    else:
        arrays = [np.asarray(t.y) for t in traces if t.secondary == (axis == "y2")]
    values = [np.asarray(a, dtype=float) for a in arrays if a.dtype.kind in "fiu" and a.size]
    values = [v[np.isfinite(v) & (v > 0)] for v in values]
    values = [v for v in values if v.size]
    if not values:
        return 0.0
    return float(np.log10(max(v.max() for v in values) / min(v.min() for v in values)))
