"""Cell recipes: a cell described the way a paper's methods section does.

A recipe is a TOML file validated with pydantic. Field names carry their unit
(``total_mass_mg``, ``die_diameter_mm``); a field with a unit other than the
one in its name is refused, not guessed. The recipe is the single source of
truth for masses, areas and capacities: every normalisation in ssblab goes
through it.

Example (the composite-Al seed cell)::

    name = "Al-LPSC-C | LPSC | NCM622"
    kind = "full"
    die_diameter_mm = 10
    [anode]
    total_mass_mg = 10
    components = [{material = "Al", fraction = 0.4}, ...]
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ssblab.errors import RecipeError
from ssblab.materials import Material, get_material

_FRACTION_TOLERANCE = 1e-3


def _known_material(name: str) -> str:
    """Validator helper: the name must be in the catalog (error lists the catalog)."""
    try:
        get_material(name)
    except RecipeError as exc:
        raise ValueError(str(exc)) from None
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Component(_Strict):
    """One component of a composite layer and its mass fraction (0-1)."""

    material: str
    fraction: float = Field(gt=0, le=1)

    @field_validator("material")
    @classmethod
    def _known(cls, name: str) -> str:
        return _known_material(name)

    @property
    def info(self) -> Material:
        """The catalog entry of this component."""
        return get_material(self.material)


class Electrode(_Strict):
    """An electrode layer: components, and its mass or (for a dense foil) thickness.

    Attributes
    ----------
    total_mass_mg : float, optional
        Mass of the composite (or foil) in the cell [mg].
    thickness_um : float, optional
        Thickness of a dense foil or disc [µm]; used for the mass when no mass is given.
    diameter_mm : float, optional
        Electrode diameter [mm]; defaults to the die diameter.
    active : str, optional
        The component that stores Li; defaults to the first active component.
    product : str, optional
        Lithiation product that sets an anode host's capacity (``"LiAl"``...).
    specific_capacity_mAh_g : float, optional
        Override the capacity basis of the active material [mAh g-1].
    porosity : float
        Void fraction of the pressed layer (0 = fully dense) [-].
    """

    name: str = ""
    components: tuple[Component, ...] = Field(min_length=1)
    total_mass_mg: float | None = Field(default=None, gt=0, le=10_000)
    thickness_um: float | None = Field(default=None, gt=0, le=10_000)
    diameter_mm: float | None = Field(default=None, ge=1, le=100)
    active: str | None = None
    product: str | None = None
    specific_capacity_mAh_g: float | None = Field(default=None, gt=0, le=5000)
    porosity: float = Field(default=0.0, ge=0, lt=0.9)

    @model_validator(mode="after")
    def _check(self) -> Electrode:
        total = sum(c.fraction for c in self.components)
        if abs(total - 1.0) > _FRACTION_TOLERANCE:
            fractions = ", ".join(f"{c.material} {c.fraction:g}" for c in self.components)
            raise ValueError(f"mass fractions must sum to 1, got {total:.4g} ({fractions})")
        if self.active is not None and self.active not in {c.material for c in self.components}:
            raise ValueError(f"active material {self.active!r} is not one of the components")
        if not any(c.info.role.endswith("_active") for c in self.components):
            raise ValueError("no component is an active material (see the materials catalog)")
        return self

    @property
    def active_component(self) -> Component:
        """The component that stores lithium."""
        if self.active is not None:
            return next(c for c in self.components if c.material == self.active)
        return next(c for c in self.components if c.info.role.endswith("_active"))


class Interlayer(_Strict):
    """A thin coating between an electrode and the electrolyte (e.g. sputtered LiAlO2)."""

    material: str
    thickness_nm: float = Field(ge=0, le=100_000)
    method: str = ""

    @field_validator("material")
    @classmethod
    def _known(cls, name: str) -> str:
        return _known_material(name)


class Separator(_Strict):
    """The solid-electrolyte pellet: its mass (or thickness) and material."""

    material: str
    mass_mg: float | None = Field(default=None, gt=0, le=10_000)
    thickness_um: float | None = Field(default=None, gt=0, le=10_000)
    porosity: float = Field(default=0.0, ge=0, lt=0.9)

    @field_validator("material")
    @classmethod
    def _known(cls, name: str) -> str:
        return _known_material(name)

    @model_validator(mode="after")
    def _mass_or_thickness(self) -> Separator:
        if self.mass_mg is None and self.thickness_um is None:
            raise ValueError("give mass_mg or thickness_um for the separator")
        return self


class Protocol(_Strict):
    """The test protocol a paper reports (symmetric cycling or full-cell cycling)."""

    current_density_mA_cm2: float | None = Field(default=None, gt=0, le=1000)
    areal_capacity_mAh_cm2: float | None = Field(default=None, gt=0, le=1000)
    c_rate: float | None = Field(default=None, gt=0, le=100)
    max_time_h: float | None = Field(default=None, gt=0, le=1e6)
    cycles: int | None = Field(default=None, gt=0)


class Reported(BaseModel):
    """Numbers the paper reports; ``design`` audits each against the recipe.

    Known keys are audited; any other number is kept and listed as not auditable.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    source: str = ""
    np_ratio: float | None = Field(default=None, gt=0)
    areal_capacity_mAh_cm2: float | None = Field(default=None, gt=0)
    cathode_loading_mg_cm2: float | None = Field(default=None, gt=0)
    anode_loading_mg_cm2: float | None = Field(default=None, gt=0)
    cathode_specific_capacity_mAh_g: float | None = Field(default=None, gt=0)
    energy_density_Wh_kg: float | None = Field(default=None, gt=0)


class Recipe(_Strict):
    """A whole cell: geometry, layers, conditions, protocol and reported values."""

    name: str
    kind: Literal["full", "half", "symmetric"] = "full"
    source: str = ""
    die_diameter_mm: float = Field(ge=1, le=100)
    stack_pressure_MPa: float | None = Field(default=None, ge=0, le=2000)
    fabrication_pressure_MPa: float | None = Field(default=None, ge=0, le=5000)
    temperature_C: float = Field(default=25.0, ge=-60, le=300)
    voltage_window_V: tuple[float, float] | None = None
    anode: Electrode
    cathode: Electrode | None = None
    separator: Separator
    interlayer: Interlayer | None = None
    protocol: Protocol | None = None
    reported: Reported | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> Recipe:
        if self.kind in ("full", "half") and self.cathode is None:
            raise ValueError(f"a {self.kind} cell needs a [cathode] section")
        if self.kind == "symmetric" and self.cathode is not None:
            raise ValueError(
                "a symmetric cell has the [anode] electrode on both sides; drop [cathode]"
            )
        if (
            self.voltage_window_V is not None
            and self.voltage_window_V[0] >= self.voltage_window_V[1]
        ):
            raise ValueError("voltage_window_V must be [lower, upper] with lower < upper")
        for label, electrode in (("anode", self.anode), ("cathode", self.cathode)):
            if (
                electrode is not None
                and electrode.total_mass_mg is None
                and electrode.thickness_um is None
                and (label == "anode" or self.kind != "full")
            ):
                raise ValueError(f"give total_mass_mg or thickness_um for the {label}")
        return self

    @property
    def area_cm2(self) -> float:
        """Cell (die) cross-section [cm2]."""
        return math.pi * (self.die_diameter_mm / 20.0) ** 2

    @property
    def electrolyte_thickness_um(self) -> float:
        """Separator pellet thickness [µm], given or from mass, area and density."""
        sep = self.separator
        if sep.thickness_um is not None:
            return sep.thickness_um
        density = get_material(sep.material).density_g_cm3 * (1.0 - sep.porosity)
        return sep.mass_mg / 1000.0 / (self.area_cm2 * density) * 1e4


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(recipe)"


def _explain(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = _field_path(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        hint = " (field names carry their unit, e.g. total_mass_mg, die_diameter_mm)"
        return f"{where}: unknown field{hint}"
    if kind == "missing":
        return f"{where}: required field is missing"
    message = first["msg"].removeprefix("Value error, ")
    value = first.get("input")
    shown = f" (got {value!r})" if not isinstance(value, (dict, list, tuple)) else ""
    more = len(exc.errors()) - 1
    tail = f"; and {more} more problem(s)" if more else ""
    return f"{where}: {message}{shown}{tail}"


def parse_recipe(data: dict[str, Any], origin: str = "recipe") -> Recipe:
    """Validate a recipe mapping; errors are one line naming *origin* and the bad field."""
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{origin}: {_explain(exc)}") from None
    except RecipeError as exc:  # unknown material, raised inside a validator
        raise RecipeError(f"{origin}: {exc}") from None


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecipeError(f"{path}: no such recipe file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RecipeError(f"{path}: not valid TOML ({exc})") from None
    return parse_recipe(data, origin=str(path))
