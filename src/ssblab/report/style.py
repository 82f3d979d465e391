"""Look of every report figure: colour-blind-safe palette, cycle colormap, fonts.

One place decides colours and fonts for both back ends (Plotly in the page,
matplotlib for the PNGs), so a cell keeps its colour from panel to panel.

The categorical palette is Okabe & Ito's eight colours, designed to stay
distinct under the common forms of colour-vision deficiency (Okabe M., Ito K.,
"Color Universal Design", 2008, https://jfly.uni-koeln.de/color/). Cycles are
coloured along the perceptually uniform ``viridis`` map.
"""

from __future__ import annotations

from typing import Any

#: Okabe–Ito palette, black first (categorical: one colour per cell or series).
OKABE_ITO: tuple[str, ...] = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#F0E442",
)
#: Series order used by the report: starts with the strong blue/orange/green.
SERIES_COLORS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
#: Colormap for cycle number (matplotlib name; Plotly knows it as "Viridis").
CYCLE_CMAP = "viridis"
#: Marker colour for a detected failure or another event drawn over the data.
EVENT_COLOR = "#D55E00"
#: Resolution of the PNG panels [dots per inch].
PNG_DPI = 200
#: Size of one PNG panel [inch] (single-column figure, 3.5 in wide at print scale x 1.6).
PNG_SIZE_IN = (5.6, 3.9)


def series_color(i: int) -> str:
    """Colour of the *i*-th series (cycles through :data:`SERIES_COLORS`)."""
    return SERIES_COLORS[i % len(SERIES_COLORS)]


def colormap_hex(name: str, fractions: list[float]) -> list[str]:
    """Sample matplotlib colormap *name* at *fractions* (0..1) as ``#rrggbb`` strings."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[name]
    return [to_hex(cmap(min(max(f, 0.0), 1.0))) for f in fractions]


def plotly_colorscale(name: str, n: int = 11) -> list[list[Any]]:
    """A Plotly colorscale equal to matplotlib colormap *name* (sampled at *n* stops)."""
    stops = [i / (n - 1) for i in range(n)]
    return [[f, c] for f, c in zip(stops, colormap_hex(name, stops), strict=True)]


def matplotlib_rc() -> dict[str, Any]:
    """rcParams for publication PNGs: sans-serif text kept as text, ticks inside, no top/right."""
    from cycler import cycler

    return {
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        "font.size": 9.0,
        "axes.labelsize": 9.0,
        "axes.titlesize": 9.5,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=list(SERIES_COLORS)),
        "xtick.direction": "in",
        "ytick.direction": "in",
        "xtick.major.size": 3.5,
        "ytick.major.size": 3.5,
        "legend.frameon": False,
        "legend.fontsize": 8.0,
        "lines.linewidth": 1.2,
        "savefig.bbox": "tight",
        "savefig.dpi": PNG_DPI,
        "pdf.fonttype": 42,  # TrueType in vector output, so text stays editable
        "svg.fonttype": "none",
    }


def plotly_layout() -> dict[str, Any]:
    """Base Plotly layout: white background, thin framed axes, a small font.

    Deliberately no Plotly template, which would repeat about 10 kB of JSON in
    every figure of the page.
    """
    axis = {
        "showline": True,
        "linecolor": "#333",
        "mirror": True,
        "ticks": "inside",
        "showgrid": True,
        "gridcolor": "#eee",
        "zeroline": False,
    }
    return {
        "template": "none",
        "font": {"family": "Helvetica, Arial, sans-serif", "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 70, "r": 30, "t": 20, "b": 50},
        "height": 460,
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "legend": {"orientation": "h", "x": 0.0, "y": -0.14, "yanchor": "top"},
        "hovermode": "closest",
    }
