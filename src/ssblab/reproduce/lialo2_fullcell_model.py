"""The LiAlO2 seed's LiCoO2 full cells, first stage: the inputs and the calibration.

The Li-side interphase of each anode from the seed's three-electrode cells
(:func:`interface_asr_ohm`, an input), the coated cell built at a reference loading
(:func:`build`), the PyBOP fit on its 0.1/0.2 C capacities (:func:`calibrate_rate`,
stored in :data:`CALIBRATED`) and the growth laws (:func:`growth_for_retention`,
:func:`bare_law`). :mod:`ssblab.reproduce.lialo2_fullcell` turns them into the case
study's rows; :mod:`ssblab.reproduce.lialo2_sensitivity` varies them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ssblab.reproduce.common import recipe_path, reported
from ssblab.simulate.fullcell import DEFAULT_INTERPHASE

STUDY = "lialo2"
FULL = {0: "li-bare_lgps_lco", 200: "li-lialo2-200nm_lgps_lco"}
SYMMETRIC = {0: "sym-li-bare_lgps", 200: "sym-li-lialo2-200nm_lgps"}
RATES_C = (0.1, 0.2, 0.5, 1.0)
FIT_RATES = (0.1, 0.2)
#: Reference loading of the built model [mg/cm2] (the fitted loading acts through I R).
REFERENCE_LOADING = 10.0
#: PyBOP fit on the coated cell's 0.1/0.2 C capacities (``ssblab calibrate`` reproduces it).
#: Li-side interphase model: "ohmic" (a linear resistance), "kinetic" (Butler-Volmer with
#: the i0 that reproduces the measured overpotential at 0.1 mA/cm2; fade.interface_inputs) or
#: "small-signal" (i0 = RT/(F R A): it under-returns the measured overpotential, shown only).
INTERPHASE = DEFAULT_INTERPHASE
CALIBRATED = {
    "ohmic": {"diffusivity": 1.413e-15, "loading": 1.0000},
    "kinetic": {"diffusivity": 1.484e-15, "loading": 1.0002},
    "small-signal": {"diffusivity": 1.400e-15, "loading": 0.9999},
}
#: 1-sigma factors of that fit (log-normal): the loading is bounded above, not pinned.
CALIBRATED_SIGMA = {
    "ohmic": {"diffusivity": 3.1, "loading": 4900.0},
    "kinetic": {"diffusivity": 4.9, "loading": 860.0},
    "small-signal": {"diffusivity": 2.1, "loading": 160.0},
}
#: The predictions over the cathode-loading prior (log-uniform 1-30 mg/cm2, the diffusivity
#: refitted on 0.1/0.2 C at its 0/25/50/75/100 % quantiles; 30 mg/cm2 misses 0.1/0.2 C,
#: chi2 19, and is dropped): (thickness, C-rate) -> (median, low, high) [mAh/g], from
#: ``lialo2_sensitivity.loading_interval()`` (Butler-Volmer interface; a slow test recomputes).
LOADING_INTERVAL = {
    (200, 0.5): (87.1, 86.4, 91.3),
    (200, 1.0): (66.6, 65.7, 70.3),
    (0, 0.1): (93.0, 78.4, 103.1),
    (0, 0.2): (74.7, 40.3, 85.8),
    (0, 0.5): (34.4, 9.4, 58.9),
    (0, 1.0): (8.9, 4.3, 37.0),
}
#: Time of the symmetric-cell measurement the ASR comes from (cycle 100 of 2 h cycles) [h].
ASR_TIME_H = 200.0
#: Resistance grid of the cycling responses (log-spaced over 0.8 R_coated .. 4 R_bare: steps
#: of ~25 %, fine enough for the capacity's fall with R; the bare cell reaches 1.3 R_bare).
RESPONSE_POINTS = 12
#: Tolerance on the predicted capacities (the must-show of the issue) [%].
TOLERANCE_PERCENT = 15.0


def interface_asr_ohm(thickness_nm: int) -> float:
    """Li-side interphase of one anode [Ω]: mean plating/stripping overpotential / current."""
    from ssblab.recipe import load_recipe

    stem = SYMMETRIC[thickness_nm]
    plating, _ = reported(STUDY, stem, "plating_overpotential", cycle=100)
    stripping, _ = reported(STUDY, stem, "stripping_overpotential", cycle=100)
    area = load_recipe(recipe_path(stem)).area_cm2
    asr_ohm_cm2 = (plating + stripping) / 2.0 / 0.1  # mV / (mA/cm2) = Ohm cm2
    return asr_ohm_cm2 / area


def eis_disagreement(slow, coated) -> tuple[float, float, float]:
    """The coated interphase at cycle 50 two ways [Ω]: the model's and the seed's EIS.

    The model's is the three-electrode dc ASR grown by the calibrated law over 50 cycles
    at 0.1 C (*slow* response, *coated* law); the EIS one is the full cell's own
    R_b + R_ct after 50 cycles (Fig. S4). Returns (model, EIS, |1 - EIS/model|). Part of
    the gap may be dc vs small-signal (EIS gives slopes; the model's R is eta / i at
    0.1 mA/cm2) and the EIS holds the cathode side too: it is the input's measured
    disagreement, not a split of it.
    """
    from ssblab.simulate.fade import walk

    t50 = float(walk(slow, coated, 50)["time_h"][49])
    model = interface_asr_ohm(200) * float(coated.resistance(t50)) / coated.r0_ohm
    eis = sum(reported(STUDY, FULL[200], q, cycle=50)[0] for q in ("R_b", "R_ct"))
    return model, eis, abs(1.0 - eis / model)


@dataclass
class FullCellModel:
    """The built coated-cell model and the fitted parameters."""

    cell: object
    params: dict[str, float]
    _rate_model: object = None

    def rate(self, interphase_ohm: float) -> np.ndarray:
        """Rate capacities [mAh/g] at :data:`RATES_C` with the given interphase."""
        from ssblab.simulate.fit import RateModel

        if self._rate_model is None:
            self._rate_model = RateModel(self.cell, RATES_C, {}, REFERENCE_LOADING)
        return self._rate_model.capacities({**self.params, "interphase": interphase_ohm})

    def inputs(self) -> dict[str, float]:
        """PyBaMM inputs without the contact resistance."""
        return {"Positive particle diffusivity [m2.s-1]": self.params["diffusivity"]}

    def loading_scale(self) -> float:
        """Factor on R for the fitted loading (see :mod:`ssblab.simulate.fit`)."""
        return self.params["loading"] / REFERENCE_LOADING


def build(params: dict[str, float] | None = None, interphase: str | None = None) -> FullCellModel:
    """The coated LiCoO2 cell as a PyBaMM model at the reference loading."""
    from ssblab.recipe import load_recipe
    from ssblab.simulate.fullcell import build_cell

    recipe = load_recipe(recipe_path(FULL[200]))
    kind = interphase or INTERPHASE
    cell = build_cell(recipe, loading_mg_cm2=REFERENCE_LOADING, interphase=kind)
    return FullCellModel(cell, dict(params or CALIBRATED[kind]))


def calibrate_rate(
    max_iterations: int = 80, interphase: str | None = None, start: dict | None = None
):
    """Refit the diffusivity and loading on the coated cell's 0.1 and 0.2 C (PyBOP).

    *start* is the optimiser's starting point (default 1.5e-15 m2/s, 1 mg/cm2)."""
    from ssblab.simulate.fit import Target, calibrate

    model = build(interphase=interphase)
    targets = [
        Target(r, reported(STUDY, FULL[200], "rate_specific_capacity", c_rate=r)[0])
        for r in FIT_RATES
    ]
    return calibrate(
        model.cell,
        targets,
        ["diffusivity", "loading"],
        start or {"diffusivity": 1.5e-15, "loading": 1.0},
        fixed={"interphase": interface_asr_ohm(200), "loading": REFERENCE_LOADING},
        max_iterations=max_iterations,
    )


def growth_for_retention(response, r0: float, target_percent: float, cycles: int) -> float:
    """Parabolic growth rate [1/sqrt(h)] that gives *target_percent* after *cycles* (bisection)."""
    from ssblab.simulate.fade import Interphase, walk
    from ssblab.simulate.fade import retention as kept

    def retention(g: float) -> float:
        return kept(walk(response, Interphase(r0, g), cycles), cycles)

    low, high = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if retention(mid) > target_percent else (low, mid)
    return 0.5 * (low + high)


def bare_law(slow, coated, r0_bare: float):
    """The bare interphase's growth, from the seed's EIS after 50 cycles at 0.1 C (input).

    The measured (R_b + R_ct) ratio bare/coated at cycle 50 fixes the bare cell's
    resistance at that time relative to the coated cell's; with its own starting ASR,
    that gives its parabolic growth rate. Returns (law, the EIS ratio).
    """
    from ssblab.simulate.fade import Interphase, walk

    ratio = sum(reported(STUDY, FULL[0], q, cycle=50)[0] for q in ("R_b", "R_ct")) / sum(
        reported(STUDY, FULL[200], q, cycle=50)[0] for q in ("R_b", "R_ct")
    )
    t50 = float(walk(slow, coated, 50)["time_h"][49])
    target = ratio * float(coated.resistance(t50))
    growth = max((target / r0_bare - 1.0) / t50**0.5, 0.0)
    return Interphase(r0_bare, growth), ratio
