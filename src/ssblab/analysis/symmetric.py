"""Li‖Li symmetric cells: overpotential per half-cycle, failure, lifetime, ASR and CCD.

All functions are pure: a canonical table (measured or simulated) goes in, a
Polars frame or a small dataclass comes out. The data flow is

    table ──> :func:`half_cycle_overpotentials` (one row per plating/stripping half-cycle)
          ──> :func:`detect_failure` (time, mode and the criterion that fired)
          ──> :func:`lifetime_table` (several cells), :func:`rate_overpotentials`,
              :func:`area_specific_resistance`, :func:`critical_current_density`

one module per step (``symmetric_halfcycles``, ``symmetric_failure``,
``symmetric_rate``; plausibility checks in ``symmetric_checks``), all re-exported
here, which is the import path to use.

Definitions
-----------
* **overpotential** of a half-cycle: the median of ``|V|`` over the middle of the
  half-cycle (records between 25 % and 75 % of its duration; all its records when
  that window holds none) [mV]. A Li‖Li cell has zero open-circuit voltage, so
  ``|V|`` is the total polarisation of both electrodes and the electrolyte.
* **peak** overpotential: the largest ``|V|`` in the half-cycle [mV].
* **noise**: the relative spread of ``|V|`` in the middle window,
  (P90 − P10) / median — large for the erratic voltage of a soft short.

The failure rule (one rule for measured and simulated tables)
-------------------------------------------------------------
* **short**: voltage collapse — a half-cycle whose peak ``|V|`` stays below
  ``hard_short_mV`` (hard short), or whose plateau resistance ``|V|/|I|`` falls
  below ``collapse_fraction`` of its recent median, or whose plateau is noisy
  (soft short);
* **divergence**: the plateau overpotential above the stated bound
  :data:`DIVERGENCE_BOUND_MV` (1 V for long cycling; a rate test states its own
  bound, :data:`RATE_TEST_BOUND_MV`).

The failure time is the start of the first failed half-cycle. The symmetric-cell
model (:mod:`ssblab.simulate.symmetric`) applies the same bounds to its
half-cycle plateaus, so ``simulate``, ``symmetric``, ``calibrate``, ``reproduce``
and the report give one lifetime and one failure mode per cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ssblab.analysis.symmetric_failure import (
    DIVERGENCE_BOUND_MV,
    RATE_TEST_BOUND_MV,
    Failure,
    FailureCriteria,
    detect_failure,
)
from ssblab.analysis.symmetric_halfcycles import HALF_CYCLE_KEYS, half_cycle_overpotentials
from ssblab.analysis.symmetric_rate import (
    AreaSpecificResistance,
    area_specific_resistance,
    critical_current_density,
    rate_overpotentials,
)
from ssblab.schema import Run


def lifetime_table(
    runs: Mapping[str, Run | pl.DataFrame], criteria: FailureCriteria | None = None
) -> pl.DataFrame:
    """Failure time, mode and mean overpotential of each cell in *runs*.

    Returns
    -------
    DataFrame
        ``cell``, ``failure_time_h`` (null: no failure; then ``tested_h`` is a lower
        bound of the lifetime), ``failure_mode``, ``criterion``,
        ``mean_overpotential_mV`` (before failure), ``tested_h`` and ``n_half_cycles``.
    """
    rows = []
    for name, run in runs.items():
        hc = half_cycle_overpotentials(run)
        failure = detect_failure(hc, criteria)
        before = (
            hc
            if failure.half_cycle is None
            else hc.filter(pl.col("half_cycle") < failure.half_cycle)
        )
        mean = before.get_column("overpotential_mV").mean() if before.height else None
        rows.append(
            {
                "cell": name,
                "failure_time_h": failure.time_h,
                "failure_mode": failure.mode,
                "criterion": failure.criterion,
                "mean_overpotential_mV": mean,
                "tested_h": float(hc.get_column("end_h").max()),
                "n_half_cycles": hc.height,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"failure_time_h": pl.Float64})


# The plausibility checks live in their own module; re-exported here (one import path).
from ssblab.analysis.symmetric_checks import (  # noqa: E402
    ASR_MAX_OHM_CM2,
    ONE_WAY_VOLTAGE_MAX_V,
    REST_VOLTAGE_MAX_V,
    SIGN_AGREEMENT_MIN,
    check_asr,
    check_symmetric,
    symmetric_evidence,
)

__all__ = [
    "ASR_MAX_OHM_CM2",
    "DIVERGENCE_BOUND_MV",
    "HALF_CYCLE_KEYS",
    "ONE_WAY_VOLTAGE_MAX_V",
    "RATE_TEST_BOUND_MV",
    "REST_VOLTAGE_MAX_V",
    "SIGN_AGREEMENT_MIN",
    "AreaSpecificResistance",
    "Failure",
    "FailureCriteria",
    "area_specific_resistance",
    "check_asr",
    "check_symmetric",
    "critical_current_density",
    "detect_failure",
    "half_cycle_overpotentials",
    "lifetime_table",
    "rate_overpotentials",
    "symmetric_evidence",
]
