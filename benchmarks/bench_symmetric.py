"""Benchmark: the fast Li‖Li symmetric-cell model and the symmetric-cell analysis.

* **Model, one cell**: ``ssblab.simulate.symmetric.simulate`` of the seed's 200 nm
  cell, 0.1 mA/cm², 0.1 mAh/cm², 3000 h (1500 cycles, run until failure),
  table included. Target: < 1 s. The peer is the same equations stepped one
  half-cycle at a time in plain Python (the obvious way to write such a model);
  the two must agree on the lifetime (also of the 100 nm cell, whose film ruptures
  over its voids, and of the 300 nm cell, which cracks), and the ratio is printed.
* **Model, sweep**: 200 coating thicknesses 0–500 nm over 5000 h in one
  vectorised call. Target: < 30 s.
* **Analysis**: half-cycle overpotentials and failure detection on a
  synthetic 1,000,000-record Li‖Li table (no public Li‖Li cycler file is in
  ``shared/data``, so the table is generated here).

Times are the median of several runs after one warm-up; peak memory is the
tracemalloc peak of one run (Python allocations, NumPy included; Polars' own
Rust allocations are not seen by tracemalloc).

Run: ``.venv/bin/python benchmarks/bench_symmetric.py``
"""

from __future__ import annotations

import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis.symmetric import (
    DIVERGENCE_BOUND_MV,
    detect_failure,
    half_cycle_overpotentials,
)
from ssblab.simulate import interphase as ph
from ssblab.simulate.protocol import lifetime_protocol
from ssblab.simulate.sweep import optimum, sweep
from ssblab.simulate.symmetric import SymmetricCell, simulate


def measure(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Median wall time [s], tracemalloc peak [MiB] and the last result of *fn*."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak, result


def q_ref_um(p) -> float:
    """Li thickness moved by the reference capacity, q V_m / F [µm]."""
    return p.reference_capacity_mAh_cm2 * 3.6 / ph.FARADAY * p.li_molar_volume_cm3_mol * 1e4


def loop_lifetime_h(cell: SymmetricCell, j_mA_cm2: float, q_mAh_cm2: float, max_h: float):
    """The model's equations stepped half-cycle by half-cycle in plain Python (the peer)."""
    p, d = cell.params, cell.coating_thickness_nm
    j = j_mA_cm2 * 1e-3
    tau = q_mAh_cm2 / j_mA_cm2 * 3600.0
    t_k = cell.temperature_C + 273.15
    p_open = math.exp(-d / p.pinhole_length_nm)
    eta_mech = p.film_strength_Pa * p.li_molar_volume_cm3_mol * 1e-6 / ph.FARADAY
    r_coat = d * 1e-7 / p.coating_conductivity_S_cm
    q_rel = q_mAh_cm2 / p.reference_capacity_mAh_cm2
    strain = q_rel * p.tearing_thickness_nm / max(d, 1e-9) + j * r_coat / eta_mech
    # channel crack (simulate/film_cracking.py): membrane + Li-overpressure strain
    pressure = ph.FARADAY * j * r_coat / (p.li_molar_volume_cm3_mol * 1e-6)
    crack_strain = p.membrane_strain * q_rel + pressure / p.film_modulus_Pa
    g = p.channel_crack_factor * p.film_modulus_Pa * crack_strain**2 * d * 1e-9
    d_crack = (g / p.film_fracture_energy_J_m2) ** (0.5 * p.fatigue_exponent)
    d_crack /= p.crack_cycles
    d_damage = strain**p.fatigue_exponent / p.fatigue_cycles
    dv_full = (
        p.void_rate
        * (q_mAh_cm2 / p.reference_capacity_mAh_cm2) ** p.fatigue_exponent
        * (max(j - p.critical_stripping_current_A_cm2, 0.0) / p.reference_current_density_A_cm2)
        ** p.void_rate_exponent
    )
    bulk = j * cell.electrolyte_thickness_um * 1e-4 / p.electrolyte_conductivity_S_cm
    thermal = 2 * ph.GAS_CONSTANT * t_k / ph.FARADAY

    q_h = ph.FARADAY * p.gap_depth_nm * 1e-7 / p.li_molar_volume_cm3_mol
    gap = max(1.0 - p.gap_critical_current_A_cm2 / j, 0.0) * q_mAh_cm2 * 3.6 / q_h

    def electrode(local: float, r_int: float, focus: float = 1.0) -> float:
        """Charge transfer and film drop at local x focus, interphase drop at local."""
        at = local * focus
        ct = thermal * math.asinh(at / (2 * p.exchange_current_density_A_cm2))
        return ct + at * r_coat + local * r_int

    # film rupture over the voids (simulate/film_rupture.py): one void per lambda^2 patch
    spacing_um = q_ref_um(p) / p.membrane_strain
    damage = exposure = crack = 0.0
    voids = [0.0, 0.0]  # working, counter
    voids_intact = [0.0, 0.0]  # the same without the rupture (the model's first pass)
    u_prev = u0_prev = p_open
    broken = False
    for n in range(math.ceil(max_h * 3600.0 / tau)):
        we_strips = n % 2 == 1
        damage += d_damage
        u0 = p_open + (1 - p_open) * (1 - math.exp(-damage))
        strip, plate = (0, 1) if we_strips else (1, 0)
        voids_intact[strip] += dv_full * (u0_prev + (1 - u0_prev) * p.void_suppression)
        u0_prev = u0
        share = voids_intact[strip] / (1.0 + voids_intact[strip])
        a_um = spacing_um * math.sqrt(share / math.pi)
        ratio = a_um * 1e3 / max(d, 1e-9)
        plate_stress = 0.75 * p.stack_pressure_Pa * ratio**2
        membrane = 0.423 * (p.film_modulus_Pa * p.stack_pressure_Pa**2 * ratio**2) ** (1 / 3)
        broken = broken or (d > 0 and min(plate_stress, membrane) >= p.film_strength_Pa)
        u = u0 + (1 - u0) * share if broken else u0
        r0 = math.sqrt(2 * p.interphase_rate_cm2_s * exposure) / p.interphase_conductivity_S_cm
        exposure += 0.5 * (u_prev + u) * tau
        r1 = math.sqrt(2 * p.interphase_rate_cm2_s * exposure) / p.interphase_conductivity_S_cm
        v0 = voids[strip]
        voids[strip] += dv_full * (u_prev + (1 - u_prev) * p.void_suppression)
        v1 = voids[strip]
        u_prev = u
        e0 = electrode(j, r0) + electrode(j * (1 + v0), r0) + bulk
        e1 = electrode(j, r1) + electrode(j * (1 + v1), r1, 1.0 + gap) + bulk
        crack += d_crack
        cracked = d > 0 and (crack >= 1.0 or g >= p.film_fracture_energy_J_m2)
        focus = 1.0 / p.crack_area_fraction if cracked else 1.0
        if j * (1 + voids[plate]) * focus > p.penetration_current_density_A_cm2:
            return n * tau / 3600.0
        if 0.5 * (e0 + e1) > DIVERGENCE_BOUND_MV / 1e3:  # the plateau over the bound
            return n * tau / 3600.0
    return None


def synthetic_table(n_rows: int) -> pl.DataFrame:
    """A Li‖Li cycling table: 100 records per 1 h half-cycle, |V| growing as sqrt(t)."""
    t_h = np.arange(n_rows) / 100.0
    sign = np.where(np.floor(t_h) % 2 == 0, 1.0, -1.0)
    rng = np.random.default_rng(1)
    v = sign * 0.08 * np.sqrt(1 + t_h / 50.0) * (1 + 0.01 * rng.standard_normal(n_rows))
    return pl.DataFrame({s.TIME: t_h * 3600.0, s.VOLTAGE: v, s.CURRENT: sign * 7.85e-5})


def main() -> int:
    cell = SymmetricCell(coating_thickness_nm=200.0)
    blocks = lifetime_protocol(0.1, 0.1, 5000.0)
    t_model, mem_model, result = measure(lambda: simulate(cell, blocks), repeats=5)
    t_loop, mem_loop, loop_life = measure(lambda: loop_lifetime_h(cell, 0.1, 0.1, 5000.0), 3)
    print("symmetric model, 200 nm LiAlO2 | LGPS, 0.1 mA/cm2, 0.1 mAh/cm2:")
    print(
        f"  ssblab vectorised : {t_model * 1e3:8.1f} ms  peak {mem_model:6.1f} MiB  "
        f"lifetime {result.lifetime_h:.1f} h ({result.run.n_rows} records)"
    )
    print(
        f"  per-half-cycle loop: {t_loop * 1e3:8.1f} ms  peak {mem_loop:6.1f} MiB  "
        f"lifetime {loop_life:.1f} h"
    )
    print(f"  ratio loop / ssblab: {t_loop / t_model:.1f}x  (target: ssblab < 1000 ms)")
    agree = abs(loop_life - result.lifetime_h) < 0.5
    for d in (100.0, 300.0):  # the thin film ruptures over its voids, the thick one cracks
        other = cell.with_(coating_thickness_nm=d)
        life, looped = simulate(other, blocks).lifetime_h, loop_lifetime_h(other, 0.1, 0.1, 5000.0)
        print(f"  {d:.0f} nm: ssblab {life} h, loop {looped} h")
        agree = agree and abs(looped - life) < 0.5

    thick = np.linspace(0.0, 500.0, 200)
    t_sweep, mem_sweep, swept = measure(lambda: sweep(cell, thick, max_time_h=5000.0), repeats=3)
    best = optimum(swept)
    print("thickness sweep, 200 points 0-500 nm, 5000 h each:")
    print(
        f"  ssblab            : {t_sweep:8.2f} s   peak {mem_sweep:6.1f} MiB  "
        f"optimum {best.thickness_nm:.0f} nm ({best.low_nm:.0f}-{best.high_nm:.0f} nm)"
    )
    loop_cells = [cell.with_(coating_thickness_nm=float(d)) for d in thick]
    t_loop_sweep, _, _ = measure(
        lambda: [loop_lifetime_h(c, 0.1, 0.1, 5000.0) for c in loop_cells], repeats=1
    )
    print(f"  per-half-cycle loop: {t_loop_sweep:8.2f} s")
    print(f"  ratio loop / ssblab: {t_loop_sweep / t_sweep:.1f}x  (target: ssblab < 30 s)")

    table = synthetic_table(1_000_000)

    def analyse():
        return detect_failure(half_cycle_overpotentials(table))

    t_an, mem_an, failure = measure(analyse, repeats=3)
    print("analysis, 1,000,000 records (10,000 half-cycles):")
    print(
        f"  half-cycles + failure: {t_an:6.2f} s  peak {mem_an:6.1f} MiB  "
        f"failure {failure.mode} at {failure.time_h}"
    )
    ok = t_model < 1.0 and t_sweep < 30.0 and agree
    print("PASS" if ok else "FAIL: a target was missed or the loop disagrees with the model")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
