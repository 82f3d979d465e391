"""Write a :class:`~ssblab.schema.Run` to a file, the format chosen by suffix.

* ``.parquet`` — Parquet with the metadata inside (lossless round trip);
* ``.bdf.csv`` — BDF CSV with machine names plus ``<file>.metadata.json``;
* ``.csv`` — plain CSV with the canonical (BDF human) labels, for people and
  spreadsheets; no metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ssblab.errors import SsblabError
from ssblab.io import bdf
from ssblab.schema import Run


def _write_labelled_csv(run: Run, path: Path) -> Path:
    run.table.write_csv(path, float_precision=None, null_value="")
    return path


#: suffix -> writer, longest suffixes first so ".bdf.csv" wins over ".csv"
WRITERS: dict[str, Callable[[Run, Path], Path]] = {
    ".bdf.csv": bdf.write_bdf_csv,
    ".parquet": bdf.write_parquet,
    ".csv": _write_labelled_csv,
}


def writer_for(path: Path) -> Callable[[Run, Path], Path]:
    """The writer for *path*'s suffix; unknown suffixes list the valid ones."""
    name = path.name.lower()
    for suffix, fn in WRITERS.items():
        if name.endswith(suffix):
            return fn
    valid = ", ".join(WRITERS)
    raise SsblabError(f"{path}: cannot write this file type; use one of {valid}")


def write(run: Run, path: str | Path) -> Path:
    """Write *run* to *path*, choosing Parquet, BDF CSV or plain CSV by suffix.

    Parameters
    ----------
    run : Run
        The table and metadata to write.
    path : str or Path
        Destination; its folder must exist.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    SsblabError
        Unknown suffix, missing folder or a file that cannot be written.
    """
    path = Path(path)
    fn = writer_for(path)
    if not path.parent.is_dir():
        raise SsblabError(f"{path}: folder {path.parent} does not exist")
    try:
        return fn(run, path)
    except OSError as exc:
        raise SsblabError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
