"""Three-electrode Li‖Li cells: split the cell voltage into plating and stripping.

With a Li reference electrode the table carries ``Working Electrode Potential / V``
and ``Counter Electrode Potential / V`` (each against the reference, whose
potential is that of Li/Li⁺). By the sign convention of :mod:`ssblab.schema`
the working electrode is plated while the current is positive and stripped
while it is negative; the counter electrode does the opposite. The
overpotential of each electrode in a half-cycle is the median of its ``|E|``
over the middle of the half-cycle (25–75 % of its duration), in mV.

The classic reading (Chang et al., LiAlO2 seed, Fig. 3b,c): on bare Li the
stripping overpotential grows far above the plating one (voids shrink the
contact while stripping), on a protected electrode the two stay alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ssblab import schema as s
from ssblab.analysis.steps import HALF_CYCLE, STATE, label
from ssblab.errors import AnalysisError
from ssblab.flags import refuse_or_flag
from ssblab.schema import Run

#: Li electrodes sit within this of the Li reference (median |E|) [V].
LITHIUM_MAX_V = 1.0
#: Columns of :func:`electrode_overpotentials`.
SPLIT_KEYS = (
    "half_cycle",
    "start_h",
    "current_A",
    "working_mV",
    "counter_mV",
    "plating_mV",
    "stripping_mV",
)


def _check_lithium_electrodes(table: pl.DataFrame, force: bool) -> None:
    """Refuse electrodes that are not Li: a plating/stripping split needs both near 0 V."""
    medians = [
        float(table.get_column(c).abs().median() or 0.0) for c in (s.WE_POTENTIAL, s.CE_POTENTIAL)
    ]
    if max(medians) <= LITHIUM_MAX_V:
        return
    refuse_or_flag(
        f"a plating/stripping split needs two Li electrodes (|E| below {LITHIUM_MAX_V:g} V vs "
        f"the reference); these sit at {medians[0]:.3g} V and {medians[1]:.3g} V: a full cell "
        "(use ssblab three-electrode)",
        force=force,
    )


def electrode_overpotentials(
    data: Run | pl.DataFrame, rest_current_A: float | None = None, *, force: bool = False
) -> pl.DataFrame:
    """Per half-cycle overpotential of each electrode and of plating vs stripping.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table with both electrode-potential columns.
    rest_current_A : float, optional
        Rest threshold [A] (default: 1 % of the largest current).
    force : bool
        Split even when the electrodes are not Li (|E| median above
        :data:`LITHIUM_MAX_V`); otherwise that is refused in one line.

    Returns
    -------
    DataFrame
        Columns :data:`SPLIT_KEYS`; ``working_mV``/``counter_mV`` are the plateau
        ``|E|`` of each electrode [mV], ``plating_mV``/``stripping_mV`` the same
        values sorted by what each electrode did in that half-cycle.
    """
    table = data.table if isinstance(data, Run) else data
    missing = [c for c in (s.WE_POTENTIAL, s.CE_POTENTIAL) if c not in table.columns]
    if missing:
        raise AnalysisError(
            f"a three-electrode split needs the columns {missing}; "
            "this table has no reference-electrode potentials"
        )
    _check_lithium_electrodes(table, force)
    labelled = label(table, rest_current_A).filter(pl.col(STATE) != 0)
    if labelled.height == 0:
        raise AnalysisError("the table has no plating or stripping (current is zero throughout)")
    t = pl.col(s.TIME)
    frac = ((t - t.min()) / (t.max() - t.min())).over(HALF_CYCLE).fill_nan(0.5)
    middle = pl.when(pl.col("_mid").any()).then(pl.col("_mid")).otherwise(True)

    def plateau(col: str) -> pl.Expr:
        return (pl.col(col).abs() * 1000.0).filter(middle).median()

    out = (
        labelled.with_columns(frac.is_between(0.25, 0.75).alias("_mid"))
        .group_by(HALF_CYCLE, maintain_order=True)
        .agg(
            (t.first() / 3600.0).alias("start_h"),
            pl.col(s.CURRENT).median().alias("current_A"),
            plateau(s.WE_POTENTIAL).alias("working_mV"),
            plateau(s.CE_POTENTIAL).alias("counter_mV"),
        )
        .sort(HALF_CYCLE)
    )
    we_plates = pl.col("current_A") > 0
    return out.with_columns(
        pl.int_range(1, pl.len() + 1).alias("half_cycle"),
        pl.when(we_plates).then("working_mV").otherwise("counter_mV").alias("plating_mV"),
        pl.when(we_plates).then("counter_mV").otherwise("working_mV").alias("stripping_mV"),
    ).select(SPLIT_KEYS)


@dataclass(frozen=True)
class Asymmetry:
    """Plating vs stripping overpotential over a window of half-cycles.

    Attributes
    ----------
    plating_mV, stripping_mV : float
        Medians over the window [mV].
    ratio : float
        stripping / plating (1 for a symmetric interface; > 1 when voids form).
    n_half_cycles : int
    """

    plating_mV: float
    stripping_mV: float
    ratio: float
    n_half_cycles: int


def plating_stripping_asymmetry(
    split: pl.DataFrame, first_h: float = 0.0, last_h: float | None = None
) -> Asymmetry:
    """Median plating and stripping overpotential of half-cycles starting in a window.

    Parameters
    ----------
    split : DataFrame
        Output of :func:`electrode_overpotentials`.
    first_h, last_h : float
        The window of half-cycle start times [h] (``last_h`` None: to the end).
    """
    window = split.filter(pl.col("start_h") >= first_h)
    if last_h is not None:
        window = window.filter(pl.col("start_h") <= last_h)
    if window.height == 0:
        raise AnalysisError(f"no half-cycle starts between {first_h} h and {last_h} h")
    plating = float(window.get_column("plating_mV").median())
    stripping = float(window.get_column("stripping_mV").median())
    ratio = stripping / plating if plating > 0 else float("inf")
    return Asymmetry(plating, stripping, ratio, window.height)
