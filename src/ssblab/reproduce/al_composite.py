"""Case study: the Al–LPSC–graphene composite anode at ultralow N/P (Cui et al.).

What ssblab does with the paper's methods section (``examples/al-*.toml``):

1. design and audit both cells (composite and foil): loadings, N/P, areal capacity;
2. simulate the reported protocol (0.25 mA cm-2, 60 °C) with PyBaMM — a full cell whose
   negative electrode is Li-Al with the capacity of the recipe's Al — and the
   long-cycling current density (7 mA cm-2, 1000 cycles by SEI cycle skipping); sweep
   the Al mass across N/P = 1;
3. place the cell on the literature charts (Table S1) and rank its N/P;
4. put every reported number beside ssblab's value.
"""

from __future__ import annotations

import functools

import polars as pl

from ssblab.reproduce.common import CaseStudy, Comparison, recipe_path, reported

STUDY = "al-composite"
CELL = "al-lpsc-composite_ncm622"
FOIL = "al-foil_ncm622"


def _simulate(case: CaseStudy, recipe, density_mA_cm2: float, cycles: int, **build):
    """PyBaMM run at a current density [mA cm-2]; returns (run, per-cycle summary)."""
    from ssblab.analysis.cycles import cycles as summary

    run = _pybamm_run(recipe.model_dump_json(), density_mA_cm2, cycles, tuple(build.items()))
    if not build:
        case.runs.append((f"{recipe.name}: PyBaMM at {density_mA_cm2:g} mA/cm2", run))
    return run, summary(run)


@functools.lru_cache(maxsize=16)
def _pybamm_run(recipe_json: str, density_mA_cm2: float, cycles: int, build: tuple):
    """The PyBaMM run of one recipe and protocol, once per process (deterministic)."""
    from ssblab.recipe import Recipe
    from ssblab.simulate.fullcell import cell_window, cycling_protocol, simulate_full

    recipe = Recipe.model_validate_json(recipe_json)
    current_mA = density_mA_cm2 * recipe.area_cm2
    steps = cycling_protocol(None, cycles, cell_window(recipe), current_mA=current_mA)
    return simulate_full(recipe, steps, **dict(build))


#: Al composite masses of the N/P sweep [mg] (the seed's cell: 10 mg; 14 mg is N/P 1.31, past
#: the issue's 1.2).
SWEEP_MG = (6.0, 8.0, 10.0, 12.0, 14.0)


def _crossover(case: CaseStudy, recipe, np_per_mg: float) -> None:
    """First-charge capacity vs Al mass: anode-limited below the crossover, flat above."""
    charges = []
    for mass in SWEEP_MG:
        _, per_cycle = _simulate(case, recipe, 0.25, 1, anode_mass_mg=mass)
        charges.append(per_cycle["charge_capacity_Ah"][0] * 1000.0 / recipe.area_cm2)
    plateau = charges[-1]
    # the crossover: the lightest anode whose charge is within 1 % of the cathode-limited one
    first = next(m for m, q in zip(SWEEP_MG, charges, strict=True) if q > 0.99 * plateau)
    case.add(
        Comparison(
            "N/P (design) where the cell turns cathode-limited",
            CELL,
            None,
            first * np_per_mg,
            "-",
            "predicted: PyBaMM first charge at 0.25 mA/cm2 for Al composite masses "
            + ", ".join(
                f"{m:g} mg (N/P {m * np_per_mg:.2f}): {q:.2f} mAh/cm2"
                for m, q in zip(SWEEP_MG, charges, strict=True)
            )
            + "; anode-limited below the crossover, flat (cathode-limited) above it",
            "",
            "predicted",
        )
    )


def run() -> CaseStudy:
    """Run the composite-Al case study and return its comparisons, runs and figures."""
    from ssblab.bench.data import anodes
    from ssblab.bench.plot import CellPoint, comparison_figure
    from ssblab.design import design
    from ssblab.recipe import load_recipe

    case = CaseStudy(
        "seed-al-composite",
        "Case study: Al-LPSC-C composite anode | LPSC | NCM622 (Cui et al.)",
        recipes=[recipe_path(CELL), recipe_path(FOIL)],
    )
    recipe = load_recipe(recipe_path(CELL))
    d = design(recipe)
    area = d.area_cm2

    value, source = reported(STUDY, CELL, "cathode_loading")
    case.add(
        Comparison(
            "cathode active loading",
            CELL,
            value,
            d.cathode.active_loading_mg_cm2,
            "mg/cm2",
            "design: 33.6 mg x 0.7 / die area",
            source,
            "design",
        )
    )
    value, source = reported(STUDY, CELL, "np_ratio")
    case.add(
        Comparison(
            "N/P ratio",
            CELL,
            value,
            d.np_ratio,
            "-",
            f"design: Al -> LiAl {d.anode.basis.value_mAh_g:.0f} mAh/g over NCM622 "
            f"{d.cathode.basis.value_mAh_g:.0f} mAh/g (catalog practical value)",
            source,
            "design",
        )
    )
    audit = {a["quantity"]: a for a in d.audit}
    if "np_ratio" in audit and audit["np_ratio"]["basis"]:
        case.notes.append("audit: " + audit["np_ratio"]["note"])
    if "np_ratio vs areal_capacity_mAh_cm2" in audit:
        case.notes.append("audit: " + audit["np_ratio vs areal_capacity_mAh_cm2"]["note"])

    _, low_rate = _simulate(case, recipe, 0.25, 2)
    value, source = reported(STUDY, CELL, "areal_capacity")
    case.add(
        Comparison(
            "areal capacity",
            CELL,
            value,
            low_rate["discharge_capacity_Ah"][0] * 1000.0 / area,
            "mAh/cm2",
            "predicted: PyBaMM SPMe, Li-Al negative over its LiAl window, 1st discharge at "
            "0.25 mA/cm2 (60 °C)",
            source,
            "predicted",
        )
    )
    _, high_rate = _simulate(case, recipe, 7.0, 1)
    case.add(
        Comparison(
            "areal capacity at 7 mA/cm2 (long-cycling rate)",
            CELL,
            None,
            high_rate["discharge_capacity_Ah"][0] * 1000.0 / area,
            "mAh/cm2",
            "predicted: PyBaMM SPMe, 1st cycle at 7 mA/cm2; the paper reports no value",
            "",
            "predicted",
        )
    )
    value, source = reported(STUDY, CELL, "ice")
    ice = 100.0 * low_rate["discharge_capacity_Ah"][0] / low_rate["charge_capacity_Ah"][0]
    case.add(
        Comparison(
            "initial coulombic efficiency",
            CELL,
            value,
            ice,
            "%",
            "calibrated: first-charge LPSC reduction (PyBaMM tunnelling-limited SEI), its "
            "exchange current set on this number (sei_cycling.calibrate_ice, a slow test refits)",
            source,
            "calibrated",
        )
    )
    case.add(
        Comparison(
            "coulombic efficiency, cycle 2 at 0.25 mA/cm2",
            CELL,
            None,
            100.0 * low_rate["discharge_capacity_Ah"][1] / low_rate["charge_capacity_Ah"][1],
            "%",
            "predicted: the same self-limiting interphase after its first charge",
            "",
            "predicted",
        )
    )
    _long_cycling(case, recipe)
    _crossover(case, recipe, d.np_ratio / recipe.anode.total_mass_mg)

    table = anodes(include_user=False)
    lower = int(table.filter(pl.col("np_ratio") < d.np_ratio).height) + 1
    case.add(
        Comparison(
            "N/P rank among Table S1 anodes (1 = lowest)",
            CELL,
            1.0,
            float(lower),
            "rank",
            "ssblab's design N/P ranked against the 15 rows of Table S1",
            "Cui et al. SI, Supplementary Table 1",
            "design",
        )
    )
    foil = design(load_recipe(recipe_path(FOIL)))
    case.add(
        Comparison(
            "N/P ratio (Al foil control)",
            FOIL,
            None,
            foil.np_ratio,
            "-",
            "design: 10 mg Al foil on the LiAl basis; the paper gives no value",
            "",
            "design",
        )
    )
    deliverable = low_rate["discharge_capacity_Ah"][0] * 1000.0 / area
    mark = CellPoint(f"{recipe.name} (ssblab)", d.np_ratio, deliverable, None, 0.25)
    for chart in ("np-capacity", "capacity-cycles"):
        case.figures[f"bench_{chart}"] = comparison_figure(table, chart, mark)
    _atomistic(case)
    return case


#: The seed's long cycling, its protocol as an input (Table S1: 1000 cycles at 7 mA/cm2, 60 °C),
#: and the cycle at which the cycle skipping is checked against PyBaMM stepping every cycle.
LONG_DENSITY_MA_CM2, LONG_CYCLES, CHECK_CYCLE = 7.0, 1000, 100


def _long_cycling(case: CaseStudy, recipe) -> None:
    """The seed's long cycling by SEI cycle skipping, checked against PyBaMM at one cycle."""
    from ssblab.simulate.fullcell import build_cell
    from ssblab.simulate.sei_cycling import direct_cycles, sei_response, walk_sei

    cycles, source = reported(STUDY, CELL, "long_cycles", current_density_mA_cm2=7.0)
    n = LONG_CYCLES
    cell = build_cell(recipe)
    current = LONG_DENSITY_MA_CM2 * cell.area_cm2
    response = sei_response(cell, current, n)
    table = walk_sei(response, n)
    q = table["discharge_mAh_g"]
    direct = direct_cycles(cell, current, CHECK_CYCLE, [CHECK_CYCLE])[CHECK_CYCLE][0]
    skip_error = 100.0 * (float(q[CHECK_CYCLE - 1]) / direct - 1.0)
    how = (
        f"SEI cycle skipping ({response.thickness_m.size} PyBaMM cycles solved, "
        f"simulate/sei_cycling.py); at cycle {CHECK_CYCLE} {float(q[CHECK_CYCLE - 1]):.1f} vs "
        f"{direct:.1f} mAh/g with PyBaMM stepping every cycle ({skip_error:+.1f} %)"
    )
    case.add(
        Comparison(
            f"cycles at {LONG_DENSITY_MA_CM2:g} mA/cm2",
            CELL,
            cycles,
            float(table.height),
            "cycles",
            f"input: the seed's protocol (60 °C, {recipe.voltage_window_V} V window as "
            f"{cell.window_V[0]:g}-{cell.window_V[1]:g} V), run by " + how,
            source,
            "input",
        )
    )
    kept = 100.0 * float(q[n - 1]) / float(q[0])
    case.add(
        Comparison(
            f"capacity retention after {n} cycles at {LONG_DENSITY_MA_CM2:g} mA/cm2",
            CELL,
            None,
            kept,
            "%",
            "predicted: the same tunnelling-limited SEI whose rate was set on the ICE keeps "
            f"growing ({float(table['sei_thickness_m'][0]) * 1e9:.0f} -> "
            f"{float(table['sei_thickness_m'][n - 1]) * 1e9:.0f} nm, Li lost to it); its "
            "self-limiting barrier factor is assumed, and halving or doubling it (the ICE "
            "refitted) moves this number by about 30 points ('python -m "
            "ssblab.reproduce.al_composite'): it is as good as that assumption. The seed's SI "
            "states the cycle count only (no retention in its text)",
            "",
            "predicted",
        )
    )


#: Tunnelling barrier factors of :func:`barrier_sensitivity` [1/m] (the shipped one: 1e7).
BARRIERS = (5e6, 1e7, 2e7)


def barrier_sensitivity(barriers=BARRIERS, cycles: int = LONG_CYCLES) -> list[dict[str, float]]:
    """The 1000-cycle retention for other (assumed) SEI barrier factors, ICE refitted each time.

    The ICE fixes only one of the SEI law's two constants; the barrier factor, which sets
    how fast the growth self-limits, is assumed. This shows how much of the predicted
    retention is that assumption (about 80 s of PyBaMM).
    """
    from ssblab.recipe import load_recipe
    from ssblab.simulate.fullcell import build_cell
    from ssblab.simulate.sei_cycling import alloy_long_cycling, calibrate_ice

    recipe = load_recipe(recipe_path(CELL))
    ice, _ = reported(STUDY, CELL, "ice")
    out = []
    for barrier in barriers:
        cell = build_cell(recipe)
        cell.values.update({"Tunneling barrier factor [m-1]": barrier})
        j0 = calibrate_ice(cell, 0.25 * cell.area_cm2, ice, bounds=(0.1, 1e6), steps=10)
        cell.values.update({"SEI reaction exchange current density [A.m-2]": j0})
        q = alloy_long_cycling(cell, LONG_DENSITY_MA_CM2 * cell.area_cm2, cycles)["discharge_mAh_g"]
        out.append(
            {"barrier_m": barrier, "sei_j0_A_m2": j0, "retention_percent": 100 * q[-1] / q[0]}
        )
    return out


def _atomistic(case: CaseStudy) -> None:
    """Point to the CHGNet binding energies (Fig. S14): minutes of CPU, so not run here."""
    case.notes.append(
        "binding energies and Li migration barriers (Fig. S14-S15): computed with CHGNet by "
        "'ssblab atoms seed binding' and 'ssblab atoms seed migration' (minutes on a CPU; "
        "the seed shows its DFT values only as figures)"
    )


if __name__ == "__main__":
    for row in barrier_sensitivity():
        print(
            f"SEI barrier {row['barrier_m']:.3g} 1/m: j0 {row['sei_j0_A_m2']:.4g} A/m2 "
            "(ICE 84.7 %), "
            f"retention after {LONG_CYCLES} cycles at {LONG_DENSITY_MA_CM2:g} mA/cm2 "
            f"{row['retention_percent']:.1f} %"
        )
