"""``ssblab simulate``: run a recipe's protocol through a model; sweeps and calibration.

    ssblab simulate RECIPE [--protocol "..."] [--set name=value ...] [-o OUT.parquet] [--json]
    ssblab simulate sweep RECIPE --thickness 0:500:200 [--samples N] [-o plot.png] [--json]
    ssblab simulate calibrate [--samples N] [--mcmc STEPS -o draws.csv] [--json]

The model follows ``recipe.kind``: ``symmetric`` runs the fast Li‖Li model
(:mod:`ssblab.simulate.symmetric`); ``full``/``half`` run the PyBaMM model of
:mod:`ssblab.simulate.fullcell` (``--protocol``: PyBaMM steps separated by ``;``;
``--interphase OHM`` and ``--interface`` the Li-side interphase of a Li-metal cell,
Butler-Volmer by default as in ``ssblab calibrate`` and the LCO case study).
Each action lives in its own module: :mod:`ssblab.cli.simulate_run`,
:mod:`ssblab.cli.simulate_sweep`, :mod:`ssblab.cli.simulate_posterior`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt

ACTIONS = ("sweep", "calibrate")


def simulate_command(
    target: Annotated[
        list[str],
        typer.Argument(help="RECIPE, or 'sweep RECIPE', or 'calibrate'.", show_default=False),
    ],
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol",
            help="Protocol string, e.g. '0.1 mA/cm2, 1.0 mAh/cm2, 2000 h' "
            "(default: the recipe's protocol table).",
            show_default=False,
        ),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a model parameter or cell field: name=value."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the run (.parquet/.csv) or the sweep plot (.png)."
        ),
    ] = None,
    thickness: Annotated[
        str,
        typer.Option(
            "--thickness", help="Sweep thicknesses in nm: start:stop:count (inclusive) or a,b,c."
        ),
    ] = "0:500:201",
    current_density: Annotated[
        str | None,
        typer.Option(
            "--current-density",
            help="Sweep current densities in mA/cm² (start:stop:count or a,b,c).",
            show_default=False,
        ),
    ] = None,
    areal_capacity: Annotated[
        str | None,
        typer.Option(
            "--areal-capacity",
            help="Sweep capacities per half-cycle in mAh/cm² (start:stop:count or a,b,c).",
            show_default=False,
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help="Posterior draws: spread of the optimum (sweep), or intervals, ordering, optimum "
            "and sensitivity of the predictions (calibrate).",
        ),
    ] = 0,
    mcmc: Annotated[
        int,
        typer.Option(
            "--mcmc",
            help="calibrate: run emcee for at most this many steps (40 walkers: 2 per free "
            "parameter + 2; DE moves; stops "
            "at 50 autocorrelation times) on the seed's 200 nm and bare cells; -o writes the "
            "draws (CSV); python -m ssblab.simulate.posterior_ship ships them.",
        ),
    ] = 0,
    bound_mV: Annotated[
        float,
        typer.Option(
            "--bound-mV",
            help="Symmetric cells: divergence bound of the failure rule in mV, the same "
            "as `ssblab symmetric --cutoff-mV` (a rate test to 4 V needs 5000).",
        ),
    ] = 1000.0,
    interphase_ohm: Annotated[
        float,
        typer.Option(
            "--interphase",
            help="Full cells with Li metal: the Li-side interphase, its dc resistance [Ohm] "
            "at 0.1 mA/cm2 (default 0: none).",
        ),
    ] = 0.0,
    interface: Annotated[
        str | None,
        typer.Option(
            "--interface",
            help="Full cells with Li metal: butler-volmer (default, as in `ssblab calibrate` "
            "and the LCO case study), linear or small-signal.",
            show_default=False,
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Simulate a recipe (symmetric Li‖Li cells), sweep coating thickness, or calibrate."""
    from ssblab.errors import SimulationError

    action, rest = (target[0], target[1:]) if target[0] in ACTIONS else ("run", target)
    expected = 0 if action == "calibrate" else 1
    if len(rest) != expected:
        raise SimulationError(
            f"simulate {' '.join(target)!r}: expected RECIPE, 'sweep RECIPE' or 'calibrate'"
        )
    if action == "calibrate":
        from ssblab.cli.simulate_posterior import calibrate_command

        calibrate_command(json, samples, mcmc, out)
    elif action == "sweep":
        grid = {
            "thickness": thickness,
            "current_density": current_density,
            "areal_capacity": areal_capacity,
        }
        from ssblab.cli.simulate_sweep import sweep_command

        sweep_command(Path(rest[0]), grid, samples, settings or [], out, json)
    else:
        from ssblab.cli.simulate_run import run

        run(
            Path(rest[0]),
            protocol,
            settings or [],
            out,
            json,
            bound_mV,
            (interphase_ohm, interface),
        )


def register(app: typer.Typer) -> None:
    """Add ``ssblab simulate`` to *app*."""
    app.command("simulate")(simulate_command)
