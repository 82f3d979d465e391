"""Damaged or foreign EC-Lab files are refused with one line naming the file, fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import read
from ssblab.io.biologic.mpt import parse_mpt
from ssblab.io.biologic.reader import read_mpr, read_mpt

GOOD_MPT = (
    "EC-Lab ASCII FILE\r\n"
    "Nb header lines : 4\r\n"
    "\r\n"
    "mode\ttime/s\tEwe/V\tI/mA\t\r\n"
    "1\t0,0\t3,5\t1,0\r\n"
    "1\t1,0\t3,6\t1,0\r\n"
)


@pytest.fixture
def mpr_bytes(data_dir) -> bytes:
    return (data_dir / "biologic" / "mb.issue_95.mpr").read_bytes()


def _refused(path, match: str, reader=read) -> str:
    start = time.perf_counter()
    with pytest.raises(ReadError, match=match) as info:
        reader(path)
    assert time.perf_counter() - start < 2.0
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_mpr_cut_in_its_data_module_is_read_to_the_last_whole_record(tmp_path, mpr_bytes, data_dir):
    """Half of mb.issue_95.mpr (cut inside the data module): 21 of its 33 records."""
    path = tmp_path / "cut.mpr"
    path.write_bytes(mpr_bytes[: len(mpr_bytes) // 2])
    run = read(path)
    assert run.n_rows == 21 and run.meta.rows_skipped == 33 - 21
    note = next(n for n in run.meta.notes if n.startswith("file cut short"))
    assert "bytes of the data module are missing" in note and "partial record" in note
    export = parse_mpt(data_dir / "biologic" / "mb.issue_95.mpt").frame.head(21)
    np.testing.assert_allclose(
        run.table[s.VOLTAGE].to_numpy(), export["Ewe/V"].to_numpy(), atol=1e-6
    )


def test_mpr_cut_before_its_data_module_is_refused(tmp_path, mpr_bytes):
    path = tmp_path / "cut.mpr"
    path.write_bytes(mpr_bytes[: mpr_bytes.index(b"VMP data") - 100])
    _refused(path, "truncated")


def test_bit_flipped_module_magic(tmp_path, mpr_bytes):
    damaged = bytearray(mpr_bytes)
    second = mpr_bytes.index(b"MODULE", 60)
    damaged[second + 2] ^= 0x10
    path = tmp_path / "flip.mpr"
    path.write_bytes(bytes(damaged))
    _refused(path, "no module header")


def test_bit_flipped_module_length(tmp_path, mpr_bytes):
    damaged = bytearray(mpr_bytes)
    data = mpr_bytes.index(b"VMP data")
    damaged[data + 35 + 3] ^= 0x40  # high byte of the classic header's length field
    path = tmp_path / "length.mpr"
    path.write_bytes(bytes(damaged))
    _refused(path, "truncated")


def test_unknown_column_id(tmp_path, mpr_bytes):
    damaged = bytearray(mpr_bytes)
    body = mpr_bytes.index(b"VMP data") + 51  # classic module header is 51 bytes
    damaged[body + 5 : body + 7] = (999).to_bytes(2, "little")
    path = tmp_path / "unknown.mpr"
    path.write_bytes(bytes(damaged))
    _refused(path, "unknown EC-Lab column ID 999")


def test_empty_files(tmp_path):
    for name in ("empty.mpr", "empty.mpt"):
        path = tmp_path / name
        path.write_bytes(b"")
        _refused(path, "empty")
        _refused(path, "not an EC-Lab", reader=read_mpr if name.endswith("mpr") else read_mpt)


def test_mpt_in_wrong_encoding(tmp_path):
    path = tmp_path / "utf16.mpt"
    path.write_bytes(GOOD_MPT.encode("utf-16"))
    _refused(path, "not an EC-Lab .mpt", reader=read_mpt)


def test_mpt_garbled_header_count(tmp_path):
    path = tmp_path / "garbled.mpt"
    path.write_text(GOOD_MPT.replace("Nb header lines : 4", "Nb header lines : x4"))
    _refused(path, "Nb header lines")
    path.write_text(GOOD_MPT.replace(": 4", ": 400"))
    _refused(path, "ends inside")


def test_mpt_header_count_off_by_one(tmp_path):
    path = tmp_path / "shifted.mpt"
    path.write_text(GOOD_MPT.replace(": 4", ": 3"))  # the empty line becomes the names
    _refused(path, "no time/s column")


def test_mpt_row_with_text_is_counted_not_dropped_silently(tmp_path):
    path = tmp_path / "text.mpt"
    path.write_text(GOOD_MPT + "1\tabc\t3,7\t1,0\r\n1\t2,0\t3,8\t1,0\r\n1\t3,0\r\n")
    run = read(path)
    assert run.table["Voltage / V"].to_list() == [3.5, 3.6, 3.8]
    assert run.meta.rows_skipped == 2
    assert any("2 data rows" in note for note in run.meta.notes)


def test_mpt_without_any_numeric_row(tmp_path):
    path = tmp_path / "text.mpt"
    path.write_text(GOOD_MPT.split("1\t0,0")[0] + "a\tb\tc\td\r\n")
    _refused(path, "not numeric")


def test_small_valid_mpt_with_decimal_commas(tmp_path):
    path = tmp_path / "ok.mpt"
    path.write_text(GOOD_MPT)
    table = read(path).table
    assert table["Voltage / V"].to_list() == [3.5, 3.6]
    assert table["Current / A"].to_list() == [1e-3, 1e-3]


def _with_declared_count(mpr_bytes: bytes, delta: int) -> bytes:
    damaged = bytearray(mpr_bytes)
    body = mpr_bytes.index(b"VMP data") + 51
    declared = int.from_bytes(mpr_bytes[body : body + 4], "little")
    damaged[body : body + 4] = (declared + delta).to_bytes(4, "little")
    return bytes(damaged)


def test_records_missing_from_the_data_module_are_counted(tmp_path, mpr_bytes):
    path = tmp_path / "short.mpr"
    path.write_bytes(_with_declared_count(mpr_bytes, +5))
    run = read(path)
    assert run.n_rows == 33  # what the module holds (mb.issue_95: 33 records)
    assert run.meta.rows_skipped == 5
    assert any("5 declared records are missing" in n for n in run.meta.notes)


def test_records_beyond_the_declared_count_are_counted(tmp_path, mpr_bytes):
    path = tmp_path / "long.mpr"
    path.write_bytes(_with_declared_count(mpr_bytes, -3))
    run = read(path)
    assert run.n_rows == 30
    assert run.meta.rows_skipped == 3
    assert any("3 records beyond" in n for n in run.meta.notes)


def test_mpt_exported_without_preamble(tmp_path):
    path = tmp_path / "bare.mpt"
    path.write_text("\n".join(GOOD_MPT.splitlines()[3:]) + "\n")
    run = read(path)
    assert run.meta.source_format == "biologic_mpt"
    assert run.table["Test Time / s"].to_list() == [0.0, 1.0]


def test_mpt_header_missing_a_column_name_is_refused(tmp_path, data_dir):
    """gcpl.issue_149.mpt with one column name deleted: every later column would shift."""
    raw = (data_dir / "biologic" / "gcpl.issue_149.mpt").read_bytes()
    lines = raw.split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"mode\t"))
    lines[at] = lines[at].replace(b"Ewe/V\t", b"", 1)
    path = tmp_path / "shifted.mpt"
    path.write_bytes(b"\n".join(lines))
    message = _refused(path, "columns would shift")
    assert "shifted.mpt" in message
