"""Benchmark: the issue's time budgets on 2 CPU cores (one torch thread), both potentials.

* one binding energy: a Li atom on the fcc hollow of Al(111) (2×2×4 slab, bottom
  half fixed, 10 Å vacuum each side), E_int against the isolated atom and Li metal,
  from a cold start (potential loaded, bulk cells relaxed, no result cache);
  budget 5 min per potential;
* one climbing-image NEB with 5 images, from a cold start, budget 10 min per
  potential: ``--neb li`` (default) the vacancy hop in bcc Li (3×3×3, 53 atoms),
  ``--neb lgps`` the c-channel path 16h -> 8f -> 16h in the ordered Li10GeP2S12 model
  (the hop ``auto`` picks there; 48 atoms after the two vacancies).

* ``--interface FILM,SUBSTRATE`` (e.g. ``Li,LiAlO2``; ``--models chgnet`` for one
  potential, ``--no-neb`` for the binding line alone) instead times one interface
  (ssblab.atomistic.interface_energy) through the result cache ($SSBLAB_CACHE;
  parts already cached print ``cached``): "interface binding" is both slabs
  alone, the gap scan, the interface and the Li at the interface site (W_ad,
  E_bind); "interface NEB" is the Li relaxed in the first substrate layer and
  the 5-image CI-NEB from the interface site into it. Same budgets (5 and 10 min).

Each line prints the wall time, the ratio to the budget (< 1 is within budget) and
the number computed, so the figures in the report come from this script. The NEB
energy profiles are written as a PNG when ``--figure PATH`` is given.

Run: ``.venv/bin/python benchmarks/bench_atoms_budget.py [--neb lgps] [--figure neb.png]``
or ``.venv/bin/python benchmarks/bench_atoms_budget.py --interface Li,LiAlO2``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

BUDGET_BINDING_S = 300.0
BUDGET_NEB_S = 600.0
MODELS = ("chgnet", "sevennet")


def cold(fn):
    """Wall seconds and result of *fn* with a fresh, empty result cache."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SSBLAB_CACHE"] = folder
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result


def interface_lines(pair: str, models: tuple[str, ...] = MODELS, neb: bool = True) -> int:
    """The interface budget lines: binding (W_ad + Li at the interface) and the NEB across.

    Runs through the result cache ($SSBLAB_CACHE, so the CLI and the slow tests
    reuse the results); a part already cached is printed as ``cached`` and not timed.
    """
    from ssblab.atomistic import cache
    from ssblab.atomistic.interface_cache import cached_interface, interface_keys

    film, substrate = pair.split(",")
    print(f"{'calculation':<38} {'model':<9} {'wall s':>8} {'/budget':>8}  result")
    for model in models:
        cold_parts = [cache.load(k) is None for k in interface_keys(film, substrate, model)]
        marks: dict[str, float] = {}
        start = time.perf_counter()

        def on_step(stage: str, n: int, marks=marks) -> None:
            marks.setdefault(stage, time.perf_counter())

        res = cached_interface(film, substrate, model, neb=neb, bulk=False, on_step=on_step)
        wall = time.perf_counter() - start
        crossing = [marks[k] for k in ("hop start", "Li in first layer") if k in marks]
        t_bind = min(crossing, default=start + wall) - start
        t_neb = wall - t_bind
        n = res.build["n_atoms"]

        def timed(t: float, budget: float, cold: bool) -> str:
            return f"{t:8.1f} {t / budget:8.2f}" if cold else f"{'cached':>8} {'-':>8}"

        steps = ", ".join(f"{k} {v}" for k, v in res.steps.items())
        print(
            f"{f'interface binding {film}|{substrate}, {n} at.':<38} {model:<9} "
            f"{timed(t_bind, BUDGET_BINDING_S, cold_parts[0])}  "
            f"W_ad {res.W_adhesion_J_m2:.3f} J/m2, E_bind {res.E_bind_interface_eV:.3f} eV vs "
            f"Li metal, {res.broken_bonds} bonds broken, {res.bonds_formed} formed, "
            f"{res.anions_pulled} anions pulled"
        )
        codes = sorted({f.code for f in res.flags if f.quantity == "barrier_eV"})
        if neb and res.barrier_eV is None:
            why = [f.message for f in res.flags if f.code in ("no_short_hop", "end_points_merged")]
            print(f"{'interface NEB, 5 images':<38} {model:<9} no band: {'; '.join(why)}")
            continue
        if not neb:
            print(f"{'':<38} {model:<9} converged {res.converged}; steps: {steps}")
            continue
        print(
            f"{'interface NEB, 5 images':<38} {model:<9} "
            f"{timed(t_neb, BUDGET_NEB_S, cold_parts[1])}  barrier {res.barrier_eV:.3f} eV, "
            f"dE {res.delta_E_eV:.3f} eV (hop {res.hop_A:.2f} Å, path clears atoms by "
            f"{res.path_clearance_A:.2f} Å), flags {codes or 'none'}"
        )
        print(f"{'':<38} {model:<9} {res.mechanism}")
        for f in res.flags:
            if f.code == "end_points_merged":
                print(f"{'':<38} {model:<9} {f.message}")
        print(f"{'':<38} {model:<9} converged {res.converged}; steps: {steps}")
    return 0


def main(argv: list[str]) -> int:
    import torch

    from ssblab.atomistic.binding import binding_energy
    from ssblab.atomistic.neb import migration_barrier

    torch.set_num_threads(1)
    if "--interface" in argv:
        models = MODELS
        if "--models" in argv:
            models = tuple(argv[argv.index("--models") + 1].split(","))
        pair = argv[argv.index("--interface") + 1]
        return interface_lines(pair, models, neb="--no-neb" not in argv)
    figure = argv[argv.index("--figure") + 1] if "--figure" in argv else None
    which = argv[argv.index("--neb") + 1] if "--neb" in argv else "li"
    name, length, label = {
        "li": ("Li", 9.0, "NEB bcc Li vacancy hop, 5 images"),
        "lgps": ("LGPS", 8.0, "NEB LGPS c channel 16h-8f-16h, 5 img"),
    }[which]
    profiles = {}
    print(f"{'calculation':<38} {'model':<9} {'wall s':>8} {'/budget':>8}  result")
    for model in MODELS:
        wall, res = cold(lambda m=model: binding_energy("Al", "Li", model=m))
        print(
            f"{'E_int Li on Al(111), 65 atoms':<38} {model:<9} {wall:8.1f} "
            f"{wall / BUDGET_BINDING_S:8.2f}  E_int {res.E_int_eV:.3f} eV vs atom, "
            f"{res.E_int_vs_metal_eV:.3f} eV vs Li metal"
        )
    for model in MODELS:
        wall, res = cold(lambda m=model: migration_barrier(name, "auto", 5, m, min_length_A=length))
        profiles[model] = res.energies_eV
        print(
            f"{label:<38} {model:<9} {wall:8.1f} "
            f"{wall / BUDGET_NEB_S:8.2f}  barrier {res.barrier_eV:.3f} eV "
            f"(hop {res.distance_A:.2f} Å, {res.n_atoms} atoms, converged {res.converged})"
        )
    if figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        for model, energies in profiles.items():
            ax.plot(range(len(energies)), energies, "o-", label=model)
        ax.set_xlabel("image")
        ax.set_ylabel("E − E_initial (eV)")
        ax.set_title(label)
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(figure, dpi=150)
        print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
