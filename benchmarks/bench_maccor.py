"""Benchmark: ssblab's Maccor text reader against a bare ``polars.read_csv`` and cellpy.

Contenders, each on the same file, each in ``--rounds`` fresh subprocesses (best of
``--repeat`` wall times, or process CPU times with ``--clock cpu``, after one warm-up
read, best round; peak memory = growth of
``ru_maxrss`` over the process after its imports):

* ``ssblab``       ``ssblab.io.read(path)``: header parse, typed read of the
                   needed columns, signed current, cumulative counters, Unix time
* ``polars-bare``  ``polars.read_csv(path, separator="\\t", skip_rows=N)``: every
                   column, no conversion (the floor for any Polars-based reader)
* ``cellpy``       ``cellpy.get(path, instrument="maccor_txt", model="one",
                   auto_summary=False)`` in ``.bench-venv-cellpy`` (own venv, as
                   cellpy has pinned numpy<2); only with ``--cellpy``;
                   ``--setup-cellpy`` creates the venv

Files: ``maccor_001.txt`` (3-line header, 3.5 MB), ``xTESLADIAG_000019_CH70.070``
(1-line header, 3.0 MB) and a large file made by repeating the records of
``maccor_001.txt`` ``--scale`` times, written to a temporary folder outside the
repository. Ratios are contender time / ssblab time.

Run: ``.venv/bin/python benchmarks/bench_maccor.py [--scale 20] [--repeat 10] [--clock cpu]
[--cellpy]``. CPU time counts the work of every Polars thread: on a shared machine it
moves less than wall time, and a multi-threaded bare read is not flattered by idle cores
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data")) / "maccor"
FILES = {"maccor_001.txt": 3, "xTESLADIAG_000019_CH70.070": 1}  # name -> header lines
CELLPY_VENV = ROOT / ".bench-venv-cellpy"

CHILD = """
import json, resource, sys, time
PATH, SKIP = sys.argv[1], int(sys.argv[3])
{setup}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = {rows}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
clock = time.process_time if sys.argv[4] == "cpu" else time.perf_counter
best = float("inf")
for _ in range(int(sys.argv[2])):
    t0 = clock()
    {call}
    best = min(best, clock() - t0)
print(json.dumps({{"seconds": best, "peak_kib": peak, "rows": rows}}))
"""

CELLPY_SETUP = """
import logging
logging.disable(logging.CRITICAL)
import cellpy
def cp():
    return cellpy.get(PATH, instrument="maccor_txt", model="one", auto_summary=False)
"""

CONTENDERS: dict[str, tuple[str, str, str, str]] = {
    "ssblab": (
        sys.executable,
        "from ssblab.io import load_readers, read; load_readers()",
        "read(PATH)",
        "read(PATH).n_rows",
    ),
    "polars-bare": (
        sys.executable,
        "import polars as pl",
        "pl.read_csv(PATH, separator='\\t', skip_rows=SKIP)",
        "pl.read_csv(PATH, separator='\\t', skip_rows=SKIP).height",
    ),
    "cellpy": (str(CELLPY_VENV / "bin" / "python"), CELLPY_SETUP, "cp()", "len(cp().data.raw)"),
}


def run_one(
    name: str, path: Path, skip: int, repeat: int, clock: str = "wall"
) -> dict[str, object]:
    """Time one contender on one file in a fresh process (*clock*: ``wall`` or ``cpu``)."""
    python, setup, call, rows = CONTENDERS[name]
    if not Path(python).exists():
        return {"skipped": f"{python} missing (run with --setup-cellpy)"}
    program = CHILD.format(setup=setup, call=call, rows=rows)
    proc = subprocess.run(
        [python, "-c", program, str(path), str(repeat), str(skip), clock],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": tail[:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scaled_copy(source: Path, skip: int, scale: int, folder: Path) -> Path:
    """Header of *source* plus its records repeated *scale* times."""
    lines = source.read_bytes().splitlines(keepends=True)
    head, body = lines[: skip + 1], b"".join(lines[skip + 1 :])
    target = folder / f"scaled_x{scale}_{source.name}"
    with open(target, "wb") as fh:
        fh.writelines(head)
        for _ in range(scale):
            fh.write(body)
    return target


#: Contenders slow enough that one round of two reads says all there is to say.
SLOW = {"access-parser", "cellpy"}


def repeats(name: str, asked: int) -> int:
    """Timed reads for *name*: as asked, at most 2 for a slow contender."""
    return min(asked, 2) if name in SLOW else asked


def rounds(name: str, asked: int) -> int:
    """Fresh processes for *name*: as asked, 1 for a slow contender."""
    return 1 if name in SLOW else asked


def best_of(runs: list[dict[str, object]]) -> dict[str, object]:
    """The fastest of several rounds (the others only add noise from a busy machine)."""
    timed = [r for r in runs if "seconds" in r]
    return min(timed, key=lambda r: float(r["seconds"])) if timed else runs[0]


def setup_cellpy() -> None:
    """Create ``.bench-venv-cellpy`` with cellpy."""
    if not CELLPY_VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CELLPY_VENV)], check=True)
    pip = [str(CELLPY_VENV / "bin" / "pip"), "install", "-q", "cellpy"]
    subprocess.run(pip, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed reads per contender")
    parser.add_argument("--scale", type=int, default=20, help="record repeats of the big file")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per contender")
    parser.add_argument("--cellpy", action="store_true", help="also time cellpy")
    parser.add_argument("--setup-cellpy", action="store_true", help="create .bench-venv-cellpy")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall", help="wall time or process CPU time"
    )
    args = parser.parse_args()
    if args.setup_cellpy:
        setup_cellpy()
    names = [n for n in CONTENDERS if n != "cellpy" or args.cellpy or args.setup_cellpy]
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="ssblab-bench-maccor-") as tmp:
        files = [(DATA / name, skip) for name, skip in FILES.items()]
        if args.scale > 1 and files[0][0].is_file():
            files.append((scaled_copy(files[0][0], files[0][1], args.scale, Path(tmp)), 3))
        for path, skip in files:
            if not path.is_file():
                print(f"skip {path.name}: not found", file=sys.stderr)
                continue
            per = {
                name: best_of(
                    [
                        run_one(name, path, skip, repeats(name, args.repeat), args.clock)
                        for _ in range(rounds(name, args.rounds))
                    ]
                )
                for name in names
            }
            base = per["ssblab"].get("seconds")
            for entry in per.values():
                if base and "seconds" in entry:
                    entry["ratio_to_ssblab"] = round(float(entry["seconds"]) / float(base), 2)
            results[f"{path.name} ({path.stat().st_size / 1e6:.1f} MB)"] = per
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"clock {args.clock}; load average {os.getloadavg()[0]:.1f} (1 min) at the end")
    for label, per in results.items():
        print(label)
        for name, r in per.items():
            if "seconds" in r:
                print(
                    f"  {name:12s} {1000 * float(r['seconds']):9.1f} ms  "
                    f"peak +{int(r['peak_kib']) / 1024:7.1f} MiB  rows {r['rows']:>8}  "
                    f"x{r.get('ratio_to_ssblab', '?')}"
                )
            else:
                print(f"  {name:12s} {r}")


if __name__ == "__main__":
    main()
