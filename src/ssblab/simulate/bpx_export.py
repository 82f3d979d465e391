"""Export a full-cell parameter set as BPX (Battery Parameter eXchange), via the ``bpx`` package.

BPX describes a cell with two porous electrodes. A Li-metal counter electrode has
no BPX form, so it is written as a dense lithium "electrode" at 0 V vs Li with
the Li disc's thickness (the header says so); PyBaMM users load the positive
electrode, electrolyte and separator as fitted. Fitted values, their uncertainty
and the Li-side interphase resistance go into ``User-defined``.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

from ssblab.errors import SimulationError
from ssblab.simulate import electrodes as el

LI_MOLAR_VOLUME_M3 = 6.941e-3 / 534.0  # M / rho of Li [m3/mol]


def _float(values, key: str, default: float) -> float:
    value = values.get(key, default) if hasattr(values, "get") else default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _positive(cell, curve: el.OcpCurve) -> dict[str, Any]:
    v = cell.values
    radius = _float(v, "Positive particle radius [m]", 3e-6)
    active = _float(v, "Positive electrode active material volume fraction", 0.5)
    porosity = _float(v, "Positive electrode porosity", 0.3)
    diffusivity = cell.inputs.get("Positive particle diffusivity [m2.s-1]", 1e-14)
    return {
        "Minimum stoichiometry": curve.stoichiometry_at(cell.window_V[1]),
        "Maximum stoichiometry": curve.stoichiometry_at(cell.window_V[0]),
        "Maximum concentration [mol.m-3]": _float(
            v, "Maximum concentration in positive electrode [mol.m-3]", 5e4
        ),
        "Particle radius [m]": radius,
        "Surface area per unit volume [m-1]": 3.0 * active / radius,
        "Diffusivity [m2.s-1]": float(diffusivity),
        "OCP [V]": {"x": curve.sto.tolist(), "y": curve.potential_V.tolist()},
        "Reaction rate constant [mol.m-2.s-1]": 1e-10,
        "Thickness [m]": _float(v, "Positive electrode thickness [m]", 5e-5),
        "Porosity": porosity,
        "Transport efficiency": porosity**1.5,
        "Conductivity [S.m-1]": _float(v, "Positive electrode conductivity [S.m-1]", 10.0),
    }


def _lithium_disc(thickness_m: float) -> dict[str, Any]:
    return {
        "Minimum stoichiometry": 0.01,
        "Maximum stoichiometry": 0.99,
        "Maximum concentration [mol.m-3]": 1.0 / LI_MOLAR_VOLUME_M3,
        "Particle radius [m]": 1e-5,
        "Surface area per unit volume [m-1]": 3.0e5,
        "Diffusivity [m2.s-1]": 1e-10,
        "OCP [V]": "0.0 * x",
        "Reaction rate constant [mol.m-2.s-1]": 1e-6,
        "Thickness [m]": thickness_m,
        "Porosity": 0.01,
        "Transport efficiency": 0.001,
        "Conductivity [S.m-1]": 1.1e7,
    }


def bpx_dict(recipe, cell, calibration: dict[str, Any] | None = None) -> dict[str, Any]:
    """The BPX document (a dict) of *cell*, validated by ``bpx.parse_bpx_obj``."""
    import bpx

    if not cell.half_cell:
        raise SimulationError("BPX export is written for Li-metal cells (half-cell model) only")
    v = cell.values
    material = recipe.cathode.active_component.material
    curve = el.cathode_curve(material, recipe.temperature_C + 273.15)
    thickness_li = (recipe.anode.thickness_um or 500.0) * 1e-6
    doc = {
        "Header": {
            "BPX": 1.0,
            "Title": f"ssblab: {recipe.name}",
            "Description": (
                "Exported by ssblab from a recipe and a PyBOP calibration. The negative "
                "electrode is lithium metal, written as a dense 0 V electrode (BPX has no "
                "metal counter electrode); the Li-side interphase is in User-defined: its dc "
                + (
                    "resistance, read as a linear contact resistance"
                    if not cell.kinetic_interphase
                    else "resistance and, as modelled (Butler-Volmer on the Li electrode, "
                    f"{cell.interphase} reading), the Li exchange-current density"
                )
                + ". The electrolyte is a single-ion solid conductor."
            ),
            "Model": "SPMe",
        },
        "Parameterisation": {
            "Cell": {
                "Electrode area [m2]": cell.area_cm2 * 1e-4,
                "External surface area [m2]": 2 * cell.area_cm2 * 1e-4,
                "Volume [m3]": cell.area_cm2 * 1e-4 * 2e-3,
                # thermal entries are placeholders: the model is isothermal
                "Density [kg.m-3]": 2000.0,
                "Specific heat capacity [J.K-1.kg-1]": 800.0,
                "Number of electrode pairs connected in parallel to make a cell": 1,
                "Lower voltage cut-off [V]": cell.window_V[0],
                "Upper voltage cut-off [V]": cell.window_V[1],
                "Nominal cell capacity [A.h]": _float(v, "Nominal cell capacity [A.h]", 1e-3),
                "Reference temperature [K]": recipe.temperature_C + 273.15,
            },
            "Electrolyte": {
                "Cation transference number": 1.0,
                "Diffusivity [m2.s-1]": 1e-10,
                "Conductivity [S.m-1]": _float(v, "Electrolyte conductivity [S.m-1]", 1.0),
            },
            "Negative electrode": _lithium_disc(thickness_li),
            "Positive electrode": _positive(cell, curve),
            "Separator": {
                "Thickness [m]": _float(v, "Separator thickness [m]", 5e-4),
                # a dense pellet of electrolyte; 0.99 because PyBaMM's BPX reader takes
                # the Bruggeman exponent from log(porosity)
                "Porosity": 0.99,
                "Transport efficiency": 0.99**1.5,
            },
        },
    }
    if calibration:
        doc["Parameterisation"]["User-defined"] = {
            f"ssblab {k}": (val if isinstance(val, int | float) else json.dumps(val))
            for k, val in calibration.items()
        }
    try:
        bpx.parse_bpx_obj(copy.deepcopy(doc))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = str(exc).splitlines()[:3]
        raise SimulationError(f"BPX rejects the exported set: {' '.join(first)}") from None
    return doc


def write_bpx(path: str | Path, recipe, cell, calibration: dict[str, Any] | None = None) -> Path:
    """Write the BPX JSON file; returns its path."""
    doc = bpx_dict(recipe, cell, calibration)
    out = Path(path)
    out.write_text(json.dumps(doc, indent=1, allow_nan=False), encoding="utf-8")
    return out


def check_finite(doc: dict[str, Any]) -> bool:
    """True when every number in *doc* is finite (BPX readers reject NaN)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True
