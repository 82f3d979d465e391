"""Physics of the Li|interlayer|LGPS interface, half-cycle by half-cycle (NumPy, vectorised).

Every function takes arrays that broadcast as (cells, half-cycles): a row per
cell of a sweep, a column per half-cycle. States are cumulative sums over the
half-cycles, so a 5000 h test costs a handful of array operations, not an ODE.

The chain, for an interlayer of thickness *d* on each Li electrode:

1. **Coverage.** A sputtered film leaves a fraction ``p = exp(-d / l_pin)`` of
   the Li uncovered (pinholes; bare Li: p = 1).
2. **Coating fatigue.** Each half-cycle strains the film by
   ``ε = (q / q_ref)(l_tear / d) + η_coat / η_mech``: a membrane (tearing) term
   from the Li thickness change under a thin film, and a Li-overpressure term
   from the ionic drop across the film, ``η_coat = j d / σ_coat``. An
   overpotential η at a flaw is a Li pressure ``P = F η / V_m`` (Monroe &
   Newman, J. Electrochem. Soc. 152 (2005) A396, doi:10.1149/1.1850854), so the
   film tears when ``η_coat`` nears ``η_mech = σ_f V_m / F``. Damage adds up by
   a Coffin–Manson law, ``D = Σ ε^b / N_f``; the exposed fraction of Li is
   ``u = p + (1 - p)(1 - exp(-D))``. Thin films tear (the seed's 100 nm film "too
   thin to withstand the multiple stripping and plating"). Thick films fail by
   **channel cracking** instead (:mod:`ssblab.simulate.film_cracking`: a brittle
   film's channel crack is driven by ``G = Z E ε² h``, so it grows fastest in the
   thickest film, and a cracked film shorts by current focusing): together the
   two make the optimum thickness.
3. **Interphase.** Where Li touches LGPS it reduces it to a mixed-conducting
   interphase (Li2S, Li3P, Li–Ge) that grows parabolically; on a partly exposed
   electrode ``L² = 2 k ∫ u dt`` (mean field) and its resistance is ``L / σ_int``.
4. **Voids.** Stripping faster than Li creep can refill the interface leaves
   voids (Kasemchainan et al., Nat. Mater. 18 (2019) 1105; the critical
   stripping current j_c of the creep-limited supply): the contact fraction is
   ``c = 1 / (1 + V)`` with
   ``ΔV = w (q/q_ref)^b (max(j - j_c, 0)/j_ref)^n [u + (1 - u) s]`` per
   stripping; an intact coating suppresses voids by the factor *s*.
5. **Stripping gap (current focusing, within a half-cycle).** Above a critical
   stripping current the creep-limited supply of Li cannot keep the Li in contact
   with the film (Kasemchainan et al. 2019; the seed's Fig. 3b discussion: voids
   on stripping raise the local current, plating refills them). The Li deficit
   ``(j - j_gap) t`` opens a gap whose measure grows with the deficit depth,
   ``V_gap = (1 - j_gap / j)_+ Q / Q_h`` after a charge ``Q`` stripped, with
   ``Q_h = F h / V_m`` the charge of a Li layer of depth *h* (the gap depth that
   halves the contact). It is refilled by the next plating. The LiAlO2 film is an
   electronic insulator (seed), so the ionic current through the film and the
   charge transfer are focused on the contact left, ``j (1 + V)(1 + V_gap)``; the
   Li|LGPS interphase (Li2S, Li3P and an electronically conducting Li-Ge phase,
   seed) is not, so a bare electrode feels the gap only in its charge transfer.
6. **Kinetics.** Butler–Volmer in asinh form at each electrode,
   ``η_ct = (2RT/F) asinh(j_loc / 2 i0)``; the stripping electrode carries the
   local current ``j / c``, the plating electrode ``j`` (plating refills voids).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FARADAY = 96485.33212  # C/mol
GAS_CONSTANT = 8.314462618  # J/(mol K)


def uncovered_fraction(thickness_nm: np.ndarray, pinhole_length_nm: float) -> np.ndarray:
    """Fraction of the Li surface left bare by a film of *thickness_nm* [nm] (1 for bare Li)."""
    return np.exp(-np.asarray(thickness_nm, dtype=float) / pinhole_length_nm)


def coating_drop_V(
    current_density_A_cm2: np.ndarray, thickness_nm: np.ndarray, conductivity_S_cm: float
) -> np.ndarray:
    """Ionic potential drop across the coating, j d / σ [V] (thickness in nm, j in A/cm²)."""
    return current_density_A_cm2 * np.asarray(thickness_nm) * 1e-7 / conductivity_S_cm


def mechanical_overpotential_V(film_strength_Pa: float, li_molar_volume_cm3_mol: float) -> float:
    """Overpotential whose Li pressure F η / V_m equals the film strength [V]."""
    return film_strength_Pa * li_molar_volume_cm3_mol * 1e-6 / FARADAY


def coating_strain(
    capacity_mAh_cm2: np.ndarray,
    drop_V: np.ndarray,
    thickness_nm: np.ndarray,
    reference_capacity_mAh_cm2: float,
    tearing_thickness_nm: float,
    mechanical_V: float,
    crack_strain_per_root_nm: float = 0.0,
) -> np.ndarray:
    """Dimensionless strain of the film per half-cycle: tearing + Li-overpressure terms
    (and an optional ``sqrt(G/Γ)`` term, *crack_strain_per_root_nm* times sqrt(d); the
    model passes 0: channel cracking is :mod:`ssblab.simulate.film_cracking`)."""
    d = np.maximum(np.asarray(thickness_nm, dtype=float), 1e-9)
    q = capacity_mAh_cm2 / reference_capacity_mAh_cm2
    tearing = q * tearing_thickness_nm / d
    crack = q * crack_strain_per_root_nm * np.sqrt(np.asarray(thickness_nm, dtype=float))
    return tearing + drop_V / mechanical_V + crack


def crack_strain_per_root_nm(
    membrane_strain: float, modulus_Pa: float, fracture_energy_J_m2: float, factor: float
) -> float:
    """ε_m sqrt(Z E / Γ) per sqrt(nm): times sqrt(d [nm]) it is sqrt(G / Γ) (1)."""
    return membrane_strain * np.sqrt(factor * modulus_Pa * 1e-9 / fracture_energy_J_m2)


def cumulative(increment: np.ndarray) -> np.ndarray:
    """States at the half-cycle boundaries: 0 before the first, then running sums (axis -1)."""
    inc = np.asarray(increment, dtype=float)
    zeros = np.zeros((*inc.shape[:-1], 1))
    return np.concatenate((zeros, np.cumsum(inc, axis=-1)), axis=-1)


def exposed_fraction(uncovered: np.ndarray, damage: np.ndarray) -> np.ndarray:
    """Fraction of Li in contact with LGPS: pinholes plus the cracked share of the film."""
    return uncovered + (1.0 - uncovered) * (1.0 - np.exp(-damage))


def interphase_resistance(
    exposure_time_s: np.ndarray, rate_cm2_s: float, conductivity_S_cm: float
) -> np.ndarray:
    """ASR of a parabolic interphase, sqrt(2 k ∫u dt) / σ [Ω·cm²]."""
    return np.sqrt(2.0 * rate_cm2_s * np.maximum(exposure_time_s, 0.0)) / conductivity_S_cm


def void_increment(
    capacity_mAh_cm2: np.ndarray,
    current_density_A_cm2: np.ndarray,
    exposed: np.ndarray,
    *,
    rate: float,
    suppression: float,
    exponent: float,
    rate_exponent: float,
    reference_capacity_mAh_cm2: float,
    reference_current_A_cm2: float,
    critical_current_A_cm2: float = 0.0,
) -> np.ndarray:
    """Growth of the void measure V of the stripping electrode in one half-cycle (1).

    Only the stripping current above the creep-limited supply *critical_current_A_cm2*
    leaves voids.
    """
    q = capacity_mAh_cm2 / reference_capacity_mAh_cm2
    excess = np.maximum(current_density_A_cm2 - critical_current_A_cm2, 0.0)
    j = excess / reference_current_A_cm2
    return rate * q**exponent * j**rate_exponent * (exposed + (1.0 - exposed) * suppression)


def stripping_gap(
    capacity_mAh_cm2: np.ndarray,
    current_density_A_cm2: np.ndarray,
    critical_current_A_cm2: np.ndarray,
    depth_nm: np.ndarray,
    li_molar_volume_cm3_mol: np.ndarray,
) -> np.ndarray:
    """Gap measure V_gap at the end of a stripping half-cycle of *capacity_mAh_cm2* (1).

    ``(1 - j_c / j)_+ Q / Q_h`` with ``Q_h = F h / V_m`` [C/cm²] (h in nm, V_m in cm³/mol).
    """
    q_c_cm2 = np.asarray(capacity_mAh_cm2, dtype=float) * 3.6
    q_h = FARADAY * np.asarray(depth_nm) * 1e-7 / li_molar_volume_cm3_mol
    j = np.asarray(current_density_A_cm2, dtype=float)
    excess = np.maximum(1.0 - critical_current_A_cm2 / np.maximum(j, 1e-30), 0.0)
    return excess * q_c_cm2 / q_h


def charge_transfer_V(
    local_current_A_cm2: np.ndarray, exchange_current_A_cm2: float, temperature_K: float
) -> np.ndarray:
    """Butler–Volmer overpotential for α = 1/2, (2RT/F) asinh(j / 2 i0) [V]."""
    thermal = 2.0 * GAS_CONSTANT * temperature_K / FARADAY
    return thermal * np.arcsinh(local_current_A_cm2 / (2.0 * exchange_current_A_cm2))


def electrode_overpotential_V(
    local_current_A_cm2: np.ndarray,
    layer_asr_ohm_cm2: np.ndarray,
    exchange_current_A_cm2: float,
    temperature_K: float,
) -> np.ndarray:
    """One electrode: charge transfer plus the ohmic drop over its layers [V]."""
    ct = charge_transfer_V(local_current_A_cm2, exchange_current_A_cm2, temperature_K)
    return ct + local_current_A_cm2 * layer_asr_ohm_cm2


def exposure(d: np.ndarray, hc: Any, b: dict[str, np.ndarray]) -> np.ndarray:
    """Exposed fraction of Li at the N+1 half-cycle boundaries of *hc* (a
    :class:`~ssblab.simulate.protocol.HalfCycles`): pinholes plus the fatigued film
    (steps 1-2), for thicknesses *d* [nm] and model parameters *b* (name -> column)."""
    j = hc.current_density_A_cm2[None, :]
    drop = coating_drop_V(j, d, b["coating_conductivity_S_cm"])
    eta_mech = mechanical_overpotential_V(b["film_strength_Pa"], b["li_molar_volume_cm3_mol"])
    strain = coating_strain(
        hc.capacity_mAh_cm2[None, :],
        drop,
        d,
        b["reference_capacity_mAh_cm2"],
        b["tearing_thickness_nm"],
        eta_mech,
    )
    damage = cumulative(strain ** b["fatigue_exponent"] / b["fatigue_cycles"])
    return exposed_fraction(uncovered_fraction(d, b["pinhole_length_nm"]), damage)


def interphase_asr(exposed: np.ndarray, hc: Any, b: dict[str, np.ndarray]) -> np.ndarray:
    """ASR of the Li|LGPS interphase at the N+1 boundaries from the exposed fraction [Ω·cm²]."""
    tau = hc.duration_s[None, :]
    exposure_s = cumulative(0.5 * (exposed[:, :-1] + exposed[:, 1:]) * tau)
    return interphase_resistance(
        exposure_s, b["interphase_rate_cm2_s"], b["interphase_conductivity_S_cm"]
    )


def void_states(
    exposed: np.ndarray, hc: Any, b: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Void measure V of the stripping electrode at the start and end of each half-cycle,
    and of the plating electrode (its voids from earlier strippings), step 4."""
    dv = void_increment(
        hc.capacity_mAh_cm2[None, :],
        hc.current_density_A_cm2[None, :],
        exposed[:, :-1],
        rate=b["void_rate"],
        suppression=b["void_suppression"],
        exponent=b["fatigue_exponent"],
        rate_exponent=b["void_rate_exponent"],
        reference_capacity_mAh_cm2=b["reference_capacity_mAh_cm2"],
        reference_current_A_cm2=b["reference_current_density_A_cm2"],
        critical_current_A_cm2=b["critical_stripping_current_A_cm2"],
    )
    we_strips = hc.sign[None, :] < 0
    working = cumulative(np.where(we_strips, dv, 0.0))
    counter = cumulative(np.where(we_strips, 0.0, dv))
    strip_start = np.where(we_strips, working[:, :-1], counter[:, :-1])
    strip_end = np.where(we_strips, working[:, 1:], counter[:, 1:])
    plate = np.where(we_strips, counter[:, :-1], working[:, :-1])
    return strip_start, strip_end, plate
