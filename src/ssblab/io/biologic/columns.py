"""EC-Lab column vocabulary shared by the ``.mpr`` and ``.mpt`` readers.

An ``.mpr`` data module lists its columns as numeric IDs; each ID fixes the
quantity and its binary type. The table below was assembled from the files in
``shared/data/biologic`` (checked against EC-Lab's own ``.mpt`` export of the
same runs) and from the public reverse-engineering notes of the galvani
project (github.com/echemdata/galvani, read for understanding only).

Names are EC-Lab's own ``.mpt`` header names, so both readers produce a frame
with the same column names and the conversion to the canonical table
(:mod:`ssblab.io.biologic.table`) is written once.
"""

from __future__ import annotations

import re

import numpy as np

#: Column IDs packed as bit fields into one shared flags byte: ID -> (name, mask).
FLAG_COLUMNS: dict[int, tuple[str, int]] = {
    1: ("mode", 0x03),
    2: ("ox/red", 0x04),
    3: ("error", 0x08),
    21: ("control changes", 0x10),
    31: ("Ns changes", 0x20),
    65: ("counter inc.", 0x80),
}

_F4, _F8, _U1, _U2, _U4 = "<f4", "<f8", "u1", "<u2", "<u4"

#: Column ID -> (EC-Lab name, little-endian NumPy type of the stored value).
VALUE_COLUMNS: dict[int, tuple[str, str]] = {
    4: ("time/s", _F8),
    5: ("control/V/mA", _F4),
    6: ("Ewe/V", _F4),
    7: ("dq/mA.h", _F8),
    8: ("I/mA", _F4),
    9: ("Ece/V", _F4),
    11: ("<I>/mA", _F8),
    13: ("(Q-Qo)/mA.h", _F8),
    16: ("Analog IN 1/V", _F4),
    17: ("Analog IN 2/V", _F4),
    19: ("control/V", _F4),
    20: ("control/mA", _F4),
    23: ("dQ/mA.h", _F8),
    24: ("cycle number", _F8),
    26: ("Rapp/Ohm", _F4),
    27: ("Ewe-Ece/V", _F4),
    32: ("freq/Hz", _F4),
    33: ("|Ewe|/V", _F4),
    34: ("|I|/A", _F4),
    35: ("Phase(Z)/deg", _F4),
    36: ("|Z|/Ohm", _F4),
    37: ("Re(Z)/Ohm", _F4),
    38: ("-Im(Z)/Ohm", _F4),
    39: ("I Range", _U2),
    69: ("R/Ohm", _F4),
    70: ("P/W", _F4),
    74: ("|Energy|/W.h", _F8),
    75: ("Analog OUT/V", _F4),
    76: ("<I>/mA", _F4),
    77: ("<Ewe>/V", _F4),
    78: ("Cs-2/µF-2", _F4),
    96: ("|Ece|/V", _F4),
    98: ("Phase(Zce)/deg", _F4),
    99: ("|Zce|/Ohm", _F4),
    100: ("Re(Zce)/Ohm", _F4),
    101: ("-Im(Zce)/Ohm", _F4),
    123: ("Energy charge/W.h", _F8),
    124: ("Energy discharge/W.h", _F8),
    125: ("Capacitance charge/µF", _F8),
    126: ("Capacitance discharge/µF", _F8),
    131: ("Ns", _U2),
    163: ("|Estack|/V", _F4),
    168: ("Rcmp/Ohm", _F4),
    169: ("Cs/µF", _F4),
    172: ("Cp/µF", _F4),
    173: ("Cp-2/µF-2", _F4),
    174: ("<Ewe>/V", _F4),
    178: ("(Q-Qo)/C", _F4),
    179: ("dQ/C", _F4),
    211: ("Q charge/discharge/mA.h", _F8),
    212: ("half cycle", _U4),
    213: ("z cycle", _U4),
    **{230 + k: (f"|Ewe h{k + 2}|/V", _F4) for k in range(6)},
    **{236 + k: (f"|I h{k + 2}|/A", _F4) for k in range(6)},
    242: ("|E2|/V", _F4),
    271: ("Phase(Z1)/deg", _F4),
    272: ("Phase(Z2)/deg", _F4),
    301: ("|Z1|/Ohm", _F4),
    302: ("|Z2|/Ohm", _F4),
    331: ("Re(Z1)/Ohm", _F4),
    332: ("Re(Z2)/Ohm", _F4),
    361: ("-Im(Z1)/Ohm", _F4),
    362: ("-Im(Z2)/Ohm", _F4),
    391: ("<E1>/V", _F4),
    392: ("<E2>/V", _F4),
    422: ("Phase(Zstack)/deg", _F4),
    423: ("|Zstack|/Ohm", _F4),
    424: ("Re(Zstack)/Ohm", _F4),
    425: ("-Im(Zstack)/Ohm", _F4),
    426: ("<Estack>/V", _F4),
    430: ("Phase(Zwe-ce)/deg", _F4),
    431: ("|Zwe-ce|/Ohm", _F4),
    432: ("Re(Zwe-ce)/Ohm", _F4),
    433: ("-Im(Zwe-ce)/Ohm", _F4),
    434: ("(Q-Qo)/C", _F4),
    435: ("dQ/C", _F4),
    438: ("step time/s", _F8),
    441: ("<Ece>/V", _F4),  # cp.mpt prints it as <Ece>/V (galvani: "<Ecv>")
    462: ("Temperature/°C", _F4),
    467: ("Q charge/discharge/mA.h", _F8),
    468: ("half cycle", _U4),
    469: ("z cycle", _U4),
    471: ("<Ece>/V", _F4),
    473: ("THD Ewe/%", _F4),
    474: ("THD I/%", _F4),
    476: ("NSD Ewe/%", _F4),
    477: ("NSD I/%", _F4),
    479: ("NSR Ewe/%", _F4),
    480: ("NSR I/%", _F4),
    **{486 + k: (f"|Ewe h{k + 2}|/V", _F4) for k in range(6)},
    **{492 + k: (f"|I h{k + 2}|/A", _F4) for k in range(6)},
    498: ("Q charge/mA.h", _F8),
    499: ("Q discharge/mA.h", _F8),
    500: ("step time/s", _F8),
    501: ("Efficiency/%", _F8),
    502: ("Capacity/mA.h", _F8),
    505: ("Rdc/Ohm", _F4),
    509: ("Acir/Dcir Control", _U1),
    880: ("Energy we/W.h", _F8),  # checked against mb.issue_223.mpt
}

#: Technique -> column ID -> EC-Lab name where one ID means another quantity
#: (BT-Lab's BCD stores the cell voltage Ecell under ID 6).
TECHNIQUE_NAMES: dict[str, dict[int, str]] = {"BCD": {6: "Ecell/V"}}

#: ``.mpt`` header spellings that mean the same quantity as another name.
MPT_ALIASES: dict[str, str] = {
    "dQ/mA.h": "dq/mA.h",
    "Energy we charge/W.h": "Energy charge/W.h",
    "Energy we discharge/W.h": "Energy discharge/W.h",
    "Pwe/W": "P/W",
}


class UnknownColumnError(ValueError):
    """An ``.mpr`` column ID absent from :data:`VALUE_COLUMNS` and :data:`FLAG_COLUMNS`."""


def record_dtype(column_ids: list[int], technique: str = "") -> tuple[np.dtype, dict[str, int]]:
    """Binary record layout of an ``.mpr`` data module from its column IDs.

    Parameters
    ----------
    column_ids : list of int
        The IDs in file order.
    technique : str
        EC-Lab technique code (``"GCPL"``, ``"BCD"``...): a few IDs are named
        per technique (:data:`TECHNIQUE_NAMES`).

    Returns
    -------
    dtype : numpy.dtype
        Packed structured dtype; all flag IDs share one ``"flags"`` byte placed
        where the first flag ID appears.
    flags : dict
        Flag name -> bit mask within the ``"flags"`` byte.

    Raises
    ------
    UnknownColumnError
        For an ID whose size is unknown (the rest of the record cannot be located).
    """
    fields: list[tuple[str, str]] = []
    flags: dict[str, int] = {}
    seen: dict[str, int] = {}
    for cid in column_ids:
        if cid in FLAG_COLUMNS:
            name, mask = FLAG_COLUMNS[cid]
            if not flags:
                fields.append(("flags", _U1))
            flags[name] = mask
            continue
        if cid not in VALUE_COLUMNS:
            raise UnknownColumnError(f"unknown EC-Lab column ID {cid}")
        name, code = VALUE_COLUMNS[cid]
        name = TECHNIQUE_NAMES.get(technique, {}).get(cid, name)
        seen[name] = seen.get(name, 0) + 1
        fields.append((name if seen[name] == 1 else f"{name} {seen[name]}", code))
    return np.dtype(fields), flags


def canonical_mpt_name(header: str) -> str:
    """Map one ``.mpt`` column header onto the name the ``.mpr`` table uses.

    Strips stray spaces, repairs the micro sign however the export encoded it,
    writes EC-Lab 11.50's averaged form ``<Ewe/V>`` as ``<Ewe>/V`` and applies
    :data:`MPT_ALIASES`.
    """
    name = header.strip().replace("\ufffd", "µ").replace("Âµ", "µ")
    averaged = _AVERAGED_1150.fullmatch(name)
    if averaged:
        name = f"<{averaged.group(1)}>/{averaged.group(2)}"
    return MPT_ALIASES.get(name, name)


_AVERAGED_1150 = re.compile(r"<([^/<>]+)/([^<>]+)>")
