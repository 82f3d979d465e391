"""Benchmark: CHGNet against ASE's EMT on the same Al systems, and ssblab against bare ASE.

EMT has parameters for Al but not Li, so the common systems are Al ones:

* relaxation: an Al adatom on an Al(111) slab (2×2×4, bottom half fixed, 10 Å
  vacuum each side), BFGS to fmax 0.05 eV/Å, started from the same geometry;
* NEB: the nearest-neighbour vacancy hop in a 2×2×2 fcc Al supercell (31
  atoms), 3 images, climbing image, FIRE to fmax 0.05 eV/Å.

Each is timed with both potentials through ssblab. The CHGNet relaxation is also
run with a bare ASE ``BFGS`` + ``CHGNetCalculator`` on the same start geometry,
giving ssblab's overhead (ratio ≈ 1 expected). CHGNet runs on the CPU with one
torch thread; its one-off model load is timed apart. Times are wall and CPU
seconds of one run after a warm-up; memory is the process peak RSS after each
stage (torch allocations are invisible to tracemalloc).

Run: ``.venv/bin/python benchmarks/bench_atomistic.py``
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call of *fn*, after one warm-up call, and its result."""
    fn()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def adatom_slab():
    """Al adatom on the fcc hollow of Al(111) at the tabulated a = 4.05 Å (same start for both)."""
    from ase.build import fcc111
    from ase.constraints import FixAtoms

    from ssblab.atomistic.binding import with_adsorbate
    from ssblab.atomistic.structures import get_structure

    slab = fcc111("Al", size=(2, 2, 4), a=get_structure("Al").a_A, vacuum=10.0, orthogonal=True)
    slab.set_constraint(FixAtoms(mask=slab.get_tags() > 2))
    return with_adsorbate(slab, "Al", "fcc", height_A=2.0)


def load_bare_chgnet():
    """CHGNet 0.3.0 loaded directly from the chgnet package (no ssblab)."""
    import contextlib
    import io

    from chgnet.model.model import CHGNet

    with contextlib.redirect_stdout(io.StringIO()):
        return CHGNet.load(model_name="0.3.0", verbose=False, use_device="cpu")


def bare_ase_relax(atoms, network, fmax: float = 0.05):
    """The same relaxation written directly against ASE and chgnet (no ssblab)."""
    import contextlib
    import io

    from ase.optimize import BFGS
    from chgnet.model.dynamics import CHGNetCalculator

    work = atoms.copy()
    with contextlib.redirect_stdout(io.StringIO()):
        work.calc = CHGNetCalculator(model=network, use_device="cpu")
    optimizer = BFGS(work, logfile=None)
    optimizer.run(fmax=fmax, steps=200)
    return work.get_potential_energy(), optimizer.nsteps


def main() -> int:
    import torch

    from ssblab.atomistic.calculator import get_calculator
    from ssblab.atomistic.neb import migration_barrier
    from ssblab.atomistic.relax import relax

    torch.set_num_threads(1)
    start = time.perf_counter()
    get_calculator("chgnet")
    print(f"CHGNet 0.3.0 model load (packaged weights): {time.perf_counter() - start:.2f} s")

    system = adatom_slab()
    print(f"\nRelaxation: Al adatom on Al(111), {len(system)} atoms, fmax 0.05 eV/Å")
    rows = {}
    for model in ("emt", "chgnet"):
        wall, cpu, done = timed(lambda m=model: relax(system, model=m, fmax=0.05))
        rows[model] = wall
        print(
            f"  ssblab {model:6s}: {wall:7.2f} s wall {cpu:7.2f} s CPU, {done.steps:3d} steps, "
            f"{1e3 * wall / max(done.steps, 1):7.1f} ms/step, peak RSS {peak_rss_mib():6.0f} MiB"
        )
    print(f"  CHGNet / EMT time ratio: {rows['chgnet'] / rows['emt']:.0f}")
    network = load_bare_chgnet()
    wall, cpu, (_, steps) = timed(lambda: bare_ase_relax(system, network))
    print(f"  bare ASE chgnet: {wall:7.2f} s wall {cpu:7.2f} s CPU, {steps:3d} steps")
    print(f"  ssblab / bare ASE time ratio (CHGNet): {rows['chgnet'] / wall:.2f}")

    print("\nNEB: Al vacancy hop, 2x2x2 fcc supercell (31 atoms), 3 images, fmax 0.05 eV/Å")
    neb = {}
    for model in ("emt", "chgnet"):
        wall, cpu, result = timed(
            lambda m=model: migration_barrier(
                "Al", "vacancy", n_images=3, model=m, min_length_A=7.0
            )
        )
        neb[model] = wall
        print(
            f"  ssblab {model:6s}: {wall:7.2f} s wall {cpu:7.2f} s CPU, "
            f"barrier {result.barrier_eV:.3f} eV, converged {result.converged}, "
            f"peak RSS {peak_rss_mib():6.0f} MiB"
        )
    print(f"  CHGNet / EMT time ratio: {neb['chgnet'] / neb['emt']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
