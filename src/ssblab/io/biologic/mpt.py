"""BioLogic EC-Lab text exports (``.mpt``).

Layout::

    EC-Lab ASCII FILE            (or "BT-Lab ASCII FILE")
    Nb header lines : N          (N counts every line up to the column names)
    ... N - 3 lines of settings, incl. "Acquisition started on : <date time>"
    column names, tab-separated
    data rows, tab-separated, "." or "," as decimal mark (the PC's locale)

Exports without the two first lines (just column names, then data) are read
too. The header is Windows text (cp1252/latin-1); the body is numbers only and
is parsed in one go by :func:`polars.read_csv`.

A time/potential-only export of a looped GCPL (a ``<stem>_LOOP.txt`` beside it) gets
its set current from the ``.mps`` here, with the charge passed per record as
``dq/mA.h``: I·Δt within each loop, and 0 across the intervals the loop spent in its
other techniques (:func:`loop_charge`), so the capacity is the charge passed at the
set current, not the set current times the whole clock span.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ssblab.errors import ReadError
from ssblab.io import _tabular as t
from ssblab.io.biologic.columns import canonical_mpt_name
from ssblab.io.biologic.settings import current_from_settings, loop_gap_note
from ssblab.io.biologic.techniques import MPT_NAMES, mpt_technique

MAGICS = (b"EC-Lab ASCII FILE", b"BT-Lab ASCII FILE")
_NB_HEADER = re.compile(rb"Nb header lines\s*:\s*(\d+)")
_STARTED = re.compile(r"Acquisition started on\s*:\s*(.+)")
_START_FORMATS = (
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d.%m.%Y %H:%M:%S.%f",
    "%m-%d-%Y %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
)
#: Header settings kept in ``RunMeta.extra`` (EC-Lab label -> key). Mass and area
#: stay text: EC-Lab writes placeholders (0.001 mg) when the user set none.
HEADER_FIELDS = {
    "Device": "device",
    "EC-Lab for windows": "software",
    "Run on channel": "channel",
    "Mass of active material": "active_mass",
    "Characteristic mass": "characteristic_mass",
    "Electrode surface area": "electrode_area",
    "Electrode material": "electrode_material",
}
#: Most header lines accepted (real files have < 200; bounds a hostile file).
MAX_HEADER_LINES = 10_000


@dataclass(frozen=True)
class MptContent:
    """What :func:`parse_mpt` found: EC-Lab-named columns and header facts."""

    frame: pl.DataFrame
    header: tuple[str, ...]
    start_unix_s: float | None
    technique: str
    rows_skipped: int
    settings: dict[str, str]
    technique_code: str = ""
    notes: tuple[str, ...] = ()


def header_settings(header: list[str]) -> dict[str, str]:
    """The :data:`HEADER_FIELDS` found in the header, as text (µ/² repaired)."""
    found: dict[str, str] = {}
    for line in header:
        label, sep, value = line.partition(" : ")
        if sep and label.strip() in HEADER_FIELDS:
            found[HEADER_FIELDS[label.strip()]] = value.strip()
        elif line.startswith("EC-Lab for windows"):
            found["software"] = line.strip()
    return found


def is_mpt(head: bytes) -> bool:
    """True when *head* starts like an EC-Lab text export."""
    return head.lstrip(b"\xef\xbb\xbf").startswith(MAGICS)


def is_bare_mpt(head: bytes, path: Path) -> bool:
    """True for an EC-Lab text export without the preamble (column names first).

    Decided by content, whatever the file is called: the first line holds
    tab-separated names with ``time/s`` and an EC-Lab potential (``Ewe/V``,
    ``<Ewe>/V``, ``Ecell/V``); an ``.mpt`` needs only ``time/s``. A
    time/potential-only export is recognised too: the reader takes its current
    from the settings file beside it or refuses it in one line.
    """
    first_line = head.split(b"\n", 1)[0]
    names = {n.strip() for n in first_line.split(b"\t")}
    if b"time/s" not in names:
        return False
    potentials = {b"Ewe/V", b"<Ewe>/V", b"Ecell/V", b"<Ewe/V>"}
    return path.suffix.lower() == ".mpt" or bool(potentials & names)


def _split_header(path: Path, raw: bytes) -> tuple[list[str], int]:
    """Header lines (decoded) and the byte offset where the data rows start."""
    first_end = raw.find(b"\n")
    if is_mpt(raw[:64]):
        match = _NB_HEADER.match(raw, first_end + 1)
        if match is None:
            raise ReadError(f"{path}: .mpt second line is not 'Nb header lines : N'")
        n_lines = int(match.group(1))
    elif b"time/s" in raw[: max(first_end, 0)]:
        n_lines = 1  # export without the EC-Lab preamble: names, then data (.mpt or .txt)
    else:
        raise ReadError(f"{path}: not an EC-Lab .mpt export (unknown first line)")
    if not 1 <= n_lines <= MAX_HEADER_LINES:
        raise ReadError(f"{path}: implausible header length {n_lines} lines")
    offset = 0
    for k in range(n_lines):
        nl = raw.find(b"\n", offset)
        if nl < 0 and k == n_lines - 1 and offset < len(raw):
            nl = len(raw) - 1  # header-only export: the column names end the file
        elif nl < 0:
            raise ReadError(f"{path}: .mpt ends inside its {n_lines}-line header")
        offset = nl + 1
    lines = raw[:offset].decode("cp1252", errors="replace").splitlines()
    return lines, offset


def _start_time(header: list[str]) -> float | None:
    """``Acquisition started on`` as seconds since 1970, the clock read as UTC."""
    for line in header:
        match = _STARTED.match(line)
        if match:
            text = match.group(1).strip()
            for fmt in _START_FORMATS:
                try:
                    when = dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
                return when.replace(tzinfo=dt.UTC).timestamp()
    return None


def _body_frame(
    path: Path, names: list[str], body: bytes, keep: list[str]
) -> tuple[pl.DataFrame, int]:
    """Parse the tab-separated numeric body; returns the frame and the rows skipped.

    Only the columns *keep* are parsed. The fast path parses them straight to
    float. If a row does not parse (text in a number, a row cut short), the
    body is re-read as text, and rows with a kept field that is not a number
    are counted and left out.
    """
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    if not body.strip():
        return pl.DataFrame({n: [] for n in keep}, schema={n: pl.Float64 for n in keep}), 0
    n_fields = len(first.split(b"\t"))
    if n_fields < len(names):
        raise ReadError(
            f"{path}: first data row has {n_fields} fields but the header names {len(names)}"
        )
    extra = [f.strip() for f in first.split(b"\t")[len(names) :]]
    if any(extra):
        raise ReadError(
            f"{path}: data rows have {n_fields} fields but the header names {len(names)}: "
            "a column name is missing and the columns would shift"
        )
    padded = names + [f"_unnamed_{k}" for k in range(n_fields - len(names))]
    decimal_comma = b"," in first
    options = {
        "separator": "\t",
        "has_header": False,
        "encoding": "utf8-lossy",
        "columns": [padded.index(n) for n in keep],
    }
    try:
        frame = pl.read_csv(
            io.BytesIO(body),
            schema={n: pl.Float64 for n in padded},
            decimal_comma=decimal_comma,
            **options,
        )
        return frame.select(keep), 0
    except (pl.exceptions.PolarsError, ValueError):
        pass
    try:
        text = pl.read_csv(
            io.BytesIO(body),
            schema={n: pl.String for n in padded},
            **options,
        ).select(keep)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"{path}: .mpt data rows cannot be split: {first_line}") from None
    as_float = [
        (pl.col(n).str.replace(",", ".") if decimal_comma else pl.col(n))
        .str.strip_chars()
        .cast(pl.Float64, strict=False)
        for n in keep
    ]
    frame = text.select(as_float)
    decoded = frame.drop_nulls()
    if decoded.height == 0:
        raise ReadError(f"{path}: .mpt data rows are not numeric (no row could be decoded)")
    return decoded, frame.height - decoded.height


def _unique(names: list[str]) -> list[str]:
    """Suffix repeated names with " 2", " 3"... (as the .mpr decoder does)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out


#: Header names EC-Lab may list after the last field its rows carry (derived
#: counter-electrode columns of a PEIS with Ece, and an empty name before them).
_UNWRITTEN_TAIL = frozenset({"", "Ewe-Ece/V", "Ecell/V"})


def _row_fields(body: bytes) -> int | None:
    """Tab-separated fields in the first data row (None when there is no row)."""
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first.split(b"\t")) if body.strip() else None


def _drop_unwritten_tail(path: Path, names: list[str], n_fields: int | None) -> list[str]:
    """Names without a tail of derived columns the data rows do not carry.

    A header longer than its rows is refused unless every name past the rows'
    last field is in :data:`_UNWRITTEN_TAIL` (then no column shifts).
    """
    if n_fields is None or n_fields >= len(names):
        return names
    tail = names[n_fields:]
    if set(tail) <= _UNWRITTEN_TAIL:
        return names[:n_fields]
    raise ReadError(
        f"{path}: data rows have {n_fields} fields but the header names {len(names)} "
        f"(missing {', '.join(repr(n) for n in tail[:3])}): columns would shift"
    )


def parse_mpt(path: Path, columns: frozenset[str] | None = None) -> MptContent:
    """Read an ``.mpt`` export into EC-Lab-named float columns plus header facts.

    *columns* limits the parsed columns to those EC-Lab names (all when None).
    A header-only export (a technique that wrote no rows) gives a 0-row frame.
    """
    raw = path.read_bytes()
    header, offset = _split_header(path, raw)
    names = [canonical_mpt_name(n) for n in header[-1].split("\t")]
    while names and not names[-1]:
        names.pop()
    if not names or "time/s" not in names:
        raise ReadError(f"{path}: .mpt column header has no time/s column")
    body = raw[offset:]
    full = len(names)
    names = _drop_unwritten_tail(path, names, _row_fields(body))
    names = _unique(names)
    keep = [n for n in names if columns is None or n in columns]
    lines_before = raw[:offset].count(b"\n")
    body, cut, line_notes = t.checked_lines(path, body, 0, b"\t", at=(lines_before, offset))
    frame, skipped = _body_frame(path, names, body, keep)
    skipped += cut
    technique = header[3].strip() if len(header) > 4 else ""
    code = mpt_technique(header)
    notes = tuple(line_notes)
    if len(names) < full:
        notes += (f"{full - len(names)} header names past the rows' last field left out",)
    looped = loop_charge(path, frame) if not skipped else None
    if looped is not None:
        frame, technique, loop_notes = looped
        code, notes = MPT_NAMES.get(technique, ""), loop_notes + notes
    return MptContent(
        frame=frame,
        header=tuple(header),
        start_unix_s=_start_time(header),
        technique=technique,
        technique_code=code,
        rows_skipped=skipped,
        settings=header_settings(header),
        notes=notes,
    )


#: EC-Lab columns a current can be taken or derived from; without any, the set current is used.
_CURRENT_COLUMNS = frozenset({"I/mA", "<I>/mA", "dq/mA.h", "(Q-Qo)/mA.h", "mode"})


def loop_starts(path: Path, n_rows: int) -> list[int]:
    """Rows (0 < row < *n_rows*) at which EC-Lab's ``<stem>_LOOP.txt`` restarts the technique
    ([] without that file)."""
    loop = path.with_name(path.stem + "_LOOP.txt")
    if not loop.is_file():
        return []
    with open(loop, "rb") as fh:
        lines = fh.read(1 << 20).decode("latin-1").splitlines()
    if not lines or not lines[0].startswith("VMP EXPERIMENT LOOP INDEXES"):
        return []
    return sorted({int(x) for x in lines[1:] if x.strip().isdigit() and 0 < int(x) < n_rows})


def loop_charge(
    path: Path, frame: pl.DataFrame
) -> tuple[pl.DataFrame, str, tuple[str, ...]] | None:
    """The set current (``I/mA``) and the charge passed per record (``dq/mA.h`` [mA·h]) of
    a time/potential-only export whose loop restarts it, with the technique and notes.

    dq = I·Δt between records of one loop and 0 at each loop's first record: the interval
    before it was spent in the loop's other techniques (jr862's GEIS at 0 mA DC, whose own
    ``(Q-Qo)`` moves by < 5e-6 mA·h a spectrum), not at the set current. None when the file
    has a current column or rows, no loop file, or settings that give no one current (the
    reader then refuses or integrates as before).
    """
    if _CURRENT_COLUMNS & set(frame.columns) or "time/s" not in frame.columns:
        return None
    starts = loop_starts(path, frame.height)
    if not starts:
        return None
    try:
        current_a, technique, note = current_from_settings(path)
    except ReadError:
        return None
    time_s = frame["time/s"].to_numpy()
    step_s = np.diff(time_s, prepend=time_s[0])
    step_s[starts] = 0.0
    milli_amps = current_a * 1e3
    passed_mah = milli_amps * step_s / 3600.0
    span_s = float(time_s[-1] - time_s[0])
    on_s = float(step_s.sum())
    note += (
        f"; time/s starts at {time_s[0]:.1f} s (techniques before this one), "
        "Test Time / s counts from this file's first record"
    )
    on_mah, span_mah = abs(milli_amps) * on_s / 3600.0, abs(milli_amps) * span_s / 3600.0
    charge = (
        f"capacity is the set current over the {on_s:.1f} s at it: {on_mah:.4f} mAh, not "
        f"{span_mah:.4f} mAh over the whole {span_s:.1f} s span (the {len(starts)} loop gaps "
        "pass no charge at it)"
    )
    gaps = loop_gap_note(path, time_s.tolist())
    out = frame.with_columns(
        pl.lit(milli_amps).alias("I/mA"), pl.Series("dq/mA.h", passed_mah, dtype=pl.Float64)
    )
    return out, technique, (note, gaps, charge)
