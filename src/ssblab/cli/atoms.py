"""``ssblab atoms``: Li binding energies and migration barriers with CHGNet (or EMT) via ASE."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table, progress

atoms_app = typer.Typer(
    help="Atomistic calculations (CHGNet through ASE): binding energies, NEB barriers.",
    no_args_is_help=True,
)

ModelOpt = Annotated[
    str, typer.Option("--model", help="Potential: chgnet (CHGNet 0.3.0) or emt (ASE, metals only).")
]
FmaxOpt = Annotated[float, typer.Option("--fmax", help="Force threshold of relaxations in eV/Å.")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask: 'local' for a LocalCluster or a scheduler address (default: serial).",
        show_default=False,
    ),
]


@contextmanager
def _stage_progress(max_steps: int):
    """A progress bar per relaxation stage; yields the callback ``(stage, step)``."""
    with progress() as bar:
        tasks: dict[str, int] = {}

        def on_step(stage: str, step: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max_steps)
            bar.update(tasks[stage], completed=min(step, max_steps))

        yield on_step


@atoms_app.command("list")
def list_command(json: JsonOpt = False) -> None:
    """Structures available for binding and NEB, with their sources."""
    from ssblab.atomistic.structures import structures

    rows = [
        {
            "name": e.name,
            "formula": e.formula,
            "spacegroup": e.spacegroup,
            "a_A": e.a_A,
            "surface": e.surface.miller if e.surface else None,
            "sites": ", ".join(e.sites) or None,
            "hops": ", ".join(e.hops) or None,
            "source": e.source,
        }
        for e in structures().values()
    ]
    if json:
        print_json(rows)
    else:
        print_table(rows, title="ssblab atomistic structures")


@atoms_app.command("binding")
def binding_command(
    host: Annotated[str, typer.Option("--host", help="Host structure (see 'ssblab atoms list').")],
    adsorbate: Annotated[str, typer.Option("--adsorbate", help="Bound atom (symbol).")] = "Li",
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help="surface, a named interstitial site, or void (default: surface if listed).",
            show_default=False,
        ),
    ] = None,
    reference: Annotated[
        str,
        typer.Option("--reference", help="E_B as the isolated atom (atom) or its crystal (bulk)."),
    ] = "atom",
    model: ModelOpt = "chgnet",
    fmax: FmaxOpt = 0.05,
    json: JsonOpt = False,
) -> None:
    """Binding energy E_int = E_AB − E_A − E_B (eV) of one atom on or in a host."""
    from ssblab.atomistic.binding import binding_energy

    with _stage_progress(200) as on_step:
        result = binding_energy(
            host,
            adsorbate,
            site=site,
            reference=reference,
            model=model,
            fmax=fmax,
            on_step=on_step,
        )
    payload = result.as_dict()
    if json:
        print_json(payload)
    else:
        print_table([payload], title=f"E_int of {adsorbate} at {host} (eV)")


@atoms_app.command("neb")
def neb_command(
    structure: Annotated[
        str, typer.Option("--structure", help="Structure (see 'ssblab atoms list').")
    ],
    hop: Annotated[str, typer.Option("--hop", help="vacancy or interstitial.")] = "vacancy",
    images: Annotated[int, typer.Option("--images", help="Intermediate NEB images.")] = 5,
    min_length: Annotated[
        float, typer.Option("--min-length-A", help="Smallest supercell plane spacing in Å.")
    ] = 9.0,
    model: ModelOpt = "chgnet",
    fmax: FmaxOpt = 0.05,
    json: JsonOpt = False,
) -> None:
    """Migration barrier (eV) of a hop by climbing-image NEB, with the energy profile."""
    from ssblab.atomistic.neb import migration_barrier

    with _stage_progress(300) as on_step:
        result = migration_barrier(
            structure,
            hop,
            n_images=images,
            model=model,
            fmax=fmax,
            min_length_A=min_length,
            on_step=on_step,
        )
    payload = result.as_dict()
    if json:
        print_json(payload)
        return
    summary = {k: v for k, v in payload.items() if k != "path"}
    print_table([summary], title=f"{hop} hop in {structure}")
    print_table(payload["path"], title="Energy profile (eV, relative to the initial state)")


@atoms_app.command("seed")
def seed_command(
    what: Annotated[str, typer.Argument(help="binding or migration.")] = "binding",
    model: ModelOpt = "chgnet",
    scheduler: SchedulerOpt = None,
    json: JsonOpt = False,
) -> None:
    """The seed paper's binding (Fig. S14) or migration (Fig. S15) table, recomputed."""
    from ssblab.atomistic import screen
    from ssblab.errors import SsblabError

    tables = {"binding": screen.seed_binding_table, "migration": screen.seed_migration_table}
    if what not in tables:
        raise SsblabError(f"unknown seed table {what!r}; choose one of: {', '.join(tables)}")
    jobs = screen.SEED_BINDING_JOBS if what == "binding" else screen.SEED_MIGRATION_JOBS
    with progress() as bar:
        task = bar.add_task(f"seed {what}", total=len(jobs))
        table = tables[what](
            model=model, scheduler=scheduler, on_done=lambda n: bar.update(task, completed=n)
        )
    rows = [row.as_dict() for row in table.rows]
    if json:
        print_json({"method": table.method, "note": table.note, "rows": rows})
        return
    for row in rows:
        row.pop("path", None)
    print_table(rows, title=f"{table.method}")
    typer.echo(table.note)


def register(app: typer.Typer) -> None:
    """Add ``ssblab atoms`` to *app*."""
    app.add_typer(atoms_app, name="atoms")
