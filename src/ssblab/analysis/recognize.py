"""What experiment a run is: technique per segment and, for cycling, the cell type.

How to call it (every analysis does this before it computes anything)::

    from ssblab.analysis.recognize import recognize, require, CYCLING, CV

    rec = recognize(run)            # Recognition: kind, kinds, cell_type, segments
    rec.kind                        # main experiment, e.g. "cycling"
    rec.cell_type                   # "full", "cathode_half", "anode_half", "symmetric", ...
    rec.describe()                  # one line: what was seen and from what evidence
    flags = require(run, {CV}, force=force, analysis="cv")   # refuse (one line) or flag

Kinds (stable strings, see :data:`KINDS`): ``cycling`` (galvanostatic, CC or
CC-CV), ``cv`` (CV/LSV), ``ca`` (chronoamperometry: potential held), ``cp``
(chronopotentiometry: one constant-current step, no cycling), ``gitt``
(regular current pulses framed by rests), ``pitt``, ``eis`` (PEIS/GEIS) and
``ocv`` (rest). Cell types (:data:`CELL_TYPES`): ``full``, ``cathode_half``,
``anode_half`` (lithiation of the working electrode is the cell's discharge),
``symmetric`` (Li‖Li: voltage near 0 V that changes sign with the current) and
``three_electrode``.

Evidence, strongest first:

1. the vendor's technique record: ``RunMeta.extra["technique"]`` and
   ``extra["technique_code"]`` (EC-Lab name or code), ``extra["techniques"]`` and
   ``extra["step_types"]`` (comma-separated, e.g. Neware step types), then
   the technique tag EC-Lab writes into linked-experiment file names
   (``…_02_GEIS_C05.mpr``);
2. ``RunMeta.cell_type`` (reader, sidecar or recipe: :mod:`ssblab.cellmeta`);
3. the data: current states, constant-current fraction, sweep linearity,
   pulse trains, voltage window.

Cathode half-cells and full cells cannot be told apart by voltage alone; a
charge-first cell without metadata is called ``full`` and the evidence says so
(both follow the same conventions: :mod:`ssblab.analysis.conventions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.flags import Flag, refuse_or_flag
from ssblab.schema import Run

CYCLING, CV, CA, CP, GITT, PITT, EIS, OCV = (
    "cycling",
    "cv",
    "ca",
    "cp",
    "gitt",
    "pitt",
    "eis",
    "ocv",
)
#: Every experiment kind, with its human name.
KINDS: dict[str, str] = {
    CYCLING: "galvanostatic cycling",
    CV: "cyclic/linear sweep voltammetry",
    CA: "chronoamperometry (potential hold)",
    CP: "chronopotentiometry (one constant-current step)",
    GITT: "GITT (current pulses with rests)",
    PITT: "PITT (potential steps)",
    EIS: "impedance spectroscopy",
    OCV: "open-circuit rest",
}
FULL, CATHODE_HALF, ANODE_HALF, SYMMETRIC, THREE_ELECTRODE = (
    "full",
    "cathode_half",
    "anode_half",
    "symmetric",
    "three_electrode",
)
#: Cell types of a cycling run, with their human name.
CELL_TYPES: dict[str, str] = {
    FULL: "full cell",
    CATHODE_HALF: "cathode half-cell",
    ANODE_HALF: "anode half-cell",
    SYMMETRIC: "symmetric Li||Li cell",
    THREE_ELECTRODE: "three-electrode cell",
}

#: A current segment is constant-current when this fraction of its records lie
#: within :data:`CC_TOLERANCE` of its median current.
CC_FRACTION = 0.6
CC_TOLERANCE = 0.03
#: A run is a voltammetry when this time fraction sweeps at one |dV/dt|.
SWEEP_FRACTION = 0.6
#: Fewest pulses that make a GITT train; largest pulse share of its train's charge.
GITT_MIN_PULSES = 5
GITT_MAX_PULSE_SHARE = 0.25

# vendor technique names/abbreviations -> kind (lower case, matched as words)
_TECHNIQUES: tuple[tuple[str, str], ...] = (
    (r"impedance|\b[pg]eis\b|\bzcurve\b", EIS),
    (r"gitt|galvanostatic intermittent", GITT),
    (r"pitt|potentiostatic intermittent", PITT),
    (r"voltammetry|\bcv\b|\blsv\b|\bcva\b|linear sweep", CV),
    (r"chronoamperometry|\bca\b|potentiostatic|cv_chg|cv_dchg", CA),
    (r"chronopotentiometry|\bcp\b", CP),
    (r"galvanostatic cycling|\bgcpl\b|\bbcd\b|cc_chg|cc_dchg|cccv|\bcc\b", CYCLING),
    (r"open circuit|\bocv\b|\brest\b|\bwait\b", OCV),
)
#: EC-Lab technique abbreviations as they appear in its file names (``…_02_GEIS_C05.mpr``).
_ECLAB_TAGS = frozenset(
    {"GCPL", "CV", "CVA", "LSV", "CA", "CP", "PEIS", "GEIS", "OCV", "GITT", "PITT", "MB"}
)


@dataclass(frozen=True)
class Segment:
    """A stretch of records of one kind (rows are 0-based, end inclusive; times in s)."""

    kind: str
    first_row: int
    last_row: int
    start_s: float
    end_s: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "first_row": self.first_row,
            "last_row": self.last_row,
            "start_s": self.start_s,
            "end_s": self.end_s,
        }


@dataclass(frozen=True)
class Recognition:
    """What :func:`recognize` saw.

    Attributes
    ----------
    kind : str
        Main experiment (longest non-rest kind), one of :data:`KINDS`.
    kinds : tuple of str
        Every kind present, in order of first appearance.
    cell_type : str
        One of :data:`CELL_TYPES` for a cycling run, else ``""``.
    source : str
        Where *kind* came from: ``"vendor technique"``, ``"file name"`` or ``"data"``.
    cell_type_source : str
        ``"metadata"`` or ``"data"`` (``""`` without a cell type).
    segments : tuple of Segment
    evidence : tuple of str
        Human sentences: what was measured or read.
    """

    kind: str
    kinds: tuple[str, ...]
    cell_type: str
    source: str
    cell_type_source: str
    segments: tuple[Segment, ...]
    evidence: tuple[str, ...]

    def has(self, kind: str) -> bool:
        """Whether *kind* occurs anywhere in the run."""
        return kind in self.kinds

    def describe(self) -> str:
        """One line: the main kind, the cell type and the evidence."""
        what = KINDS.get(self.kind, self.kind)
        if self.cell_type:
            what += f" of a {CELL_TYPES[self.cell_type]} ({self.cell_type_source})"
        others = [KINDS[k] for k in self.kinds if k not in (self.kind, OCV)]
        if others:
            what += " with " + ", ".join(others)
        return f"{what}, from the {self.source}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (segments included)."""
        return {
            "kind": self.kind,
            "kinds": list(self.kinds),
            "cell_type": self.cell_type,
            "source": self.source,
            "cell_type_source": self.cell_type_source,
            "description": self.describe(),
            "evidence": list(self.evidence),
            "segments": [seg.as_dict() for seg in self.segments],
        }


def vendor_kinds(meta: s.RunMeta) -> tuple[tuple[str, ...], str]:
    """Kinds named by the vendor's technique records, and where they were read.

    Reads ``extra["technique"]``, ``extra["techniques"]`` and
    ``extra["step_types"]``; then the EC-Lab file-name tag. Returns ``((), "")``
    when nothing names a technique (a Modulo Bat names none: it mixes them).
    """
    keys = ("technique", "technique_code", "techniques", "step_types")
    texts = [meta.extra.get(k, "") for k in keys]
    found = _kinds_in(" , ".join(t for t in texts if t))
    if found:
        return found, "vendor technique"
    if meta.source_format.startswith("biologic"):
        name = meta.source.replace("\\", "/").rsplit("/", 1)[-1]
        tags = [tok for tok in re.split(r"[_\-. ]+", name) if tok in _ECLAB_TAGS]
        found = _kinds_in(",".join(tags))
        if found:
            return found, "file name"
    return (), ""


def _kinds_in(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in re.split(r"[,;/]+", text.lower()):
        for pattern, kind in _TECHNIQUES:
            if re.search(pattern, part):
                if kind not in out:
                    out.append(kind)
                break
    return tuple(out)


def _segment_features(labelled: pl.DataFrame) -> pl.DataFrame:
    """Per current-state segment: state, rows, times, CC fraction, voltage spread."""
    i, v = pl.col(s.CURRENT), pl.col(s.VOLTAGE)
    i_med = i.median()
    within = ((i - i_med).abs() <= CC_TOLERANCE * i_med.abs() + 1e-15).mean()
    return (
        labelled.group_by(steps.SEGMENT, maintain_order=True)
        .agg(
            pl.col(steps.STATE).first().alias("state"),
            pl.col(steps.ROW).first().alias("first_row"),
            pl.col(steps.ROW).last().alias("last_row"),
            pl.col(s.TIME).first().alias("start_s"),
            pl.col(s.TIME).last().alias("end_s"),
            within.alias("cc_fraction"),
            (i.abs().quantile(0.98) / i.abs().median().clip(lower_bound=1e-300)).alias("i_peak"),
            (v.max() - v.min()).alias("v_span"),
            (i.abs() * pl.col(s.TIME).diff().fill_null(0.0)).sum().alias("charge_As"),
        )
        .with_columns((pl.col("end_s") - pl.col("start_s")).alias("duration_s"))
    )


def _sweep_fraction(table: pl.DataFrame) -> float:
    """Time fraction of records sweeping within 30 % of the median non-zero |dV/dt|."""
    t = table.get_column(s.TIME).to_numpy()
    v = table.get_column(s.VOLTAGE).to_numpy()
    dt, dv = np.diff(t), np.diff(v)
    ok = dt > 0
    if ok.sum() < 20:
        return 0.0
    rate = np.abs(dv[ok] / dt[ok])
    moving = rate > 0
    if moving.sum() < 20:
        return 0.0
    typical = float(np.median(rate[moving]))
    near = np.abs(rate - typical) <= 0.3 * typical
    return float(dt[ok][near].sum() / dt[ok].sum())


def _gitt_segments(feats: pl.DataFrame) -> set[int]:
    """Segment ids of regular pulse trains (pulse, rest, pulse, ... of one sign)."""
    rows = feats.select("segment", "state", "duration_s", "charge_As").rows()
    found: set[int] = set()
    k = 0
    while k < len(rows):
        if rows[k][1] == 0:
            k += 1
            continue
        sign, j, pulses = rows[k][1], k, []
        while j < len(rows) and rows[j][1] == sign:
            pulses.append(j)
            rest_ok = j + 1 < len(rows) and rows[j + 1][1] == 0
            if not rest_ok:
                break
            j += 2
        if _regular_train([rows[p] for p in pulses]):
            for p in pulses:
                found.update({rows[p][0], rows[p][0] + 1})
        k = max(j, k + 1)
    return found


def _regular_train(pulses: list[tuple]) -> bool:
    if len(pulses) < GITT_MIN_PULSES:
        return False
    body = np.array([p[2] for p in pulses[:-1]])  # the last pulse may hit a voltage limit
    charge = np.array([p[3] for p in pulses])
    med = float(np.median(body))
    regular = med > 0 and float(np.median(np.abs(body - med))) <= 0.2 * med
    return regular and float(charge.max()) <= GITT_MAX_PULSE_SHARE * float(charge.sum())


def _data_kinds(table: pl.DataFrame) -> tuple[list[Segment], list[str]]:
    """Segments and evidence from the data alone."""
    labelled = steps.label(table)
    feats = _segment_features(labelled)
    active = feats.filter(pl.col("state") != 0)
    evidence: list[str] = []
    if active.height == 0:
        return [_seg(OCV, feats.row(0, named=True), feats.row(-1, named=True))], [
            "no current above the rest threshold"
        ]
    weights = active.get_column("duration_s").to_numpy()
    cc = active.get_column("cc_fraction").to_numpy() >= CC_FRACTION
    cc_time = float(weights[cc].sum() / max(weights.sum(), 1e-300))
    sweep = _sweep_fraction(labelled.filter(pl.col(steps.STATE) != 0))
    n_signs = active.get_column("state").n_unique()
    evidence.append(
        f"{100 * cc_time:.0f} % of the time under current at constant current, "
        f"{100 * sweep:.0f} % sweeping at one dV/dt"
    )
    gitt = _gitt_segments(feats)
    peaked = active.get_column("i_peak").to_numpy() > 1.3
    peaked_time = float(weights[peaked].sum() / max(weights.sum(), 1e-300))
    run_kind = CYCLING
    if sweep >= SWEEP_FRACTION and (cc_time < 0.5 or peaked_time >= 0.5):
        run_kind = CV  # a linear sweep whose current is not held: voltammetry
    elif cc_time < 0.5:
        run_kind = CA
    elif n_signs == 1 and active.height == 1:
        run_kind = CP
    labels = []
    for row in feats.iter_rows(named=True):
        if row["segment"] in gitt:
            labels.append(GITT)
        elif row["state"] == 0:
            labels.append(OCV)
        elif run_kind == CYCLING and row["cc_fraction"] < CC_FRACTION and row["v_span"] < 0.02:
            labels.append(CYCLING)  # CV hold of a CC-CV step
        else:
            labels.append(run_kind)
    if gitt:
        evidence.append(f"{sum(lab == GITT for lab in labels) // 2} GITT pulses with rests")
    rows = list(feats.iter_rows(named=True))
    labels = _absorb_rests(labels)
    return _merge(labels, rows), evidence


def _absorb_rests(labels: list[str]) -> list[str]:
    """A rest between two segments of one kind belongs to that kind."""
    out = list(labels)
    for k in range(1, len(out) - 1):
        if out[k] == OCV and out[k - 1] == out[k + 1] != OCV:
            out[k] = out[k - 1]
    return out


def _seg(kind: str, first: dict, last: dict) -> Segment:
    return Segment(kind, first["first_row"], last["last_row"], first["start_s"], last["end_s"])


def _merge(labels: list[str], rows: list[dict]) -> list[Segment]:
    out: list[Segment] = []
    start = 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[start]:
            out.append(_seg(labels[start], rows[start], rows[k - 1]))
            start = k
    return out


def _main_kind(segments: Iterable[Segment]) -> str:
    totals: dict[str, float] = {}
    for seg in segments:
        totals[seg.kind] = totals.get(seg.kind, 0.0) + (seg.end_s - seg.start_s)
    busy = {k: v for k, v in totals.items() if k != OCV}
    pool = busy or totals
    return max(pool, key=lambda k: pool[k]) if pool else OCV


def cell_type_from_data(table: pl.DataFrame) -> tuple[str, str]:
    """Cell type of a cycling table from its voltages, and the sentence that says why."""
    v = table.get_column(s.VOLTAGE).to_numpy()
    i = table.get_column(s.CURRENT).to_numpy()
    if s.CE_POTENTIAL in table.columns and s.WE_POTENTIAL in table.columns:
        ece = table.get_column(s.CE_POTENTIAL).drop_nulls().to_numpy()
        if ece.size and np.nanmax(np.abs(ece)) > 0.05 and np.nanstd(ece) > 0.005:
            return THREE_ELECTRODE, "counter-electrode potential recorded against a reference"
    rest = steps.rest_threshold(table)
    active = np.abs(i) > rest
    p99 = float(np.nanpercentile(np.abs(v), 99)) if v.size else 0.0
    on = v[active]
    both_signs = (i[active] > 0).any() and (i[active] < 0).any()
    if both_signs and p99 < 1.0 and (np.sign(on) == np.sign(i[active])).mean() > 0.7:
        return SYMMETRIC, f"voltage within ±{p99:.2f} V changes sign with the current (Li||Li)"
    at_rest = np.abs(v[~active]) if (~active).any() else np.abs(v[:1])
    near_zero = float(np.median(at_rest)) < 0.05 or float(np.nanmax(np.abs(v))) < 1.0
    if not both_signs and p99 < 0.5 and near_zero:
        # an anode half-cell starts from a high open-circuit voltage; Li||Li from ~0 V
        return SYMMETRIC, f"voltage below {p99:.2f} V throughout: Li||Li plated one way"
    med = float(np.median(on)) if on.size else float(np.median(v))
    first = i[active][0] if active.any() else 0.0
    if med < 1.2 and float(np.nanmin(v)) > -0.1:
        return ANODE_HALF, (
            f"median voltage {med:.2f} V under current, "
            f"{'lithiation' if first < 0 else 'delithiation'} first: anode vs Li"
        )
    return FULL, (
        f"median voltage {med:.2f} V; a cathode half-cell looks the same "
        "(same conventions); set cell_type to say which"
    )


def recognize(run: Run) -> Recognition:
    """Classify *run* and its segments; see the module docstring for the evidence order."""
    table = run.table
    evidence: list[str] = []
    if table.height == 0:
        return Recognition(OCV, (), "", "data", "", (), ("the table has no rows",))
    if s.FREQUENCY in table.columns:
        seg = Segment(EIS, 0, table.height - 1, 0.0, 0.0)
        return Recognition(EIS, (EIS,), "", "data", "", (seg,), ("a frequency column",))
    named, where = vendor_kinds(run.meta)
    segments, data_evidence = _data_kinds(table)
    evidence += data_evidence
    if named:
        evidence.insert(0, f"{where}: {', '.join(named)}")
        main = named[0]
        if len(named) == 1 and main in (EIS, CV, CA, PITT, OCV):
            # a single-technique file: the vendor's word beats the data's segmentation
            segments = [Segment(main, 0, table.height - 1, 0.0, _end(table))]
        kinds = tuple(dict.fromkeys([*named, *(seg.kind for seg in segments)]))
        source = where
    else:
        main = _main_kind(segments)
        kinds = tuple(dict.fromkeys(seg.kind for seg in segments))
        source = "data"
    cell_type, ct_source = "", ""
    if main in (CYCLING, GITT, CP):
        if run.meta.cell_type:
            cell_type, ct_source = run.meta.cell_type, "metadata"
            evidence.append(f"cell type {cell_type!r} from the metadata")
        else:
            cell_type, why = cell_type_from_data(table)
            ct_source = "data"
            evidence.append(why)
    return Recognition(main, kinds, cell_type, source, ct_source, tuple(segments), tuple(evidence))


def _end(table: pl.DataFrame) -> float:
    return float(table.get_column(s.TIME).max() or 0.0)


def require(
    run: Run | Recognition,
    kinds: Iterable[str],
    *,
    force: bool = False,
    analysis: str = "analysis",
    cell_types: Iterable[str] | None = None,
) -> tuple[Flag, ...]:
    """Check that *run* holds one of *kinds* (and one of *cell_types*); refuse otherwise.

    Returns ``()`` when it fits, the ``forced`` flag when it does not and
    *force* is set; otherwise raises :class:`ssblab.flags.NotApplicableError`
    with one line naming what was seen, e.g. ``"cv needs cyclic/linear sweep
    voltammetry; the data are galvanostatic cycling of a full cell (data) ..."``.
    """
    rec = run if isinstance(run, Recognition) else recognize(run)
    wanted = tuple(kinds)
    problem = ""
    if not any(rec.has(k) for k in wanted):
        need = " or ".join(KINDS.get(k, k) for k in wanted)
        problem = f"{analysis} needs {need}; the data are {rec.describe()}"
    elif cell_types is not None:
        allowed = tuple(cell_types)
        if rec.cell_type and rec.cell_type not in allowed:
            need = " or ".join(CELL_TYPES.get(c, c) for c in allowed)
            problem = f"{analysis} needs a {need}; the data are {rec.describe()}"
    if not problem:
        return ()
    return refuse_or_flag(problem, force=force, quantity=analysis)
