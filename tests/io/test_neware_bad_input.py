"""Neware readers on hostile or broken input: one-line ReadError naming the file, quickly.

Every file is made here in ``tmp_path``; the few cases that start from a real
file (truncation, bit flips) skip when the shared data folder is absent.
"""

from __future__ import annotations

import struct
import time
import zipfile
from pathlib import Path

import pytest

from ssblab.errors import ReadError
from ssblab.io import read
from ssblab.io.neware.reader import sniff_nda, sniff_ndax

QUICK_S = 2.0


def refused(path: Path, fmt: str | None = None) -> str:
    """Read *path*, expect a ReadError within QUICK_S; return its message."""
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read(path, format=fmt)
    assert time.perf_counter() - start < QUICK_S
    message = str(info.value)
    assert "\n" not in message and path.name in message
    return message


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_empty_file(tmp_path):
    for name in ("empty.nda", "empty.ndax", "empty.nda.zip"):
        (tmp_path / name).write_bytes(b"")
        assert "empty" in refused(tmp_path / name)


def test_text_renamed_ndax(tmp_path):
    path = tmp_path / "notes.ndax"
    path.write_text("cycle 1: 4.2 V\n" * 50)
    assert not sniff_ndax(path.read_bytes()[:4096], path)
    refused(path)  # no reader recognises it
    assert "zip" in refused(path, "neware_ndax")


def test_zip_without_neware_members(tmp_path):
    path = write_zip(tmp_path / "other.ndax", {"readme.txt": b"hello"})
    assert "data.ndc" in refused(path, "neware_ndax")


def test_zip_bomb_in_ndax(tmp_path):
    path = write_zip(tmp_path / "bomb.ndax", {"data.ndc": bytes(64 * 1024**2)})
    assert "zip bomb" in refused(path)


def test_zip_bomb_in_nda_zip(tmp_path):
    path = write_zip(tmp_path / "bomb.nda.zip", {"bomb.nda": b"NEWARE" + bytes(64 * 1024**2)})
    assert "zip bomb" in refused(path)


def test_member_path_escape(tmp_path):
    ndax = write_zip(tmp_path / "escape.ndax", {"../data.ndc": b"\x01\x00\x11", "data.ndc": b"x"})
    assert "unsafe path" in refused(ndax, "neware_ndax")
    nda = write_zip(tmp_path / "escape.nda.zip", {"../../evil.nda": b"NEWARE" + bytes(2048)})
    assert "unsafe path" in refused(nda, "neware_nda")


def test_nda_header_only(tmp_path):
    path = tmp_path / "header.nda"
    path.write_bytes(b"NEWARE" + bytes(8) + bytes([29]) + bytes(4000))
    assert "no first data record" in refused(path)


def test_nda_too_short(tmp_path):
    path = tmp_path / "short.nda"
    path.write_bytes(b"NEWARE20200101" + bytes([29]))
    assert "not a Neware .nda" in refused(path)


def test_unknown_nda_version(tmp_path):
    path = tmp_path / "future.nda"
    path.write_bytes(b"NEWARE20300101" + bytes([99]) + bytes(3000))
    assert sniff_nda(path.read_bytes()[:4096], path)
    assert "version 99 is not supported" in refused(path)


def test_ndax_with_unknown_ndc_version(tmp_path):
    ndc = bytes([1, 0, 42]) + bytes(8189)
    path = write_zip(tmp_path / "v42.ndax", {"data.ndc": ndc})
    assert "version 42 is not supported" in refused(path)


def test_ndax_split_format_without_runinfo(tmp_path):
    ndc = bytes([1, 0, 17]) + bytes(8189)
    path = write_zip(tmp_path / "split.ndax", {"data.ndc": ndc})
    assert "data_runInfo.ndc" in refused(path)


def test_ndax_with_dtd_in_xml(tmp_path):
    xml = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root>&a;</root>'
    path = write_zip(tmp_path / "dtd.ndax", {"data.ndc": bytes([1, 0, 17]), "TestInfo.xml": xml})
    assert "DTD" in refused(path)


def test_truncated_real_files(data_dir, tmp_path):
    folder = data_dir / "neware"
    nda = tmp_path / "cut.nda"
    nda.write_bytes((folder / "new_nda_file.nda").read_bytes()[:1000])
    assert "not a Neware .nda" in refused(nda)
    ndax = tmp_path / "cut.ndax"
    ndax.write_bytes((folder / "test_2.ndax").read_bytes()[:200_000])
    refused(ndax, "neware_ndax")


def test_bit_flipped_headers(data_dir, tmp_path):
    folder = data_dir / "neware"
    content = bytearray((folder / "TestFile.nda").read_bytes())
    content[0] ^= 0x01  # "NEWARE" -> "OEWARE"
    flipped = tmp_path / "flipped.nda"
    flipped.write_bytes(bytes(content))
    assert "NEWARE" in refused(flipped, "neware_nda")
    content = bytearray((folder / "SIM.nda.zip").read_bytes())
    content[30] ^= 0xFF  # first byte of the member name in the local header
    flipped_zip = tmp_path / "flipped.nda.zip"
    flipped_zip.write_bytes(bytes(content))
    refused(flipped_zip, "neware_nda")


def test_undecodable_records_are_counted_not_dropped_silently(data_dir, tmp_path):
    """Two records of new_nda_file.nda get an unknown kind tag: 437 of 439 rows remain,
    and RunMeta says which two were left out."""
    content = bytearray((data_dir / "neware" / "new_nda_file.nda").read_bytes())
    first = content.find(b"\x55\x00\x01\x00\x00\x00", 1024)
    for k in (10, 200):
        content[first + 86 * k] = 0x33
    path = tmp_path / "tagged.nda"
    path.write_bytes(bytes(content))
    run = read(path)
    assert run.n_rows == 437
    assert run.meta.rows_skipped == 2
    assert any("unknown kind 0x33" in note for note in run.meta.notes)


def test_corrupt_compressed_member(data_dir, tmp_path):
    """A flipped byte inside data.ndc's compressed bytes: CRC or inflate error, one line."""
    source = data_dir / "neware" / "interp-test.ndax"
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo("data.ndc")
    content = bytearray(source.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", content, info.header_offset + 26)
    payload = info.header_offset + 30 + name_len + extra_len
    content[payload + info.compress_size // 2] ^= 0xFF
    path = tmp_path / "corrupt.ndax"
    path.write_bytes(bytes(content))
    refused(path)


def _lying_zip(path: Path, member: str, data: bytes, declared: int, crc: int | None = None) -> Path:
    """A one-member deflated zip whose headers declare *declared* bytes (and *crc*)."""
    write_zip(path, {member: data})
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    central = content.rfind(b"PK\x01\x02")
    for at, size_at in ((info.header_offset, 22), (central, 24)):  # local, central header
        struct.pack_into("<I", content, at + size_at, declared)
        if crc is not None:
            struct.pack_into("<I", content, at + size_at - 8, crc)
    path.write_bytes(bytes(content))
    return path


def test_nda_zip_with_a_lying_size_is_stopped_while_inflating(tmp_path):
    """The directory says 2 KiB; the member inflates to 64 MiB of zeros: the one bounded
    inflate call stops at the ratio bound (~1 MiB + 64 x its 64 kB) and refuses it."""
    data = b"NEWARE" + bytes(64 * 1024**2)
    path = _lying_zip(tmp_path / "liar.nda.zip", "liar.nda", data, declared=2048)
    message = refused(path, "neware_nda")
    assert "zip bomb" in message and "compression_ratio" in message


def test_nda_zip_with_a_wrong_crc_is_refused(data_dir, tmp_path):
    with zipfile.ZipFile(data_dir / "neware" / "nda_v22.nda.zip") as zf:
        (name,) = zf.namelist()
        data = zf.read(name)
    path = _lying_zip(tmp_path / "crc.nda.zip", "crc.nda", data, len(data), crc=12345)
    assert "CRC-32" in refused(path, "neware_nda")


@pytest.mark.parametrize("name", ["nda8.nda.zip", "nda_v22.nda.zip", "SIM.nda.zip"])
def test_bounded_inflate_gives_zipfiles_bytes(data_dir, name):
    """:func:`only_member` (one zlib call) returns what zipfile's own reader returns."""
    from ssblab.io.neware.inflate import only_member

    path = data_dir / "neware" / name
    with zipfile.ZipFile(path) as zf:
        (member,) = zf.namelist()
        expected = zf.read(member)
    assert only_member(path, ".nda", 2 * 1024**3) == expected


def test_stored_nda_zip_reads_as_the_plain_file(data_dir, tmp_path):
    """A member stored without compression is read as it is (and checked by its CRC)."""
    plain = data_dir / "neware" / "TestFile.nda"
    path = tmp_path / "stored.nda.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.write(plain, "TestFile.nda")
    assert read(path).table.equals(read(plain).table)
