"""Run many binding / migration calculations, serially or on Dask, and the seed tables.

A job is a small frozen dataclass; :func:`run_job` turns one job into its
result, and :func:`screen` maps it over a list through
:func:`ssblab.catalog.runner.run_many` (``scheduler=None`` serial, ``"local"`` a
Dask LocalCluster, or a scheduler address).

:func:`seed_binding_table` and :func:`seed_migration_table` redo the
calculations of the composite-Al seed (Cui et al., Supplementary Figures 14-15:
DFT binding energies E_int = E_AB − E_A − E_B of Li at Al, Li, P2S5 and
cycling products, and Li⁺ migration at the interface) with CHGNet instead of
DFT. Energies in eV, lengths in Å.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ssblab.atomistic.binding import BindingResult, binding_energy
from ssblab.atomistic.calculator import MODELS, UNIVERSAL, model_label
from ssblab.atomistic.consensus import (
    MARGIN_BARRIER_EV,
    MARGIN_BINDING_EV,
    barrier_presence,
    disagreement,
)
from ssblab.atomistic.neb import NEBResult, migration_barrier
from ssblab.flags import Flag, as_dicts


@dataclass(frozen=True)
class BindingJob:
    """One E_int calculation (see :func:`ssblab.atomistic.binding.binding_energy`).

    ``min_length_A`` is the smallest supercell plane spacing [Å], ``fmax`` the
    force threshold [eV/Å].
    """

    host: str
    adsorbate: str = "Li"
    site: str | None = None
    reference: str = "atom"
    model: str = "chgnet"
    fmax: float = 0.05
    min_length_A: float = 8.0


@dataclass(frozen=True)
class MigrationJob:
    """One NEB barrier (see :func:`ssblab.atomistic.neb.migration_barrier`).

    ``min_length_A`` is the smallest supercell plane spacing [Å], ``fmax`` the
    force threshold [eV/Å].
    """

    structure: str
    hop: str = "auto"
    n_images: int = 5
    model: str = "chgnet"
    fmax: float = 0.05
    min_length_A: float = 9.0


Job = BindingJob | MigrationJob
Result = BindingResult | NEBResult


def run_job(job: Job) -> Result:
    """Compute one job, or read it from the on-disk cache (module level, so Dask can ship it)."""
    from ssblab.atomistic import cache

    kind = "binding" if isinstance(job, BindingJob) else "neb"
    params = {k: v for k, v in job.__dict__.items() if k != "model"}
    key = cache.cache_key(kind, params, job.model)
    hit = cache.load(key)
    if hit is not None:
        return (BindingResult if kind == "binding" else NEBResult).from_dict(hit)
    result = _compute(job)
    cache.save(key, result.as_dict())
    return result


def _compute(job: Job) -> Result:
    if isinstance(job, BindingJob):
        return binding_energy(
            job.host,
            job.adsorbate,
            site=job.site,
            reference=job.reference,
            model=job.model,
            fmax=job.fmax,
            min_length_A=job.min_length_A,
        )
    return migration_barrier(
        job.structure,
        job.hop,
        n_images=job.n_images,
        model=job.model,
        fmax=job.fmax,
        min_length_A=job.min_length_A,
    )


def screen(
    jobs: Sequence[Job],
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[int], object] | None = None,
) -> list[Result]:
    """Results of *jobs* in input order; *scheduler* as in ``run_many`` (None = serial)."""
    from ssblab.catalog.runner import run_many

    return run_many(run_job, jobs, scheduler=scheduler, workers=workers, on_done=on_done)


#: Measured or DFT Li migration energies to set beside a barrier: (low, high) eV and source.
LITERATURE_BARRIER_EV: dict[str, tuple[float, float, str]] = {
    "LGPS": (
        0.18,
        0.25,
        "activation energies of long-range Li diffusion, not one NEB saddle: 0.22 eV bulk Li "
        "hopping, impedance + 7Li NMR (Kuhn, Duppel, Lotsch, Energy Environ. Sci. 6, 3548 "
        "(2013)); 0.25 eV conductivity (Kamaya et al., Nat. Mater. 10, 682 (2011), as "
        "tabulated by Laskowski et al., Energy Environ. Sci. 16, 1264 (2023) SI); 0.18 eV "
        "first-principles MD (Materzanini, Kahle, Marcolongo, Marzari, arXiv:2010.08068). "
        "The c-channel AIMD values of Mo, Ong, Ceder, Chem. Mater. 24, 15 (2012) were not "
        "retrieved and are not used",
    ),
    "LiAlO2": (
        0.7,
        1.2,
        "0.7-1.2 eV for gamma-LiAlO2 (range of issue 15); 0.97 eV for r-LiAlO2 (Laskowski "
        "dataset via OBELiX); ssblab's LiAlO2 is the alpha (R-3m) polymorph, not gamma",
    ),
}


def literature_error(structure: str, values: dict[str, float]) -> dict[str, Any] | None:
    """The literature range of *structure* and each predicted value's distance from it [eV].

    *values* are the barriers compared, per potential: for a NEB result its highest
    minus lowest image energy, ``NEBResult.migration_eV`` (``compared`` says so).
    """
    if structure not in LITERATURE_BARRIER_EV:
        return None
    lo, hi, source = LITERATURE_BARRIER_EV[structure]
    error = {m: (v - hi if v > hi else v - lo if v < lo else 0.0) for m, v in values.items()}
    return {
        "range_eV": [lo, hi],
        "source": source,
        "compared": "highest minus lowest image energy (migration_eV)",
        "value_eV": dict(values),
        "error_eV": error,
        "kind": "predicted",
    }


@dataclass(frozen=True)
class Paired:
    """One job computed with several potentials, side by side, with the flags of both.

    ``values`` holds the headline number per potential (E_int [eV] of a binding
    job, barrier [eV] of a NEB job); ``flags`` carries every per-potential flag
    and a ``potentials_disagree`` flag when the spread exceeds the margin of
    :mod:`ssblab.atomistic.consensus`.
    """

    job: Job
    results: dict[str, Result]
    flags: tuple[Flag, ...]

    @property
    def quantity(self) -> str:
        return "E_int_eV" if isinstance(self.job, BindingJob) else "barrier_eV"

    @property
    def values(self) -> dict[str, float]:
        return {m: getattr(r, self.quantity) for m, r in self.results.items()}

    def as_dict(self) -> dict[str, Any]:
        """Stable JSON keys: job, values, results (per potential), flags."""
        job = {k: v for k, v in self.job.__dict__.items() if k != "model"}
        out = {
            "job": job,
            "quantity": self.quantity,
            "values": self.values,
            "results": {m: r.as_dict() for m, r in self.results.items()},
            "flags": as_dicts(self.flags),
        }
        if isinstance(self.job, MigrationJob):
            migration = {m: r.migration_eV for m, r in self.results.items()}
            out["literature"] = literature_error(self.job.structure, migration)
        return out


def pair(job: Job, results: dict[str, Result]) -> Paired:
    """Combine the per-potential *results* of *job* and add the disagreement flag."""
    flags: list[Flag] = [f for r in results.values() for f in r.flags]
    binding = isinstance(job, BindingJob)
    quantity = "E_int_eV" if binding else "barrier_eV"
    margin = MARGIN_BINDING_EV if binding else MARGIN_BARRIER_EV
    values = {m: getattr(r, quantity) for m, r in results.items()}
    flags += disagreement(quantity, values, margin, "eV")
    if binding:
        metal = {m: r.E_int_vs_metal_eV for m, r in results.items()}
        flags += disagreement("E_int_vs_metal_eV", metal, margin, "eV")
    else:
        codes = {m: [f.code for f in r.flags] for m, r in results.items()}
        flags += barrier_presence(values, codes)  # one has a barrier, another none
        migration = {m: r.migration_eV for m, r in results.items()}
        if migration != values:  # a band whose ends are its lowest images: said once
            flags += disagreement("migration_eV", migration, margin, "eV")
    unique = tuple(dict.fromkeys(flags))
    return Paired(job=job, results=results, flags=unique)


def screen_both(
    jobs: Sequence[Job],
    models: Sequence[str] = UNIVERSAL,
    scheduler: str | None = None,
    on_done: Callable[[int], object] | None = None,
) -> list[Paired]:
    """Every job with every potential in *models*, paired (cached per job and potential)."""
    expanded = [replace(job, model=m) for job in jobs for m in models]
    results = screen(expanded, scheduler=scheduler, on_done=on_done)
    out = []
    for i, job in enumerate(jobs):
        chunk = results[i * len(models) : (i + 1) * len(models)]
        out.append(pair(job, dict(zip(models, chunk, strict=True))))
    return out


#: Hosts of Supplementary Figure 14: Al, Li and P2S5 (one P4S10 molecule with 10 Å
#: vacuum: the triclinic crystal's coordinates are not in ssblab's sourced data),
#: then the cycling products LiAl, Li2S, Li3P and LiCl (from Li5.4PS4.4Cl1.6).
SEED_BINDING_JOBS: tuple[BindingJob, ...] = (
    BindingJob("Al"),
    BindingJob("Li"),
    BindingJob("P2S5"),
    BindingJob("LiAl"),
    BindingJob("Li2S", site="octahedral"),
    BindingJob("Li3P"),
    BindingJob("LiCl", site="tetrahedral"),
)

#: Li migration paths at the Al/Li interface phases (Supplementary Figure 15), in
#: the LiAlO2 interlayer of the second seed (Chang et al.) and along the c channel of
#: its LGPS electrolyte (16h -> 8f -> 16h, 9 images over 8 Å; ssblab.atomistic.neb_lgps).
#: Supercells of about 30-130 atoms: with CHGNet the LiAl and Li2S vacancy barriers
#: drop from 0.18 and 0.38 eV in one conventional cell (15 and 11 atoms) to 0.12 and
#: 0.25 eV in 2x2x2.
SEED_MIGRATION_JOBS: tuple[MigrationJob, ...] = (
    MigrationJob("Li", "vacancy", min_length_A=9.0),
    MigrationJob("Al", "auto", min_length_A=8.0),
    MigrationJob("LiAl", "vacancy", min_length_A=8.0),
    MigrationJob("Li2S", "vacancy", min_length_A=8.0),
    MigrationJob("LiAlO2", "vacancy", min_length_A=5.5),
    MigrationJob("LGPS", "channel", n_images=9, min_length_A=8.0),
)


@dataclass(frozen=True)
class SeedTable:
    """Results to set next to a seed's DFT claims, with the method stated."""

    method: str
    note: str
    rows: tuple[Paired, ...]
    checks: tuple[str, ...] = ()


def _method(models: Sequence[str]) -> str:
    names = "; ".join(f"{model_label(m)}: {MODELS[m]}" for m in models)
    return f"{names}; ASE BFGS/FIRE relaxations, fmax 0.05 eV/Å"


def seed_binding_table(
    models: Sequence[str] = UNIVERSAL,
    jobs: Sequence[BindingJob] | None = None,
    scheduler: str | None = None,
    on_done: Callable[[int], object] | None = None,
) -> SeedTable:
    """E_int of one Li atom at the seed's interface phases (Fig. S14), with *model*.

    Surface hosts (Al(111), Li(110)) carry the Li on a hollow site with ≥ 10 Å
    vacuum; compounds take it at an interstitial site of a bulk supercell. E_B
    is the isolated Li atom, as in the seed's E_int = E_AB − E_A − E_B.
    """
    jobs = SEED_BINDING_JOBS if jobs is None else jobs
    rows = tuple(screen_both(jobs, models, scheduler=scheduler, on_done=on_done))
    note = (
        "Seed: DFT (CASTEP, PBE, 500 eV cut-off), E_int = E_AB - E_A - E_B with E_B the "
        "isolated Li; its values exist only in the Fig. S14 image (none in its text, none "
        "retrieved elsewhere), so no number is compared. Its stated claim (abstract, Cui et "
        "al., Chem. Sci. 2026, d6sc03781j): a large Li+ binding-energy difference 'confines "
        "Li+ within the anode bulk'; checked below as Li binding to Al vs Li and to the "
        "electrolyte side. Here: two universal ML potentials side by side; P2S5 as one P4S10 "
        "molecule in vacuum; Al(111) and Li(110) slabs (10 Å vacuum), compounds as bulk "
        "supercells. Against an isolated atom every host binds Li strongly (the free atom "
        "lies far above Li metal); E_int_vs_metal (bcc Li reference) says whether Li would "
        "leave its metal for the host."
    )
    return SeedTable(method=_method(models), note=note, rows=rows, checks=binding_checks(rows))


#: Hosts of Fig. S14 on the electrolyte side of the anode: P2S5 and the cycling products.
ELECTROLYTE_SIDE = ("P2S5", "Li2S", "Li3P", "LiCl")


def binding_checks(rows: Sequence[Paired]) -> tuple[str, ...]:
    """The seed's binding claims tested on *rows*, one sentence each, with the numbers.

    - Li binds more strongly at Al(111) than at Li(110), and than on the
      electrolyte side (:data:`ELECTROLYTE_SIDE`, artefacts left out);
    - the ordering of E_int per potential (most strongly bound first);
    - which strong bindings are reactions or artefacts rather than adsorption.
    """
    by_host = {r.job.host: r for r in rows}
    models = list(rows[0].results) if rows else []
    out = []
    if "Al" in by_host and "Li" in by_host:
        gaps = {m: by_host["Al"].values[m] - by_host["Li"].values[m] for m in models}
        verdict = "reproduced" if all(g < 0 for g in gaps.values()) else "NOT reproduced"
        listed = ", ".join(f"{m} {g:+.2f} eV" for m, g in gaps.items())
        out.append(
            f"Li binds more strongly to Al(111) than to Li(110) (Al holds Li): {verdict}, "
            f"E_int(Al) - E_int(Li) = {listed}"
        )
    artefact = {
        r.job.host for r in rows for f in r.flags if f.code == "unphysical_lithiated_binding"
    }
    side = [h for h in ELECTROLYTE_SIDE if h in by_host and h not in artefact]
    if "Al" in by_host and side:
        diffs = {
            h: {m: by_host["Al"].values[m] - by_host[h].values[m] for m in models} for h in side
        }
        held = all(d < -MARGIN_BINDING_EV for v in diffs.values() for d in v.values())
        listed = "; ".join(
            f"{h}: " + ", ".join(f"{m} {d:+.2f}" for m, d in v.items()) for h, v in diffs.items()
        )
        out.append(
            "Li binds more strongly to Al than to the electrolyte side (products not flagged "
            f"as artefacts), beyond the {MARGIN_BINDING_EV} eV margin: "
            f"{'reproduced' if held else 'NOT reproduced'}, E_int(Al) - E_int(X) eV = {listed}"
        )
    for m in models:
        order = sorted(rows, key=lambda r: r.values[m])
        out.append(
            f"{m} ordering, most strongly bound first: "
            + " < ".join(f"{r.job.host} {r.values[m]:.2f}" for r in order)
        )
    artefacts = sorted(artefact)
    if artefacts:
        out.append(
            f"{', '.join(artefacts)}: fully lithiated, cannot take more Li; their strong "
            "binding is a potential artefact (flagged), not a reason for Li to stay there"
        )
    if "P2S5" in by_host:
        metal = {m: by_host["P2S5"].results[m].E_int_vs_metal_eV for m in models}
        listed = ", ".join(f"{m} {v:+.2f}" for m, v in metal.items() if v is not None)
        out.append(
            f"P2S5 binds Li below Li metal ({listed} eV): Li reduces it (P2S5 + Li -> Li3P + "
            "Li2S, a reaction), so strong binding there means consumption, not storage"
        )
    return tuple(out)


def seed_migration_table(
    models: Sequence[str] = UNIVERSAL,
    jobs: Sequence[MigrationJob] | None = None,
    scheduler: str | None = None,
    on_done: Callable[[int], object] | None = None,
) -> SeedTable:
    """Li migration barriers (climbing-image NEB) in the interface phases, with *model*."""
    jobs = SEED_MIGRATION_JOBS if jobs is None else jobs
    rows = tuple(screen_both(jobs, models, scheduler=scheduler, on_done=on_done))
    checks = []
    for row in rows:
        first = next(iter(row.results.values()))
        checks.append(f"{row.job.structure} mechanism: {first.mechanism}")
        literature = row.as_dict()["literature"]
        if literature:
            lo, hi = literature["range_eV"]
            errors = ", ".join(
                f"{m} {literature['value_eV'][m]:.3f} eV (error {e:+.3f})"
                for m, e in literature["error_eV"].items()
            )
            checks.append(
                f"{row.job.structure} highest-minus-lowest band energy vs literature "
                f"{lo:g}-{hi:g} eV: {errors}"
            )
    note = (
        "Seed: DFT (VASP 6.3.0, PBE, PAW, 450 eV). Here: two universal ML potentials in "
        "small periodic supercells (n_atoms per row); barriers are bulk hops, not the "
        "seed's interface model."
    )
    return SeedTable(method=_method(models), note=note, rows=rows, checks=tuple(checks))
