"""Build a report: gather inputs, make every panel the data supports, write HTML and PNGs.

The page order follows how a cell is discussed at group meeting: what the cells
are, the headline numbers, the design, then curves (voltage profiles, capacity
and CE, retention, rate, dQ/dV, symmetric cells, CV, GITT, impedance, model vs
experiment, literature). A panel the data cannot support is listed under "Not
shown" with the reason; nothing is drawn from made-up data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ssblab.errors import SsblabError
from ssblab.report import panels_cycling as cyc
from ssblab.report import panels_echem as echem
from ssblab.report import panels_eis as eis
from ssblab.report import panels_symmetric as sym
from ssblab.report.inputs import ReportData, collect, normalise_with_recipe
from ssblab.report.model import NotAvailable, Panel
from ssblab.report.summary import cell_rows, definitions, reader_notes, summary_rows

PanelFn = Callable[[ReportData], "Panel | list[Panel]"]


#: (name shown under "Not shown", panel function) in page order.
PANELS: tuple[tuple[str, PanelFn], ...] = (
    ("voltage vs capacity", lambda d: cyc.voltage_profiles(d.runs)),
    ("capacity and CE vs cycle", lambda d: cyc.capacity_efficiency(d.runs)),
    ("retention", lambda d: cyc.retention(d.runs)),
    ("rate test", lambda d: echem.rate_bars(d.runs)),
    ("dQ/dV", lambda d: echem.dqdv(d.runs)),
    ("symmetric cell voltage", lambda d: sym.symmetric_voltage(d.runs)),
    ("symmetric cell lifetimes", lambda d: sym.lifetimes(d.runs)),
    ("overpotential vs current density", lambda d: sym.overpotential(d.runs)),
    ("cyclic voltammetry", lambda d: echem.cyclic_voltammetry(d.runs)),
    ("GITT OCV and D_Li", lambda d: echem.gitt(d.runs, d.designs)),
    ("EIS Nyquist", lambda d: eis.nyquist(d.spectra)),
    ("EIS Bode", lambda d: eis.bode(d.spectra)),
    ("DRT", lambda d: eis.drt(d.spectra)),
    ("model vs experiment (cycling)", lambda d: cyc.model_vs_experiment(d.runs)),
    ("model vs experiment (symmetric)", lambda d: sym.model_vs_experiment(d.runs)),
    ("literature benchmark", lambda d: echem.literature(d.designs)),
)


@dataclass
class Rendered:
    """Panels made for a report, and why the others were not."""

    panels: list[Panel] = field(default_factory=list)
    unavailable: list[tuple[str, str]] = field(default_factory=list)


def make_panels(data: ReportData) -> Rendered:
    """Run every panel function on *data*; collect panels and the reasons for the missing ones."""
    out = Rendered()
    for name, fn in PANELS:
        try:
            result = fn(data)
        except (NotAvailable, SsblabError) as exc:  # data cannot support it: say why
            out.unavailable.append((name, str(exc)))
            continue
        except Exception as exc:  # one broken panel must not sink the whole report
            out.unavailable.append(
                (name, f"failed with {type(exc).__name__}: {exc} (a bug: please report it)")
            )
            continue
        out.panels += result if isinstance(result, list) else [result]
    _unique_keys(out.panels)
    return out


def _unique_keys(panels: list[Panel]) -> None:
    seen: dict[str, int] = {}
    for i, p in enumerate(panels):
        n = seen.get(p.key, 0)
        seen[p.key] = n + 1
        if n:
            panels[i] = replace(p, key=f"{p.key}_{n + 1}")


def write_pngs(panels: list[Panel], out_dir: Path) -> list[Path]:
    """Draw each panel with matplotlib and save ``out_dir/<key>.png``; return the paths."""
    from ssblab.report.figures import draw, save_png

    return [save_png(draw(p), out_dir / f"{p.key}.png") for p in panels]


@dataclass(frozen=True)
class Report:
    """What :func:`build` wrote: the page, the PNGs, and the panels left out with reasons."""

    index: Path
    pngs: tuple[Path, ...]
    panels: tuple[str, ...]
    unavailable: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """Stable keys for ``--json``."""
        return {
            "index_html": str(self.index),
            "html_bytes": self.index.stat().st_size,
            "png": [str(p) for p in self.pngs],
            "panels": list(self.panels),
            "not_available": [{"panel": n, "reason": r} for n, r in self.unavailable],
        }


def build_report(
    inputs: Iterable[Any],
    out_dir: str | Path,
    title: str | None = None,
    png: bool = True,
    simulate: bool = False,
    full_plotly: bool = False,
) -> Path:
    """Write ``out_dir/index.html`` (self-contained) and one PNG per panel; return the HTML path.

    See :func:`build` for the parameters.
    """
    return build(
        inputs, out_dir, title=title, png=png, simulate=simulate, full_plotly=full_plotly
    ).index


def build(
    inputs: Iterable[Any],
    out_dir: str | Path,
    title: str | None = None,
    png: bool = True,
    progress: Callable[[str], None] | None = None,
    simulate: bool = False,
    full_plotly: bool = False,
    labels: Mapping[int, str] | None = None,
) -> Report:
    """Write ``out_dir/index.html`` (self-contained) and one PNG per panel.

    Parameters
    ----------
    inputs : iterable
        Anything :func:`ssblab.report.inputs.collect` accepts: instrument files,
        ``.parquet`` tables, recipe ``.toml`` files, runs, EIS tables, designs.
    out_dir : str or Path
        Folder to write into (created if needed).
    title : str, optional
        Page title (default: the cell labels).
    png : bool
        Also write the publication PNGs (default True).
    simulate : bool
        Simulate symmetric-cell recipes with ssblab's model and show the runs.
    progress : callable, optional
        Called with a short message as each stage starts (for a progress bar).
    full_plotly : bool
        Inline plotly.py's full bundle (4.8 MB) instead of the gzipped cartesian
        one (0.66 MB as base64; needs a browser with ``DecompressionStream``).
    labels : mapping of int to str, optional
        Label of the input at that position in legends and tables (default: the
        cell name in its metadata, so two runs of one cell read "X" and "X (2)").

    Raises
    ------
    SsblabError
        If an input cannot be read or the folder cannot be written.
    """
    from ssblab.report import html as page_html
    from ssblab.report.plotly_panels import figure_dict

    step = progress or (lambda _msg: None)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SsblabError(f"{out}: cannot create the report folder: {exc}") from exc
    step("reading inputs")
    data = normalise_with_recipe(collect(inputs, labels, simulate=simulate))
    if not data.labels:
        raise SsblabError("nothing to report: no input was given")
    step("making panels")
    rendered = make_panels(data)
    pngs: tuple[Path, ...] = ()
    remove_stale_pngs(out, {f"{p.key}.png" for p in rendered.panels} if png else set())
    if png:
        step("writing PNGs")
        pngs = tuple(write_pngs(rendered.panels, out))
    step("writing HTML")
    blocks = [
        page_html.PanelBlock(p.key, p.title, figure_dict(p), p.note, f"{p.key}.png" if png else "")
        for p in rendered.panels
    ]
    text = page_html.page(
        title=title or "ssblab report: " + ", ".join(data.labels),
        cells=cell_rows(data),
        summary=summary_rows(data),
        designs=[(d.label, d.data) for d in data.designs],
        panels=blocks,
        unavailable=rendered.unavailable + [("input", n) for n in data.notes],
        full_plotly=full_plotly,
        notes=reader_notes(data),
        definitions=definitions(data),
        generated=dt.datetime.now(dt.UTC).strftime("generated %Y-%m-%d %H:%M UTC"),
    )
    index = out / "index.html"
    try:
        index.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SsblabError(f"{index}: cannot write the report: {exc}") from exc
    unavailable = rendered.unavailable + [("input", n) for n in data.notes]
    report = Report(index, pngs, tuple(p.key for p in rendered.panels), tuple(unavailable))
    write_manifest(report)
    return report


#: File beside index.html listing what the report wrote (``Report.to_dict()``).
MANIFEST = "report.json"


def write_manifest(report: Report) -> Path:
    """Write ``report.json`` beside the page: PNGs, panels and the panels not shown."""
    import json

    path = report.index.parent / MANIFEST
    payload = report.to_dict()
    payload["png"] = [Path(p).name for p in payload["png"]]
    payload["index_html"] = report.index.name
    try:
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        raise SsblabError(f"{path}: cannot write the report manifest: {exc}") from exc
    return path


def remove_stale_pngs(out_dir: Path, keep: set[str]) -> list[Path]:
    """Delete PNGs that an earlier report in *out_dir* wrote and this one will not.

    Only names listed in the earlier ``report.json`` are touched (plain ``*.png``
    names inside *out_dir*), so files the user put there are never removed.
    """
    import json

    try:
        earlier = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        names = [str(n) for n in earlier.get("png", [])]
    except (OSError, ValueError, AttributeError):
        return []
    removed = []
    for name in names:
        path = out_dir / name
        if (
            name not in keep
            and name.endswith(".png")
            and Path(name).name == name
            and path.is_file()
            and not path.is_symlink()
        ):
            path.unlink()
            removed.append(path)
    return removed
