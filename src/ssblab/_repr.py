"""Short text and HTML summaries of ssblab objects for the REPL and Jupyter.

A :class:`~ssblab.schema.Run` of 100 000 records prints as one line and shows in
a notebook as a small table of what it is (source, rows, cycles, time span, mass,
notes) and its first rows, never the whole table.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

#: Records shown under a run's summary in a notebook.
HEAD_ROWS = 5


def _value(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "; ".join(_value(x) for x in v) or "—"
    return str(v)


def run_facts(run: Any) -> dict[str, Any]:
    """What a run is, in a few fields (mass in mg, as the CLI takes it)."""
    from ssblab import schema as s

    table, meta = run.table, run.meta
    span_h = None
    if table.height and s.TIME in table.columns:
        t = table.get_column(s.TIME)
        span_h = float(t.max() - t.min()) / 3600.0
    n_cycles = table.get_column(s.CYCLE).n_unique() if s.CYCLE in table.columns else None
    return {
        "source": meta.source,
        "format": meta.source_format,
        "kind": meta.kind,
        "rows": table.height,
        "cycles": n_cycles,
        "time_span_h": span_h,
        "active_mass_mg": None if meta.active_mass_g is None else meta.active_mass_g * 1000.0,
        "area_cm2": meta.area_cm2,
        "cell_type": meta.cell_type or None,
        "notes": list(meta.notes),
    }


def run_repr(run: Any) -> str:
    """One line: ``<ssblab Run neware_ndax 'test_2.ndax': 108563 rows, 54 cycles, 25.89 h>``."""
    from pathlib import Path

    f = run_facts(run)
    parts = [f"{f['rows']} rows"]
    if f["cycles"] is not None:
        parts.append(f"{f['cycles']} cycles")
    if f["time_span_h"] is not None:
        parts.append(f"{f['time_span_h']:.4g} h")
    if f["active_mass_mg"] is not None:
        parts.append(f"{f['active_mass_mg']:.4g} mg")
    name = Path(f["source"]).name if f["source"] else "(no source)"
    return f"<ssblab Run {f['format'] or f['kind']} {name!r}: {', '.join(parts)}>"


def summary_html(title: str, facts: Mapping[str, Any], head: Any = None) -> str:
    """A two-column table of *facts* under *title*, then the first rows of *head* (a frame)."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(_value(v))}</td></tr>"
        for k, v in facts.items()
    )
    out = f"<div><b>{html.escape(title)}</b><table>{rows}</table>"
    if head is not None and getattr(head, "height", 0):
        out += (
            f"<details><summary>first {min(HEAD_ROWS, head.height)} of {head.height} rows"
            f"</summary>{head.head(HEAD_ROWS)._repr_html_()}</details>"
        )
    return out + "</div>"


def run_html(run: Any) -> str:
    """Notebook view of a run: its facts and (folded) its first rows."""
    return summary_html("ssblab Run", run_facts(run), run.table)


def design_facts(design: Any) -> dict[str, Any]:
    """The scalar design numbers (layers and audit left out)."""
    return {k: v for k, v in design.to_dict().items() if not isinstance(v, (dict, list))}


def design_repr(design: Any) -> str:
    """One line: name, kind, N/P, capacity and specific energy."""
    d = design.to_dict()
    bits = [d["kind"]]
    for key, label in (
        ("np_ratio", "N/P"),
        ("capacity_mAh", "mAh"),
        ("specific_energy_Wh_kg", "Wh/kg"),
    ):
        if d.get(key) is not None:
            bits.append(f"{label} {d[key]:.4g}" if label == "N/P" else f"{d[key]:.4g} {label}")
    flagged = [a for a in d.get("audit", []) if a.get("flag") not in (None, "ok")]
    if flagged:
        bits.append(f"{len(flagged)} audit flag(s)")
    return f"<ssblab Design {d['name']!r}: {', '.join(bits)}>"


def design_html(design: Any) -> str:
    """Notebook view of a design: its numbers, and the audit entries that are flagged."""
    from ssblab.design import label

    facts = {label(k): v for k, v in design_facts(design).items()}  # "N/P ratio [-]"
    out = summary_html(f"ssblab Design: {design.name}", facts)
    flagged = [a for a in design.to_dict().get("audit", []) if a.get("flag") not in (None, "ok")]
    if flagged:
        items = "".join(
            f"<li>{html.escape(label(str(a.get('quantity'))))}: {html.escape(str(a.get('flag')))}"
            f" — {html.escape(str(a.get('note', '')))}</li>"
            for a in flagged
        )
        out += f"<ul>{items}</ul>"
    return out


def result_facts(obj: Any) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Scalar fields of a result dataclass, and its tables as (name, frame) pairs."""
    import dataclasses

    facts: dict[str, Any] = {}
    frames: list[tuple[str, Any]] = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if hasattr(value, "height") and hasattr(value, "head"):
            frames.append((f.name, value))
        elif dataclasses.is_dataclass(value):
            facts[f.name] = ", ".join(f"{k}={_value(v)}" for k, v in vars(value).items())
        elif isinstance(value, Mapping):
            facts[f.name] = "; ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            facts[f.name] = [str(v) for v in value]
        else:
            facts[f.name] = value
    return facts, frames


def result_repr(obj: Any) -> str:
    """One line: the type, its tables' sizes and how many flags."""
    facts, frames = result_facts(obj)
    parts = [f"{name}: {frame.height} rows" for name, frame in frames]
    flags = facts.get("flags") or []
    parts.append(f"{len(flags)} flag(s)")
    return f"<ssblab {type(obj).__name__}: {', '.join(parts)}>"


def result_html(obj: Any) -> str:
    """Notebook view of a result: its scalar fields, then each table folded."""
    facts, frames = result_facts(obj)
    out = summary_html(f"ssblab {type(obj).__name__}", facts)
    for name, frame in frames:
        out += (
            f"<details><summary>{html.escape(name)}: first {min(HEAD_ROWS, frame.height)} "
            f"of {frame.height} rows</summary>{frame.head(HEAD_ROWS)._repr_html_()}</details>"
        )
    return out


def register_notebook_formatters(*types: type) -> bool:
    """Show result dataclasses of *types* as short summaries in IPython/Jupyter.

    The classes stay as their modules define them; only IPython's display of
    them changes (text and HTML). Returns False outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    for cls in types:
        formatters["text/html"].for_type(cls, result_html)
        formatters["text/plain"].for_type(cls, lambda obj, p, cycle: p.text(result_repr(obj)))
    return True
