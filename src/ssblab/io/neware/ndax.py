"""Assemble one test from the members of a Neware ``.ndax`` zip archive (BTS 8.x).

Data flow: list the members (unsafe paths refused) → read the small XML
members (versions, test info, BTSDA's cycle mode) → decode ``data.ndc`` → for
split files (ndc 11+) join the run-info rows by record index, fill the rows
the instrument did not log run info for, and join the step table → join the
auxiliary channels → raw frame for :func:`ssblab.io.neware.common.to_canonical`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ssblab.errors import ReadError
from ssblab.io.neware import ndc as ndc
from ssblab.io.neware.records import attach_by_index
from ssblab.io.safety import read_zip_member, zip_names

if TYPE_CHECKING:  # the archive's XML and members are read without Polars (light info)
    import polars as pl

#: Largest XML member parsed [bytes]; the real ones are a few kB.
MAX_XML_BYTES = 4 * 1024**2
_AUX_NAME = re.compile(r"data_AUX_(\d+)_(\d+)_(\d+)\.ndc$|data_(\d+)\.ndc$")


def read_xml(archive: Path, names: list[str], name: str) -> ET.Element | None:
    """Parse an XML member (None when absent); DTDs and entities are refused outright."""
    if name not in names:
        return None
    data = read_zip_member(archive, name, max_bytes=MAX_XML_BYTES)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ReadError(f"{archive}: member {name!r} declares a DTD; refusing to parse it")
    text = data.decode("gb18030", errors="replace")
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff \r\n"))
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise ReadError(f"{archive}: member {name!r} is not valid XML ({exc})") from None


def archive_facts(archive: Path, names: list[str]) -> dict[str, str]:
    """Instrument, channel, start time and BTSDA cycle mode from the XML members."""
    facts: dict[str, str] = {}
    version = read_xml(archive, names, "VersionInfo.xml")
    node = version.find("config/ZwjVersion") if version is not None else None
    if node is not None:
        facts["server_version"] = node.get("SvrVer", "")
        facts["client_version"] = node.get("CurrClientVer", "")
        facts["unit_version"] = node.get("ZwjVersion", "")
    info = read_xml(archive, names, "TestInfo.xml")
    test = info.find("config/TestInfo") if info is not None else None
    if test is not None:
        for key in ("DevType", "DevID", "UnitID", "ChlID", "StartTime", "Barcode", "Remark"):
            if test.get(key):
                facts[key] = test.get(key, "")
        aux = [c.attrib for c in test if c.tag.lower().startswith("aux")]
        facts["aux_types"] = ",".join(
            f"{a.get('RealChlID', '0')}:{a.get('ChlType', '0')}" for a in aux
        )
    config = read_xml(archive, names, "NdaxConfig.xml")
    mode = config.find("config/config") if config is not None else None
    facts["CycleMode"] = mode.get("CycleMode", "0") if mode is not None else "0"
    return facts


def ndc_member(archive: Path, names: list[str], name: str) -> tuple[bytes, int, int] | None:
    """Member *name* of the ``.ndax`` *archive* (bounded inflate) with its ndc file type
    and version, or None when *names* (the archive's members) lack it."""
    if name not in names:
        return None
    buf = read_zip_member(archive, name)
    filetype, version = ndc.header(buf, name, archive)
    return buf, filetype, version


def decode_ndax(archive: Path) -> tuple[pl.DataFrame, dict[str, str], int]:
    """Decode an ``.ndax`` into a raw frame, header facts and the count of rows filled in.

    Raises
    ------
    ReadError
        Not a zip, unsafe member names, no ``data.ndc``, or an unsupported ndc version.
    """
    names = zip_names(archive)
    if "data.ndc" not in names:
        raise ReadError(f"{archive}: not a Neware .ndax (the archive has no data.ndc member)")
    facts = archive_facts(archive, names)
    buf = read_zip_member(archive, "data.ndc")
    filetype, version = ndc.header(buf, "data.ndc", archive)
    if filetype != ndc.MAIN:
        raise ReadError(f"{archive}: data.ndc has file type {filetype}, expected 1 (main data)")
    facts["file_version"] = f"ndc {version}"
    raw = ndc.decode_main(buf, version, archive)
    skipped = ndc.undecodable_main_rows(buf, version)
    facts["skipped"] = str(skipped)
    if skipped:
        facts["record_notes"] = f"{skipped} data.ndc rows are not sample records and were left out"
    filled = 0
    split_members = {"data_runInfo.ndc", "data_step.ndc"} <= set(names)
    if raw.height == 0 and skipped == 0 and (version < 11 or split_members):
        facts["record_notes"] = "data.ndc holds no records (a test that logged none): 0 rows"
        return ndc.empty_main_frame(), facts, 0
    if version >= 11:
        raw, filled = _join_runinfo(archive, names, raw)
    raw = _join_aux_members(archive, names, raw, facts)
    if version == 2 and pointed_aux_member(archive, names):
        note = (
            "ndc 2 auxiliary records hold two more values after the temperature "
            "(fastnda's t1 and H2; their meaning is not documented): not kept"
        )
        facts["record_notes"] = "\n".join(n for n in (facts.get("record_notes", ""), note) if n)
    if raw.height == 0:
        raise ReadError(f"{archive}: data.ndc holds no records")
    return raw, facts, filled


def _join_runinfo(archive: Path, names: list[str], main: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    run = ndc_member(archive, names, "data_runInfo.ndc")
    steps = ndc_member(archive, names, "data_step.ndc")
    if run is None or steps is None:
        raise ReadError(
            f"{archive}: split-format .ndax lacks data_runInfo.ndc or data_step.ndc; "
            "time and step information cannot be rebuilt"
        )
    if run[1] != ndc.RUNINFO or steps[1] != ndc.STEP:
        raise ReadError(f"{archive}: data_runInfo.ndc or data_step.ndc has the wrong file type")
    info = ndc.decode_runinfo(run[0], run[2], archive)
    table = ndc.decode_steps(steps[0], steps[2], archive)
    matched = logged_rows(main, info)
    if matched is None:  # record numbers out of order: the general join, then the fill
        joined = attach_by_index(main, info)
        missing = int(joined["step_time_s"].null_count())
        joined = fill_unlogged_rows(joined)
    else:
        rows, source = matched
        logged = {name: info[name].to_numpy()[source] for name in RUNINFO_COLUMNS}
        joined = main.with_columns(fill_rows(main, rows, logged))
        missing = main.height - rows.size
        if rows.size:
            markers = step_markers(logged["run_step"], stretches(rows, main.height))
            return attach_steps(joined, table, markers).drop("run_step", "dt_s"), missing
    return attach_steps(joined, table).drop("run_step", "dt_s"), missing


def stretches(rows: np.ndarray, n: int) -> np.ndarray:
    """How many of *n* rows carry the run info logged at each of *rows* (strictly
    increasing, at least one): up to the next logged row, the rows before the first
    logged one counted with it."""
    counts = np.diff(rows, append=n)
    counts[0] += rows[0]
    return counts


def step_markers(run_step: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Step number from 0 of every row: the logged step numbers *run_step*, each carried
    over *counts* rows (:func:`stretches`), count one up where one differs from the last."""
    changed = np.r_[False, run_step[1:] != run_step[:-1]]
    return np.repeat(np.cumsum(changed), counts)


def attach_steps(
    rows: pl.DataFrame, steps: pl.DataFrame, step_no: np.ndarray | None = None
) -> pl.DataFrame:
    """Step columns for every row: the k-th change of the run-info step number is step k+1
    (*step_no*: those numbers from 0, when already known).

    Rows beyond the last step of ``data_step.ndc`` get nulls (counted and dropped later).
    """
    import polars as pl

    table = steps.drop("step_no")
    if step_no is None:
        step_no = rows["run_step"].diff().fill_null(0) != 0
        step_no = step_no.cum_sum().to_numpy().astype(np.int64)
    rows = rows.with_columns(pl.Series("step_marker", step_no))  # a step repeated is still new
    if table.height == 0:
        return rows.with_columns(table.clear(n=rows.height).get_columns())
    picked = table[np.minimum(step_no, table.height - 1)]
    beyond = step_no >= table.height
    if beyond.any():
        inside = pl.Series(~beyond)
        picked = picked.select(pl.when(inside).then(pl.col(c)).alias(c) for c in picked.columns)
    return rows.with_columns(picked.get_columns())


#: Run-info columns :func:`fill_rows` fills, in the order ``ndc.decode_runinfo`` gives them.
RUNINFO_COLUMNS = (
    "step_time_s",
    "dt_s",
    "run_step",
    "chg_Ah",
    "dchg_Ah",
    "chg_Wh",
    "dchg_Wh",
    "unix_time_s",
)


def logged_rows(main: pl.DataFrame, info: pl.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows of *main* that have a run-info record and the matching rows of *info*, by
    record number ``index``; None unless both count strictly up (then the general join,
    :func:`ssblab.io.neware.records.attach_by_index`, is needed) or *info* is empty."""
    if info.height == 0 or tuple(c for c in info.columns if c != "index") != RUNINFO_COLUMNS:
        return None
    left = main["index"].to_numpy().astype(np.int64)
    right = info["index"].to_numpy().astype(np.int64)
    if not (ndc.increasing(left) and ndc.increasing(right)):
        return None
    return match_records(left, right)


def match_records(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in *left* of the record numbers it shares with *right* (both increasing),
    and their positions in *right*."""
    pos = np.searchsorted(left, right)
    hit = pos < left.size
    hit[hit] = left[pos[hit]] == right[hit]
    return pos[hit], np.flatnonzero(hit)


def carry_counts(rows: np.ndarray, n: int) -> np.ndarray:
    """Rows of *n* before the first logged one, then how many carry each logged row's value
    (up to the next logged row); *rows* strictly increasing."""
    lead = int(rows[0]) if rows.size else n
    return np.r_[lead, np.diff(rows, append=n)]


def carried(values: np.ndarray, counts: np.ndarray, lead_value: float) -> np.ndarray:
    """Each logged value repeated over its rows (:func:`carry_counts`), *lead_value* before."""
    return np.repeat(np.r_[lead_value, values.astype(np.float64, copy=False)], counts)


def since_logged(increment: np.ndarray, rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum of *increment* since each row's logged row, in place (rows before the
    first logged one count from zero)."""
    np.cumsum(increment, out=increment)
    tail = increment[counts[0] :]
    np.subtract(tail, np.repeat(increment[rows], counts[1:]), out=tail)
    return increment


def logged_clock(
    logged: dict[str, np.ndarray], rows: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``dt_s`` carried over every row, the time since each row's logged row [s] and the
    carry counts: the step time and clock of an unlogged row run on by ``dt`` per row."""
    counts = carry_counts(rows, n)
    dt = carried(logged["dt_s"], counts, 0.0)
    scratch = np.copy(dt)
    scratch[rows] = 0.0
    return dt, since_logged(scratch, rows, counts), counts


def fill_unlogged_rows(df: pl.DataFrame) -> pl.DataFrame:
    """Fill rows of data.ndc that have no run-info record (ndc 11+): :func:`fill_rows` on a
    frame already joined with the run info (null ``step_time_s`` where none was logged)."""

    rows = np.flatnonzero(df["step_time_s"].is_not_null().to_numpy())
    picked = df.select(RUNINFO_COLUMNS)[rows]
    logged = {name: picked[name].to_numpy() for name in RUNINFO_COLUMNS}
    return df.with_columns(fill_rows(df, rows, logged))


def fill_rows(
    main: pl.DataFrame, rows: np.ndarray, logged: dict[str, np.ndarray]
) -> list[pl.Series]:
    """The run-info columns for every row of *main* from the records logged at *rows*.

    The instrument logs run info only on some rows; for the others the step
    time [s] advances by the logging interval ``dt`` [s] and the counters [Ah,
    Wh] grow by the current (power) times that interval, as BTSDA shows them.
    Rows before the first logged one (if any) start the test at zero in its
    first step. *rows* are strictly increasing; *logged* holds each column of
    :data:`RUNINFO_COLUMNS` at those rows.

    Vectorised: a logged value is repeated over the stretch of rows up to the
    next logged one; increments are one global cumulative sum minus its value at
    the stretch's logged row, so the cost does not grow with the number of gaps.
    """
    import polars as pl

    n = main.height
    dt, elapsed, counts = logged_clock(logged, rows, n)
    step_time = carried(logged["step_time_s"], counts, 0.0)
    step_time += elapsed
    unix_time = carried(logged["unix_time_s"], counts, np.nan)
    unix_time += elapsed
    scratch = elapsed  # used up: its memory serves the counters below
    dq_ah = np.multiply(main["current_A"].to_numpy(), dt)
    dq_ah /= 3600.0
    dq_ah[rows] = 0.0
    dq_wh = np.multiply(dq_ah, main["voltage_V"].to_numpy())
    out = {"step_time_s": step_time, "dt_s": dt, "unix_time_s": unix_time}
    for name, dq, negative in (
        ("chg_Ah", dq_ah, False),
        ("dchg_Ah", dq_ah, True),
        ("chg_Wh", dq_wh, False),
        ("dchg_Wh", dq_wh, True),
    ):
        np.maximum(np.negative(dq, out=scratch) if negative else dq, 0.0, out=scratch)
        out[name] = carried(logged[name], counts, 0.0)
        out[name] += since_logged(scratch, rows, counts)
    if rows.size:  # rows before the first logged one are in its step
        out["run_step"] = np.repeat(logged["run_step"], stretches(rows, n))
    else:  # no run info at all: the step is unknown on every row
        out["run_step"] = np.full(n, np.nan)
    return [
        pl.Series(name, out[name], nan_to_null=name == "unix_time_s") for name in RUNINFO_COLUMNS
    ]


def aux_members(names: list[str]) -> list[tuple[tuple[int, ...], str]]:
    """The auxiliary-channel members among *names*, as (channel numbers, name), sorted."""
    found = []
    for name in names:
        m = _AUX_NAME.search(name)
        if m:
            nums = tuple(int(g) for g in m.groups() if g is not None)
            found.append((nums, name))
    return sorted(found)


def pointed_aux_member(archive: Path, names: list[str]) -> list[tuple[tuple[int, ...], str]]:
    """The auxiliary member an ndc-2 ``data_Aux.ndc`` names (empty when none)."""
    if "data_Aux.ndc" not in names:
        return []
    target = ndc.aux_pointer(read_zip_member(archive, "data_Aux.ndc"))
    return [((0,), target)] if target in names else []


#: Quantity and unit of an auxiliary column after the first temperature, by raw name.
AUX_QUANTITY = {"temperature_degC": ("Temperature", "degC"), "aux_voltage_V": ("Voltage", "V")}


def aux_label(column: str, k: int) -> str:
    """Canonical name of raw auxiliary *column* of channel *k* (``Aux 2 Voltage / V``)."""
    quantity, unit = AUX_QUANTITY.get(column, ("Value", "1"))
    return f"Aux {k} {quantity} / {unit}"


def aux_channels(
    archive: Path, names: list[str], facts: dict[str, str]
) -> Iterator[tuple[int, bytes, int, int | None]]:
    """The auxiliary members to join, in order, as (channel k from 1, member bytes, ndc
    version, declared channel type or None); members that are missing or not auxiliary
    data are passed over (their k is not reused).

    Members ``data_AUX_<chl>_<kind>_<n>.ndc`` pair with the ``AuxN`` entries of
    ``TestInfo.xml`` when both are sorted by channel then type. The full reader
    (:func:`decode_ndax`) and the light summary (:mod:`.ndax_summary`) both walk this.
    """
    members = aux_members(names) + pointed_aux_member(archive, names)
    declared = [
        tuple(int(x) for x in p.split(":")) for p in facts.get("aux_types", "").split(",") if p
    ]
    types = (
        [t for _, t in sorted(declared)] if len(declared) == len(members) else [None] * len(members)
    )
    for k, ((_, name), chl_type) in enumerate(zip(members, types, strict=True), start=1):
        got = ndc_member(archive, names, name)
        if got is not None and got[1] == ndc.AUX:
            yield k, got[0], got[2], chl_type


def _join_aux_members(
    archive: Path, names: list[str], raw: pl.DataFrame, facts: dict[str, str]
) -> pl.DataFrame:
    """Join the auxiliary channels (:func:`aux_channels`); the first temperature becomes
    ``temperature_degC``, every other column ``Aux <k> <Quantity> / <unit>``."""
    have_temperature = False
    for k, buf, version, chl_type in aux_channels(archive, names, facts):
        aux = ndc.decode_aux(buf, version, chl_type)
        if aux.height == 0:
            continue
        renames = {}
        for col in aux.columns:
            if col == "temperature_degC" and not have_temperature:
                have_temperature = True
            elif col != "index":
                renames[col] = aux_label(col, k)
        aux = aux.rename(renames).cast({"index": raw.schema["index"]})
        if aux["index"].equals(raw["index"], null_equal=False):  # the same records
            raw = raw.with_columns(aux.drop("index").get_columns())
        else:
            raw = attach_by_index(raw, aux)
    return raw
