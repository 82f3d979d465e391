"""Defensive helpers shared by readers: files are untrusted input.

Bounded reads, bounded decompression, and archive members that cannot escape
their folder. Nothing here executes or unpickles file content.
"""

from __future__ import annotations

import contextvars
import gzip
import zipfile
from pathlib import Path, PurePosixPath

from ssblab import limits
from ssblab.errors import ReadError

#: Largest decompressed size accepted from any archive member [bytes] (limit member_bytes).
MAX_DECOMPRESSED_BYTES = int(limits.LIMITS["member_bytes"].default)
#: Largest ratio of decompressed to compressed size before we call it a bomb.
MAX_COMPRESSION_RATIO = limits.LIMITS["compression_ratio"].default

#: Bytes decompressed so far by the read in progress (checked against its row count).
DECOMPRESSED: contextvars.ContextVar[int] = contextvars.ContextVar("decompressed", default=0)


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
            bound = decompression_bound(max_bytes, info.compress_size)
            if info.file_size > bound[0]:
                raise bomb_error(archive, name, info.file_size, bound)
            return _bounded_read(zf.open(info), bound, archive, name)
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
    bound = decompression_bound(max_bytes, path.stat().st_size)
    try:
        return _bounded_read(gzip.open(path, "rb"), bound, path, "")
    except (OSError, EOFError) as exc:
        raise ReadError(f"{path}: corrupt gzip data ({exc})") from exc


def decompression_bound(max_bytes: int, compressed: int) -> tuple[int, str]:
    """The most bytes that *compressed* bytes may inflate to, and the limit that sets it.

    The tighter of *max_bytes* (capped by the ``member_bytes`` limit) and the
    ``compression_ratio`` limit times *compressed* (+1 MiB): with the default
    limits, 1 MB compressed gives ``(65048576, "compression_ratio")``. Every bounded
    decompression here and in :mod:`ssblab.io.neware.inflate` checks against it.
    """
    by_size = min(max_bytes, int(limits.value("member_bytes")))
    by_ratio = int(max(compressed, 1) * limits.value("compression_ratio")) + 2**20
    return (by_size, "member_bytes") if by_size <= by_ratio else (by_ratio, "compression_ratio")


def bomb_error(archive: Path, name: str, size: int, bound: tuple[int, str]) -> ReadError:
    """The one-line refusal of *name* in *archive* (``""``: the whole content) that
    decompresses to *size* bytes or more, beyond *bound* (:func:`decompression_bound`)."""
    what = f"member {name!r}" if name else "content"
    return ReadError(
        f"{archive}: {what} decompresses to more than {bound[0]} bytes "
        f"(limit {bound[1]}; found {size}+); refusing a possible zip bomb"
    )


def _bounded_read(stream, bound: tuple[int, str], archive: Path, name: str) -> bytes:
    """Stream into one buffer, stopping as soon as *bound* bytes are exceeded."""
    buf = bytearray()
    with stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            if len(buf) + len(chunk) > bound[0]:
                raise bomb_error(archive, name, len(buf) + len(chunk), bound)
            buf += chunk
    DECOMPRESSED.set(DECOMPRESSED.get() + len(buf))
    return bytes(buf)


def preflight(path: Path, head: bytes) -> None:
    """Refuse, before any reader runs, files whose own headers declare a breach of a limit:
    Parquet row counts (footer) and zip members' declared sizes (xlsx XML included)."""
    size = path.stat().st_size
    if head.startswith(b"PAR1"):
        import pyarrow.parquet as pq

        try:
            rows = pq.read_metadata(path).num_rows
        except Exception:  # unreadable footers are the reader's to refuse, in its words
            return
        limits.check(path, "rows", rows, "Parquet footer")
        if rows > limits.FIXED_ROWS:
            limits.check(path, "rows_per_file_byte", rows / size, f"{rows} rows in {size} bytes")
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return
        for info in infos:
            bound = decompression_bound(MAX_DECOMPRESSED_BYTES, info.compress_size)
            if info.file_size > bound[0] and not info.filename.startswith("xl/"):
                raise bomb_error(path, info.filename, info.file_size, bound)
        xml = sum(i.file_size for i in infos if i.filename.startswith("xl/"))
        if xml:
            limits.check(path, "xlsx_xml_bytes", xml, "declared XML size of the workbook")
            ratio = xml / max(
                1, sum(i.compress_size for i in infos if i.filename.startswith("xl/"))
            )
            if xml > 2**20:
                limits.check(path, "compression_ratio", ratio, "workbook XML")
            _check_crc(path, [i for i in infos if i.filename.startswith("xl/")])


def _check_crc(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Decompress the (size-bounded) workbook members once to check their CRCs, so that a
    corrupt workbook is refused in milliseconds, not after seconds of XML parsing."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                with zf.open(info) as member:
                    while member.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise ReadError(f"{path}: not a valid workbook (zip member check: {exc})") from None
    except Exception as exc:  # zlib.error and friends, from a corrupt deflate stream
        raise ReadError(f"{path}: not a valid workbook (corrupt compressed data: {exc})") from None


def check_rows(path: Path, rows: int) -> None:
    """After a read: the row count and the bytes decompressed per row are within limits."""
    limits.check(path, "rows", rows)
    spent = DECOMPRESSED.get()
    if spent > limits.FIXED_ALLOWANCE_BYTES + limits.value("bytes_per_row") * rows:
        raise limits.breach(
            path,
            "bytes_per_row",
            (spent - limits.FIXED_ALLOWANCE_BYTES) / max(rows, 1),
            f"{spent} bytes decompressed for {rows} rows",
        )


def ragged_lines(data: bytes, header_line: int, sep: bytes = b",") -> tuple[list[bool], str]:
    """Which data lines after the header at 0-based line *header_line* have another number
    of *sep*-separated fields than most data lines (a stray comma, decimal commas, a cut
    last line): one flag per non-empty data line, and a note naming the first one ("" if
    none). The usual width is the data lines' own (exports often end rows with a separator
    the header lacks). Quoted fields are not special-cased: for unquoted numeric exports."""
    rows = [ln.rstrip(b"\r") for ln in data.split(b"\n")[header_line + 1 :]]
    counts = [(n, ln.count(sep)) for n, ln in enumerate(rows, start=header_line + 2) if ln.strip()]
    if not counts:
        return [], ""
    widths: dict[int, int] = {}
    for _, width in counts:
        widths[width] = widths.get(width, 0) + 1
    usual = max(widths, key=widths.__getitem__)
    flags = [width != usual for _, width in counts]
    bad = [n for (n, _), flag in zip(counts, flags, strict=True) if flag]
    if not bad:
        return flags, ""
    note = (
        f"{len(bad)} data lines have another number of fields than the other {usual + 1} "
        f"(first at line {bad[0]}: a stray separator, decimal commas or a cut line); "
        "their values would be shifted, so they are left out (counted as skipped)"
    )
    return flags, note
