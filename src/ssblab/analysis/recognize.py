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
3. the data: current states, constant-current fraction, sweep linearity
   (a sweep at one dV/dt is a CV when its current responds to the potential,
   varying beyond its noise within the sweep segments, however flat it is; a
   current constant to within its noise is galvanostatic, a capacitor or a
   sloping plateau: :mod:`ssblab.analysis.recognize_sweep`; the one rule, for
   ``ssblab cv`` and the report alike), pulse trains, voltage window.

Cathode half-cells and full cells cannot be told apart by voltage alone; a
charge-first cell without metadata is called ``full`` and the evidence says so
(both follow the same conventions: :mod:`ssblab.analysis.conventions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from ssblab import schema as s
from ssblab.analysis.recognize_data import (
    CC_FRACTION,
    CC_TOLERANCE,
    GITT_MAX_PULSE_SHARE,
    GITT_MIN_PULSES,
    SWEEP_FRACTION,
    cell_type_from_data,
    data_kinds,
)
from ssblab.analysis.technique import (
    ANODE_HALF,
    CA,
    CATHODE_HALF,
    CELL_TYPES,
    CP,
    CV,
    CYCLING,
    EIS,
    FULL,
    GITT,
    KINDS,
    OCV,
    PITT,
    SYMMETRIC,
    THREE_ELECTRODE,
    Segment,
)
from ssblab.flags import AnalysisError, Flag, refuse_or_flag
from ssblab.schema import Run

__all__ = [
    "ANODE_HALF",
    "CA",
    "CATHODE_HALF",
    "CC_FRACTION",
    "CC_TOLERANCE",
    "CELL_TYPES",
    "CP",
    "CV",
    "CYCLING",
    "EIS",
    "FULL",
    "GITT",
    "GITT_MAX_PULSE_SHARE",
    "GITT_MIN_PULSES",
    "KINDS",
    "OCV",
    "PITT",
    "SWEEP_FRACTION",
    "SYMMETRIC",
    "THREE_ELECTRODE",
    "Recognition",
    "Segment",
    "cell_type_from_data",
    "recognize",
    "require",
    "vendor_kinds",
]

# vendor technique names/abbreviations -> kind (lower case, matched as words)
_TECHNIQUES: tuple[tuple[str, str], ...] = (
    # Neware step types (CC Chg, CV Chg, CCCV Chg, CP DChg...): steps of a cycling schedule
    (r"\b(cc|cv|cccv|pcccv|cp|cr|cpcv|crcv)[ _]d?chg\b", CYCLING),
    (r"impedance|\b[pg]eis\b|\bzcurve\b", EIS),
    (r"gitt|galvanostatic intermittent", GITT),
    (r"pitt|potentiostatic intermittent", PITT),
    (r"voltammetry|\bcv\b|\blsv\b|\bcva\b|linear sweep", CV),
    (r"chronoamperometry|\bca\b|potentiostatic", CA),
    (r"chronopotentiometry|\bcp\b", CP),
    (r"galvanostatic cycling|\bgcpl\b|\bbcd\b|cc_chg|cc_dchg|cccv|\bcc\b", CYCLING),
    (r"open circuit|\bocv\b|\brest\b|\bwait\b|\bpause\b", OCV),
)
#: Gamry ``TAG`` header values naming an impedance experiment (potentiostatic, galvanostatic).
_GAMRY_EIS_TAGS = frozenset({"EISPOT", "EISGALV"})
#: EC-Lab technique abbreviations as they appear in its file names (``…_02_GEIS_C05.mpr``).
_ECLAB_TAGS = frozenset(
    {"GCPL", "CV", "CVA", "LSV", "CA", "CP", "PEIS", "GEIS", "OCV", "GITT", "PITT", "MB"}
)


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
        Where *kind* came from: ``"vendor technique"``, ``"Gamry header TAG <tag>"``,
        ``"file name"`` or ``"data"``.
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
        if not self.kinds and "the table has no rows" in self.evidence:
            return "no data: the table has no rows"
        what = KINDS.get(self.kind, self.kind)
        if self.cell_type:
            name = CELL_TYPES[self.cell_type]
            article = "an" if name[0] in "aeiou" else "a"
            what += f" of {article} {name} ({self.cell_type_source})"
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
    ``extra["step_types"]``; then a Gamry ``TAG`` of impedance (EISPOT, EISGALV)
    and the EC-Lab file-name tag. Returns ``((), "")``
    when nothing names a technique (a Modulo Bat names none: it mixes them).
    """
    keys = ("technique", "technique_code", "techniques", "step_types")
    texts = [meta.extra.get(k, "") for k in keys]
    found = _kinds_in(" , ".join(t for t in texts if t))
    if found:
        return found, "vendor technique"
    if meta.source_format == "gamry_dta" and meta.extra.get("tag", "").upper() in _GAMRY_EIS_TAGS:
        return (EIS,), f"Gamry header TAG {meta.extra['tag']}"
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


def _main_kind(segments: Iterable[Segment]) -> str:
    totals: dict[str, float] = {}
    for seg in segments:
        totals[seg.kind] = totals.get(seg.kind, 0.0) + (seg.end_s - seg.start_s)
    busy = {k: v for k, v in totals.items() if k != OCV}
    pool = busy or totals
    return max(pool, key=lambda k: pool[k]) if pool else OCV


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
    segments, data_evidence = data_kinds(table)
    evidence += data_evidence
    if named == (OCV,) and _main_kind(segments) != OCV:
        # only rests are named, yet the data applies a current: some step type
        # no pattern knows (a Neware SIM profile) did, so the data decides
        evidence.insert(0, f"{where}: only rests named, the data's current decides")
        named = ()
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
    source = run.meta.source if isinstance(run, Run) else ""
    if not rec.kinds and "the table has no rows" in rec.evidence:  # nothing to force
        raise AnalysisError(
            f"{source}: the table has no rows" if source else "the table has no rows"
        )
    wanted = tuple(kinds)
    problem = ""
    if not any(rec.has(k) for k in wanted):
        need = " or ".join(KINDS.get(k, k) for k in wanted)
        problem = f"{analysis} needs {need}; the data are {rec.describe()}"
        if rec.kind == EIS:
            problem = f"this is EIS; use `ssblab eis fit` or `ssblab eis drt` ({problem})"
    elif cell_types is not None:
        allowed = tuple(cell_types)
        if rec.cell_type and rec.cell_type not in allowed:
            need = " or ".join(CELL_TYPES.get(c, c) for c in allowed)
            problem = f"{analysis} needs a {need}; the data are {rec.describe()}"
    if not problem:
        return ()
    if source and not force:  # a refusal names its file, as every ssblab error does
        problem = f"{source}: {problem}"
    return refuse_or_flag(problem, force=force, quantity=analysis)
