"""The LiAlO2 seed's LiCoO2 full cells, varied: the interface model and the unfitted loading.

:func:`compare_interphases` runs the case study's rows under each Li-side interface
model; :func:`loading_sensitivity` refits the diffusivity at other cathode loadings
(the rate fit leaves the loading loose) and shows how far the predictions move.
``python -m ssblab.reproduce.lialo2_fullcell`` prints both (README tables).
"""

from __future__ import annotations

import numpy as np

from ssblab.reproduce.common import reported
from ssblab.reproduce.lialo2_fullcell_model import (
    FIT_RATES,
    FULL,
    RATES_C,
    REFERENCE_LOADING,
    STUDY,
    build,
    interface_asr_ohm,
)


def compare_interphases() -> list[str]:
    """The predicted rows under both interphase limits, side by side (README table)."""
    from ssblab.reproduce.common import CaseStudy
    from ssblab.reproduce.lialo2_fullcell import add_rows

    kinds = ("ohmic", "kinetic", "small-signal")
    tables = {}
    for kind in kinds:
        case = CaseStudy(STUDY, kind)
        add_rows(case, kind)
        tables[kind] = {(c.cell, c.quantity): c for c in case.comparisons}
    lines = [
        "| cell | quantity | role | paper | linear R | BV (dc i0) | BV, i0 = RT/(F R A) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, row in tables["kinetic"].items():
        cells = []
        for kind in kinds:
            c = tables[kind][key]
            err = f" ({c.rel_diff_percent:+.1f} %)" if c.reported else ""
            cells.append(f"{c.ssblab:.1f}{err}")
        paper = "—" if row.reported is None else f"{row.reported:g}"
        lines.append(f"| {key[0]} | {key[1]} | {row.role} | {paper} | {' | '.join(cells)} |")
    return lines


def _refit_at_loading(rates, loading: float, r: dict[int, float]):
    """(coated, bare capacities, diffusivity) with the diffusivity fitted at *loading*."""
    import math

    from scipy.optimize import minimize_scalar

    def rate(log_d: float, t: int) -> np.ndarray:
        p = {"diffusivity": math.exp(log_d), "loading": loading, "interphase": r[t]}
        return rates.capacities(p)

    targets = np.array(
        [reported(STUDY, FULL[200], "rate_specific_capacity", c_rate=c)[0] for c in FIT_RATES]
    )

    def cost(log_d: float) -> float:
        return float(np.sum((rate(log_d, 200)[: len(FIT_RATES)] - targets) ** 2))

    best = minimize_scalar(cost, bounds=(math.log(1e-16), math.log(1e-13)), method="bounded")
    return rate(best.x, 200), rate(best.x, 0), math.exp(best.x)


def loading_sensitivity(loadings=(0.5, 1.0, 2.0, 4.0), interphase: str | None = None) -> list[str]:
    """Predictions at other cathode loadings, the diffusivity refitted on the coated 0.1/0.2 C.

    The fit leaves the loading loose (the coated 0.1/0.2 C fit as well at any of these);
    the Butler-Volmer interface makes the predictions depend on it through the real
    current density, so this shows how far they move.
    """
    from ssblab.simulate.fit import RateModel

    model = build(interphase=interphase)
    rates = RateModel(model.cell, RATES_C, {}, REFERENCE_LOADING)
    r = {t: interface_asr_ohm(t) for t in FULL}
    lines = []
    for loading in loadings:
        coated, bare, d = _refit_at_loading(rates, loading, r)
        lines.append(
            f"loading {loading:g} mg/cm2: D {d:.3g} m2/s, coated "
            + "/".join(f"{q + 0.0:.1f}" for q in coated)
            + ", bare "
            + "/".join(f"{q + 0.0:.1f}" for q in bare)
            + " mAh/g at 0.1/0.2/0.5/1 C"
        )
    return lines
