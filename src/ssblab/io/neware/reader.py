"""Neware readers: ``.nda`` (also zipped as ``.nda.zip``) and ``.ndax``.

Registers ``neware_nda`` and ``neware_ndax``. The binary layouts live in
:mod:`ssblab.io.neware.nda` and :mod:`ssblab.io.neware.ndc`; this module
detects the files, applies BTSDA's cycle rule and fills :class:`RunMeta`.

Cycle numbering (checked against BTSDA exports of 11 files): BTSDA's
``Cycle Index`` is the instrument's cycle counter unless the archive carries
``NdaxConfig.xml`` with ``CycleMode="1"`` (BTSDA's "charge first" cycle
statistics), in which case a new cycle starts at each charge step that
follows a discharge step. ``test_2.ndax`` is such a file: 54 cycles by
BTSDA, 44 by the instrument counter; ``nw4-120-1-6-53.ndax`` has no CycleMode
and BTSDA keeps the counter's 150 (charge-first would give 160). CycleMode 2
("discharge first") is implemented as the mirror rule but no export of it
was available to check.

Versions read: ``.nda`` 5-8, 14-24 (except 15, 18, 19, 21), 26, 28, 29 and BTS 9
(129, 130), of which 8, 22, 29 and 130 are checked against BTSDA exports;
``.ndax`` with ndc 2, 5, 14, 16 and 17 members (ndc 2 checked against
fastnda's output; an archive whose ``data.ndc`` holds no record is 0 rows).
Anything else is refused with its version in the message.

Clocks: ndc 11+ and ``.nda`` 8/22/130 records carry Unix time; the instrument
zone is the whole-hour offset between the file's start time (its wall clock)
and the first record. ``.nda`` 29 and ndc 2 and 5 carry only the wall clock, which
is stored as if it were UTC, with a note.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.neware.common import CYCLE_MODES, clean_records, step_type_names, to_canonical
from ssblab.io.neware.meta import NUMBERING, clock, decoder_notes, identity, nda_bytes
from ssblab.io.neware.nda import decode_nda
from ssblab.io.neware.ndax import decode_ndax
from ssblab.io.neware.sniff import sniff_nda, sniff_ndax
from ssblab.io.registry import reader


def _drop_unusable(raw: pl.DataFrame, notes: list[str]) -> tuple[pl.DataFrame, int]:
    """Drop repeated record numbers and records without a step; count and note them."""
    raw, duplicates = clean_records(raw)
    if duplicates:
        notes.append(f"{duplicates} records repeated an earlier record number and were left out")
    stepless = int(raw["step_index"].null_count())
    if stepless:
        raw = raw.filter(pl.col("step_index").is_not_null())
        notes.append(f"{stepless} records had no step in data_step.ndc and were left out")
    return raw, duplicates + stepless


def _cycle_mode(raw: pl.DataFrame, facts: dict[str, str], notes: list[str]) -> str:
    """BTSDA's rule from the archive's CycleMode; charge-first where the file has no counter."""
    mode = CYCLE_MODES.get(int(facts.get("CycleMode", "0") or 0), "vendor")
    if mode == "vendor" and "vendor_cycle" not in raw.columns:
        notes.append("this file version stores no cycle counter; cycles are counted charge-first")
        return "charge-first"
    return mode


def _build_run(
    path: Path,
    raw: pl.DataFrame,
    fmt: str,
    facts: dict[str, str],
    notes: list[str],
) -> s.Run:
    """Canonical table plus RunMeta from a decoded raw frame and the file's header facts."""
    undecodable, decoded_notes = decoder_notes(facts)
    notes.extend(decoded_notes)
    empty = raw.height == 0 and not undecodable
    raw, dropped = _drop_unusable(raw, notes)
    if raw.height == 0 and not empty:
        raise ReadError(f"{path}: no decodable records")
    mode = _cycle_mode(raw, facts, notes)
    if "step_type" in raw.columns:
        facts["step_types"] = step_type_names(raw["step_type"])
    table = to_canonical(raw, mode)
    zone, start = _clock(table, facts, notes)
    meta = s.RunMeta(
        source=str(path),
        source_format=fmt,
        **identity(facts),
        timezone=zone,
        start_time_utc=start,
        cycle_numbering=NUMBERING[mode],
        rows_skipped=undecodable + dropped,
        notes=tuple(notes),
        extra={k: v for k, v in facts.items() if v},
    )
    return s.Run(table, meta)


def _clock(table: pl.DataFrame, facts: dict[str, str], notes: list[str]) -> tuple[str, str]:
    """Instrument timezone and UTC start; ``Unix Time / s`` is made UTC where possible."""
    if s.UNIX_TIME not in table.columns or table[s.UNIX_TIME].is_null().all():
        return clock(None, facts, notes)
    return clock(float(table[s.UNIX_TIME].drop_nulls()[0]), facts, notes)


@reader("neware_nda", suffixes=(".nda", ".nda.zip"), sniff=sniff_nda)
def read_nda(path: Path) -> s.Run:
    """Neware BTS ``.nda`` (versions 8, 22, 29, 130), plain or zipped as ``.nda.zip``."""
    path = Path(path)
    raw, facts = decode_nda(nda_bytes(path), path)
    notes: list[str] = []
    if "total_time_s" not in raw.columns:
        notes.append("Test Time is the step time plus the durations of all earlier steps")
    return _build_run(path, raw, "neware_nda", facts, notes)


@reader("neware_ndax", suffixes=(".ndax",), sniff=sniff_ndax)
def read_ndax(path: Path) -> s.Run:
    """Neware BTS 8 ``.ndax`` archive (ndc 2, 5, 11, 14, 16, 17) with auxiliary channels."""
    path = Path(path)
    raw, facts, filled = decode_ndax(path)
    notes: list[str] = []
    if facts.get("file_version", "") in ("ndc 2", "ndc 5"):
        facts["clock"] = "local calendar"
    if filled:
        notes.append(
            f"{filled} records had no run-info entry; their time and counters were advanced "
            "by the logging interval and I·dt, as BTSDA does"
        )
    return _build_run(path, raw, "neware_ndax", facts, notes)


__all__ = ["read_nda", "read_ndax", "sniff_nda", "sniff_ndax"]
