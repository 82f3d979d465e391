"""Benchmark: whole-process ``ssblab read FILE -o out.parquet`` against peers' import + read.

A user converting one small file pays for interpreter start, imports and the
read together, so this measures wall time of a fresh process per file, for
every real data file under 1 MB that ssblab reads. Each peer that handles the
format runs the same way (``python -c "import peer; peer.read(FILE)"``),
without writing anything, so the comparison favours the peers slightly.

Also printed: ``python -c pass`` and ``python -c "import polars"`` (the floor
any Polars-based tool pays). Goal: ssblab <= 0.5 s per file under 1 MB.

Peers: batterydf (``bdf``, dev extra), galvani and NewareNDA from
``benchmarks/requirements.txt`` when installed in ``.venv``, cellpy from
``.bench-venv-cellpy`` (made by ``bench_text.py``). Missing peers are skipped.

Run: ``.venv/bin/python benchmarks/bench_process.py [DATA_DIR] [--repeats N]
[--formats landt_csv,novonix_csv,...]``
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SSBLAB = str(Path(PYTHON).with_name("ssblab"))
CELLPY_PYTHON = ROOT / ".bench-venv-cellpy" / "bin" / "python"
MAX_BYTES = 1_000_000
GOAL_S = 0.5

#: ssblab format -> list of (peer name, python executable, code reading the file at {path!r})
PEERS: dict[str, list[tuple[str, Path | str, str]]] = {
    "landt_csv": [("batterydf", PYTHON, "import bdf; bdf.read({path!r}, plugin='landt-csv')")],
    "bdf_csv": [("batterydf", PYTHON, "import bdf; bdf.read({path!r})")],
    "novonix_csv": [("batterydf", PYTHON, "import bdf; bdf.read({path!r}, plugin='novonix-csv')")],
    "neware_btsda_csv": [
        ("batterydf", PYTHON, "import bdf; bdf.read({path!r}, plugin='neware-csv')"),
        ("cellpy", CELLPY_PYTHON, "import cellpy; cellpy.get({path!r}, instrument='neware_txt')"),
    ],
    "biologic_mpr": [
        ("galvani", PYTHON, "from galvani import BioLogic; BioLogic.MPRfile({path!r})")
    ],
    "neware_nda": [("NewareNDA", PYTHON, "import NewareNDA; NewareNDA.read({path!r})")],
    "neware_ndax": [("NewareNDA", PYTHON, "import NewareNDA; NewareNDA.read({path!r})")],
    "arbin_res": [
        ("cellpy", CELLPY_PYTHON, "import cellpy; cellpy.get({path!r}, instrument='arbin_res')")
    ],
    "maccor_text": [
        ("cellpy", CELLPY_PYTHON, "import cellpy; cellpy.get({path!r}, instrument='maccor_txt')")
    ],
}


def data_dir(args: list[str]) -> Path:
    """The real-data folder: first positional argument, $SSBLAB_DATA or ../shared/data."""
    values = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--repeats", "--formats")}
    positional = [a for a in args if not a.startswith("--") and a not in values]
    if positional:
        return Path(positional[0])
    return Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))


def wall(cmd: list[str], repeats: int, cwd: str) -> tuple[float | None, str]:
    """Best wall time [s] of *repeats* runs of *cmd*; None and the last stderr line on failure."""
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode:
            return None, (proc.stderr.strip().splitlines() or ["failed"])[-1][:100]
        best = elapsed if best is None else min(best, elapsed)
    return best, ""


def small_files(data: Path) -> list[Path]:
    """Data files under MAX_BYTES, outside the reference and licence folders."""
    out = []
    for path in sorted(data.rglob("*")):
        parts = path.relative_to(data).parts
        if not path.is_file() or path.stat().st_size >= MAX_BYTES:
            continue
        if parts[0] == "licenses" or any(p.startswith("reference") for p in parts[:-1]):
            continue
        out.append(path)
    return out


def formats_of(files: list[Path]) -> dict[Path, str]:
    """ssblab's format name for each file it reads (in this process, untimed)."""
    sys.path.insert(0, str(ROOT / "src"))
    from ssblab.errors import SsblabError
    from ssblab.io import detect, read

    found = {}
    for path in files:
        try:
            read(path)
            found[path] = detect(path)
        except SsblabError:
            continue
    return found


def main(args: list[str]) -> None:
    repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 3
    data = data_dir(args)
    wanted = set(args[args.index("--formats") + 1].split(",")) if "--formats" in args else None
    tmp = tempfile.mkdtemp(prefix="ssblab-bench-")
    try:
        base, _ = wall([PYTHON, "-c", "pass"], repeats, tmp)
        pl_import, _ = wall([PYTHON, "-c", "import polars"], repeats, tmp)
        print(f"python -c pass: {base:.3f} s   python -c 'import polars': {pl_import:.3f} s")
        print(f"goal: ssblab read FILE -o out.parquet <= {GOAL_S} s for files under 1 MB\n")
        worst = 0.0
        for path, fmt in formats_of(small_files(data)).items():
            if wanted is not None and fmt not in wanted:
                continue
            out = str(Path(tmp) / "out.parquet")
            mine, err = wall([SSBLAB, "read", str(path), "-o", out], repeats, tmp)
            name = str(path.relative_to(data))
            if mine is None:
                print(f"{name:60s} {fmt:17s} ssblab failed: {err}")
                continue
            worst = max(worst, mine)
            line = f"{name:60s} {fmt:17s} ssblab {mine:5.2f} s"
            for peer, python, code in PEERS.get(fmt, []):
                if not Path(python).exists():
                    continue
                theirs, err = wall([str(python), "-c", code.format(path=str(path))], repeats, tmp)
                line += f" | {peer} " + (f"{theirs:5.2f} s" if theirs else f"failed ({err[:40]})")
            print(line)
        verdict = "met" if worst <= GOAL_S else "NOT met"
        print(f"\nslowest ssblab run: {worst:.2f} s (goal {GOAL_S} s {verdict})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
