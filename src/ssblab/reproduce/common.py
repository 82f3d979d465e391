"""What every case study shares: the comparison rows and how they are written.

A case study puts each number a seed paper reports beside ssblab's own value
for it. The reported value is looked up in the packaged benchmark data
(:func:`ssblab.bench.data.seed_results` or the recipe's ``[reported]`` table,
both with their source); ssblab's value is computed — by design, simulation or
analysis — and never copied. Where ssblab has no way to compute a number, the
row says so (``ssblab`` is None and ``method`` gives the reason).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ssblab.errors import SsblabError
from ssblab.flags import Flag
from ssblab.schema import Run

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


#: What a row's ssblab number is: a measured or reported "input" carried into the model,
#: "calibrated" (a fitted parameter was set on this very number), "predicted" (a model number
#: used in no fit), or "design" (computed from the recipe by ssblab's design equations, no model).
ROLES = ("input", "calibrated", "predicted", "design")
#: A row whose ssblab number is further than this from the reported one is flagged ``miss``
#: (the case studies' tolerance for a model number against its paper) [%].
MISS_PERCENT = 15.0


@dataclass(frozen=True)
class Comparison:
    """One reported number beside ssblab's value for it.

    ``role`` is one of :data:`ROLES` (required); ``tolerance`` [row unit], when given,
    replaces :data:`MISS_PERCENT` in the miss rule; ``flags`` are the row's own remarks.
    """

    quantity: str
    cell: str
    reported: float | None
    ssblab: float | None
    unit: str
    method: str
    source: str = ""
    role: str = ""
    tolerance: float | None = None
    flags: tuple[Flag, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise SsblabError(
                f"comparison {self.cell}/{self.quantity}: role {self.role!r} is not one of "
                + ", ".join(ROLES)
            )

    @property
    def difference(self) -> float | None:
        """ssblab − reported, in the row's unit; 0 when the two agree to
        :data:`SAME_RELATIVE` (an input carried through arithmetic, not a difference)."""
        if self.reported is None or self.ssblab is None:
            return None
        diff = self.ssblab - self.reported
        scale = max(abs(self.ssblab), abs(self.reported))
        return 0.0 if abs(diff) <= SAME_RELATIVE * scale else diff

    @property
    def rel_diff_percent(self) -> float | None:
        """(ssblab − reported) / reported [%]."""
        if self.difference is None or not self.reported:
            return None
        return 100.0 * self.difference / self.reported

    @property
    def all_flags(self) -> tuple[Flag, ...]:
        """The row's own flags, and ``miss`` when it is beyond its tolerance (and none of its
        own flags already says so)."""
        if any(f.code == "miss" for f in self.flags) or self.difference is None:
            return self.flags
        rel = self.rel_diff_percent
        if self.tolerance is not None:
            if abs(self.difference) <= self.tolerance:
                return self.flags
            beyond = f"beyond its tolerance {self.tolerance:.3g} {self.unit}"
        elif rel is None or abs(rel) <= MISS_PERCENT:
            return self.flags
        else:
            beyond = f"beyond the {MISS_PERCENT:g} % a model number is held to"
        off = f"{rel:+.1f} %" if rel is not None else f"{self.difference:+.3g} {self.unit}"
        fitted = " (fitted to it, and still off)" if self.role == "calibrated" else ""
        message = f"{off} from the reported {self.reported:g} {self.unit}{fitted}: {beyond}"
        return (*self.flags, Flag(self.quantity, "miss", message))

    def to_dict(self) -> dict[str, Any]:
        """Stable keys for JSON and the report table (``flag``: the flags as one line)."""
        flags = self.all_flags
        return {
            **asdict(self),
            "flags": [f.as_dict() for f in flags],
            "flag": "; ".join(f"{f.message} [{f.code}]" for f in flags),
            "difference": self.difference,
            "rel_diff_percent": self.rel_diff_percent,
        }


#: Values agreeing to this relative difference are the same number (float round-off).
SAME_RELATIVE = 1e-9


@dataclass
class CaseStudy:
    """Everything a case study produced, ready to be written as one report."""

    name: str
    title: str
    comparisons: list[Comparison] = field(default_factory=list)
    runs: list[tuple[str, Run]] = field(default_factory=list)
    recipes: list[Path] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, *rows: Comparison) -> None:
        """Append comparison rows; each flag of a row also becomes a note (printed with them)."""
        self.comparisons.extend(rows)
        for row in rows:
            self.notes.extend(f"{row.cell}: {flag}" for flag in row.all_flags)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` payload of ``ssblab reproduce``."""
        return {
            "study": self.name,
            "title": self.title,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "not_modelled": [c.quantity for c in self.comparisons if c.ssblab is None],
            "notes": self.notes,
        }


def reported(study: str, cell: str, quantity: str, **conditions: float) -> tuple[float, str]:
    """A value the seed reports, from the packaged benchmark data, with its source.

    *conditions* filter on the benchmark's condition columns
    (``current_density_mA_cm2``, ``areal_capacity_mAh_cm2``, ``c_rate``, ``cycle``).
    """
    from ssblab.bench.data import seed_results

    frame = seed_results().filter(
        (pl.col("study") == study) & (pl.col("cell") == cell) & (pl.col("quantity") == quantity)
    )
    for column, value in conditions.items():
        frame = frame.filter((pl.col(column) - value).abs() < 1e-9)
    if frame.height != 1:
        raise SsblabError(
            f"benchmark data has {frame.height} rows for {study}/{cell}/{quantity} {conditions}"
        )
    row = frame.row(0, named=True)
    return float(row["value"]), f"{row['source']}, {row['location']}"


def recipe_path(stem: str) -> Path:
    """Path of a seed recipe shipped in ``examples/``."""
    path = EXAMPLES / f"{stem}.toml"
    if not path.is_file():
        raise SsblabError(f"seed recipe {path} is missing")
    return path


def write(case: CaseStudy, out_dir: str | Path) -> dict[str, Any]:
    """Write the case study: the report (HTML + PNGs), its figures and ``comparisons.json``."""
    from ssblab.report.build import build

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, figure in case.figures.items():
        figure.savefig(out / f"{name}.png", dpi=150)
    rows = [c.to_dict() for c in case.comparisons]
    (out / "comparisons.json").write_text(json.dumps(case.to_dict(), indent=2), encoding="utf-8")
    inputs: list[Any] = [run for _, run in case.runs] + [str(p) for p in case.recipes]
    labels = {i: name for i, (name, _) in enumerate(case.runs)}  # e.g. "... at 7 mA/cm2"
    report = build(inputs, out, title=case.title, labels=labels)
    _add_comparison_section(report.index, case, rows)
    return {**case.to_dict(), "report": report.to_dict()}


def _add_comparison_section(index: Path, case: CaseStudy, rows: list[dict[str, Any]]) -> None:
    """Put the reported-vs-ssblab table, notes and figures at the top of the page."""
    import base64
    import html

    from ssblab.report.html import table_html

    def inline(name: str) -> str:
        data = base64.b64encode((index.parent / f"{name}.png").read_bytes()).decode()
        alt = html.escape(name)
        return f'<figure><img alt="{alt}" style="max-width:48%" src="data:image/png;base64,{data}">'

    figures = "".join(inline(name) + "</figure>" for name in case.figures)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in case.notes)
    section = (
        "<h2>Reported vs ssblab</h2>"
        "<p>Reported values come from the packaged benchmark data (with source); "
        "ssblab's are computed by design, simulation or analysis. "
        "Empty: not modelled (see method).</p>"
        + table_html(rows, COMPARISON_COLUMNS, COMPARISON_HEADERS)
        + (f"<ul>{notes}</ul>" if notes else "")
        + figures
    )
    text = index.read_text(encoding="utf-8")
    marker = "<h2>Cells</h2>"
    index.write_text(text.replace(marker, section + marker, 1), encoding="utf-8")


#: Headers of the comparison table where the key is not what a reader needs.
COMPARISON_HEADERS = {
    "reported": "reported (paper)",
    "difference": "ssblab − reported",
    "rel_diff_percent": "relative difference [%]",
    "flag": "flags",
}
#: Columns of the comparison table in the report.
COMPARISON_COLUMNS = (
    "cell",
    "quantity",
    "reported",
    "ssblab",
    "unit",
    "difference",
    "rel_diff_percent",
    "role",
    "flag",
    "method",
    "source",
)
