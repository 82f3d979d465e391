"""EC-Lab techniques: how each is named in a file, and which potential is its Voltage.

An ``.mpr`` names its technique by a code in the first byte of its settings
module; an ``.mpt`` prints the technique's long name on the fourth header line.
Both map onto one short code (the codes are EC-Lab's abbreviations; the byte
values were checked against the ``.mpt`` export of every pair in
``shared/data/biologic`` and agree with yadg's table).

**Voltage rule** (one per technique family, recorded in the run's notes):

* *potential-controlled* techniques (CV, CVA, LSV, CA, coV, PEIS, ZIR, MP):
  ``Voltage / V`` is ``Ewe``, the potential the instrument controls;
* every other technique (battery cycling GCPL, MB, BCD, CP, coC, GEIS, OCV,
  WAIT, and unknown ones): ``Voltage / V`` is the cell voltage: ``Ewe - Ece``
  when both are recorded, else ``Ecell`` (BT-Lab), else ``Ewe`` (two-electrode
  hookup, the counter electrode is the reference).

``Ewe`` and ``Ece`` are kept as ``Working/Counter Electrode Potential / V``
whenever ``Ece`` is recorded.
"""

from __future__ import annotations

#: First byte of the ``VMP Set`` module -> technique code.
MPR_CODES: dict[int, str] = {
    0x04: "GCPL",
    0x06: "CV",
    0x0B: "OCV",
    0x16: "MP",
    0x18: "CA",
    0x19: "CP",
    0x1C: "WAIT",
    0x1D: "PEIS",
    0x1E: "GEIS",
    0x30: "CV",
    0x32: "ZIR",
    0x33: "CVA",
    0x6C: "LSV",
    0x75: "coV",
    0x76: "coC",
    0x77: "GCPL",
    0x7F: "MB",
    0x88: "BCD",
}

#: Technique name printed in an ``.mpt`` header -> technique code.
MPT_NAMES: dict[str, str] = {
    "Galvanostatic Cycling with Potential Limitation": "GCPL",
    "Cyclic Voltammetry": "CV",
    "Cyclic Voltammetry Advanced": "CVA",
    "Open Circuit Voltage": "OCV",
    "Modular Potentio": "MP",
    "Chronoamperometry / Chronocoulometry": "CA",
    "Chronopotentiometry": "CP",
    "Wait": "WAIT",
    "Potentio Electrochemical Impedance Spectroscopy": "PEIS",
    "Galvano Electrochemical Impedance Spectroscopy": "GEIS",
    "IR compensation (PEIS)": "ZIR",
    "Linear Sweep Voltammetry": "LSV",
    "Constant Voltage": "coV",
    "Constant Current": "coC",
    "Modulo Bat": "MB",
    "Battery Capacity Determination": "BCD",
}

#: Techniques whose Voltage is the controlled working-electrode potential.
POTENTIAL_CONTROLLED = frozenset({"CV", "CVA", "LSV", "CA", "coV", "PEIS", "ZIR", "MP"})


def mpr_technique(settings_body: bytes | memoryview) -> str:
    """Technique code of an ``.mpr`` from its settings module ("" when unknown)."""
    return MPR_CODES.get(settings_body[0], "") if len(settings_body) else ""


def mpt_technique(header: list[str]) -> str:
    """Technique code of an ``.mpt`` from its header lines ("" when unknown)."""
    for line in header[2:6]:
        code = MPT_NAMES.get(line.strip())
        if code:
            return code
    return ""


def voltage_rule(technique: str) -> str:
    """``"Ewe"`` or ``"cell"``: which potential becomes ``Voltage / V``."""
    return "Ewe" if technique in POTENTIAL_CONTROLLED else "cell"
