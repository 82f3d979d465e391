"""Defensive helpers shared by readers: files are untrusted input.

Bounded reads, bounded decompression, and archive members that cannot escape
their folder. Nothing here executes or unpickles file content.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path, PurePosixPath

from ssblab.errors import ReadError

#: Largest decompressed size accepted from any archive member [bytes].
MAX_DECOMPRESSED_BYTES = 2 * 1024**3
#: Largest ratio of decompressed to compressed size before we call it a bomb.
MAX_COMPRESSION_RATIO = 200


def check_file(path: Path) -> Path:
    """Return *path* if it is a readable, non-empty regular file; else raise ReadError."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if not path.is_file():
        raise ReadError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: file is empty")
    return path


def read_head(path: Path, n: int = 4096) -> bytes:
    """First *n* bytes of *path* (for format sniffing)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise ReadError(f"{path}: cannot be opened ({exc.strerror or exc})") from exc


def safe_member_name(archive: Path, name: str) -> str:
    """Refuse archive member names that are absolute or climb out with ``..``."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")):
        raise ReadError(f"{archive}: archive member {name!r} has an unsafe path")
    return name


def read_zip_member(
    archive: Path,
    name: str,
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> bytes:
    """Decompress one member of a zip archive, refusing anything beyond *max_bytes*.

    The bound is enforced while streaming, so a zip bomb whose header lies about
    its size is stopped after *max_bytes* have been produced, not after all of them.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            info = zf.getinfo(safe_member_name(archive, name))
            limit = min(max_bytes, max(info.compress_size, 1) * MAX_COMPRESSION_RATIO + 2**20)
            if info.file_size > limit:
                raise ReadError(
                    f"{archive}: member {name!r} would decompress to {info.file_size} bytes "
                    f"(limit {limit}); refusing a possible zip bomb"
                )
            return _bounded_read(zf.open(info), limit, archive, name)
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{archive}: not a valid zip archive ({exc})") from exc
    except KeyError:
        raise ReadError(f"{archive}: archive has no member {name!r}") from None


def zip_names(archive: Path) -> list[str]:
    """Member names of a zip archive, each checked with :func:`safe_member_name`."""
    try:
        with zipfile.ZipFile(archive) as zf:
            return [safe_member_name(archive, n) for n in zf.namelist()]
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{archive}: not a valid zip archive ({exc})") from exc


def read_gzip(path: Path, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress a gzip file, refusing output beyond *max_bytes* or the ratio bound."""
    limit = min(max_bytes, path.stat().st_size * MAX_COMPRESSION_RATIO + 2**20)
    try:
        return _bounded_read(gzip.open(path, "rb"), limit, path, "")
    except (OSError, EOFError) as exc:
        raise ReadError(f"{path}: corrupt gzip data ({exc})") from exc


def _bounded_read(stream, limit: int, archive: Path, name: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    with stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                what = f"member {name!r}" if name else "content"
                raise ReadError(
                    f"{archive}: {what} decompresses beyond {limit} bytes; "
                    "refusing a possible zip bomb"
                )
            chunks.append(chunk)
    return b"".join(chunks)
