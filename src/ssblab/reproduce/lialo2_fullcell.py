"""The LiAlO2 seed's LiCoO2 full cells: calibrate once, predict the rest.

The chain, each number marked as the role it plays:

* **input** — the Li-side interphase of each anode, from the seed's own three-electrode
  cells at cycle 100 (Fig. 3b, c): the mean of the plating and stripping overpotentials
  over 0.1 mA/cm2 is an area-specific resistance, taken as the full cell's starting
  interphase (``R = ASR / area``). By default (:data:`INTERPHASE` ``"kinetic"``) it is
  Butler–Volmer kinetics on the Li electrode, ``eta = (2RT/F) asinh(i / 2 i0)``, with the
  i0 that gives the measured overpotential at the measured 0.1 mA/cm2 (all of it kinetic,
  an assumption: the seed gives no split of this dc overpotential into film and
  charge transfer); ``"ohmic"`` is the other limit, a linear contact resistance;
* **calibrated** — on the coated cell's 0.1 and 0.2 C capacities (Fig. 4b), with PyBOP:
  the LiCoO2 diffusivity and the cathode loading (the paper gives no cathode mass);
  and the interphase's parabolic growth rate on the coated cell's 95 % retention after
  800 cycles at 1 C (Fig. 5d);
* **predicted** — the coated cell's 0.5 and 1 C capacities; the bare cell's whole rate
  test, from the same parameters with only its interphase changed (its own measured
  ASR; its growth set by the seed's EIS ratio bare/coated after 50 cycles, an input);
  the energy efficiency after 50 cycles at 0.1 C of both; the bare cell's 800-cycle
  retention (the paper: rapid decay, no number).

:data:`CALIBRATED` holds the PyBOP result (:func:`calibrate_rate`) so that the case
study does not refit on every run; a slow test refits and compares.
"""

from __future__ import annotations

from ssblab.reproduce.common import CaseStudy, Comparison, recipe_path, reported
from ssblab.reproduce.lialo2_fullcell_model import (  # noqa: F401 (the names lialo2.py and the bench use)
    CALIBRATED,
    CALIBRATED_SIGMA,
    FIT_RATES,
    FULL,
    INTERPHASE,
    LOADING_INTERVAL,
    RATES_C,
    REFERENCE_LOADING,
    RESPONSE_POINTS,
    STUDY,
    SYMMETRIC,
    TOLERANCE_PERCENT,
    FullCellModel,
    bare_law,
    build,
    calibrate_rate,
    eis_disagreement,
    growth_for_retention,
    interface_asr_ohm,
)


def add_rows(case: CaseStudy, interphase: str | None = None) -> None:
    """Every full-cell number of the seed beside the model's, with its role and error."""
    from ssblab.simulate.cycling import solver_log, solver_note

    with solver_log() as log:  # this study's solves only
        model, r_int = _solved_rows(case, interphase)
    solver = solver_note(log.lines, "full cells")
    case.notes.append(solver or "full cells: SUNDIALS IDA wrote no error line")
    kind = interphase or INTERPHASE
    sigma = CALIBRATED_SIGMA[kind]
    case.notes.append(
        "full cells: Li-side interphase "
        + (
            "Butler-Volmer, i0 from the measured overpotential at 0.1 mA/cm2 (all of it "
            "kinetic, assumed; the linear limit is compare_interphases()). Caveat: the seed's "
            "symmetric rate test (Fig. 4a, 0.25-1 mA/cm2) grows faster than linear, not "
            "sub-linearly, above the full cells' <= 0.14 mA/cm2"
            if kind == "kinetic"
            else "a linear resistance (all of it ohmic, assumed)"
        )
    )
    case.notes.append(
        f"full cells: interphase inputs {r_int[200]:.0f} Ohm (LiAlO2) "
        f"and {r_int[0]:.0f} Ohm (bare) from the seed's three-electrode "
        f"ASR; fitted LCO diffusivity {model.params['diffusivity']:.3g} m2/s (x/÷ "
        f"{sigma['diffusivity']:.2g}) and loading {model.params['loading']:.3g} "
        f"mg/cm2 (x/÷ {sigma['loading']:.2g}: only loading x R is identifiable)"
    )


def _solved_rows(case: CaseStudy, interphase: str | None) -> tuple[FullCellModel, dict[int, float]]:
    """The rows :func:`add_rows` solves the model for; the model and the interphase inputs
    [Ohm] by anode thickness [nm]."""
    from ssblab.simulate.fade import Interphase, cycle_response, retention, walk

    model = build(interphase=interphase)
    scale = model.loading_scale()
    r_int = {t: interface_asr_ohm(t) for t in FULL}  # physical [Ohm]
    # the model is built at the reference loading: its contact resistance is R x L / L_ref
    r_eff = {t: r * model.loading_scale() for t, r in r_int.items()}
    fit_method = "calibrated (PyBOP, diffusivity + loading on 0.1/0.2 C of the coated cell)"
    for thickness, stem in FULL.items():
        capacities = model.rate(r_int[thickness])
        for rate, value in zip(RATES_C, capacities, strict=True):
            measured, source = reported(STUDY, stem, "rate_specific_capacity", c_rate=rate)
            role = "calibrated" if thickness and rate in FIT_RATES else "predicted"
            how = (
                fit_method
                if role == "calibrated"
                else "predicted: same parameters, this anode's interphase (its three-electrode ASR)"
                + _prior_text(thickness, rate, measured, interphase)
            )
            case.add(
                Comparison(
                    f"discharge capacity at {rate:g} C",
                    stem,
                    measured,
                    float(value),
                    "mAh/g",
                    how,
                    source,
                    role,
                )
            )
        measured, source = reported(STUDY, stem, "rate_recovery_specific_capacity", c_rate=0.1)
        case.add(
            Comparison(
                "capacity back at 0.1 C",
                stem,
                measured,
                float(capacities[0]),
                "mAh/g",
                "predicted: interphase held during the rate test "
                "(no growth within it), so recovery is to the first 0.1 C",
                source,
                "predicted",
            )
        )
    _runs(case, model, r_int)
    # long cycling at 1 C: one response over the resistance both anodes reach
    r_lo, r_hi = r_eff[200] * 0.8, r_eff[0] * 4.0
    fast = cycle_response(
        model.cell, 1.0, r_lo, r_hi, model.inputs(), points=RESPONSE_POINTS, scale=scale
    )
    measured_ret, source_ret = reported(STUDY, FULL[200], "capacity_retention", cycle=800)
    growth = growth_for_retention(fast, r_eff[200], measured_ret, 800)
    slow = cycle_response(
        model.cell, 0.1, r_lo, r_hi, model.inputs(), points=RESPONSE_POINTS, scale=scale
    )
    laws = {200: Interphase(r_eff[200], growth)}
    laws[0], eis_ratio = bare_law(slow, laws[200], r_eff[0])
    runs = {t: walk(fast, laws[t], 800) for t in FULL}
    case.add(
        Comparison(
            "capacity retention after 800 cycles at 1 C",
            FULL[200],
            measured_ret,
            retention(runs[200], 800),
            "%",
            f"calibrated: parabolic interphase growth g = {growth:.4g} /sqrt(h) "
            "(Wenzel 2016 sqrt(t) law) on this number",
            source_ret,
            "calibrated",
        )
    )
    case.add(
        Comparison(
            "capacity retention after 800 cycles at 1 C",
            FULL[0],
            None,
            retention(runs[0], 800),
            "%",
            f"predicted: bare interphase, growth {laws[0].growth_per_sqrt_h:.4g} /sqrt(h) from the "
            f"seed's EIS ratio after 50 cycles ({eis_ratio:.2f}); the paper shows rapid decay "
            "(no number)",
            "",
            "predicted",
        )
    )
    value, source = reported(STUDY, FULL[200], "reversible_specific_capacity", cycle=800)
    case.add(
        Comparison(
            "reversible capacity, cycle 800 at 1 C",
            FULL[200],
            value,
            float(runs[200]["discharge_mAh_g"][799]),
            "mAh/g",
            "predicted: 1 C capacity x the calibrated retention",
            source,
            "predicted",
        )
    )
    for thickness, stem in FULL.items():
        table = walk(slow, laws[thickness], 50)
        value, source = reported(STUDY, stem, "energy_efficiency", cycle=50)
        case.add(
            Comparison(
                "energy efficiency, cycle 50 at 0.1 C",
                stem,
                value,
                100.0 * float(table["energy_efficiency"][49]),
                "%",
                "predicted: interphase after 50 cycles of its growth (bare: growth from the "
                "EIS ratio at this very cycle, an input)",
                source,
                "predicted",
            )
        )
        if thickness:
            value, source = reported(STUDY, stem, "reversible_specific_capacity", cycle=50)
            case.add(
                Comparison(
                    "reversible capacity, cycle 50 at 0.1 C",
                    stem,
                    value,
                    float(table["discharge_mAh_g"][49]),
                    "mAh/g",
                    "predicted: 0.1 C capacity after 50 cycles of growth",
                    source,
                    "predicted",
                )
            )
    _direction_rows(case, slow, laws, runs)
    case.notes.append(
        "full cells: the cathode loading is not identifiable from 0.1/0.2 C; over a "
        "log-uniform 1-30 mg/cm2 prior (diffusivity refitted at each) the coated 1 C stays "
        "65.7-70.3 mAh/g (78 outside: the miss is the LiCoO2 diffusion-limited shape, not the "
        "loading), the bare cell's predictions move several-fold; "
        "'python -m ssblab.reproduce.lialo2_sensitivity' prints the profile"
    )
    return model, r_int


def _prior_text(thickness: int, rate: float, measured: float, interphase: str | None) -> str:
    """The row's interval over the loading prior (:data:`LOADING_INTERVAL`), as text."""
    key = (thickness, rate)
    if key not in LOADING_INTERVAL or (interphase or INTERPHASE) != INTERPHASE:
        return ""
    median, low, high = LOADING_INTERVAL[key]
    inside = "inside" if low <= measured <= high else "outside"
    return (
        f"; over the loading prior 1-30 mg/cm2 (diffusivity refitted at each): {median:.1f} "
        f"[{low:.1f}, {high:.1f}] mAh/g, median error {100.0 * (median / measured - 1.0):+.1f} %, "
        f"the paper's {measured:g} {inside}"
    )


#: Read-off precision of the seed's energy efficiencies [points]: both are numbers in its text
#: (96.6 and 83.6 %), so half their last digit.
EE_READING_POINTS = 0.05
#: The earlier, assumed +-10 % on each interphase R (shown beside the measured one).
ASSUMED_SPREAD = 0.10
#: "Rapid decay" of the bare cell read as a retention below the usual 80 % end of life.
END_OF_LIFE_PERCENT = 80.0


def _direction_rows(case: CaseStudy, slow, laws: dict, runs: dict) -> None:
    """Coated vs bare: the paper's direction, and |error| against a tolerance derived here.

    The tolerance of an energy efficiency is how far it moves when that cell's interphase
    resistance moves by the measured disagreement of its input (the coated interphase at
    cycle 50 as the model has it vs the seed's EIS, :func:`eis_disagreement`), plus the
    seed's read-off precision (:data:`EE_READING_POINTS`): a prediction within it is as good
    as its inputs allow. The row also gives the old assumed +-10 % for comparison. (The
    plating/stripping asymmetry is no bound on the EE: a cycle crosses both, and their sum
    is what the mean R keeps.)
    """
    from ssblab.simulate.fade import retention, walk

    def ee(law) -> float:
        return 100.0 * float(walk(slow, law, 50)["energy_efficiency"][49])

    r_model, r_eis, delta = eis_disagreement(slow, laws[200])
    model = {t: ee(laws[t]) for t in FULL}

    def tolerance(t: int, d: float) -> float:
        shifts = (abs(ee(laws[t].scaled(f)) - model[t]) for f in (1.0 - d, 1.0 + d))
        return EE_READING_POINTS + max(shifts)

    tol = {t: tolerance(t, delta) for t in FULL}
    old_gap_tol = tolerance(200, ASSUMED_SPREAD) + tolerance(0, ASSUMED_SPREAD)
    paper = {t: reported(STUDY, FULL[t], "energy_efficiency", cycle=50)[0] for t in FULL}
    within = {t: abs(model[t] - paper[t]) <= tol[t] for t in FULL}
    gap_tol = tol[200] + tol[0]
    gap, gap_paper = model[200] - model[0], paper[200] - paper[0]
    case.add(
        Comparison(
            "energy efficiency, coated minus bare, cycle 50 at 0.1 C",
            FULL[200],
            gap_paper,
            gap,
            "points",
            f"predicted: direction {'reproduced' if gap > 0 else 'NOT reproduced'} (coated > "
            f"bare); |error| {abs(gap - gap_paper):.1f} vs tolerance {gap_tol:.1f} points "
            f"({'within' if abs(gap - gap_paper) <= gap_tol else 'outside'}); each cell: "
            + "; ".join(
                f"{'coated' if t else 'bare'} |{model[t] - paper[t]:+.1f}| vs {tol[t]:.1f} "
                f"({'within' if within[t] else 'outside'})"
                for t in (200, 0)
            )
            + f". Tolerance: the EE shift when that cell's interphase R moves by +-{delta:.0%}, "
            f"the measured disagreement of the coated interphase at cycle 50 (model "
            f"{r_model:.0f} Ohm dc vs the seed's EIS R_b + R_ct {r_eis:.0f} Ohm), + "
            f"{EE_READING_POINTS:g} reading of the seed's text value, added for the gap "
            f"(with an assumed +-{ASSUMED_SPREAD:.0%} instead: {old_gap_tol:.1f}, "
            f"{'within' if abs(gap - gap_paper) <= old_gap_tol else 'outside'}); the model "
            "has no loss but IR and diffusion (no OCP hysteresis), so the coated EE is an "
            "upper bound",
            "LiAlO2 seed, energy efficiency at cycle 50 (both cells)",
            "predicted",
            tolerance=gap_tol,
        )
    )
    kept = {t: retention(runs[t], 800) for t in FULL}
    direction = kept[200] > kept[0] and kept[0] < END_OF_LIFE_PERCENT
    case.add(
        Comparison(
            "capacity retention after 800 cycles at 1 C, coated minus bare",
            FULL[200],
            None,
            kept[200] - kept[0],
            "points",
            f"predicted (bare) against calibrated (coated): direction "
            f"{'reproduced' if direction else 'NOT reproduced'} (coated > bare, bare "
            f"{kept[0]:.0f} % below {END_OF_LIFE_PERCENT:.0f} %, the 'rapid decay' read as "
            "past end of life); the paper gives no bare number, so the direction is the test",
            "",
            "predicted",
        )
    )


#: Why the rate tests run CC both ways; the numbers are
#: :func:`ssblab.reproduce.lialo2_sensitivity.cv_hold_rate_test` (a slow test checks them).
CC_ONLY_CHOICE = (
    "rate tests: constant current both ways, no CV hold, because the seed names none (LAND "
    "CT-2001A, C-rates only); so the last 0.1 C cycle gives back what the 1 C discharge left "
    "(CE 1.198 coated / 1.169 bare, flagged ce_carry_over). A hold at 3.0 V to C/50 after "
    "each discharge would make the CEs 0.960/0.996/1.005/1.008/0.995, but it would add 26 % "
    "to the 1 C discharge (0.067 vs 0.053 mAh), a capacity the seed's rate numbers do not describe"
)


def _runs(case: CaseStudy, model: FullCellModel, r_int: dict[int, float]) -> None:
    """The rate tests as canonical tables (fitted loading and diffusivity) for the report."""
    from ssblab.analysis.cycles import cycles
    from ssblab.recipe import load_recipe
    from ssblab.simulate.fullcell import cell_window, rate_protocol, simulate_full

    for thickness, stem in FULL.items():
        recipe = load_recipe(recipe_path(stem))
        steps = rate_protocol([*RATES_C, RATES_C[0]], 1, cell_window(recipe))
        run = simulate_full(
            recipe,
            steps,
            series_resistance_ohm=r_int[thickness],  # through the model's interface
            inputs=model.inputs(),
            loading_mg_cm2=model.params["loading"],
            interphase=model.cell.interphase,
        )
        case.runs.append((f"{recipe.name} rate test (PyBaMM, calibrated)", run))
        if thickness:
            case.notes.append(CC_ONLY_CHOICE)
            table = cycles(run)["discharge_capacity_Ah"].to_list()[: len(RATES_C)]
            exact = [q * 1e3 / run.meta.active_mass_g for q in table]
            fitted = model.rate(r_int[thickness])
            gap = max(abs(a - b) for a, b in zip(exact, fitted, strict=True))
            case.notes.append(
                "coated rate test at the fitted loading itself, one continuous test: "
                + "/".join(f"{q:.1f}" for q in exact)
                + " mAh/g vs the fit's rate model (reference loading, the fitted loading as "
                f"its I R) {'/'.join(f'{q:.1f}' for q in fitted)}: up to "
                f"{gap:.1f} mAh/g apart"
            )


if __name__ == "__main__":
    from ssblab.reproduce.lialo2_sensitivity import compare_interphases, loading_sensitivity

    print("\n".join(compare_interphases()))
    print("\n".join(loading_sensitivity()))
