"""BioLogic EC-Lab readers: binary ``.mpr`` and text ``.mpt`` (formats ``biologic_mpr``,
``biologic_mpt``).

Both decode their file into EC-Lab-named columns (:mod:`ssblab.io.biologic.mpr`,
:mod:`ssblab.io.biologic.mpt`) and convert them with the one set of rules in
:mod:`ssblab.io.biologic.table` (units, sign, counters, cycle numbering).

Timezone: EC-Lab stores the acquisition start as the PC's local clock without
a zone. It is read in the zone named by ``$SSBLAB_INSTRUMENT_TZ`` (UTC when
unset) to make ``Unix Time / s``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io._tabular import instrument_timezone, timezone_note
from ssblab.io.biologic.cell import mpr_cell, mpt_cell
from ssblab.io.biologic.mpr import is_mpr, ole_to_unix, parse_mpr
from ssblab.io.biologic.mpt import is_bare_mpt, is_mpt, parse_mpt
from ssblab.io.biologic.settings import companion_kind, current_from_settings, loop_gap_note
from ssblab.io.biologic.table import CYCLE_RULE, USED_COLUMNS, eis_spectrum, to_canonical
from ssblab.io.biologic.techniques import MPT_NAMES
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta


def _utc_from_local(naive_utc_s: float | None, tz: str) -> float | None:
    """Reinterpret a clock reading stored as if UTC in zone *tz* [s since 1970]."""
    if naive_utc_s is None or tz == "UTC":
        return naive_utc_s
    wall = dt.datetime.fromtimestamp(naive_utc_s, dt.UTC).replace(tzinfo=None)
    return wall.replace(tzinfo=zoneinfo.ZoneInfo(tz)).timestamp()


def _iso(unix_s: float | None) -> str:
    return "" if unix_s is None else dt.datetime.fromtimestamp(unix_s, dt.UTC).isoformat()


def _run(
    path: Path,
    frame: pl.DataFrame | Mapping[str, np.ndarray],
    start: float | None,
    fmt: str,
    technique: str,
    **meta: object,
) -> Run:
    """Canonical table + metadata shared by both readers (*frame*: EC-Lab-named columns)."""
    reader_notes = tuple(meta.pop("notes", ()))  # type: ignore[arg-type]
    tz = instrument_timezone(path)
    start = _utc_from_local(start, tz)
    table, notes = to_canonical(frame, path, start, technique)
    if table.height == 0:
        notes.append(f"the file holds no data rows ({technique or 'technique'} wrote none): 0 rows")
    notes.append(
        "current sign kept: EC-Lab I > 0 is oxidation at the working electrode, "
        "i.e. charge for a full cell with the cathode as working electrode"
    )
    if start is None:
        notes.append("no acquisition start found: Unix Time / s left out")
    else:
        notes.append(timezone_note(tz))
    return Run(
        table,  # to_canonical returns it conformed
        RunMeta(
            source=str(path),
            source_format=fmt,
            timezone=tz,
            start_time_utc=_iso(start),
            cycle_numbering=CYCLE_RULE if s.CYCLE in table.columns else "none (single cycle)",
            notes=tuple(notes) + reader_notes,
            **meta,  # type: ignore[arg-type]
        ),
    )


@reader(
    "biologic_mpr",
    suffixes=(".mpr",),
    sniff=lambda head, path: is_mpr(head),
    description="BioLogic EC-Lab binary .mpr (GCPL, MB, PEIS/GEIS, ...)",
)
def read_mpr(path: Path) -> Run:
    """Read a BioLogic EC-Lab ``.mpr`` file into the canonical table."""
    path = Path(path)
    content = parse_mpr(path, USED_COLUMNS)
    missing = content.rows_declared - content.rows_decoded
    beyond = content.rows_in_module - content.rows_decoded
    notes = []
    if content.bytes_missing:
        notes.append(
            f"file cut short: {content.bytes_missing} bytes of the data module are missing; "
            f"read up to the last whole record ({content.bytes_unread} bytes of a partial "
            "record not read; settings after the data, e.g. the start time, lost)"
        )
    if missing > 0:
        notes.append(f"{missing} declared records are missing from the data module (cut short)")
    if beyond > 0:
        notes.append(f"{beyond} records beyond the declared count left out (file still written?)")
    skipped = max(missing, 0) + max(beyond, 0)
    mass_g, mass_text, cell_notes = mpr_cell(content.settings_body)
    notes += cell_notes
    start = None if content.start_ole_days is None else ole_to_unix(content.start_ole_days)
    return _run(
        path,
        content.arrays,
        start,
        "biologic_mpr",
        content.technique,
        instrument="BioLogic EC-Lab",
        file_version=f"data module v{content.data_version}",
        rows_skipped=skipped,
        notes=tuple(notes),
        active_mass_g=mass_g,
        extra={
            "active_mass": mass_text,
            "modules": ",".join(content.module_names),
            "column_ids": ",".join(map(str, content.column_ids)),
            "technique_code": content.technique,
        },
    )


#: EC-Lab columns the current is taken or derived from (``arrays.current_a``).
CURRENT_SOURCES = frozenset({"I/mA", "<I>/mA", "dq/mA.h", "(Q-Qo)/mA.h", "mode"})


def _with_set_current(
    path: Path, frame: pl.DataFrame
) -> tuple[pl.DataFrame, str, str, tuple[str, ...]]:
    """A time/potential-only export with the constant set current of its ``.mps``.

    Refused in one line (``ReadError``) when the settings beside the file do
    not make the current one value (see :func:`settings.constant_current`).
    """
    current_a, technique, note = current_from_settings(path)
    code = MPT_NAMES.get(technique, "")
    if frame.height:
        note += (
            f"; time/s starts at {frame['time/s'][0]:.1f} s (techniques before this one), "
            "Test Time / s counts from this file's first record"
        )
    gaps = loop_gap_note(path, frame["time/s"].to_list()) if frame.height else ""
    notes = (note, gaps) if gaps else (note,)
    return frame.with_columns(pl.lit(current_a * 1e3).alias("I/mA")), technique, code, notes


@reader(
    "biologic_mpt",
    suffixes=(".mpt",),
    sniff=lambda head, path: is_mpt(head) or is_bare_mpt(head, path) or bool(companion_kind(head)),
    description="BioLogic EC-Lab text export .mpt (any locale; also a bare .txt export)",
)
def read_mpt(path: Path) -> Run:
    """Read a BioLogic EC-Lab ``.mpt`` text export into the canonical table.

    The settings (``.mps``) and loop-index (``_LOOP.txt``) files beside EC-Lab
    data hold no records: refused in one line that says so.
    """
    with open(path, "rb") as fh:
        companion = companion_kind(fh.read(64))
    if companion:
        raise ReadError(f"{path}: {companion}, no records; read the data files beside it")
    content = parse_mpt(Path(path), USED_COLUMNS)
    frame, technique, code = content.frame, content.technique, content.technique_code
    set_notes: tuple[str, ...] = ()
    if not CURRENT_SOURCES & set(frame.columns):
        frame, technique, code, set_notes = _with_set_current(Path(path), frame)
    skipped = content.rows_skipped
    mass_g, area_cm2, cell_notes = mpt_cell(content.settings)
    return _run(
        Path(path),
        frame,
        content.start_unix_s,
        "biologic_mpt",
        code,
        rows_skipped=skipped,
        notes=set_notes
        + content.notes
        + ((f"{skipped} data rows with a field that is not a number left out",) if skipped else ())
        + tuple(cell_notes),
        active_mass_g=mass_g,
        area_cm2=area_cm2,
        instrument=f"BioLogic {content.settings.get('device', '')}".strip(),
        file_version=content.settings.get("software", ""),
        channel=content.settings.get("channel", ""),
        extra={
            "technique": technique,
            "technique_code": code,
            **content.settings,
        },
    )


def read_biologic_eis(path: Path) -> pl.DataFrame:
    """The impedance spectrum of an EC-Lab PEIS/GEIS ``.mpr`` or ``.mpt`` file."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(64)
    frame = (
        parse_mpr(path, USED_COLUMNS).frame if is_mpr(head) else parse_mpt(path, USED_COLUMNS).frame
    )
    return eis_spectrum(frame, path)
