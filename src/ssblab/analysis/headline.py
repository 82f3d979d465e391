"""The headline numbers of a cycling run (the report's summary row), from complete cycles only.

::

    from ssblab.analysis.headline import cycling_summary
    out = cycling_summary(run)   # dict: cycles, first/last Q_out, retention, mean CE, ICE, texts

Numbers from coarse counters (LANDT: 0.1 mAh) also come as text to the decimals they
carry (``texts``), by the rules ``ssblab cycles`` prints with
(:mod:`ssblab.analysis.cycle_checks`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab.analysis import conventions as conv
from ssblab.analysis.cycle_checks import (
    capacity_text,
    ce_resolution,
    decimals_for,
    format_to_resolution,
)
from ssblab.analysis.metrics import Metrics, metrics
from ssblab.schema import Run


def cycling_summary(data: Run | pl.DataFrame, *, rule: str = "vendor") -> dict[str, object]:
    """The headline numbers of a cycling run, from complete cycles only (for reports).

    Keys: ``cycles`` (complete), ``partial_cycles``, ``first_out_mAh`` and
    ``last_out_mAh`` (Q_out of the first/last complete cycle: the discharge, or an anode
    half-cell's charge), ``out_half`` (that half in words), ``retention_pct`` (last / first
    complete), ``mean_ce_pct`` (complete cycles), ``ice_pct``, ``cell_type``, ``rule``,
    ``definitions``, ``flags`` (:class:`Flag` tuple), ``texts`` (:func:`summary_texts`).
    """
    m = metrics(data, rule=rule)
    o = conv.orientation(m.cell_type)
    whole = m.table.filter(~pl.col("partial") & (pl.col(o.out_column) > 0))
    q = whole.get_column(o.out_column)
    ce = whole.get_column("coulombic_efficiency").drop_nulls()
    first = float(q[0]) if q.len() else None
    last = float(q[-1]) if q.len() else None
    return {
        "cycles": whole.height,
        "partial_cycles": int(m.table.get_column("partial").sum()),
        "out_half": o.out_name,
        "first_out_mAh": None if first is None else 1000.0 * first,
        "last_out_mAh": None if last is None else 1000.0 * last,
        "retention_pct": 100.0 * last / first if first and last is not None else None,
        "mean_ce_pct": 100.0 * float(ce.mean()) if ce.len() else None,
        "ice_pct": 100.0 * m.ice.ice if m.ice is not None else None,
        "cell_type": m.cell_type,
        "rule": m.rule,
        "definitions": m.definitions,
        "flags": m.flags,
        "texts": summary_texts(m, whole),
    }


def summary_texts(m: Metrics, whole: pl.DataFrame) -> dict[str, str]:
    """The headline numbers that coarse counters carry fewer digits of, as printed text.

    *whole*: the complete cycles of *m*. Keys as :func:`cycling_summary`'s: capacities to
    the counter's step (:func:`capacity_text`), percentages to their resolution
    (± half a step on each capacity; the mean CE to the mean of its cycles' resolutions).
    Empty for fine counters, whose numbers print as they are.
    """
    o = conv.orientation(m.cell_type)
    h_in, h_out = (m.capacity_steps_Ah.get(c, 0.0) for c in (o.in_column, o.out_column))
    if whole.height == 0 or not (h_in or h_out):
        return {}
    q_in = whole.get_column(o.in_column).to_numpy()
    q_out = whole.get_column(o.out_column).to_numpy()
    texts = {
        "first_out_mAh": capacity_text(q_out[0], h_out),
        "last_out_mAh": capacity_text(q_out[-1], h_out),
    }
    if whole.height > 1:  # the first cycle's retention is 100 % by definition, exactly
        ret = q_out[-1] / q_out[0]
        res = ce_resolution(ret, q_out[0], q_out[-1], h_out, h_out)
        texts["retention_pct"] = format_to_resolution(100 * ret, None if res is None else 100 * res)
    ce = whole.get_column("coulombic_efficiency").to_list()
    res = [ce_resolution(c, a, b, h_in, h_out) for c, a, b in zip(ce, q_in, q_out, strict=True)]
    known = [(c, r) for c, r in zip(ce, res, strict=True) if c is not None and r is not None]
    if known:
        mean_ce, mean_res = np.mean([c for c, _ in known]), np.mean([r for _, r in known])
        texts["mean_ce_pct"] = format_to_resolution(100 * mean_ce, 100 * mean_res)
    if m.ice is not None:
        ice = m.ice
        res = ce_resolution(ice.ice, ice.first_capacity_Ah, ice.second_capacity_Ah, h_in, h_out)
        texts["ice_pct"] = format_to_resolution(100 * ice.ice, None if res is None else 100 * res)
    return texts


def retention_texts(m: Metrics, reference_cycle: int | None = None) -> list[str]:
    """Each row's retention [%] as printed: 2 decimals, or from a coarse "out" counter, to its
    resolution (± half a step on the cycle's and the reference's Q_out); the reference cycle
    (*reference_cycle*, else the first with a retention) is 100 % exactly."""
    o = conv.orientation(m.cell_type)
    step = m.capacity_steps_Ah.get(o.out_column, 0.0)
    rows = m.table.select("cycle", "retention", o.out_column).rows()
    known = [c for c, r, _ in rows if r is not None]
    ref = reference_cycle if reference_cycle is not None else (known[0] if known else None)
    out = []
    for cycle, ret, q in rows:
        res = None
        if ret is not None and step and cycle != ref and ret > 0:
            res = ce_resolution(ret, q / ret, q, step, step)
        out.append(
            "—"
            if ret is None
            else format_to_resolution(100 * ret, None if res is None else 100 * res, most=2)
        )
    return out


def specific_texts(m: Metrics, mass_g: float | None) -> tuple[str, list[str]]:
    """The column name and each row's Q_out per gram of active mass [mAh/g] as printed (the
    half retention is on: an anode half-cell's charge): 2 decimals, or from a coarse counter,
    the decimals of its step per gram (LANDT's 0.1 mAh on 10 mg: 10 mAh/g, none)."""
    o = conv.orientation(m.cell_type)
    half = o.out_name.split()[0]
    values = m.table.get_column(f"specific_{half}_capacity_mAh_g").to_list()
    step = m.capacity_steps_Ah.get(o.out_column, 0.0)
    places = 2
    if step and mass_g:
        places = decimals_for(1000 * step / mass_g, most=2)
    return f"{half}_mAh_g", ["—" if v is None else f"{v:.{places}f}" for v in values]
