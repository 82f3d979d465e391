"""Cold start: whole-process time of ``ssblab info FILE`` against ``python -c "import polars"``.

Each command runs as a fresh process, alternating, ``--repeat`` times (default 15);
the script prints the median and quartiles of each, the difference (what ssblab
adds to the polars floor) and the ratio. The target (issue 16) is a median of
0.35 s for ``info`` on a file under 1 MB on an idle machine; on a loaded one,
read the overhead over the floor.

    .venv/bin/python benchmarks/bench_startup.py [FILE] [--repeat N]
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
#: A 394 kB Neware file (6670 records): a typical "< 1 MB" input.
DEFAULT_FILE = DATA / "neware" / "TestFile.nda"


def wall(cmd: list[str]) -> float:
    """Seconds one process takes from start to exit."""
    return run_once(cmd)[0]


def run_once(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one process.

    On a shared, loaded machine the wall time mostly measures waiting for a core;
    the CPU time is what the process itself needs (close to its wall time when idle).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--eis",
        action="store_true",
        help="also time `ssblab eis fit` on LIB_data.txt and the import it used to pay "
        "(impedance.models.circuits, with its matplotlib/altair/pandas plotting)",
    )
    args = parser.parse_args()
    if not args.file.is_file():
        print(f"skipped: {args.file} not found (set SSBLAB_DATA)")
        return 0
    py = sys.executable
    commands = {
        "python -c 'import polars' (floor)": [py, "-c", "import polars"],
        "python -c 'import ssblab'": [py, "-c", "import ssblab"],
        f"ssblab info {args.file.name}": [py, "-m", "ssblab", "info", str(args.file)],
        "ssblab --help": [py, "-m", "ssblab", "--help"],
    }
    eis_file = DATA / "eis" / "LIB_data.txt"
    if args.eis and eis_file.is_file():
        fit = [py, "-m", "ssblab", "eis", "fit", str(eis_file), "-c", "R0-p(R1,CPE1)", "--json"]
        commands["ssblab eis fit LIB_data.txt"] = fit
        commands["import impedance.models.circuits (old)"] = [
            py,
            "-c",
            "import polars, numpy; import impedance.models.circuits",
        ]
    for cmd in commands.values():  # warm the file cache, not the interpreter
        wall(cmd)
    times: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            elapsed, cpu = run_once(cmd)
            times[name].append(elapsed)
            cpus[name].append(cpu)
    size_kb = args.file.stat().st_size / 1024
    load = os.getloadavg()[0]
    print(
        f"file: {args.file} ({size_kb:.0f} kB); {args.repeat} cold runs each, alternating; "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    for name in commands:
        cpu = statistics.median(cpus[name])
        print(f"  {name:<40} wall {stats(times[name])}; CPU median {cpu:.3f} s")
    info_name = f"ssblab info {args.file.name}"
    for label, table in (("wall", times), ("CPU", cpus)):
        floor = statistics.median(next(iter(table.values())))
        info = statistics.median(table[info_name])
        print(
            f"ssblab info ({label}): {info:.3f} s = polars floor {floor:.3f} s + "
            f"{info - floor:.3f} s (ratio {info / floor:.2f}); target 0.35 s median"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
