"""Seeded byte mutations of real instrument files (the fuzz harness's generators).

Every mutation is a pure function of the input bytes and a ``random.Random``; a case
is reproduced from ``(file, kind, seed)`` alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Mutation = Callable[[bytes, random.Random], bytes]


def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut the file at a random point (a copy interrupted, a disk full)."""
    return data[: rng.randrange(1, max(2, len(data)))]


def bit_flips(data: bytes, rng: random.Random) -> bytes:
    """Flip 1-8 random bits."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    """Insert 1-64 random bytes at a random offset."""
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.randbytes(rng.randint(1, 64)) + data[i:]


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    """Delete 1-4096 bytes from a random offset."""
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 4096) :]


def _line_span(data: bytes, rng: random.Random) -> tuple[int, int]:
    """Start and end offsets of a random line in the second half of the file (data rows)."""
    i = rng.randrange(len(data) // 2, len(data)) if len(data) > 1 else 0
    start = data.rfind(b"\n", 0, i) + 1
    end = data.find(b"\n", i)
    return start, len(data) if end < 0 else end


def stray_comma(data: bytes, rng: random.Random) -> bytes:
    """Insert one comma into a random data line (a hand-edited CSV)."""
    start, end = _line_span(data, rng)
    i = rng.randint(start, max(start, end))
    return data[:i] + b"," + data[i:]


def decimal_commas(data: bytes, rng: random.Random) -> bytes:
    """Write decimal commas in a block of lines (a file re-saved in a German locale)."""
    start, _ = _line_span(data, rng)
    end = min(len(data), start + rng.randint(80, 20_000))
    return data[:start] + data[start:end].replace(b".", b",") + data[end:]


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "bit_flips": bit_flips,
    "insert": insert_bytes,
    "delete": delete_chunk,
    "stray_comma": stray_comma,
    "decimal_commas": decimal_commas,
}
