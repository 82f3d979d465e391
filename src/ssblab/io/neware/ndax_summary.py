"""``ssblab info`` of a Neware ``.ndax`` without Polars: the summary from the decoded members.

:func:`ndax_summary` reads the archive as :func:`ssblab.io.neware.ndax.decode_ndax`
does, with the NumPy stage of :mod:`.ndc`: ``data.ndc``, then for ndc 11+ the
run-info records joined by record number (rows without one advanced by the logging
interval, as ``fill_unlogged_rows``), the step of each row from ``data_step.ndc``,
and the names of the auxiliary channels; :func:`.summary.finish` goes on as the
reader's ``_build_run``. Anything outside that path (a repeated run-info record
number, no run info matched, an empty archive) raises
:class:`~ssblab.io._light.FullReaderNeededError` and the full reader runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ssblab.io._light import FullReaderNeededError
from ssblab.io.neware import ndc
from ssblab.io.neware.ndax import (
    archive_facts,
    aux_channels,
    aux_label,
    carried,
    logged_clock,
    match_records,
    ndc_member,
    pointed_aux_member,
    step_markers,
    stretches,
)
from ssblab.io.neware.summary import Columns, finish
from ssblab.io.safety import read_zip_member, zip_names


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise FullReaderNeededError(why)


def _with_runinfo(
    archive: Path, names: list[str], main: Columns
) -> tuple[Columns, int, np.ndarray]:
    """Main rows with run-info clocks and steps (``_join_runinfo``): columns, the number of
    rows filled in, and the mask of rows beyond the last step of ``data_step.ndc``."""
    run = ndc_member(archive, names, "data_runInfo.ndc")
    steps = ndc_member(archive, names, "data_step.ndc")
    _require(run is not None and steps is not None, "split archive without run info or steps")
    _require(run[1] == ndc.RUNINFO and steps[1] == ndc.STEP, "wrong member types")
    info = ndc.runinfo_columns(run[0], run[2], archive)
    table = ndc.steps_columns(steps[0], steps[2], archive)
    right = info["index"].astype(np.int64)
    _require(right.size > 0, "no run-info record")
    if not ndc.increasing(right):  # decode_runinfo keeps the first of a repeated number
        right, first = np.unique(right, return_index=True)
        info = {k: v[first] for k, v in info.items()}
    left = main["index"].astype(np.int64)
    rows, source = match_records(left, right)
    _require(rows.size > 0 and table["step_no"].size > 0, "no run info or no step matched")
    logged = {k: info[k][source] for k in ("dt_s", "step_time_s", "unix_time_s", "run_step")}
    _, elapsed, counts = logged_clock(logged, rows, left.size)
    step_no = step_markers(logged["run_step"], stretches(rows, left.size))
    picked = np.minimum(step_no, table["step_no"].size - 1)
    out = {
        **main,
        "step_time_s": carried(logged["step_time_s"], counts, 0.0) + elapsed,
        "unix_time_s": carried(logged["unix_time_s"], counts, np.nan) + elapsed,
        "step_marker": step_no,
        **{k: table[k][picked] for k in ("vendor_cycle", "step_index", "step_type")},
    }
    return out, left.size - rows.size, step_no >= table["step_no"].size


def _aux_names(archive: Path, names: list[str], facts: dict[str, str]) -> list[str]:
    """Raw column names the auxiliary members add, in order (as ``_join_aux_members``)."""
    added: list[str] = []
    for k, buf, version, chl_type in aux_channels(archive, names, facts):
        aux = ndc.aux_columns(buf, version, chl_type)
        if aux is None or aux["index"].size == 0:
            continue
        for col in aux:
            if col == "index":
                continue
            first_temperature = col == "temperature_degC" and col not in added
            new = col if first_temperature else aux_label(col, k)
            if new not in added:
                added.append(new)
    return added


def ndax_summary(path: Path) -> dict[str, Any]:
    """The ``ssblab info`` numbers of a ``.ndax`` (keys of ``run_summary``).

    Raises
    ------
    FullReaderNeededError
        An archive outside the path this summary follows (module docstring).
    """
    archive = Path(path)
    names = zip_names(archive)
    _require("data.ndc" in names, "no data.ndc")
    facts = archive_facts(archive, names)
    buf = read_zip_member(archive, "data.ndc")
    filetype, version = ndc.header(buf, "data.ndc", archive)
    _require(filetype == ndc.MAIN, "data.ndc is not main data")
    facts["file_version"] = f"ndc {version}"
    columns = ndc.main_columns(buf, version, archive)
    skipped = ndc.undecodable_main_rows(buf, version)
    facts["skipped"] = str(skipped)
    if skipped:
        facts["record_notes"] = f"{skipped} data.ndc rows are not sample records and were left out"
    _require(columns["index"].size > 0, "data.ndc holds no records")
    filled, stepless = 0, None
    if version >= 11:
        columns, filled, stepless = _with_runinfo(archive, names, columns)
    attached = _aux_names(archive, names, facts)
    if version == 2 and pointed_aux_member(archive, names):
        note = (
            "ndc 2 auxiliary records hold two more values after the temperature "
            "(fastnda's t1 and H2; their meaning is not documented): not kept"
        )
        facts["record_notes"] = "\n".join(n for n in (facts.get("record_notes", ""), note) if n)
    if version in (2, 5):
        facts["clock"] = "local calendar"
    notes: list[str] = []
    if filled:
        notes.append(
            f"{filled} records had no run-info entry; their time and counters were advanced "
            "by the logging interval and I·dt, as BTSDA does"
        )
    return finish(
        archive,
        "neware_ndax",
        columns,
        facts,
        notes,
        tuple(attached),
        stepless,
        nan_clock_is_null=version >= 11,
    )
