"""Synthetic runs for the report tests: a fading full cell, a symmetric cell, a spectrum."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.schema import Run, RunMeta


def cycling_run(
    n_cycles: int = 20,
    points_per_half: int = 200,
    fade_per_cycle: float = 0.005,
    name: str = "NCM622 full cell",
    kind: str = "measured",
    currents_mA: list[float] | None = None,
) -> Run:
    """A galvanostatic full cell, 3.0-4.2 V, 1 mAh first cycle, capacity fading linearly.

    Charge then discharge at 0.5 mA each cycle (or at ``currents_mA[n-1]``, with
    the capacity divided by 1 + 0.2 I/mA for a rate test); CE 99 %.
    """
    t0, qc, qd = 0.0, 0.0, 0.0
    parts = []
    for n in range(1, n_cycles + 1):
        current = 0.5e-3 if currents_mA is None else currents_mA[n - 1] * 1e-3  # A
        rate_factor = 1.0 if currents_mA is None else 1.0 / (1.0 + 0.2 * currents_mA[n - 1])
        q_ch = 1.0e-3 * (1.0 - fade_per_cycle * (n - 1)) * rate_factor  # Ah
        q_dis = 0.99 * q_ch
        for sign, q_half in ((1.0, q_ch), (-1.0, q_dis)):
            frac = np.linspace(0.0, 1.0, points_per_half)
            duration = q_half / current * 3600.0
            t = t0 + frac * duration
            soc = frac if sign > 0 else 1.0 - frac * q_dis / q_ch
            v = 3.0 + 1.2 * soc**0.7 + 0.04 * sign
            passed = frac * q_half
            parts.append(
                pl.DataFrame(
                    {
                        s.TIME: t,
                        s.VOLTAGE: v,
                        s.CURRENT: np.full(points_per_half, sign * current),
                        s.CYCLE: np.full(points_per_half, n, dtype=np.int64),
                        s.CHARGE_CAPACITY: qc + (passed if sign > 0 else 0.0),
                        s.DISCHARGE_CAPACITY: qd + (passed if sign < 0 else 0.0),
                    }
                )
            )
            t0 = t[-1] + 1.0
            qc += q_half if sign > 0 else 0.0
            qd += q_half if sign < 0 else 0.0
    table = s.conform(pl.concat(parts))
    meta = RunMeta(
        source="synthetic.csv",
        source_format="synthetic",
        cell_name=name,
        active_mass_g=0.008,
        area_cm2=0.785,
        kind=kind,
    )
    return Run(table, meta)


def symmetric_run(n_half: int = 60, fail_at: int = 40, name: str = "Li|LGPS|Li bare") -> Run:
    """Li|Li plating/stripping at ±0.1 mA, 1 h half-cycles; ~50 mV, soft short after *fail_at*."""
    pts = 60
    frac = np.linspace(0.0, 1.0, pts)
    t, v, i = [], [], []
    for k in range(n_half):
        sign = 1.0 if k % 2 == 0 else -1.0
        eta = 0.05 * (1 + 0.01 * k) if k < fail_at else 0.004
        t.append((k + frac * 0.999) * 3600.0)
        v.append(sign * eta * (1.0 + 0.2 * np.exp(-10 * frac)))
        i.append(np.full(pts, sign * 1e-4))
    table = s.conform(
        pl.DataFrame(
            {
                s.TIME: np.concatenate(t),
                s.VOLTAGE: np.concatenate(v),
                s.CURRENT: np.concatenate(i),
                s.CYCLE: (np.arange(n_half * pts) // (2 * pts) + 1).astype(np.int64),
            }
        )
    )
    return Run(table, RunMeta(source="sym.csv", cell_name=name, area_cm2=0.785))


def symmetric_rate_run(name: str = "Li|LGPS|Li rate") -> Run:
    """Li|Li at 0.1, 0.25, 0.5, 1.0 mA/cm² (4 half-cycles each, 0.785 cm²), 500 Ω cm² ASR."""
    pts, area = 40, 0.785
    frac = np.linspace(0.0, 1.0, pts)
    t, v, i = [], [], []
    k = 0
    for j in (0.1, 0.25, 0.5, 1.0):
        for _ in range(4):
            sign = 1.0 if k % 2 == 0 else -1.0
            t.append((k + frac * 0.999) * 3600.0)
            v.append(np.full(pts, sign * 0.5 * j))  # 500 Ω cm² x j [mA/cm²] -> V
            i.append(np.full(pts, sign * j * area * 1e-3))
            k += 1
    table = s.conform(
        pl.DataFrame(
            {s.TIME: np.concatenate(t), s.VOLTAGE: np.concatenate(v), s.CURRENT: np.concatenate(i)}
        )
    )
    return Run(table, RunMeta(source="symrate.csv", cell_name=name, area_cm2=area))


def cv_run(cycles: int = 3) -> Run:
    """Cyclic voltammetry 3.0-4.0 V at 1 mV/s, a redox couple at 3.6 V (peaks ±0.2 mA)."""
    dt, rate = 1.0, 1e-3  # s, V/s
    n_sweep = int(1.0 / rate / dt)
    up = np.linspace(3.0, 4.0, n_sweep, endpoint=False)
    down = np.linspace(4.0, 3.0, n_sweep, endpoint=False)
    v = np.tile(np.concatenate([up, down]), cycles)
    direction = np.tile(np.concatenate([np.ones(n_sweep), -np.ones(n_sweep)]), cycles)
    peak = np.exp(-(((v - 3.6 - 0.03 * direction) / 0.03) ** 2))
    current = direction * (1e-5 + 2e-4 * peak)
    cycle = np.repeat(np.arange(1, cycles + 1), 2 * n_sweep)
    table = s.conform(
        pl.DataFrame(
            {s.TIME: np.arange(v.size) * dt, s.VOLTAGE: v, s.CURRENT: current, s.CYCLE: cycle}
        )
    )
    return Run(table, RunMeta(source="cv.csv", cell_name="CV cell"))


def gitt_run(n_pulses: int = 10, tau_s: float = 300.0, rest_s: float = 600.0) -> Run:
    """GITT on charge at +0.1 mA: pulses of *tau_s*, rests of *rest_s*, 1 s records.

    Each pulse rises 20 mV (ohmic) + 10 mV (∝ √t, so ΔEτ = 10 mV between the
    pulse's first and last record); each relaxed OCV is 10 mV above the last
    (ΔEs = 10 mV), so ΔEs/ΔEτ = 1.
    """
    current = 1e-4
    t, v, i = [], [], []
    clock, ocv = 0.0, 3.7
    for _ in range(n_pulses):
        rest = np.arange(rest_s)
        t.append(clock + rest)
        v.append(np.full(rest.size, ocv))
        i.append(np.zeros(rest.size))
        clock += rest_s
        pulse = np.arange(tau_s + 1)
        t.append(clock + pulse)
        v.append(ocv + 0.02 + 0.01 * np.sqrt(pulse / tau_s))
        i.append(np.full(pulse.size, current))
        clock += tau_s + 1
        ocv += 0.01
    rest = np.arange(rest_s)
    t.append(clock + rest)
    v.append(np.full(rest.size, ocv))
    i.append(np.zeros(rest.size))
    table = s.conform(
        pl.DataFrame(
            {s.TIME: np.concatenate(t), s.VOLTAGE: np.concatenate(v), s.CURRENT: np.concatenate(i)}
        )
    )
    return Run(table, RunMeta(source="gitt.csv", cell_name="GITT cell"))


def spectrum(
    r0: float = 10.0, r1: float = 50.0, tau: float = 1e-3, phi: float = 0.85
) -> pl.DataFrame:
    """R0 + R1‖CPE spectrum, 1 MHz to 0.1 Hz, 10 points per decade [Ω]."""
    f = np.logspace(6, -1, 71)
    w = 2 * np.pi * f
    z = r0 + r1 / (1 + (1j * w * tau) ** phi)
    return pl.DataFrame({s.FREQUENCY: f, s.Z_REAL: z.real, s.Z_IMAG: z.imag})


@pytest.fixture(scope="session")
def cycling() -> Run:
    """20-cycle fading full cell."""
    return cycling_run()


@pytest.fixture(scope="session")
def symmetric() -> Run:
    """Symmetric cell that shorts softly at half-cycle 41."""
    return symmetric_run()


@pytest.fixture(scope="session")
def eis_table() -> pl.DataFrame:
    """One-arc spectrum with known R0 = 10 Ω, R1 = 50 Ω."""
    return spectrum()


@pytest.fixture(scope="session")
def make_cycling():
    """The :func:`cycling_run` factory (for cells with other names, kinds or fades)."""
    return cycling_run


@pytest.fixture(scope="session")
def make_symmetric():
    """The :func:`symmetric_run` factory."""
    return symmetric_run


@pytest.fixture(scope="session")
def full_report(tmp_path_factory, cycling, symmetric, eis_table, make_cycling):
    """A report of a measured and a simulated full cell, a symmetric cell and a spectrum."""
    from ssblab.report.build import build

    simulated = make_cycling(name="NCM622 full cell", kind="simulated", fade_per_cycle=0.004)
    out = tmp_path_factory.mktemp("full_report")
    return build([cycling, simulated, symmetric, eis_table], out, title="Synthetic cells")
