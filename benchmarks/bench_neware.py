"""Benchmark: ssblab's Neware readers against fastnda and NewareNDA, plus accuracy vs BTSDA.

Each contender reads the same file in a fresh subprocess: best of ``--repeat``
wall times after one warm-up read, and the peak resident memory the read added
on top of the process after its imports (``ru_maxrss``). Ratios are
peer / ssblab (above 1: ssblab is faster or lighter). Zipped ``.nda`` files are
unzipped to a temporary folder for the peers (they cannot read zips); ssblab
reads the zip itself, and is also timed on the unzipped copy.

The accuracy table gives, for every file with a BTSDA export, the largest
relative difference of the per-cycle charge/discharge capacities and energies
(``ssblab.analysis.cycles.vendor_cycles`` on our table vs. BTSDA's step-end counters), and
whether rows, cycles and step counts are identical.

Run: ``.venv/bin/python benchmarks/bench_neware.py [--repeat 5] [--no-accuracy]``
Peers: ``pip install -r benchmarks/requirements.txt`` (fastnda, NewareNDA).
"""

from __future__ import annotations

import argparse
import json
import os
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
best = float("inf")
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    run(PATH)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({{"rows": rows, "seconds": best, "peak_mib": peak / 1024}}))
"""

CONTENDERS = {
    "ssblab": "from ssblab.io import read\ndef run(p):\n    return read(p).n_rows",
    "fastnda": "import fastnda\ndef run(p):\n    return fastnda.read(p, cycle_mode='raw').height",
    "NewareNDA": "import NewareNDA, logging\nlogging.disable(logging.CRITICAL)\n"
    "def run(p):\n    return len(NewareNDA.read(p))",
}


def measure(name: str, path: Path, repeat: int) -> dict | str:
    """Run contender *name* on *path* in a fresh interpreter; its numbers or the error line."""
    code = CHILD.format(setup=CONTENDERS[name])
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path), str(repeat)],
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


def speed_table(repeat: int) -> None:
    print(f"{'file':28s} {'reader':16s} {'rows':>8s} {'time s':>9s} {'Mrows/s':>8s} "
          f"{'peak MiB':>9s} {'t ratio':>8s} {'mem ratio':>9s}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for name in FILES:
            path = DATA / name
            if not path.exists():
                print(f"{name:28s} (missing)")
                continue
            plain = unzipped(path, Path(tmp)) if name.endswith(".zip") else path
            runs = {"ssblab": measure("ssblab", path, repeat)}
            if plain != path:
                runs["ssblab (unzipped)"] = measure("ssblab", plain, repeat)
            for peer in ("fastnda", "NewareNDA"):
                runs[peer] = measure(peer, plain, repeat)
            ours = runs["ssblab"]
            for reader, res in runs.items():
                if isinstance(res, str):
                    print(f"{name:28s} {reader:16s} refused/failed: {res}")
                    continue
                ratio = mem = ""
                if isinstance(ours, dict) and not reader.startswith("ssblab"):
                    ratio = f"{res['seconds'] / ours['seconds']:.1f}x"
                    mem = f"{res['peak_mib'] / max(ours['peak_mib'], 0.1):.1f}x"
                rate = res["rows"] / res["seconds"] / 1e6
                print(f"{name:28s} {reader:16s} {res['rows']:8d} {res['seconds']:9.4f} "
                      f"{rate:8.2f} {res['peak_mib']:9.1f} {ratio:>8s} {mem:>9s}")  # fmt: skip


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
    parser.add_argument("--no-accuracy", action="store_true", help="skip the BTSDA comparison")
    args = parser.parse_args()
    speed_table(args.repeat)
    if not args.no_accuracy:
        accuracy_table()


if __name__ == "__main__":
    main()
