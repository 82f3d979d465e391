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
) -> Run:
    """A galvanostatic full cell, 3.0-4.2 V, 1 mAh first cycle, capacity fading linearly.

    Charge at +0.5 mA then discharge at -0.5 mA each cycle; CE 99 %.
    """
    current = 0.5e-3  # A
    t0, qc, qd = 0.0, 0.0, 0.0
    parts = []
    for n in range(1, n_cycles + 1):
        q_ch = 1.0e-3 * (1.0 - fade_per_cycle * (n - 1))  # Ah
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
