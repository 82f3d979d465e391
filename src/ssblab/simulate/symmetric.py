"""Fast physics model of Li‖Li symmetric cells with an interlayer (e.g. Li@LiAlO2 | LGPS).

The cell is Li | coating | LGPS pellet | coating | Li. Its overpotential in each
half-cycle is the sum of the LGPS bulk drop, the plating electrode and the
stripping electrode (see :mod:`ssblab.simulate.interphase` for the physics of
each electrode: coverage, coating fatigue, interphase growth, voids, kinetics).
Everything is evaluated per half-cycle with cumulative sums, vectorised over
half-cycles and over a batch of cells, so 3000 h of cycling takes milliseconds.

Failure follows the one rule of :mod:`ssblab.analysis.symmetric` (the same for
measured and simulated tables), applied to each half-cycle's plateau (the
overpotential at mid half-cycle):

* **overpotential divergence**: the plateau above the stated bound
  (:data:`~ssblab.analysis.symmetric.DIVERGENCE_BOUND_MV`, 1 V; a rate test
  passes :data:`~ssblab.analysis.symmetric.RATE_TEST_BOUND_MV`);
* **short**: the local plating current density at the void-reduced contact,
  ``j (1 + V)``, above ``penetration_current_density_A_cm2`` (Li penetrates LGPS);
  once the film is channel-cracked (:mod:`ssblab.simulate.film_cracking`) the
  current focuses into the crack, ``j (1 + V) / a_c``; a thin film ruptures where
  it spans a stripping void (:mod:`ssblab.simulate.film_rupture`), uncovering the
  voided share, so the interphase and void paths run on a larger exposed fraction;
  the table then shows the voltage collapse (a 1 Ω path) that the analysis reads
  as a hard short.

The failure time is the start of the failed half-cycle, as in the analysis, so
``ssblab symmetric`` on the simulated table returns the model's own lifetime,
failure mode and mean overpotential. The table has :data:`POINTS_PER_HALF_CYCLE`
records per half-cycle: a plateau that moves linearly (in charge passed) from
the state at the start of the half-cycle to the state at its end.

Parameters live in ``ssblab/data/symmetric_params.toml``, each with its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from ssblab import schema as s
from ssblab.analysis.symmetric import DIVERGENCE_BOUND_MV
from ssblab.errors import SimulationError
from ssblab.simulate import film_cracking as fc
from ssblab.simulate import film_rupture as fr
from ssblab.simulate import interphase as ph
from ssblab.simulate.protocol import Block, HalfCycles, expand, lifetime_protocol
from ssblab.simulate.symmetric_params import SymmetricParams, load_params, parameter_table
from ssblab.simulate.symmetric_table import symmetric_table

__all__ = [
    "MODES",
    "SymmetricCell",
    "SymmetricParams",
    "SymmetricResult",
    "failures",
    "from_recipe",
    "load_params",
    "parameter_table",
    "simulate",
    "trajectory",
]

MODES = ("none", "overpotential_divergence", "short")
#: Mode names as :func:`ssblab.analysis.symmetric.detect_failure` reports them.
ANALYSIS_MODES = {
    "none": "none",
    "overpotential_divergence": "overpotential_divergence",
    "short": "hard_short",
}
#: Records per half-cycle in the simulated table (plateau shape, not a triangle).
POINTS_PER_HALF_CYCLE = 21


#: LGPS pressed per pellet in the seed (Chang et al., Section 2.3) [mg].
SEED_PELLET_MASS_MG = 150.0


def pellet_thickness_um(mass_mg: float, area_cm2: float, density_g_cm3: float) -> float:
    """Thickness of a dense pellet of *mass_mg* [mg] over *area_cm2* [cm²] [µm]."""
    return mass_mg * 1e-3 / (density_g_cm3 * area_cm2) * 1e4


@dataclass(frozen=True)
class SymmetricCell:
    """A Li‖Li symmetric cell with the same interlayer on both electrodes.

    Attributes
    ----------
    coating_thickness_nm : float
        Interlayer thickness on each Li electrode [nm] (0: bare Li).
    area_cm2 : float
        Electrode area [cm²].
    electrolyte_thickness_um : float, optional
        LGPS pellet thickness [µm]; default: the seed's 150 mg pellet at the
        parameter file's LGPS density over *area_cm2*.
    temperature_C : float
        Cell temperature [°C] (enters the kinetics; conductivities are 25 °C values).
    params : SymmetricParams
    name : str
    """

    coating_thickness_nm: float = 200.0
    area_cm2: float = math.pi * 0.5**2
    electrolyte_thickness_um: float | None = None
    temperature_C: float = 25.0
    params: SymmetricParams = field(default_factory=load_params)
    name: str = "Li|coating|LGPS symmetric cell"

    def __post_init__(self) -> None:
        if self.electrolyte_thickness_um is None:  # the seed's 150 mg pellet
            thickness = pellet_thickness_um(
                SEED_PELLET_MASS_MG, self.area_cm2, self.params.electrolyte_density_g_cm3
            )
            object.__setattr__(self, "electrolyte_thickness_um", thickness)
        checks = {
            "coating_thickness_nm": self.coating_thickness_nm >= 0,
            "area_cm2": self.area_cm2 > 0,
            "electrolyte_thickness_um": self.electrolyte_thickness_um > 0,
            "temperature_C": self.temperature_C > -273.15,
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise SimulationError(f"symmetric cell has invalid {bad}")

    def with_(self, **changes: Any) -> SymmetricCell:
        """A copy with *changes* (cell fields or parameter names)."""
        own = {f.name for f in fields(self)}
        cell = {k: v for k, v in changes.items() if k in own}
        param = {k: v for k, v in changes.items() if k not in own}
        base = cell.pop("params", self.params)
        return replace(self, params=base.with_(**param) if param else base, **cell)


def from_recipe(recipe: Any, params: SymmetricParams | None = None) -> SymmetricCell:
    """Build a :class:`SymmetricCell` from a ``kind = "symmetric"`` recipe."""
    if getattr(recipe, "kind", None) != "symmetric":
        raise SimulationError(f"recipe {recipe.name!r} is kind {recipe.kind!r}, not 'symmetric'")
    layer = recipe.interlayer
    return SymmetricCell(
        coating_thickness_nm=float(layer.thickness_nm) if layer is not None else 0.0,
        area_cm2=float(recipe.area_cm2),
        electrolyte_thickness_um=float(recipe.electrolyte_thickness_um),
        temperature_C=float(recipe.temperature_C),
        params=params or load_params(),
        name=str(recipe.name),
    )


@dataclass(frozen=True)
class Trajectory:
    """Model output per half-cycle for a batch of cells, arrays shaped (cells, half-cycles).

    ``*_start``/``*_end`` are the overpotentials [V] with the states at the start
    and the end of each half-cycle; ``cracked``: the film is channel-cracked by the
    end of the half-cycle (:mod:`ssblab.simulate.film_cracking`); ``ruptured``: the
    film over the stripping voids has ruptured (:mod:`ssblab.simulate.film_rupture`).
    """

    half_cycles: HalfCycles
    plating_start: np.ndarray
    plating_end: np.ndarray
    stripping_start: np.ndarray
    stripping_end: np.ndarray
    bulk: np.ndarray
    shorted: np.ndarray
    cracked: np.ndarray | None = None
    ruptured: np.ndarray | None = None

    @property
    def cell_start(self) -> np.ndarray:
        """Cell overpotential at the start of each half-cycle [V]."""
        return self.plating_start + self.stripping_start + self.bulk

    @property
    def cell_end(self) -> np.ndarray:
        """Cell overpotential at the end of each half-cycle [V]."""
        return self.plating_end + self.stripping_end + self.bulk

    @property
    def cell_mid(self) -> np.ndarray:
        """Plateau (mid half-cycle) cell overpotential of each half-cycle [V]."""
        return 0.5 * (self.cell_start + self.cell_end)


def _column(value: Any) -> np.ndarray:
    """A scalar or 1-D batch as a (cells, 1) column for broadcasting."""
    return np.atleast_1d(np.asarray(value, dtype=float))[:, None]


def trajectory(
    thickness_nm: Any, hc: HalfCycles, p: SymmetricParams, cell: SymmetricCell
) -> Trajectory:
    """Overpotentials of every half-cycle for one or many coating thicknesses [nm].

    Parameter fields of *p* may be 1-D arrays of the batch length (uncertainty sweeps).
    """
    b = {f.name: _column(getattr(p, f.name)) for f in fields(p)}
    d = _column(thickness_nm)
    exposed = ph.exposure(d, hc, b)
    strip_start, strip_end, plate = ph.void_states(exposed, hc, b)
    ruptured, share = fr.ruptured_share(d, strip_end, b)
    if share.any():  # the ruptured film uncovers the voided share: exposure and voids again
        exposed = exposed + (1.0 - exposed) * np.concatenate((0.0 * share[:, :1], share), axis=1)
        strip_start, strip_end, plate = ph.void_states(exposed, hc, b)
    r_int = ph.interphase_asr(exposed, hc, b)
    r_film = d * 1e-7 / b["coating_conductivity_S_cm"]
    j = hc.current_density_A_cm2[None, :]
    t_k = cell.temperature_C + 273.15
    i0 = b["exchange_current_density_A_cm2"]
    shape = r_int[:, 1:].shape
    gap = ph.stripping_gap(
        hc.capacity_mAh_cm2[None, :],
        j,
        b["gap_critical_current_A_cm2"],
        b["gap_depth_nm"],
        b["li_molar_volume_cm3_mol"],
    )

    def electrode(local: np.ndarray, interphase: np.ndarray, focus: Any = 1.0) -> np.ndarray:
        """Charge transfer and film drop at the focused current, interphase drop at *local*."""
        local = np.broadcast_to(local, shape)
        focused = local * focus
        return ph.electrode_overpotential_V(focused, r_film, i0, t_k) + local * interphase

    bulk = j * cell.electrolyte_thickness_um * 1e-4 / b["electrolyte_conductivity_S_cm"]
    cracked = fc.cracked_films(
        d, hc.capacity_mAh_cm2[None, :], hc.current_density_A_cm2[None, :], b
    )
    plating_local = j * (1.0 + plate)
    focused = np.where(cracked, plating_local / b["crack_area_fraction"], plating_local)
    return Trajectory(
        half_cycles=hc,
        plating_start=electrode(j, r_int[:, :-1]),
        plating_end=electrode(j, r_int[:, 1:]),
        stripping_start=electrode(j * (1.0 + strip_start), r_int[:, :-1]),
        stripping_end=electrode(j * (1.0 + strip_end), r_int[:, 1:], 1.0 + gap),
        bulk=np.broadcast_to(bulk, shape),
        shorted=focused > b["penetration_current_density_A_cm2"],
        cracked=cracked,
        ruptured=ruptured,
    )


@dataclass(frozen=True)
class Failures:
    """Failure of each cell of a batch (arrays of length cells).

    Attributes
    ----------
    lifetime_h : ndarray
        Time of failure [h], NaN when the cell outlived the protocol.
    mode : ndarray of int
        Index into :data:`MODES`.
    half_cycle : ndarray of int
        Index of the failed half-cycle (-1: none).
    mean_overpotential_mV : ndarray
        Mean plateau cell overpotential before failure [mV].
    """

    lifetime_h: np.ndarray
    mode: np.ndarray
    half_cycle: np.ndarray
    mean_overpotential_mV: np.ndarray


def failures(traj: Trajectory, bound_mV: Any = DIVERGENCE_BOUND_MV) -> Failures:
    """First failure of each cell in *traj*: a plateau above *bound_mV* [mV] or a short.

    The plateau of a half-cycle is its overpotential at mid half-cycle; the failure
    time is the start of the failed half-cycle (the rule of the analysis).
    """
    mid = traj.cell_mid
    over = mid * 1e3 > _column(bound_mV)
    n = mid.shape[1]
    first_over = np.where(over.any(axis=1), over.argmax(axis=1), n)
    first_short = np.where(traj.shorted.any(axis=1), traj.shorted.argmax(axis=1), n)
    idx = np.minimum(first_over, first_short)
    failed = idx < n
    mode = np.where(~failed, 0, np.where(first_short <= first_over, 2, 1))
    k = np.minimum(idx, n - 1)
    t_fail = traj.half_cycles.start_s[k] / 3600.0
    before = np.arange(n)[None, :] < idx[:, None]
    count = np.maximum(before.sum(axis=1), 1)
    mean = np.where(before, mid, 0.0).sum(axis=1) / count * 1e3
    return Failures(np.where(failed, t_fail, np.nan), mode, np.where(failed, idx, -1), mean)


@dataclass(frozen=True)
class SymmetricResult:
    """One simulated symmetric cell.

    Attributes
    ----------
    run : Run
        Canonical table (:data:`POINTS_PER_HALF_CYCLE` records per half-cycle),
        ``kind="simulated"``, with working/counter electrode potentials.
    lifetime_h : float or None
        Time of failure [h]; None when the cell outlived the protocol.
    failure_mode : str
        One of :data:`MODES`.
    mean_overpotential_mV : float
        Mean plateau cell overpotential before failure [mV].
    bound_mV : float
        The divergence bound used [mV].
    film_ruptured_h, film_cracked_h : float or None
        Start of the half-cycle by whose end the film over the stripping voids has
        ruptured (:mod:`~ssblab.simulate.film_rupture`) or the film is channel-cracked
        (:mod:`~ssblab.simulate.film_cracking`) [h]; None: not within the run.
    """

    run: s.Run
    lifetime_h: float | None
    failure_mode: str
    mean_overpotential_mV: float
    bound_mV: float = DIVERGENCE_BOUND_MV
    film_ruptured_h: float | None = None
    film_cracked_h: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON keys of ``ssblab simulate --json``."""
        return {
            "lifetime_h": self.lifetime_h,
            "failure_mode": self.failure_mode,
            "analysis_failure_mode": ANALYSIS_MODES[self.failure_mode],
            "divergence_bound_mV": self.bound_mV,
            "mean_overpotential_mV": self.mean_overpotential_mV,
            "film_ruptured_h": self.film_ruptured_h,
            "film_cracked_h": self.film_cracked_h,
            "simulated_h": float(self.run.table.get_column(s.TIME).max()) / 3600.0,
        }


def simulate(
    cell: SymmetricCell,
    blocks: tuple[Block, ...] | None = None,
    bound_mV: float = DIVERGENCE_BOUND_MV,
    points: int = POINTS_PER_HALF_CYCLE,
) -> SymmetricResult:
    """Simulate *cell* under *blocks* (default: the seed's 0.1 mA/cm², 0.1 mAh/cm², 5000 h).

    The run stops at failure (the rule of :func:`failures` with *bound_mV*): a
    divergence ends with the failed half-cycle, a short is shown as one half-cycle
    at near-zero voltage. *points*: records per half-cycle.
    """
    blocks = blocks or lifetime_protocol(0.1, 0.1, 5000.0)
    hc = expand(blocks)
    traj = trajectory(cell.coating_thickness_nm, hc, cell.params, cell)
    fail = failures(traj, bound_mV)
    mode = MODES[int(fail.mode[0])]
    last = int(fail.half_cycle[0]) if mode != "none" else hc.sign.size - 1
    table = symmetric_table(traj, last, cell.area_cm2, mode == "short", max(int(points), 3))
    meta = s.RunMeta(
        source=f"ssblab symmetric model: {cell.name}, {cell.coating_thickness_nm:g} nm coating",
        source_format="simulation",
        cell_name=cell.name,
        area_cm2=cell.area_cm2,
        kind="simulated",
        cell_type="symmetric",
        cycle_numbering="two half-cycles per cycle, plating the working electrode first",
    )
    lifetime = float(fail.lifetime_h[0])

    def first_h(flags: np.ndarray | None) -> float | None:
        hit = flags is not None and bool(flags[0, : last + 1].any())
        return float(hc.start_s[int(np.argmax(flags[0]))] / 3600.0) if hit else None

    return SymmetricResult(
        run=s.Run(table, meta),
        lifetime_h=None if math.isnan(lifetime) else lifetime,
        failure_mode=mode,
        mean_overpotential_mV=float(fail.mean_overpotential_mV[0]),
        bound_mV=float(bound_mV),
        film_ruptured_h=first_h(traj.ruptured),
        film_cracked_h=first_h(traj.cracked),
    )
