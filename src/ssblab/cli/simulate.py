"""``ssblab simulate``: run a recipe's protocol through a model; sweeps and calibration.

    ssblab simulate RECIPE [--protocol "..."] [--set name=value ...] [-o OUT.parquet] [--json]
    ssblab simulate sweep RECIPE --thickness 0:500:200 [--samples N] [-o plot.png] [--json]
    ssblab simulate calibrate [--samples N] [--mcmc STEPS -o draws.csv] [--json]

The model follows ``recipe.kind``: ``symmetric`` runs the fast Li‖Li model
(:mod:`ssblab.simulate.symmetric`); ``full``/``half`` run the PyBaMM model of
:mod:`ssblab.simulate.fullcell` (``--protocol``: PyBaMM steps separated by ``;``;
``--interphase OHM`` and ``--interface`` the Li-side interphase of a Li-metal cell,
Butler-Volmer by default as in ``ssblab calibrate`` and the LCO case study).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table, progress

ACTIONS = ("sweep", "calibrate")


def _settings(pairs: list[str]) -> dict[str, float]:
    """``name=value`` strings as a dict of floats."""
    from ssblab.errors import SimulationError

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise SimulationError(
                f"--set {pair!r}: expected name=number, e.g. --set void_rate=0.05"
            )
    return out


def _cell(recipe_path: Path, settings: list[str]) -> Any:
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
    return recipe, cell.with_(**_settings(settings)) if settings else cell


def _run_full(
    recipe: Any, recipe_path: Path, protocol: str | None, out, json: bool, li: tuple = (0.0, None)
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


def _blocks(recipe: Any, protocol: str | None) -> Any:
    from ssblab.simulate.protocol import lifetime_protocol, parse_protocol

    if protocol:
        return parse_protocol(protocol)
    p = recipe.protocol
    j = (p.current_density_mA_cm2 if p else None) or 0.1
    q = (p.areal_capacity_mAh_cm2 if p else None) or 0.1
    t = (p.max_time_h if p else None) or 5000.0
    return lifetime_protocol(j, q, t)


def _run(
    recipe_path: Path,
    protocol: str | None,
    settings: list[str],
    out: Path | None,
    json: bool,
    bound_mV: float = 1000.0,
    li: tuple = (0.0, None),
):
    from ssblab.errors import SimulationError
    from ssblab.io.export import write
    from ssblab.recipe import load_recipe
    from ssblab.simulate.symmetric import simulate

    recipe = load_recipe(recipe_path)
    if recipe.kind != "symmetric":
        if settings:
            raise SimulationError("--set applies to the symmetric-cell model only")
        _run_full(recipe, recipe_path, protocol, out, json, li)
        return
    if li[0] or li[1]:
        raise SimulationError("--interphase/--interface apply to full cells (PyBaMM) only")
    recipe, cell = _cell(recipe_path, settings)
    result = simulate(cell, _blocks(recipe, protocol), bound_mV=bound_mV)
    payload = {"recipe": str(recipe_path), "coating_thickness_nm": cell.coating_thickness_nm}
    payload.update(result.to_dict())
    if out is not None:
        payload["output"] = str(write(result.run, out))
    if json:
        print_json(payload)
    else:
        print_table([payload], title=f"Simulated: {recipe.name}")


def _sweep(recipe_path: Path, grid: dict[str, str | None], samples: int, settings, out, json):
    from ssblab.simulate.sweep import optimum, optimum_uncertainty, parse_range, plot_sweep, sweep

    recipe, cell = _cell(recipe_path, settings)
    p = recipe.protocol
    j = (p.current_density_mA_cm2 if p else None) or 0.1
    q = (p.areal_capacity_mAh_cm2 if p else None) or 0.1
    t = (p.max_time_h if p else None) or 5000.0
    d = parse_range(grid["thickness"] or "0:500:201")
    js = parse_range(grid["current_density"]) if grid["current_density"] else [j]
    qs = parse_range(grid["areal_capacity"]) if grid["areal_capacity"] else [q]
    result = sweep(cell, d, js, qs, t)
    optima = []
    for (jj, qq), part in result.group_by(
        "current_density_mA_cm2", "areal_capacity_mAh_cm2", maintain_order=True
    ):
        best = optimum(part, t)
        optima.append(
            {
                "current_density_mA_cm2": jj,
                "areal_capacity_mAh_cm2": qq,
                "optimum_thickness_nm": best.thickness_nm,
                "optimum_lifetime_h": best.lifetime_h,
                "optimum_band_nm": [best.low_nm, best.high_nm],
            }
        )
    spread = None
    if samples > 0:
        with progress() as bar:
            task = bar.add_task("parameter draws", total=samples)
            draws = optimum_uncertainty(
                cell,
                d,
                samples=samples,
                max_time_h=t,
                current_density_mA_cm2=float(js[0]),
                areal_capacity_mAh_cm2=float(qs[0]),
                on_draw=lambda: bar.advance(task),
            )
        spread = float(draws.std(ddof=1)) if draws.size > 1 else 0.0
    payload = {
        "recipe": str(recipe_path),
        **{k: v for k, v in optima[0].items() if k.startswith("optimum")},
        "optimum_spread_nm": spread,
        "optima": optima,
        "points": result.to_dicts(),
    }
    if out is not None:
        fig = plot_sweep(result, optimum(result.head(d.size), t), title=str(recipe.name))
        fig.savefig(out, dpi=150)
        payload["output"] = str(out)
    if json:
        print_json(payload)
        return
    print_table(optima, title=f"Optimum coating thickness (spread over draws: {spread})")
    step = max(1, len(payload["points"]) // 30)
    print_table(payload["points"][::step], title="Lifetime vs thickness")


def _calibrate(json: bool, samples: int, mcmc: int, out: Path | None) -> None:
    """The seed report of the calibrated model; with draws, intervals, ordering, optimum."""
    from ssblab.flags import Flag, as_dicts
    from ssblab.simulate import posterior as po
    from ssblab.simulate.calibrate import calibration_report
    from ssblab.simulate.symmetric import SymmetricCell, load_params

    base = load_params()
    cell = SymmetricCell(params=base)
    payload: dict[str, Any] = {"rows": [r.to_dict() for r in calibration_report(base)]}
    post = None
    if mcmc > 0:
        with progress() as bar:
            walkers = 2 * len(po.FREE) + 2
            bar.add_task(f"emcee: {walkers} walkers x {mcmc} steps", total=None)
            post = po.sample(
                base, cell, walkers, steps=mcmc, burn=mcmc // 12, polish=2000, target_tau=50.0
            )
        if out is not None:
            po.write_draws(post, out)
            payload["output"] = str(out)
    elif samples > 0:
        post = po.load_draws()
    flags = []
    if post is not None:
        step = max(1, post.draws.shape[0] // samples) if samples > 0 else 1
        post = post.subsample(step)
        payload["posterior"] = po.predictions(post, base, cell)
        payload["sensitivity"] = po.sensitivity(post, base, cell)
        missed = [r["quantity"] for r in payload["posterior"]["rows"] if not r["seed_in_interval"]]
        if missed:
            flags.append(
                Flag(
                    "posterior",
                    "seed_outside_interval",
                    "the seed value lies outside the model's 90 % interval for: "
                    + "; ".join(missed),
                )
            )
    payload["flags"] = as_dicts(flags)
    if json:
        print_json(payload)
        return
    for flag in flags:
        typer.echo(str(flag), err=True)
    print_table(
        payload["rows"], title="Seed vs model (best posterior draw): calibrated on 200 nm + bare"
    )
    if post is not None:
        rows = payload["posterior"]["rows"]
        print_table(
            rows, title=f"Posterior ({payload['posterior']['draws']} draws), 90 % intervals"
        )
        opt = payload["posterior"]["optimum_thickness_nm"]
        typer.echo(
            f"optimum thickness {opt['median']:.0f} nm "
            f"(90 %: {opt['low']:.0f}-{opt['high']:.0f} nm); "
            "ordering 200 > 300 > 100 nm > bare in "
            f"{100 * payload['posterior']['ordering_200_300_100_bare_fraction']:.0f} % of draws; "
            "200 nm the best of 100/200/300 nm (all above bare) in "
            f"{100 * payload['posterior']['best_200_of_100_200_300_fraction']:.0f} %"
        )
        run = payload["posterior"]["sampler"]
        typer.echo(
            f"emcee: {run['walkers']} walkers x {run['steps']} steps, {run['kept_steps']:.0f} kept "
            f"= {run['kept_over_autocorrelation']:.0f} autocorrelation times "
            f"({run['autocorrelation_steps']:.0f} steps), split R-hat max "
            f"{run['split_rhat_max']:.3f}, ESS min {run['ess_min']:.0f}, "
            f"acceptance {run['acceptance']:.2f}"
        )
        print_table(
            payload["sensitivity"], title="Optimum vs each free parameter (+-1 posterior sd)"
        )


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
        _calibrate(json, samples, mcmc, out)
    elif action == "sweep":
        grid = {
            "thickness": thickness,
            "current_density": current_density,
            "areal_capacity": areal_capacity,
        }
        _sweep(Path(rest[0]), grid, samples, settings or [], out, json)
    else:
        _run(
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
