"""The EC-Lab -> canonical conversion on NumPy arrays (the rules of :mod:`.table`).

A 2-record ``.mpr`` pays a fixed cost per Polars expression (about 10 µs each,
some twenty of them); on arrays the whole conversion costs tens of
microseconds whatever the size, so small files stay within 2x of galvani and
large ones lose nothing. The rules are documented once, in :mod:`.table`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.biologic.techniques import voltage_rule

REST_MODE = 3  # EC-Lab "mode" of an open-circuit (rest) record
_MILLI = 1e-3


class Columns:
    """Float64 (or int) arrays of an EC-Lab-named frame, converted once on demand."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.names = set(frame.columns)
        self._cache: dict[str, np.ndarray] = {}

    def first(self, *names: str) -> str | None:
        """The first of *names* the frame has, else None."""
        return next((n for n in names if n in self.names), None)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self.frame.get_column(name).cast(pl.Float64).to_numpy()
        return self._cache[name]


def _diff0(values: np.ndarray) -> np.ndarray:
    """``values[k] - values[k-1]``, 0 for the first element."""
    out = np.zeros_like(values)
    out[1:] = np.diff(values)
    return out


def segmented_peak_total(value: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Running peak of *value* (>= 0) within contiguous segments, plus earlier segments' peaks."""
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


def _segment_cumsum(value: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Cumulative sum of *value* restarting at each change of *segment*."""
    total = np.cumsum(value)
    if value.size == 0:
        return total
    starts = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    before = np.r_[0.0, total][starts]  # the sum before each segment starts
    return total - np.repeat(before, np.diff(np.r_[starts, value.size]))


def current_a(c: Columns, path: object) -> tuple[np.ndarray, str | None]:
    """Current [A] and a note on how it was obtained (None when measured)."""
    measured = c.first("I/mA", "<I>/mA")
    if measured:
        return c[measured] * _MILLI, None
    step = None
    if "dq/mA.h" in c.names:
        step = np.nan_to_num(c["dq/mA.h"])
    elif "(Q-Qo)/mA.h" in c.names:
        step = _diff0(c["(Q-Qo)/mA.h"])
    if step is not None:
        dt = _diff0(c["time/s"])
        with np.errstate(divide="ignore", invalid="ignore"):
            amps = np.where(dt > 0, step * 3600.0 * _MILLI / dt, 0.0)
        return amps, "current = charge increment / time step (EC-Lab's <I>); no I column"
    if "mode" in c.names and bool(np.all(c["mode"] == REST_MODE)):
        return np.zeros(c.frame.height), (
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
        return np.rint(np.nan_to_num(c["cycle number"])).astype(np.int64)
    if "half cycle" in c.names:
        return np.nan_to_num(c["half cycle"]).astype(np.int64) // 2
    return None


def capacity_ah(c: Columns) -> tuple[dict[str, np.ndarray], str | None]:
    """Cumulative charging/discharging capacity [A·h] and a note on the source."""
    if "Q charge/discharge/mA.h" in c.names and "half cycle" in c.names:
        q = c["Q charge/discharge/mA.h"] * _MILLI
        hc = c["half cycle"]
        counters = {
            s.CHARGE_CAPACITY: segmented_peak_total(q, hc),
            s.DISCHARGE_CAPACITY: segmented_peak_total(-q, hc),
        }
        return counters, "capacity counters accumulated from Q charge/discharge per half cycle"
    # (Q-Qo) first: EC-Lab's export adds a dq column derived from it
    if "(Q-Qo)/mA.h" in c.names:
        step, how = np.nan_to_num(_diff0(c["(Q-Qo)/mA.h"])), "(Q-Qo)"
    elif "dq/mA.h" in c.names:
        step, how = np.nan_to_num(c["dq/mA.h"]), "dq"
    else:
        return {}, None
    counters = {
        s.CHARGE_CAPACITY: np.cumsum(step.clip(min=0.0)) * _MILLI,
        s.DISCHARGE_CAPACITY: -np.cumsum(step.clip(max=0.0)) * _MILLI,
    }
    return counters, f"capacity counters summed from the charge increments of {how}"


def energy_wh(
    c: Columns, cycle: np.ndarray | None, amps: np.ndarray
) -> tuple[dict[str, np.ndarray], str | None]:
    """Cumulative charging/discharging energy [W·h] (EC-Lab restarts them every cycle)."""
    if cycle is None:
        return {}, None
    pairs = (("Energy charge/W.h", s.CHARGE_ENERGY), ("Energy discharge/W.h", s.DISCHARGE_ENERGY))
    if all(src in c.names for src, _ in pairs):
        return {dst: segmented_peak_total(c[src], cycle) for src, dst in pairs}, None
    potential = c.first("Ewe/V", "<Ewe>/V", "Ecell/V")
    if potential is None:
        return {}, None
    step_wh = np.abs(c[potential] * amps) * _diff0(c["time/s"]) / 3600.0
    step_wh = np.nan_to_num(step_wh)
    charge = _segment_cumsum(np.where(amps > 0, step_wh, 0.0), cycle)
    discharge = _segment_cumsum(np.where(amps < 0, step_wh, 0.0), cycle)
    note = f"energy counters computed as EC-Lab's export does: |{potential} x I| dt by sign of I"
    return {
        s.CHARGE_ENERGY: segmented_peak_total(charge, cycle),
        s.DISCHARGE_ENERGY: segmented_peak_total(discharge, cycle),
    }, note


def canonical_arrays(
    frame: pl.DataFrame, path: object, start_unix_s: float | None, technique: str
) -> tuple[pl.DataFrame, list[str]]:
    """The conformed canonical table of an EC-Lab-named frame, and the notes."""
    c = Columns(frame)
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
    if "Ns" in c.names:
        ns = np.nan_to_num(c["Ns"]).astype(np.int64)
        out[s.STEP_INDEX] = ns
        changed = np.r_[0, (ns[1:] != ns[:-1]).astype(np.int64)] if ns.size else ns
        out[s.STEP_COUNT] = np.cumsum(changed) + 1
    if "Temperature/°C" in c.names:
        out[s.TEMPERATURE] = c["Temperature/°C"]
    ordered = [n for n in s.COLUMNS if n in out]
    schema = {n: s.COLUMNS[n][0] for n in ordered}
    return pl.DataFrame({n: out[n] for n in ordered}, schema=schema), notes
