"""Cell characteristics EC-Lab keeps in its header: active mass and electrode area.

The ``.mpt`` header prints them with their unit (``Mass of active material :
0.790 mg``, ``Electrode surface area : 113.100 mm²``, decimal commas in some
locales). The ``.mpr`` settings module stores the mass as a float32 at byte
0x107 (the offset yadg documents); it is in mg in every ``.mpr``/``.mpt`` pair
in ``shared/data``. The area's unit is not stored beside the ``.mpr`` value
(``peis.issue_225.with_ece`` keeps 113.1 for 113.1 mm²), so an ``.mpr`` gives
no area.

EC-Lab fills the fields with defaults when the user sets none: 0.001 (mg, g or
cm²), 0 and 7000 mg (seen in files of unrelated labs and instruments). Those
are not cell data: they are left out with a note, the raw text kept in
``RunMeta.extra``.
"""

from __future__ import annotations

import re

import numpy as np

#: Grams per unit of mass EC-Lab may print.
MASS_UNITS = {"µg": 1e-6, "ug": 1e-6, "mg": 1e-3, "g": 1.0, "kg": 1e3}
#: cm² per unit of area EC-Lab may print.
AREA_UNITS = {"mm²": 1e-2, "mm2": 1e-2, "cm²": 1.0, "cm2": 1.0, "m²": 1e4, "m2": 1e4}
#: Values EC-Lab writes when the user set none (in the printed unit).
PLACEHOLDERS = (0.0, 0.001, 7000.0)
MPR_MASS_OFFSET = 0x107
_VALUE = re.compile(r"^\s*([-+]?\d+(?:[.,]\d*)?(?:[eE][-+]?\d+)?)\s*(\S+)\s*$")


def parse_quantity(text: str, units: dict[str, float]) -> tuple[float, float] | None:
    """(value as printed, factor to the SI-like unit) of ``"0,790 mg"``; None if unreadable."""
    match = _VALUE.match(text.replace("\ufffd", "²"))
    if match is None or match.group(2) not in units:
        return None
    return float(match.group(1).replace(",", ".")), units[match.group(2)]


def _kept(label: str, parsed: tuple[float, float] | None, notes: list[str]) -> float | None:
    if parsed is None:
        return None
    value, factor = parsed
    if any(abs(value - p) <= 1e-9 + 1e-6 * abs(p) for p in PLACEHOLDERS):
        notes.append(
            f"header {label} {value:g} is EC-Lab's default (not set by the user): not used"
        )
        return None
    return value * factor


def mpt_cell(settings: dict[str, str]) -> tuple[float | None, float | None, list[str]]:
    """Active mass [g] and electrode area [cm²] from the ``.mpt`` header fields, with notes."""
    notes: list[str] = []
    mass = _kept("active mass", parse_quantity(settings.get("active_mass", ""), MASS_UNITS), notes)
    area = _kept("area", parse_quantity(settings.get("electrode_area", ""), AREA_UNITS), notes)
    return mass, area, notes


def mpr_cell(settings_body: bytes | memoryview) -> tuple[float | None, str, list[str]]:
    """Active mass [g] from the ``.mpr`` settings module, its raw text and notes."""
    end = MPR_MASS_OFFSET + 4
    if len(settings_body) < end:
        return None, "", []
    stored = float(np.frombuffer(settings_body, dtype="<f4", count=1, offset=MPR_MASS_OFFSET)[0])
    raw = f"{stored:.6g} mg"
    mg = float(raw.split()[0])  # float32 holds 7 digits: 0.79 mg, not 0.7900000214
    if not np.isfinite(mg) or mg < 0:
        return None, raw, [f"header active mass {raw} is not a mass: not used"]
    notes: list[str] = []
    return _kept("active mass", (mg, 1e-3), notes), raw, notes
