"""EC-Lab columns (as named in an ``.mpt`` header) -> the canonical ssblab table.

Both BioLogic readers decode their file into a frame with EC-Lab's own column
names and units (``time/s``, ``Ewe/V``, ``I/mA``, ``Q charge/discharge/mA.h``,
``half cycle`` ...); this module turns that frame into the canonical table, so
the ``.mpr`` and ``.mpt`` readers cannot drift apart.

Rules (stated once, relied on by the tests):

* **Units**: mA -> A and mA·h -> A·h (divide by 1000); W·h, V and s unchanged.
* **Sign**: EC-Lab's current is positive for an oxidation at the working
  electrode. With the cathode of a full cell as working electrode (the usual
  hookup) that is charging, which is positive in ssblab too, so the sign is kept.
* **Voltage**: one rule per technique, stated in
  :mod:`ssblab.io.biologic.techniques` (``Ewe`` for potential-controlled
  techniques such as CV; otherwise the cell voltage ``Ewe - Ece``, ``Ecell``
  or ``Ewe``). ``Ewe`` and ``Ece`` are kept when both are recorded.
* **Current**: ``I/mA``, else ``<I>/mA``, else the charge increment over the
  time step, ``dq / dt`` (what EC-Lab prints as ``<I>/mA`` in its export).
* **Capacity**: EC-Lab's ``Q charge/discharge/mA.h`` restarts at every half
  cycle (positive while charging, negative while discharging). The cumulative
  counters add, half cycle by half cycle, the running peak of its positive
  (charging) or negative (discharging) part; EC-Lab's per-cycle ``Q charge``
  and ``Q discharge`` are then the rise of the counters across the cycle.
  ``Energy charge/discharge/W.h`` restart at every cycle and are handled alike.
* **Cycles**: ``Vendor Cycle / 1`` is EC-Lab's ``cycle number`` (computed as
  ``half cycle // 2`` when the ``.mpr`` does not store it, as EC-Lab does on
  export); ``Cycle Count / 1`` = vendor - lowest vendor number + 1. Cycling
  techniques count from 0 (so this is vendor + 1, and EC-Lab's cycle 0 may
  hold only a first discharge); impedance loops count from 1 (Cycle = vendor).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.biologic.techniques import voltage_rule

#: Text for ``RunMeta.cycle_numbering``.
CYCLE_RULE = (
    "EC-Lab cycle number - its lowest value + 1, i.e. vendor + 1 for cycling techniques "
    "(cycle number = half cycle // 2 when the .mpr does not store it)"
)

REST_MODE = 3  # EC-Lab "mode" of an open-circuit (rest) record
#: Every EC-Lab column :func:`to_canonical` and :func:`eis_spectrum` may use.
USED_COLUMNS = frozenset(
    {
        "time/s",
        "mode",
        "Ns",
        "I/mA",
        "<I>/mA",
        "dq/mA.h",
        "(Q-Qo)/mA.h",
        "Ewe/V",
        "<Ewe>/V",
        "Ece/V",
        "<Ece>/V",
        "Ecell/V",
        "Ewe-Ece/V",
        "<Ewe-Ece>/V",
        "Q charge/discharge/mA.h",
        "half cycle",
        "cycle number",
        "Energy charge/W.h",
        "Energy discharge/W.h",
        "Temperature/°C",
        "freq/Hz",
        "Re(Z)/Ohm",
        "-Im(Z)/Ohm",
    }
)
_MAH_TO_AH = 1e-3
_MA_TO_A = 1e-3


def _first(frame: pl.DataFrame, *names: str) -> str | None:
    """The first of *names* that is a column of *frame*, else None."""
    return next((n for n in names if n in frame.columns), None)


#: Output column -> (counter value, segment key) for counters that restart per segment.
Resetting = dict[str, tuple[pl.Expr, pl.Expr]]


def accumulate_resets(frame: pl.DataFrame, counters: Resetting) -> pl.DataFrame:
    """Make non-negative counters that restart in every segment cumulative.

    Parameters
    ----------
    frame : DataFrame
        The EC-Lab-named records.
    counters : dict
        Output column -> (value, segment): *value* restarts from 0 whenever the
        *segment* expression changes from one record to the next.

    Returns
    -------
    DataFrame
        One column per counter. Within a segment the running peak of *value*
        is used (so the result never falls); each segment starts from the sum
        of the final peaks of all earlier segments.
    """
    inputs = frame.select(
        expr.alias(f"{kind}{k}")
        for k, pair in enumerate(counters.values())
        for kind, expr in zip(("value", "segment"), pair, strict=True)
    )
    return pl.DataFrame(
        {
            name: _segmented_total(inputs[f"value{k}"].to_numpy(), inputs[f"segment{k}"].to_numpy())
            for k, name in enumerate(counters)
        }
    )


def _segmented_total(value: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Core of :func:`accumulate_resets` on arrays (a loop over segments, not rows)."""
    v = np.nan_to_num(np.asarray(value, dtype=np.float64), nan=0.0).clip(min=0.0)
    if v.size == 0:
        return v
    starts = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    ends = np.r_[starts[1:], v.size]
    peak = np.empty_like(v)
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        np.maximum.accumulate(v[a:b], out=peak[a:b])
    base = np.concatenate(([0.0], np.cumsum(peak[ends - 1])[:-1]))
    return peak + np.repeat(base, ends - starts)


def _current_a(frame: pl.DataFrame, path: object) -> tuple[pl.Expr, str | None]:
    """Current [A] and a note saying how it was obtained (None when measured)."""
    measured = _first(frame, "I/mA", "<I>/mA")
    if measured:
        return pl.col(measured).cast(pl.Float64) * _MA_TO_A, None
    dq = _first(frame, "dq/mA.h")
    step = pl.col(dq) if dq else None
    if step is None and "(Q-Qo)/mA.h" in frame.columns:
        step = pl.col("(Q-Qo)/mA.h").diff().fill_null(0.0)
    if step is not None:
        dt = pl.col("time/s").diff()
        amps = pl.when(dt > 0).then(step * 3600.0 * _MA_TO_A / dt).otherwise(0.0)
        return amps, "current = charge increment / time step (EC-Lab's <I>); no I column"
    if "mode" in frame.columns and frame["mode"].eq(REST_MODE).all():
        return pl.lit(0.0), "no current column: every record is a rest (mode 3), current set to 0"
    raise ReadError(f"{path}: no current column (I, <I>, dq or Q-Qo) in the EC-Lab data")


def _potentials(frame: pl.DataFrame, path: object, technique: str) -> tuple[list[pl.Expr], str]:
    """Voltage and three-electrode potentials [V], plus a note on the rule used.

    The rule is :func:`~ssblab.io.biologic.techniques.voltage_rule` of *technique*.
    """
    we = _first(frame, "Ewe/V", "<Ewe>/V")
    ce = _first(frame, "Ece/V", "<Ece>/V")
    cell = _first(frame, "Ecell/V", "Ewe-Ece/V", "<Ewe-Ece>/V")
    name = technique or "unknown technique"
    kept: list[pl.Expr] = []
    if we is not None and ce is not None:
        ewe, ece = pl.col(we).cast(pl.Float64), pl.col(ce).cast(pl.Float64)
        kept = [ewe.alias(s.WE_POTENTIAL), ece.alias(s.CE_POTENTIAL)]
    if voltage_rule(technique) == "Ewe":
        if we is None:
            raise ReadError(f"{path}: no working-electrode potential (Ewe) in the {name} data")
        voltage, how = pl.col(we).cast(pl.Float64), f"{we} ({name}: potential-controlled)"
    elif kept:
        voltage, how = pl.col(we).cast(pl.Float64) - pl.col(ce).cast(pl.Float64), f"{we} - {ce}"
    elif cell is not None:
        voltage, how = pl.col(cell).cast(pl.Float64), cell
    elif we is not None:
        voltage, how = pl.col(we).cast(pl.Float64), f"{we} (no Ece: two-electrode)"
    else:
        raise ReadError(f"{path}: no potential column (Ewe, Ecell or Ewe-Ece) in the EC-Lab data")
    note = f"Voltage / V = {how}, EC-Lab rule for {name}"
    if kept:
        note += "; Ewe and Ece kept as electrode potentials"
    return [voltage.alias(s.VOLTAGE), *kept], note


def _vendor_cycle(frame: pl.DataFrame) -> pl.Expr | None:
    if "cycle number" in frame.columns:
        return pl.col("cycle number").round(0).cast(pl.Int64)
    if "half cycle" in frame.columns:
        return pl.col("half cycle").cast(pl.Int64) // 2
    return None


def _capacity_counters(frame: pl.DataFrame) -> tuple[list[pl.Expr], Resetting, str | None]:
    """Cumulative charging/discharging capacity [A·h] from whatever EC-Lab recorded.

    Returns ready expressions, or counters still to pass through
    :func:`accumulate_resets`, and a note on the source used.
    """
    if "Q charge/discharge/mA.h" in frame.columns and "half cycle" in frame.columns:
        q = pl.col("Q charge/discharge/mA.h").cast(pl.Float64) * _MAH_TO_AH
        hc = pl.col("half cycle")
        resetting = {s.CHARGE_CAPACITY: (q, hc), s.DISCHARGE_CAPACITY: (-q, hc)}
        return [], resetting, "capacity counters accumulated from Q charge/discharge per half cycle"
    # (Q-Qo) first: EC-Lab's export adds a dq column derived from it, and the
    # .mpr and .mpt of one run must give the same counters.
    if "(Q-Qo)/mA.h" in frame.columns:
        step = pl.col("(Q-Qo)/mA.h").cast(pl.Float64).diff().fill_null(0.0)
        how = "(Q-Qo)"
    elif "dq/mA.h" in frame.columns:
        step = pl.col("dq/mA.h").cast(pl.Float64).fill_null(0.0)
        how = "dq"
    else:
        return [], {}, None
    return (
        [
            (step.clip(lower_bound=0.0).cum_sum() * _MAH_TO_AH).alias(s.CHARGE_CAPACITY),
            (-step.clip(upper_bound=0.0).cum_sum() * _MAH_TO_AH).alias(s.DISCHARGE_CAPACITY),
        ],
        {},
        f"capacity counters summed from the charge increments of {how}",
    )


def _energy_counters(
    frame: pl.DataFrame, cycle: pl.Expr | None, current_a: pl.Expr
) -> tuple[Resetting, str | None]:
    """Cumulative charging/discharging energy [W·h]; EC-Lab restarts them every cycle.

    When the file stores no energy counters (most ``.mpr`` files), they are
    computed as EC-Lab computes them for its ``.mpt`` export (checked against
    the exports of ``gcpl.issue_149``, ``cp`` and ``bcd.issue_241``): each
    record adds ``|Ewe · I| · Δt`` (``Ecell`` where there is no ``Ewe``), to
    the charge counter while ``I > 0`` and to the discharge counter while
    ``I < 0``, restarting at every cycle.
    """
    pairs = [("Energy charge/W.h", s.CHARGE_ENERGY), ("Energy discharge/W.h", s.DISCHARGE_ENERGY)]
    if cycle is None:
        return {}, None
    if all(src in frame.columns for src, _ in pairs):
        return {dst: (pl.col(src).cast(pl.Float64), cycle) for src, dst in pairs}, None
    potential = _first(frame, "Ewe/V", "<Ewe>/V", "Ecell/V")
    if potential is None:
        return {}, None
    dt = pl.col("time/s").cast(pl.Float64).diff().fill_null(0.0)
    step_wh = (pl.col(potential).cast(pl.Float64) * current_a).abs() * dt / 3600.0
    charge = pl.when(current_a > 0).then(step_wh).otherwise(0.0).cum_sum().over(cycle)
    discharge = pl.when(current_a < 0).then(step_wh).otherwise(0.0).cum_sum().over(cycle)
    note = f"energy counters computed as EC-Lab's export does: |{potential} x I| dt by sign of I"
    return {s.CHARGE_ENERGY: (charge, cycle), s.DISCHARGE_ENERGY: (discharge, cycle)}, note


def to_canonical(
    frame: pl.DataFrame, path: object, start_unix_s: float | None, technique: str = ""
) -> tuple[pl.DataFrame, list[str]]:
    """Convert an EC-Lab-named frame into the canonical table.

    Parameters
    ----------
    frame : DataFrame
        Columns named as in an EC-Lab ``.mpt`` header; must contain ``time/s``.
    path : object
        The source file, for error messages.
    start_unix_s : float or None
        Acquisition start [s since 1970 UTC]; ``time/s`` counts from it.
    technique : str
        EC-Lab technique code; it decides which potential is ``Voltage / V``.

    Returns
    -------
    table : DataFrame
        Canonical columns only (not yet conformed).
    notes : list of str
        The conversions applied, for ``RunMeta.notes``.
    """
    if "time/s" not in frame.columns:
        raise ReadError(f"{path}: no time/s column in the EC-Lab data")
    notes: list[str] = []
    current, note = _current_a(frame, path)
    notes += [note] if note else []
    potentials, note = _potentials(frame, path, technique)
    notes.append(note)
    vendor_cycle = _vendor_cycle(frame)
    capacity, resetting, note = _capacity_counters(frame)
    notes += [note] if note else []
    energy, note = _energy_counters(frame, vendor_cycle, current)
    resetting |= energy
    notes += [note] if note else []
    time = pl.col("time/s").cast(pl.Float64)
    exprs = [(time - time.first()).alias(s.TIME), current.alias(s.CURRENT), *potentials]
    exprs += capacity
    if start_unix_s is not None:
        exprs.append((time + start_unix_s).alias(s.UNIX_TIME))
    if vendor_cycle is not None:
        exprs += [
            vendor_cycle.alias(s.VENDOR_CYCLE),
            (vendor_cycle - vendor_cycle.min() + 1).alias(s.CYCLE),
        ]
    if "Ns" in frame.columns:
        ns = pl.col("Ns").cast(pl.Int64)
        changed = (ns != ns.shift(1)).fill_null(False).cast(pl.Int64)
        exprs += [ns.alias(s.STEP_INDEX), (changed.cum_sum() + 1).alias(s.STEP_COUNT)]
    if "Temperature/°C" in frame.columns:
        exprs.append(pl.col("Temperature/°C").cast(pl.Float64).alias(s.TEMPERATURE))
    return _one_query(frame, exprs, resetting), notes


def _one_query(frame: pl.DataFrame, exprs: list[pl.Expr], counters: Resetting) -> pl.DataFrame:
    """The canonical table in one Polars query plus NumPy for the resetting counters.

    The result is conformed (canonical dtypes and column order), so a small
    file pays for one query rather than five.
    """
    inputs = [
        expr.alias(f"_{kind}{k}")
        for k, pair in enumerate(counters.values())
        for kind, expr in zip(("value", "segment"), pair, strict=True)
    ]
    cast = [e.cast(s.COLUMNS[e.meta.output_name()][0]) for e in exprs]
    out = frame.select(cast + inputs)
    for k, name in enumerate(counters):
        total = _segmented_total(out[f"_value{k}"].to_numpy(), out[f"_segment{k}"].to_numpy())
        out = out.hstack([pl.Series(name, total)])
    ordered = [c for c in s.COLUMNS if c in out.columns]
    return out[ordered]


def eis_spectrum(frame: pl.DataFrame, path: object) -> pl.DataFrame:
    """The impedance spectrum of an EC-Lab PEIS/GEIS frame in the EIS table.

    ``Z Imag / Ohm`` is the true imaginary part (EC-Lab stores ``-Im(Z)``).
    Records without a frequency (open-circuit or wait periods between spectra)
    are not spectrum points and are left out. ``Cycle Count / 1`` numbers the
    spectra from 1 in file order (EC-Lab's ``cycle number``).
    """
    needed = ("freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ReadError(f"{path}: not an impedance file (no {', '.join(missing)} column)")
    exprs = [
        pl.col("freq/Hz").cast(pl.Float64).alias(s.FREQUENCY),
        pl.col("Re(Z)/Ohm").cast(pl.Float64).alias(s.Z_REAL),
        (-pl.col("-Im(Z)/Ohm").cast(pl.Float64)).alias(s.Z_IMAG),
    ]
    if "cycle number" in frame.columns:
        exprs.append(pl.col("cycle number").alias(s.CYCLE))
    out = frame.select(exprs).filter(pl.col(s.FREQUENCY) > 0)
    if s.CYCLE in out.columns:
        out = out.with_columns(pl.col(s.CYCLE).rank("dense").cast(pl.Int64))
    if out.height == 0:
        raise ReadError(f"{path}: impedance file holds no point with a frequency above 0 Hz")
    return out
