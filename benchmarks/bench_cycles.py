"""Benchmark: ssblab's cycle summary + cycling metrics against cellpy's step table + summary.

Data: a synthetic canonical table of realistic galvanostatic cycling (default
500 cycles x 2 x 1000 records = 1 M rows: a sloping OCV, ohmic drop, voltage
noise, capacity fade, CE 99.8 %), made with NumPy and saved to a temporary
``.npz`` outside the repository. Both tools read the same arrays:

* ssblab: ``metrics(table, mass, area)`` on the Polars table: the checked
  cycle numbering, per-cycle summary, metrics, partial-cycle and plausibility
  checks, and ICE, in one pass;
* cellpy: ``make_step_table()`` + ``make_summary()`` on a ``CellpyCell`` whose raw
  frame holds the same records in cellpy's own column names, with Arbin-style
  counters that reset at each cycle (what cellpy's summary expects). cellpy
  needs its summary to be built from its step table, so both are timed.

Each tool runs in a fresh subprocess; the best of ``--repeat`` wall times and the
peak resident memory added by the work (``ru_maxrss``) are printed, then the
ratio cellpy / ssblab, and the largest per-cycle discharge-capacity difference
between the two (a check that both computed the same thing).

cellpy pins numpy<2 in some releases, so it lives in its own venv,
``.bench-venv-cellpy`` (gitignored), created here with ``pip install cellpy``
when missing. If it cannot be created the reason is printed.

Run: ``.venv/bin/python benchmarks/bench_cycles.py [--cycles 500] [--points 1000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CELLPY_VENV = ROOT / ".bench-venv-cellpy"
MASS_G, AREA_CM2 = 0.010, 1.0

SSBLAB_CHILD = """
import json, resource, sys, time
import numpy as np, polars as pl
from ssblab import schema as s
from ssblab.analysis.metrics import metrics
arrays = np.load(sys.argv[1], allow_pickle=False)
table = pl.DataFrame({
    s.TIME: arrays["time"], s.VOLTAGE: arrays["voltage"], s.CURRENT: arrays["current"],
    s.CYCLE: arrays["cycle"], s.STEP_INDEX: arrays["step"],
    s.CHARGE_CAPACITY: arrays["q_ch"], s.DISCHARGE_CAPACITY: arrays["q_dis"],
    s.CHARGE_ENERGY: arrays["e_ch"], s.DISCHARGE_ENERGY: arrays["e_dis"],
})
def once():
    result = metrics(table, active_mass_g=__MASS__, area_cm2=__AREA__)  # cycles, metrics, ICE
    return result.table, result, result.ice
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary, result, ice = once()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
best = float("inf")
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter(); once(); best = min(best, time.perf_counter() - t0)
q = (summary.get_column("discharge_capacity_Ah") * 1000).to_list()
print(json.dumps({"seconds": best, "peak_kib": peak, "rows": table.height,
                  "cycles": summary.height, "discharge_mAh": q, "ice": ice.ice}))
"""

CELLPY_CHILD = """
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
import logging; logging.disable(logging.WARNING)
from cellpy.readers.cellreader import CellpyCell
from cellpy.readers.core import Data
arrays = np.load(sys.argv[1], allow_pickle=False)
cycle = arrays["cycle"]
first = np.r_[True, cycle[1:] != cycle[:-1]]
start = np.maximum.accumulate(np.where(first, np.arange(cycle.size), 0))
def per_cycle(counter):  # Arbin-style: counters restart at every cycle
    before = np.r_[0.0, counter[:-1]]
    return counter - before[start]
raw = pd.DataFrame({
    "data_point": np.arange(1, cycle.size + 1), "test_time": arrays["time"],
    "step_time": arrays["time"], "date_time": pd.to_datetime(arrays["time"] + 1.7e9, unit="s"),
    "step_index": arrays["step"], "cycle_index": cycle, "current": arrays["current"],
    "voltage": arrays["voltage"], "charge_capacity": per_cycle(arrays["q_ch"]),
    "discharge_capacity": per_cycle(arrays["q_dis"]),
    "charge_energy": per_cycle(arrays["e_ch"]), "discharge_energy": per_cycle(arrays["e_dis"]),
})
def once():
    cell = CellpyCell()
    data = Data()
    data.raw = raw.copy()
    data.mass = __MASS_MG__
    cell.data = data
    cell.make_step_table()
    cell.make_summary()
    return cell.data.summary
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary = once()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
best = float("inf")
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter(); once(); best = min(best, time.perf_counter() - t0)
q = summary["discharge_capacity_absolute"].astype(float).tolist()
print(json.dumps({"seconds": best, "peak_kib": peak, "rows": int(cycle.size),
                  "cycles": len(summary), "discharge_mAh": q}))
"""


def synthetic_cycling(n_cycles: int, points: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Canonical-table arrays of *n_cycles* charge/discharge cycles, *points* records per half.

    Capacity fades 0.02 %/cycle from 1.4 mAh; CE = 99.8 %; current 0.7 mA (C/2);
    V = 3.45 + 0.75 x + I R (R = 30 Ohm) + 0.5 mV noise, x the state of charge.
    """
    rng = np.random.default_rng(seed)
    q_dis = 1.4e-3 * (1.0 - 2e-4 * np.arange(n_cycles))
    q_ch = q_dis / 0.998
    current = 0.7e-3
    half_q = np.column_stack([q_ch, q_dis]).ravel()  # charge, discharge, charge, ...
    sign = np.tile([1.0, -1.0], n_cycles)
    frac = np.tile(np.arange(1, points + 1) / points, 2 * n_cycles)
    q_in_half = np.repeat(half_q, points) * frac
    dt = np.repeat(half_q / current * 3600.0 / points, points)
    time = np.cumsum(dt)
    time -= time[0]
    is_charge = np.repeat(sign > 0, points)
    charged_before = np.repeat(np.cumsum(np.r_[0.0, q_ch[:-1]]), 2 * points)
    discharged_before = np.repeat(np.r_[0.0, np.cumsum(q_dis)[:-1]], 2 * points)
    q_charge = charged_before + np.where(is_charge, q_in_half, np.repeat(q_ch, 2 * points))
    q_discharge = discharged_before + np.where(is_charge, 0.0, q_in_half)
    soc = np.where(is_charge, q_in_half, np.repeat(q_ch, 2 * points) - q_in_half) / 1.4e-3
    voltage = 3.45 + 0.75 * soc + np.repeat(sign, points) * current * 30.0
    voltage += rng.normal(0.0, 5e-4, voltage.size)
    v_mid = np.r_[voltage[0], (voltage[1:] + voltage[:-1]) / 2.0]
    e_charge = np.cumsum(v_mid * np.diff(q_charge, prepend=0.0))
    e_discharge = np.cumsum(v_mid * np.diff(q_discharge, prepend=0.0))
    return {
        "time": time,
        "voltage": voltage,
        "current": np.repeat(sign, points) * current,
        "cycle": np.repeat(np.arange(1, n_cycles + 1), 2 * points),
        "step": np.tile(np.repeat([1, 2], points), n_cycles),
        "q_ch": q_charge,
        "q_dis": q_discharge,
        "e_ch": e_charge,
        "e_dis": e_discharge,
    }


def cellpy_python() -> tuple[Path | None, str]:
    """The cellpy venv's interpreter, creating the venv if needed; (None, reason) on failure."""
    python = CELLPY_VENV / "bin" / "python"
    probe = [str(python), "-c", "import cellpy; print(cellpy.__version__)"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python, "ok"
    try:
        if not python.exists():
            venv.create(CELLPY_VENV, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "cellpy"],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        return None, f"could not install cellpy into {CELLPY_VENV}: {detail.strip()[-300:]}"
    if subprocess.run(probe, capture_output=True).returncode != 0:
        return None, f"cellpy installed into {CELLPY_VENV} but does not import"
    return python, "ok"


def run_child(python: Path | str, program: str, data: Path, repeat: int) -> dict:
    """Run *program* in a fresh interpreter; return its JSON line or an error dict."""
    proc = subprocess.run(
        [str(python), "-c", program, str(data), str(repeat)],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--points", type=int, default=1000, help="records per half-cycle")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cellpy-repeat", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "cycling.npz"
        np.savez(data, **synthetic_cycling(args.cycles, args.points))
        ours = run_child(
            sys.executable,
            SSBLAB_CHILD.replace("__MASS__", str(MASS_G)).replace("__AREA__", str(AREA_CM2)),
            data,
            args.repeat,
        )
        python, why = cellpy_python()
        if python is None:
            peer = {"error": why}
        else:
            program = CELLPY_CHILD.replace("__MASS_MG__", str(MASS_G * 1000.0))
            peer = run_child(python, program, data, args.cellpy_repeat)

    print(f"data: {args.cycles} cycles x 2 x {args.points} records (synthetic, same arrays)")
    if "error" in ours:
        print(f"ssblab failed: {ours['error']}")
        return
    print(
        f"ssblab  cycles+metrics+ICE: {ours['seconds'] * 1e3:8.1f} ms  "
        f"peak +{ours['peak_kib'] / 1024:.0f} MiB  rows {ours['rows']}  cycles {ours['cycles']}  "
        f"(target < 100 ms: {'met' if ours['seconds'] < 0.1 else 'NOT met'})"
    )
    if "error" in peer:
        print(f"cellpy  not run: {peer['error']}")
        return
    print(
        f"cellpy  step table+summary: {peer['seconds'] * 1e3:8.1f} ms  "
        f"peak +{peer['peak_kib'] / 1024:.0f} MiB  cycles {peer['cycles']}"
    )
    ratio = peer["seconds"] / ours["seconds"]
    print(
        f"ratio cellpy / ssblab: {ratio:.1f}x  "
        f"(target >= 10x: {'met' if ratio >= 10 else 'NOT met'})"
    )
    n = min(len(ours["discharge_mAh"]), len(peer["discharge_mAh"]))
    diff = np.abs(np.array(ours["discharge_mAh"][:n]) - np.array(peer["discharge_mAh"][:n]))
    print(f"max |discharge capacity difference| over {n} cycles: {diff.max():.3g} mAh")


if __name__ == "__main__":
    main()
