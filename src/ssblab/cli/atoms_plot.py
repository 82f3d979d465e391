"""Charts of the ``ssblab atoms seed`` tables (``--plot``). Energies in eV.

Binding (the seed's Supp. Fig. 14): horizontal bars, hosts sorted from the
strongest to the weakest Li binding, both potentials side by side, the
ordering of each potential written under its panel. Migration (Fig. S15):
grouped bars with the literature range behind them.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

#: Colours of the two universal potentials (colour-blind safe pair) and any other.
COLOURS = {"chgnet": "#1f77b4", "sevennet": "#e66100"}
#: How each Fig. S14 host is modelled, for the axis labels.
HOST_LABELS = {
    "Al": "Al(111) surface",
    "Li": "Li(110) surface",
    "P2S5": "P2S5 (P4S10 molecule)",
    "LiAl": "LiAl (bulk)",
    "Li2S": "Li2S (bulk, octahedral)",
    "Li3P": "Li3P (bulk)",
    "LiCl": "LiCl (bulk, tetrahedral)",
}
#: Hosts on the electrolyte side of the composite anode (labels in italics).
ELECTROLYTE_SIDE = ("P2S5", "Li2S", "Li3P", "LiCl")
BINDING_PANELS = (
    ("E_int_eV", "E_int vs isolated Li atom (eV), the seed's definition"),
    ("E_int_vs_metal_eV", "E_int vs bcc Li metal (eV)"),
)


def _serious(result: Any) -> bool:
    return any(f.severity != "info" for f in result.flags)


def ordering(rows: Any, model: str, value: Any, tie_eV: float = 0.02) -> str:
    """Hosts of *rows* from the lowest (most strongly bound) E_int of *model* up, ``<`` or ``≈``."""
    ranked = sorted(rows, key=lambda r: value(r, model, "E_int_eV"))
    text = ranked[0].job.host
    for before, r in pairwise(ranked):
        gap = value(r, model, "E_int_eV") - value(before, model, "E_int_eV")
        text += (" ≈ " if gap <= tie_eV else " < ") + r.job.host
    return text


def _binding_chart(table: Any, path: str) -> None:
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    rows, models = table.rows, list(table.rows[0].results)

    def value(r: Any, m: str, key: str) -> float:
        v = getattr(r.results[m], key)
        return np.nan if v is None else float(v)

    mean = [np.nanmean([value(r, m, "E_int_eV") for m in models]) for r in rows]
    order = [rows[i] for i in np.argsort(mean)]  # strongest binding first (top)
    y = np.arange(len(order))[::-1].astype(float)
    height = 0.8 / len(models)
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 0.62 * len(order) + 2.2), sharey=True)
    for ax, (key, xlabel) in zip(axes, BINDING_PANELS, strict=True):
        if key == "E_int_vs_metal_eV":
            ax.axvspan(-10, 0, color="0.93", zorder=0)
            ax.text(0.02, 1.01, "< 0: Li leaves bcc Li for the host", transform=ax.transAxes,
                    fontsize=8, color="0.35", va="bottom")  # fmt: skip
        for k, m in enumerate(models):
            offsets = y + ((len(models) - 1) / 2 - k) * height
            values = np.array([value(r, m, key) for r in order])
            colour = COLOURS.get(m, f"C{k + 2}")
            for yy, v, r in zip(offsets, values, order, strict=True):
                if not np.isfinite(v):
                    continue
                flagged = _serious(r.results[m])
                ax.barh(yy, v, height, color=colour, alpha=0.45 if flagged else 1.0,
                        hatch="///" if flagged else "", edgecolor=colour, lw=0.6)  # fmt: skip
                ax.annotate(f"{v:+.2f}", (v, yy), xytext=(-3 if v < 0 else 3, 0),
                            textcoords="offset points", ha="right" if v < 0 else "left",
                            va="center", fontsize=7.5)  # fmt: skip
            if key == "E_int_eV":
                ax.text(0.0, -0.225 - 0.05 * k, f"{m}: " + ordering(order, m, value),
                        transform=ax.transAxes, fontsize=8, color=colour)  # fmt: skip
        ax.axvline(0, color="black", lw=0.7)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", lw=0.3, alpha=0.5)
        lo = min(np.nanmin([value(r, m, key) for r in order]) for m in models)
        hi = max(np.nanmax([value(r, m, key) for r in order]) for m in models)
        ax.set_xlim(min(lo, 0) * 1.18 - 0.1, max(hi, 0) * 1.18 + 0.1)
    labels = []
    for r in order:
        text = HOST_LABELS.get(r.job.host, r.job.host)
        if any(f.code == "potentials_disagree" for f in r.flags):
            text += " *"
        labels.append(text)
    axes[0].set_yticks(y, labels, fontsize=9)
    for tick, r in zip(axes[0].get_yticklabels(), order, strict=True):
        if r.job.host in ELECTROLYTE_SIDE:
            tick.set_fontstyle("italic")
    axes[0].text(0.0, -0.175, "E_int order, most strongly bound first "
                 "(≈: within 0.02 eV)", transform=axes[0].transAxes, fontsize=7.5,
                 color="0.3")  # fmt: skip
    flagged = sorted({f"{r.job.host} ({f.code})" for r in order for m in models
                      for f in r.results[m].flags if f.severity != "info"})  # fmt: skip
    notes = ["pale, hatched: flagged" + (": " + ", ".join(flagged) if flagged else "")]
    notes.append("* the potentials disagree beyond the margin; italic: electrolyte side")
    axes[1].text(0.0, -0.175, "\n".join(notes), transform=axes[1].transAxes,
                 fontsize=7.5, color="0.3", va="top")  # fmt: skip
    handles = [Patch(color=COLOURS.get(m, f"C{k + 2}"), label=m) for k, m in enumerate(models)]
    handles.append(Patch(facecolor="white", edgecolor="0.3", hatch="///", label="flagged"))
    axes[1].legend(handles=handles, frameon=True, framealpha=0.9, fontsize=8,
                   loc="upper right")  # fmt: skip
    fig.suptitle("Seed Fig. S14: Li binding energy per host, two ML potentials (not DFT)",
                 fontsize=11)  # fmt: skip
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path, dpi=150)
    plt.close(fig)


def _migration_chart(table: Any, path: str) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    rows, models = table.rows, list(table.rows[0].results)
    labels = [
        f"{r.job.structure}\n{r.job.hop}"
        + ("*" if any(f.code == "potentials_disagree" for f in r.flags) else "")
        for r in rows
    ]
    panels = [
        ("barrier_eV", "forward barrier (eV)"),
        ("migration_eV", "highest minus lowest image (eV)\n(grey: literature range)"),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.6), squeeze=False)
    x, width = np.arange(len(rows)), 0.8 / len(models)
    for ax, (key, ylabel) in zip(axes[0], panels, strict=True):
        if key == "migration_eV":
            for i, r in enumerate(rows):
                literature = r.as_dict().get("literature")
                if literature:
                    lo, hi = literature["range_eV"]
                    ax.fill_between([i - 0.45, i + 0.45], lo, hi, color="0.85", zorder=0)
        for k, name in enumerate(models):
            values = [getattr(r.results[name], key) for r in rows]
            values = [np.nan if v is None else v for v in values]
            bars = ax.bar(x + (k - (len(models) - 1) / 2) * width, values, width, label=name)
            for bar, r, v in zip(bars, rows, values, strict=True):
                bar.set_hatch("///" if _serious(r.results[name]) else "")
                if np.isfinite(v):
                    ax.annotate(f"{v:.2f}", (bar.get_x() + bar.get_width() / 2, v),
                                ha="center", va="top" if v < 0 else "bottom", fontsize=7,
                                xytext=(0, -2 if v < 0 else 2),
                                textcoords="offset points")  # fmt: skip
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(x, labels, fontsize=8)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", lw=0.3, alpha=0.5)
        ax.margins(y=0.12)
    axes[0][0].legend(frameon=False, fontsize=8, title_fontsize=8,
                      title="hatched: flagged; *: potentials disagree")  # fmt: skip
    fig.suptitle("Li migration (MLIP, not DFT)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def bar_chart(table: Any, what: str, path: str) -> None:
    """Write *table* (a :class:`ssblab.atomistic.screen.SeedTable`) as a PNG at *path*.

    A bar is hatched (binding: also paler) when that potential's result carries
    a warning or error flag (an artefact, not converged, a band below its end
    point); a label ends in ``*`` where the potentials disagree beyond the margin.
    """
    import matplotlib

    matplotlib.use("Agg")
    if what == "binding":
        _binding_chart(table, path)
    else:
        _migration_chart(table, path)
