"""``ssblab simulate RECIPE``: one recipe's protocol through its model.

``symmetric`` recipes run the fast Li‖Li model (:mod:`ssblab.simulate.symmetric`,
``--set`` overrides a parameter); ``full``/``half`` recipes run PyBaMM
(:mod:`ssblab.simulate.fullcell`, ``--protocol`` as ';'-separated PyBaMM steps).
The recipe, cell and protocol defaults here are shared with the sweep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ssblab.cli._common import name_values, print_json, print_table


def settings_from(pairs: list[str]) -> dict[str, float]:
    """``--set name=value`` strings as a dict of floats."""
    from ssblab.errors import SimulationError

    return name_values(
        pairs,
        lambda pair: SimulationError(
            f"--set {pair!r}: expected name=number, e.g. --set void_rate=0.05"
        ),
    )


def symmetric_cell(recipe_path: Path, settings: list[str]) -> tuple[Any, Any]:
    """The recipe and its symmetric-model cell (``kind = "symmetric"`` only)."""
    from ssblab.errors import SimulationError
    from ssblab.recipe import load_recipe
    from ssblab.simulate.symmetric import from_recipe

    recipe = load_recipe(recipe_path)
    if recipe.kind != "symmetric":
        raise SimulationError(
            f"{recipe_path}: a {recipe.kind} cell; sweeps and settings need kind = 'symmetric'"
        )
    cell = from_recipe(recipe)
    return recipe, cell.with_(**settings_from(settings)) if settings else cell


#: ``(--interphase [Ohm], --interface name or None for the default)`` of a full cell.
LiSide = tuple[float, str | None]


def run_full(
    recipe: Any,
    recipe_path: Path,
    protocol: str | None,
    out: Path | None,
    json: bool,
    li: LiSide = (0.0, None),
) -> None:
    """Full/half cells: the PyBaMM model, with ';'-separated PyBaMM steps as protocol.

    *li* is (Li-side interphase [Ohm], ``--interface`` name or None for the default)."""
    from ssblab import schema as s
    from ssblab.analysis.cycles import cycles
    from ssblab.cli.calibrate import interface_name
    from ssblab.io.export import write
    from ssblab.simulate.fullcell import INTERFACES, is_alloy, simulate_full

    steps = [p.strip() for p in protocol.split(";") if p.strip()] if protocol else None
    interface = interface_name(li[1])
    li_metal = not is_alloy(recipe)
    if not li_metal and (li[0] or li[1]):
        from ssblab.errors import SimulationError

        raise SimulationError(f"{recipe_path}: --interphase/--interface apply to Li-metal cells")
    run = simulate_full(
        recipe, steps, series_resistance_ohm=li[0], interphase=INTERFACES[interface]
    )
    per_cycle = cycles(run)
    payload: dict[str, Any] = {
        "recipe": str(recipe_path),
        "kind": recipe.kind,
        "interface": interface if li_metal else None,
        "interphase_ohm": li[0] if li_metal else None,
        "simulated_h": float(run.table.get_column(s.TIME).max()) / 3600.0,
        "cycles": per_cycle.to_dicts(),
        # the model's assumptions and PyBaMM's own warnings (kept off the terminal)
        "notes": list(run.meta.notes),
    }
    if out is not None:
        payload["output"] = str(write(run, out))
    if json:
        print_json(payload)
    else:
        print_table(payload["cycles"], title=f"Simulated: {recipe.name}")
        for note in payload["notes"]:
            typer.echo(f"note: {note}")


def protocol_defaults(recipe: Any) -> tuple[float, float, float]:
    """The recipe's current density [mA/cm²], capacity per half-cycle [mAh/cm²] and
    test length [h]; 0.1, 0.1 and 5000 where its protocol table leaves them out."""
    p = recipe.protocol
    j = (p.current_density_mA_cm2 if p else None) or 0.1
    q = (p.areal_capacity_mAh_cm2 if p else None) or 0.1
    t = (p.max_time_h if p else None) or 5000.0
    return j, q, t


def protocol_blocks(recipe: Any, protocol: str | None) -> Any:
    """The ``--protocol`` string's blocks, or the recipe's lifetime protocol."""
    from ssblab.simulate.protocol import lifetime_protocol, parse_protocol

    if protocol:
        return parse_protocol(protocol)
    return lifetime_protocol(*protocol_defaults(recipe))


def run(
    recipe_path: Path,
    protocol: str | None,
    settings: list[str],
    out: Path | None,
    json: bool,
    bound_mV: float = 1000.0,
    li: LiSide = (0.0, None),
) -> None:
    """``ssblab simulate RECIPE``: the symmetric model, or PyBaMM for full/half cells."""
    from ssblab.errors import SimulationError
    from ssblab.io.export import write
    from ssblab.recipe import load_recipe
    from ssblab.simulate.symmetric import simulate

    recipe = load_recipe(recipe_path)
    if recipe.kind != "symmetric":
        if settings:
            raise SimulationError("--set applies to the symmetric-cell model only")
        run_full(recipe, recipe_path, protocol, out, json, li)
        return
    if li[0] or li[1]:
        raise SimulationError("--interphase/--interface apply to full cells (PyBaMM) only")
    recipe, cell = symmetric_cell(recipe_path, settings)
    result = simulate(cell, protocol_blocks(recipe, protocol), bound_mV=bound_mV)
    payload = {"recipe": str(recipe_path), "coating_thickness_nm": cell.coating_thickness_nm}
    payload.update(result.to_dict())
    if out is not None:
        payload["output"] = str(write(result.run, out))
    if json:
        print_json(payload)
    else:
        print_table([payload], title=f"Simulated: {recipe.name}")
