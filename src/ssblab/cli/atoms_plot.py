"""Bar charts of the ``ssblab atoms seed`` tables (``--plot``): one group per row, one
bar per potential, values printed on the bars. Energies in eV."""

from __future__ import annotations

from typing import Any


def _panels(binding: bool) -> list[tuple[str, str]]:
    if binding:
        return [
            ("E_int_eV", "E_int vs isolated Li atom (eV)\n(the seed's definition)"),
            ("E_int_vs_metal_eV", "E_int vs bcc Li metal (eV)\n(< 0: Li leaves the metal)"),
        ]
    return [
        ("barrier_eV", "forward barrier (eV)"),
        ("migration_eV", "highest minus lowest image (eV)\n(grey: literature range)"),
    ]


def bar_chart(table: Any, what: str, path: str) -> None:
    """Write *table* (a :class:`ssblab.atomistic.screen.SeedTable`) as a PNG at *path*.

    A bar is hatched when that potential's result carries a warning or error flag
    (an artefact, not converged, a band below its end point); a label ends in
    ``*`` where the potentials disagree beyond the margin. Binding: E_int against
    the isolated atom and against bcc Li. Migration: the forward barrier and the
    highest-minus-lowest image energy, with the literature range behind it.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows, models = table.rows, list(table.rows[0].results)
    binding = what == "binding"
    labels = [
        (r.job.host if binding else f"{r.job.structure}\n{r.job.hop}")
        + ("*" if any(f.code == "potentials_disagree" for f in r.flags) else "")
        for r in rows
    ]
    panels = _panels(binding)
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
                serious = [f for f in r.results[name].flags if f.severity != "info"]
                bar.set_hatch("///" if serious else "")
                if np.isfinite(v):
                    ax.annotate(
                        f"{v:.2f}",
                        (bar.get_x() + bar.get_width() / 2, v),
                        ha="center",
                        va="top" if v < 0 else "bottom",
                        fontsize=7,
                        xytext=(0, -2 if v < 0 else 2),
                        textcoords="offset points",
                    )
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(x, labels, fontsize=8)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", lw=0.3, alpha=0.5)
        ax.margins(y=0.12)
    axes[0][0].legend(
        frameon=False,
        fontsize=8,
        title="hatched: flagged; *: potentials disagree",
        title_fontsize=8,
    )
    title = (
        "Seed Fig. S14: Li binding (MLIP, not DFT)" if binding else "Li migration (MLIP, not DFT)"
    )
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
