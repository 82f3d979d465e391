"""``ssblab design`` and ``ssblab materials``: recipe → design numbers and audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table

#: Rows of the human design table (keys of Design.to_dict(), shown by their labels),
#: one column per cell, as in the report.
DESIGN_ROWS = (
    "anode_active_loading_mg_cm2",
    "anode_areal_capacity_mAh_cm2",
    "cathode_active_loading_mg_cm2",
    "cathode_areal_capacity_mAh_cm2",
    "np_ratio",
    "anode_thickness_um",
    "separator_thickness_um",
    "cathode_thickness_um",
    "specific_energy_Wh_kg",
)


def design_command(
    recipes: Annotated[list[Path], typer.Argument(help="Recipe TOML file(s).", show_default=False)],
    json: JsonOpt = False,
) -> None:
    """Loadings, areal capacities, N/P, thicknesses, energy and the audit of reported numbers."""
    from ssblab.design import design, label
    from ssblab.recipe import load_recipe

    results = [design(load_recipe(p)).to_dict() for p in recipes]
    if json:
        print_json(results[0] if len(results) == 1 else results)
        return
    names: list[str] = []
    for r in results:  # one column per recipe, also for two recipes of one name
        name = str(r["name"])
        names.append(name if name not in names else f"{name} ({len(names) + 1})")
    rows = [
        {"quantity": label(k), **{n: r[k] for n, r in zip(names, results, strict=True)}}
        for k in DESIGN_ROWS
    ]
    print_table(rows, title="Design", digits=4, human=False)
    flagged = [
        {
            "cell": str(r["name"]),
            "quantity": label(a["quantity"]),
            "reported": a["reported"],
            "implied by the design": a["implied"],
            "flag": a["flag"],
            "note": str(a["note"]),
        }
        for r in results
        for a in r["audit"]
        if a["flag"] in ("differs", "inconsistent", "ok")
    ]
    if flagged:
        print_table(flagged, title="Audit of reported numbers", digits=4, human=False)


def materials_command(json: JsonOpt = False) -> None:
    """The materials catalog with derived theoretical capacities and sources."""
    from ssblab.materials import catalog

    rows = []
    for m in catalog().values():
        try:
            theo = m.theoretical_capacity_mAh_g()
        except Exception:
            theo = None
        rows.append(
            {
                "name": m.name,
                "formula": m.formula,
                "role": m.role,
                "density_g_cm3": m.density_g_cm3,
                "theoretical_mAh_g": theo,
                "conductivity_mS_cm": m.conductivity_mS_cm,
            }
        )
    if json:
        print_json(rows)
    else:
        print_table(rows, title="Materials catalog (sources in ssblab/data/materials.toml)")


def register(app: typer.Typer) -> None:
    """Add the design commands to *app*."""
    app.command("design")(design_command)
    app.command("materials")(materials_command)
