"""Attack files built in a temporary folder (never committed): archive bombs whose deflate
stream repeats one flushed block, a tiny Parquet of 60 M rows, a pathological workbook.

A block compressed after ``Z_FULL_FLUSH`` decodes the same wherever it stands, so a
stream of *n* copies inflates to *n* times the chunk: a 2 GB member costs 15 MB of disk
and a fraction of a second to build.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

MiB = 1024**2


def chunk_with_ratio(ratio: float, size: int = MiB, seed: int = 0) -> bytes:
    """*size* bytes that deflate about *ratio* : 1 (random bytes among zeros)."""
    noise = max(1, int(size / ratio * 0.78))
    rng = random.Random(seed)
    return rng.randbytes(noise) + bytes(size - noise)


def repeated_deflate(chunk: bytes, times: int, head: bytes = b"") -> tuple[bytes, int, int]:
    """Raw deflate of *chunk* repeated *times*; returns ``(stream, crc32, size)``.

    The CRC is that of one chunk (computing the real one costs seconds): every bound is
    reached long before a reader could get to the end and check it."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH) if head else b""
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    return first + block * times + b"\x03\x00", zlib.crc32(chunk), len(head) + len(chunk) * times


def write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of pre-deflated members ``(name, raw_deflate, crc32, size)`` (sizes < 4 GiB)."""
    local, central, offset = [], [], 0
    for name, data, crc, size in members:
        raw = name.encode()
        head = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0
        )
        local.append(head + raw + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
        offset += len(local[-1])
    directory = b"".join(central)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0
    )
    path.write_bytes(b"".join(local) + directory + end)
    return path


def deflated(data: bytes) -> tuple[bytes, int, int]:
    """An ordinary member: raw deflate, crc32, size."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(), zlib.crc32(data), len(data)


def ndax_bomb(path: Path, total: int = 2 * 10**9, ratio: float = 139, lie: bool = False) -> Path:
    """A ``.ndax`` whose ``data.ndc`` inflates to *total* bytes at about *ratio*; with *lie*
    the directory declares 1 MiB so only streaming can stop it."""
    times = total // MiB
    stream, crc, size = repeated_deflate(chunk_with_ratio(ratio), times)
    version = deflated(b'<?xml version="1.0"?><BTS><DataVersion>17</DataVersion></BTS>')
    return write_zip(
        path,
        [("VersionInfo.xml", *version), ("data.ndc", stream, crc, MiB if lie else size)],
    )


def gzip_bomb(path: Path, total: int = 2 * 10**9) -> Path:
    """An Arbin ``.res.gz``: an Access header, then *total* zero bytes (2 MB on disk)."""
    jet = b"\x00\x01\x00\x00Standard Jet DB\x00"
    stream, crc, size = repeated_deflate(bytes(MiB), total // MiB, head=jet)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    path.write_bytes(header + stream + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def xlsx_bomb(path: Path, xml_bytes: int = 600 * MiB) -> Path:
    """A 1.7 MB workbook whose one sheet is *xml_bytes* of cells (ratio ~ 380)."""
    row = b'<row r="1">' + b'<c r="A1" t="n"><v>3.3</v></c>' * 340 + b"</row>"
    chunk = (row * (MiB // len(row) + 1))[:MiB]
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    head += b'spreadsheetml/2006/main"><sheetData>'
    stream, crc, size = repeated_deflate(chunk, xml_bytes // MiB)
    workbook = b'<?xml version="1.0"?><workbook><sheets><sheet name="Global_Info" sheetId="1"/>'
    workbook += b'<sheet name="Channel_1" sheetId="2"/>'
    workbook += b"</sheets></workbook>"
    return write_zip(
        path,
        [
            ("[Content_Types].xml", *deflated(b'<?xml version="1.0"?><Types/>')),
            ("xl/workbook.xml", *deflated(workbook)),
            ("xl/worksheets/sheet0.xml", *deflated(head)),
            ("xl/worksheets/sheet1.xml", stream, crc, size),
        ],
    )


def tiny_parquet(path: Path, rows: int = 60_000_000) -> Path:
    """A Parquet file of *rows* canonical rows, all null (0.4 MB: run-length encoded)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    group = 1_000_000
    schema = pa.schema(
        [
            ("Test Time / s", pa.float64()),
            ("Voltage / V", pa.float64()),
            ("Current / A", pa.float64()),
        ]
    )
    empty = pa.nulls(group, pa.float64())
    table = pa.table({n: empty for n in schema.names}, schema=schema)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for _ in range(rows // group):
            writer.write_table(table)
    return path
