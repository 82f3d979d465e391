"""Electrode thermodynamics and transport for the full-cell models, each with its source.

Open-circuit potentials are kept twice: as NumPy curves (a stoichiometry grid and
its OCP, monotonic, used by ssblab for start states and windows with one
``np.interp``) and as PyBaMM functions built from the same numbers.

* **LiAl** (Li_x Al, 0 <= x <= 1 on the 993 mAh/g basis): the alpha/beta two-phase
  plateau at ``E = 451 - 0.220 T[K]`` mV vs Li (Handbook of Battery Materials,
  ch. 14, p. 416; fitted at 300-650 °C, extrapolated here: 0.378 V at 60 °C, an
  estimate), between the single-phase alpha (x <= 0.05) and beta (x >= 0.95)
  fields (phase limits from the Li-Al ASSB study quoted in the parameter sheet,
  row Al4). The single-phase ends are exponential tails of width
  :data:`LIAL_TAIL_WIDTH`: alpha rises towards the potential of bare Al, beta falls
  to 0 V at x = 1 (the next phase, Li9Al4, is outside this basis). No hysteresis.
* **LiCoO2**: PyBaMM's ``Ai2020`` OCP data (Ai et al., J. Electrochem. Soc. 167
  (2020) 013512), stoichiometry 0.40-0.999, i.e. 4.39-3.41 V.
* **NCM622**: the MSMR form of Verbrugge et al., J. Electrochem. Soc. 164 (2017)
  E3243, Table 1 (NMC622; the values in PyBaMM's ``MSMR_Example`` set), tabulated
  as x(U) on a potential grid and inverted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from ssblab.errors import SimulationError

FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
K_BOLTZMANN_EV = 8.617333262e-5

#: alpha/beta plateau of Li-Al vs Li: E [V] = A + B * T[K] (Handbook of Battery Materials, ch. 14).
LIAL_PLATEAU_A_V, LIAL_PLATEAU_B_V_K = 0.451, -0.220e-3
#: Phase limits in Li_x Al: alpha up to 0.05, beta from 0.95 (parameter sheet, row Al4).
LIAL_ALPHA_MAX, LIAL_BETA_MIN = 0.05, 0.95
#: Width of the single-phase tails in x (1/5 of the alpha field: the tail is < 1 % at 0.05).
LIAL_TAIL_WIDTH = 0.01
#: Height of the alpha tail towards bare Al [V]; the beta tail falls by the plateau (0 V at x = 1).
LIAL_ALPHA_RISE_V = 1.2
#: Slope across the two-phase field [V per unit x]; 0 in theory, 10 mV keeps the solver's Jacobian
#: regular.
LIAL_PLATEAU_SLOPE_V = 0.01

#: Slope of the LiCoO2 OCP tail past the Ai2020 data (x > 0.999) [V per e-fold of 1 - x].
LCO_TAIL_V = 0.1
#: NMC622 MSMR parameters (U0 [V], X_j [-], omega_j [-]); Verbrugge et al. 2017, Table 1.
NCM622_MSMR = (
    (3.62274, 0.13442, 0.96710),
    (3.72645, 0.32460, 1.39712),
    (3.90575, 0.21118, 3.50500),
    (4.22955, 0.32980, 5.52757),
)

#: Activation energies of the solid electrolytes' conductivity [eV], with their source.
ACTIVATION_EV = {
    "Li10GeP2S12": (0.25, "Kamaya et al. 2011 (parameter sheet L2)"),
    "Li6PS5Cl": (0.36, "Singh et al. 2022, 0.35-0.37 eV (parameter sheet A3)"),
    "Li5.4PS4.4Cl1.6": (0.36, "Li6PS5Cl value (Singh et al. 2022), no Li5.4PS4.4Cl1.6 value found"),
}


def lial_plateau_V(temperature_K: float) -> float:
    """alpha/beta two-phase plateau of Li-Al vs Li/Li+ [V] at *temperature_K*."""
    return LIAL_PLATEAU_A_V + LIAL_PLATEAU_B_V_K * temperature_K


def lial_ocp_numpy(x: np.ndarray, temperature_K: float) -> np.ndarray:
    """OCP of Li_x Al vs Li/Li+ [V] (NumPy)."""
    plateau = lial_plateau_V(temperature_K)
    w = LIAL_TAIL_WIDTH
    return (
        plateau
        + LIAL_ALPHA_RISE_V * np.exp(-x / w)
        - plateau * np.exp(-(1.0 - x) / w)
        - LIAL_PLATEAU_SLOPE_V * (x - 0.5)
    )


def lial_ocp_pybamm(temperature_K: float):
    """The same OCP as a PyBaMM function of the stoichiometry symbol."""
    import pybamm

    plateau = lial_plateau_V(temperature_K)
    w = LIAL_TAIL_WIDTH

    def ocp(sto):
        return (
            plateau
            + LIAL_ALPHA_RISE_V * pybamm.exp(-sto / w)
            - plateau * pybamm.exp(-(1.0 - sto) / w)
            - LIAL_PLATEAU_SLOPE_V * (sto - 0.5)
        )

    return ocp


def ncm622_msmr_x(potential_V: np.ndarray, temperature_K: float) -> np.ndarray:
    """Li occupancy of NMC622 at a potential [V] (MSMR, Verbrugge et al. 2017)."""
    f = FARADAY / (GAS_CONSTANT * temperature_K)
    u = np.asarray(potential_V, dtype=float)[..., None]
    u0, xj, wj = (np.array(col) for col in zip(*NCM622_MSMR, strict=True))
    return (xj / (1.0 + np.exp(f * (u - u0) / wj))).sum(axis=-1)


@dataclass(frozen=True)
class OcpCurve:
    """A monotonic OCP: stoichiometry grid (increasing) and potential [V] (decreasing)."""

    sto: np.ndarray
    potential_V: np.ndarray
    source: str

    def stoichiometry_at(self, voltage_V: float) -> float:
        """Stoichiometry whose OCP is *voltage_V* (clamped to the curve's span)."""
        return float(np.interp(-voltage_V, -self.potential_V, self.sto))

    def potential_at(self, sto: float) -> float:
        """OCP at *sto* [V]."""
        return float(np.interp(sto, self.sto, self.potential_V))

    def pybamm_function(self, name: str):
        """A PyBaMM interpolant of the curve (cubic, as PyBaMM's own data sets)."""
        import pybamm

        x, y = self.sto, self.potential_V

        def ocp(sto):
            return pybamm.Interpolant(x, y, sto, name=name, interpolator="cubic")

        return ocp


@cache
def lco_curve() -> OcpCurve:
    """PyBaMM's Ai2020 LiCoO2 OCP data."""
    from pybamm.input.parameters.lithium_ion import Ai2020

    _, (x, y) = Ai2020.lico2_ocp_Ai2020_data
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    order = np.argsort(x)
    x, y = x[order], y[order]
    # the data end at x = 0.999 (3.41 V): a logarithmic tail to 1 - 1e-5 carries the
    # discharge to a 3.0 V cut-off inside 0 < x < 1 (an extrapolation, 0.1 V per e-fold)
    gap = (1.0 - x[-1]) * 10.0 ** (-np.arange(1, 9) / 4.0)
    tail_x = 1.0 - gap
    tail_y = y[-1] + LCO_TAIL_V * np.log(gap / (1.0 - x[-1]))
    return OcpCurve(
        np.concatenate([x, tail_x]),
        np.concatenate([y, tail_y]),
        "LiCoO2 OCP: PyBaMM Ai2020 data (Ai et al. 2020), log tail past x = 0.999",
    )


@cache
def ncm622_curve(temperature_K: float) -> OcpCurve:
    """NMC622 OCP from the MSMR form at *temperature_K*, on a 2.5-4.6 V grid."""
    u = np.linspace(4.6, 2.5, 800)
    x = ncm622_msmr_x(u, temperature_K)
    return OcpCurve(x, u, "NCM622 OCP: MSMR, Verbrugge et al. 2017 Table 1 (NMC622)")


@cache
def lial_curve(temperature_K: float) -> OcpCurve:
    """The Li-Al OCP on a grid (for windows and start states)."""
    x = np.linspace(1e-4, 0.9999, 2000)
    return OcpCurve(x, lial_ocp_numpy(x, temperature_K), "LiAl alpha/beta plateau (Handbook)")


def cathode_curve(material: str, temperature_K: float) -> OcpCurve:
    """The OCP curve of a cathode material, or a one-line refusal."""
    if material == "LCO":
        return lco_curve()
    if material in ("NCM622", "NCM811"):
        return ncm622_curve(round(temperature_K, 2))
    raise SimulationError(f"no OCP for cathode {material!r}; known: LCO, NCM622")


def arrhenius_conductivity_S_m(
    material: str, sigma_25C_mS_cm: float, temperature_C: float
) -> tuple[float, str]:
    """Ionic conductivity at the cell temperature [S/m] from the 25 °C value, and a note."""
    ea, source = ACTIVATION_EV.get(material, (0.3, "no value found: 0.3 eV assumed"))
    factor = math.exp(-ea / K_BOLTZMANN_EV * (1.0 / (temperature_C + 273.15) - 1.0 / 298.15))
    sigma = sigma_25C_mS_cm * 0.1 * factor
    note = (
        f"{material}: {sigma_25C_mS_cm:g} mS/cm at 25 °C x Arrhenius (Ea {ea} eV, {source}) "
        f"= {sigma * 10:.3g} mS/cm at {temperature_C:g} °C"
    )
    return sigma, note
