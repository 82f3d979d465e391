"""Galvanostatic intermittent titration (GITT): pulses, Weppner–Huggins diffusivity, relaxed OCV.

A GITT run alternates short constant-current pulses with long rests. Each
pulse is a segment with current (:func:`ssblab.analysis.steps.segments`) that
has a rest right before it and right after it. For each pulse:

* E0 = last voltage of the rest before the pulse, Es = last voltage of the rest
  after it (the relaxed OCV), ΔEs = |Es − E0|;
* ΔEτ = the voltage change during the pulse itself, the ohmic step excluded:
  ``"endpoints"`` takes |V(last record) − V(first record)| of the pulse (the
  textbook reading), ``"sqrt_fit"`` fits V = a + b √(t − t_start) to the
  pulse and takes |b| √τ, which is insensitive to a slow first sample;
* D from Weppner & Huggins (J. Electrochem. Soc. 124 (1977) 1569,
  doi:10.1149/1.2133112; the short-time solution used throughout GITT practice):

  .. math:: D = \\frac{4}{\\pi \\tau}
            \\left(\\frac{m_B V_M}{M_B S}\\right)^2
            \\left(\\frac{\\Delta E_s}{\\Delta E_\\tau}\\right)^2

  with τ the pulse length [s], m_B the active mass [g], M_B its molar mass
  [g/mol], V_M its molar volume [cm³/mol] and S the electrode–electrolyte
  area [cm²], so D is in cm²/s. It holds for τ ≪ L²/D (L the diffusion length:
  particle radius or film thickness) and a linear E(√t) during the pulse;
  pass *diffusion_length_cm* to have that checked per pulse.

Since m_B V_M / (M_B S) is the volume of active material per contact area, a
length L, the same measurement gives D/L² = 4/(π τ) (ΔEs/ΔEτ)² with no
material input at all: it is always reported (``D_over_L2_per_s``); D itself
needs m_B, M_B, V_M and S (``material`` takes M_B and V_M = M_B/ρ from the
catalog), and a flag names the inputs that are missing.

Only a **regular pulse train** is GITT: current segments framed by rests that
repeat with one current (±10 %) and one duration (0.5-1.25 of the train's, a
pulse cut short by a voltage limit is kept and flagged), at least
:data:`MIN_RUN` in a row in one direction. Formation half-cycles (one long
charge, one long discharge) and cycling with rests (alternating directions)
are not; such files are refused with one line (``force`` overrides), and the
framed segments outside the train are counted in a flag.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from ssblab import schema as s
from ssblab.analysis import steps
from ssblab.analysis.gitt_checks import (
    MIN_RUN,
    missing_inputs,
    pulse_flags,
    regular_train,
    train_flags,
)
from ssblab.analysis.recognize import GITT, require
from ssblab.errors import AnalysisError, SsblabError
from ssblab.flags import Flag, as_dicts, refuse_or_flag
from ssblab.schema import Run, RunMeta

#: Columns of :func:`gitt_pulses` (also the stable ``--json`` keys).
PULSE_KEYS = (
    "pulse",
    "cycle",
    "direction",
    "start_s",
    "start_h",
    "duration_s",
    "current_A",
    "rest_before_V",
    "ocv_V",
    "delta_Es_V",
    "delta_Etau_V",
    "sqrt_t_r2",
    "D_cm2_s",
    "D_over_L2_per_s",
    "net_charge_Ah",
    "soc",
    "tau_D_over_L2",
)
METHODS = ("endpoints", "sqrt_fit")


@dataclass(frozen=True)
class GITTResult:
    """Pulses (:data:`PULSE_KEYS`) of the regular train and the flags on them."""

    pulses: pl.DataFrame
    flags: tuple[Flag, ...]

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"pulses": [...], "flags": [...]}``."""
        return {"pulses": self.pulses.to_dicts(), "flags": as_dicts(self.flags)}


def material_constants(name: str) -> tuple[float, float]:
    """Molar mass [g/mol] and molar volume M/ρ [cm³/mol] of catalog material *name*."""
    from ssblab.materials import get_material

    material = get_material(name)
    molar_mass = material.molar_mass_g_mol
    return molar_mass, molar_mass / material.density_g_cm3


def _geometry_factor(
    active_mass_g: float | None,
    molar_mass_g_mol: float | None,
    molar_volume_cm3_mol: float | None,
    area_cm2: float | None,
) -> float | None:
    """(m_B V_M / (M_B S))² [cm²], or None when any input is missing."""
    values = {
        "active_mass_g": active_mass_g,
        "molar_mass_g_mol": molar_mass_g_mol,
        "molar_volume_cm3_mol": molar_volume_cm3_mol,
        "area_cm2": area_cm2,
    }
    for name, value in values.items():
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise AnalysisError(f"{name} must be a positive number, got {value}")
    if any(v is None for v in values.values()):
        return None
    return (active_mass_g * molar_volume_cm3_mol / (molar_mass_g_mol * area_cm2)) ** 2


def _pulse_segments(
    labelled: pl.DataFrame, min_rest_s: float, max_pulse_s: float | None
) -> pl.DataFrame:
    """Segments with current, no longer than *max_pulse_s*, between two rests >= *min_rest_s*."""
    seg = steps.segments_from_labelled(labelled)
    is_rest = (pl.col("state") == 0) & (pl.col("duration_s") >= min_rest_s)
    short = pl.lit(True) if max_pulse_s is None else pl.col("duration_s") <= max_pulse_s
    return (
        seg.with_columns(
            is_rest.shift(1).fill_null(False).alias("_rest_before"),
            is_rest.shift(-1).fill_null(False).alias("_rest_after"),
            pl.col("end_voltage_V").shift(1).alias("rest_before_V"),
            pl.col("end_voltage_V").shift(-1).alias("ocv_V"),
        )
        .filter((pl.col("state") != 0) & short & pl.col("_rest_before") & pl.col("_rest_after"))
        .drop("_rest_before", "_rest_after")
    )


def _sqrt_fit_slopes(labelled: pl.DataFrame, segments: list[int]) -> pl.DataFrame:
    """Slope b of V = a + b √(t − t_start) over each pulse [V/√s], and the r² of V
    against √(t − t_start) without the first record (the ohmic step)."""
    x = (pl.col(s.TIME) - pl.col(s.TIME).first()).sqrt()
    v = pl.col(s.VOLTAGE)
    return (
        labelled.filter(pl.col(steps.SEGMENT).is_in(segments))
        .group_by(steps.SEGMENT)
        .agg(
            (pl.cov(x, v) / x.var()).alias("_slope"),
            pl.corr(x.slice(1), v.slice(1)).pow(2).alias("sqrt_t_r2"),
        )
    )


def _material_from_chemistry(chemistry: str) -> tuple[str | None, list[Flag]]:
    """The working electrode's catalog material from ``RunMeta.chemistry`` ("NCM622|LPSC|Li")."""
    from ssblab.materials import get_material

    first = chemistry.split("|")[0].strip() if chemistry else ""
    if not first:
        return None, []
    try:
        get_material(first)
    except SsblabError:
        return None, []
    note = Flag(
        "D_cm2_s",
        "material_from_metadata",
        f"molar mass and volume of {first} (the cell metadata's working electrode)",
        "info",
    )
    return first, [note]


def _no_pulses(min_rest_s: float, max_pulse_s: float | None, cycles: list[int] | None) -> None:
    longest = "" if max_pulse_s is None else f" and lasts <= {max_pulse_s:g} s"
    where = "" if cycles is None else f" in cycles {cycles}"
    raise AnalysisError(
        f"no GITT pulses{where}: no current segment lies between two rests of "
        f">= {min_rest_s:g} s{longest}"
    )


def gitt_analysis(
    data: Run | pl.DataFrame,
    active_mass_g: float | None = None,
    molar_mass_g_mol: float | None = None,
    molar_volume_cm3_mol: float | None = None,
    area_cm2: float | None = None,
    *,
    material: str | None = None,
    method: str = "endpoints",
    min_rest_s: float = 60.0,
    max_pulse_s: float | None = None,
    cycles: list[int] | None = None,
    rest_current_A: float | None = None,
    diffusion_length_cm: float | None = None,
    force: bool = False,
) -> GITTResult:
    """Find the regular GITT pulse train; ΔEs, ΔEτ, relaxed OCV, D/L² and D per pulse.

    Parameters
    ----------
    data : Run or DataFrame
        Canonical table. With a :class:`Run`, missing mass and area come from
        ``RunMeta``.
    active_mass_g : float, optional
        Active material mass m_B [g].
    molar_mass_g_mol : float, optional
        Molar mass M_B of the active material [g/mol].
    molar_volume_cm3_mol : float, optional
        Molar volume V_M of the active material [cm³/mol].
    area_cm2 : float, optional
        Electrode–electrolyte contact area S [cm²] (the geometric area is the
        usual, crude, stand-in).
    material : str, optional
        Catalog name (``"NCM622"``): fills M_B and V_M = M_B/ρ where not given.
        Default: the first material of the run's ``RunMeta.chemistry`` (recipe,
        sidecar) when it is in the catalog, with an ``info`` flag.
    method : {"endpoints", "sqrt_fit"}
        How ΔEτ is measured (see the module docstring).
    min_rest_s : float
        A rest must last at least this long [s] to frame a pulse.
    max_pulse_s : float, optional
        Longest current segment that counts as a pulse [s].
    cycles : list of int, optional
        Keep only pulses in these cycles (``Cycle Count / 1``).
    rest_current_A : float, optional
        Rest threshold [A]; see :func:`ssblab.analysis.steps.rest_threshold`.
    diffusion_length_cm : float, optional
        Diffusion length L [cm]; fills ``tau_D_over_L2`` = τ D / L².
    force : bool
        Use every framed segment when no regular train is found (flag ``forced``).

    Returns
    -------
    GITTResult
        ``pulses`` has columns :data:`PULSE_KEYS`, one row per train pulse.
        ``D_over_L2_per_s`` [1/s] is always given; ``D_cm2_s`` only with all
        four material inputs (a ``missing_input`` flag names the others).
        ``net_charge_Ah`` is the charge content at the end of the pulse (charge
        − discharge counters since test start) [A·h]; ``soc`` rescales it to
        0..1 over the pulses.

    Raises
    ------
    AnalysisError
        If no pulse framed by rests is found, or an input is not positive.
    NotApplicableError
        If :func:`ssblab.analysis.recognize.recognize` finds no GITT in the run, or
        the framed segments are no regular pulse train (unless forced).
    """
    if method not in METHODS:
        raise AnalysisError(f"unknown GITT method {method!r}; choose one of {METHODS}")
    flags: list[Flag] = []
    if material is None and isinstance(data, Run):
        material, note = _material_from_chemistry(data.meta.chemistry)
        flags += note
    if material is not None:
        try:
            m_mol, v_mol = material_constants(material)
        except SsblabError as exc:
            raise AnalysisError(f"GITT material: {exc}") from None
        molar_mass_g_mol = molar_mass_g_mol if molar_mass_g_mol is not None else m_mol
        molar_volume_cm3_mol = molar_volume_cm3_mol if molar_volume_cm3_mol is not None else v_mol
    name = "the table"
    if isinstance(data, Run):
        active_mass_g = active_mass_g if active_mass_g is not None else data.meta.active_mass_g
        area_cm2 = area_cm2 if area_cm2 is not None else data.meta.area_cm2
        name = data.meta.source or name
    factor = _geometry_factor(active_mass_g, molar_mass_g_mol, molar_volume_cm3_mol, area_cm2)
    run = data if isinstance(data, Run) else Run(steps.as_table(data), RunMeta(source="table"))
    flags[:0] = require(run, {GITT}, force=force, analysis="gitt")
    labelled = steps.label(data, rest_current_A)
    steps.check_finite(labelled, (s.VOLTAGE,))
    pulses = _pulse_segments(labelled, min_rest_s, max_pulse_s)
    if pulses.height == 0:
        _no_pulses(min_rest_s, max_pulse_s, None)
    mask, typical_d, typical_i = regular_train(pulses)
    if not mask.any():
        d = pulses.get_column("duration_s")
        flags += refuse_or_flag(
            f"{name}: not GITT: the {pulses.height} current segments framed by rests "
            f"({d.min():.4g}-{d.max():.4g} s) hold no train of >= {MIN_RUN} similar pulses "
            "in one direction",
            force=force,
        )
        mask[:] = True
    else:
        flags += train_flags(pulses, mask, typical_d, typical_i)
        pulses = pulses.filter(pl.Series(mask))
    if cycles is not None and "cycle" in pulses.columns:
        pulses = pulses.filter(pl.col("cycle").is_in(cycles))
        if pulses.height == 0:
            _no_pulses(min_rest_s, max_pulse_s, cycles)
    slopes = _sqrt_fit_slopes(labelled, pulses.get_column(steps.SEGMENT).to_list())
    pulses = pulses.join(slopes, on=steps.SEGMENT, how="left")
    if method == "sqrt_fit":
        d_etau = (pl.col("_slope") * pl.col("duration_s").sqrt()).abs()
    else:
        d_etau = (pl.col("end_voltage_V") - pl.col("start_voltage_V")).abs()
    net = pl.col(s.CHARGE_CAPACITY) - pl.col(s.DISCHARGE_CAPACITY)
    charge_at_end = labelled.select(pl.col(steps.ROW), net.alias("net_charge_Ah"))
    out = (
        pulses.join(charge_at_end, left_on="last_row", right_on=steps.ROW, how="left")
        .with_columns(
            d_etau.alias("delta_Etau_V"),
            (pl.col("ocv_V") - pl.col("rest_before_V")).abs().alias("delta_Es_V"),
        )
        .with_columns(
            _diffusivity(1.0).alias("D_over_L2_per_s"), _diffusivity(factor).alias("D_cm2_s")
        )
    )
    out = _finish(out, diffusion_length_cm)
    flags += missing_inputs(
        active_mass_g=active_mass_g,
        molar_mass_g_mol=molar_mass_g_mol,
        molar_volume_cm3_mol=molar_volume_cm3_mol,
        area_cm2=area_cm2,
    )
    flags += pulse_flags(out, typical_d if not math.isnan(typical_d) else None)
    return GITTResult(out, tuple(flags))


def gitt_pulses(
    data: Run | pl.DataFrame,
    active_mass_g: float | None = None,
    molar_mass_g_mol: float | None = None,
    molar_volume_cm3_mol: float | None = None,
    area_cm2: float | None = None,
    **options,
) -> pl.DataFrame:
    """The ``pulses`` table of :func:`gitt_analysis` (same arguments; flags dropped)."""
    return gitt_analysis(
        data, active_mass_g, molar_mass_g_mol, molar_volume_cm3_mol, area_cm2, **options
    ).pulses


def _diffusivity(factor: float | None) -> pl.Expr:
    if factor is None:
        return pl.lit(None, dtype=pl.Float64)
    ratio = pl.col("delta_Es_V") / pl.col("delta_Etau_V")
    d = 4.0 / (math.pi * pl.col("duration_s")) * factor * ratio**2
    return pl.when((pl.col("delta_Etau_V") > 0) & (pl.col("duration_s") > 0)).then(d)


def _finish(out: pl.DataFrame, diffusion_length_cm: float | None) -> pl.DataFrame:
    q = pl.col("net_charge_Ah")
    span = q.max() - q.min()
    soc = pl.when(span > 0).then((q - q.min()) / span)
    if diffusion_length_cm is not None:
        if not diffusion_length_cm > 0:
            raise AnalysisError(f"diffusion_length_cm must be positive, got {diffusion_length_cm}")
        ratio = pl.col("duration_s") * pl.col("D_cm2_s") / diffusion_length_cm**2
    else:
        ratio = pl.lit(None, dtype=pl.Float64)
    cycle = pl.col("cycle") if "cycle" in out.columns else pl.lit(None, dtype=pl.Int64)
    return out.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("pulse"),
        cycle.alias("cycle"),
        pl.when(pl.col("state") > 0)
        .then(pl.lit("charge"))
        .otherwise(pl.lit("discharge"))
        .alias("direction"),
        pl.col("start_s"),
        (pl.col("start_s") / 3600.0).alias("start_h"),
        pl.col("duration_s"),
        pl.col("mean_current_A").alias("current_A"),
        pl.col("rest_before_V"),
        pl.col("ocv_V"),
        pl.col("delta_Es_V"),
        pl.col("delta_Etau_V"),
        pl.col("sqrt_t_r2"),
        pl.col("D_cm2_s"),
        pl.col("D_over_L2_per_s"),
        q,
        soc.alias("soc"),
        ratio.alias("tau_D_over_L2"),
    )
