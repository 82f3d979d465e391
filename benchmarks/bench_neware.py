"""Benchmark: ssblab's Neware readers against fastnda and NewareNDA, plus accuracy vs BTSDA.

Each contender reads the same file in a fresh subprocess: the median of
``--repeat`` timed reads after one warm-up read (``--rounds`` fresh
interpreters, contenders taking turns, all reads pooled), and the peak resident
memory the read added on top of the process after its imports
(``ru_maxrss``). Ratios are peer / ssblab (above 1: ssblab is faster or
lighter). Zipped ``.nda`` files are unzipped to a temporary folder for the
peers (they cannot read zips); ssblab reads the zip itself and is also timed on
the unzipped copy, so a zipped file gets two ratios: the peer on the unzipped
file against ssblab on the zip (``t ratio``: what a user with the zip waits
for) and against ssblab on the same unzipped bytes (``unzipped``). Each row
ends with the 1-minute load average: the machine may be shared.
``--clock cpu`` times process CPU time instead of wall time. ``--digests``
prints a digest of every table ssblab reads from the Neware files instead
(diff two runs to check a reader change kept every table bit-identical).

The accuracy table gives, for every file with a BTSDA export, the largest
relative difference of the per-cycle charge/discharge capacities and energies
(``ssblab.analysis.cycles.vendor_cycles`` on our table vs. BTSDA's step-end counters), and
whether rows, cycles and step counts are identical.

Run: ``.venv/bin/python benchmarks/bench_neware.py [--repeat 5] [--rounds 3] [--clock cpu]
[--only nda8.nda.zip] [--no-accuracy] [--digests]``
Peers: ``pip install -r benchmarks/requirements.txt`` (fastnda, NewareNDA).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data")) / "neware"
FILES = (
    "test_2.ndax",
    "SIM.nda.zip",
    "TestFile.nda",
    "nw4-120-1-6-53.ndax",
    "nda8.nda.zip",
    "20260302_IFE_BTS85_2_9_8_1.ndax",
)

CHILD = """
import resource, sys, time, json, warnings
warnings.simplefilter("ignore")
PATH = sys.argv[1]
{setup}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = run(PATH)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
clock = time.process_time if sys.argv[3] == "cpu" else time.perf_counter
times = []
for _ in range(int(sys.argv[2])):
    t0 = clock()
    run(PATH)
    times.append(clock() - t0)
print(json.dumps({{"rows": rows, "times": times, "peak_mib": peak / 1024}}))
"""

CONTENDERS = {
    "ssblab": "from ssblab.io import read\ndef run(p):\n    return read(p).n_rows",
    "fastnda": "import fastnda\ndef run(p):\n    return fastnda.read(p, cycle_mode='raw').height",
    "NewareNDA": "import NewareNDA, logging\nlogging.disable(logging.CRITICAL)\n"
    "def run(p):\n    return len(NewareNDA.read(p))",
}


def measure(name: str, path: Path, repeat: int, clock: str = "wall") -> dict | str:
    """Run contender *name* on *path* in a fresh interpreter; its numbers or the error line."""
    code = CHILD.format(setup=CONTENDERS[name])
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path), str(repeat), clock],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return (lines[-1] if lines else "failed")[:70]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def unzipped(path: Path, folder: Path) -> Path:
    """The ``.nda`` inside a ``.nda.zip``, extracted to *folder* (peers read plain files only)."""
    with zipfile.ZipFile(path) as zf:
        (name,) = zf.namelist()
        target = folder / Path(name).name
        target.write_bytes(zf.read(name))
    return target


def pooled(results: list[dict | str]) -> dict | str:
    """Rounds of one contender: the median and fastest of all reads [s], first round's memory."""
    timed = [r for r in results if isinstance(r, dict)]
    if not timed:
        return results[0]
    times = sorted(t for r in timed for t in r["times"])
    median = statistics.median(times)
    return {"rows": timed[0]["rows"], "seconds": median, "best_s": times[0],
            "peak_mib": timed[0]["peak_mib"], "load": os.getloadavg()[0]}  # fmt: skip


def speed_table(repeat: int, rounds: int = 1, clock: str = "wall", only=None) -> None:
    print(f"clock {clock}; medians of {repeat} reads x {rounds} rounds; "
          f"load average at start {os.getloadavg()[0]:.1f} (1 min)")  # fmt: skip
    print(f"{'file':28s} {'reader':17s} {'rows':>8s} {'time s':>9s} {'best s':>9s} "
          f"{'Mrows/s':>8s} {'peak MiB':>9s} {'t ratio':>8s} {'unzipped':>8s} "
          f"{'mem ratio':>9s} {'load':>5s}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for name in only or FILES:
            path = DATA / name
            if not path.exists():
                print(f"{name:28s} (missing)")
                continue
            plain = unzipped(path, Path(tmp)) if name.endswith(".zip") else path
            jobs = {"ssblab": ("ssblab", path)}
            if plain != path:
                jobs["ssblab (unzipped)"] = ("ssblab", plain)
            for peer in ("fastnda", "NewareNDA"):
                jobs[peer] = (peer, plain)
            rounds_of: dict[str, list] = {reader: [] for reader in jobs}
            for _ in range(rounds):
                for reader, (tool, target) in jobs.items():
                    rounds_of[reader].append(measure(tool, target, repeat, clock))
            runs = {reader: pooled(results) for reader, results in rounds_of.items()}
            ours, ours_plain = runs["ssblab"], runs.get("ssblab (unzipped)")
            for reader, res in runs.items():
                if isinstance(res, str):
                    print(f"{name:28s} {reader:17s} refused/failed: {res}")
                    continue
                ratio = plain_ratio = mem = ""
                if isinstance(ours, dict) and not reader.startswith("ssblab"):
                    ratio = f"{res['seconds'] / ours['seconds']:.2f}x"
                    mem = f"{res['peak_mib'] / max(ours['peak_mib'], 0.1):.1f}x"
                    if isinstance(ours_plain, dict):
                        plain_ratio = f"{res['seconds'] / ours_plain['seconds']:.2f}x"
                rate = res["rows"] / res["seconds"] / 1e6
                print(f"{name:28s} {reader:17s} {res['rows']:8d} {res['seconds']:9.4f} "
                      f"{res['best_s']:9.4f} {rate:8.2f} {res['peak_mib']:9.1f} {ratio:>8s} "
                      f"{plain_ratio:>8s} {mem:>9s} {res['load']:5.1f}")  # fmt: skip


def print_digests() -> None:
    """One line per Neware binary file of shared/data/neware: table and metadata digests."""
    import hashlib

    from ssblab.io import read

    for path in sorted(p for p in DATA.iterdir() if ".nda" in p.name and p.is_file()):
        digest = hashlib.sha256()
        try:
            run = read(path)
            for column in run.table.get_columns():
                digest.update(f"{column.name}:{column.dtype}:{column.null_count()}".encode())
                digest.update(column.is_null().to_numpy().tobytes())
                digest.update(column.to_numpy().tobytes())
            meta = hashlib.sha256(repr(run.meta).encode()).hexdigest()[:12]
            print(path.name, digest.hexdigest()[:16], "meta", meta, "rows", run.n_rows)
        except Exception as exc:  # a refusal is part of what must stay the same
            print(path.name, f"refused {type(exc).__name__}: {str(exc)[:100]}")


def as_net(per_cycle, keys: tuple[str, ...]):
    """Charge columns replaced by charge minus discharge, discharge columns by zero."""
    import polars as pl

    return per_cycle.with_columns(
        (pl.col(keys[0]) - pl.col(keys[1])).alias(keys[0]),
        (pl.col(keys[2]) - pl.col(keys[3])).alias(keys[2]),
        pl.lit(0.0).alias(keys[1]),
        pl.lit(0.0).alias(keys[3]),
    )


def accuracy_table() -> None:
    """Largest relative per-cycle difference to BTSDA, per referenced file."""
    import numpy as np
    import polars as pl

    sys.path.insert(0, str(ROOT / "tests" / "io"))
    from test_neware import REFERENCES, btsda_cycles, source_of

    from ssblab import schema as s
    from ssblab.analysis.cycles import vendor_cycles as cycles
    from ssblab.io import read

    keys = (
        "charge_capacity_Ah",
        "discharge_capacity_Ah",
        "charge_energy_Wh",
        "discharge_energy_Wh",
    )
    print(f"\n{'file (vs BTSDA export)':48s} {'rows':>7s} {'cycles':>6s} same  " + "  ".join(
        f"{k.split('_')[0][:4]}.{k.split('_')[1][:3]}" for k in keys))  # fmt: skip
    for stem in REFERENCES:
        ref = pl.read_parquet(DATA / "reference_btsda" / f"{stem}.parquet")
        run = read(source_of(DATA, stem))
        t = run.table
        same = t.height == ref.height and bool(
            (t[s.CYCLE].to_numpy() == ref["Cycle Index"].to_numpy()).all()
            and (t[s.STEP_COUNT].to_numpy() == ref["Step Count"].to_numpy()).all()
        )
        mine, theirs = cycles(run), btsda_cycles(ref)
        if stem == "SIM":  # BTSDA prints SIM steps' net charge: compare net with net
            mine, theirs = as_net(mine, keys), as_net(theirs, keys)
        errs = []
        for k in keys:
            a, b = mine[k].to_numpy(), theirs[k].to_numpy()
            big = np.abs(b) > 1e-9
            errs.append(
                float(np.max(np.abs(a[big] - b[big]) / np.abs(b[big]))) if big.any() else 0.0
            )
        note = "  (net charge - discharge: BTSDA prints SIM steps net)" if stem == "SIM" else ""
        print(f"{stem:48s} {t.height:7d} {mine.height:6d} {'yes' if same else 'NO':4s}  "
              + "  ".join(f"{e:8.1e}" for e in errs) + note)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed reads per contender")
    parser.add_argument("--rounds", type=int, default=1, help="fresh interpreters per contender")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="time measured")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these files")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the BTSDA comparison")
    parser.add_argument("--digests", action="store_true", help="print table digests, no timing")
    args = parser.parse_args()
    if args.digests:
        print_digests()
        return
    speed_table(args.repeat, args.rounds, args.clock, args.only)
    if not args.no_accuracy:
        accuracy_table()


if __name__ == "__main__":
    main()
