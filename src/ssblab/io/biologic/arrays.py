"""The EC-Lab -> canonical conversion on NumPy arrays (the rules of :mod:`.table`).

A 2-record ``.mpr`` pays a fixed cost per Polars or NumPy call (a few µs
each), and a large one pays for every fresh array (page faults cost as much as
the arithmetic). So the conversion runs on NumPy arrays taken straight from the
decoded records (no intermediate Polars frame), computes each time step and
segment boundary once, writes the computed columns straight into their output
arrays (:mod:`ssblab.io.biologic.outputs`; integer columns from the stored
integers, without a float copy) and skips ``nan_to_num`` copies when an array
is already finite.
The rules are documented once, in :mod:`.table`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.biologic.outputs import Outputs
from ssblab.io.biologic.segments import (
    Bounds,
    finite,
    peak_totals,
    segment_bounds,
    segment_cumsums,
)
from ssblab.io.biologic.techniques import voltage_rule

REST_MODE = 3  # EC-Lab "mode" of an open-circuit (rest) record
#: Columns of tables up to this many rows are copied contiguous once; longer ones are
#: read through their strided views (fresh copies would page-fault more than they save).
_COPY_ROWS = 20_000
_MILLI = 1e-3


class Columns:
    """Float64 arrays of EC-Lab-named columns, converted once on demand.

    *source* is a Polars frame (the ``.mpt`` reader) or a mapping of NumPy
    arrays (the ``.mpr`` records). Returned arrays are shared: never write
    into them.
    """

    def __init__(self, source: pl.DataFrame | Mapping[str, np.ndarray]) -> None:
        self.source = source
        if isinstance(source, pl.DataFrame):
            self.names = set(source.columns)
            self.height = source.height
        else:
            self.names = set(source)
            self.height = len(next(iter(source.values()))) if source else 0
        self._cache: dict[str, np.ndarray] = {}
        self._diff: dict[str, np.ndarray] = {}
        self._bounds: dict[int, Bounds] = {}

    def first(self, *names: str) -> str | None:
        """The first of *names* the frame has, else None."""
        return next((n for n in names if n in self.names), None)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            src = self.source
            if isinstance(src, pl.DataFrame):
                self._cache[name] = src.get_column(name).cast(pl.Float64).to_numpy()
            else:
                values = src[name]
                short = self.height <= _COPY_ROWS  # a pass over a strided view costs 2-3x
                copy = np.ascontiguousarray if short else np.asarray
                self._cache[name] = copy(values, dtype=np.float64)
        return self._cache[name]

    def once(self, name: str) -> np.ndarray:
        """Column *name* as float64 for a single pass: the array already taken, or the
        stored float64 values themselves (a strided view of the records, read once
        instead of copied first); other types are converted as by ``[name]``."""
        if name in self._cache or isinstance(self.source, pl.DataFrame):
            return self[name]
        values = self.source[name]
        return values if values.dtype == np.float64 else self[name]

    def into(self, name: str, o: Outputs, column: str) -> np.ndarray:
        """Column *name* as float64 in a fresh output row for canonical *column* (kept as
        this column's array from now on); the array already taken when there is one."""
        if name in self._cache:
            return self._cache[name]
        row = o.float_row(column)
        src = self.source
        if isinstance(src, pl.DataFrame):
            np.copyto(row, src.get_column(name).cast(pl.Float64).to_numpy())
        else:
            np.copyto(row, src[name])
        self._cache[name] = row
        return row

    def integers(self, name: str) -> np.ndarray | None:
        """The column as stored when it is an unsigned integer array (no float copy), else None.

        Unsigned values up to 2**32 convert to float64 and back exactly, so
        integer results computed from these equal those computed from the floats.
        """
        src = self.source
        if isinstance(src, pl.DataFrame):
            return None
        values = src[name]
        return values if values.dtype.kind == "u" and values.dtype.itemsize <= 4 else None

    def diff0(self, name: str) -> np.ndarray:
        """``values[k] - values[k-1]`` of a column (0 for the first), computed once."""
        if name not in self._diff:
            values = self[name]
            out = np.empty_like(values)
            if values.size:
                out[0] = 0
                np.subtract(values[1:], values[:-1], out=out[1:])
            self._diff[name] = out
        return self._diff[name]

    def bounds(self, segment: np.ndarray) -> Bounds:
        """``segment_bounds`` of an array this object handed out, computed once."""
        key = id(segment)
        if key not in self._bounds:
            self._bounds[key] = segment_bounds(segment)
        return self._bounds[key]


def current_a(c: Columns, o: Outputs, path: object) -> tuple[np.ndarray, str | None]:
    """Current [A] and a note on how it was obtained (None when measured)."""
    amps = o.float_row(s.CURRENT)
    measured = c.first("I/mA", "<I>/mA")
    if measured:
        return np.multiply(c.once(measured), _MILLI, out=amps, dtype=np.float64), None
    step = None
    if "dq/mA.h" in c.names:
        step = finite(c["dq/mA.h"])
    elif "(Q-Qo)/mA.h" in c.names:
        step = c.diff0("(Q-Qo)/mA.h")
    if step is not None:
        dt = c.diff0("time/s")
        forward = dt > 0
        np.multiply(step, 3600.0, out=amps)
        amps *= _MILLI
        np.divide(amps, dt, out=amps, where=forward)
        np.copyto(amps, 0.0, where=~forward)
        return amps, "current = charge increment / time step (EC-Lab's <I>); no I column"
    if "mode" in c.names:
        mode = c.integers("mode")
        if bool(np.all((c["mode"] if mode is None else mode) == REST_MODE)):
            amps.fill(0.0)
            return amps, "no current column: every record is a rest (mode 3), current set to 0"
    raise ReadError(f"{path}: no current column (I, <I>, dq or Q-Qo) in the EC-Lab data")


def potentials(
    c: Columns, o: Outputs, path: object, technique: str
) -> tuple[dict[str, np.ndarray], str]:
    """Voltage and the electrode potentials [V] by the technique's rule, and its note."""
    we = c.first("Ewe/V", "<Ewe>/V")
    ce = c.first("Ece/V", "<Ece>/V")
    cell = c.first("Ecell/V", "Ewe-Ece/V", "<Ewe-Ece>/V")
    name = technique or "unknown technique"
    kept = {}
    if we is not None and ce is not None:
        kept = {
            s.WE_POTENTIAL: c.into(we, o, s.WE_POTENTIAL),
            s.CE_POTENTIAL: c.into(ce, o, s.CE_POTENTIAL),
        }
    if voltage_rule(technique) == "Ewe":
        if we is None:
            raise ReadError(f"{path}: no working-electrode potential (Ewe) in the {name} data")
        voltage, how = c.into(we, o, s.VOLTAGE), f"{we} ({name}: potential-controlled)"
    elif kept:
        voltage = np.subtract(c[we], c[ce], out=o.float_row(s.VOLTAGE))  # type: ignore[index]
        how = f"{we} - {ce}"
    elif cell is not None:
        voltage, how = c.into(cell, o, s.VOLTAGE), cell
    elif we is not None:
        voltage, how = c.into(we, o, s.VOLTAGE), f"{we} (no Ece: two-electrode)"
    else:
        raise ReadError(f"{path}: no potential column (Ewe, Ecell or Ewe-Ece) in the EC-Lab data")
    note = f"Voltage / V = {how}, EC-Lab rule for {name}"
    if kept:
        note += "; Ewe and Ece kept as electrode potentials"
    return {s.VOLTAGE: voltage, **kept}, note


def vendor_cycle(c: Columns, o: Outputs) -> np.ndarray | None:
    """EC-Lab's cycle number (``half cycle // 2`` when not stored), as int64."""
    if "cycle number" in c.names:
        cycle = o.int_row(s.VENDOR_CYCLE)
        np.copyto(cycle, np.rint(finite(c.once("cycle number"))), casting="unsafe")
        return cycle
    if "half cycle" in c.names:
        cycle, stored = o.int_row(s.VENDOR_CYCLE), c.integers("half cycle")
        if stored is None:
            np.copyto(cycle, finite(c["half cycle"]), casting="unsafe")
        else:
            np.copyto(cycle, stored)
        cycle >>= 1  # // 2 (an arithmetic shift floors negative values too)
        return cycle
    return None


#: Counter rows still to be turned into running-peak totals: column names, rows, segments.
Pending = list[tuple[tuple[str, ...], np.ndarray, Bounds]]


def capacity_ah(
    c: Columns, o: Outputs, pending: Pending
) -> tuple[dict[str, np.ndarray], str | None]:
    """Cumulative charging/discharging capacity [A·h] and a note on the source.

    Per-half-cycle counters are appended to *pending* (their totals are
    computed in place by :func:`_peak_pending`).
    """
    if "Q charge/discharge/mA.h" in c.names and "half cycle" in c.names:
        q = o.floats(s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY)
        np.multiply(c.once("Q charge/discharge/mA.h"), _MILLI, out=q[0], dtype=np.float64)
        np.negative(q[0], out=q[1])
        q[1] += 0.0  # no negative zeros
        stored = c.integers("half cycle")
        bounds = c.bounds(c["half cycle"] if stored is None else stored)
        pending.append(((s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY), q, bounds))
        charge, discharge = q
        counters = {s.CHARGE_CAPACITY: charge, s.DISCHARGE_CAPACITY: discharge}
        return counters, "capacity counters accumulated from Q charge/discharge per half cycle"
    # (Q-Qo) first: EC-Lab's export adds a dq column derived from it
    if "(Q-Qo)/mA.h" in c.names:
        step, how = finite(c.diff0("(Q-Qo)/mA.h")), "(Q-Qo)"
    elif "dq/mA.h" in c.names:
        step, how = finite(c["dq/mA.h"]), "dq"
    else:
        return {}, None
    charge, discharge = o.floats(s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY)
    np.cumsum(np.maximum(step, 0.0, out=charge), out=charge)  # clip(min=0), without its wrapper
    charge *= _MILLI
    np.cumsum(np.minimum(step, 0.0, out=discharge), out=discharge)
    np.negative(discharge, out=discharge)
    discharge += 0.0  # -0.0 (no discharge yet) -> 0.0, printed "0.00000", not "-0.00000"
    discharge *= _MILLI
    return {
        s.CHARGE_CAPACITY: charge,
        s.DISCHARGE_CAPACITY: discharge,
    }, f"capacity counters summed from the charge increments of {how}"


def energy_wh(
    c: Columns, o: Outputs, cycle: np.ndarray | None, amps: np.ndarray, pending: Pending
) -> tuple[dict[str, np.ndarray], str | None]:
    """Cumulative charging/discharging energy [W·h] (EC-Lab restarts them every cycle).

    The rows are appended to *pending* like :func:`capacity_ah`'s.
    """
    if cycle is None:
        return {}, None
    pairs = ("Energy charge/W.h", "Energy discharge/W.h")
    potential = c.first("Ewe/V", "<Ewe>/V", "Ecell/V")
    stored = all(src in c.names for src in pairs)
    if not stored and potential is None:
        return {}, None
    bounds, rows = segment_bounds(cycle), o.floats(s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)
    if stored:
        for row, src in zip(rows, pairs, strict=True):
            np.copyto(row, c.once(src))
        pending.append(((s.CHARGE_ENERGY, s.DISCHARGE_ENERGY), rows, bounds))
        return {s.CHARGE_ENERGY: rows[0], s.DISCHARGE_ENERGY: rows[1]}, None
    step_wh = rows[1]  # |potential x I| dt [W·h], then its discharging part
    np.multiply(c[potential], amps, out=step_wh)  # type: ignore[index]
    np.abs(step_wh, out=step_wh)
    step_wh *= c.diff0("time/s")
    step_wh /= 3600.0
    if not math.isfinite(step_wh.sum()):
        np.nan_to_num(step_wh, copy=False)
    rows[0].fill(0.0)  # the charging part: step_wh where I > 0, else 0
    np.copyto(rows[0], step_wh, where=amps > 0)
    not_discharging = amps < 0
    np.logical_not(not_discharging, out=not_discharging)  # NaN current counts as neither
    np.copyto(step_wh, 0.0, where=not_discharging)
    pending.append(((s.CHARGE_ENERGY, s.DISCHARGE_ENERGY), segment_cumsums(rows, bounds), bounds))
    charge, discharge = rows
    note = f"energy counters computed as EC-Lab's export does: |{potential} x I| dt by sign of I"
    return {s.CHARGE_ENERGY: charge, s.DISCHARGE_ENERGY: discharge}, note


def _peak_pending(o: Outputs, pending: Pending) -> None:
    """:func:`peak_totals` of the pending counter rows: in one call when they are
    neighbouring rows of the output block (capacity then energy, the usual case)."""
    joined = o.consecutive([name for names, _, _ in pending for name in names])
    if joined is not None and len(pending) > 1:
        peak_totals(joined, [bounds for names, _, bounds in pending for _ in names])
        return
    for _, rows, bounds in pending:
        peak_totals(rows, bounds)


def _steps(c: Columns, o: Outputs) -> dict[str, np.ndarray]:
    """EC-Lab's step number ``Ns`` and the step count (from 1, +1 at every change)."""
    if "Ns" not in c.names:
        return {}
    ns, count = o.int_row(s.STEP_INDEX), o.int_row(s.STEP_COUNT)
    stored = c.integers("Ns")
    np.copyto(ns, finite(c["Ns"]) if stored is None else stored, casting="unsafe")
    if ns.size:
        count[0] = 1
        np.not_equal(ns[1:], ns[:-1], out=count[1:])
        np.cumsum(count, out=count)
    return {s.STEP_INDEX: ns, s.STEP_COUNT: count}


def canonical_arrays(
    source: pl.DataFrame | Mapping[str, np.ndarray],
    path: object,
    start_unix_s: float | None,
    technique: str,
) -> tuple[pl.DataFrame, list[str]]:
    """The conformed canonical table of EC-Lab-named columns, and the notes."""
    c = Columns(source)
    o = Outputs(c.height)
    notes: list[str] = []
    amps, note = current_a(c, o, path)
    notes += [note] if note else []
    volts, note = potentials(c, o, path, technique)
    notes.append(note)
    cycle = vendor_cycle(c, o)
    pending: Pending = []
    capacity, note = capacity_ah(c, o, pending)
    notes += [note] if note else []
    energy, note = energy_wh(c, o, cycle, amps, pending)
    _peak_pending(o, pending)
    notes += [note] if note else []
    time = c["time/s"]
    out: dict[str, np.ndarray] = {
        s.TIME: np.subtract(time, time[0], out=o.float_row(s.TIME)) if time.size else time,
        s.CURRENT: amps,
        **volts,
        **capacity,
        **energy,
    }
    if start_unix_s is not None:
        out[s.UNIX_TIME] = np.add(time, start_unix_s, out=o.float_row(s.UNIX_TIME))
    if cycle is not None:
        out[s.VENDOR_CYCLE] = cycle
        first = cycle.min() if cycle.size else 0
        out[s.CYCLE] = np.subtract(cycle, first, out=o.int_row(s.CYCLE))
        out[s.CYCLE] += 1
    out.update(_steps(c, o))
    if "Temperature/°C" in c.names:
        out[s.TEMPERATURE] = c.into("Temperature/°C", o, s.TEMPERATURE)
    return o.frame(out), notes
