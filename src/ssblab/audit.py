"""Audit of the numbers a paper reports against the cell recipe behind them.

For every reported number: the value the recipe implies, the relative
difference, and the *basis* that would make the two agree (for example the
cathode specific capacity [mAh g-1] behind a reported N/P or areal capacity).
When two reported numbers need different bases, or a number disagrees beyond
tolerance, the entry is flagged. Entries are plain dicts with stable keys:

    quantity, reported, implied, unit, rel_diff, flag, basis, note

Flags: ``ok`` (within tolerance), ``differs`` (beyond tolerance),
``inconsistent`` (two reported numbers need different bases), ``n/a`` (the
recipe alone cannot check it; e.g. a lifetime, compared by the case studies).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ssblab.recipe import Recipe

if TYPE_CHECKING:
    from ssblab.design import Design

#: Relative tolerance under which a reported and an implied value agree.
TOLERANCE = 0.03

_AUDITED = {
    "np_ratio",
    "areal_capacity_mAh_cm2",
    "cathode_loading_mg_cm2",
    "anode_loading_mg_cm2",
    "cathode_specific_capacity_mAh_g",
    "energy_density_Wh_kg",
}


def _rel(reported: float, implied: float | None) -> float | None:
    return None if implied is None or reported == 0 else (implied - reported) / reported


def _flag(rel: float | None, tolerance: float = TOLERANCE) -> str:
    if rel is None:
        return "n/a"
    return "ok" if abs(rel) <= tolerance else "differs"


def _entry(
    quantity: str,
    reported: float,
    implied: float | None,
    unit: str,
    basis: dict | None = None,
    note: str = "",
) -> dict[str, Any]:
    rel = _rel(reported, implied)
    return {
        "quantity": quantity,
        "reported": reported,
        "implied": implied,
        "unit": unit,
        "rel_diff": rel,
        "flag": _flag(rel),
        "basis": basis,
        "note": note,
    }


def _cathode_basis(name: str, value: float, design: Design) -> dict[str, Any]:
    used = design.cathode.basis.value_mAh_g if design.cathode else None
    return {
        "name": "cathode specific capacity",
        "value": value,
        "unit": "mAh/g",
        "used": used,
        "for": name,
    }


def audit_loading(which: str, reported: float, design: Design) -> dict[str, Any]:
    """Reported active loading vs the recipe; basis: the die diameter that reconciles them."""
    layer = design.anode if which == "anode" else design.cathode
    implied = layer.active_loading_mg_cm2 if layer else None
    basis = None
    if layer is not None and layer.active_mass_mg is not None:
        diameter = math.sqrt(4.0 * layer.active_mass_mg / (math.pi * reported)) * 10.0
        basis = {
            "name": "electrode diameter",
            "value": diameter,
            "unit": "mm",
            "used": math.sqrt(4 * layer.area_cm2 / math.pi) * 10,
        }
    return _entry(f"{which}_loading_mg_cm2", reported, implied, "mg/cm2", basis)


def audit_np(reported: float, design: Design) -> dict[str, Any]:
    """Reported N/P vs the recipe; basis: the cathode (and anode) capacity that reconciles it."""
    a, c = design.anode, design.cathode
    basis = None
    note = ""
    if c is not None and a.areal_capacity_mAh_cm2 and c.active_loading_mg_cm2:
        q_c = a.areal_capacity_mAh_cm2 / reported / c.active_loading_mg_cm2 * 1000.0
        basis = _cathode_basis("np_ratio", q_c, design)
        if c.areal_capacity_mAh_cm2 and a.active_loading_mg_cm2:
            q_a = reported * c.areal_capacity_mAh_cm2 / a.active_loading_mg_cm2 * 1000.0
            note = (
                f"with the anode at {a.basis.value_mAh_g:.0f} mAh/g the cathode must deliver "
                f"{q_c:.1f} mAh/g; with the cathode at {c.basis.value_mAh_g:.0f} mAh/g "
                f"the anode basis would be {q_a:.0f} mAh/g"
            )
    return _entry("np_ratio", reported, design.np_ratio, "-", basis, note)


def audit_areal_capacity(reported: float, design: Design) -> dict[str, Any]:
    """Reported areal capacity vs the recipe (the limiting electrode); basis: cathode mAh/g."""
    a, c = design.anode, design.cathode
    capacities = [
        x.areal_capacity_mAh_cm2 for x in (a, c) if x is not None and x.areal_capacity_mAh_cm2
    ]
    implied = min(capacities) if capacities else None
    basis = None
    notes = []
    if c is not None and c.active_loading_mg_cm2:
        basis = _cathode_basis(
            "areal_capacity_mAh_cm2", reported / c.active_loading_mg_cm2 * 1000.0, design
        )
    if a.areal_capacity_mAh_cm2 and reported > a.areal_capacity_mAh_cm2 * (1 + TOLERANCE):
        notes.append(
            f"exceeds the anode's {a.areal_capacity_mAh_cm2:.2f} mAh/cm2 "
            f"on its {a.basis.value_mAh_g:.0f} mAh/g basis "
            f"(N/P at this capacity = {a.areal_capacity_mAh_cm2 / reported:.2f})"
        )
    return _entry("areal_capacity_mAh_cm2", reported, implied, "mAh/cm2", basis, "; ".join(notes))


def audit_cathode_capacity(reported: float, design: Design) -> dict[str, Any]:
    """Reported cathode specific capacity vs the basis the design used."""
    implied = design.cathode.basis.value_mAh_g if design.cathode else None
    return _entry(
        "cathode_specific_capacity_mAh_g",
        reported,
        implied,
        "mAh/g",
        _cathode_basis("cathode_specific_capacity_mAh_g", reported, design),
    )


def cross_check(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flag pairs of reported numbers that need different cathode capacity bases."""
    needs = [e for e in entries if e["basis"] and e["basis"]["name"] == "cathode specific capacity"]
    out = []
    for i, first in enumerate(needs):
        for second in needs[i + 1 :]:
            v1, v2 = first["basis"]["value"], second["basis"]["value"]
            spread = abs(v1 - v2) / min(v1, v2)
            if spread > TOLERANCE:
                out.append(
                    {
                        "quantity": f"{first['quantity']} vs {second['quantity']}",
                        "reported": None,
                        "implied": None,
                        "unit": "mAh/g",
                        "rel_diff": spread,
                        "flag": "inconsistent",
                        "basis": {
                            "name": "cathode specific capacity",
                            "value": [v1, v2],
                            "unit": "mAh/g",
                        },
                        "note": (
                            f"{first['quantity']} = {first['reported']:g} needs "
                            f"{v1:.1f} mAh/g of cathode but "
                            f"{second['quantity']} = {second['reported']:g} needs {v2:.1f} mAh/g "
                            f"({spread:.1%} apart): the two cannot hold on one basis"
                        ),
                    }
                )
    return out


def audit(recipe: Recipe, design: Design) -> list[dict[str, Any]]:
    """Audit every reported number of *recipe* against its *design*."""
    rep = recipe.reported
    if rep is None:
        return []
    entries: list[dict[str, Any]] = []
    if rep.cathode_loading_mg_cm2 is not None:
        entries.append(audit_loading("cathode", rep.cathode_loading_mg_cm2, design))
    if rep.anode_loading_mg_cm2 is not None:
        entries.append(audit_loading("anode", rep.anode_loading_mg_cm2, design))
    if rep.np_ratio is not None:
        entries.append(audit_np(rep.np_ratio, design))
    if rep.areal_capacity_mAh_cm2 is not None:
        entries.append(audit_areal_capacity(rep.areal_capacity_mAh_cm2, design))
    if rep.cathode_specific_capacity_mAh_g is not None:
        entries.append(audit_cathode_capacity(rep.cathode_specific_capacity_mAh_g, design))
    if rep.energy_density_Wh_kg is not None:
        entries.append(
            _entry(
                "energy_density_Wh_kg",
                rep.energy_density_Wh_kg,
                design.specific_energy_Wh_kg,
                "Wh/kg",
            )
        )
    entries += cross_check(entries)
    for key, value in (rep.model_extra or {}).items():
        if key not in _AUDITED and isinstance(value, (int, float, list)):
            entries.append(
                {
                    "quantity": key,
                    "reported": value,
                    "implied": None,
                    "unit": "",
                    "rel_diff": None,
                    "flag": "n/a",
                    "basis": None,
                    "note": "not a design quantity: compared by analysis and simulation",
                }
            )
    return entries
