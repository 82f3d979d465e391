"""Which runs belong together in a report: a measured and a simulated run of one cell, and
file-safe names for their figures."""

from __future__ import annotations

from ssblab.report.inputs import LabelledRun


def _cell_key(run: LabelledRun) -> str:
    name = run.run.meta.cell_name.strip().lower()
    return name.removesuffix("(model)").strip()


def pairs(runs: list[LabelledRun]) -> list[tuple[LabelledRun, LabelledRun]]:
    """(measured, simulated) runs of the same cell: same cell name, or the only two.

    A simulated run's name may end in "(model)"; pass runs of one kind of cell
    (cycling or symmetric) so that a pair never mixes the two.
    """
    measured = [r for r in runs if r.run.meta.kind == "measured"]
    simulated = [r for r in runs if r.run.meta.kind == "simulated"]
    found = []
    for sim in simulated:
        match = [m for m in measured if _cell_key(sim) and _cell_key(m) == _cell_key(sim)]
        if match:
            found.append((match[0], sim))
    if not found and len(measured) == 1 and len(simulated) == 1:
        found.append((measured[0], simulated[0]))
    return found


def slug(text: str) -> str:
    """A file-safe short name: letters, digits and single underscores."""
    out = "".join(ch.lower() if ch.isalnum() and ch.isascii() else "_" for ch in text)
    out = "_".join(p for p in out.split("_") if p)
    return out[:40] or "cell"
