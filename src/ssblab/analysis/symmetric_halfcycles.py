"""Half-cycle overpotentials of a Li‖Li table: the first step of :mod:`ssblab.analysis.symmetric`.

One row per plating/stripping half-cycle with its plateau (median ``|V|`` over the
middle 25-75 % of the half-cycle), peak and noise; definitions in
:mod:`ssblab.analysis.symmetric`.
"""

from __future__ import annotations

import polars as pl

from ssblab import schema as s
from ssblab.analysis.steps import HALF_CYCLE, STATE, label
from ssblab.errors import AnalysisError
from ssblab.schema import Run

#: Columns of :func:`half_cycle_overpotentials` (also the CLI's JSON keys per half-cycle).
HALF_CYCLE_KEYS = (
    "half_cycle",
    "start_h",
    "end_h",
    "current_A",
    "overpotential_mV",
    "peak_mV",
    "noise",
    "n_points",
)


def refuse_empty(data: Run | pl.DataFrame, name: str = "") -> None:
    """Refuse a table of 0 records: ``<name>: the table has no rows`` (the words of every
    analysis command), not a verdict such as "open-circuit rest"."""
    table = data.table if isinstance(data, Run) else data
    if not table.height:
        raise AnalysisError(f"{name}: the table has no rows" if name else "the table has no rows")


def half_cycle_overpotentials(
    data: Run | pl.DataFrame, rest_current_A: float | None = None
) -> pl.DataFrame:
    """One row per plating/stripping half-cycle with its overpotential.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table of a Li‖Li cell.
    rest_current_A : float, optional
        Records with ``|I|`` at or below this are rest [A] (default: 1 % of the
        largest current); rests are left out of every statistic.

    Returns
    -------
    DataFrame
        Columns :data:`HALF_CYCLE_KEYS`: index from 1, ``start_h``/``end_h`` [h],
        median ``current_A`` [A], plateau ``overpotential_mV`` and ``peak_mV``
        [mV], ``noise`` (relative spread, 1) and the number of records used.

    Raises
    ------
    AnalysisError
        No data rows (:func:`refuse_empty`), or no plating or stripping.
    """
    refuse_empty(data)
    labelled = label(data, rest_current_A).filter(pl.col(STATE) != 0)
    if labelled.height == 0:
        raise AnalysisError("the table has no plating or stripping (current is zero throughout)")
    t = pl.col(s.TIME)
    frac = ((t - t.min()) / (t.max() - t.min())).over(HALF_CYCLE).fill_nan(0.5)
    in_middle = frac.is_between(0.25, 0.75)
    abs_mv = pl.col(s.VOLTAGE).abs() * 1000.0
    middle = pl.when(pl.col("_mid").any()).then(pl.col("_mid")).otherwise(True)
    plateau = abs_mv.filter(middle)
    median = plateau.median()
    return (
        labelled.with_columns(in_middle.alias("_mid"))
        .group_by(HALF_CYCLE, maintain_order=True)
        .agg(
            (t.first() / 3600.0).alias("start_h"),
            (t.last() / 3600.0).alias("end_h"),
            pl.col(s.CURRENT).median().alias("current_A"),
            median.alias("overpotential_mV"),
            abs_mv.max().alias("peak_mV"),
            ((plateau.quantile(0.9) - plateau.quantile(0.1)) / median).alias("noise"),
            pl.len().alias("n_points"),
        )
        .sort(HALF_CYCLE)
        .with_columns(
            pl.int_range(1, pl.len() + 1).alias("half_cycle"),
            pl.col("noise").fill_nan(0.0).fill_null(0.0),
        )
        .select(HALF_CYCLE_KEYS)
    )
