"""Plausibility checks on a per-cycle table: CE/EE range, partial cycles, coarse counters, time.

Used by :func:`ssblab.analysis.cycles.cycle_table`; every check returns
:class:`ssblab.flags.Flag` objects (codes ``partial_cycle``, ``ce_out_of_range``, ``ce_carry_over``,
``ee_out_of_range``, ``ce_resolution``, ``coarse_counter``, ``time_backwards``, ``duration_unit``,
``current_unit``, ``voltage_unit``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.flags import CE_RANGE, Flag, check_ce


def coarse_counters(table: pl.DataFrame) -> dict[str, float]:
    """Counters that stay flat over most records under current (:func:`steps.is_flat`), with
    their step [Ah or Wh], judged on the first :data:`steps.COUNTER_HEAD` records."""
    names = (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY)
    out: dict[str, float] = {}
    for name, d in steps.counter_rises(table, names).items():
        positive = d[d > 0]
        if steps.is_flat(d) and positive.size:
            out[name] = float(np.median(positive))
    return out


def energies_from_records(summary: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Replace per-cycle energies by Q × (Σ V|I|dt / Σ |I|dt) of each cycle's half [W·h]."""
    dt = pl.col(s.TIME).diff().fill_null(0.0).clip(lower_bound=0.0)
    w = (pl.col(s.CURRENT).abs() * dt).alias("w")
    rest = steps.rest_threshold(table)
    mean_v = (
        table.select(
            pl.col(s.CYCLE).alias("cycle"),
            pl.when(pl.col(s.CURRENT) > rest)
            .then(1)
            .when(pl.col(s.CURRENT) < -rest)
            .then(-1)
            .otherwise(0)
            .alias("sign"),
            w,
            (pl.col(s.VOLTAGE) * w).alias("vw"),
        )
        .group_by("cycle", "sign")
        .agg((pl.col("vw").sum() / pl.col("w").sum()).alias("v"))
    )
    ch = mean_v.filter(pl.col("sign") == 1).select("cycle", pl.col("v").alias("_vch"))
    dis = mean_v.filter(pl.col("sign") == -1).select("cycle", pl.col("v").alias("_vdis"))
    return (
        summary.join(ch, on="cycle", how="left")
        .join(dis, on="cycle", how="left")
        .with_columns(
            (pl.col("charge_capacity_Ah") * pl.col("_vch").fill_null(0.0)).alias(
                "charge_energy_Wh"
            ),
            (pl.col("discharge_capacity_Ah") * pl.col("_vdis").fill_null(0.0)).alias(
                "discharge_energy_Wh"
            ),
        )
        .drop("_vch", "_vdis")
    )


#: Slack on the running charge balance of a carry-over cycle, as a share of its "in" half [-]
#: (the balance closes when the cycle's excess is at most the deficit carried into it plus this).
BALANCE_SLACK = 1e-3


def carry_over(
    table: pl.DataFrame,
    in_column: str = "charge_capacity_Ah",
    out_column: str = "discharge_capacity_Ah",
    out_name: str = "discharge",
) -> dict[int, Flag]:
    """``ce_carry_over`` flags by row index: a CE above the plausible range that is charge
    left over from the cycles before.

    A cycle qualifies when its CE exceeds :data:`ssblab.flags.CE_RANGE`'s top ``hi``, the
    previous cycle fell short (its Q_out/Q_in under ``2 - hi``, as far below 1 as the range
    reaches above it), and the running balance closes: over the unbroken run of short cycles
    before it (Q_out < Q_in) and this one, sum(Q_out) <= sum(Q_in) (within
    :data:`BALANCE_SLACK` of this cycle's Q_in). A CC/CC test that lowers the rate after a
    fast discharge does this: the fast discharge stops at the cutoff with lithium
    undelivered, and the slow one delivers it. The CE is Q_out/Q_in as defined, and right,
    but it is not the cell's efficiency.

    The message names the shortfall the excess closes (:func:`covering_span`): the nearest
    short cycles whose deficits add up to this cycle's excess (Neware nw4 cycle 79: cycle 78
    alone, 0.000647 mAh short for 0.000598 mAh given back), not the whole run.
    """
    q_in = table.get_column(in_column).fill_null(0.0).to_numpy()
    q_out = table.get_column(out_column).fill_null(0.0).to_numpy()
    ce = table.get_column("coulombic_efficiency").to_list()
    ee = table.get_column("energy_efficiency").to_list()
    cycle = table.get_column("cycle").to_list()
    hi = CE_RANGE[1]
    out: dict[int, Flag] = {}
    for k in range(1, len(q_in)):
        if ce[k] is None or not np.isfinite(ce[k]) or ce[k] <= hi:
            continue
        if q_in[k - 1] <= 0 or q_out[k - 1] >= (2.0 - hi) * q_in[k - 1]:
            continue
        first = k - 1
        while first > 0 and q_out[first - 1] < q_in[first - 1]:
            first -= 1
        slack = BALANCE_SLACK * q_in[k]
        excess = q_out[k] - q_in[k]
        if excess > float(np.sum(q_in[first:k] - q_out[first:k])) + slack:
            continue
        start = covering_span(q_in[first:k] - q_out[first:k], excess - slack) + first
        short = float(np.sum(q_in[start:k] - q_out[start:k]))
        also = f" (its energy efficiency {ee[k]:.4g} likewise)" if _above_range(ee[k]) else ""
        span = (
            f"cycle {cycle[k - 1]}" if start == k - 1 else f"cycles {cycle[start]}-{cycle[k - 1]}"
        )
        whose = "its" if start == k - 1 else f"cycle {cycle[k - 1]}'s"
        out[k] = Flag(
            f"cycle {cycle[k]}",
            "ce_carry_over",
            f"coulombic efficiency {ce[k]:.4g}{also} is charge carried over: this cycle gives "
            f"back {1e3 * excess:.3g} mAh more than it took, and {span} just before it fell "
            f"short by {1e3 * short:.3g} mAh ({whose} {out_name} CE "
            f"{q_out[k - 1] / q_in[k - 1]:.4g}), which covers it ({excess / short:.0%} of that "
            "shortfall given back); not the cell's efficiency, nor by itself a sign of bad data",
        )
    return out


def covering_span(deficits: np.ndarray, excess: float) -> int:
    """Index of the first of the last cycles of *deficits* (Q_in - Q_out of the short cycles
    before a carry-over cycle, in order [A·h]) whose deficits add up to *excess* [A·h] (0:
    all of them are needed)."""
    covered = np.cumsum(deficits[::-1])
    enough = np.flatnonzero(covered >= excess)
    return int(len(deficits) - 1 - enough[0]) if enough.size else 0


def _above_range(value: float | None) -> bool:
    """A CE or EE above the top of :data:`ssblab.flags.CE_RANGE`."""
    return value is not None and bool(np.isfinite(value)) and value > CE_RANGE[1]


def cycle_flags(
    table: pl.DataFrame,
    in_column: str = "charge_capacity_Ah",
    out_column: str = "discharge_capacity_Ah",
    out_name: str = "discharge",
    carried: dict[int, Flag] | None = None,
) -> list[Flag]:
    """Partial-cycle flags; on complete cycles, CE carried over (:func:`carry_over`, or
    *carried* when the caller already has it) or CE and EE out of range."""
    flags: list[Flag] = []
    if carried is None:
        carried = carry_over(table, in_column, out_column, out_name)
    for k, row in enumerate(table.iter_rows(named=True)):
        if row["partial"]:
            ce = row["coulombic_efficiency"]
            odd = bool(check_ce("", ce))
            why = ""
            if odd:
                why = f": its CE {ce:.4g} is not the cell's (left out of ICE and retention)"
            flags.append(
                Flag(
                    f"cycle {row['cycle']}",
                    "partial_cycle",
                    f"partial cycle (one half missing or cut short){why}",
                    "warning" if odd else "info",
                )
            )
        elif k in carried:
            flags.append(carried[k])
            if not _above_range(row["energy_efficiency"]):  # an EE above it is carried too
                flags += check_ee(f"cycle {row['cycle']}", row["energy_efficiency"])
        else:
            flags += check_ce(f"cycle {row['cycle']}", row["coulombic_efficiency"])
            flags += check_ee(f"cycle {row['cycle']}", row["energy_efficiency"])
    return flags


def ce_resolution(
    ce: float | None, q_in_Ah: float, q_out_Ah: float, step_in_Ah: float, step_out_Ah: float
) -> float | None:
    """How far a CE can be off from counters that step by *step* [A·h]: each half carries
    ± half a step, so ``CE sqrt((h_in / Q_in)^2 + (h_out / Q_out)^2)`` [-] (None when the CE
    or a half is missing)."""
    if ce is None or not np.isfinite(ce) or q_in_Ah <= 0 or q_out_Ah <= 0:
        return None
    return float(ce * np.hypot(0.5 * step_in_Ah / q_in_Ah, 0.5 * step_out_Ah / q_out_Ah))


def decimals_for(resolution: float | None, most: int = 4) -> int:
    """Decimals a number carries when it is good to ± *resolution*: down to the resolution's
    first significant digit, at most *most* (None or 0: *most*)."""
    if resolution is None or not np.isfinite(resolution) or resolution <= 0:
        return most
    return int(min(most, max(0, -np.floor(np.log10(resolution)))))


def format_to_resolution(value: float | None, resolution: float | None, most: int = 4) -> str:
    """*value* printed to the decimals its resolution carries (:func:`decimals_for`); the one
    rule for a CE (or any ratio) from counters (None prints an em dash)."""
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:.{decimals_for(resolution, most)}f}"


def capacity_text(value_Ah: float | None, step_Ah: float = 0.0) -> str:
    """A capacity [A·h] as mAh text: from a counter that steps by *step_Ah* [A·h], to the
    step's decimals (the value is a whole number of steps: 0.1 mAh prints "3.2"); from a fine
    counter (*step_Ah* 0), 4-5 significant digits; never in e-notation (None: an em dash)."""
    if value_Ah is None or not np.isfinite(value_Ah):
        return "—"
    mah = 1000.0 * float(value_Ah)
    digits = 1 if abs(mah) >= 100 else 3 if abs(mah) >= 1 else 5
    if step_Ah > 0:
        digits = min(digits, decimals_for(1000.0 * step_Ah, most=5))
    return f"{mah:.{digits}f}"


def ce_resolution_flags(
    table: pl.DataFrame, steps_Ah: tuple[float, float], in_column: str, out_column: str
) -> list[Flag]:
    """``ce_resolution`` flags: a CE from coarse counters (steps [A·h] of the "in" and "out"
    counters) carries fewer decimals than the 4 printed by default."""
    flags: list[Flag] = []
    for row in table.iter_rows(named=True):
        ce = row["coulombic_efficiency"]
        q_in, q_out = row[in_column], row[out_column]
        res = ce_resolution(ce, q_in, q_out, *steps_Ah)
        if res is None or decimals_for(res) >= 4:
            continue
        flags.append(
            Flag(
                f"cycle {row['cycle']}",
                "ce_resolution",
                f"CE {format_to_resolution(ce, res)} ± {res:.1g}: the counters step by "
                f"{1e3 * steps_Ah[0]:.3g} / {1e3 * steps_Ah[1]:.3g} mAh on "
                f"{1e3 * q_in:.4g} / {1e3 * q_out:.4g} mAh, so {decimals_for(res)} decimals "
                "carry, not 4",
                "info",
            )
        )
    return flags


def time_flags(table: pl.DataFrame) -> list[Flag]:
    """Flag time that goes backwards, and a duration, current or voltage that suggests a unit
    error (or a corrupt value)."""
    t = table.get_column(s.TIME)
    flags: list[Flag] = []
    back = int((t.diff() < 0).sum())
    if back:
        flags.append(
            Flag("time", "time_backwards", f"test time goes backwards at {back} records", "error")
        )
    span_h = float((t.max() or 0.0) - (t.min() or 0.0)) / 3600.0
    if span_h > 24 * 365 * 3:
        flags.append(
            Flag("time", "duration_unit", f"the test lasts {span_h:.3g} h: time likely in ms")
        )
    i = table.get_column(s.CURRENT).abs().max() or 0.0
    if i > 1e3:
        flags.append(
            Flag("current", "current_unit", f"|I| reaches {i:.3g} A: current likely in mA")
        )
    v = table.get_column(s.VOLTAGE).abs().max() or 0.0
    if v > 1e3:
        flags.append(
            Flag(
                "voltage",
                "voltage_unit",
                f"|V| reaches {v:.3g} V: voltage likely in mV, or a corrupt value",
            )
        )
    return flags


def check_ee(quantity: str, ee: float | None) -> tuple[Flag, ...]:
    """Flag an energy efficiency above :data:`ssblab.flags.CE_RANGE`'s top (None passes)."""
    hi = CE_RANGE[1]
    if ee is None or not np.isfinite(ee) or 0 < ee <= hi:
        return ()
    return (Flag(quantity, "ee_out_of_range", f"energy efficiency {ee:.4g} is outside 0-{hi}"),)
