"""Seed numbers vs the symmetric-cell model: the calibration report of one parameter set.

The parameters are calibrated by :mod:`ssblab.simulate.posterior` (emcee, on the
seed's 200 nm and bare cells only; the representative draw is in
``symmetric_params.toml``, the draws in ``symmetric_posterior.csv``).
:func:`calibration_report` lists every number the seed reports beside the model's,
with its role: *calibrated* (in the fitted subset: the 200 nm and bare cells) or
*predicted* (the 100 and 300 nm cells, fresh-cell rate tests, EIS resistances).
The rate test follows :data:`RATE_PROTOCOL` after :data:`RATE_CONDITIONING_CYCLES`
and is judged by the one failure rule with the rate-test bound: a density at which
the model cell has already failed is NaN, with a note, in every command.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ssblab.analysis.symmetric import RATE_TEST_BOUND_MV
from ssblab.simulate.protocol import Block, expand, lifetime_protocol, parse_protocol
from ssblab.simulate.symmetric import (
    MODES,
    SymmetricCell,
    SymmetricParams,
    failures,
    load_params,
    trajectory,
)

SEED = "Chang et al., LiAlO2 seed (shared/seeds/003)"
#: Rate test of the predictions: the seed gives the densities (Fig. 4a), not the
#: capacity or the number of cycles per step; 0.1 mAh/cm2 and 5 cycles are assumed.
RATE_PROTOCOL = "rate 0.1,0.25,0.5,1.0 mA/cm2, 0.1 mAh/cm2, 5 cycles"
#: Cycles at 0.1 mA/cm2 before the rate test. The seed does not say; its rate-test
#: resistances (bare ~4200, coated ~760 Ohm cm2 at 0.25 mA/cm2) match its EIS after
#: 50 cycles (bare ~5000, coated ~850 Ohm cm2, Fig. S4) rather than fresh cells, so
#: the predictions take cells conditioned for 50 cycles (fresh cells are also listed).
RATE_CONDITIONING_CYCLES = 50
AFTER_100_CYCLES = 199  # index of the 200th half-cycle


def _electrodes_after_100_cycles(
    thickness_nm: float, params: SymmetricParams, cell: SymmetricCell
) -> tuple[float, float]:
    """Plating and stripping electrode overpotentials at the 100th cycle [mV]."""
    hc = expand(lifetime_protocol(0.1, 0.1, 200.0))
    tr = trajectory(thickness_nm, hc, params, cell)
    k = AFTER_100_CYCLES
    plating = 0.5 * (tr.plating_start[0, k] + tr.plating_end[0, k]) * 1e3
    stripping = 0.5 * (tr.stripping_start[0, k] + tr.stripping_end[0, k]) * 1e3
    return float(plating), float(stripping)


def lifetime_h(
    thickness_nm: float,
    params: SymmetricParams,
    cell: SymmetricCell,
    blocks: tuple[Block, ...] | None = None,
) -> float:
    """Model lifetime [h] (NaN: no failure within *blocks*, default 0.1/0.1 for 6000 h)."""
    hc = expand(blocks or lifetime_protocol(0.1, 0.1, 6000.0))
    tr = trajectory(thickness_nm, hc, params, cell)
    return float(failures(tr).lifetime_h[0])


@dataclass(frozen=True)
class ReportRow:
    """One line of :func:`calibration_report`."""

    quantity: str
    seed: float
    model: float | None
    role: str
    source: str
    model_low: float | None = None
    model_high: float | None = None

    @property
    def error_percent(self) -> float | None:
        """(model - seed) / seed [%]; None when the model value is missing."""
        if self.model is None or np.isnan(self.model):
            return None
        return 100.0 * (self.model - self.seed) / self.seed

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON and tables."""
        return {
            "quantity": self.quantity,
            "seed": self.seed,
            "model": self.model,
            "error_percent": self.error_percent,
            "model_range": (None if self.model_low is None else [self.model_low, self.model_high]),
            "role": self.role,
            "source": self.source,
        }


def rate_overpotentials_mV(
    thickness_nm: float,
    params: SymmetricParams,
    cell: SymmetricCell,
    conditioning_cycles: int = RATE_CONDITIONING_CYCLES,
) -> dict[float, float]:
    """Median plateau cell overpotential per density of :data:`RATE_PROTOCOL` [mV],
    after *conditioning_cycles* at 0.1 mA/cm², 0.1 mAh/cm².

    The failure rule applies with the rate-test bound
    (:data:`~ssblab.analysis.symmetric.RATE_TEST_BOUND_MV`): a density at or after
    a short or a divergence is NaN (see :func:`rate_failure`), as it is in every command.
    """
    return {
        j: eta for j, (eta, _) in rate_test(thickness_nm, params, cell, conditioning_cycles).items()
    }


def rate_test(
    thickness_nm: float,
    params: SymmetricParams,
    cell: SymmetricCell,
    conditioning_cycles: int = RATE_CONDITIONING_CYCLES,
) -> dict[float, tuple[float, str]]:
    """Per density of the rate test: (median plateau overpotential [mV] or NaN, mode)."""
    blocks = _rate_blocks(conditioning_cycles)
    tr = trajectory(thickness_nm, expand(blocks), params, cell)
    fail = failures(tr, RATE_TEST_BOUND_MV)
    mode, at = MODES[int(fail.mode[0])], int(fail.half_cycle[0])
    mid = tr.cell_mid[0] * 1e3
    edges = np.cumsum([0] + [b.n_half_cycles for b in blocks])
    rate = blocks[-4:]
    first = len(blocks) - len(rate)
    out = {}
    for i, b in enumerate(rate):
        lo, hi = edges[first + i], edges[first + i + 1]
        failed = mode != "none" and at < hi
        end = min(hi, at) if failed else hi
        eta = float(np.median(mid[lo:end])) if failed is False or at > lo else float("nan")
        out[b.current_density_mA_cm2] = (eta, mode if failed else "none")
    return out


def _rate_blocks(conditioning_cycles: int) -> tuple[Block, ...]:
    blocks = parse_protocol(RATE_PROTOCOL)
    if conditioning_cycles > 0:
        blocks = parse_protocol(f"0.1 mA/cm2, 0.1 mAh/cm2, {conditioning_cycles} cycles") + blocks
    return blocks


def _resistance_after_50_cycles_ohm(
    thickness_nm: float, params: SymmetricParams, cell: SymmetricCell
) -> float:
    """Cell resistance |V|/|I| at the 50th cycle at 0.1 mA/cm² [Ω] (vs EIS R_b + R_ct)."""
    hc = expand(lifetime_protocol(0.1, 0.1, 100.0))
    tr = trajectory(thickness_nm, hc, params, cell)
    eta = 0.5 * (tr.cell_start[0, 99] + tr.cell_end[0, 99])
    return float(eta / (1e-4 * cell.area_cm2))


def calibration_report(params: SymmetricParams | None = None) -> list[ReportRow]:
    """Seed value vs model value for every number the seed reports (calibrated or predicted).

    Uses the parameters given, or the defaults of ``symmetric_params.toml`` (which
    hold the result of :func:`calibrate`).
    """
    p = params or load_params()
    cell = SymmetricCell(params=p)
    one_mah = lifetime_protocol(0.1, 1.0, 6000.0)
    bare_el, coat_el = (
        _electrodes_after_100_cycles(0.0, p, cell),
        _electrodes_after_100_cycles(200.0, p, cell),
    )
    rate_c, rate_b = rate_overpotentials_mV(200.0, p, cell), rate_overpotentials_mV(0.0, p, cell)
    fresh_c = rate_overpotentials_mV(200.0, p, cell, conditioning_cycles=0)
    fresh_b = rate_overpotentials_mV(0.0, p, cell, conditioning_cycles=0)
    rows = [
        ("lifetime 200 nm, 0.1 mAh/cm2 [h]", 3000, lifetime_h(200, p, cell), "calibrated", "3a"),
        ("plating 200 nm, 100 cycles [mV]", 78, coat_el[0], "calibrated", "3c"),
        ("plating bare, 100 cycles [mV]", 100, bare_el[0], "calibrated", "3b"),
        ("stripping bare, 100 cycles [mV]", 380, bare_el[1], "calibrated", "3b"),
        ("stripping 200 nm, 100 cycles [mV]", 80, coat_el[1], "calibrated", "3c"),
        ("lifetime 100 nm, 0.1 mAh/cm2 [h]", 1400, lifetime_h(100, p, cell), "predicted", "3a"),
        ("lifetime 300 nm, 0.1 mAh/cm2 [h]", 1600, lifetime_h(300, p, cell), "predicted", "3a"),
        (
            "lifetime 200 nm, 1.0 mAh/cm2 [h]",
            1000,
            lifetime_h(200, p, cell, one_mah),
            "calibrated",
            "3d",
        ),
        (
            "lifetime bare, 1.0 mAh/cm2 [h]",
            300,
            lifetime_h(0, p, cell, one_mah),
            "calibrated",
            "3d",
        ),
        ("overpotential 200 nm at 0.25 mA/cm2 [mV]", 191, rate_c[0.25], "calibrated", "4a"),
        ("overpotential 200 nm at 1.0 mA/cm2 [mV]", 2134, rate_c[1.0], "calibrated", "4a"),
        ("overpotential bare at 0.25 mA/cm2 [mV]", 1050, rate_b[0.25], "calibrated", "4a"),
        ("overpotential bare at 1.0 mA/cm2 [mV]", 4000, rate_b[1.0], "calibrated", "4a"),
        ("fresh cell: 200 nm at 0.25 mA/cm2 [mV]", 191, fresh_c[0.25], "predicted", "4a"),
        ("fresh cell: 200 nm at 1.0 mA/cm2 [mV]", 2134, fresh_c[1.0], "predicted", "4a"),
        ("fresh cell: bare at 0.25 mA/cm2 [mV]", 1050, fresh_b[0.25], "predicted", "4a"),
        ("fresh cell: bare at 1.0 mA/cm2 [mV]", 4000, fresh_b[1.0], "predicted", "4a"),
        (
            "R_b + R_ct 200 nm, 50 cycles [Ohm]",
            604 + 473,
            _resistance_after_50_cycles_ohm(200, p, cell),
            "predicted",
            "S4",
        ),
        (
            "R_b + R_ct bare, 50 cycles [Ohm]",
            1399 + 4997,
            _resistance_after_50_cycles_ohm(0, p, cell),
            "predicted",
            "S4",
        ),
    ]
    failed = "; the model cell fails (short or over the rate-test bound) before this density"
    return [
        ReportRow(
            q,
            float(seed),
            float(model),
            role,
            f"{SEED}, Fig. {fig}" + (failed if np.isnan(model) else ""),
        )
        for q, seed, model, role, fig in rows
    ]
