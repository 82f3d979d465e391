"""The EC-Lab -> canonical conversion on NumPy arrays (the rules of :mod:`.table`).

A 2-record ``.mpr`` pays a fixed cost per Polars call (a few µs each), and a
large one pays for every temporary array (allocation and page faults cost as
much as the arithmetic). So the conversion runs on NumPy arrays taken straight
from the decoded records (no intermediate Polars frame), computes each time
step and segment boundary once, works in place on arrays it owns and skips
``nan_to_num`` copies when an array is already finite. The rules are
documented once, in :mod:`.table`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.biologic.techniques import voltage_rule

REST_MODE = 3  # EC-Lab "mode" of an open-circuit (rest) record
_MILLI = 1e-3
#: Tables up to this many rows are built from one joined Series per dtype (:func:`frame_of`).
_JOIN_ROWS = 20_000
#: Above this many segments the per-segment offsets are added in one vectorised pass.
_LOOP_SEGMENTS = 4

#: Bounds of the runs of equal values of a segment key: (starts, ends), ends exclusive.
Bounds = tuple[np.ndarray, np.ndarray]


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
                self._cache[name] = np.asarray(src[name], dtype=np.float64)
        return self._cache[name]

    def diff0(self, name: str) -> np.ndarray:
        """``_diff0`` of a column, computed once."""
        if name not in self._diff:
            self._diff[name] = _diff0(self[name])
        return self._diff[name]

    def bounds(self, segment: np.ndarray) -> Bounds:
        """``segment_bounds`` of an array this object handed out, computed once."""
        key = id(segment)
        if key not in self._bounds:
            self._bounds[key] = segment_bounds(segment)
        return self._bounds[key]


def _diff0(values: np.ndarray) -> np.ndarray:
    """``values[k] - values[k-1]``, 0 for the first element."""
    out = np.empty_like(values)
    if values.size:
        out[0] = 0
        np.subtract(values[1:], values[:-1], out=out[1:])
    return out


def _finite(values: np.ndarray) -> np.ndarray:
    """*values* itself when every element is finite, else ``np.nan_to_num`` of it (a copy)."""
    return values if math.isfinite(values.sum()) else np.nan_to_num(values)


def segment_bounds(segment: np.ndarray) -> Bounds:
    """Start and end (exclusive) index of each run of equal values of *segment*."""
    change = np.flatnonzero(segment[1:] != segment[:-1])
    change += 1
    starts = np.zeros(change.size + 1, dtype=change.dtype)
    starts[1:] = change
    ends = np.full(change.size + 1, segment.size, dtype=change.dtype)
    ends[:-1] = change
    return starts, ends


def _add_per_segment(values: np.ndarray, offsets: np.ndarray, bounds: Bounds) -> None:
    """``values[a:b] += offsets[k]`` for every segment *k*, in place."""
    starts, ends = bounds
    if starts.size > _LOOP_SEGMENTS:
        values += np.repeat(offsets, ends - starts)
        return
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        values[a:b] += offsets[k]


def _row_bounds(bounds: Bounds, rows: int, n: int) -> Bounds:
    """The same segments in each row of a C-ordered (rows, n) array, as flat indices."""
    shift = (np.arange(rows) * n)[:, None]
    return (bounds[0] + shift).ravel(), (bounds[1] + shift).ravel()


def peak_totals(rows: np.ndarray, bounds: Bounds) -> np.ndarray:
    """:func:`segmented_peak_total` of every row of *rows*, computed in place.

    *rows* is a C-ordered float64 array (counters x records) that the caller
    owns; the rows share the segment *bounds*. Working on all rows at once
    halves the NumPy calls for the usual charge/discharge pair.
    """
    if not math.isfinite(rows.sum()):
        np.nan_to_num(rows, copy=False)
    rows.clip(min=0.0, out=rows)
    n_rows, n = rows.shape
    if n == 0:
        return rows
    flat, flat_bounds = rows.reshape(-1), _row_bounds(bounds, n_rows, n)
    _running_peak(flat, flat_bounds)
    ends = bounds[1]
    base = np.zeros((n_rows, ends.size))  # the sum of earlier segments' final peaks
    np.cumsum(rows[:, ends[:-1] - 1], axis=1, out=base[:, 1:])
    _add_per_segment(flat, base.reshape(-1), flat_bounds)
    return rows


def segmented_peak_total(
    value: np.ndarray, segment: np.ndarray, bounds: Bounds | None = None
) -> np.ndarray:
    """Running peak of *value* (>= 0) within contiguous segments, plus earlier segments' peaks.

    *bounds* are ``segment_bounds(segment)`` when the caller has them already.
    """
    row = np.array(value, dtype=np.float64, ndmin=2)  # a copy
    return peak_totals(row, segment_bounds(segment) if bounds is None else bounds)[0]


def _running_peak(values: np.ndarray, bounds: Bounds) -> None:
    """``np.maximum.accumulate`` of *values* within every segment, in place (finite floats).

    The accumulation is sequential (a few ns per element) while the counters it
    is applied to rarely fall, so it runs only from the first record of a
    segment that would change: before it the running peak is the value itself
    (every record above the previous one, or bit-identical to it), and from the
    record just before it the accumulation gives the same bits as over the whole
    segment.
    """
    starts, ends = bounds
    later, earlier = values[1:], values[:-1]
    keeps = later > earlier
    keeps |= later.view(np.uint64) == earlier.view(np.uint64)
    keeps[starts[1:] - 1] = True  # a segment's first record starts its own peak
    falls = np.flatnonzero(~keeps) + 1
    if falls.size == 0:
        return
    segment = np.searchsorted(starts, falls, side="right") - 1
    first = np.ones(segment.size, dtype=bool)
    np.not_equal(segment[1:], segment[:-1], out=first[1:])
    for at, k in zip(falls[first].tolist(), segment[first].tolist(), strict=True):
        part = values[at - 1 : ends[k]]
        np.maximum.accumulate(part, out=part)


def _segment_cumsums(rows: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Cumulative sums along every row of *rows*, restarting at each segment, in place."""
    np.cumsum(rows, axis=1, out=rows)
    n_rows, n = rows.shape
    if n == 0:
        return rows
    starts = bounds[0]
    before = np.zeros((n_rows, starts.size))  # the sum before each segment starts
    np.negative(rows[:, starts[1:] - 1], out=before[:, 1:])
    _add_per_segment(rows.reshape(-1), before.reshape(-1), _row_bounds(bounds, n_rows, n))
    return rows


def current_a(c: Columns, path: object) -> tuple[np.ndarray, str | None]:
    """Current [A] and a note on how it was obtained (None when measured)."""
    measured = c.first("I/mA", "<I>/mA")
    if measured:
        return c[measured] * _MILLI, None
    step = None
    if "dq/mA.h" in c.names:
        step = _finite(c["dq/mA.h"])
    elif "(Q-Qo)/mA.h" in c.names:
        step = c.diff0("(Q-Qo)/mA.h")
    if step is not None:
        dt = c.diff0("time/s")
        forward = dt > 0
        amps = step * 3600.0
        amps *= _MILLI
        np.divide(amps, dt, out=amps, where=forward)
        np.copyto(amps, 0.0, where=~forward)
        return amps, "current = charge increment / time step (EC-Lab's <I>); no I column"
    if "mode" in c.names and bool(np.all(c["mode"] == REST_MODE)):
        return np.zeros(c.height), (
            "no current column: every record is a rest (mode 3), current set to 0"
        )
    raise ReadError(f"{path}: no current column (I, <I>, dq or Q-Qo) in the EC-Lab data")


def potentials(c: Columns, path: object, technique: str) -> tuple[dict[str, np.ndarray], str]:
    """Voltage and the electrode potentials [V] by the technique's rule, and its note."""
    we = c.first("Ewe/V", "<Ewe>/V")
    ce = c.first("Ece/V", "<Ece>/V")
    cell = c.first("Ecell/V", "Ewe-Ece/V", "<Ewe-Ece>/V")
    name = technique or "unknown technique"
    kept = {} if we is None or ce is None else {s.WE_POTENTIAL: c[we], s.CE_POTENTIAL: c[ce]}
    if voltage_rule(technique) == "Ewe":
        if we is None:
            raise ReadError(f"{path}: no working-electrode potential (Ewe) in the {name} data")
        voltage, how = c[we], f"{we} ({name}: potential-controlled)"
    elif kept:
        voltage, how = c[we] - c[ce], f"{we} - {ce}"  # type: ignore[index]
    elif cell is not None:
        voltage, how = c[cell], cell
    elif we is not None:
        voltage, how = c[we], f"{we} (no Ece: two-electrode)"
    else:
        raise ReadError(f"{path}: no potential column (Ewe, Ecell or Ewe-Ece) in the EC-Lab data")
    note = f"Voltage / V = {how}, EC-Lab rule for {name}"
    if kept:
        note += "; Ewe and Ece kept as electrode potentials"
    return {s.VOLTAGE: voltage, **kept}, note


def vendor_cycle(c: Columns) -> np.ndarray | None:
    """EC-Lab's cycle number (``half cycle // 2`` when not stored), as int64."""
    if "cycle number" in c.names:
        return np.rint(_finite(c["cycle number"])).astype(np.int64)
    if "half cycle" in c.names:
        cycle = _finite(c["half cycle"]).astype(np.int64)
        cycle //= 2
        return cycle
    return None


def capacity_ah(c: Columns) -> tuple[dict[str, np.ndarray], str | None]:
    """Cumulative charging/discharging capacity [A·h] and a note on the source."""
    if "Q charge/discharge/mA.h" in c.names and "half cycle" in c.names:
        q = np.empty((2, c.height))
        np.multiply(c["Q charge/discharge/mA.h"], _MILLI, out=q[0])
        np.negative(q[0], out=q[1])
        charge, discharge = peak_totals(q, c.bounds(c["half cycle"]))
        counters = {s.CHARGE_CAPACITY: charge, s.DISCHARGE_CAPACITY: discharge}
        return counters, "capacity counters accumulated from Q charge/discharge per half cycle"
    # (Q-Qo) first: EC-Lab's export adds a dq column derived from it
    if "(Q-Qo)/mA.h" in c.names:
        step, how = _finite(c.diff0("(Q-Qo)/mA.h")), "(Q-Qo)"
    elif "dq/mA.h" in c.names:
        step, how = _finite(c["dq/mA.h"]), "dq"
    else:
        return {}, None
    charge = np.cumsum(step.clip(min=0.0))
    charge *= _MILLI
    discharge = np.cumsum(step.clip(max=0.0))
    np.negative(discharge, out=discharge)
    discharge *= _MILLI
    return {
        s.CHARGE_CAPACITY: charge,
        s.DISCHARGE_CAPACITY: discharge,
    }, f"capacity counters summed from the charge increments of {how}"


def energy_wh(
    c: Columns, cycle: np.ndarray | None, amps: np.ndarray
) -> tuple[dict[str, np.ndarray], str | None]:
    """Cumulative charging/discharging energy [W·h] (EC-Lab restarts them every cycle)."""
    if cycle is None:
        return {}, None
    bounds = segment_bounds(cycle)
    rows = np.empty((2, cycle.size))
    pairs = ("Energy charge/W.h", "Energy discharge/W.h")
    if all(src in c.names for src in pairs):
        for row, src in zip(rows, pairs, strict=True):
            row[:] = c[src]
        charge, discharge = peak_totals(rows, bounds)
        return {s.CHARGE_ENERGY: charge, s.DISCHARGE_ENERGY: discharge}, None
    potential = c.first("Ewe/V", "<Ewe>/V", "Ecell/V")
    if potential is None:
        return {}, None
    step_wh = rows[1]  # |potential x I| dt [W·h], then its discharging part
    np.multiply(c[potential], amps, out=step_wh)
    np.abs(step_wh, out=step_wh)
    step_wh *= c.diff0("time/s")
    step_wh /= 3600.0
    if not math.isfinite(step_wh.sum()):
        np.nan_to_num(step_wh, copy=False)
    np.copyto(rows[0], step_wh)
    rows[0][~(amps > 0)] = 0.0
    step_wh[~(amps < 0)] = 0.0
    charge, discharge = peak_totals(_segment_cumsums(rows, bounds), bounds)
    note = f"energy counters computed as EC-Lab's export does: |{potential} x I| dt by sign of I"
    return {s.CHARGE_ENERGY: charge, s.DISCHARGE_ENERGY: discharge}, note


def _steps(c: Columns) -> dict[str, np.ndarray]:
    """EC-Lab's step number ``Ns`` and the step count (from 1, +1 at every change)."""
    if "Ns" not in c.names:
        return {}
    ns = _finite(c["Ns"]).astype(np.int64)
    count = np.empty_like(ns)
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
    notes: list[str] = []
    amps, note = current_a(c, path)
    notes += [note] if note else []
    volts, note = potentials(c, path, technique)
    notes.append(note)
    cycle = vendor_cycle(c)
    capacity, note = capacity_ah(c)
    notes += [note] if note else []
    energy, note = energy_wh(c, cycle, amps)
    notes += [note] if note else []
    time = c["time/s"]
    out: dict[str, np.ndarray] = {
        s.TIME: time - time[0] if time.size else time,
        s.CURRENT: amps,
        **volts,
        **capacity,
        **energy,
    }
    if start_unix_s is not None:
        out[s.UNIX_TIME] = time + start_unix_s
    if cycle is not None:
        out[s.VENDOR_CYCLE] = cycle
        out[s.CYCLE] = cycle - (cycle.min() if cycle.size else 0) + 1
    out.update(_steps(c))
    if "Temperature/°C" in c.names:
        out[s.TEMPERATURE] = c["Temperature/°C"]
    return frame_of(out, c.height), notes


def frame_of(out: Mapping[str, np.ndarray], height: int) -> pl.DataFrame:
    """The canonical frame of float64/int64 arrays, in schema order.

    Building a Polars Series costs a few µs of Python whatever its length, so
    a short table is built from one Series per dtype (the arrays joined) and
    zero-copy slices of it; a long one takes each array as it is (no copy).
    """
    names = [n for n in s.COLUMNS if n in out]
    if height > _JOIN_ROWS or height == 0:
        return pl.DataFrame([pl.Series(n, out[n]) for n in names])
    groups: dict[type, list[str]] = {}
    for n in names:
        groups.setdefault(out[n].dtype.type, []).append(n)
    pieces: dict[str, pl.Series] = {}
    for members in groups.values():
        joined = pl.Series(np.concatenate([out[n] for n in members]))
        for k, n in enumerate(members):
            pieces[n] = joined.slice(k * height, height).alias(n)
    return pl.DataFrame([pieces[n] for n in names])
