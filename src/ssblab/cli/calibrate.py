"""``ssblab calibrate``: fit named full-cell parameters to a measured rate table with PyBOP.

    ssblab calibrate RECIPE [--targets 0.1C=125,0.2C=110] [--validate 0.5C=94,1C=78]
                     [--fit diffusivity,loading] [--interphase OHM]
                     [--interface butler-volmer|linear|small-signal] [--bpx OUT.json] [--json]

Without ``--targets`` the recipe's ``[reported]`` rate table is used: its first two
C-rates fit, the others validate. Fitting and validation targets never mix: the
validation rows are predictions, printed with their error. The Li-side interphase of a
Li-metal cell is ``--interphase`` ohms (its dc resistance at 0.1 mA/cm2) through the
``--interface`` model, Butler-Volmer by default as in ``ssblab simulate`` and the LCO
case study (``fullcell.DEFAULT_INTERFACE``); the JSON says which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table

#: ``--interface`` choices (``fullcell.INTERFACES``; the default is ``DEFAULT_INTERFACE``).
INTERFACE_HELP = (
    "Li-side interphase model of a Li-metal cell: butler-volmer (i0 from the dc overpotential "
    "at 0.1 mA/cm2; the default everywhere), linear (a contact resistance) or small-signal "
    "(i0 = RT/(F R A))."
)


def interface_name(name: str | None) -> str:
    """The ``--interface`` value checked (None -> the default); one-line error otherwise."""
    from ssblab.errors import SimulationError
    from ssblab.simulate.fullcell import DEFAULT_INTERFACE, INTERFACES

    name = DEFAULT_INTERFACE if name is None else name
    if name not in INTERFACES:
        raise SimulationError(f"--interface {name!r}: valid: {', '.join(INTERFACES)}")
    return name


#: Loading at which the model is built [mg/cm2]; a fitted loading acts through I R.
REFERENCE_LOADING = 10.0


def _targets(recipe, text: str | None, validate: str | None):
    from ssblab.errors import SimulationError
    from ssblab.simulate.fit import Target, parse_targets

    if text:
        return parse_targets(text), parse_targets(validate) if validate else []
    reported = recipe.reported.model_dump() if recipe.reported else {}
    rates, values = reported.get("rate_c_rates"), reported.get("rate_capacities_mAh_g")
    if not rates or not values:
        raise SimulationError(
            f"{recipe.name}: no --targets and no [reported] rate table in the recipe"
        )
    pairs = [Target(float(r), float(v)) for r, v in zip(rates, values, strict=True)]
    return pairs[:2], pairs[2:]


def calibrate_command(
    recipe_path: Annotated[Path, typer.Argument(help="A full-cell recipe (.toml).")],
    targets: Annotated[
        str | None,
        typer.Option("--targets", help="Fitting targets, RATE C=mAh/g, e.g. 0.1C=125,0.2C=110."),
    ] = None,
    validate: Annotated[
        str | None,
        typer.Option("--validate", help="Validation targets (predicted, never fitted)."),
    ] = None,
    fit: Annotated[
        str,
        typer.Option("--fit", help="Parameters to fit: diffusivity, loading, interphase."),
    ] = "diffusivity,loading",
    interphase: Annotated[
        float,
        typer.Option(
            "--interphase", help="Li-side interphase resistance [Ohm] (fixed unless fitted)."
        ),
    ] = 0.0,
    interface: Annotated[str, typer.Option("--interface", help=INTERFACE_HELP)] = "butler-volmer",
    bpx_out: Annotated[
        Path | None, typer.Option("--bpx", help="Write the fitted set as a BPX JSON file.")
    ] = None,
    max_iterations: Annotated[
        int, typer.Option("--max-iterations", help="Nelder-Mead iterations (PyBOP).")
    ] = 40,
    json: JsonOpt = False,
) -> None:
    """Fit full-cell parameters to a rate table (PyBOP); predict the validation rates."""
    from ssblab.recipe import load_recipe
    from ssblab.simulate.fit import RateModel, calibrate
    from ssblab.simulate.fullcell import INTERFACES, build_cell

    recipe = load_recipe(recipe_path)
    interface = interface_name(interface)
    fitting, validation = _targets(recipe, targets, validate)
    names = [n.strip() for n in fit.split(",") if n.strip()]
    kind = INTERFACES[interface]
    cell = build_cell(recipe, loading_mg_cm2=REFERENCE_LOADING, interphase=kind)
    initial = {"diffusivity": 1.5e-15, "loading": 1.0, "interphase": max(interphase, 10.0)}
    fixed = {"interphase": interphase, "loading": REFERENCE_LOADING}
    result = calibrate(
        cell,
        fitting,
        names,
        {n: initial[n] for n in names},
        fixed=fixed,
        max_iterations=max_iterations,
    )
    params = {**fixed, **result.values}
    rows: list[dict[str, Any]] = [
        {"c_rate": r, "measured_mAh_g": m, "model_mAh_g": f, "role": "calibrated"}
        for r, m, f in zip(
            result.fitted_rates, result.fitted_measured, result.fitted_model, strict=True
        )
    ]
    if validation:
        # the whole test in its order (fitting rates first), as the cycler ran it
        sequence = tuple(t.c_rate for t in (*fitting, *validation))
        model = RateModel(cell, sequence, {}, REFERENCE_LOADING)
        predicted = model.capacities(params)[len(fitting) :]
        for t, q in zip(validation, predicted, strict=True):
            rows.append(
                {
                    "c_rate": t.c_rate,
                    "measured_mAh_g": t.capacity_mAh_g,
                    "model_mAh_g": float(q),
                    "role": "predicted",
                }
            )
    for row in rows:
        row["error_percent"] = 100.0 * (row["model_mAh_g"] / row["measured_mAh_g"] - 1.0)
    payload = {
        "recipe": str(recipe_path),
        "interface": interface if cell.half_cell else None,
        **result.to_dict(),
        "rows": rows,
        "fixed": {k: v for k, v in fixed.items() if k not in result.values},
    }
    if bpx_out is not None:
        payload["bpx"] = str(_export(recipe, params, result, bpx_out, kind))
    if json:
        print_json(payload)
        return
    print_table(
        [{"parameter": n, **v} for n, v in payload["parameters"].items()],
        title=f"PyBOP fit on {', '.join(f'{t.c_rate:g} C' for t in fitting)}"
        + (f" (Li interface: {interface})" if cell.half_cell else ""),
    )
    print_table(rows, title="Rate table: calibrated and predicted")


def _export(recipe, params: dict[str, float], result, out: Path, kind: str) -> Path:
    from ssblab.simulate.bpx_export import write_bpx
    from ssblab.simulate.fullcell import build_cell

    cell = build_cell(recipe, loading_mg_cm2=params["loading"], interphase=kind)
    cell.inputs["Positive particle diffusivity [m2.s-1]"] = params.get(
        "diffusivity", cell.inputs["Positive particle diffusivity [m2.s-1]"]
    )
    extra = {f"{n} (fitted)": v for n, v in result.values.items()}
    extra.update({f"{n} sigma factor": v for n, v in result.sigma_factor.items()})
    extra["interphase resistance [Ohm]"] = params.get("interphase", 0.0)
    if cell.kinetic_interphase:
        from ssblab.simulate.fade import LI_J0, interface_inputs

        j0 = interface_inputs(cell, params.get("interphase", 0.0))[LI_J0]
        extra["Li exchange-current density [A.m-2]"] = j0
    return write_bpx(out, recipe, cell, extra)


def register(app: typer.Typer) -> None:
    """Add ``ssblab calibrate`` to *app*."""
    app.command("calibrate")(calibrate_command)
