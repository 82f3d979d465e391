"""EC-Lab techniques: how each is named in a file, and which potential is its Voltage.

An ``.mpr`` names its technique by a code in the first byte of its settings
module; an ``.mpt`` prints the technique's long name on the fourth header line.
Both map onto one short code (EC-Lab's abbreviations), listed in
``techniques.csv`` beside this module; the byte values agree with yadg's table
and with the ``.mpt`` export of every pair in ``shared/data/biologic``.

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

import csv
import io
from importlib import resources

#: The technique table, as data beside this module: code, the first byte(s)
#: of an ``.mpr`` settings module, the long name an ``.mpt`` prints, and which
#: potential becomes Voltage (``Ewe`` or ``cell``).
TABLE_FILE = "techniques.csv"


def _load_table() -> tuple[dict[int, str], dict[str, str], frozenset[str]]:
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text("utf-8")
    codes: dict[int, str] = {}
    names: dict[str, str] = {}
    controlled: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        for byte in filter(None, row["mpr_settings_bytes"].split(";")):
            codes[int(byte, 16)] = row["code"]
        if row["mpt_name"]:
            names[row["mpt_name"]] = row["code"]
        if row["voltage"] == "Ewe":
            controlled.add(row["code"])
    return codes, names, frozenset(controlled)


#: First byte of the ``VMP Set`` module -> technique code; ``.mpt`` technique
#: name -> code; the techniques whose Voltage is the controlled potential Ewe.
MPR_CODES, MPT_NAMES, POTENTIAL_CONTROLLED = _load_table()


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
