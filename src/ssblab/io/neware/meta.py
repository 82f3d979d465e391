"""What a Neware binary file says about itself, without Polars: bytes, clock, identity.

Shared by :mod:`.reader` (which builds :class:`ssblab.schema.RunMeta` from it)
and the light ``ssblab info`` summary (:mod:`.summary`), so both give the same
instrument, version, zone, start time and notes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from ssblab.io.neware.inflate import only_member
from ssblab.io.neware.sniff import ZIP_MAGIC

#: Largest ``.nda`` accepted from inside a ``.nda.zip`` [bytes].
MAX_NDA_BYTES = 2 * 1024**3

#: RunMeta.cycle_numbering text for each rule
NUMBERING = {
    "vendor": "vendor: the instrument's cycle counter (BTSDA Cycle Index when no CycleMode is set)",
    "charge-first": "charge-first: new cycle at each charge step after a discharge step "
    "(BTSDA CycleMode=1 in NdaxConfig.xml, or no counter in the file)",
    "discharge-first": "discharge-first: new cycle at each discharge step after a charge step "
    "(BTSDA CycleMode=2)",
}


def nda_bytes(path: Path) -> bytes:
    """The ``.nda`` content, decompressed (bounded, :mod:`.inflate`) when the file is a
    ``.nda.zip``."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head != ZIP_MAGIC:
            fh.seek(0)
            return fh.read()
    return only_member(path, ".nda", MAX_NDA_BYTES)


def fixed_zone(offset_s: float) -> tuple[str, str]:
    """IANA name and a human label for a whole-hour UTC offset (``Etc/GMT-2`` is UTC+2)."""
    hours = round(offset_s / 3600)
    if hours == 0:
        return "UTC", "UTC"
    return f"Etc/GMT{-hours:+d}", f"UTC{hours:+d}"


def utc_iso(unix_s: float) -> str:
    """ISO 8601 UTC time of *unix_s* [s since 1970]."""
    return datetime.fromtimestamp(unix_s, tz=UTC).isoformat()


#: ``YYYY-MM-DD hh:mm:ss`` written in full, which ``fromisoformat`` reads as ``strptime`` does.
_PADDED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def start_time_local(facts: dict[str, str]) -> datetime | None:
    """Test start as written in ``TestInfo.xml`` (instrument local wall clock), if present."""
    text = facts.get("StartTime", "")
    if not text:
        return None
    try:
        if _PADDED.fullmatch(text):  # the usual form, without importing _strptime (~20 ms)
            return datetime.fromisoformat(text)
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def clock(first: float | None, facts: dict[str, str], notes: list[str]) -> tuple[str, str]:
    """Instrument timezone and UTC start from the first Unix time [s] of the records
    (None: the file has none); appends the note that says how the clock was read."""
    if first is None:
        return "UTC", ""
    if facts.get("clock") == "local calendar":
        notes.append(
            "the file stores the instrument's local wall-clock time without a zone; "
            "Unix Time is that clock read as UTC"
        )
        return "UTC", utc_iso(first)
    local = start_time_local(facts)
    if local is not None:
        offset = (local.replace(tzinfo=UTC) - datetime.fromtimestamp(first, tz=UTC)).total_seconds()
        if abs(offset - round(offset / 3600) * 3600) < 900 and abs(offset) <= 14 * 3600:
            zone, label = fixed_zone(offset)
            notes.append(
                f"instrument clock is {label} (file start time vs. first Unix record time)"
            )
            return zone, utc_iso(first)
    notes.append("the file's clock is Unix time (UTC); the instrument's local zone is unknown")
    return "UTC", utc_iso(first)


def identity(facts: dict[str, str]) -> dict[str, str]:
    """``instrument``, ``file_version``, ``cell_name`` and ``channel`` from header facts."""
    return {
        "instrument": " ".join(
            x for x in ("Neware", facts.get("server_version", facts.get("bts", ""))) if x
        ),
        "file_version": facts.get("file_version", ""),
        "cell_name": facts.get("Barcode", facts.get("Remark", "")),
        "channel": "-".join(facts[k] for k in ("DevID", "UnitID", "ChlID") if k in facts),
    }


def decoder_notes(facts: dict[str, str]) -> tuple[int, list[str]]:
    """Records the decoder could not decode and its notes, taken out of *facts*."""
    undecodable = int(facts.pop("skipped", "0") or 0)
    return undecodable, [n for n in facts.pop("record_notes", "").split("\n") if n]
