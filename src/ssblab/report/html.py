"""Assemble the report page: one self-contained HTML file, Plotly inlined once.

Every piece of text that may come from a file or a user (cell names, sources,
metadata, audit notes) goes through :func:`html.escape`; figure JSON sits in
``<script type="application/json">`` blocks with ``<``, ``>`` and ``&`` written
as JSON ``\\u`` escapes, so no file content can close the script or open a tag.
The page needs no network: no CDN, no web fonts.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ssblab.design import label

#: Page style: a readable column with a two-column grid of panels on wide screens.
_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:0 auto;max-width:1500px;padding:16px 24px;
color:#222;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .5em;
border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.88em;margin:.4em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.label{white-space:nowrap}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(620px,1fr));gap:18px}
.panel{border:1px solid #e4e4e4;border-radius:4px;padding:6px}
.panel p{font-size:.85em;color:#555;margin:.3em .4em}
.panel h3{font-size:.95em;font-weight:600;margin:.2em .4em}
.flag-ok{color:#009E73}.flag-differs,.flag-inconsistent{color:#D55E00;font-weight:bold}
.muted{color:#777;font-size:.85em}ul.na li{color:#555;font-size:.9em}
.panel .modebar-container{opacity:0;transition:opacity .2s}
.panel:hover .modebar-container,.panel:focus-within .modebar-container{opacity:1}
@media print{.modebar-container{display:none}.panel{break-inside:avoid}}
"""

#: Plotly's mode bar (zoom, pan, reset, PNG) sits over the top right of the plot.
#: Plotly shows it on hover only where the browser reports a hovering pointer, and
#: always elsewhere (headless screenshots, some laptops); the page's CSS above hides
#: it until the pointer is over the panel (a tap on touch screens) and in print.
#: Box zoom by dragging and reset by double-click work without it. Left out: the
#: box and lasso select buttons (they do nothing in a report) and "Share chart...",
#: which would upload the data to Plotly Cloud (the page uses no network).
#: Draws every figure found in the page's JSON blocks once Plotly is loaded.
_BOOT = """
document.querySelectorAll('script.ssblab-fig').forEach(function(el){
  var fig = JSON.parse(el.textContent);
  Plotly.newPlot(el.dataset.target, fig.data, fig.layout,
                 {responsive: true, displaylogo: false, displayModeBar: 'hover',
                  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'sendChartToCloud']});
});
"""


@dataclass(frozen=True)
class PanelBlock:
    """A drawn panel as the page shows it."""

    key: str
    title: str
    figure: dict[str, Any]
    note: str = ""
    png: str = ""


def script_json(obj: Any) -> str:
    """JSON safe to place inside ``<script>``: ``<``, ``>``, ``&`` become ``\\u`` escapes."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def fmt(value: Any, digits: int = 4) -> str:
    """A cell value as escaped text: numbers to *digits* significant digits, None as a dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return html.escape(f"{value:.{digits}g}")
    if isinstance(value, Mapping):
        return html.escape(", ".join(f"{k}={v}" for k, v in value.items()))
    return html.escape(str(value))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value)) or value == ""


def informative_columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    """*columns* without those that are empty in every row (a column of dashes says nothing)."""
    return [c for c in columns if any(not _blank(r.get(c)) for r in rows)]


def table_html(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """An HTML table of dict rows; numbers right-aligned, everything escaped.

    Columns empty in every row are left out; *headers* names a column where its key is
    not what a reader needs (default: the key).
    """
    if not rows:
        return '<p class="muted">(none)</p>'
    cols = informative_columns(rows, list(columns) if columns is not None else list(rows[0]))
    names = headers or {}
    head = "".join(f"<th>{html.escape(names.get(c, c))}</th>" for c in cols)
    body = []
    for row in rows:
        cells = []
        for c in cols:
            v = row.get(c)
            cls = ' class="num"' if _is_number(v) else ""
            cells.append(f"<td{cls}>{fmt(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


#: A number already printed to its resolution ("3.2", "-0.508"): aligned as numbers are.
_NUMBER_TEXT = re.compile(r"[-+−]?\d+(\.\d+)?")


def _is_number(value: Any) -> bool:
    """A number, or text that is one (a coarse counter's capacity as printed)."""
    if isinstance(value, str):
        return _NUMBER_TEXT.fullmatch(value) is not None
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Design keys not shown as rows: the name heads the column; layers and audit have their own.
_DESIGN_SKIP = ("name",)


def design_html(designs: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Design numbers side by side (one column per cell) and the audit flags of each.

    Only scalar quantities are rows (a nested layer or list would print as a
    Python repr); a quantity empty for every cell is left out.
    """
    if not designs:
        return ""
    nested = {k for _, d in designs for k, v in d.items() if isinstance(v, (dict, list, tuple))}
    keys: list[str] = []
    for _, d in designs:
        keys += [k for k in d if k not in keys and k not in nested and k not in _DESIGN_SKIP]
    keys = [k for k in keys if any(not _blank(d.get(k)) for _, d in designs)]
    head = "<th>quantity</th>" + "".join(f"<th>{html.escape(n)}</th>" for n, _ in designs)
    rows = []
    for k in keys:
        cells = "".join(f'<td class="num">{fmt(d.get(k))}</td>' for _, d in designs)
        rows.append(f'<tr><td class="label">{html.escape(label(k))}</td>{cells}</tr>')
    parts = [
        "<h2>Cell design</h2>",
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
    ]
    for name, d in designs:
        audit = list(d.get("audit") or [])
        checked = [a for a in audit if a.get("flag") != "n/a"]
        other = [str(a.get("quantity")) for a in audit if a.get("flag") == "n/a"]
        if checked:
            parts.append(f"<h3>Audit of reported numbers — {html.escape(name)}</h3>")
            parts.append(_audit_table(checked))
        if other:
            parts.append(
                f'<p class="muted">{html.escape(name)}: reported {html.escape(", ".join(other))} '
                "— not design quantities; compared by analysis and simulation.</p>"
            )
    return "\n".join(parts)


#: Audit columns: (key of an audit entry, header).
_AUDIT_COLUMNS = (
    ("quantity", "quantity"),
    ("reported", "reported"),
    ("implied", "implied by the design"),
    ("unit", "unit"),
    ("rel_diff", "difference"),
    ("flag", "flag"),
    ("note", "note"),
)


def _audit_table(audit: Sequence[Mapping[str, Any]]) -> str:
    cols = [c for c, _ in _AUDIT_COLUMNS]
    head = "".join(f"<th>{h}</th>" for _, h in _AUDIT_COLUMNS)
    rows = []
    for entry in audit:
        flag = str(entry.get("flag", ""))
        cls = "flag-" + "".join(ch for ch in flag if ch.isalpha())
        cells = []
        for c in cols:
            if c == "flag":
                cells.append(f'<td class="{cls}">{fmt(flag)}</td>')
            elif c == "quantity":
                cells.append(f"<td>{fmt(label(str(entry.get(c))))}</td>")
            elif c == "rel_diff" and isinstance(entry.get(c), (int, float)):
                cells.append(f'<td class="num">{entry[c] * 100:+.1f} %</td>')
            elif isinstance(entry.get(c), (int, float)) and not isinstance(entry.get(c), bool):
                cells.append(f'<td class="num">{fmt(entry.get(c))}</td>')
            else:
                cells.append(f"<td>{fmt(entry.get(c))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _panel_html(i: int, block: PanelBlock) -> str:
    div = f"fig{i}"
    height = int(block.figure.get("layout", {}).get("height", 460))
    note = f"<p>{html.escape(block.note)}</p>" if block.note else ""
    png = f'<p><a href="{html.escape(block.png, quote=True)}">PNG</a></p>' if block.png else ""
    return (
        f'<div class="panel" id="{html.escape(block.key, quote=True)}">'
        f"<h3>{html.escape(block.title)}</h3>"
        f'<div id="{div}" class="plotly-graph-div" style="width:100%;height:{height}px"></div>'
        f'<script type="application/json" class="ssblab-fig" data-target="{div}">'
        f"{script_json(block.figure)}</script>{note}{png}</div>"
    )


def page(
    title: str,
    cells: Sequence[Mapping[str, Any]],
    summary: Sequence[Mapping[str, Any]],
    designs: Sequence[tuple[str, Mapping[str, Any]]],
    panels: Sequence[PanelBlock],
    unavailable: Sequence[tuple[str, str]],
    generated: str = "",
    full_plotly: bool = False,
    notes: Sequence[tuple[str, Sequence[str]]] = (),
    definitions: Sequence[tuple[str, str]] = (),
) -> str:
    """The whole report page as one string.

    Parameters
    ----------
    title : str
        Page heading (escaped).
    cells : rows describing each input (label, source, kind, ...).
    summary : rows of headline numbers per cell.
    designs : (label, ``Design.to_dict()``) pairs.
    panels : the drawn panels, in page order.
    unavailable : (panel name, reason) for every panel the data could not support.
    generated : timestamp text for the header.
    full_plotly : inline plotly.py's full 4.8 MB bundle instead of the gzipped
        cartesian one (see :mod:`ssblab.report.plotlyjs`).
    notes : (cell label, reader notes) pairs, listed folded under the cells table.
    definitions : (cell type, CE/ICE/EE/retention definitions) shown under the summary.
    """
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="muted">ssblab report {html.escape(generated)}</p>',
    ]
    if cells:
        body += ["<h2>Cells</h2>", table_html(cells)]
    if notes:
        items = "".join(
            f"<li><b>{html.escape(label)}</b>: {html.escape(' | '.join(lines))}</li>"
            for label, lines in notes
        )
        count = sum(len(lines) for _, lines in notes)
        body.append(
            f'<details><summary class="muted">Reader notes ({count})</summary>'
            f'<ul class="na">{items}</ul></details>'
        )
    if summary:
        body += ["<h2>Summary</h2>", table_html(summary)]
        body += [
            f'<p class="muted"><b>{html.escape(ct)}</b>: {html.escape(text)}</p>'
            for ct, text in definitions
        ]
    if designs:
        body.append(design_html(designs))
    if panels:
        body.append("<h2>Plots</h2>")
        body.append('<div class="grid">')
        body += [_panel_html(i, b) for i, b in enumerate(panels)]
        body.append("</div>")
    if unavailable:
        items = "".join(
            f"<li>{html.escape(name)} — not available: {html.escape(reason)}</li>"
            for name, reason in unavailable
        )
        body.append(
            f'<h2>Not shown</h2><details><summary class="muted">{len(unavailable)} '
            f"panel(s) the inputs do not support, with the reason for each</summary>"
            f'<ul class="na">{items}</ul></details>'
        )
    scripts = ""
    if panels:
        from ssblab.report.plotlyjs import script_tags

        scripts = script_tags(_BOOT, full=full_plotly)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + f"\n{scripts}\n</body></html>\n"
    )
