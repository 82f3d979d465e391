"""Read instrument files into the canonical table.

``read(path)`` detects the format by content (then suffix), runs the registered
reader and returns a :class:`ssblab.schema.Run`. Reader modules register
themselves with :func:`ssblab.io.registry.reader` when imported; they are
imported on first use so that ``import ssblab`` stays fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ssblab.io import registry
from ssblab.io.safety import check_file, read_head
from ssblab.schema import Run, validate

#: Reader packages under ``ssblab.io``, one per vendor or family of formats
#: (importing a package registers its readers; ``neware`` includes BTSDA's CSV).
READER_MODULES: tuple[str, ...] = (
    "bdf",
    "neware",
    "biologic",
    "land",  # before arbin: a LANDT export without its preamble has Arbin-like headers
    "arbin",
    "maccor",
    "novonix",
    "gamry",
)
_loaded = False


def load_readers() -> dict[str, registry.ReaderInfo]:
    """Import every reader module once and return the registry."""
    global _loaded
    if not _loaded:
        for name in READER_MODULES:
            full = f"ssblab.io.{name}"
            try:
                importlib.import_module(full)
            except ModuleNotFoundError as exc:
                if exc.name != full:  # a reader's own dependency is missing: say so
                    raise
        _loaded = True
    return registry.READERS


def detect(path: str | Path) -> str:
    """Name of the format of *path* (content first, then suffix)."""
    path = check_file(Path(path))
    load_readers()
    return registry.detect(path, read_head(path, registry.SNIFF_BYTES))


def read(path: str | Path, format: str | None = None) -> Run:
    """Read an instrument file into a :class:`~ssblab.schema.Run`.

    Parameters
    ----------
    path : str or Path
        The file. Its format is detected unless *format* is given.
    format : str, optional
        A registered reader name (see ``ssblab formats``).

    Raises
    ------
    ReadError
        One line naming the file and the problem.
    """
    path = check_file(Path(path))
    load_readers()
    name = format or registry.detect(path, read_head(path, registry.SNIFF_BYTES))
    info = registry.get(name)
    return registry.call_reader(info, path, lambda run: validate(run.table))
