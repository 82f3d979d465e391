"""``ssblab atoms interface A B``: a coherent A|B slab interface relaxed with both potentials.

Registered on ``ssblab atoms`` by :mod:`ssblab.cli.atoms`. Every number it
prints is a model prediction of the named universal potential (MLIP, not DFT).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_flags, print_json, print_table, progress


def _stages() -> tuple[str, ...]:
    from ssblab.atomistic.interface_energy import CONTACT_STAGES, CROSSING_STAGES

    return CONTACT_STAGES + CROSSING_STAGES


def _run(film: str, substrate: str, models, options: dict) -> dict:
    from ssblab.atomistic.interface_cache import cached_interface

    results = {}
    stages = _stages()
    with progress() as bar:
        task = bar.add_task(f"{film}|{substrate}", total=len(models) * len(stages))
        for k, model in enumerate(models):

            def on_step(stage: str, n: int, k: int = k, model: str = model) -> None:
                done = k * len(stages) + stages.index(stage)
                bar.update(task, completed=done, description=f"{model}: {stage} (step {n})")

            results[model] = cached_interface(film, substrate, model, on_step=on_step, **options)
    return results


def interface_command(
    film: Annotated[str, typer.Argument(help="The Li side: Li, Al or a coating (the film).")],
    substrate: Annotated[str, typer.Argument(help="The coating or electrolyte (substrate).")],
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "--potential",
            help="both (CHGNet and SevenNet side by side), chgnet, sevennet.",
        ),
    ] = "both",
    neb: Annotated[
        bool, typer.Option("--neb/--no-neb", help="Also the Li+ path across by CI-NEB (5 images).")
    ] = True,
    fmax: Annotated[float, typer.Option("--fmax", help="Relaxation force threshold, eV/Å.")] = 0.05,
    steps: Annotated[
        int, typer.Option("--steps", help="Optimizer step cap per relaxation (FIRE then BFGS).")
    ] = 400,
    band_steps: Annotated[
        int, typer.Option("--band-steps", help="Step cap of the CI-NEB band (FIRE).")
    ] = 300,
    bulk: Annotated[
        bool, typer.Option("--bulk/--no-bulk", help="Also an extra Li in each bulk phase.")
    ] = True,
    json: JsonOpt = False,
) -> None:
    """Adhesion, contact reaction, Li binding and Li+ barrier at a FILM|SUBSTRATE interface."""
    from ssblab.atomistic.calculator import UNIVERSAL, check_model, model_label
    from ssblab.atomistic.interface_cache import consensus_flags

    models = UNIVERSAL if model == "both" else (model,)
    for name in models:
        check_model(name)
    options = {"neb": neb, "fmax": fmax, "steps": steps, "band_steps": band_steps, "bulk": bulk}
    results = _run(film, substrate, models, options)
    flags = consensus_flags(results) + tuple(f for r in results.values() for f in r.flags)
    method = "model prediction, " + "; ".join(model_label(m) for m in models)
    if json:
        print_json(
            {
                "interface": f"{film}|{substrate}",
                "method": method,
                "results": {m: r.as_dict() for m, r in results.items()},
                "flags": [f.as_dict() for f in flags],
            }
        )
        return
    typer.echo(f"{film}|{substrate}: {method}")
    builds = [{"model": m, **r.build} for m, r in results.items()]
    shown = ("model", "film", "substrate", "n_atoms", "n_film", "n_substrate", "fixed_atoms")
    print_table(
        [
            {
                **{k: b[k] for k in shown},
                "strain %": b["strain_pct"],
                "von Mises %": b["von_mises_strain_pct"],
                "area Å2": b["area_A2"],
                "vacuum Å": b["vacuum_A"],
                "termination": b["termination"][1],
            }
            for b in builds
        ],
        title="interface built (film strained onto the substrate)",
    )
    keys = (
        "W_adhesion_J_m2",
        "broken_bonds",
        "bonds_formed",
        "anions_pulled",
        "E_bind_interface_eV",
        "barrier_eV",
        "delta_E_eV",
        "hop_A",
        "path_clearance_A",
    )
    rows = [{"quantity": key, **{m: getattr(r, key) for m, r in results.items()}} for key in keys]
    rows.append({"quantity": "converged", **{m: _yes(r.converged) for m, r in results.items()}})
    for phase in (
        dict.fromkeys((film, substrate)) if any(r.E_bind_bulk_eV for r in results.values()) else ()
    ):
        rows.append(
            {
                "quantity": f"E_bind in bulk {phase}_eV",
                **{m: r.E_bind_bulk_eV.get(phase) for m, r in results.items()},
            }
        )
    print_table(
        rows, title="predicted (Li binding vs bcc Li metal; barrier interface -> first layer)"
    )
    print_table(_step_rows(results), title=f"optimizer steps per stage (fmax {fmax} eV/Å)")
    for m, r in results.items():
        if r.mechanism:
            typer.echo(f"{m} Li crossing: {r.mechanism}")
    for note in builds[0]["notes"]:
        typer.echo(note)
    from ssblab.atomistic.interfaces import SEED_MODELS

    if (film, substrate) in SEED_MODELS:
        typer.echo(SEED_MODELS[film, substrate])
    print_flags(dict.fromkeys(flags))


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _step_rows(results: dict) -> list[dict]:
    """One row per stage: steps taken and converged yes/no for each potential."""
    rows = []
    for stage in _stages():
        if not any(stage in r.steps for r in results.values()):
            continue
        row: dict = {"stage": stage}
        for m, r in results.items():
            row[f"{m} steps"] = r.steps.get(stage)
            row[f"{m} converged"] = _yes(r.stage_converged.get(stage))
        rows.append(row)
    return rows
