"""The literature benchmark: the seed papers' tables as validated, queryable data.

Two tables ship with ssblab, each value with its source and table/figure:

* ``anode_comparison.csv`` — every row of Supplementary Table 1 of Cui et al.
  (the composite-Al seed): anode, N/P, areal capacity, long-cycle number and
  current density, cathode and its loading, ICE. Missing values stay missing.
* ``seed_results.csv`` — the numbers both seeds report for their own cells, in
  long form (study, cell, quantity, value, unit, conditions, source, location).

Users add rows of their own reading with :func:`add_rows` (validated first,
written atomically: nothing is partially written). Derived columns (C-rate,
cumulative areal capacity) are computed here, never typed.
"""

from __future__ import annotations

import csv
import io
import os
from importlib import resources
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ssblab.errors import SsblabError


class BenchError(SsblabError):
    """A benchmark row or query is invalid."""


class AnodeRow(BaseModel):
    """One literature anode: the columns of Cui et al. Table S1, with units in the names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    anode: str = Field(min_length=1)
    np_ratio: float | None = Field(default=None, gt=0, le=1000)
    np_ratio_text: str = ""
    areal_capacity_mAh_cm2: float | None = Field(default=None, gt=0, le=100)
    cycles: int | None = Field(default=None, gt=0)
    current_density_mA_cm2: float | None = Field(default=None, gt=0, le=1000)
    cathode: str = ""
    cathode_loading_mg_cm2: float | None = Field(default=None, gt=0, le=1000)
    ice_percent: float | None = Field(default=None, gt=0, le=100)
    temperature_C: float | None = Field(default=None, ge=-60, le=300)
    pressure_MPa: float | None = Field(default=None, ge=0, le=5000)
    reference: str = ""
    reference_text: str = ""
    source: str = Field(min_length=1)
    location: str = ""
    note: str = ""


ANODE_SCHEMA: dict[str, type[pl.DataType]] = {
    "anode": pl.String,
    "np_ratio": pl.Float64,
    "np_ratio_text": pl.String,
    "areal_capacity_mAh_cm2": pl.Float64,
    "cycles": pl.Int64,
    "current_density_mA_cm2": pl.Float64,
    "cathode": pl.String,
    "cathode_loading_mg_cm2": pl.Float64,
    "ice_percent": pl.Float64,
    "temperature_C": pl.Float64,
    "pressure_MPa": pl.Float64,
    "reference": pl.String,
    "reference_text": pl.String,
    "source": pl.String,
    "location": pl.String,
    "note": pl.String,
}

RESULT_SCHEMA: dict[str, type[pl.DataType]] = {
    "study": pl.String,
    "cell": pl.String,
    "quantity": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "current_density_mA_cm2": pl.Float64,
    "areal_capacity_mAh_cm2": pl.Float64,
    "c_rate": pl.Float64,
    "cycle": pl.Int64,
    "source": pl.String,
    "location": pl.String,
}


def user_rows_path() -> Path:
    """Where ``bench add`` keeps user rows: ``$SSBLAB_HOME/bench_user.csv`` (default ~/.ssblab)."""
    home = Path(os.environ.get("SSBLAB_HOME", Path.home() / ".ssblab"))
    return home / "bench_user.csv"


def _packaged_csv(name: str) -> str:
    return resources.files("ssblab.bench").joinpath("data", name).read_text("utf-8")


def _read_csv(text: str, schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema=schema, null_values=[""])


def with_derived(frame: pl.DataFrame) -> pl.DataFrame:
    """Add computed columns: C-rate [h-1] and cumulative areal capacity [mAh cm-2].

    C-rate = current density / areal capacity; cumulative areal capacity =
    areal capacity × number of cycles (the charge an electrode cycled in total).
    """
    return frame.with_columns(
        (pl.col("current_density_mA_cm2") / pl.col("areal_capacity_mAh_cm2")).alias("c_rate"),
        (pl.col("areal_capacity_mAh_cm2") * pl.col("cycles")).alias(
            "cumulative_areal_capacity_mAh_cm2"
        ),
    )


def anodes(include_user: bool = True) -> pl.DataFrame:
    """The anode comparison table (packaged rows, then the user's), with derived columns."""
    frame = _read_csv(_packaged_csv("anode_comparison.csv"), ANODE_SCHEMA).with_columns(
        pl.lit("ssblab").alias("origin")
    )
    user = user_rows_path()
    if include_user and user.is_file():
        extra = _read_csv(user.read_text("utf-8"), ANODE_SCHEMA).with_columns(
            pl.lit("user").alias("origin")
        )
        frame = pl.concat([frame, extra])
    return with_derived(frame)


def seed_results() -> pl.DataFrame:
    """The numbers both seed papers report for their own cells (long form)."""
    return _read_csv(_packaged_csv("seed_results.csv"), RESULT_SCHEMA)


def validate_rows(path: Path) -> list[AnodeRow]:
    """Parse and validate every row of a user CSV; all problems are reported at once."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BenchError(f"{path}: cannot be read ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(ANODE_SCHEMA)
    if unknown:
        raise BenchError(
            f"{path}: unknown column(s) {sorted(unknown)}; valid: {list(ANODE_SCHEMA)}"
        )
    rows, problems = [], []
    for line, raw in enumerate(reader, start=2):
        clean = {k: (v if v not in ("", None) else None) for k, v in raw.items()}
        clean = {k: v for k, v in clean.items() if v is not None}
        try:
            rows.append(AnodeRow.model_validate(clean))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(x) for x in first["loc"]) or "row"
            problems.append(f"line {line}: {field}: {first['msg']}")
    if problems:
        raise BenchError(
            f"{path}: {len(problems)} bad row(s), nothing written: " + "; ".join(problems)
        )
    if not rows:
        raise BenchError(f"{path}: no rows to add")
    return rows


def add_rows(path: str | Path) -> int:
    """Validate the rows of *path* and append them to the user's table atomically."""
    rows = validate_rows(Path(path))
    target = user_rows_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    existing = target.read_text("utf-8") if target.is_file() else ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ANODE_SCHEMA))
    if not existing:
        writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.model_dump().items()})
    tmp = target.with_suffix(".tmp")
    tmp.write_text(existing + buffer.getvalue(), encoding="utf-8")
    tmp.replace(target)
    return len(rows)
