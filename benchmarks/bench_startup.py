"""Cold start: whole-process time of ``ssblab info FILE`` against ``python -c "import polars"``.

Each command runs as a fresh process, alternating, ``--repeat`` times (default 15);
the script prints the median and quartiles of each, and for ``ssblab info`` both
paths: the fast one (``ssblab.cli.fast_info``: no Typer or Rich; for Neware
``.nda``/``.ndax`` and Arbin ``.res`` no Polars either) and the Typer one
(``SSBLAB_NO_FASTPATH=1``), each against the polars floor (ratio). The target
(issue 16) is a median of 0.35 s for ``info`` on a file under 1 MB on an idle
machine; on a loaded one, read the CPU times.

    .venv/bin/python benchmarks/bench_startup.py [FILE ...] [--repeat N] [--eis]

Default files: the 385 kB ``TestFile.nda``, a 546 kB ``.ndax``, the 520 kB
``arbin_example.res`` and the 926 kB LANDT BDF CSV (a text file: no light summary, so
the fast path runs the full reader, only without Typer and Rich).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))
#: A 385 kB .nda (6670 records), a 546 kB .ndax, a 520 kB Arbin database and a 926 kB
#: text file: typical "< 1 MB" inputs.
DEFAULT_FILES = (
    DATA / "neware" / "TestFile.nda",
    DATA / "neware" / "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax",
    DATA / "arbin" / "arbin_example.res",
    DATA / "land" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv",
)
#: Environment of the Typer path (the light path off).
FULL_PATH = {**os.environ, "SSBLAB_NO_FASTPATH": "1"}


def run_once(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one process.

    On a shared, loaded machine the wall time mostly measures waiting for a core;
    the CPU time is what the process itself needs (close to its wall time when idle).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def stats(times: list[float]) -> str:
    q = statistics.quantiles(times, n=4)
    return f"median {statistics.median(times):.3f} s (IQR {q[0]:.3f}-{q[2]:.3f})"


def main() -> int:
    """Measure and print; exit 0 (a benchmark reports, it does not judge)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--eis",
        action="store_true",
        help="also time `ssblab eis fit` on LIB_data.txt and the import it used to pay "
        "(impedance.models.circuits, with its matplotlib/altair/pandas plotting)",
    )
    args = parser.parse_args()
    files = [f for f in args.files if f.is_file()]
    for missing in set(args.files) - set(files):
        print(f"skipped: {missing} not found (set SSBLAB_DATA)")
    if not files:
        return 0
    py = sys.executable
    floor_name = "python -c 'import polars' (floor)"
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        floor_name: ([py, "-c", "import polars"], None),
        "python -c 'import numpy'": ([py, "-c", "import numpy"], None),
        "python -c 'import ssblab'": ([py, "-c", "import ssblab"], None),
    }
    infos: list[tuple[str, str, str]] = []  # (file name, light command, Typer command)
    for file in files:
        cmd = [py, "-m", "ssblab", "info", str(file)]
        light, full = f"ssblab info {file.name}", f"ssblab info {file.name} (Typer path)"
        commands[light] = (cmd, None)
        commands[full] = (cmd, FULL_PATH)
        infos.append((file.name, light, full))
    commands["ssblab --help"] = ([py, "-m", "ssblab", "--help"], None)
    eis_file = DATA / "eis" / "LIB_data.txt"
    if args.eis and eis_file.is_file():
        fit = [py, "-m", "ssblab", "eis", "fit", str(eis_file), "-c", "R0-p(R1,CPE1)", "--json"]
        commands["ssblab eis fit LIB_data.txt"] = (fit, None)
        old = [py, "-c", "import polars, numpy; import impedance.models.circuits"]
        commands["import impedance.models.circuits (old)"] = (old, None)
    for cmd, env in commands.values():  # warm the file cache, not the interpreter
        run_once(cmd, env)
    times: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.repeat):
        for name, (cmd, env) in commands.items():
            elapsed, cpu = run_once(cmd, env)
            times[name].append(elapsed)
            cpus[name].append(cpu)
    load = os.getloadavg()[0]
    sizes = ", ".join(f"{f.name} {f.stat().st_size / 1024:.0f} kB" for f in files)
    print(
        f"files: {sizes}; {args.repeat} cold runs each, alternating; "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    for name in commands:
        cpu = statistics.median(cpus[name])
        print(f"  {name:<58} wall {stats(times[name])}; CPU median {cpu:.3f} s")
    for file_name, light, full in infos:
        for label, table in (("wall", times), ("CPU", cpus)):
            floor = statistics.median(table[floor_name])
            parts = []
            for path_name, key in (("fast path", light), ("Typer path", full)):
                info = statistics.median(table[key])
                parts.append(f"{path_name} {info:.3f} s (ratio {info / floor:.2f})")
            print(
                f"ssblab info {file_name} ({label}): {'; '.join(parts)}; "
                f"polars floor {floor:.3f} s; target 0.35 s median"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
