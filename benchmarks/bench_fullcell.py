"""Benchmark: PyBaMM full cells — long cycling with interphase growth, and ssblab's set-up.

* **800 cycles at 1 C with degradation on**: the coated LiCoO2 cell of the LiAlO2 seed
  with its parabolic Li-side interphase growth (calibrated values of
  ``ssblab.reproduce.lialo2_fullcell``), by ssblab's cycle skipping
  (``simulate.fade.cycle_response`` on a 10-point resistance grid, then ``walk``).
  Target: < 60 s on 2 cores. The peer is PyBaMM stepping all 800 cycles itself
  (``Experiment`` with ``save_at_cycles``) at a fixed resistance — no degradation,
  i.e. less work than ssblab does; both print the cycle-800 capacity.
* **Al composite cell, 1000 cycles at 7 mA/cm2 (the seed's long cycling, 60 °C)** with the
  SEI growing: ssblab's SEI cycle skipping (``simulate.sei_cycling``) against PyBaMM
  stepping all 1000 cycles itself (the same model, ``save_at_cycles``); both print the
  cycle-1000 capacity, so the skipping's error is measured with its speed.
* **Set-up vs solve**: ``fullcell.build_cell`` (recipe -> ParameterValues, OCP curves,
  start state) against PyBaMM's own build + solve of one 1 C cycle of the same cell.
  Target: set-up no more than the solve.

Run: ``.venv/bin/python benchmarks/bench_fullcell.py [--no-peer]``
"""

from __future__ import annotations

import sys
import time

import numpy as np


def _timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> int:
    import pybamm

    from ssblab.recipe import load_recipe
    from ssblab.reproduce.common import recipe_path
    from ssblab.reproduce.lialo2_fullcell import FULL, build, interface_asr_ohm
    from ssblab.simulate.cycling import VAR_PTS
    from ssblab.simulate.fade import Interphase, cycle_response, retention, walk
    from ssblab.simulate.fullcell import build_cell

    recipe = load_recipe(recipe_path(FULL[200]))
    cold, cell = _timed(lambda: build_cell(recipe, loading_mg_cm2=10.0, interphase="ohmic"))
    setup, cell = _timed(
        lambda: build_cell(recipe, loading_mg_cm2=10.0, interphase="ohmic"), repeat=3
    )
    low, high = cell.window_V
    one = (
        f"Charge at 1 C for 2 hours or until {high} V",
        f"Discharge at 1 C for 2 hours or until {low} V",
    )

    def pybamm_one_cycle():
        sim = pybamm.Simulation(
            pybamm.lithium_ion.SPMe(dict(cell.options)),
            parameter_values=cell.values,
            experiment=pybamm.Experiment([one]),
            var_pts=VAR_PTS,
        )
        return sim.solve(inputs={**cell.inputs, "Contact resistance [Ohm]": 100.0})

    solve, _ = _timed(pybamm_one_cycle, repeat=2)
    print(
        f"set-up (build_cell) first call {cold:.3f} s, then {setup:.4f} s; "
        "PyBaMM build + solve of one 1 C cycle "
        f"{solve:.3f} s   ratio solve/set-up (first call) {solve / cold:.1f}  (goal >= 1)"
    )

    model = build()  # the case study's default interphase (Butler-Volmer on the Li side)
    scale = model.loading_scale()
    r0 = interface_asr_ohm(200) * scale
    law = Interphase(r0, 0.0)

    def ssblab_800():
        # growth from the case study's calibration on 95 % after 800 cycles
        from ssblab.reproduce.lialo2_fullcell import growth_for_retention

        response = cycle_response(
            model.cell, 1.0, r0 * 0.8, r0 * 30, model.inputs(), points=10, scale=scale
        )
        growth = growth_for_retention(response, r0, 95.0, 800)
        return growth, walk(response, Interphase(r0, growth), 800)

    took, (growth, table) = _timed(ssblab_800)
    print(
        f"ssblab 800 cycles at 1 C, interphase growth on (g = {growth:.4g}/sqrt h): "
        f"{took:.1f} s (goal < 60 s); retention {retention(table, 800):.1f} %, "
        f"cycle-800 capacity {table['discharge_mAh_g'][799]:.1f} mAh/g"
    )
    al_cycling(peer="--no-peer" not in sys.argv)
    if "--no-peer" in sys.argv:
        return 0

    def pybamm_800():
        sim = pybamm.Simulation(
            pybamm.lithium_ion.SPMe(dict(cell.options)),
            parameter_values=cell.values,
            experiment=pybamm.Experiment([one] * 800),
            var_pts=VAR_PTS,
        )
        # the linear interface: PyBaMM's own 800-cycle run with the Butler-Volmer one stops
        # at cycle 20 (a charge step ends at once on its 4.2 V event); the timing is the point
        inputs = {**model.inputs(), "Contact resistance [Ohm]": float(law.r0_ohm)}
        return sim.solve(inputs=inputs, save_at_cycles=[1, 800])

    peer, solution = _timed(pybamm_800)
    last = solution.cycles[-1].steps[1]["Discharge capacity [A.h]"].entries
    q800 = float(np.ptp(last)) * 1e3 / model.cell.active_mass_g
    print(
        f"PyBaMM 800 cycles at 1 C, fixed resistance (no degradation): {peer:.1f} s; "
        f"cycle-800 capacity {q800:.1f} mAh/g; ratio PyBaMM/ssblab {peer / took:.1f}"
    )
    return 0


def al_cycling(peer: bool = True, cycles: int = 1000, density_mA_cm2: float = 7.0) -> None:
    """The Al composite cell's long cycling: cycle skipping vs PyBaMM every cycle."""
    from ssblab.recipe import load_recipe
    from ssblab.reproduce.common import recipe_path
    from ssblab.simulate.fullcell import build_cell
    from ssblab.simulate.sei_cycling import direct_cycles, sei_response, walk_sei

    recipe = load_recipe(recipe_path("al-lpsc-composite_ncm622"))
    cell = build_cell(recipe)
    current = density_mA_cm2 * cell.area_cm2

    def skip():
        return walk_sei(sei_response(cell, current, cycles), cycles)

    took, table = _timed(skip)
    q = table["discharge_mAh_g"]
    print(
        f"ssblab Al composite {cycles} cycles at {density_mA_cm2:g} mA/cm2, SEI growing: "
        f"{took:.1f} s (goal well under 60 s); retention {100 * q[-1] / q[0]:.1f} %, "
        f"cycle-{cycles} capacity {q[-1]:.2f} mAh/g"
    )
    if not peer:
        return
    peer_s, direct = _timed(lambda: direct_cycles(cell, current, cycles, [1, cycles]))
    print(
        f"PyBaMM Al composite {cycles} cycles, every cycle solved: {peer_s:.1f} s; "
        f"retention {100 * direct[cycles][0] / direct[1][0]:.1f} %, cycle-{cycles} capacity "
        f"{direct[cycles][0]:.2f} mAh/g (skipping {100 * (q[-1] / direct[cycles][0] - 1):+.1f} "
        f"%); ratio PyBaMM/ssblab {peer_s / took:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
