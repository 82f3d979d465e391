"""The two tables at the top of a report: what the cells are, and their headline numbers.

Headline numbers come from the analysis functions; a number the analysis
cannot give (module not there, data does not support it) is left empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssblab.errors import SsblabError
from ssblab.report.inputs import LabelledRun, ReportData, Spectrum, is_symmetric, recognition

#: Columns of the summary table (units in the names).
SUMMARY_COLUMNS = (
    "cell",
    "type",
    "complete cycles",
    "capacity from",
    "first capacity [mAh]",
    "last capacity [mAh]",
    "retention [%]",
    "mean CE [%]",
    "ICE [%]",
    "failure",
    "soft shorts",
    "R_b [Ω]",
    "R_ct [Ω]",
    "flags",
)


def flag_text(flags: object) -> str | None:
    """The flags of a result in a few words: each code once, with its count and first message."""
    by_code: dict[str, list[object]] = {}
    for f in flags or ():  # type: ignore[union-attr]
        by_code.setdefault(str(getattr(f, "code", "")), []).append(f)
    if not by_code:
        return None
    parts = []
    for code, items in by_code.items():
        first = getattr(items[0], "message", "")
        more = f" (×{len(items)})" if len(items) > 1 else ""
        parts.append(f"{code}{more}: {first}")
    return "; ".join(parts)


def cell_rows(data: ReportData) -> list[dict[str, Any]]:
    """One row per input: label, what it is, where it came from, records, skipped rows."""
    rows = []
    for r in data.runs:
        m = r.run.meta
        rows.append(
            {
                "cell": r.label,
                "kind": m.kind + (" symmetric cell" if is_symmetric(r.run) else ""),
                "experiment": _experiment(r),
                "source": Path(m.source).name if m.source else "",
                "format": m.source_format,
                "instrument": m.instrument,
                "records": r.run.n_rows,
                "rows skipped": m.rows_skipped,
                "notes": len(m.notes) or None,
            }
        )
    for sp in data.spectra:
        rows.append(
            {
                "cell": sp.label,
                "kind": "impedance spectrum",
                "source": Path(sp.source).name if sp.source else "",
                "records": sp.table.height,
            }
        )
    for d in data.designs:
        rows.append(
            {
                "cell": d.label,
                "kind": f"recipe ({d.data.get('kind', '')})",
                "source": Path(d.source).name if d.source else "",
            }
        )
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    return [{k: row.get(k) for k in keys} for row in rows]


def _experiment(r: LabelledRun) -> str | None:
    """What :mod:`ssblab.analysis.recognize` says the run is, in a few words."""
    rec = recognition(r.run)
    return rec.describe() if rec is not None else None


def reader_notes(data: ReportData) -> list[tuple[str, tuple[str, ...]]]:
    """(label, notes) of every run whose reader or recipe left notes."""
    return [(r.label, tuple(r.run.meta.notes)) for r in data.runs if r.run.meta.notes]


def _cycling_row(r: LabelledRun) -> dict[str, Any]:
    from ssblab.analysis.headline import cycling_summary

    rec = recognition(r.run)
    kind = rec.kind if rec is not None else "cycling"
    row: dict[str, Any] = {"cell": r.label, "type": kind}
    if kind not in ("cycling", "gitt", "cp"):
        return row  # a CV, a rest or a hold has no capacities per cycle
    try:
        out = cycling_summary(r.run)  # complete cycles only; partial ones counted apart
    except SsblabError:
        return row
    texts = out["texts"]  # numbers from coarse counters, to the decimals they carry
    if out["cycles"]:
        row |= {
            "complete cycles": out["cycles"],
            # the half retention and CE take as Q_out: an anode half-cell's is its charge
            "capacity from": out["out_half"],
            "first capacity [mAh]": texts.get("first_out_mAh", out["first_out_mAh"]),
            "last capacity [mAh]": texts.get("last_out_mAh", out["last_out_mAh"]),
            "retention [%]": texts.get("retention_pct", out["retention_pct"]),
            "mean CE [%]": texts.get("mean_ce_pct", out["mean_ce_pct"]),
        }
    if out["ice_pct"] is not None:
        row["ICE [%]"] = texts.get("ice_pct", out["ice_pct"])
    row["flags"] = flag_text(out["flags"])
    from ssblab.report.panels_cycling import rate_blocks

    blocks = rate_blocks(r)
    if out["cycles"] and blocks > 1:  # the last cycle ran at another current than the first
        rate = (
            f"rate_test: {blocks} current blocks ({out['out_half']}); retention compares cycles at "
            "different currents, not fade"
        )
        row["flags"] = f"{row['flags']}; {rate}" if row["flags"] else rate
    return row


def _symmetric_row(r: LabelledRun) -> dict[str, Any]:
    row: dict[str, Any] = {"cell": r.label, "type": "symmetric"}
    try:
        from ssblab.analysis.symmetric import detect_failure, half_cycle_overpotentials

        hc = half_cycle_overpotentials(r.run)
        failure = detect_failure(hc)
    except (ImportError, SsblabError):
        return row
    row["complete cycles"] = hc.height // 2
    row["failure"] = (
        "none" if failure.time_h is None else f"{failure.mode} at {failure.time_h:.4g} h"
    )
    from ssblab.report.panels_symmetric import soft_short_count

    row["soft shorts"] = soft_short_count(r.run)
    return row


def _spectrum_row(sp: Spectrum) -> dict[str, Any]:
    from ssblab.report.panels_eis import fit, is_poor

    row: dict[str, Any] = {"cell": sp.label, "type": "EIS"}
    result = fit(sp)
    if result is not None and not is_poor(result, result.z_measured_ohm):
        row |= {"R_b [Ω]": result.r_b_ohm, "R_ct [Ω]": result.r_ct_ohm}
    if result is not None:
        row["flags"] = flag_text(getattr(result, "flags", ()))
    return row


def definitions(data: ReportData) -> list[tuple[str, str]]:
    """(cell type, CE/ICE/EE/retention definitions) for each cell type among the cycling runs."""
    from ssblab.analysis.conventions import definitions_text

    seen: dict[str, str] = {}
    for r in data.runs:
        if is_symmetric(r.run):
            continue
        rec = recognition(r.run)
        if rec is None or rec.kind not in ("cycling", "gitt", "cp"):
            continue
        cell_type = getattr(rec, "cell_type", "") or "full"
        if cell_type not in seen:
            try:
                seen[cell_type] = definitions_text(cell_type)
            except (KeyError, SsblabError):
                continue
    return list(seen.items())


def summary_rows(data: ReportData) -> list[dict[str, Any]]:
    """Headline numbers per run and spectrum, columns :data:`SUMMARY_COLUMNS`."""
    rows = [_symmetric_row(r) if is_symmetric(r.run) else _cycling_row(r) for r in data.runs]
    rows += [_spectrum_row(sp) for sp in data.spectra]
    return [{c: row.get(c) for c in SUMMARY_COLUMNS} for row in rows]
