"""``ssblab atoms``: Li binding energies, migration barriers and interlayer screening via ASE.

Every number is computed with both universal potentials (CHGNet and SevenNet)
unless ``--model`` names one; the table sets them side by side and the flags
say where they disagree or where a number is unphysical.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ssblab.cli._common import JsonOpt, print_flags, print_json, print_table, progress
from ssblab.cli.atoms_interface import interface_command

atoms_app = typer.Typer(
    help="Atomistic calculations (CHGNet and SevenNet through ASE): binding, NEB, screening.",
    no_args_is_help=True,
)

ModelOpt = Annotated[
    str,
    typer.Option(
        "--model",
        help="both (CHGNet and SevenNet side by side), chgnet, sevennet or emt (metals only).",
    ),
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


def _models(model: str) -> tuple[str, ...]:
    from ssblab.atomistic.calculator import UNIVERSAL, check_model

    if model == "both":
        return UNIVERSAL
    check_model(model)
    return (model,)


def _side_by_side(paired, keys: tuple[str, ...]) -> dict:
    """One table row: the job, then each key per potential, then the flag codes."""
    row = dict(paired.as_dict()["job"])
    for key in keys:
        for name, result in paired.results.items():
            row[f"{key} {name}"] = getattr(result, key)
    literature = paired.as_dict().get("literature")
    if literature:
        lo, hi = literature["range_eV"]
        row["literature eV"] = f"{lo:g}-{hi:g}"
        for name, err in literature["error_eV"].items():
            row[f"error {name}"] = err
    row["flags"] = ", ".join(dict.fromkeys(f.code for f in paired.flags)) or None
    return row


def _run_paired(jobs, models, label: str, scheduler: str | None = None):
    from ssblab.atomistic.screen import screen_both

    with progress() as bar:
        task = bar.add_task(label, total=len(jobs) * len(models))
        return screen_both(
            jobs, models, scheduler=scheduler, on_done=lambda n: bar.update(task, completed=n)
        )


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
    model: ModelOpt = "both",
    fmax: FmaxOpt = 0.05,
    json: JsonOpt = False,
) -> None:
    """Binding energy E_int = E_AB − E_A − E_B (eV) of one atom on or in a host."""
    from ssblab.atomistic.screen import BindingJob

    job = BindingJob(host, adsorbate, site=site, reference=reference, fmax=fmax)
    [paired] = _run_paired([job], _models(model), f"E_int {adsorbate} at {host}")
    if json:
        print_paired_json(paired)
        return
    keys = ("E_int_eV", "E_int_vs_metal_eV", "site")
    print_table([_side_by_side(paired, keys)], title=f"E_int of {adsorbate} at {host} (eV)")
    print_flags(paired.flags)


def print_paired_json(paired: Any) -> None:
    """``--json`` of a paired result: the one potential's result with the flags, or both."""
    if len(paired.results) == 1:
        [result] = paired.results.values()
        print_json({**result.as_dict(), "flags": [f.as_dict() for f in paired.flags]})
    else:
        print_json(paired.as_dict())


@atoms_app.command("neb")
def neb_command(
    structure: Annotated[
        str, typer.Option("--structure", help="Structure (see 'ssblab atoms list').")
    ],
    hop: Annotated[
        str,
        typer.Option(
            "--hop",
            help="auto (chosen by the host's chemistry), vacancy, solute_vacancy or interstitial.",
        ),
    ] = "auto",
    images: Annotated[int, typer.Option("--images", help="Intermediate NEB images.")] = 5,
    min_length: Annotated[
        float, typer.Option("--min-length-A", help="Smallest supercell plane spacing in Å.")
    ] = 9.0,
    model: ModelOpt = "both",
    fmax: FmaxOpt = 0.05,
    json: JsonOpt = False,
) -> None:
    """Migration barrier (eV) of a hop by climbing-image NEB, with the mechanism and profile."""
    from ssblab.atomistic.screen import MigrationJob

    job = MigrationJob(structure, hop, n_images=images, fmax=fmax, min_length_A=min_length)
    [paired] = _run_paired([job], _models(model), f"NEB {structure}")
    if json:
        print_paired_json(paired)
        return
    first = next(iter(paired.results.values()))
    typer.echo(f"mechanism: {first.mechanism}")
    keys = ("barrier_eV", "reverse_barrier_eV", "migration_eV", "distance_A")
    print_table([_side_by_side(paired, keys)], title=f"{first.hop} hop in {structure}")
    profile = [
        {"image": i, **{f"energy_eV {m}": r.energies_eV[i] for m, r in paired.results.items()}}
        for i in range(len(first.energies_eV))
    ]
    print_table(profile, title="Energy profile (eV, relative to the initial state)")
    print_flags(paired.flags)


@atoms_app.command("seed")
def seed_command(
    what: Annotated[str, typer.Argument(help="binding or migration.")] = "binding",
    model: ModelOpt = "both",
    scheduler: SchedulerOpt = None,
    plot: Annotated[
        str | None,
        typer.Option("--plot", help="Also write a bar chart PNG of the table.", show_default=False),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """The seed paper's binding (Fig. S14) or migration (Fig. S15) table, both potentials."""
    from ssblab.atomistic import screen
    from ssblab.errors import SsblabError

    tables = {"binding": screen.seed_binding_table, "migration": screen.seed_migration_table}
    if what not in tables:
        raise SsblabError(f"unknown seed table {what!r}; choose one of: {', '.join(tables)}")
    models = _models(model)
    jobs = screen.SEED_BINDING_JOBS if what == "binding" else screen.SEED_MIGRATION_JOBS
    with progress() as bar:
        task = bar.add_task(f"seed {what}", total=len(jobs) * len(models))
        table = tables[what](
            models=models,
            jobs=jobs,
            scheduler=scheduler,
            on_done=lambda n: bar.update(task, completed=n),
        )
    if plot:
        from ssblab.cli.atoms_plot import bar_chart

        bar_chart(table, what, plot)
        typer.echo(f"wrote {plot}", err=True)
    if json:
        rows = [row.as_dict() for row in table.rows]
        payload = {"method": table.method, "note": table.note, "checks": list(table.checks)}
        print_json({**payload, "rows": rows})
        return
    binding = what == "binding"
    keys = ("E_int_eV", "E_int_vs_metal_eV") if binding else ("barrier_eV", "migration_eV")
    rows = [_side_by_side(r, keys) for r in table.rows]
    if what == "migration":
        for row, paired in zip(rows, table.rows, strict=True):
            row["hop"] = next(iter(paired.results.values())).hop
    print_table(rows, title=table.method)
    typer.echo(table.note)
    for line in table.checks:
        typer.echo(f"- {line}")
    print_flags([f for r in table.rows for f in r.flags])


@atoms_app.command("screen")
def screen_command(
    candidates: Annotated[
        str,
        typer.Option("--candidates", help="Comma-separated interlayer candidates."),
    ] = "LiAlO2,LiAlO2_gamma,Li3PO4,LiNbO3,Al2O3,LiF,Li3N,Li2S,LGPS,Li6PS5Cl",
    model: ModelOpt = "both",
    kinetics: Annotated[
        bool,
        typer.Option(
            "--kinetics", help="Also the Li barrier and extra-Li binding (minutes per candidate)."
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Rank interlayers by reaction energy with Li, LGPS and Li6PS5Cl (each potential's hull)."""
    from ssblab.atomistic import stability

    names = [c.strip() for c in candidates.split(",") if c.strip()]
    models = _models(model)
    with progress() as bar:
        task = bar.add_task("screen", total=len(names) * len(stability.PARTNERS) * len(models))
        rows, skipped = stability.screen_candidates(
            names,
            models=models,
            on_done=lambda n: bar.update(task, completed=n),
            kinetics=kinetics,
        )
    if json:
        print_json(
            {
                "method": "reaction energies (eV/atom of mixture) on the convex hull of each "
                "potential's relaxed energies; pymatgen PhaseDiagram + InterfacialReactivity",
                "caveats": stability.__doc__.split("Caveats, stated with every number:")[1].strip(),
                "rows": [r.as_dict() for r in rows],
                "skipped": skipped,
            }
        )
        return
    table = []
    for rank, row in enumerate(rows, start=1):
        out = {"rank": rank, "candidate": row.candidate}
        for partner in stability.PARTNERS:
            for name, rxn in row.reactions[partner].items():
                out[f"E_rxn vs {partner} {name} eV/atom"] = rxn.energy_eV_atom
        for partner in stability.PARTNERS:
            out[f"vs {partner}"] = row.verdict(partner)
        for name, value in row.barrier_eV.items():
            out[f"Li barrier {name} eV"] = value
        for name, value in row.binding_vs_metal_eV.items():
            out[f"extra Li vs metal {name} eV"] = value
        out["products vs Li (chgnet)"] = next(iter(row.reactions["Li"].values())).products
        out["literature"] = row.literature
        table.append(out)
    print_table(table, title="Interlayer screening (most protective against Li first)")
    for line in skipped:
        typer.echo(f"skipped {line}")
    typer.echo(
        "Caveats: only phases with a sourced structure close the hull (a missing phase can "
        "only add reactions); O, S, P, N, F, Cl without a crystal enter as isolated atoms; "
        "LiAlO2 is alpha (R-3m), LiAlO2_gamma gamma (P4_12_12, neutron refinement of "
        "Wiedemann et al. 2016); the amorphous film is not screened. Verdicts: a reaction "
        "counts only beyond the potential's published formation-energy MAE "
        f"({', '.join(f'{m} {v} eV/atom' for m, v in stability.FORMATION_MAE_EV_ATOM.items())}); "
        "'uncertain' where the two potentials disagree."
    )
    print_flags([f for r in rows for f in r.flags])


@atoms_app.command("amorphous")
def amorphous_command(
    model: Annotated[str, typer.Option("--model", help="chgnet or sevennet.")] = "chgnet",
    melt_fs: Annotated[
        float | None, typer.Option("--melt-fs", help="Melt time in fs (protocol default 1000 fs).")
    ] = None,
    quench_fs: Annotated[
        float | None,
        typer.Option(
            "--quench-fs", help="Linear quench to 300 K in fs (protocol default 1500 fs)."
        ),
    ] = None,
    crystal: Annotated[
        str,
        typer.Option("--crystal", help="Start crystal: LiAlO2_gamma (64 atoms) or LiAlO2 (48)."),
    ] = "LiAlO2_gamma",
    json: JsonOpt = False,
) -> None:
    """Amorphous LiAlO2 by melt-quench MD (2 x 2 x 1 cell), with the protocol and measurements."""
    from dataclasses import replace

    from ssblab.atomistic.amorphous import MeltQuench, melt_quench
    from ssblab.errors import SsblabError

    if crystal not in ("LiAlO2_gamma", "LiAlO2"):
        raise SsblabError(f"--crystal must be LiAlO2_gamma or LiAlO2, got {crystal!r}")
    default = MeltQuench(crystal=crystal)  # one default protocol, the dataclass's
    protocol = replace(
        default,
        melt_fs=default.melt_fs if melt_fs is None else melt_fs,
        quench_fs=default.quench_fs if quench_fs is None else quench_fs,
    )
    melt_fs, quench_fs = protocol.melt_fs, protocol.quench_fs
    total = int((melt_fs + quench_fs) / protocol.timestep_fs)
    with progress() as bar:
        task = bar.add_task("melt-quench", total=total)
        melt_steps = int(melt_fs / protocol.timestep_fs)

        def on_step(stage: str, n: int) -> None:
            bar.update(task, completed=n if stage == "melt" else melt_steps + n)

        result = melt_quench(model, protocol, on_step=on_step)
    payload = result.as_dict()
    if json:
        print_json(payload)
        return
    protocol_row = payload.pop("protocol")
    payload.pop("flags")
    shells = ("coordination", "al_o_fractions", "melt_rms_A")
    print_table([{k: v for k, v in payload.items() if k not in shells}], title="a-LiAlO2")
    print_table([{**payload["coordination"], **payload["al_o_fractions"]}], title="coordination")
    print_table([payload["melt_rms_A"]], title="RMS displacement at the end of the melt (Å)")
    print_table([protocol_row], title="melt-quench protocol")
    print_flags(result.flags)


# ssblab atoms interface A B (interfaces, issue 15): command body in cli/atoms_interface.py
atoms_app.command("interface")(interface_command)


def register(app: typer.Typer) -> None:
    """Add ``ssblab atoms`` to *app*."""
    app.add_typer(atoms_app, name="atoms")
