"""Experiment kind per segment and cell type, from the data alone.

Used by :func:`ssblab.analysis.recognize.recognize` when the vendor's records
and the metadata leave a question open: current states, the constant-current
fraction, sweep linearity, regular pulse trains and the voltage window.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.recognize_sweep import (
    MIN_RELATIVE_SPREAD,
    MIN_SEGMENT_RECORDS,
    RESPONSE_FRACTION,
    STEADY_FRACTION,
    steady_sweep,
    sweep_of,
    sweep_response,
)
from ssblab.analysis.technique import (
    ANODE_HALF,
    CA,
    CP,
    CV,
    CYCLING,
    FULL,
    GITT,
    OCV,
    SYMMETRIC,
    THREE_ELECTRODE,
    Segment,
)

#: A current segment is constant-current when this fraction of its records lie
#: within :data:`CC_TOLERANCE` of its median current.
CC_FRACTION = 0.6
CC_TOLERANCE = 0.03
#: A run is a voltammetry when this fraction of its records under current sweeps at one
#: |dV/dt| (:func:`ssblab.analysis.recognize_sweep.sweep_of`).
SWEEP_FRACTION = 0.6
#: A run whose current is not constant is chronoamperometry only when the voltage is held,
#: within HOLD_TOLERANCE_V [V] of where each step ends, over HELD_SHARE of the time under
#: current (:func:`_held_share`).
HOLD_TOLERANCE_V = 0.005
HELD_SHARE = 0.5
#: Fewest pulses that make a GITT train; largest pulse share of its train's charge.
GITT_MIN_PULSES = 5
GITT_MAX_PULSE_SHARE = 0.25


def _segment_features(labelled: pl.DataFrame) -> pl.DataFrame:
    """Per current-state segment: state, rows, times, CC fraction, voltage spread."""
    i, v = pl.col(s.CURRENT), pl.col(s.VOLTAGE)
    i_med = i.median()
    within = ((i - i_med).abs() <= CC_TOLERANCE * i_med.abs() + 1e-15).mean()
    return (
        labelled.group_by(steps.SEGMENT, maintain_order=True)
        .agg(
            pl.col(steps.STATE).first().alias("state"),
            pl.col(steps.ROW).first().alias("first_row"),
            pl.col(steps.ROW).last().alias("last_row"),
            pl.col(s.TIME).first().alias("start_s"),
            pl.col(s.TIME).last().alias("end_s"),
            within.alias("cc_fraction"),
            (i.abs().quantile(0.98) / i.abs().median().clip(lower_bound=1e-300)).alias("i_peak"),
            (v.max() - v.min()).alias("v_span"),
            (i.abs() * pl.col(s.TIME).diff().fill_null(0.0)).sum().alias("charge_As"),
        )
        .with_columns((pl.col("end_s") - pl.col("start_s")).alias("duration_s"))
    )


def _held_share(labelled: pl.DataFrame) -> tuple[float, float]:
    """Time share under current at a held voltage, and the most-held voltage [V].

    Each current segment (split at the vendor's steps where the table has them) holds the
    voltage it ends at (the median of its last tenth); a record is held when within
    :data:`HOLD_TOLERANCE_V` of it. A potentiostatic step is held throughout; a CC-CV
    charge only over its CV part; a galvanostatic step hardly at all.
    """
    keys = [steps.SEGMENT] + ([s.STEP_COUNT] if s.STEP_COUNT in labelled.columns else [])
    active = labelled.filter(pl.col(steps.STATE) != 0).with_columns(
        pl.col(s.TIME).diff().fill_null(0.0).clip(lower_bound=0.0).over(keys).alias("_dt")
    )
    if active.height == 0:
        return 0.0, float("nan")
    v = pl.col(s.VOLTAGE)
    end = v.slice((pl.len() * 0.9).cast(pl.Int64), pl.len()).median()
    groups = active.group_by(keys, maintain_order=True).agg(
        pl.col("_dt").sum().alias("t"),
        pl.col("_dt").filter((v - end).abs() <= HOLD_TOLERANCE_V).sum().alias("held"),
        end.alias("v_hold"),
    )
    total = float(groups.get_column("t").sum())
    if total <= 0:
        return 0.0, float("nan")
    most = groups.sort("held", descending=True).row(0, named=True)
    return float(groups.get_column("held").sum()) / total, float(most["v_hold"])


def _gitt_segments(feats: pl.DataFrame) -> set[int]:
    """Segment ids of regular pulse trains (pulse, rest, pulse, ... of one sign)."""
    rows = feats.select("segment", "state", "duration_s", "charge_As").rows()
    found: set[int] = set()
    k = 0
    while k < len(rows):
        if rows[k][1] == 0:
            k += 1
            continue
        sign, j, pulses = rows[k][1], k, []
        while j < len(rows) and rows[j][1] == sign:
            pulses.append(j)
            rest_ok = j + 1 < len(rows) and rows[j + 1][1] == 0
            if not rest_ok:
                break
            j += 2
        if _regular_train([rows[p] for p in pulses]):
            for p in pulses:
                found.update({rows[p][0], rows[p][0] + 1})
        k = max(j, k + 1)
    return found


def _regular_train(pulses: list[tuple]) -> bool:
    if len(pulses) < GITT_MIN_PULSES:
        return False
    body = np.array([p[2] for p in pulses[:-1]])  # the last pulse may hit a voltage limit
    charge = np.array([p[3] for p in pulses])
    med = float(np.median(body))
    regular = med > 0 and float(np.median(np.abs(body - med))) <= 0.2 * med
    return regular and float(charge.max()) <= GITT_MAX_PULSE_SHARE * float(charge.sum())


def data_kinds(table: pl.DataFrame) -> tuple[list[Segment], list[str]]:
    """Segments and evidence from the data alone."""
    labelled = steps.label(table)
    feats = _segment_features(labelled)
    active = feats.filter(pl.col("state") != 0)
    evidence: list[str] = []
    if active.height == 0:
        return [_seg(OCV, feats.row(0, named=True), feats.row(-1, named=True))], [
            "no current above the rest threshold"
        ]
    weights = active.get_column("duration_s").to_numpy()
    cc = active.get_column("cc_fraction").to_numpy() >= CC_FRACTION
    cc_time = float(weights[cc].sum() / max(weights.sum(), 1e-300))
    under = labelled.filter(pl.col(steps.STATE) != 0)
    rate = sweep_of(under)
    sweep = rate.share
    n_signs = active.get_column("state").n_unique()
    evidence.append(
        f"{100 * cc_time:.0f} % of the time under current at constant current, "
        f"{100 * sweep:.0f} % of its records sweeping at one dV/dt"
    )
    gitt = _gitt_segments(feats)
    peaked = active.get_column("i_peak").to_numpy() > 1.3
    peaked_time = float(weights[peaked].sum() / max(weights.sum(), 1e-300))
    run_kind, steady = CYCLING, (False, 0.0, 0.0)
    swept = sweep >= SWEEP_FRACTION and (cc_time < 0.5 or peaked_time >= 0.5)
    noise_only = swept and sweep_response(under, rate) <= RESPONSE_FRACTION  # NaN: not judged
    ca_like = cc_time < 0.5 and not (n_signs == 2 and _cc_share(active) >= 0.25)
    held_share, held_v = _held_share(labelled) if ca_like else (0.0, float("nan"))
    steady = (False, 0.0, 0.0)
    if swept and not noise_only:
        run_kind = CV  # a linear sweep whose current is not held: voltammetry
    elif (steady := steady_sweep(under, rate))[0]:
        run_kind = CV  # a sweep whose nearly flat current still responds to the potential
        evidence.append(
            f"the current varies beyond its noise in {100 * steady[2]:.0f} % of the sweep: "
            "voltammetry with a flat current"
        )
    elif noise_only:  # a sweep at a noisy constant current: galvanostatic, not a held potential
        run_kind = CP if n_signs == 1 and active.height == 1 else CYCLING
    elif ca_like and held_share >= HELD_SHARE:
        run_kind = CA  # held potential; CC-CV cycling with long holds keeps CC steps
        evidence.append(
            f"the voltage is held (within {1e3 * HOLD_TOLERANCE_V:.0f} mV of where each step "
            f"ends, e.g. {held_v:.4g} V) over {100 * held_share:.0f} % of the time under "
            "current: chronoamperometry"
        )
    elif ca_like:
        evidence.append(
            f"the current is not constant, yet the voltage is held over only "
            f"{100 * held_share:.0f} % of the time under current (within "
            f"{1e3 * HOLD_TOLERANCE_V:.0f} mV of where each step ends): not chronoamperometry"
        )
    elif n_signs == 1 and active.height == 1:
        run_kind = CP
    if noise_only:
        evidence.append(
            f"that sweep's current is not constant by {100 * CC_TOLERANCE:.0f} %, yet within "
            "each sweep it stays constant to within its noise: galvanostatic with a noisy "
            "current, not a CV"
        )
    if run_kind != CV and steady[1] > STEADY_FRACTION and not noise_only:  # one line, not two
        held = (
            "the current stays constant to within its noise or "
            f"{100 * MIN_RELATIVE_SPREAD:.0f} % in {100 * (1 - steady[2]):.0f} % of the sweep"
            if np.isfinite(steady[2])
            else f"no sweep segment of {MIN_SEGMENT_RECORDS} records shows whether the "
            "current follows the potential"
        )
        evidence.append(
            f"a steady sweep, but {held}: galvanostatic (a capacitor or a sloping plateau), "
            "not a CV without the vendor's technique record"
        )
    labels = []
    for row in feats.iter_rows(named=True):
        if row["segment"] in gitt:
            labels.append(GITT)
        elif row["state"] == 0:
            labels.append(OCV)
        elif run_kind == CYCLING and row["cc_fraction"] < CC_FRACTION and row["v_span"] < 0.02:
            labels.append(CYCLING)  # CV hold of a CC-CV step
        else:
            labels.append(run_kind)
    if gitt:
        evidence.append(f"{sum(lab == GITT for lab in labels) // 2} GITT pulses with rests")
    rows = list(feats.iter_rows(named=True))
    labels = _absorb_rests(labels)
    return _merge(labels, rows), evidence


def _cc_share(active: pl.DataFrame) -> float:
    """Share of the current segments that are constant-current with the voltage moving."""
    cc = (pl.col("cc_fraction") >= CC_FRACTION) & (pl.col("v_span") >= 0.01)
    return float(active.select(cc.mean()).item() or 0.0)


def _absorb_rests(labels: list[str]) -> list[str]:
    """A rest between two segments of one kind belongs to that kind."""
    out = list(labels)
    for k in range(1, len(out) - 1):
        if out[k] == OCV and out[k - 1] == out[k + 1] != OCV:
            out[k] = out[k - 1]
    return out


def _seg(kind: str, first: dict, last: dict) -> Segment:
    return Segment(kind, first["first_row"], last["last_row"], first["start_s"], last["end_s"])


def _merge(labels: list[str], rows: list[dict]) -> list[Segment]:
    out: list[Segment] = []
    start = 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[start]:
            out.append(_seg(labels[start], rows[start], rows[k - 1]))
            start = k
    return out


def _follows_current(v: np.ndarray, i: np.ndarray, share: float = 0.7) -> bool:
    """True when the voltage takes the current's sign under each direction of current.

    Both directions are tested on their own: a half-cell whose voltage stays
    positive and whose current is mostly positive agrees in sign on most
    records, yet its voltage never turns negative (cellpy's silicon ``biol.mpr``).
    """
    pos, neg = i > 0, i < 0
    return bool(
        pos.any() and neg.any() and (v[pos] > 0).mean() > share and (v[neg] < 0).mean() > share
    )


def cell_type_from_data(table: pl.DataFrame) -> tuple[str, str]:
    """Cell type of a cycling table from its voltages, and the sentence that says why.

    Tables of more than 200 000 records are read every n-th record (a voltage
    window does not need every point).
    """
    if table.height > 200_000:
        table = table.gather_every(table.height // 200_000 + 1)
    v = table.get_column(s.VOLTAGE).to_numpy()
    i = table.get_column(s.CURRENT).to_numpy()
    if s.CE_POTENTIAL in table.columns and s.WE_POTENTIAL in table.columns:
        ece = table.get_column(s.CE_POTENTIAL).drop_nulls().to_numpy()
        if ece.size and np.nanmax(np.abs(ece)) > 0.05 and np.nanstd(ece) > 0.005:
            return THREE_ELECTRODE, "counter-electrode potential recorded against a reference"
    rest = steps.rest_threshold(table)
    active = np.abs(i) > rest
    p99 = float(np.nanpercentile(np.abs(v), 99)) if v.size else 0.0
    on = v[active]
    both_signs = (i[active] > 0).any() and (i[active] < 0).any()
    if both_signs and p99 < 1.0 and _follows_current(on, i[active]):
        return SYMMETRIC, f"voltage within ±{p99:.2f} V changes sign with the current (Li||Li)"
    at_rest = np.abs(v[~active]) if (~active).any() else np.abs(v[:1])
    near_zero = float(np.median(at_rest)) < 0.05 or float(np.nanmax(np.abs(v))) < 1.0
    if not both_signs and p99 < 0.5 and near_zero:
        # an anode half-cell starts from a high open-circuit voltage; Li||Li from ~0 V
        return SYMMETRIC, f"voltage below {p99:.2f} V throughout: Li||Li plated one way"
    med = float(np.median(on)) if on.size else float(np.median(v))
    first = i[active][0] if active.any() else 0.0
    if med < 1.2 and float(np.nanmin(v)) > -0.1:
        return ANODE_HALF, (
            f"median voltage {med:.2f} V under current, "
            f"{'lithiation' if first < 0 else 'delithiation'} first: anode vs Li"
        )
    if med < 0:
        return FULL, (
            f"median voltage {med:.2f} V under current is negative: no cell type fits "
            "(leads reversed, or a test channel); counted as full, set cell_type to say which"
        )
    return FULL, (
        f"median voltage {med:.2f} V; a cathode half-cell looks the same "
        "(same conventions); set cell_type to say which"
    )
