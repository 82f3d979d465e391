"""Parameters of the symmetric-cell model, loaded from ``ssblab/data/symmetric_params.toml``.

Each entry of the file has a value, a unit, a status (literature, assumed or
fitted) and a source; :func:`parameter_table` lists them for reports.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from importlib import resources
from typing import Any

from ssblab.errors import SimulationError


@dataclass(frozen=True)
class SymmetricParams:
    """Model parameters (units in the names; sources in ``symmetric_params.toml``)."""

    electrolyte_conductivity_S_cm: float
    electrolyte_density_g_cm3: float
    exchange_current_density_A_cm2: float
    coating_conductivity_S_cm: float
    pinhole_length_nm: float
    interphase_conductivity_S_cm: float
    interphase_rate_cm2_s: float
    void_rate: float
    void_suppression: float
    void_rate_exponent: float
    critical_stripping_current_A_cm2: float
    gap_critical_current_A_cm2: float
    gap_depth_nm: float
    fatigue_exponent: float
    fatigue_cycles: float
    tearing_thickness_nm: float
    film_strength_Pa: float
    stack_pressure_Pa: float
    film_modulus_Pa: float
    film_fracture_energy_J_m2: float
    membrane_strain: float
    channel_crack_factor: float
    crack_cycles: float
    crack_area_fraction: float
    li_molar_volume_cm3_mol: float
    penetration_current_density_A_cm2: float
    reference_capacity_mAh_cm2: float
    reference_current_density_A_cm2: float

    def with_(self, **changes: Any) -> SymmetricParams:
        """A copy with *changes*; unknown names raise :class:`SimulationError`."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise SimulationError(
                f"unknown model parameter(s) {unknown}; valid names: {', '.join(sorted(known))}"
            )
        return replace(self, **{k: float(v) for k, v in changes.items()})


def parameter_table() -> list[dict[str, Any]]:
    """Rows name/value/unit/status/source of the parameter file."""
    raw = _raw_params()
    return [{"name": k, **v} for k, v in raw.items()]


def _raw_params() -> dict[str, dict[str, Any]]:
    text = resources.files("ssblab.data").joinpath("symmetric_params.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_params() -> SymmetricParams:
    """The default parameters from ``ssblab/data/symmetric_params.toml``."""
    raw = _raw_params()
    names = [f.name for f in fields(SymmetricParams)]
    missing = [n for n in names if n not in raw]
    if missing:
        raise SimulationError(f"symmetric_params.toml lacks {missing}")
    return SymmetricParams(**{n: float(raw[n]["value"]) for n in names})
