"""Three-electrode full cells: per-electrode curves and overpotentials.

A T-cell or pouch with a reference electrode records the cell voltage and both
electrode potentials against the reference (EC-Lab: ``Ewe`` = cathode vs ref,
``Ece`` = anode vs ref, ``Ewe-Ece`` = cell; canonical columns ``Working
Electrode Potential / V``, ``Counter Electrode Potential / V`` and ``Voltage /
V``). The positive electrode is the one at the higher median potential.

**Curves** (:attr:`ElectrodeSplit.curves`): per record with current, the charge
passed in its half-cycle [A·h] (∫|I| dt scaled to the counters, as for dQ/dV)
with the cell voltage and both electrode potentials.

**Overpotentials** (:attr:`ElectrodeSplit.pairs`): for each charge with the
discharge next to it, every potential is read on a common state-of-charge grid
(the charge passed over the half-cycle's total: charge 0→1, discharge 1→0,
``soc_window`` of it, ends excluded). Half the charge-discharge hysteresis of
each is its overpotential, η = |E_charge − E_discharge| / 2 [mV], the usual
reading of a slow (pseudo-OCV) cycle. Because V_cell = E_pos − E_neg, the
electrode hysteresis adds up to the cell's wherever each electrode runs the
usual way (positive higher on charge, negative lower); ``closure`` =
median((η_pos + η_neg) / η_cell) checks it (1 when it does), and
``positive_share`` is the positive electrode's share of the cell's η.

Flags: ``cell_voltage_mismatch`` (V_cell ≠ E_WE − E_CE by more than
:data:`MISMATCH_V`, e.g. a shifted reference column), ``inverted_hysteresis``
(an electrode lower on charge than on discharge over most of the window: a
swapped electrode or an unstable reference).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.dqdv import charge_increments
from ssblab.analysis.recognize import CP, CYCLING, GITT, require
from ssblab.errors import AnalysisError
from ssblab.flags import Flag, as_dicts
from ssblab.schema import Run, RunMeta

#: Largest tolerated |V_cell − (E_WE − E_CE)| [V].
MISMATCH_V = 0.005
#: Columns of :attr:`ElectrodeSplit.pairs`.
PAIR_KEYS = (
    "pair",
    "charge_half_cycle",
    "discharge_half_cycle",
    "charge_Ah",
    "discharge_Ah",
    "cell_mV",
    "positive_mV",
    "negative_mV",
    "positive_share",
    "closure",
)


@dataclass(frozen=True)
class ElectrodeSplit:
    """Per-electrode curves, overpotentials per charge/discharge pair, and flags.

    ``positive`` names the column of the positive electrode (``"working"`` or
    ``"counter"``); ``profiles`` holds the SOC-grid potentials of every pair.
    """

    positive: str
    curves: pl.DataFrame
    profiles: pl.DataFrame
    pairs: pl.DataFrame
    flags: tuple[Flag, ...]

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"positive", "pairs", "flags"}``."""
        return {
            "positive": self.positive,
            "pairs": self.pairs.to_dicts(),
            "flags": as_dicts(self.flags),
        }


def _checked_run(data: Run | pl.DataFrame) -> Run:
    run = data if isinstance(data, Run) else Run(steps.as_table(data), RunMeta(source="table"))
    missing = [c for c in (s.WE_POTENTIAL, s.CE_POTENTIAL) if c not in run.table.columns]
    if missing:
        name = run.meta.source or "the table"
        raise AnalysisError(
            f"{name}: a three-electrode split needs the electrode potentials {missing}; "
            "this table has none (no reference electrode)"
        )
    return run


def electrode_split(
    data: Run | pl.DataFrame,
    soc_window: tuple[float, float] = (0.05, 0.95),
    points: int = 91,
    rest_current_A: float | None = None,
    *,
    force: bool = False,
) -> ElectrodeSplit:
    """Split a three-electrode cycle into positive and negative electrode (module docstring).

    Raises
    ------
    AnalysisError
        Without both electrode-potential columns, or without a charge next to a
        discharge.
    NotApplicableError
        If the run holds no galvanostatic cycling (unless forced).
    """
    run = _checked_run(data)
    flags = list(require(run, {CYCLING, GITT, CP}, force=force, analysis="three-electrode split"))
    table = run.table
    we = table.get_column(s.WE_POTENTIAL)
    ce = table.get_column(s.CE_POTENTIAL)
    positive = "working" if float(we.median()) >= float(ce.median()) else "counter"
    pos_col, neg_col = (
        (s.WE_POTENTIAL, s.CE_POTENTIAL)
        if positive == "working"
        else (s.CE_POTENTIAL, s.WE_POTENTIAL)
    )
    flags += _mismatch(table)
    rows = charge_increments(run, rest_current_A)
    curves = rows.select(
        pl.col(steps.HALF_CYCLE).alias("half_cycle"),
        pl.when(pl.col(steps.STATE) > 0)
        .then(pl.lit("charge"))
        .otherwise(pl.lit("discharge"))
        .alias("direction"),
        pl.col("dq").cum_sum().over(steps.HALF_CYCLE).alias("capacity_Ah"),
        pl.col(s.VOLTAGE).alias("cell_V"),
        pl.col(pos_col).alias("positive_V"),
        pl.col(neg_col).alias("negative_V"),
    )
    grid = np.linspace(*soc_window, points)
    profiles, pair_rows = [], []
    halves = curves.partition_by("half_cycle", maintain_order=True)
    for first, second in itertools.pairwise(halves):
        kinds = {first.get_column("direction")[0], second.get_column("direction")[0]}
        if kinds != {"charge", "discharge"}:
            continue
        ch, dis = (
            (first, second) if first.get_column("direction")[0] == "charge" else (second, first)
        )
        profile, row = _pair(len(pair_rows) + 1, ch, dis, grid)
        profiles.append(profile)
        pair_rows.append(row)
        flags += _inverted(row["pair"], profile)
    if not pair_rows:
        raise AnalysisError(
            f"{run.meta.source or 'the table'}: a three-electrode split needs a charge next "
            "to a discharge"
        )
    return ElectrodeSplit(
        positive,
        curves,
        pl.concat(profiles),
        pl.DataFrame(pair_rows).select(PAIR_KEYS),
        tuple(flags),
    )


def _on_grid(half: pl.DataFrame, column: str, grid: np.ndarray, rising: bool) -> np.ndarray:
    q = half.get_column("capacity_Ah").to_numpy()
    soc = q / q[-1] if rising else 1.0 - q / q[-1]
    y = half.get_column(column).to_numpy()
    return np.interp(grid, soc, y) if rising else np.interp(grid, soc[::-1], y[::-1])


def _pair(
    number: int, charge: pl.DataFrame, discharge: pl.DataFrame, grid: np.ndarray
) -> tuple[pl.DataFrame, dict]:
    data: dict[str, np.ndarray] = {"soc": grid}
    for name in ("cell", "positive", "negative"):
        up = _on_grid(charge, f"{name}_V", grid, rising=True)
        down = _on_grid(discharge, f"{name}_V", grid, rising=False)
        data[f"{name}_charge_V"], data[f"{name}_discharge_V"] = up, down
        data[f"{name}_mV"] = np.abs(up - down) / 2.0 * 1000.0
    profile = pl.DataFrame(data).with_columns(pl.lit(number).alias("pair"))
    cell = np.median(data["cell_mV"])
    closure = (data["positive_mV"] + data["negative_mV"]) / np.maximum(data["cell_mV"], 1e-9)
    row = {
        "pair": number,
        "charge_half_cycle": int(charge.get_column("half_cycle")[0]),
        "discharge_half_cycle": int(discharge.get_column("half_cycle")[0]),
        "charge_Ah": float(charge.get_column("capacity_Ah")[-1]),
        "discharge_Ah": float(discharge.get_column("capacity_Ah")[-1]),
        "cell_mV": float(cell),
        "positive_mV": float(np.median(data["positive_mV"])),
        "negative_mV": float(np.median(data["negative_mV"])),
        "positive_share": float(np.median(data["positive_mV"] / np.maximum(data["cell_mV"], 1e-9))),
        "closure": float(np.median(closure)),
    }
    return profile, row


def _mismatch(table: pl.DataFrame) -> list[Flag]:
    gap = table.select(
        (pl.col(s.VOLTAGE) - (pl.col(s.WE_POTENTIAL) - pl.col(s.CE_POTENTIAL))).abs().max()
    ).item()
    if gap is None or gap <= MISMATCH_V:
        return []
    return [
        Flag(
            "cell_V",
            "cell_voltage_mismatch",
            f"the cell voltage differs from E_WE − E_CE by up to {gap * 1e3:.3g} mV "
            f"(> {MISMATCH_V * 1e3:g} mV): the electrode columns may be shifted or mislabelled",
        )
    ]


def _inverted(pair: int, profile: pl.DataFrame) -> list[Flag]:
    flags = []
    for name, sign in (("positive", 1.0), ("negative", -1.0)):
        up = profile.get_column(f"{name}_charge_V").to_numpy()
        down = profile.get_column(f"{name}_discharge_V").to_numpy()
        wrong = float(np.mean(sign * (up - down) < 0))
        if wrong > 0.5:
            flags.append(
                Flag(
                    f"pair {pair} {name}_mV",
                    "inverted_hysteresis",
                    f"the {name} electrode runs {'lower' if sign > 0 else 'higher'} on charge "
                    f"than on discharge over {wrong:.0%} of the window: swapped electrodes "
                    "or a drifting reference?",
                )
            )
    return flags
