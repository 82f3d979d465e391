"""EC-Lab column vocabulary shared by the ``.mpr`` and ``.mpt`` readers.

An ``.mpr`` data module lists its columns as numeric IDs; each ID fixes the
quantity and its binary type. The table (``column_ids.csv`` beside this
module) was assembled from the files in ``shared/data`` (checked against
EC-Lab's own ``.mpt`` export of the same runs) and from the ID lists of the
galvani and yadg projects (facts checked, no code taken). An ID absent from it
is refused with the ID named: the record size, and so every later column,
would be unknown.

Names are EC-Lab's own ``.mpt`` header names, so both readers produce a frame
with the same column names and the conversion to the canonical table
(:mod:`ssblab.io.biologic.table`) is written once.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib import resources

import numpy as np

#: The column-ID table, as data beside this module: one row per ID with its
#: kind (``flag`` bits in the shared flags byte, or a ``value``), EC-Lab name,
#: NumPy type and where it was checked (``export:<stem>``: the name appears in
#: EC-Lab's ``.mpt`` export of that run in ``shared/data``; ``galvani`` /
#: ``yadg``: listed in that project's table, not yet seen in a file here).
#: Where the two tables disagree (ID 242: galvani ``|E2|``, yadg ``|Ece h2|``)
#: galvani's entry is kept.
TABLE_FILE = "column_ids.csv"


def _load_table() -> tuple[dict[int, tuple[str, int]], dict[int, tuple[str, str]]]:
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text("utf-8")
    flags: dict[int, tuple[str, int]] = {}
    values: dict[int, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        cid = int(row["id"])
        if row["kind"] == "flag":
            flags[cid] = (row["name"], int(row["mask"], 16))
        else:
            values[cid] = (row["name"], row["dtype"])
    return flags, values


#: Column IDs packed as bit fields into one shared flags byte: ID -> (name, mask);
#: column ID -> (EC-Lab name, little-endian NumPy type of the stored value).
FLAG_COLUMNS, VALUE_COLUMNS = _load_table()
_U1 = "u1"

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
    record, flags = _record_dtype(tuple(column_ids), technique)
    return record, dict(flags)


@lru_cache(maxsize=64)
def _record_dtype(column_ids: tuple[int, ...], technique: str) -> tuple[np.dtype, dict[str, int]]:
    """:func:`record_dtype`, built once per column list (callers get a copy of *flags*)."""
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
