"""Benchmark: ssblab's Arbin ``.res`` reader against the mdb-export route and access-parser.

Contenders, each on the same real file, each in ``--rounds`` fresh subprocesses (best of
``--repeat`` wall times after one warm-up read, best round; peak memory = ``ru_maxrss`` of
the process and its children, minus the same after imports):

* ``ssblab``        ``ssblab.io.read(path)``: the full canonical table
* ``ssblab-raw``    only the column-wise decode of ``Channel_Normal_Table``
* ``mdb-export``    ``mdb-export FILE Channel_Normal_Table`` (mdbtools, C) piped
                    into ``polars.read_csv``: the usual route for ``.res`` files
* ``access-parser`` the pure-Python Access reader (row by row)
* ``cellpy``        cellpy's ``arbin_res`` loader (it shells out to mdbtools on
                    Linux); only with ``--cellpy`` and ``.bench-venv-cellpy``
                    (cellpy pins numpy<2; ``--setup-cellpy`` creates that venv)

mdbtools is a Debian package (``apt-get install mdbtools``); the benchmark
reports it as skipped when ``mdb-export`` is not on PATH. Ratios are
contender time / ssblab time.

Run: ``.venv/bin/python benchmarks/bench_arbin.py [--repeat 10] [--cellpy]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))
FILES = ("gitt/20210210_FC_01_cc_02.res", "arbin/20160805_test001_45_cc_01.res")
CELLPY_VENV = ROOT / ".bench-venv-cellpy"

CHILD = """
import json, resource, sys, time
PATH = sys.argv[1]
{setup}
def usage():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
base = usage()
rows = {rows}
peak = usage() - base
best = float("inf")
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    {call}
    best = min(best, time.perf_counter() - t0)
print(json.dumps({{"seconds": best, "peak_kib": peak, "rows": rows}}))
"""

MDB_SETUP = """
import io, subprocess, polars as pl
def mdb():
    out = subprocess.run(["mdb-export", PATH, "Channel_Normal_Table"],
                         capture_output=True, check=True).stdout
    return pl.read_csv(io.BytesIO(out), infer_schema_length=None)
"""
RAW_SETUP = """
from pathlib import Path
from ssblab.io.arbin.jet import JetFile
def raw():
    db = JetFile(Path(PATH).read_bytes(), PATH)
    return db.fixed_columns(db.table("Channel_Normal_Table"))[0]
"""
CELLPY_SETUP = """
import logging
logging.disable(logging.CRITICAL)
import cellpy
def cp():
    return cellpy.get(PATH, instrument="arbin_res")
"""

CONTENDERS: dict[str, tuple[str, str, str, str]] = {
    # name: (python, setup, call, rows)
    "ssblab": (
        sys.executable,
        "from ssblab.io import load_readers, read; load_readers()",
        "read(PATH)",
        "read(PATH).n_rows",
    ),
    "ssblab-raw": (sys.executable, RAW_SETUP, "raw()", "len(raw()['Data_Point'])"),
    "mdb-export": (sys.executable, MDB_SETUP, "mdb()", "mdb().height"),
    "access-parser": (
        sys.executable,
        "from access_parser import AccessParser",
        "AccessParser(PATH).parse_table('Channel_Normal_Table')",
        "len(AccessParser(PATH).parse_table('Channel_Normal_Table')['Data_Point'])",
    ),
    "cellpy": (
        str(CELLPY_VENV / "bin" / "python"),
        CELLPY_SETUP,
        "cp()",
        "len(cp().data.raw)",
    ),
}


def run_one(name: str, path: Path, repeat: int) -> dict[str, object]:
    """Time one contender on one file in a fresh process."""
    python, setup, call, rows = CONTENDERS[name]
    if name == "mdb-export" and shutil.which("mdb-export") is None:
        return {"skipped": "mdb-export not on PATH (apt-get install mdbtools)"}
    if not Path(python).exists():
        return {"skipped": f"{python} missing (run with --setup-cellpy)"}
    program = CHILD.format(setup=setup, call=call, rows=rows)
    proc = subprocess.run(
        [python, "-c", program, str(path), str(repeat)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": tail[:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    """Create ``.bench-venv-cellpy`` with cellpy (it pins numpy<2)."""
    if not CELLPY_VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CELLPY_VENV)], check=True)
    pip = [str(CELLPY_VENV / "bin" / "pip"), "install", "-q", "cellpy"]
    subprocess.run(pip, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed reads per contender")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per contender")
    parser.add_argument("--cellpy", action="store_true", help="also time cellpy")
    parser.add_argument("--setup-cellpy", action="store_true", help="create .bench-venv-cellpy")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.setup_cellpy:
        setup_cellpy()
    names = [n for n in CONTENDERS if n != "cellpy" or args.cellpy or args.setup_cellpy]
    results: dict[str, dict[str, object]] = {}
    for rel in FILES:
        path = DATA / rel
        if not path.is_file():
            print(f"skip {rel}: not found under {DATA}", file=sys.stderr)
            continue
        per = {
            name: best_of(
                [
                    run_one(name, path, repeats(name, args.repeat))
                    for _ in range(rounds(name, args.rounds))
                ]
            )
            for name in names
        }
        base = per["ssblab"].get("seconds")
        for entry in per.values():
            if base and "seconds" in entry:
                entry["ratio_to_ssblab"] = round(float(entry["seconds"]) / float(base), 2)
        results[f"{rel} ({path.stat().st_size / 1e6:.1f} MB)"] = per
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for label, per in results.items():
        print(label)
        for name, r in per.items():
            if "seconds" in r:
                print(
                    f"  {name:14s} {1000 * float(r['seconds']):9.1f} ms  "
                    f"peak +{int(r['peak_kib']) / 1024:7.1f} MiB  rows {r['rows']:>7}  "
                    f"x{r.get('ratio_to_ssblab', '?')}"
                )
            else:
                print(f"  {name:14s} {r}")


if __name__ == "__main__":
    main()
