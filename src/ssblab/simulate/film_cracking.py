"""Channel cracking of the brittle interlayer under the cyclic strain of plating/stripping.

A thickness-*increasing* failure mechanism of the Li|LiAlO2|LGPS electrode
(NumPy, arrays broadcasting as (cells, half-cycles), like
:mod:`ssblab.simulate.interphase`). The chain, for a film of thickness *h*:

1. **Cyclic strain.** Each half-cycle moves a Li layer of thickness
   ``δ = q V_m / F`` (0.484 µm for the seed's 0.1 mAh/cm²) under the film; where
   it is not uniform over a lateral length λ the film is stretched by
   ``ε_q = δ / λ``, written ``ε_m q / q_ref`` (ε_m, the membrane strain per
   reference half-cycle, is fitted; λ = δ_ref / ε_m). The ionic drop across the
   film, ``η_f = j h / σ_f``, is a Li overpressure ``P = F η_f / V_m`` at the
   Li|film interface (Monroe & Newman, J. Electrochem. Soc. 152 (2005) A396,
   doi:10.1149/1.1850854) that loads the film by ``P / E``, E being the film
   modulus (seed, SPM: 20–50 GPa). Peak strain per half-cycle:
   ``ε = ε_m q / q_ref + F j h / (σ_f V_m E)``.
2. **Driving force.** A channel crack in a brittle film bonded to a compliant
   substrate runs at a steady-state energy release rate ``G = Z E ε² h``
   (Hutchinson & Suo, Adv. Appl. Mech. 29 (1992) 63; Beuth, Int. J. Solids
   Struct. 29 (1992) 1657; Z = 1.976 for similar film and substrate stiffness),
   independent of the channel length: thicker films drive it harder.
3. **Fast fracture.** ``G ≥ Γ`` (the film's fracture energy) channels the film at
   once.
4. **Fatigue (subcritical) growth.** Below Γ the channel front advances each
   half-cycle by a Paris law in ``ΔK = sqrt(E G) ∝ ε sqrt(Z h)``:
   ``dc/dN = c_Γ (ΔK / K_c)^m``, so the film is channelled after
   ``D = Σ (G / Γ)^{m/2} / N_Γ`` reaches 1, with ``N_Γ`` the half-cycles to
   channel at ``G = Γ`` and ``m`` the Paris exponent. A Paris law integrated over
   the crack length gives a strain life ``N ∝ ε^-m``; the film's strain life is
   the Coffin-Manson law of its tearing (:mod:`ssblab.simulate.interphase`,
   ``1/c`` = 1.43-2, Manson 1965), so ``m`` is that exponent (assumed: one film,
   one strain-life exponent; left free, the chain took m to 5-17, ceramic-like
   (Ritchie, Int. J. Fract. 100 (1999) 55), where no 300 nm film cracks). The
   Paris line is pinned at its upper end, where fatigue growth meets fast
   fracture (the Griffith-Irwin instability coincides with the Paris one:
   Carpinteri & Paggi, "Are the Paris' law parameters dependent on each other?",
   IGF19, Milano 2007), so the rate there is the top of the Paris range,
   ~1e-6-1e-5 m per cycle, and ``N_Γ`` is the run of the channel (from the ~1 µm
   crack spacing of the assumed crack area fraction to ~1 mm) over that rate:
   0.1-1000 half-cycles.
   Cycles to crack scale as ``ε^-m h^-m/2``: the thicker film cracks first.
5. **Short.** A channelled film leaves Li exposed to LGPS along the crack only,
   a fraction ``a_c`` of the area (crack opening over spacing); the film's ionic
   resistance pushes the current into it, so the local plating current is
   ``j (1 + V) / a_c``. Above the critical current for Li penetration the cell
   shorts (the criterion of :func:`ssblab.simulate.symmetric.trajectory`), as the
   seed's 100 nm cell "failed quickly".
"""

from __future__ import annotations

import numpy as np

from ssblab.simulate.interphase import FARADAY


def li_thickness_change_um(capacity_mAh_cm2: np.ndarray, li_molar_volume_cm3_mol: float):
    """Thickness of the Li plated or stripped in a half-cycle, q V_m / F [µm]."""
    return np.asarray(capacity_mAh_cm2) * 3.6 / FARADAY * li_molar_volume_cm3_mol * 1e4


def film_strain(
    capacity_mAh_cm2: np.ndarray,
    current_density_A_cm2: np.ndarray,
    thickness_nm: np.ndarray,
    *,
    membrane_strain: np.ndarray,
    reference_capacity_mAh_cm2: float,
    coating_conductivity_S_cm: np.ndarray,
    modulus_Pa: np.ndarray,
    li_molar_volume_cm3_mol: float,
) -> np.ndarray:
    """Peak film strain per half-cycle, ``ε_m q/q_ref + F j h / (σ_f V_m E)`` (1)."""
    membrane = membrane_strain * np.asarray(capacity_mAh_cm2) / reference_capacity_mAh_cm2
    drop = current_density_A_cm2 * np.asarray(thickness_nm) * 1e-7 / coating_conductivity_S_cm
    pressure = FARADAY * drop / (li_molar_volume_cm3_mol * 1e-6)  # Pa
    return membrane + pressure / modulus_Pa


def energy_release_rate_J_m2(
    strain: np.ndarray, thickness_nm: np.ndarray, modulus_Pa: np.ndarray, factor: float
) -> np.ndarray:
    """Steady-state channel-crack energy release rate ``Z E ε² h`` [J/m²]."""
    return factor * modulus_Pa * np.asarray(strain) ** 2 * np.asarray(thickness_nm) * 1e-9


def paris_damage(
    energy_release_J_m2: np.ndarray,
    *,
    exponent: np.ndarray,
    cycles: np.ndarray,
    reference_J_m2: float,
) -> np.ndarray:
    """Channel growth per half-cycle as a share of the crack-through length,
    ``(G / G_ref)^{m/2} / N_c`` (1); the model takes ``G_ref = Γ``."""
    return (np.asarray(energy_release_J_m2) / reference_J_m2) ** (0.5 * exponent) / cycles


def channelled(
    energy_release_J_m2: np.ndarray,
    *,
    exponent: np.ndarray,
    cycles: np.ndarray,
    reference_J_m2: float,
    fracture_energy_J_m2: np.ndarray,
) -> np.ndarray:
    """True from the half-cycle in which the film is channelled on: fatigue damage
    reaching 1 by its end, or ``G ≥ Γ`` (fast fracture); it stays cracked (bool)."""
    g = np.asarray(energy_release_J_m2, dtype=float)
    inc = paris_damage(g, exponent=exponent, cycles=cycles, reference_J_m2=reference_J_m2)
    through = (np.cumsum(inc, axis=-1) >= 1.0) | (g >= fracture_energy_J_m2)
    return np.maximum.accumulate(through, axis=-1)


def cracked_films(
    thickness_nm: np.ndarray,
    capacity_mAh_cm2: np.ndarray,
    current_density_A_cm2: np.ndarray,
    b: dict[str, np.ndarray],
) -> np.ndarray:
    """Whether each electrode's film is channel-cracked by the end of each half-cycle,
    from the model parameters *b* (name -> value or (cells, 1) column); bare Li (d = 0)
    never is."""
    strain = film_strain(
        capacity_mAh_cm2,
        current_density_A_cm2,
        thickness_nm,
        membrane_strain=b["membrane_strain"],
        reference_capacity_mAh_cm2=b["reference_capacity_mAh_cm2"],
        coating_conductivity_S_cm=b["coating_conductivity_S_cm"],
        modulus_Pa=b["film_modulus_Pa"],
        li_molar_volume_cm3_mol=b["li_molar_volume_cm3_mol"],
    )
    g = energy_release_rate_J_m2(
        strain, thickness_nm, b["film_modulus_Pa"], b["channel_crack_factor"]
    )
    cracked = channelled(
        g,
        exponent=b["fatigue_exponent"],
        cycles=b["crack_cycles"],
        reference_J_m2=b["film_fracture_energy_J_m2"],
        fracture_energy_J_m2=b["film_fracture_energy_J_m2"],
    )
    return cracked & (np.asarray(thickness_nm) > 0)
