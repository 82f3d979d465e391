"""Neware readers on small files written here byte by byte (no shared data needed).

The writers below follow the layouts the readers decode: an ``.nda`` version 29
(86-byte integer records after a 1024-byte header) and an ``.ndax`` whose
``.ndc`` members are version 17 (4096-byte pages, validity bitmap at byte 4,
rows from byte 132). Known inputs give known outputs: step clocks become a test
clock, per-step counters become cumulative ones, rows without run info are
advanced by the logging interval, cycles follow BTSDA's CycleMode.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycles
from ssblab.io import detect, read
from ssblab.io.neware.common import cycle_from_mode

# --- .nda version 29 ------------------------------------------------------------


def nda_record(index: int, cycle: int, step: int, kind_code: int, ms: int, mv10: int, cur: int,
               chg: int = 0, dchg: int = 0, echg: int = 0, edchg: int = 0) -> bytes:  # fmt: skip
    """One 86-byte v29 record; current and counters in 0.1 mA units (range code 10000)."""
    rec = bytearray(86)
    rec[0] = 0x55
    struct.pack_into("<IIHBB", rec, 2, index, cycle - 1, step, kind_code, step)
    struct.pack_into("<Qii", rec, 14, ms, mv10, cur)
    struct.pack_into("<qqqq", rec, 38, chg, dchg, echg, edchg)
    struct.pack_into("<HBBBBB", rec, 70, 2024, 5, 17, 8, 0, index % 60)
    struct.pack_into("<i", rec, 78, 10000)
    return bytes(rec)


def write_nda(path: Path) -> Path:
    """Rest 2 s, charge 3 s at 100 mA, discharge 2 s at -50 mA (all 1 s apart)."""
    header = bytearray(1024)
    header[:6] = b"NEWARE"
    header[14] = 29
    recs = [
        nda_record(1, 1, 1, 4, 0, 30000, 0),
        nda_record(2, 1, 1, 4, 1000, 30000, 0),
        nda_record(3, 1, 1, 4, 2000, 30000, 0),
        nda_record(4, 1, 2, 1, 0, 35000, 1000),
        nda_record(5, 1, 2, 1, 1000, 36000, 1000, chg=1000, echg=3600),
        nda_record(6, 1, 2, 1, 2000, 37000, 1000, chg=2000, echg=7200),
        nda_record(7, 1, 3, 2, 0, 34000, -500),
        nda_record(8, 1, 3, 2, 1000, 33000, -500, dchg=500, edchg=1650),
    ]
    path.write_bytes(bytes(header) + b"".join(recs))
    return path


def test_nda_v29_values(tmp_path):
    run = read(write_nda(tmp_path / "tiny.nda"))
    t = run.table
    assert detect(tmp_path / "tiny.nda") == "neware_nda"
    assert t[s.TIME].to_list() == [0.0, 1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0]
    assert t[s.STEP_COUNT].to_list() == [1, 1, 1, 2, 2, 2, 3, 3]
    assert t[s.CURRENT].to_list() == pytest.approx([0, 0, 0, 0.1, 0.1, 0.1, -0.05, -0.05])
    assert t[s.VOLTAGE][4] == pytest.approx(3.6)
    # 2000 counts x 0.1 mA·s = 200 mA·s = 5.556e-5 A·h of charge, then 50 mA·s discharge
    assert t[s.CHARGE_CAPACITY][-1] == pytest.approx(200 / 3.6e6)
    assert t[s.DISCHARGE_CAPACITY][-1] == pytest.approx(50 / 3.6e6)
    assert t[s.CHARGE_ENERGY][-1] == pytest.approx(720 / 3.6e6)
    assert t[s.UNIX_TIME][0] == pytest.approx(1715932801.0)  # 2024-05-17 08:00:01 read as UTC
    assert run.meta.rows_skipped == 0 and run.meta.file_version == "nda 29"


def test_nda_counters_resume_across_steps(tmp_path):
    """A second charge step resets Neware's counter; the canonical counter keeps rising."""
    path = write_nda(tmp_path / "two.nda")
    extra = [
        nda_record(9, 2, 4, 1, 0, 34000, 1000),
        nda_record(10, 2, 4, 1, 1000, 35000, 1000, chg=1000, echg=3500),
    ]
    path.write_bytes(path.read_bytes() + b"".join(extra))
    run = read(path)
    assert run.table[s.CHARGE_CAPACITY][-1] == pytest.approx(300 / 3.6e6)
    per_cycle = cycles(run)
    assert per_cycle["charge_capacity_Ah"].to_list() == pytest.approx([200 / 3.6e6, 100 / 3.6e6])


# --- .ndax with version-17 members ------------------------------------------------

PAGE = 4096


def paged(filetype: int, version: int, rows: np.ndarray, valid: np.ndarray | None = None) -> bytes:
    """An .ndc member: one header page, then pages of rows with a validity bitmap."""
    per_page = (PAGE - 132 - 1) // rows.dtype.itemsize
    valid = np.ones(rows.size, dtype=bool) if valid is None else valid
    pages = [bytes([filetype, 0, version]) + bytes(PAGE - 3)]
    for first in range(0, max(rows.size, 1), per_page):
        page = bytearray(PAGE)
        chunk = rows[first : first + per_page]
        bits = np.packbits(valid[first : first + per_page], bitorder="little").tobytes()
        page[4 : 4 + len(bits)] = bits
        raw = chunk.tobytes()
        page[132 : 132 + len(raw)] = raw
        pages.append(bytes(page))
    return b"".join(pages)


MAIN = np.dtype([("volt", "<f4"), ("curr", "<f4")])
RUN = np.dtype(
    {
        "names": ["step_ms", "chg", "dchg", "echg", "edchg", "dt_ms", "unix", "step", "index"],
        "formats": ["<u4", "<f4", "<f4", "<f4", "<f4", "<i4", "<u4", "<u4", "<u4"],
        "offsets": [0, 5, 9, 13, 17, 29, 33, 37, 41],
        "itemsize": 100,
    }
)
STEP = np.dtype(
    {
        "names": ["cycle", "step_index", "step_type"],
        "formats": ["<u4", "<u4", "u1"],
        "offsets": [0, 4, 24],
        "itemsize": 100,
    }
)


def write_ndax(
    path: Path,
    cycle_mode: int | None = None,
    skip_first_log: bool = False,
    n_steps: int = 3,
    step_rows: tuple[tuple[int, int, int], ...] = ((0, 1, 1), (0, 2, 2), (0, 3, 1)),
) -> Path:
    """Charge (1 A) 4 rows, discharge (-1 A) 4 rows, charge 2 rows; run info only on some rows.

    One vendor cycle throughout (the instrument counter never advances)."""
    current = [1.0] * 4 + [-1.0] * 4 + [1.0] * 2
    main = np.array([(3.5, c) for c in current], dtype=MAIN)
    logged = {1: (1, 0), 3: (1, 2000), 5: (2, 0), 7: (2, 2000), 9: (3, 0)}  # index: (step, ms)
    if skip_first_log:
        del logged[1]
    run = np.zeros(len(logged), dtype=RUN)
    for k, (index, (step, ms)) in enumerate(logged.items()):
        charge = ms / 1000 / 3600 if step != 2 else 0.0  # A·h so far in this step
        run[k] = (ms, charge, ms / 1000 / 3600 if step == 2 else 0.0, 3.5 * charge, 0.0, 1000,
                  1_700_000_000 + index - 1, step, index)  # fmt: skip
    steps = np.array(list(step_rows)[:n_steps], dtype=STEP)
    members = {
        "data.ndc": paged(1, 17, main),
        "data_runInfo.ndc": paged(18, 17, run),
        "data_step.ndc": paged(7, 17, steps),
        "TestInfo.xml": b'<?xml version="1.0"?><root><config><TestInfo DevID="3" UnitID="0" '
        b'ChlID="7" StartTime="2023-11-14 23:13:20" /></config></root>',
    }
    if cycle_mode is not None:
        members["NdaxConfig.xml"] = (
            f'<root><config><config CycleMode="{cycle_mode}" /></config></root>'.encode()
        )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_ndax_v17_rows_and_unlogged_fill(tmp_path):
    run = read(write_ndax(tmp_path / "tiny.ndax"))
    t = run.table
    assert detect(tmp_path / "tiny.ndax") == "neware_ndax"
    assert t.height == 10
    assert t[s.TIME].to_list() == pytest.approx([0, 1, 2, 3, 3, 4, 5, 6, 6, 7])
    assert t[s.STEP_INDEX].to_list() == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    assert t[s.UNIX_TIME].to_list() == pytest.approx([1.7e9 + k for k in range(10)])
    # row 2 and 4 were not logged: 1 A x 1 s added to the last logged counter
    assert (t[s.CHARGE_CAPACITY] * 3600).to_list() == pytest.approx([0, 1, 2, 3, 3, 3, 3, 3, 3, 4])
    assert (t[s.DISCHARGE_CAPACITY] * 3600)[-1] == pytest.approx(3.0)
    assert run.meta.channel == "3-0-7"
    assert run.meta.timezone == "Etc/GMT-1"  # StartTime is one hour ahead of the Unix clock
    assert run.meta.start_time_utc.startswith("2023-11-14T22:13:20")
    assert any("no run-info entry" in n for n in run.meta.notes)


@pytest.mark.parametrize(("mode", "expected"), [(None, 1), (0, 1), (1, 2), (2, 2)])
def test_ndax_cycle_mode(tmp_path, mode, expected):
    """Charge, discharge, charge: one vendor cycle; charge-first (BTSDA CycleMode=1) starts
    cycle 2 at the second charge, discharge-first (CycleMode=2) at the discharge."""
    run = read(write_ndax(tmp_path / "mode.ndax", mode))
    assert run.table[s.CYCLE].max() == expected
    if mode == 1:
        assert run.table[s.CYCLE].to_list() == [1] * 8 + [2] * 2
        assert run.table[s.VENDOR_CYCLE].max() == 1
    if mode == 2:
        assert run.table[s.CYCLE].to_list() == [1] * 4 + [2] * 6


def test_cycle_rules_ignore_rests():
    """Rests between a discharge and the next charge do not delay the new cycle."""
    types = [4, 1, 4, 2, 4, 4, 1, 2, 1]
    frame = pl.DataFrame({"step_type": types, "vendor_cycle": [1] * len(types)})
    charge_first = frame.select(cycle_from_mode("charge-first"))[:, 0].to_list()
    discharge_first = frame.select(cycle_from_mode("discharge-first"))[:, 0].to_list()
    assert charge_first == [1, 1, 1, 1, 1, 1, 2, 2, 3]
    assert discharge_first == [1, 1, 1, 2, 2, 2, 2, 3, 3]


def test_ndax_rows_before_the_first_log(tmp_path):
    """Rows the instrument wrote before its first run-info entry are kept, at test time 0."""
    t = read(write_ndax(tmp_path / "late.ndax", skip_first_log=True)).table
    assert t.height == 10
    assert t[s.TIME].null_count() == 0 and t[s.TIME].to_list()[:3] == [0.0, 0.0, 2.0]
    assert bool((t[s.TIME].diff().drop_nulls() >= 0).all())
    assert t[s.STEP_INDEX].to_list()[:2] == [1, 1]


def test_ndax_rows_without_a_step_are_counted(tmp_path):
    """data_step.ndc lists two steps while run info shows three: the third step's rows go."""
    run = read(write_ndax(tmp_path / "short.ndax", n_steps=2))
    assert run.n_rows == 8
    assert run.meta.rows_skipped == 2
    assert any("no step in data_step.ndc" in n for n in run.meta.notes)


def test_ndax_repeated_step_index_is_a_new_step(tmp_path):
    """A loop over one program step repeats its Step Index; Step Count still advances."""
    rows = ((0, 1, 1), (0, 1, 2), (0, 1, 1))
    t = read(write_ndax(tmp_path / "loop.ndax", step_rows=rows)).table
    assert t[s.STEP_INDEX].unique().to_list() == [1]
    assert t[s.STEP_COUNT].to_list() == [1] * 4 + [2] * 4 + [3] * 2
    assert (t[s.CHARGE_CAPACITY] * 3600)[-1] == pytest.approx(4.0)
