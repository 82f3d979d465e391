"""Benchmark: ssblab's text readers against a bare polars.read_csv and the peers.

For each real text file (LANDT CSV, Novonix CSV, Neware BTSDA CSV, BDF CSV)
every tool runs in its own fresh process (so peak memory is its own) and reads
the same file several times; the best and the median read time after one
warm-up read and the growth of the peak resident memory are printed. Ratios
use the best time, the least disturbed by other work on a shared machine.

Tools:

* ``ssblab``   — ``ssblab.io.read(path)`` (detect, parse, canonical table);
* ``polars``   — a bare ``polars.read_csv`` of the same records with the
  whole file scanned for types (``infer_schema_length=None``: the default
  100-row guess fails on these files, whose counters are 0 for thousands of
  rows); no units, counters or checks;
* ``polars-text`` — the same with every field kept as text (tokenising only,
  the absolute floor);
* ``batterydf``— the Battery Data Alliance package (``bdf.read`` with the
  matching plugin), installed in ``.venv``;
* ``cellpy``   — ``cellpy.get(..., instrument=...)`` for the formats it has
  (Neware text export, BDF); cellpy pins numpy<2, so it runs from its own venv
  ``.bench-venv-cellpy`` created here on first use (needs PyPI).

Goals: ssblab >= 3x faster than cellpy, and within 2x of bare polars.

``--scale N`` adds the LANDT file with its records repeated N times (written
to a temporary folder) to show how the readers scale.

Run: ``.venv/bin/python benchmarks/bench_text.py [DATA_DIR] [--no-cellpy] [--scale N]``
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELLPY_VENV = ROOT / ".bench-venv-cellpy"
REPEATS = 7

#: label -> (path under the data folder, bare polars options, batterydf plugin, cellpy instrument)
CASES: dict[str, tuple[str, dict, str | None, str | None]] = {
    "LANDT csv (2.5 MB)": (
        "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
        {"skip_lines": 6, "truncate_ragged_lines": True},
        "landt-csv",
        None,
    ),
    "BDF csv (0.9 MB)": (
        "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv",
        {},
        "bdf",
        "batmo_bdf",
    ),
    "Novonix csv (0.6 MB)": (
        "novonix/test_Nova_Form-CH01-01_short.csv",
        {"skip_lines": 57, "quote_char": None},
        "novonix-csv",
        None,
    ),
    "BTSDA csv (1.9 MB)": (
        "neware/neware_uio.btsda-export.csv",
        {"encoding": "utf8-lossy"},
        "neware-csv",
        "neware_txt",
    ),
    "BTSDA csv, µA/mV units (57 kB)": (
        "neware/interp-test.btsda-export.csv",
        {"encoding": "utf8-lossy"},
        "neware-csv",
        "neware_txt",
    ),
}


def data_dir(args: list[str]) -> Path:
    """The real-data folder: first argument, $SSBLAB_DATA or ../shared/data."""
    values = {args[i + 1] for i, a in enumerate(args[:-1]) if a == "--scale"}
    positional = [a for a in args if not a.startswith("--") and a not in values]
    if positional:
        return Path(positional[0])
    return Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))


# --- worker side: runs in a fresh process, prints one JSON line ------------------


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _reader(tool: str, path: str, option: str):
    if tool == "ssblab":
        from ssblab.io import load_readers, read

        load_readers()  # imports, not reading: outside the memory growth measured
        return lambda: read(path).table.height
    if tool in ("polars", "polars-text"):
        import polars as pl

        kwargs = json.loads(option)
        if tool == "polars":
            kwargs["infer_schema_length"] = None
        else:
            kwargs["infer_schema"] = False
        return lambda: pl.read_csv(path, **kwargs).height
    if tool == "batterydf":
        import bdf

        plugin = None if option == "bdf" else option
        return lambda: len(bdf.read(path, plugin=plugin))
    if tool == "cellpy":
        import cellpy

        return lambda: len(cellpy.get(path, instrument=option).data.raw)
    raise ValueError(tool)


def worker(tool: str, path: str, option: str) -> None:
    """Time *tool* reading *path*: best and median of REPEATS after a warm-up; peak RSS growth."""
    warnings.simplefilter("ignore")
    fn = _reader(tool, path, option)
    before = _rss_mib()
    rows = fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"rows": rows, "s": min(times), "median_s": statistics.median(times)}
    print(json.dumps({**result, "mib": peak - before}))


# --- driver side ------------------------------------------------------------------


def ensure_cellpy() -> Path | None:
    """Python of the cellpy venv, created on first use; None when it cannot be made."""
    python = CELLPY_VENV / "bin" / "python"
    if not python.exists():
        print("creating .bench-venv-cellpy (pip install cellpy) ...", file=sys.stderr)
        venv = subprocess.run(["python3", "-m", "venv", str(CELLPY_VENV)], check=False)
        if venv.returncode:
            return None
        pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "cellpy"], check=False)
        if pip.returncode:
            return None
    probe = subprocess.run([str(python), "-c", "import cellpy"], capture_output=True, check=False)
    return python if probe.returncode == 0 else None


def run_tool(python: str, tool: str, path: Path, option: str) -> dict | str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [python, __file__, "--worker", tool, str(path), option],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    if proc.returncode:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return f"failed: {last[:110]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scaled_landt(source: Path, times: int, folder: Path) -> Path:
    """The LANDT file with its records repeated *times* times (a long test, same layout)."""
    lines = source.read_bytes().splitlines(keepends=True)
    head, records = lines[:7], lines[7:]
    target = folder / f"landt_x{times}.csv"
    with open(target, "wb") as fh:
        fh.writelines(head)
        for _ in range(times):
            fh.writelines(records)
    return target


def main(args: list[str]) -> None:
    data = data_dir(args)
    cellpy_python = None if "--no-cellpy" in args else ensure_cellpy()
    if cellpy_python is None:
        print("cellpy: not available (skipped)")
    cases = dict(CASES)
    scale_dir = None
    if "--scale" in args:
        times = int(args[args.index("--scale") + 1])
        scale_dir = Path(tempfile.mkdtemp(prefix="ssblab-bench-"))
        landt_rel, landt_kwargs, _, _ = CASES["LANDT csv (2.5 MB)"]
        big = scaled_landt(data / landt_rel, times, scale_dir)
        size = big.stat().st_size / 1e6
        cases[f"LANDT csv x{times} ({size:.0f} MB)"] = (str(big), landt_kwargs, None, None)
    try:
        for label, case in cases.items():
            run_case(data, label, case, cellpy_python)
    finally:
        if scale_dir is not None:
            shutil.rmtree(scale_dir, ignore_errors=True)


def run_case(data: Path, label: str, case: tuple, cellpy_python: Path | None) -> None:
    """Run every tool that handles *case* and print the comparison."""
    rel, polars_kwargs, plugin, instrument = case
    path = data / rel
    if not path.is_file():
        print(f"{label}: {path} missing, skipped")
        return
    options = json.dumps(polars_kwargs)
    results = {
        "ssblab": run_tool(sys.executable, "ssblab", path, ""),
        "polars": run_tool(sys.executable, "polars", path, options),
        "polars-text": run_tool(sys.executable, "polars-text", path, options),
    }
    if plugin:
        results["batterydf"] = run_tool(sys.executable, "batterydf", path, plugin)
    if instrument and cellpy_python:
        results["cellpy"] = run_tool(str(cellpy_python), "cellpy", path, instrument)
    report(label, results)


def report(label: str, results: dict[str, dict | str]) -> None:
    print(f"\n{label}")
    mine = results["ssblab"]
    for tool, r in results.items():
        if isinstance(r, str):
            print(f"  {tool:11s} {r}")
            continue
        ratio = ""
        if tool.startswith("polars") and isinstance(mine, dict):
            goal = " (goal <= 2)" if tool == "polars" else ""
            ratio = f"  ssblab / {tool} = {mine['s'] / r['s']:.2f}{goal}"
        elif tool != "ssblab" and isinstance(mine, dict):
            ratio = f"  {tool} / ssblab = {r['s'] / mine['s']:.1f} (goal >= 3)"
        times = f"{r['s'] * 1e3:8.1f} ms (median {r['median_s'] * 1e3:7.1f})"
        print(f"  {tool:11s} {times}  {r['mib']:6.1f} MiB  {r['rows']:6d} rows{ratio}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
    else:
        main(sys.argv[1:])
