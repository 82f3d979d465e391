"""Read instrument files into the canonical table.

``read(path)`` detects the format by content (then suffix), runs the registered
reader and returns a :class:`ssblab.schema.Run`. Reader modules register
themselves with :func:`ssblab.io.registry.reader` when imported; :data:`FORMATS`
lists the built-in ones so that only the detected format's reader is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssblab.io import registry
from ssblab.io.safety import check_file, read_head

if TYPE_CHECKING:  # the schema imports Polars: only read() needs it (detection does not)
    from ssblab.schema import Run

F = registry.Format
#: Built-in formats in detection order (the first sniff that says yes wins). A format's
#: reader module is imported only when a file is detected as it, when no light sniff
#: (``<vendor>/sniff.py``: standard library only, the same function the reader registers)
#: precedes it, or by :func:`load_readers`.
FORMATS: tuple[registry.Format, ...] = (
    F("bdf_csv", "ssblab.io.bdf.reader", "ssblab.io.bdf.sniff:sniff_csv"),
    F("bdf_parquet", "ssblab.io.bdf.reader", "ssblab.io.bdf.sniff:sniff_parquet"),
    F("neware_btsda_csv", "ssblab.io.neware.btsda", "ssblab.io.neware.sniff:sniff_btsda"),
    F("neware_nda", "ssblab.io.neware.reader", "ssblab.io.neware.sniff:sniff_nda"),
    F("neware_ndax", "ssblab.io.neware.reader", "ssblab.io.neware.sniff:sniff_ndax"),
    F("arbin_res", "ssblab.io.arbin.reader", "ssblab.io.arbin.sniff:sniff_res"),
    F("arbin_csv", "ssblab.io.arbin.reader"),
    F("arbin_xlsx", "ssblab.io.arbin.reader"),
    F("neware_regular_csv", "ssblab.io.neware.regular"),
    F("biologic_mpr", "ssblab.io.biologic.reader"),
    F("biologic_mpt", "ssblab.io.biologic.reader"),
    F("landt_csv", "ssblab.io.land.landt"),
    F("maccor_text", "ssblab.io.maccor.text"),
    F("novonix_csv", "ssblab.io.novonix.reader"),
    F("gamry_dta", "ssblab.io.gamry.dta"),
)
del F
#: Reader packages under ``ssblab.io`` (one per vendor or family of formats).
READER_MODULES: tuple[str, ...] = tuple(dict.fromkeys(fmt.module.split(".")[2] for fmt in FORMATS))
_BY_NAME = {fmt.name: fmt for fmt in FORMATS}
_loaded = False


def load_readers() -> dict[str, registry.ReaderInfo]:
    """Import every reader module once and return the registry (``ssblab formats``)."""
    global _loaded
    if not _loaded:
        for fmt in FORMATS:
            registry.import_module(fmt)
        _loaded = True
    return registry.READERS


def _reader(name: str) -> registry.ReaderInfo:
    """The registered reader of format *name*, importing its module if it is built in."""
    if name in _BY_NAME:
        registry.import_module(_BY_NAME[name])
    elif name not in registry.READERS:
        load_readers()  # the refusal lists every valid format
    return registry.get(name)


def detect(path: str | Path) -> str:
    """Name of the format of *path* (content first, then suffix)."""
    path = check_file(Path(path))
    return registry.detect(path, read_head(path, registry.SNIFF_BYTES), FORMATS)


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
    name = format or registry.detect(path, read_head(path, registry.SNIFF_BYTES), FORMATS)
    # the Run the reader returns validated its table when it was built: not again here
    return registry.call_reader(_reader(name), path)
