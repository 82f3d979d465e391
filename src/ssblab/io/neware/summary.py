"""``ssblab info`` of a Neware ``.nda`` without Polars: the summary from the decoded arrays.

:func:`nda_summary` runs the reader's own decoding stage
(:func:`ssblab.io.neware.nda.decode_nda_columns`) and computes from its NumPy
columns the numbers :func:`ssblab.cli._summary.run_summary` takes from the canonical
table: rows after the reader's cleaning, cycles under BTSDA's rule, the test-time
span, the columns and the same notes (:func:`finish`, shared with
:mod:`.ndax_summary` for ``.ndax``). A test checks it against the full reader on
every real file. Anything unusual raises :class:`FullReaderNeededError` and the
caller takes the full path (which gives the error message, if any).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ssblab import _names as n
from ssblab.io._light import FullReaderNeededError
from ssblab.io.neware.codes import CHARGE_STEPS, CYCLE_MODES, DISCHARGE_STEPS
from ssblab.io.neware.meta import clock, decoder_notes, identity, nda_bytes
from ssblab.io.neware.nda import aux_temperature_columns, decode_nda_columns
from ssblab.limits import unix_times_within

Columns = dict[str, np.ndarray]


def _clean(columns: Columns) -> tuple[Columns, int]:
    """Records sorted by record number, repeats dropped (first kept), as ``clean_records``."""
    index = columns["index"].astype(np.int64)
    if index.size and not bool((np.diff(index) > 0).all()):
        _, first = np.unique(index, return_index=True)
        return {k: v[first] for k, v in columns.items()}, index.size - first.size
    return columns, 0


def _changes(columns: Columns, names: list[str]) -> np.ndarray:
    """Step count: 1, 2, 3... rising where any of *names* changes (``count_changes``)."""
    size = columns["index"].size
    changed = np.zeros(size, dtype=bool)
    for name in names:
        changed[1:] |= np.diff(columns[name].astype(np.int64)) != 0
    return np.cumsum(changed) + 1


def _test_time(columns: Columns, step_count: np.ndarray) -> np.ndarray:
    """``Test Time / s`` as ``common._test_time`` builds it [s]."""
    if "total_time_s" in columns:
        total = columns["total_time_s"].astype(np.float64)
        return total - total[0]
    step = columns["step_time_s"].astype(np.float64)
    is_last = np.ones(step.size, dtype=bool)
    is_last[:-1] = step_count[:-1] != step_count[1:]
    ended = np.where(is_last, step, 0.0)
    before = np.zeros(step.size)
    before[1:] = np.cumsum(ended[:-1])
    elapsed = step + before
    return elapsed - elapsed[0]


def _n_cycles(columns: Columns, mode: str) -> int:
    """Distinct ``Cycle Count / 1`` values under *mode* (``common.cycle_from_mode``)."""
    if mode == "vendor":
        ordered = np.sort(columns["vendor_cycle"])  # np.unique would import numpy.ma (~30 ms)
        return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
    kind = columns["step_type"]
    direction = np.where(
        np.isin(kind, list(CHARGE_STEPS)), 1, np.where(np.isin(kind, list(DISCHARGE_STEPS)), -1, 0)
    )
    steps = direction[direction != 0]  # the forward fill skips steps that are neither
    target = 2 if mode == "charge-first" else -2
    return 1 + int(np.count_nonzero(np.diff(steps) == target))


def _columns(columns: Columns, mode: str, attached: list[str]) -> list[str]:
    """Columns of the canonical table ``common.to_canonical`` builds, in schema order;
    *attached* names the raw columns joined on that the summary does not carry."""
    raw = [*columns, *attached]
    names = [n.TIME, n.VOLTAGE, n.CURRENT, n.CYCLE, n.STEP_COUNT, n.STEP_INDEX]
    names += [n.CHARGE_CAPACITY, n.DISCHARGE_CAPACITY, n.CHARGE_ENERGY, n.DISCHARGE_ENERGY]
    if "unix_time_s" in raw:
        names.append(n.UNIX_TIME)
    if "temperature_degC" in raw:
        names.append(n.TEMPERATURE)
    if "vendor_cycle" in raw and mode != "vendor":
        names.append(n.VENDOR_CYCLE)
    return n.canonical_order(names + [c for c in raw if c.startswith("Aux ")])


def _first_clock(columns: Columns, nan_is_null: bool) -> float | None:
    """The first ``Unix Time / s`` the reader's ``_clock`` takes (None: none in the file).
    NaN is a missing value where the reader stores it as null (*nan_is_null*)."""
    if "unix_time_s" not in columns:
        return None
    unix = columns["unix_time_s"].astype(np.float64)
    # a clock outside 1970-2100 is nulled and counted by the registry: the full reader's job
    _require(unix_times_within(unix[~np.isnan(unix)]), "a clock outside 1970-2100")
    if nan_is_null:
        unix = unix[~np.isnan(unix)]
        return float(unix[0]) if unix.size else None
    _require(bool(np.isfinite(unix[0])), "the first record's clock is not a number")
    return float(unix[0])


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise FullReaderNeededError(why)


def finish(
    path: Path,
    fmt: str,
    columns: Columns,
    facts: dict[str, str],
    notes: list[str],
    attached: tuple[str, ...] = (),
    stepless: np.ndarray | None = None,
    nan_clock_is_null: bool = False,
) -> dict[str, Any]:
    """``run_summary``'s dict from decoded raw columns, as ``reader._build_run`` goes on:
    clean, drop records without a step (*stepless*), cycle rule, time, clock, identity.

    *notes* holds the reader's own notes so far; *attached* the names of raw columns
    joined on (auxiliary channels) that *columns* does not carry.
    """
    undecodable, decoded = decoder_notes(facts)
    notes.extend(decoded)
    _require(columns["index"].size > 0, "no records (the reader decides what that means)")
    if stepless is not None:
        columns = {**columns, "_stepless": stepless}
    columns, duplicates = _clean(columns)
    if duplicates:
        notes.append(f"{duplicates} records repeated an earlier record number and were left out")
    missing = columns.pop("_stepless", np.zeros(0, dtype=bool))
    no_step = int(np.count_nonzero(missing))
    if no_step:
        columns = {k: v[~missing] for k, v in columns.items()}
        notes.append(f"{no_step} records had no step in data_step.ndc and were left out")
    rows = int(columns["index"].size)
    _require(rows > 0, "no records left")
    mode = CYCLE_MODES.get(int(facts.get("CycleMode", "0") or 0), "vendor")
    if mode == "vendor" and "vendor_cycle" not in columns:
        notes.append("this file version stores no cycle counter; cycles are counted charge-first")
        mode = "charge-first"
    marker = [c for c in ("step_index", "step_marker", "vendor_cycle") if c in columns]
    time = _test_time(columns, _changes(columns, marker))
    _require(not bool(np.isnan(time).all()), "no test time is a number")
    zone, start = clock(_first_clock(columns, nan_clock_is_null), facts, notes)
    meta = identity(facts)
    return {
        "file": str(path),
        "instrument": meta["instrument"],
        "format": fmt,
        "version": meta["file_version"],
        "rows": rows,
        "vendor_cycles": _n_cycles(columns, mode),
        "time_span_h": float(np.nanmax(time) - np.nanmin(time)) / 3600.0,
        "channels": [meta["channel"]] if meta["channel"] else [],
        "cell_name": meta["cell_name"],
        "start_time_utc": start,
        "timezone": zone,
        "columns": _columns(columns, mode, list(attached)),
        "rows_skipped": undecodable + duplicates + no_step,
        "notes": notes,
    }


def nda_summary(path: Path) -> dict[str, Any]:
    """The ``ssblab info`` numbers of a ``.nda``/``.nda.zip`` (keys of ``run_summary``).

    Raises
    ------
    FullReaderNeededError
        The file holds something the light summary does not follow (no records left,
        times that are not numbers); the full reader handles it.
    """
    path = Path(path)
    columns, aux, facts = decode_nda_columns(nda_bytes(path), path)
    notes: list[str] = []
    if "total_time_s" not in columns:
        notes.append("Test Time is the step time plus the durations of all earlier steps")
    joined = aux is not None and aux_temperature_columns(aux) is not None
    return finish(
        path, "neware_nda", columns, facts, notes, ("temperature_degC",) if joined else ()
    )
