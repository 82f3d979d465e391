"""Is it a Li‖Li cell, and is its ASR plausible? Checks run before and after
:mod:`ssblab.analysis.symmetric` (re-exported there).

* :func:`check_symmetric` refuses (one line, ``--force`` turns it into a flag) data
  that are not a symmetric cell: A1's :func:`ssblab.analysis.recognize.require`
  first, then the voltage itself (near 0 V at rest, sign following the current);
* :func:`check_asr` flags a negative, absurd or non-linear area-specific resistance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis.symmetric_halfcycles import refuse_empty
from ssblab.errors import AnalysisError
from ssblab.flags import Flag, refuse_or_flag
from ssblab.schema import Run

if TYPE_CHECKING:
    from ssblab.analysis.symmetric import AreaSpecificResistance

#: A Li‖Li cell at rest sits at 0 V; a rest |V| above this is not a symmetric cell [V].
REST_VOLTAGE_MAX_V = 0.3
#: Under current in one direction only, a median |V| above this is not a Li‖Li cell [V].
ONE_WAY_VOLTAGE_MAX_V = 1.0
#: Fraction of current-carrying records whose voltage sign must follow the current.
SIGN_AGREEMENT_MIN = 0.9


def symmetric_evidence(data: Run | pl.DataFrame) -> dict[str, float | None]:
    """What the data show about being a Li‖Li cell: sign agreement, voltages [V].

    Returns ``sign_agreement`` (fraction of current-carrying records with
    ``sign(V) == sign(I)``, or its complement when the convention is reversed;
    None when the current has one sign only), ``median_abs_V`` under current and
    ``rest_median_abs_V`` (None when the table has no rest records).
    """
    table = data.table if isinstance(data, Run) else data
    v = table.get_column(s.VOLTAGE).to_numpy().astype(float)
    i = table.get_column(s.CURRENT).to_numpy().astype(float)
    scale = np.nanmax(np.abs(i)) if i.size else 0.0
    if not scale > 0:
        raise AnalysisError("the table has no plating or stripping (current is zero throughout)")
    on = np.abs(i) > 0.01 * scale
    rest = ~on & np.isfinite(v)
    both = min((i[on] > 0).mean(), (i[on] < 0).mean()) > 0.02
    agree = float(np.mean(np.sign(v[on]) == np.sign(i[on])))
    return {
        "sign_agreement": max(agree, 1.0 - agree) if both else None,
        "median_abs_V": float(np.nanmedian(np.abs(v[on]))),
        "rest_median_abs_V": float(np.nanmedian(np.abs(v[rest]))) if rest.sum() >= 3 else None,
    }


def check_symmetric(
    data: Run | pl.DataFrame, *, force: bool = False, name: str = "the table"
) -> tuple[Flag, ...]:
    """Refuse (one line) data that are not a Li‖Li cell, or with *force* flag them.

    A :class:`Run` first goes through :func:`ssblab.analysis.recognize.require`
    (galvanostatic cycling or a constant-current step, cell type symmetric or
    three-electrode). Then the voltage itself is checked, for a bare table too: a
    Li‖Li cell has no open-circuit voltage (at rest ``|V|`` stays below
    :data:`REST_VOLTAGE_MAX_V`); under alternating current the voltage changes sign
    with the current (in at least :data:`SIGN_AGREEMENT_MIN` of the records); a cell
    plated in one direction only sits below :data:`ONE_WAY_VOLTAGE_MAX_V`.
    A table of 0 records is refused even with *force* (:func:`refuse_empty`).
    """
    refuse_empty(data, "" if name == "the table" else name)
    if isinstance(data, Run):
        from ssblab.analysis.recognize import CP, CYCLING, recognize, require

        rec = recognize(data)
        flags = require(
            rec,
            {CYCLING, CP},
            force=force,
            analysis=f"symmetric ({name})",
            cell_types=("symmetric", "three_electrode"),
        )
        if flags or rec.cell_type == "symmetric":
            return flags
    e = symmetric_evidence(data)
    problems = []
    if e["rest_median_abs_V"] is not None and e["rest_median_abs_V"] > REST_VOLTAGE_MAX_V:
        problems.append(
            f"|V| at rest is {e['rest_median_abs_V']:.3g} V (a Li‖Li cell rests at 0 V)"
        )
    if e["sign_agreement"] is not None and e["sign_agreement"] < SIGN_AGREEMENT_MIN:
        problems.append(
            f"the voltage follows the current's sign in only {100 * e['sign_agreement']:.0f} % "
            f"of the records (median |V| {e['median_abs_V']:.3g} V)"
        )
    if e["sign_agreement"] is None and e["median_abs_V"] > ONE_WAY_VOLTAGE_MAX_V:
        problems.append(f"current of one sign at a median |V| of {e['median_abs_V']:.3g} V")
    if not problems:
        return ()
    return refuse_or_flag(
        f"{name} is not a Li‖Li symmetric cell: {'; '.join(problems)}",
        force=force,
        quantity="symmetric",
    )


#: An ASR above this is implausible for a working Li‖Li cell [Ω·cm²].
ASR_MAX_OHM_CM2 = 1.0e5


def check_asr(fit: AreaSpecificResistance) -> tuple[Flag, ...]:
    """Flags on an ASR fit: negative, absurdly large, or a poor straight line."""
    out = []
    if fit.asr_ohm_cm2 < 0:
        out.append(
            Flag(
                "asr_ohm_cm2",
                "asr_negative",
                f"ASR {fit.asr_ohm_cm2:.4g} Ohm cm2 is negative: the overpotential falls "
                "with current (a short, or not a polarisation)",
                "error",
            )
        )
    elif fit.asr_ohm_cm2 > ASR_MAX_OHM_CM2:
        out.append(
            Flag(
                "asr_ohm_cm2",
                "asr_absurd",
                f"ASR {fit.asr_ohm_cm2:.4g} Ohm cm2 exceeds {ASR_MAX_OHM_CM2:g} Ohm cm2",
            )
        )
    if fit.n_points > 2 and fit.r_squared < 0.9:
        out.append(
            Flag(
                "asr_ohm_cm2",
                "asr_not_linear",
                f"overpotential vs current density is not a line (R2 = {fit.r_squared:.3g})",
                "info",
            )
        )
    return tuple(out)
