"""The LiAlO2 seed's LiCoO2 full cells, varied: the interface model and the unfitted loading.

:func:`compare_interphases` runs the case study's rows under each Li-side interface
model; :func:`loading_sensitivity` refits the diffusivity at other cathode loadings
(the rate fit leaves the loading loose) and shows how far the predictions move;
:func:`loading_interval` propagates a stated loading prior into intervals;
:func:`rate_limits` removes each loss in turn to show what holds 1 C down;
:func:`utilisation_check` tries an inactive cathode fraction instead of slow diffusion.
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
from ssblab.simulate.fit import READING_ERROR


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
    """(coated, bare capacities, diffusivity, chi2) with the diffusivity fitted at *loading*.

    chi2 is the 0.1/0.2 C sum of squared residuals over the figure's reading error squared."""
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

    best = minimize_scalar(cost, bounds=(math.log(1e-16), math.log(1e-12)), method="bounded")
    chi2 = float(best.fun) / READING_ERROR**2
    return rate(best.x, 200), rate(best.x, 0), math.exp(best.x), chi2


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
        coated, bare, d, _ = _refit_at_loading(rates, loading, r)
        lines.append(
            f"loading {loading:g} mg/cm2: D {d:.3g} m2/s, coated "
            + "/".join(f"{q + 0.0:.1f}" for q in coated)
            + ", bare "
            + "/".join(f"{q + 0.0:.1f}" for q in bare)
            + " mAh/g at 0.1/0.2/0.5/1 C"
        )
    return lines


#: Prior on the cathode active loading the seed omits [mg/cm2], log-uniform (an assumption,
#: no LGPS|LiCoO2 pellet loading of that group was retrieved): from a thin 1 mg/cm2 lab pellet
#: to the one pellet the seeds report, the Al paper's 33.6 mg of 7:3 composite on 10 mm
#: (23.5 mg NCM622 on 0.785 cm2 = 30 mg/cm2).
LOADING_PRIOR_MG_CM2 = (1.0, 30.0)
#: Quantiles of that prior at which the diffusivity is refitted (a cheap profile).
PRIOR_QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)
#: A loading is kept when its refit meets 0.1/0.2 C: chi2 below the 95 % point of chi2(1 dof)
#: (two targets, one fitted diffusivity). The seed gives 125/110 as text, so fit.READING_ERROR
#: (2 mAh/g) acts here as the model-error allowance, not as a figure-reading error.
CHI2_KEEP = 3.84


def prior_loadings(prior=LOADING_PRIOR_MG_CM2, quantiles=PRIOR_QUANTILES) -> list[float]:
    """Loadings [mg/cm2] at *quantiles* of the log-uniform *prior*."""
    lo, hi = prior
    return [lo * (hi / lo) ** q for q in quantiles]


def loading_interval(
    prior=LOADING_PRIOR_MG_CM2, quantiles=PRIOR_QUANTILES, interphase: str | None = None
) -> dict:
    """The 0.1-1 C predictions propagated over the loading prior (diffusivity refitted each).

    Returns ``{"loadings", "chi2", "kept", "diffusivity", "coated", "bare"}``; ``coated`` and
    ``bare`` map each C-rate to (median, low, high) [mAh/g] over the kept loadings (the
    median of the prior's quantile grid; low/high its ends). A loading whose refit misses
    the coated 0.1/0.2 C (chi2 > :data:`CHI2_KEEP`) is excluded by the data and counted.
    """
    from ssblab.simulate.fit import RateModel

    model = build(interphase=interphase)
    rates = RateModel(model.cell, RATES_C, {}, REFERENCE_LOADING)
    r = {t: interface_asr_ohm(t) for t in FULL}
    loadings = prior_loadings(prior, quantiles)
    fits = [_refit_at_loading(rates, loading, r) for loading in loadings]
    kept = [f[3] <= CHI2_KEEP for f in fits]
    out = {
        "loadings": loadings,
        "chi2": [f[3] for f in fits],
        "kept": kept,
        "diffusivity": [f[2] for f in fits],
    }
    for name, column in (("coated", 0), ("bare", 1)):
        table = np.array([f[column] for f, k in zip(fits, kept, strict=True) if k])
        out[name] = {
            c: (float(np.median(table[:, i])), float(table[:, i].min()), float(table[:, i].max()))
            for i, c in enumerate(RATES_C)
        }
    return out


def interval_lines(result: dict) -> list[str]:
    """:func:`loading_interval` as text: each loading's fit, then each prediction's interval."""
    lines = [
        f"loading {q:.3g} mg/cm2: D {d:.3g} m2/s, 0.1/0.2 C chi2 {c:.2f} "
        f"({'kept' if k else 'excluded by the fit'})"
        for q, d, c, k in zip(
            result["loadings"], result["diffusivity"], result["chi2"], result["kept"], strict=True
        )
    ]
    for name, t in (("coated", 200), ("bare", 0)):
        for c, (med, lo, hi) in result[name].items():
            paper = reported(STUDY, FULL[t], "rate_specific_capacity", c_rate=c)[0]
            inside = "inside" if lo <= paper <= hi else "outside"
            lines.append(
                f"{name} {c:g} C: {med:.1f} [{lo:.1f}, {hi:.1f}] mAh/g vs {paper:g} ({inside}); "
                f"median error {100.0 * (med / paper - 1.0):+.1f} %"
            )
    return lines


def rate_limits(interphase: str | None = None) -> dict[str, np.ndarray]:
    """What holds the coated cell's rate capacities down: each loss removed in turn [mAh/g].

    ``fitted`` is the case study's model; ``no interphase`` drops the Li-side interphase
    (R -> 1e-3 of its value); ``no diffusion`` multiplies the LiCoO2 diffusivity by 10;
    ``no interphase, no diffusion`` both; ``electrolyte x10`` multiplies the LGPS
    conductivity (separator and composite) by 10, the fitted values kept.
    """
    import copy

    from ssblab.simulate.fit import RateModel

    model = build(interphase=interphase)
    r = interface_asr_ohm(200)
    rates = RateModel(model.cell, RATES_C, {}, REFERENCE_LOADING)
    fitted = dict(model.params)
    fast = {**fitted, "diffusivity": 10.0 * fitted["diffusivity"]}
    out = {
        "fitted": rates.capacities({**fitted, "interphase": r}),
        "no interphase": rates.capacities({**fitted, "interphase": 1e-3 * r}),
        "no diffusion": rates.capacities({**fast, "interphase": r}),
        "no interphase, no diffusion": rates.capacities({**fast, "interphase": 1e-3 * r}),
    }
    cell = copy.copy(model.cell)
    cell.values = model.cell.values.copy()
    key = "Electrolyte conductivity [S.m-1]"
    cell.values[key] = 10.0 * float(model.cell.values[key])
    out["electrolyte x10"] = RateModel(cell, RATES_C, {}, REFERENCE_LOADING).capacities(
        {**fitted, "interphase": r}
    )
    return out


def electrolyte_resistances_ohm(interphase: str | None = None) -> dict[str, float]:
    """Ionic resistances of the built cell [Ω]: the LGPS separator, and the composite.

    The composite's is the electrolyte path through the cathode, ``L / (3 kappa_eff A)``
    with ``kappa_eff = kappa eps^1.5`` (Bruggeman, as the model), at the built loading.
    """
    cell = build(interphase=interphase).cell
    v = cell.values
    kappa = float(v["Electrolyte conductivity [S.m-1]"])
    area = cell.area_cm2 * 1e-4
    eps = float(v["Positive electrode porosity"])
    return {
        "separator": float(v["Separator thickness [m]"]) / (kappa * area),
        "composite": float(v["Positive electrode thickness [m]"]) / (3 * kappa * eps**1.5 * area),
        "interphase": interface_asr_ohm(200),
    }


def utilisation_check(fractions=(0.95, 0.9), loading: float = 1.0) -> list[dict[str, float]]:
    """Could an inactive LiCoO2 fraction, not diffusion, explain the 0.1 C shortfall?

    With a fraction *u* active, the active particles run at C/u and the capacity per total
    mass is u q(C/u) (the Li interphase sees the same current). The diffusivity is refitted
    on the coated 0.1/0.2 C at each u. Returns u, the diffusivity, chi2 and the capacities.
    """
    import math

    from scipy.optimize import minimize_scalar

    from ssblab.simulate.fit import RateModel

    model = build()
    r = interface_asr_ohm(200)
    targets = np.array(
        [reported(STUDY, FULL[200], "rate_specific_capacity", c_rate=c)[0] for c in FIT_RATES]
    )
    out = []
    for u in fractions:
        rates = RateModel(model.cell, tuple(c / u for c in RATES_C), {}, REFERENCE_LOADING)

        def q(log_d: float, u=u, rates=rates) -> np.ndarray:
            p = {"diffusivity": math.exp(log_d), "loading": u * loading, "interphase": r}
            return u * rates.capacities(p)

        def cost(log_d: float, q=q) -> float:
            return float(np.sum((q(log_d)[: len(FIT_RATES)] - targets) ** 2))

        best = minimize_scalar(cost, bounds=(math.log(1e-16), math.log(1e-12)), method="bounded")
        caps = q(best.x)
        out.append(
            {
                "active_fraction": u,
                "diffusivity": math.exp(best.x),
                "chi2": float(best.fun) / READING_ERROR**2,
                **{f"capacity_{c:g}C": float(v) for c, v in zip(RATES_C, caps, strict=True)},
            }
        )
    return out


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


def cv_hold_rate_test(hold_until: str = "C/50") -> dict[str, list[float]]:
    """The coated cell's rate test (0.1/0.2/0.5/1/0.1 C) with and without a CV hold at the
    lower cutoff after each discharge: per-cycle CE and discharge [mAh] (~20 s of PyBaMM).

    Why the case study runs CC both ways (:data:`~ssblab.reproduce.lialo2_fullcell.CC_ONLY_CHOICE`).
    """
    from ssblab.analysis.cycles import cycle_table
    from ssblab.recipe import load_recipe
    from ssblab.reproduce.common import recipe_path
    from ssblab.simulate.fullcell import cell_window, simulate_full

    model = build()
    recipe = load_recipe(recipe_path(FULL[200]))
    low, high = cell_window(recipe)
    out: dict[str, list[float]] = {}
    for hold in (False, True):
        steps: list[str] = []
        for rate in [*RATES_C, RATES_C[0]]:
            hours = 2.0 / rate
            steps += [
                f"Charge at {rate:g} C for {hours:g} hours or until {high:.3f} V",
                f"Discharge at {rate:g} C for {hours:g} hours or until {low:.3f} V",
            ] + ([f"Hold at {low:.3f} V until {hold_until}"] if hold else [])
        run = simulate_full(
            recipe,
            steps,
            series_resistance_ohm=interface_asr_ohm(200),
            inputs=model.inputs(),
            loading_mg_cm2=model.params["loading"],
            interphase=model.cell.interphase,
        )
        table = cycle_table(run, "pairs").table
        key = "hold" if hold else "cc"
        out[f"{key}_ce"] = table.get_column("coulombic_efficiency").to_list()
        out[f"{key}_discharge_mAh"] = [1e3 * q for q in table.get_column("discharge_capacity_Ah")]
    return out


def _predict(model, params: dict[str, float], r_ohm: float) -> np.ndarray:
    from ssblab.simulate.fit import RateModel

    rates = RateModel(model.cell, RATES_C, {}, REFERENCE_LOADING)
    return rates.capacities({**params, "interphase": r_ohm})


if __name__ == "__main__":
    print("\n".join(interval_lines(loading_interval())))
    print(", ".join(f"{k} {v:.2f} Ohm" for k, v in electrolyte_resistances_ohm().items()))
    for row in utilisation_check():
        print(", ".join(f"{k} {v:.3g}" for k, v in row.items()))
    for name, q in rate_limits().items():
        print(f"{name}: " + "/".join(f"{x:.1f}" for x in q) + " mAh/g at 0.1/0.2/0.5/1 C")
    for row in fit_stability():
        print(
            f"start D {row['start_diffusivity']:.3g} m2/s, loading {row['start_loading']:g} "
            f"mg/cm2 -> D {row['fitted_diffusivity']:.4g}, loading {row['fitted_loading']:.3g}; "
            + ", ".join(f"{c:g} C {row[f'error_{c:g}C_percent']:+.1f} %" for c in RATES_C)
        )
