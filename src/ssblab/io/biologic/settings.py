"""EC-Lab settings files (``.mps``): the programmed steps of each technique.

An ``.mps`` lists its linked techniques as ``Technique : N``, the technique's
long name on the next line, then one row per parameter: the name in a
20-character field, then one 20-character field per step (``Ns`` 0, 1, ...)::

    Technique : 3
    Galvanostatic Cycling with Potential Limitation
    Ns                  0                   1
    Set I/C             I                   I
    Is                  0.000               0.400
    unit Is             mA                  mA

Used for one thing: an EC-Lab text export that holds only time and potential
(no current column) gets its current from the settings of the technique that
wrote it, when those settings make the current one constant value
(:func:`constant_current`). The data files of one experiment are named
``<settings stem>_<NN>_<TECH>_C<channel>``, which ties a data file to its
``.mps`` and technique number (:func:`settings_for`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ssblab.errors import ReadError
from ssblab.io.biologic.techniques import MPT_NAMES

FIELD = 20  # characters per name/value field
#: First line of the EC-Lab files that sit beside the data and hold no records.
COMPANION_MAGICS = {
    b"EC-LAB SETTING FILE": "EC-Lab settings file (.mps)",
    b"VMP EXPERIMENT LOOP INDEXES": "EC-Lab loop index file",
}
_DATA_NAME = re.compile(r"^(?P<stem>.+)_(?P<number>\d{2})_(?P<code>[A-Za-z]+)_C\d+$")
_UNITS_A = {"A": 1.0, "mA": 1e-3, "µA": 1e-6, "uA": 1e-6, "nA": 1e-9}
#: Largest settings file read (real ones are a few kB).
MAX_SETTINGS_BYTES = 1 << 20


@dataclass(frozen=True)
class Technique:
    """One technique of an ``.mps``: number, long name, EC-Lab code and parameters."""

    number: int
    name: str
    code: str
    params: dict[str, tuple[str, ...]]  # parameter name -> one value per step


@dataclass(frozen=True)
class GcplStep:
    """One GCPL step: its current [A] for ``t1`` [s], then a rest [s] at 0 A."""

    current_a: float
    t1_s: float
    rest_s: float


def _fields(line: str) -> tuple[str, tuple[str, ...]]:
    """Name and per-step values of one fixed-width parameter row."""
    name = line[:FIELD].strip()
    rest = line[FIELD:]
    values = tuple(rest[i : i + FIELD].strip() for i in range(0, len(rest), FIELD))
    return name, tuple(v for v in values if v)


def parse_settings(text: str) -> list[Technique]:
    """The techniques of an ``.mps`` text, in file order."""
    lines = text.splitlines()
    found: list[Technique] = []
    for i, line in enumerate(lines):
        match = re.match(r"Technique\s*:\s*(\d+)\s*$", line)
        if match is None or i + 1 >= len(lines):
            continue
        name = lines[i + 1].strip()
        params: dict[str, tuple[str, ...]] = {}
        for row in lines[i + 2 :]:
            if not row.strip() or row.startswith("Technique"):
                break
            key, values = _fields(row)
            params.setdefault(key, values)
        found.append(Technique(int(match[1]), name, MPT_NAMES.get(name, ""), params))
    return found


def hms_seconds(text: str) -> float:
    """``h:m:s`` (EC-Lab duration, seconds may be fractional) -> seconds."""
    hours, minutes, seconds = text.split(":")
    return 3600.0 * float(hours) + 60.0 * float(minutes) + float(seconds)


def gcpl_steps(technique: Technique, where: object = "settings") -> list[GcplStep]:
    """The steps of a GCPL technique; refused in one line unless each is a set current."""
    p = technique.params
    try:
        n = len(p["Ns"])
        steps = []
        for k in range(n):
            if p["Set I/C"][k] != "I" or p["vs."][k] != "<None>":
                raise ReadError(
                    f"{where}: GCPL step {k} is not a current set in amperes "
                    f"(Set I/C {p['Set I/C'][k]}, vs. {p['vs.'][k]})"
                )
            sign = -1.0 if p["I sign"][k].startswith("<") else 1.0
            scale = _UNITS_A[p["unit Is"][k]]
            steps.append(
                GcplStep(
                    current_a=sign * float(p["Is"][k]) * scale,
                    t1_s=hms_seconds(p["t1 (h:m:s)"][k]),
                    rest_s=hms_seconds(p["tR (h:m:s)"][k]),
                )
            )
    except (KeyError, IndexError, ValueError) as exc:
        raise ReadError(
            f"{where}: GCPL settings of technique {technique.number} unreadable ({exc!r})"
        ) from None
    return steps


def constant_current(technique: Technique, where: object = "settings") -> float:
    """The one current [A] every record of this GCPL technique was taken at.

    Only when each step that applies a current (``t1`` > 0) sets the same value
    and no step rests (``tR`` = 0 everywhere: a rest writes records at 0 A that
    a time/potential export cannot tell apart); refused in one line otherwise.
    """
    if technique.code != "GCPL":
        raise ReadError(f"{where}: technique {technique.number} is {technique.name!r}, not GCPL")
    steps = gcpl_steps(technique, where)
    currents = {st.current_a for st in steps if st.t1_s > 0}
    if any(st.rest_s > 0 for st in steps):
        raise ReadError(f"{where}: technique {technique.number} has rests, current not constant")
    if len(currents) != 1:
        raise ReadError(
            f"{where}: technique {technique.number} sets {len(currents)} different currents"
        )
    return currents.pop()


def settings_for(data_path: Path) -> tuple[Path, int, str]:
    """The ``.mps`` beside an EC-Lab data file, its technique number and code.

    Refused in one line when the name does not follow EC-Lab's
    ``<stem>_<NN>_<TECH>_C<ch>`` pattern or the settings file is absent.
    """
    match = _DATA_NAME.match(Path(data_path).stem)
    if match is None:
        raise ReadError(
            f"{data_path}: no current column, and the name is not EC-Lab's "
            "<settings>_<NN>_<TECH>_C<ch> (no .mps to take a set current from)"
        )
    mps = Path(data_path).with_name(match["stem"] + ".mps")
    if not mps.is_file():
        raise ReadError(
            f"{data_path}: no current column, and no settings file {mps.name} beside it"
        )
    return mps, int(match["number"]), match["code"].upper()


def read_settings(mps: Path) -> list[Technique]:
    """Parse an ``.mps`` file (Windows text, read as latin-1)."""
    with open(mps, "rb") as fh:
        raw = fh.read(MAX_SETTINGS_BYTES + 1)
    if len(raw) > MAX_SETTINGS_BYTES or not raw.startswith(b"EC-LAB SETTING FILE"):
        raise ReadError(f"{mps}: not an EC-Lab settings file")
    return parse_settings(raw.decode("latin-1"))


def current_from_settings(data_path: Path) -> tuple[float, str, str]:
    """Constant current [A] of the technique that wrote *data_path*, with a note.

    Returns ``(current_a, technique long name, note)``; refused in one line
    whenever the settings do not make the current one value.
    """
    mps, number, code = settings_for(data_path)
    where = f"{data_path}: no current column, and {mps.name}"
    techniques = {t.number: t for t in read_settings(mps)}
    if number not in techniques:
        raise ReadError(f"{where} has no technique {number}")
    technique = techniques[number]
    if technique.code != code:
        raise ReadError(f"{where} technique {number} is {technique.name!r}, not {code}")
    current = constant_current(technique, where)
    note = (
        f"no current column: Current / A = {current * 1e3:+.3f} mA is the set current of "
        f"technique {number} ({code}) in {mps.name} (one current step, no rests), "
        "not a measurement"
    )
    return current, technique.name, note


def loop_gap_note(data_path: Path, time_s: list[float] | tuple[float, ...]) -> str:
    """Note on the intervals a loop spent in other techniques ("" without a loop file).

    EC-Lab's ``<stem>_LOOP.txt`` lists the row at which each loop of the
    technique starts; the interval before each such row (k > 0) was spent in
    the other techniques of the loop, not at this technique's set current.
    """
    loop = Path(data_path).with_name(Path(data_path).stem + "_LOOP.txt")
    if not loop.is_file():
        return ""
    with open(loop, "rb") as fh:
        lines = fh.read(MAX_SETTINGS_BYTES).decode("latin-1").splitlines()
    if not lines or not lines[0].startswith("VMP EXPERIMENT LOOP INDEXES"):
        return ""
    starts = [int(x) for x in lines[1:] if x.strip().isdigit()]
    inner = [i for i in starts if 0 < i < len(time_s)]
    if not inner:
        return ""
    gap = sum(time_s[i] - time_s[i - 1] for i in inner)
    return (
        f"{loop.name}: {len(inner)} loops restart this technique; the {len(inner)} intervals "
        f"before them ({gap:.1f} s in all) were spent in the loop's other techniques, "
        "not at the set current"
    )


def companion_kind(head: bytes) -> str:
    """What EC-Lab companion file *head* starts, or "" (settings, loop indexes)."""
    return next((kind for magic, kind in COMPANION_MAGICS.items() if head.startswith(magic)), "")
