"""Where a Maccor text export's table starts, what its columns are called, and its header.

The first step of :mod:`ssblab.io.maccor.text`: recognise the export
(:func:`sniff_text`), find the table's header line (:func:`header_line_index`),
map MacNet and milli-unit MIMS column names to the MIMS names the rest of the
reader uses, with their unit factors (:func:`macnet_columns`,
:func:`mims_milli_columns`), and read the ``Label: value`` lines above the table
(:func:`parse_header`, :func:`header_date`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ssblab.errors import ReadError

#: Bytes scanned for the table header line.
HEADER_SCAN_BYTES = 65536
TABLE_START = "Rec#"
EIS_MARK = b"MACCOR, INC."
#: Time column name -> seconds per unit (``None``: "Nd HH:MM:SS.f" text).
TIME_COLUMNS: dict[str, float | None] = {
    "Test (Sec)": 1.0,
    "Test (Min)": 60.0,
    "Test (Hr)": 3600.0,
    "TestTime": None,
}
STATE = "State"
DATE = "DPt Time"
#: Formats of the header's test date (``Date of Test``, ``Started``).
HEADER_DATE_FORMATS = ("%m/%d/%Y", "%d %B %Y, %I:%M:%S %p", "%d %B %Y", "%m/%d/%Y %H:%M:%S")
#: MacNet column (without its bracketed unit) -> the MIMS name used below.
MACNET_NAMES = {
    "Rec": "Rec#",
    "Cycle C": "Cyc#",
    "Step": "Step",
    "TestTime": "TestTime",
    "Cap.": "Amp-hr",
    "Ener.": "Watt-hr",
    "Current": "Amps",
    "Voltage": "Volts",
    "Md": STATE,
    "DPT Time": DATE,
}
#: Bracketed unit -> factor to the MIMS unit (A, Ah, Wh, V).
MACNET_UNITS = {"A": 1.0, "mA": 1e-3, "Ah": 1.0, "mAh": 1e-3, "Wh": 1.0, "mWh": 1e-3}
MACNET_UNITS |= {"V": 1.0, "mV": 1e-3}
MACNET_EXPECTED_UNIT = {"Amp-hr": ("Ah", "mAh"), "Watt-hr": ("Wh", "mWh"), "Amps": ("A", "mA")}
MACNET_EXPECTED_UNIT |= {"Volts": ("V", "mV")}
_BRACKETS = re.compile(r"^(.*?)\s*\[([^\]]*)\]\s*$")


def header_line_index(text: str) -> int | None:
    """0-based index of the table's header line (``Rec#<TAB>`` or MacNet's
    ``Rec<TAB>Cycle P<TAB>``) among the first 50 lines of *text*, or None."""
    for i, line in enumerate(text.splitlines()[:50]):
        if line.startswith((TABLE_START + "\t", "Rec\tCycle P\t")):
            return i
    return None


def locate_table(path: Path) -> tuple[list[str], int]:
    """The first lines of *path* (the first :data:`HEADER_SCAN_BYTES` bytes) and the index
    of its table's header line among them.

    Raises
    ------
    ReadError
        For a Maccor AC-impedance export, a binary Maccor raw data file, or text
        without a ``Rec#`` table header, each with the reason.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEADER_SCAN_BYTES)
    if head.startswith(EIS_MARK):
        raise ReadError(
            f"{path}: Maccor AC-impedance (EIS) export, not a cycling record; "
            "read it as an impedance spectrum"
        )
    text = head.decode("latin-1")
    skip = header_line_index(text)
    if skip is None:
        if b"\x00" in head[:1024]:
            raise ReadError(
                f"{path}: binary Maccor raw data file (not readable); "
                "export it as text from Maccor MIMS"
            )
        raise ReadError(f"{path}: text without a 'Rec#' table header; not a Maccor export")
    return text.splitlines(), skip


def decimal_comma(lines: list[str], skip: int, names: list[str]) -> bool:
    """Whether the first record below the header line *skip* writes ``Volts`` with a
    decimal comma (*names*: the table's columns by their MIMS names)."""
    data_lines = [line for line in lines[skip + 1 : skip + 4] if line.strip()]
    first = data_lines[0].split("\t") if data_lines else []
    volts = first[names.index("Volts")] if len(first) > names.index("Volts") else ""
    return "," in volts


def macnet_columns(path: Path, names: list[str]) -> tuple[dict[str, str], dict[str, float]]:
    """MacNet column -> MIMS name, and MIMS name -> unit factor (from the brackets).

    Raises
    ------
    ReadError
        For a bracketed unit that is not the quantity's (``Current [Ah]``) or unknown.
    """
    renames: dict[str, str] = {}
    factors: dict[str, float] = {}
    for name in names:
        match = _BRACKETS.match(name)
        base, unit = (match.group(1), match.group(2)) if match else (name, "")
        target = MACNET_NAMES.get(base.strip())
        if target is None:
            continue
        renames[name] = target
        if target in MACNET_EXPECTED_UNIT:
            if unit not in MACNET_EXPECTED_UNIT[target]:
                raise ReadError(f"{path}: MacNet column {name!r} has an unknown unit {unit!r}")
            factors[target] = MACNET_UNITS[unit]
    return renames, factors


#: MIMS columns of an export set to milli-units -> (the name used below, factor).
MIMS_MILLI = {"mAmps": ("Amps", 1e-3), "mAmp-hr": ("Amp-hr", 1e-3), "mWatt-hr": ("Watt-hr", 1e-3)}


def mims_milli_columns(names: list[str]) -> tuple[dict[str, str], dict[str, float]]:
    """Renames and factors for a MIMS export in mA, mAh and mWh (empty for A, Ah, Wh)."""
    renames = {n: MIMS_MILLI[n][0] for n in names if n in MIMS_MILLI}
    return renames, {MIMS_MILLI[n][0]: MIMS_MILLI[n][1] for n in renames}


def sniff_text(head: bytes, path: Path) -> bool:
    """True for a Maccor text export, a Maccor EIS export or a binary Maccor file.

    Text exports have a ``Rec#<TAB>Cyc#`` table header near the top. EIS exports
    and binary files with Maccor's numbered suffix (``.001``...) are claimed so
    that the reader refuses them with the reason, rather than leaving them
    unrecognised.
    """
    if head.startswith(EIS_MARK):
        return True
    if b"\x00" in head[:1024]:
        return re.fullmatch(r"\.\d{3}", path.suffix) is not None
    return (
        b"\nRec#\tCyc#\t" in head
        or head.startswith(b"Rec#\tCyc#\t")
        or b"\nRec\tCycle P\tCycle C\t" in head
    )


def parse_header(lines: list[str]) -> dict[str, str]:
    """``Label: value`` pairs of the lines above the table (labels without colons)."""
    fields: dict[str, str] = {}
    text = "\t".join(lines)
    pattern = (
        r"(Today's Date|Date of Test|Filename|Procedure|Comment/Barcode|Tester Channel|Description"
        r"|Name:|Channel:|Tester|Started|SCap|C Rate)"
    )
    parts = re.split(pattern + r":?", text)
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[label.rstrip(":")] = value.strip(" \t:")
    return fields


def header_date(value: str) -> dt.datetime | None:
    """The test's start date of a header value (``Date of Test``), or None."""
    for fmt in HEADER_DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None
