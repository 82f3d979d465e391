"""Text of a file's first bytes for format sniffing, without Polars or NumPy.

Light sniffs (``Format.sniff`` in :data:`ssblab.io.FORMATS`) live in modules
that import only the standard library, so that detecting a file costs no heavy
import; the reader modules register the same functions.
"""

from __future__ import annotations


def sniff_text(head: bytes) -> str:
    """The first bytes of a file as text for sniffing ('' for binary content)."""
    if b"\x00" in head:
        return ""
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the head is fine
        if exc.start >= len(head) - 4:
            return head[: exc.start].decode("utf-8", errors="replace")
        return head.decode("cp1252", errors="replace")
