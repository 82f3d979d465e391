"""Battery Data Format (BDF) files: read CSV/Parquet, write Parquet and BDF CSV.

BDF (Battery Data Alliance, https://github.com/battery-data-alliance/battery-data-format)
names quantities either by human label (``Test Time / s``) or by machine name
(``test_time_second``); both are read. ssblab's canonical table already uses the
BDF labels and conventions (SI units, positive current charges), so reading is
mostly typing:

* every known column gets its canonical dtype from an explicit schema, so a
  column whose first thousand values are ``0`` is still read as Float64;
* capacity/energy counters that reset (BDF files converted from per-step
  vendors, like the LANDT file in the project data) are made cumulative;
* ``Test Time / s`` is shifted to start at 0 if it does not;
* columns in other BDF units (``Test Time / h``, ``Current / mA``...) are
  converted and a test time that falls back is stitched
  (:mod:`ssblab.io.bdf.units`), each named in the notes.

Writers:

* :func:`write_parquet` keeps :class:`~ssblab.schema.RunMeta` as JSON in the
  Arrow schema metadata under the key ``ssblab``; :func:`read_bdf_parquet`
  gives back the same table and metadata.
* :func:`write_bdf_csv` writes BDF machine names (ssblab extensions keep their
  label), shortest round-trip float text, and the metadata in the sidecar
  ``<file>.metadata.json`` (the layout ``batterydf``'s ``bdf.io.save`` uses).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError, SsblabError
from ssblab.io import _tabular as t
from ssblab.io.bdf.sniff import header_fields as _header_fields
from ssblab.io.bdf.sniff import label as _label
from ssblab.io.bdf.sniff import sniff_csv, sniff_parquet
from ssblab.io.bdf.units import canonical_label, convert, stitch_time
from ssblab.io.registry import reader
from ssblab.schema import Run, RunMeta

CSV_FORMAT = "bdf_csv"
PARQUET_FORMAT = "bdf_parquet"
#: Key of the RunMeta JSON in Parquet schema metadata and in the CSV sidecar.
META_KEY = "ssblab"
SIDECAR_SUFFIX = ".metadata.json"
SIDECAR_MAX_BYTES = 16 * 1024**2
HEADER_MAX_CHARS = 65536
COUNTERS = (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)


# --- reading -------------------------------------------------------------------


def _typed(frame: pl.DataFrame, keep: dict[str, str]) -> pl.DataFrame:
    """Unknown text columns that are all numbers become Float64, except those in *keep*."""
    casts = []
    for name, dtype in frame.schema.items():
        if name in s.COLUMNS or name in keep or dtype != pl.String:
            continue
        as_float = frame.get_column(name).cast(pl.Float64, strict=False)
        if as_float.null_count() == frame.get_column(name).null_count():
            casts.append(as_float)
    return frame.with_columns(casts) if casts else frame


def _conventions(table: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Apply ssblab conventions a BDF file may not follow; say what changed."""
    notes: list[str] = []
    table, stitched = stitch_time(table)
    notes += [stitched] if stitched else []
    present = [c for c in COUNTERS if c in table.columns]
    if present:
        made = table.select([t.cumulative(pl.col(c)).alias(c) for c in present])
        if not made.equals(table.select(present)):
            table = table.with_columns(made)
            notes.append("capacity/energy counters reset in the file; made cumulative")
    table, shift = t.zero_based_time(table)
    if shift:
        notes.append(f"test time shifted by {-shift:g} s so the first record is at 0")
    table, renumbered = t.cycles_from_one(table)
    notes += renumbered
    return table, notes


def _csv_schema(header: list[str], labels: list[str]) -> dict[str, type[pl.DataType]]:
    """Explicit dtypes per header field: canonical columns typed, others as text."""
    dtypes: dict[str, type[pl.DataType]] = {}
    for name, label in zip(header, labels, strict=True):
        dtypes[name] = s.COLUMNS[label][0] if label in s.COLUMNS else pl.String
    # integers are read as floats first ("1.0" must not fail) and checked below
    return {n: (pl.Float64 if d == pl.Int64 else d) for n, d in dtypes.items()}


def _to_integers(path: Path, table: pl.DataFrame) -> pl.DataFrame:
    ints = [c for c in table.columns if s.COLUMNS.get(c, (None,))[0] == pl.Int64]
    for c in ints:
        col = table.get_column(c)
        if ((col.round(0) != col) & col.is_not_null()).any():
            raise ReadError(f"{path}: column {c!r} holds non-integer values")
    return table.with_columns([pl.col(c).cast(pl.Int64) for c in ints])


#: sidecar key of the dtypes of columns outside the canonical schema
DTYPES_KEY = "ssblab_extra_dtypes"
#: dtypes an extra column may be restored to (by name; nothing is evaluated)
RESTORABLE: dict[str, type[pl.DataType]] = {
    "String": pl.String,
    "Float64": pl.Float64,
    "Float32": pl.Float32,
    "Int64": pl.Int64,
    "Int32": pl.Int32,
    "Boolean": pl.Boolean,
}


def read_sidecar(path: Path) -> tuple[RunMeta | None, dict[str, str]]:
    """RunMeta and extra-column dtypes from ``<file>.metadata.json`` written by ssblab.

    Returns ``(None, {})`` when there is no sidecar or it was written by
    another tool (no ``ssblab`` entry).
    """
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if not side.is_file():
        return None, {}
    if side.stat().st_size > SIDECAR_MAX_BYTES:
        raise ReadError(f"{side}: metadata sidecar larger than {SIDECAR_MAX_BYTES} bytes")
    try:
        raw = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"{side}: metadata sidecar is not valid JSON ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get(META_KEY), dict):
        return None, {}
    dtypes = raw.get(DTYPES_KEY, {})
    dtypes = {str(k): str(v) for k, v in dtypes.items()} if isinstance(dtypes, dict) else {}
    return RunMeta.from_json(json.dumps(raw[META_KEY])), dtypes


def _restore(name: str, kind: str) -> pl.Expr:
    if kind == "Boolean":  # written as true/false text
        words = {"true": True, "false": False}
        return pl.col(name).replace_strict(words, default=None, return_dtype=pl.Boolean)
    return pl.col(name).cast(RESTORABLE[kind])


def _restore_dtypes(table: pl.DataFrame, dtypes: dict[str, str]) -> pl.DataFrame:
    casts = [
        _restore(name, kind)
        for name, kind in dtypes.items()
        if name in table.columns and name not in s.COLUMNS and kind in RESTORABLE
    ]
    return table.with_columns(casts) if casts else table


@reader(
    CSV_FORMAT,
    suffixes=(".bdf.csv",),
    sniff=sniff_csv,
    description="Battery Data Format CSV (labels or machine names)",
)
def read_bdf_csv(path: Path) -> Run:
    """Read a BDF CSV file (human labels or machine names) into the canonical table.

    Parameters
    ----------
    path : Path
        The CSV file; a sidecar ``<file>.metadata.json`` written by
        :func:`write_bdf_csv` restores the metadata.

    Returns
    -------
    Run
        Known columns typed per :data:`ssblab.schema.COLUMNS`; unknown columns
        kept (Float64 when every value is a number). Rows whose time, voltage
        or current is empty or not a number are counted in ``rows_skipped``.
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = _header_fields(fh.readline(HEADER_MAX_CHARS))
    labels, factors = [], {}
    for name in header:
        label, factor = canonical_label(path, _label(name))
        labels.append(label)
        if factor is not None:
            factors[label] = (name.rpartition(" / ")[2].strip(), factor)
    missing = [c for c in s.REQUIRED if c not in labels]
    if missing:
        raise ReadError(f"{path}: BDF CSV lacks required columns {missing}")
    if len(set(labels)) != len(labels):
        raise ReadError(f"{path}: BDF CSV names a column twice (label and machine name?)")
    data, cut, line_notes = t.checked_lines(path, path.read_bytes(), 1)
    raw, value_notes = t.read_counted(
        path,
        data,
        _csv_schema(header, labels),
        has_header=True,
        infer_schema=False,
        encoding="utf8-lossy",
        null_values=[""],
    )
    raw = convert(raw.rename(dict(zip(raw.columns, labels, strict=True))), factors)
    table, skipped = t.drop_undecodable(raw, s.REQUIRED)
    skipped += cut
    stored, dtypes = read_sidecar(path)
    table = _typed(_restore_dtypes(_to_integers(path, table), dtypes), keep=dtypes)
    if stored is not None and not skipped and not value_notes:
        return Run(t.finish(table), stored)
    table, notes = _conventions(table)
    notes += [f"{label} converted from {unit}" for label, (unit, _) in factors.items()]
    notes += line_notes + value_notes
    if skipped - cut:
        notes.append(f"{skipped - cut} records with undecodable time, voltage or current left out")
    base = stored or RunMeta(source=str(path), source_format=CSV_FORMAT)
    meta = base.with_(rows_skipped=base.rows_skipped + skipped, notes=base.notes + tuple(notes))
    return Run(t.finish(table), meta)


@reader(
    PARQUET_FORMAT,
    suffixes=(".parquet", ".bdf.parquet"),
    sniff=sniff_parquet,
    description="Parquet in the ssblab/BDF layout (RunMeta kept in its metadata)",
)
def read_bdf_parquet(path: Path) -> Run:
    """Read Parquet written by :func:`write_parquet` (or any BDF Parquet).

    Parameters
    ----------
    path : Path
        The ``.parquet`` file.

    Returns
    -------
    Run
        The stored table and, when present, the stored :class:`RunMeta`
        (a lossless round trip); otherwise the BDF conventions are applied as
        for CSV.
    """
    path = Path(path)
    try:
        with _panic_text_held():
            kv = pl.read_parquet_metadata(path)
            frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ReadError(f"{path}: not a readable Parquet file ({exc})") from exc
    labels = [_label(n) for n in frame.columns]
    if len(set(labels)) != len(labels):
        raise ReadError(f"{path}: Parquet names a column twice (label and machine name?)")
    frame = frame.rename(dict(zip(frame.columns, labels, strict=True)))
    missing = [c for c in s.REQUIRED if c not in frame.columns]
    if missing:
        raise ReadError(f"{path}: Parquet lacks required columns {missing}")
    if META_KEY in kv:
        return Run(t.finish(frame), RunMeta.from_json(kv[META_KEY]))
    table, skipped = t.drop_undecodable(t.finish(frame), s.REQUIRED)
    table, notes = _conventions(table)
    if skipped:
        notes.append(f"{skipped} records with null time, voltage or current left out")
    meta = RunMeta(
        source=str(path), source_format=PARQUET_FORMAT, rows_skipped=skipped, notes=tuple(notes)
    )
    return Run(t.finish(table), meta)


@contextlib.contextmanager
def _panic_text_held() -> Iterator[None]:
    """Hold what is written to file descriptor 2 while Polars reads a Parquet file.

    A corrupt file makes Polars panic: Rust prints the panic (and, with
    ``RUST_BACKTRACE``, a backtrace) straight to fd 2 before the
    ``PanicException`` that the registry turns into one error line. That text
    is dropped on a panic and written out unchanged otherwise.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        panicked = False
        try:
            yield
        except BaseException as exc:
            panicked = type(exc).__name__ == "PanicException"
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if not panicked:
                held.seek(0)
                text = held.read()
                if text:
                    os.write(2, text)


# --- writing -------------------------------------------------------------------


def _check_run(run: Run) -> None:
    if not isinstance(run, Run):
        raise SsblabError(f"expected an ssblab Run, got {type(run).__name__}")


def write_parquet(run: Run, path: str | Path) -> Path:
    """Write *run* to Parquet, its :class:`RunMeta` as JSON under schema metadata ``ssblab``.

    Parameters
    ----------
    run : Run
        Table and metadata to store.
    path : str or Path
        Destination file (``.parquet``); its folder must exist.

    Returns
    -------
    Path
        The file written.
    """
    _check_run(run)
    path = Path(path)
    run.table.write_parquet(path, compression="zstd", metadata={META_KEY: run.meta.to_json()})
    return path


def bdf_machine_names(table: pl.DataFrame) -> pl.DataFrame:
    """Rename canonical labels to BDF machine names; extensions keep their label."""
    names = {c: s.COLUMNS[c][1] for c in table.columns if c in s.COLUMNS and s.COLUMNS[c][1]}
    return table.rename(names)


def write_bdf_csv(run: Run, path: str | Path) -> Path:
    """Write *run* as BDF CSV (machine names) plus the sidecar ``<file>.metadata.json``.

    Floats are written in the shortest text that reads back to the same
    binary value, so :func:`read_bdf_csv` returns an identical table.

    Parameters
    ----------
    run : Run
        Table and metadata to store.
    path : str or Path
        Destination, by convention ``<name>.bdf.csv``; its folder must exist.

    Returns
    -------
    Path
        The CSV file written (the sidecar sits beside it).
    """
    _check_run(run)
    path = Path(path)
    bdf_machine_names(run.table).write_csv(path, float_precision=None, null_value="")
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    extra = {c: str(d) for c, d in run.table.schema.items() if c not in s.COLUMNS}
    payload = {META_KEY: asdict(run.meta), DTYPES_KEY: extra}
    side.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
    return path
