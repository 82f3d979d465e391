"""Benchmark: the symmetric-cell model's speed targets of issue 14.

* **3000 h in < 10 ms**: the seed's 200 nm cell at 0.1 mA/cm², 0.1 mAh/cm² for
  3000 h (1500 cycles): the vectorised trajectory + the failure rule, and the full
  ``simulate`` with its 21-point-per-half-cycle table.
* **1000 posterior draws in < 60 s**: every calibrated observable (12 seed numbers of
  the 200 nm and bare cells) and the lifetimes at 0, 100, 200 and 300 nm for the 1000
  shipped posterior draws (cells alive at 5000 h run on to 30 000 h), in batched NumPy calls. The peer is the same work done
  draw by draw (one model call per draw and quantity, the obvious loop); it is timed
  on 20 draws and scaled to 1000 (stated in the output).

Times are the median of several runs after one warm-up, on this machine (2 cores).

Run: ``.venv/bin/python benchmarks/bench_symmetric_posterior.py``
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from ssblab.simulate import posterior as po
from ssblab.simulate.protocol import expand, lifetime_protocol
from ssblab.simulate.symmetric import SymmetricCell, failures, simulate, trajectory


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median wall time [s] of *fn* over *repeats* runs after one warm-up, and its result."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def one_lifetime(d: float, p, cell: SymmetricCell) -> float:
    """One cell's lifetime [h] as the predictions take it: to 5000 h, then on to 30 000 h."""
    life = po._lifetimes(np.array([d]), p, cell, 0.1)[0][0]
    if life >= po.LONG_H:
        life = po._lifetimes(np.array([d]), p, cell, 0.1, po.PREDICT_H)[0][0]
    return float(life)


def per_draw(post: po.Posterior, cell: SymmetricCell, n: int) -> np.ndarray:
    """The peer: observables and four lifetimes, one draw and one cell at a time."""
    out = []
    for theta in post.draws[:n]:
        obs = po.observables(theta[None, :], cell.params, cell)[0]
        p = po.point_params(cell.params, theta)
        lives = [one_lifetime(d, p, cell) for d in (0.0, 100.0, 200.0, 300.0)]
        out.append(np.concatenate([obs, lives]))
    return np.array(out)


def main() -> int:
    cell = SymmetricCell(coating_thickness_nm=200.0)
    hc = expand(lifetime_protocol(0.1, 0.1, 3000.0))

    def model_only():
        return failures(trajectory(200.0, hc, cell.params, cell))

    t_core, _ = median_time(model_only, 20)
    t_sim, result = median_time(lambda: simulate(cell, lifetime_protocol(0.1, 0.1, 3000.0)), 10)
    print("3000 h of the 200 nm cell (1500 cycles):")
    print(f"  trajectory + failure rule: {t_core * 1e3:7.2f} ms  (target < 10 ms)")
    print(
        f"  simulate with its table  : {t_sim * 1e3:7.2f} ms  "
        f"({result.run.n_rows} records, lifetime {result.lifetime_h} h)"
    )

    post = po.load_draws()

    def propagate():
        obs = po.observables(post.draws, cell.params, cell)
        life = po.lifetimes_by_thickness(post, cell.params, cell, [0.0, 100.0, 200.0, 300.0])
        return np.hstack([obs, life])

    t_post, batched = median_time(propagate, 2)
    t_peer, looped = median_time(lambda: per_draw(post, cell, 20), 1)
    same = np.allclose(batched[:20], looped, rtol=1e-9, equal_nan=True)
    peer_1000 = t_peer * post.draws.shape[0] / 20
    print(f"posterior propagation, {post.draws.shape[0]} draws x 16 quantities:")
    print(f"  ssblab batched   : {t_post:7.2f} s  (target < 60 s)")
    print(f"  per-draw loop    : {peer_1000:7.2f} s  (20 draws timed: {t_peer:.2f} s, x50)")
    print(f"  ratio loop / ssblab: {peer_1000 / t_post:.1f}x; same numbers: {same}")
    ok = t_core < 0.010 and t_post < 60.0 and same
    print("PASS" if ok else "FAIL: a target was missed or the loop disagrees")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
