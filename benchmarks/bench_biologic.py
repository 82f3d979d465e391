"""Benchmark: ssblab's EC-Lab .mpr reader against galvani, yadg and navani.

Every reader runs in a fresh subprocess on the same file: the best of
``--repeat`` wall times, and the peak resident memory the first read added on
top of the process after its imports (Linux ``VmHWM`` reset through
``/proc/self/clear_refs``, minus ``VmRSS`` before). Ratios are peer / ssblab.

Files: ``MB-0.mpr`` (2 records: the per-file fixed cost that
dominates a lab archive of small files), the
largest ``.mpr`` files of ``shared/data/biologic``, one large file
made from the largest by repeating its records (``--scale`` times, written to a
temporary folder outside the repository), and the two largest ``.mpt`` exports
(peer: galvani's ``MPTfile``). Files under 1 MB are timed over 20x more
repeats. ``--clock cpu`` times the process's CPU time instead of wall time:
on a machine shared with other jobs the wall time measures the queue as much
as the reader.

Peers: galvani is installed in ``.venv`` (``benchmarks/requirements.txt``).
yadg and navani need numpy<2 / pandas<3, so they live in ``.bench-venv-yadg``;
``--setup-peers`` creates it (``pip install yadg navani``). Missing peers are
reported as skipped.

``--rounds`` repeats every measurement in that many fresh interpreters.

Run: ``.venv/bin/python benchmarks/bench_biologic.py [--scale 40] [--repeat 5] [--clock cpu]
[--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data")) / "biologic"
PEER_VENV = ROOT / ".bench-venv-yadg"
#: Files below this size are read 20x more often (a read takes well under a millisecond).
SMALL_BYTES = 1_000_000

#: Child program: {setup} imports the reader, {call} reads PATH once.
CHILD = """
import json, sys, time
PATH = sys.argv[1]
{setup}
def once():
    return {call}
def status_kib(key):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith(key))
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # reset the peak-RSS mark (VmHWM) to the current RSS
base = status_kib("VmRSS:")
result = once()
rows = {rows}
peak = status_kib("VmHWM:") - base
del result
clock = time.process_time if sys.argv[3] == "cpu" else time.perf_counter
best = float("inf")
for _ in range(int(sys.argv[2])):
    t0 = clock(); once(); best = min(best, clock() - t0)
print(json.dumps({{"seconds": best, "peak_kib": peak, "rows": rows}}))
"""

MPT_READERS = {
    "ssblab": (
        sys.executable,
        "from ssblab.io.biologic.reader import read_mpt",
        "read_mpt(PATH)",
        "result.n_rows",
    ),
    "galvani": (
        sys.executable,
        "from galvani.BioLogic import MPTfile",
        "MPTfile(PATH, encoding='latin-1')[0]",
        "len(result)",
    ),
}

READERS = {
    "ssblab": (
        sys.executable,
        "from ssblab.io.biologic.reader import read_mpr",
        "read_mpr(PATH)",
        "result.n_rows",
    ),
    "galvani": (
        sys.executable,
        "import pandas as pd\nfrom galvani.BioLogic import MPRfile",
        "pd.DataFrame(MPRfile(PATH).data)",
        "len(result)",
    ),
    "yadg": (
        str(PEER_VENV / "bin" / "python"),
        "from yadg.extractors import extract",
        "extract('eclab.mpr', PATH, timezone='UTC')",
        "result['/'].dims.get('uts', 0) if hasattr(result['/'], 'dims') else -1",
    ),
    "navani": (
        str(PEER_VENV / "bin" / "python"),
        "import navani.echem as ec",
        "ec.echem_file_loader(PATH)",
        "len(result)",
    ),
}


def run_reader(tool: str, path: Path, repeat: int, clock: str = "wall") -> dict:
    """Time one reader on one file in a fresh interpreter (*clock*: ``wall`` or ``cpu``)."""
    python, setup, call, rows = (MPT_READERS if path.suffix == ".mpt" else READERS)[tool]
    if not Path(python).exists():
        return {"error": f"not installed ({python} missing; use --setup-peers)"}
    program = CHILD.format(setup=setup, call=call, rows=rows)
    proc = subprocess.run(
        [python, "-c", program, str(path), str(repeat), clock],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last[:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best_of(tool: str, path: Path, repeat: int, clock: str, rounds: int) -> dict:
    """:func:`run_reader` in *rounds* fresh interpreters; the fastest round is kept."""
    results = [run_reader(tool, path, repeat, clock) for _ in range(rounds)]
    timed = [r for r in results if "error" not in r]
    return min(timed, key=lambda r: r["seconds"]) if timed else results[0]


def scaled_copy(source: Path, factor: int, folder: Path) -> Path:
    """An .mpr whose data module repeats the records of *source* *factor* times."""
    from ssblab.io.biologic.columns import record_dtype
    from ssblab.io.biologic.mpr import FILE_HEADER_BYTES, column_layout, read_modules

    raw = source.read_bytes()
    modules = read_modules(source, raw)
    data = next(m for m in modules if m.short == "VMP data")
    ids, records_at = column_layout(source, data.body, data.version)
    size = record_dtype(ids)[0].itemsize
    n = int.from_bytes(data.body[:4], "little")
    old_body = bytes(data.body)
    records = old_body[records_at : records_at + n * size]
    body = (n * factor).to_bytes(4, "little") + old_body[4:records_at] + records * factor
    start = raw.index(old_body, FILE_HEADER_BYTES)
    # body length field: 16 bytes before the body (classic header), 20 in the
    # EC-Lab >= 11.50 header, whose marker 0xFFFFFFFF sits 24 bytes before it
    length_at = start - (20 if raw[start - 24 : start - 20] == b"\xff" * 4 else 16)
    out = bytearray(raw[:start] + body + raw[start + len(old_body) :])
    out[length_at : length_at + 4] = len(body).to_bytes(4, "little")
    path = folder / f"{source.stem}.x{factor}.mpr"
    path.write_bytes(bytes(out))
    return path


def setup_peers() -> None:
    """Create ``.bench-venv-yadg`` with yadg and navani (they pin numpy<2)."""
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    pip = str(PEER_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", "yadg", "navani"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=40, help="record repeats of the big copy")
    parser.add_argument("--repeat", type=int, default=5, help="timed reads per tool (best kept)")
    parser.add_argument("--files", type=int, default=3, help="largest real .mpr files to use")
    parser.add_argument("--setup-peers", action="store_true", help="create .bench-venv-yadg")
    parser.add_argument(
        "--rounds", type=int, default=1, help="fresh interpreters per tool and file (best kept)"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall time, or the process's CPU time (steadier on a shared, loaded machine)",
    )
    args = parser.parse_args()
    if args.setup_peers:
        setup_peers()
    if not DATA.is_dir():
        sys.exit(f"real data not found at {DATA} (set SSBLAB_DATA)")
    by_size = lambda pattern: sorted(DATA.glob(pattern), key=lambda p: -p.stat().st_size)  # noqa: E731
    files = by_size("*.mpr")[: args.files]
    smallest = DATA / "MB-0.mpr"  # 2 records (wait.mpr, smaller, holds none)
    texts = by_size("*.mpt")[:2]
    with tempfile.TemporaryDirectory() as tmp:
        if args.scale > 1:
            files.append(scaled_copy(files[0], args.scale, Path(tmp)))
        print(
            f"{'file':<44} {'tool':<8} {'rows':>9} {'ms':>9} {'Mrows/s':>8} {'peak MB':>8}"
            f" {'t/ssblab':>8} {'mem/ssblab':>10}"
        )
        for path in [smallest, *files, *texts]:
            ours = None
            repeat = args.repeat * 20 if path.stat().st_size < SMALL_BYTES else args.repeat
            for tool in MPT_READERS if path.suffix == ".mpt" else READERS:
                r = best_of(tool, path, repeat, args.clock, args.rounds)
                if "error" in r:
                    print(f"{path.name[:44]:<44} {tool:<8} skipped: {r['error']}")
                    continue
                if tool == "ssblab":
                    ours = r
                ratio_t = r["seconds"] / ours["seconds"] if ours else np.nan
                ratio_m = r["peak_kib"] / max(ours["peak_kib"], 1) if ours else np.nan
                rate = r["rows"] / r["seconds"] / 1e6 if r["rows"] > 0 else np.nan
                print(
                    f"{path.name[:44]:<44} {tool:<8} {r['rows']:>9} {r['seconds'] * 1e3:>9.1f}"
                    f" {rate:>8.2f} {r['peak_kib'] / 1024:>8.1f} {ratio_t:>8.2f} {ratio_m:>10.2f}"
                )


if __name__ == "__main__":
    main()
