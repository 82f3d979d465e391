"""Registry of instrument readers, keyed by format name.

A reader module decorates its entry function with :func:`reader`; the function
takes a path and returns a :class:`ssblab.schema.Run`. Detection asks every
reader's ``sniff`` (content first, as a file extension can lie), then falls back
to the file suffix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ssblab.errors import SsblabError, UnknownFormatError
from ssblab.schema import Run

ReaderFn = Callable[[Path], Run]
#: sniff(head_bytes, path) -> True when the file is of this format.
SniffFn = Callable[[bytes, Path], bool]

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ReaderInfo:
    """A registered reader: its name, what it reads and how to recognise a file."""

    name: str
    fn: ReaderFn
    suffixes: tuple[str, ...]
    sniff: SniffFn | None
    description: str


READERS: dict[str, ReaderInfo] = {}


class DuplicateReaderError(SsblabError):
    """A reader name is registered twice without ``overwrite=True``."""


def reader(
    name: str,
    *,
    suffixes: tuple[str, ...] = (),
    sniff: SniffFn | None = None,
    description: str = "",
    overwrite: bool = False,
) -> Callable[[ReaderFn], ReaderFn]:
    """Register the decorated function as the reader for format *name*."""

    def register(fn: ReaderFn) -> ReaderFn:
        if name in READERS and not overwrite:
            raise DuplicateReaderError(f"reader {name!r} is already registered")
        doc = description or (fn.__doc__ or "").strip().splitlines()[0:1]
        READERS[name] = ReaderInfo(
            name=name,
            fn=fn,
            suffixes=tuple(s.lower() for s in suffixes),
            sniff=sniff,
            description=doc if isinstance(doc, str) else (doc[0] if doc else ""),
        )
        return fn

    return register


def _suffixes_of(path: Path) -> list[str]:
    """All trailing suffixes of *path*, longest first (".nda.zip", ".zip")."""
    parts = [s.lower() for s in path.suffixes]
    return ["".join(parts[i:]) for i in range(len(parts))]


def detect(path: Path, head: bytes) -> str:
    """Return the format name for *path*, by content first, then by suffix."""
    for info in READERS.values():
        if info.sniff is not None:
            try:
                if info.sniff(head, path):
                    return info.name
            except Exception:
                continue
    for suffix in _suffixes_of(path):
        for info in READERS.values():
            if info.sniff is None and suffix in info.suffixes:
                return info.name
    valid = ", ".join(sorted(READERS)) or "(none registered)"
    raise UnknownFormatError(f"{path}: no reader recognises this file (known formats: {valid})")


def get(name: str) -> ReaderInfo:
    """Look up a reader by name; unknown names list the valid ones."""
    try:
        return READERS[name]
    except KeyError:
        valid = ", ".join(sorted(READERS))
        raise UnknownFormatError(f"unknown format {name!r}; valid formats: {valid}") from None
