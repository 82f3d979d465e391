"""Benchmark: ssblab's EC-Lab .mpr reader against galvani, yadg and navani.

Every reader runs in a fresh subprocess on the same file: the median of
``--repeat`` timed reads after one warm-up read, and the peak resident memory
the first read added on top of the process after its imports (Linux ``VmHWM``
reset through ``/proc/self/clear_refs``, minus ``VmRSS`` before). With
``--rounds`` the reader runs in that many fresh interpreters, alternating with
the peers, and the median over all rounds' reads is kept. Ratios are peer /
ssblab. Each row ends with the 1-minute load average when it was measured: the
machine is shared, and a loaded one stretches every time.

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

``--only NAME ...`` restricts the run to those files of ``shared/data/biologic``.
``--digests`` prints instead a digest of every table ssblab reads from the
``.mpr``/``.mpt`` files under ``shared/data`` (canonical table, metadata, EIS
spectrum): run it before and after a reader change and ``diff`` the outputs to
check the tables stayed bit-identical.

Run: ``.venv/bin/python benchmarks/bench_biologic.py [--scale 40] [--repeat 5] [--clock cpu]
[--rounds 5] [--only gcpl.pr_182.2.mpr MB-0.mpr] [--digests]``
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
times = []
for _ in range(int(sys.argv[2])):
    t0 = clock(); once(); times.append(clock() - t0)
print(json.dumps({{"times": times, "peak_kib": peak, "rows": rows}}))
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


def median_of(tools: list[str], path: Path, repeat: int, clock: str, rounds: int) -> dict:
    """:func:`run_reader` for every tool in *rounds* fresh interpreters, the tools taking
    turns; per tool the median of all timed reads [s] (``seconds``), the fastest read
    (``best_s``), the first round's peak memory and the load average."""
    runs: dict[str, list[dict]] = {tool: [] for tool in tools}
    for _ in range(rounds):
        for tool in tools:
            runs[tool].append(run_reader(tool, path, repeat, clock))
    out = {}
    for tool, results in runs.items():
        timed = [r for r in results if "error" not in r]
        if not timed:
            out[tool] = results[0]
            continue
        times = [t for r in timed for t in r["times"]]
        out[tool] = {
            "seconds": float(np.median(times)),
            "best_s": min(times),
            "peak_kib": timed[0]["peak_kib"],
            "rows": timed[0]["rows"],
            "load": os.getloadavg()[0],
        }
    return out


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


def table_digest(frame) -> str:
    """SHA-256 (16 hex digits) of a frame's names, dtypes, null masks and value bytes."""
    import hashlib

    digest = hashlib.sha256()
    for name in frame.columns:
        column = frame[name]
        digest.update(f"{name}:{column.dtype}:{column.null_count()}".encode())
        digest.update(column.is_null().to_numpy().tobytes())
        values = column.to_numpy()
        digest.update(
            repr(values.tolist()).encode() if values.dtype == object else values.tobytes()
        )
    return digest.hexdigest()[:16]


def print_digests() -> None:
    """One line per EC-Lab file under shared/data: table, metadata and EIS digests."""
    import hashlib

    from ssblab.io import read
    from ssblab.io.biologic.reader import read_biologic_eis

    for path in sorted(p for p in DATA.parent.rglob("*.mp[rt]") if p.is_file()):
        try:
            run = read(path)
            meta = hashlib.sha256(repr(run.meta).encode()).hexdigest()[:12]
            line = f"{table_digest(run.table)} meta {meta} rows {run.n_rows}"
        except Exception as exc:  # a refusal is part of what must stay the same
            line = f"refused {type(exc).__name__}: {str(exc)[:100]}"
        try:
            line += f" eis {table_digest(read_biologic_eis(path))}"
        except Exception as exc:
            line += f" eis-refused {type(exc).__name__}"
        print(path.relative_to(DATA.parent), line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=40, help="record repeats of the big copy")
    parser.add_argument("--repeat", type=int, default=5, help="timed reads per tool (median kept)")
    parser.add_argument("--files", type=int, default=3, help="largest real .mpr files to use")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these files (no copy)")
    parser.add_argument("--setup-peers", action="store_true", help="create .bench-venv-yadg")
    parser.add_argument("--digests", action="store_true", help="print table digests, no timing")
    parser.add_argument(
        "--rounds", type=int, default=1, help="fresh interpreters per tool and file, alternating"
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
    if args.digests:
        print_digests()
        return
    by_size = lambda pattern: sorted(DATA.glob(pattern), key=lambda p: -p.stat().st_size)  # noqa: E731
    files = by_size("*.mpr")[: args.files]
    smallest = DATA / "MB-0.mpr"  # 2 records (wait.mpr, smaller, holds none)
    texts = by_size("*.mpt")[:2]
    with tempfile.TemporaryDirectory() as tmp:
        if args.only:
            chosen = [DATA / name for name in args.only]
        else:
            if args.scale > 1:
                files.append(scaled_copy(files[0], args.scale, Path(tmp)))
            chosen = [smallest, *files, *texts]
        print(f"clock {args.clock}; load average at start {os.getloadavg()[0]:.1f} (1 min)")
        print(
            f"{'file':<44} {'tool':<8} {'rows':>9} {'ms':>9} {'best ms':>9} {'Mrows/s':>8}"
            f" {'peak MB':>8} {'t/ssblab':>8} {'mem/ssblab':>10} {'load':>5}"
        )
        for path in chosen:
            repeat = args.repeat * 20 if path.stat().st_size < SMALL_BYTES else args.repeat
            tools = list(MPT_READERS if path.suffix == ".mpt" else READERS)
            results = median_of(tools, path, repeat, args.clock, args.rounds)
            ours = results["ssblab"] if "error" not in results["ssblab"] else None
            for tool, r in results.items():
                if "error" in r:
                    print(f"{path.name[:44]:<44} {tool:<8} skipped: {r['error']}")
                    continue
                ratio_t = r["seconds"] / ours["seconds"] if ours else np.nan
                ratio_m = r["peak_kib"] / max(ours["peak_kib"], 1) if ours else np.nan
                rate = r["rows"] / r["seconds"] / 1e6 if r["rows"] > 0 else np.nan
                print(
                    f"{path.name[:44]:<44} {tool:<8} {r['rows']:>9} {r['seconds'] * 1e3:>9.3f}"
                    f" {r['best_s'] * 1e3:>9.3f} {rate:>8.2f} {r['peak_kib'] / 1024:>8.1f}"
                    f" {ratio_t:>8.2f} {ratio_m:>10.2f} {r['load']:>5.1f}"
                )


if __name__ == "__main__":
    main()
