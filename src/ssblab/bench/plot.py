"""The classic comparison charts of an anode paper, with a user's own cell marked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ssblab.recipe import Recipe
    from ssblab.schema import Run

#: Chart name -> (x column, y column, x label, y label, log x, log y).
CHARTS: dict[str, tuple[str, str, str, str, bool, bool]] = {
    "capacity-cycles": (
        "cycles",
        "areal_capacity_mAh_cm2",
        "Cycle number",
        "Areal capacity [mAh cm$^{-2}$]",
        True,
        False,
    ),
    "current-cycles": (
        "cycles",
        "current_density_mA_cm2",
        "Cycle number",
        "Current density [mA cm$^{-2}$]",
        True,
        True,
    ),
    "np-capacity": (
        "np_ratio",
        "areal_capacity_mAh_cm2",
        "N/P ratio [-]",
        "Areal capacity [mAh cm$^{-2}$]",
        True,
        False,
    ),
}


@dataclass(frozen=True)
class CellPoint:
    """A user's cell placed on the charts (any field may be unknown)."""

    label: str
    np_ratio: float | None = None
    areal_capacity_mAh_cm2: float | None = None
    cycles: int | None = None
    current_density_mA_cm2: float | None = None


def cell_point(recipe: Recipe, run: Run | None = None, label: str | None = None) -> CellPoint:
    """Place a cell from its recipe (N/P, areal capacity) and, if given, a run of it.

    From the run: the number of cycles and the median |current| over the area [mA cm-2].
    """
    from ssblab import schema as s
    from ssblab.design import design

    d = design(recipe)
    areal = d.cathode.areal_capacity_mAh_cm2 if d.cathode else d.anode.areal_capacity_mAh_cm2
    cycles = density = None
    if run is not None:
        table = run.table
        if s.CYCLE in table.columns:
            cycles = int(table[s.CYCLE].n_unique())
        moving = table.filter(pl.col(s.CURRENT).abs() > 0)[s.CURRENT].abs()
        if moving.len():
            density = float(moving.median()) * 1000.0 / recipe.area_cm2
    return CellPoint(label or recipe.name, d.np_ratio, areal, cycles, density)


def comparison_figure(frame: pl.DataFrame, chart: str, mark: CellPoint | None = None) -> Figure:
    """One comparison chart of the literature rows, labelled, with *mark* as a star."""
    from matplotlib.figure import Figure

    x, y, xlabel, ylabel, logx, logy = CHARTS[chart]
    fig = Figure(figsize=(5.5, 4.2), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    rows = frame.filter(pl.col(x).is_not_null() & pl.col(y).is_not_null())
    own = rows.filter(pl.col("reference") == "This work")
    rest = rows.filter(pl.col("reference") != "This work")
    ax.scatter(
        rest[x], rest[y], s=36, color="#0072B2", alpha=0.8, label="literature (Cui et al. Table S1)"
    )
    ax.scatter(own[x], own[y], s=70, color="#D55E00", marker="D", label="Cui et al. (this work)")
    labels = rows.group_by([x, y], maintain_order=True).agg(pl.col("anode").str.join(" / "))
    for px, py, text in labels.iter_rows():
        ax.annotate(text, (px, py), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if mark is not None and getattr(mark, x) is not None and getattr(mark, y) is not None:
        ax.scatter(
            [getattr(mark, x)],
            [getattr(mark, y)],
            s=180,
            marker="*",
            color="#009E73",
            edgecolor="black",
            zorder=5,
            label=mark.label,
        )
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="best")
    return fig
