"""Benchmark: ssblab EIS fitting and DRT against their peers on the same real files.

* Circuit fit: ``ssblab.analysis.eis.fit_spectrum`` (which wraps impedance.py and
  adds the circuit check, reading and bookkeeping) against a bare impedance.py
  ``CustomCircuit.fit`` of the same arrays; the ratio should be close to 1.
* DRT: ``ssblab.analysis.drt.fit_drt`` (NNLS, λ by GCV) against pyDRTtools'
  ``simple_run`` (quadratic programming with cvxopt, λ by GCV), both with a
  Gaussian basis, combined real and imaginary data and a fitted inductance.
  pyDRTtools is optional (``pip install pyDRTtools cvxopt``); it is skipped with a
  message when it is absent.

Times are the median CPU time (``time.process_time``, all threads of this
process) of several runs after one warm-up, which is steadier than wall time on
a shared machine; peak memory is the tracemalloc peak of one run (Python
allocations, NumPy included).

Run: ``.venv/bin/python benchmarks/bench_eis.py [DATA_DIR]``
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CIRCUIT = "R0-p(R1,C1)-p(R2-Wo1,C2)"
EXAMPLE_GUESS = [0.01, 0.01, 100, 0.01, 0.05, 100, 1]
ZARC2_CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)"
ZARC2_GUESS = [5, 40, 1e-3, 0.9, 40, 1e-5, 0.9]


def data_dir() -> Path:
    """The real-data folder: argv[1], $SSBLAB_DATA or ../shared/data."""
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("SSBLAB_DATA", ROOT.parent / "shared" / "data"))


def measure(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Median CPU time [s], tracemalloc peak [MiB] and the last result of *fn*."""
    result = fn()  # warm-up: imports and caches
    times = []
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak, result


def report(name: str, ours: tuple[float, float], peer: tuple[float, float] | None) -> None:
    line = f"{name:<40} ssblab {ours[0] * 1e3:7.1f} ms cpu {ours[1]:6.1f} MiB"
    if peer is not None:
        line += f" | peer {peer[0] * 1e3:7.1f} ms {peer[1]:6.1f} MiB"
        line += f" | ratio {ours[0] / peer[0]:.2f}"
    print(line)


def bench_fit(folder: Path) -> None:
    from impedance.models.circuits import CustomCircuit

    from ssblab.analysis.eis import fit_spectrum, spectrum_arrays
    from ssblab.io.eis.text import read_eis_text

    cases = [
        ("impedancepy_exampleData.csv", EXAMPLE_CIRCUIT, EXAMPLE_GUESS, True),
        ("2XZARCequal.csv", ZARC2_CIRCUIT, ZARC2_GUESS, False),
    ]
    for name, circuit, guess, drop in cases:
        table = read_eis_text(folder / "eis" / name)
        f, z = spectrum_arrays(table, drop_inductive=drop)

        def ours(table=table, circuit=circuit, guess=guess, drop=drop):
            return fit_spectrum(table, circuit, guess, drop_inductive=drop)

        def bare(f=f, z=z, circuit=circuit, guess=guess):
            return CustomCircuit(circuit, initial_guess=list(guess)).fit(f, z)

        t_ours, m_ours, fit = measure(ours, repeats=9)
        t_peer, m_peer, peer = measure(bare, repeats=9)
        same = np.allclose(fit.values, peer.parameters_, rtol=1e-9)
        report(f"fit {name}", (t_ours, m_ours), (t_peer, m_peer))
        print(f"    same parameters as impedance.py: {same}; RMSE {fit.rmse_ohm:.3g} Ohm")


def bench_drt(folder: Path) -> None:
    from ssblab.analysis.drt import fit_drt
    from ssblab.analysis.eis import spectrum_arrays
    from ssblab.io.eis.text import read_eis_text

    peer_run = _pydrttools()
    for name in ("2XZARCequal.csv", "impedancepy_exampleData.csv", "LIB_data.txt"):
        f, z = spectrum_arrays(read_eis_text(folder / "eis" / name))
        t_ours, m_ours, ours = measure(lambda f=f, z=z: fit_drt(f, z), repeats=5)
        peer = None
        if peer_run is not None:
            t_peer, m_peer, entry = measure(lambda f=f, z=z: peer_run(f, z), repeats=3)
            peer = (t_peer, m_peer)
        report(f"DRT {name}", (t_ours, m_ours), peer)
        print("    ssblab     " + _drt_summary(ours.r_inf_ohm, ours.lambda_, ours.peaks))
        if peer_run is not None:
            print("    pyDRTtools " + _pydrttools_summary(entry))
    if peer_run is None:
        print("pyDRTtools not installed: pip install pyDRTtools cvxopt scikit-learn to compare")


def _drt_summary(r_inf: float, lam: float, peaks: object) -> str:
    text = ", ".join(f"{p.tau_s:.2g} s/{p.r_ohm:.3g} Ohm" for p in peaks)  # type: ignore[attr-defined]
    return f"R_inf {r_inf:.4g} Ohm, lambda {lam:.2g}, peaks (tau/R): {text}"


def _pydrttools_summary(entry: object) -> str:
    """pyDRTtools' R_inf, λ and its γ's peaks, found and integrated by ssblab's rule."""
    from ssblab.analysis.drt import find_peaks

    tau = np.asarray(entry.out_tau_vec, dtype=float)  # type: ignore[attr-defined]
    gamma = np.asarray(entry.gamma, dtype=float)  # type: ignore[attr-defined]
    order = np.argsort(tau)
    peaks = find_peaks(np.log(tau[order]), gamma[order], 0.02, 0.1)
    r_inf = float(np.ravel(entry.R)[0])  # type: ignore[attr-defined]
    lam = float(np.ravel(entry.lambda_value)[0])  # type: ignore[attr-defined]
    return _drt_summary(r_inf, lam, peaks)


def _pydrttools() -> Callable[[np.ndarray, np.ndarray], object] | None:
    """pyDRTtools' ridge-regression DRT with GCV, quiet, or None when absent.

    pyDRTtools' package ``__init__`` imports its PyQt5 GUI; the computational
    modules do not need it, so the package is registered without running
    ``__init__`` and only ``pyDRTtools.runs`` is imported.
    """
    import importlib.util
    import types

    spec = importlib.util.find_spec("pyDRTtools")
    if spec is None or spec.submodule_search_locations is None:
        return None
    package = types.ModuleType("pyDRTtools")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules.setdefault("pyDRTtools", package)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            from pyDRTtools.runs import EIS_object, simple_run
    except ImportError as exc:
        print(f"pyDRTtools cannot be imported ({exc}); DRT comparison skipped")
        return None

    def run(f: np.ndarray, z: np.ndarray) -> object:
        entry = EIS_object(f, z.real, z.imag)
        with contextlib.redirect_stdout(io.StringIO()):
            simple_run(entry, induct_used=1, cv_type="GCV")
        return entry

    return run


def main() -> None:
    folder = data_dir()
    if not (folder / "eis").is_dir():
        sys.exit(f"no real data at {folder}/eis: pass the shared data folder as argument")
    print(f"numpy {np.__version__}; data {folder}")
    bench_fit(folder)
    bench_drt(folder)


if __name__ == "__main__":
    main()
