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


#: Starting points of :func:`fit_stability` (diffusivity [m2/s], loading [mg/cm2]).
STARTS = ((5e-16, 0.3), (1.5e-15, 1.0), (5e-15, 3.0))


def fit_stability(starts=STARTS, max_iterations: int = 40) -> list[dict[str, float]]:
    """The PyBOP fit from several starts: fitted values and the coated 0.5/1 C predictions.

    Shows whether the coated 1 C prediction is a property of the data or of where the
    optimiser started (the loading is not identifiable, so it may stay near its start).
    """
    from ssblab.reproduce.lialo2_fullcell_model import calibrate_rate

    model = build()
    r = interface_asr_ohm(200)
    out = []
    for diffusivity, loading in starts:
        fit = calibrate_rate(max_iterations, start={"diffusivity": diffusivity, "loading": loading})
        q = _predict(model, fit.values, r)
        paper = [reported(STUDY, FULL[200], "rate_specific_capacity", c_rate=c)[0] for c in RATES_C]
        out.append(
            {
                "start_diffusivity": diffusivity,
                "start_loading": loading,
                **{f"fitted_{k}": v for k, v in fit.values.items()},
                **{
                    f"error_{c:g}C_percent": 100.0 * (float(v) / p - 1.0)
                    for c, v, p in zip(RATES_C, q, paper, strict=True)
                },
            }
        )
    return out


def _predict(model, params: dict[str, float], r_ohm: float) -> np.ndarray:
    from ssblab.simulate.fit import RateModel

    rates = RateModel(model.cell, RATES_C, {}, REFERENCE_LOADING)
    return rates.capacities({**params, "interphase": r_ohm})


if __name__ == "__main__":
    for row in fit_stability():
        print(
            f"start D {row['start_diffusivity']:.3g} m2/s, loading {row['start_loading']:g} "
            f"mg/cm2 -> D {row['fitted_diffusivity']:.4g}, loading {row['fitted_loading']:.3g}; "
            + ", ".join(f"{c:g} C {row[f'error_{c:g}C_percent']:+.1f} %" for c in RATES_C)
        )
